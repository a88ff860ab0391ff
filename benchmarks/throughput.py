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

import _cli
from report import evaluate, render
from workloads import SIZES, STRATEGIES, WORKLOADS, Plan

RESULTS = Path(__file__).resolve().parent / "results" / "throughput.json"


def parse(argv: Sequence[str]) -> argparse.Namespace:
    command = _cli.parser(__doc__, "a short smoke run")
    _cli.add_only_option(command, WORKLOADS)
    command.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=list(SIZES),
        help="agent counts (cycles, host, floor)",
    )
    command.add_argument(
        "--strategies",
        nargs="+",
        choices=STRATEGIES,
        default=list(STRATEGIES),
        metavar="NAME",
        help="strategies (cycles, close, host)",
    )
    _cli.add_measure_options(
        command, "rounds or windows per measurement", _cli.LONG_IN_PROCESS_HELP
    )
    _cli.add_record_options(command, RESULTS, long=True)
    return command.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    args = parse(argv)
    settings = _cli.settings_from(args)
    plan = Plan(
        sizes=tuple(sorted(set(args.sizes))),
        strategies=tuple(name for name in STRATEGIES if name in args.strategies),
        settings=settings,
        isolate=not args.in_process,
    )
    run = _cli.start_run(
        "agentroute throughput, host loop, soak, memory and gc",
        "benchmarks/throughput.py",
        argv,
        args.note,
    )
    results = _cli.run_workloads(WORKLOADS, args.only, plan)
    run.finish()
    verdicts = evaluate(results)
    print(render(run.banner("agentroute benchmarks"), results, verdicts))
    complete = not (
        args.quick
        or args.only
        or plan.sizes != tuple(SIZES)
        or plan.strategies != tuple(STRATEGIES)
    )
    _cli.write_results(
        args.output or (RESULTS if complete else None),
        run,
        {
            **vars(settings),
            "isolated": plan.isolate,
            "sizes": list(plan.sizes),
            "strategies": list(plan.strategies),
            "statistic": "fastest round or window (median and every round also given)",
        },
        results,
        verdicts,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
