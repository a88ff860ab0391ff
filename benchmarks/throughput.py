"""
agentroute's benchmarks: run the workloads, print the report, write the JSON.

Run them all with ``make bench`` (``.venv/bin/python benchmarks/throughput.py``);
``--only host floor`` runs some workloads, ``--sizes 10 1000`` picks agent
counts, ``--quick`` is a smoke run. The workloads are described in
``workloads.py``, the timing method in ``harness.py``, the targets in
``report.py``.

Method, in short: every measurement runs in a fresh interpreter. The
comparisons with the naive router (``cycles``, ``close``, ``pull``) time 7
rounds of about 0.15 s, the collector run to completion before each round.
The host-shaped workloads (``host``, ``floor``, ``lock``) time 5 windows of
about 1 s, the collector on and never run by the benchmark, closed items
never forgotten. Both report the fastest round or window (other processes
can only add time) and keep every round and the median in the JSON.
``soak`` times every single call of 1 000 000 cycles (100 000 with
``--quick``); ``gc`` times 200 000 cycles at 100 000 agents, twice.

A full run took 8 min 36 s on a shared 2-vCPU VM, so no round counts were cut.
It writes ``benchmarks/results/throughput.json``; a run limited with
``--quick``, ``--only``, ``--sizes`` or ``--strategies`` writes only to the
file ``--output`` names, so it never replaces the full record.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness import (
    FULL,
    QUICK,
    RunRecord,
    progress,
    write_json,
)
from report import evaluate, render
from workloads import SIZES, STRATEGIES, WORKLOADS, Plan

import agentroute

RESULTS = Path(__file__).resolve().parent / "results" / "throughput.json"


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.strip().split("\n")[0] if __doc__ else None
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=list(WORKLOADS),
        metavar="NAME",
        help=f"run only these workloads: {', '.join(WORKLOADS)}",
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=list(SIZES),
        help="agent counts (cycles, host, floor)",
    )
    parser.add_argument(
        "--strategies",
        nargs="+",
        choices=STRATEGIES,
        default=list(STRATEGIES),
        metavar="NAME",
        help="strategies (cycles, close, host)",
    )
    parser.add_argument("--rounds", type=int, help="rounds or windows per measurement")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="measure everything in this process instead of a fresh one per measurement",
    )
    parser.add_argument("--note", help="free text stored in the JSON, e.g. what code ran")
    parser.add_argument(
        "--output",
        type=Path,
        help=f"JSON file to write (a full run writes {RESULTS.name} when not given)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    args = parse(argv)
    settings = QUICK if args.quick else FULL
    if args.rounds:
        settings = settings.with_rounds(args.rounds)
    plan = Plan(
        sizes=tuple(sorted(set(args.sizes))),
        strategies=tuple(name for name in STRATEGIES if name in args.strategies),
        settings=settings,
        isolate=not args.in_process,
    )
    names = [name for name in WORKLOADS if not args.only or name in args.only]
    run = RunRecord(
        "agentroute throughput, host loop, soak, memory and gc",
        "benchmarks/throughput.py",
        argv,
        args.note,
        Path(agentroute.__file__).resolve().parent,
    )
    results: dict[str, Any] = {}
    for name in names:
        progress(f"-- {name}")
        results[name] = WORKLOADS[name](plan)
    run.finish()
    verdicts = evaluate(results)
    header = run.banner("agentroute benchmarks")
    print(render(header, results, verdicts))
    complete = not (
        args.quick
        or args.only
        or plan.sizes != tuple(SIZES)
        or plan.strategies != tuple(STRATEGIES)
    )
    output = args.output or (RESULTS if complete else None)
    if output is not None:
        write_json(
            output,
            {
                **run.record,
                "settings": {
                    **vars(settings),
                    "isolated": plan.isolate,
                    "sizes": list(plan.sizes),
                    "strategies": list(plan.strategies),
                    "statistic": "fastest round or window (median and every round also given)",
                },
                "workloads": results,
                "targets": [verdict.to_json() for verdict in verdicts],
                "all_passed": all(verdict.passed is not False for verdict in verdicts),
            },
        )
        print(f"\nwrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
