"""
The command line the benchmark scripts share: options, settings, the run's record and its JSON.

- `parser`, `add_only_option`, `add_measure_options` and `add_record_options`
  build the common options (``--quick``, ``--only``, ``--rounds``, ``--in-process``,
  ``--note``, ``--output``);
  each script adds its own between them.
- `settings_from` and `start_run` turn the options into `harness.Settings`
  and a `harness.RunRecord` of the installed agentroute.
- `run_workloads` runs the named workloads of a plan, `targets_section` prints
  the targets, `us_cell` a table's timing, and `write_results` the JSON.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import harness
from harness import FULL, QUICK, RunRecord, Settings, progress

import agentroute

if TYPE_CHECKING:
    from report import Verdict

_Plan = TypeVar("_Plan")

IN_PROCESS_HELP = "no fresh interpreter per measurement"
"""The short help of ``--in-process``; `LONG_IN_PROCESS_HELP` is the long one."""

LONG_IN_PROCESS_HELP = "measure everything in this process instead of a fresh one per measurement"


def parser(doc: str | None, quick_help: str) -> argparse.ArgumentParser:
    """Return a parser described by *doc*'s first paragraph, with ``--quick``."""
    result = argparse.ArgumentParser(description=doc.split("\n\n")[0].strip() if doc else None)
    result.add_argument("--quick", action="store_true", help=quick_help)
    return result


def add_measure_options(
    parser: argparse.ArgumentParser, rounds_help: str, in_process_help: str | None
) -> None:
    """Add ``--rounds`` and, unless *in_process_help* is None, ``--in-process``."""
    parser.add_argument("--rounds", type=int, help=rounds_help)
    if in_process_help is not None:
        parser.add_argument("--in-process", action="store_true", help=in_process_help)


def add_record_options(parser: argparse.ArgumentParser, results: Path, long: bool = False) -> None:
    """Add ``--note`` and ``--output`` (*results* after a full run), in short or *long* words."""
    if long:
        parser.add_argument("--note", help="free text stored in the JSON, e.g. what code ran")
        output_help = f"JSON file to write (a full run writes {results.name} when not given)"
    else:
        parser.add_argument("--note", help="free text stored in the JSON")
        output_help = f"JSON file (a full run writes {results.name})"
    parser.add_argument("--output", type=Path, help=output_help)


def add_only_option(parser: argparse.ArgumentParser, workloads: Iterable[str]) -> None:
    """Add ``--only``, which picks some of *workloads* by name."""
    names = list(workloads)
    parser.add_argument(
        "--only",
        nargs="+",
        choices=names,
        metavar="NAME",
        help=f"run only these workloads: {', '.join(names)}",
    )


def settings_from(args: argparse.Namespace) -> Settings:
    """Return the QUICK or FULL settings as ``--quick`` says, with ``--rounds`` if given."""
    settings = QUICK if args.quick else FULL
    if args.rounds:
        settings = settings.with_rounds(args.rounds)
    return settings


def start_run(benchmark: str, script: str, argv: Sequence[str], note: str | None) -> RunRecord:
    """Start the record of a run of *script* measuring the agentroute that is imported."""
    return RunRecord(benchmark, script, argv, note, Path(agentroute.__file__).resolve().parent)


def run_workloads(
    workloads: Mapping[str, Callable[[_Plan], Any]], only: Sequence[str] | None, plan: _Plan
) -> dict[str, Any]:
    """Run each of *workloads* (those in *only*, if given) on *plan*; return results by name."""
    results: dict[str, Any] = {}
    for name, workload in workloads.items():
        if only and name not in only:
            continue
        progress(f"-- {name}")
        results[name] = workload(plan)
    return results


def targets_section(verdicts: Sequence[Verdict], heading: str = "targets") -> list[str]:
    """Return the printed targets: *heading*, a line per verdict, and how many pass."""
    passed = sum(verdict.passed is True for verdict in verdicts)
    return [
        heading,
        *(verdict.line() for verdict in verdicts),
        f"  {passed} of {len(verdicts)} targets pass",
    ]


def us_cell(data: Mapping[str, Any], digits: int = 2) -> str:
    """Return a table cell of a sample: fastest µs (median µs)."""
    return f"{data['us_best']:.{digits}f} ({data['us_median']:.{digits}f})"


def write_results(
    output: Path | None,
    run: RunRecord,
    settings: Mapping[str, Any],
    results: Mapping[str, Any],
    verdicts: Iterable[Verdict],
) -> None:
    """Write the run's record, *settings*, workloads and targets to *output*, if any; say so."""
    if output is None:
        return
    verdicts = list(verdicts)
    harness.write_json(
        output,
        {
            **run.record,
            "settings": settings,
            "workloads": results,
            "targets": [verdict.to_json() for verdict in verdicts],
            "all_passed": all(verdict.passed is not False for verdict in verdicts),
        },
    )
    print(f"\nwrote {output}")
