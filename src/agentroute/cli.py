"""
The ``agentroute`` command: simulation, queueing figures and staffing from the shell.

``agentroute simulate SCENARIO.toml`` runs a scenario (`agentroute.simulate`)
once per strategy and prints the reports side by side, with ``--json`` and
``--plot`` writing them to files, and a progress bar on stderr when that is
a terminal (and ``rich`` is installed; ``--no-progress`` hides it). With
several files (variants, e.g. one that ``extends`` the other), each runs with
the same seed and its reports are named by the file's stem.
``agentroute erlang`` prints the Erlang C figures (Erlang A with
``--patience``) for a given number of agents, and ``agentroute staff`` the
smallest number of agents meeting a service-level target. Rates are per hour,
times in seconds. ``--json`` prints one JSON object instead of the table
(an infinite ASA is ``null``).

Exit status: 0 on success, 2 for bad input, with a one-line message naming the
offending option (for a bad scenario, one line per problem with its key path),
1 when a simulation run or writing its output fails. A reader that stops
early (``agentroute simulate ... | head``) ends the output quietly; the output
files are still written, and the status is 1, as Python's own on a broken pipe.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from agentroute import strategies
from agentroute.errors import InvalidDataError, InvalidValueError
from agentroute.simulate import plot, table
from agentroute.simulate.erlang import ErlangA, ErlangC, staff
from agentroute.simulate.runs import compare, compare_variants, simulate
from agentroute.simulate.scenario import Scenario, load

__all__ = ["main"]

_OPTIONS = {
    "rate_per_hour": "--rate",
    "aht_s": "--aht",
    "agents": "--agents",
    "target_s": "--target",
    "target_sl": "--target-sl",
    "patience_s": "--patience",
}


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rate", type=float, required=True, metavar="R", help="arrivals per hour")
    parser.add_argument(
        "--aht", type=float, required=True, metavar="S", help="mean handling time, seconds"
    )
    parser.add_argument(
        "--target",
        type=float,
        required=True,
        metavar="T",
        help="answer-time target of the service level, seconds",
    )
    parser.add_argument(
        "--patience",
        type=float,
        metavar="P",
        help="mean patience of a waiting customer, seconds (Erlang A); default: unlimited",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = argparse.ArgumentParser(
        prog="agentroute",
        description="Simulation, queueing figures and staffing for agentroute.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    simulate_parser = commands.add_parser(
        "simulate",
        help="run a scenario through the router and compare strategies or variants",
        description="Run a scenario (a .toml or .json file) through a real router, once per "
        "strategy with the same customers, and print the reports side by side. With several "
        "files, run each with the same seed, in columns named by the files' stems.",
    )
    simulate_parser.add_argument(
        "scenarios",
        nargs="+",
        metavar="SCENARIO",
        help="a .toml or .json scenario; several to compare variants",
    )
    simulate_parser.add_argument(
        "--strategies",
        type=_strategy_names,
        metavar="NAMES",
        help="comma-separated strategies to compare, e.g. least_busy,round_robin; "
        "default: the scenario's own configuration only",
    )
    simulate_parser.add_argument(
        "--seed", type=int, default=0, metavar="N", help="seed of every random draw (default 0)"
    )
    simulate_parser.add_argument(
        "--json", type=Path, metavar="FILE", help="also write the reports to FILE as JSON"
    )
    simulate_parser.add_argument(
        "--plot",
        type=Path,
        metavar="FILE",
        help="also draw the reports into FILE, a PNG (needs matplotlib: agentroute-core[sim])",
    )
    simulate_parser.add_argument(
        "--no-progress",
        dest="progress",
        action="store_false",
        help="no progress bar (shown on stderr when it is a terminal and rich is installed)",
    )
    erlang = commands.add_parser(
        "erlang",
        help="service level, waiting and occupancy for a number of agents",
        description="Print P(wait), service level, ASA and occupancy (and abandonment "
        "with --patience) for a number of agents.",
    )
    erlang.add_argument("--agents", type=int, required=True, metavar="N", help="number of agents")
    _add_common(erlang)
    staff_parser = commands.add_parser(
        "staff",
        help="smallest number of agents meeting a service-level target",
        description="Print the smallest number of agents whose service level reaches "
        "--target-sl, and the figures at that staffing.",
    )
    staff_parser.add_argument(
        "--target-sl",
        type=float,
        required=True,
        metavar="SL",
        help="service-level target, a share between 0 and 1, e.g. 0.8",
    )
    _add_common(staff_parser)
    return parser, {"erlang": erlang, "staff": staff_parser, "simulate": simulate_parser}


def _strategy_names(text: str) -> list[str]:
    names = list(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    if not names:
        raise argparse.ArgumentTypeError("expected strategy names separated by commas")
    known = strategies.names()
    for name in names:
        if name not in known:
            listed = ", ".join(known)
            raise argparse.ArgumentTypeError(f"unknown strategy {name!r}; known: {listed}")
    return names


def _model(args: argparse.Namespace, agents: int) -> ErlangA | ErlangC:
    if args.patience is None:
        return ErlangC(args.rate, args.aht, agents, args.target)
    return ErlangA(args.rate, args.aht, agents, args.target, args.patience)


def _figures(model: ErlangA | ErlangC) -> dict[str, float | int | str | None]:
    figures: dict[str, float | int | str | None] = {
        "model": "erlang_a" if isinstance(model, ErlangA) else "erlang_c",
        "rate_per_hour": model.rate_per_hour,
        "aht_s": model.aht_s,
        "target_s": model.target_s,
        "patience_s": model.patience_s if isinstance(model, ErlangA) else None,
        "load": model.load,
        "agents": model.agents,
        "p_wait": model.p_wait,
        "service_level": model.service_level,
        "asa_s": model.asa_s if math.isfinite(model.asa_s) else None,
        "occupancy": model.occupancy,
    }
    if isinstance(model, ErlangA):
        figures["p_abandon"] = model.p_abandon
    return figures


def _table(model: ErlangA | ErlangC, target_sl: float | None) -> str:
    rows = [("Agents", str(model.agents)), ("Offered load (Erlangs)", f"{model.load:.2f}")]
    if isinstance(model, ErlangC) and not model.stable:
        rows.append(("Stable", "no: load >= agents, the queue grows without bound"))
    rows.append(("P(wait)", f"{model.p_wait:.4f}"))
    if isinstance(model, ErlangA):
        rows.append(("P(abandon)", f"{model.p_abandon:.4f}"))
    level = f"{model.service_level:.4f}"
    if target_sl is not None:
        level += f" (target {target_sl:g})"
    rows.append((f"Service level ({model.target_s:g} s)", level))
    rows.append(("ASA (s)", f"{model.asa_s:.1f}"))
    rows.append(("Occupancy", f"{model.occupancy:.4f}"))
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


def _run(args: argparse.Namespace) -> str:
    target_sl: float | None = None
    if args.command == "erlang":
        agents = args.agents
    else:
        target_sl = args.target_sl
        agents = staff(args.rate, args.aht, args.target_sl, args.target, patience_s=args.patience)
    model = _model(args, agents)
    if args.json:
        return json.dumps(_figures(model))
    return _table(model, target_sl)


def _say(write: Callable[[], object]) -> bool:
    """
    Run *write*, which prints to stdout, and flush; return False if stdout is closed.

    A reader that stops early (``| head``) closes the pipe. As the Python docs'
    note on SIGPIPE (in `signal`) recommends, stdout then goes to the null
    device, so that later prints and the interpreter's flush at exit do not
    fail, and the command exits with 1, the status Python itself gives a
    broken pipe (not 141, the shell's for a process killed by SIGPIPE: the
    run goes on to write its output files).
    """
    try:
        write()
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return False
    return True


def _fail(message: str) -> int:
    print(f"agentroute simulate: error: {message}", file=sys.stderr)
    return 1


def _refused(source: Path, error: InvalidDataError) -> int:
    noun = "problem" if len(error.problems) == 1 else "problems"
    lines = [f"agentroute simulate: error: {source} is not a valid scenario:"]
    lines += [f"  {problem}" for problem in error.problems]
    lines.append(f"({len(error.problems)} {noun})")
    print("\n".join(lines), file=sys.stderr)
    return 2


@contextlib.contextmanager
def _progress_bar(wanted: bool) -> Iterator[Callable[[float], None] | None]:
    """Show a progress bar on stderr while the runs go, if it is wanted and can be drawn."""
    if not wanted or not sys.stderr.isatty():
        yield None
        return
    try:
        from rich.console import Console
        from rich.progress import Progress
    except ImportError:
        yield None
        return
    with Progress(console=Console(file=sys.stderr), transient=True, auto_refresh=False) as bar:
        task = bar.add_task("Simulating", total=1.0)
        yield lambda done: bar.update(task, completed=done, refresh=True)


def _labels(sources: list[Path], parser: argparse.ArgumentParser) -> list[str]:
    """Name each scenario file by its stem, or by its path when two stems are alike."""
    paths = [str(source) for source in sources]
    for index, path in enumerate(paths):
        if path in paths[:index]:
            parser.error(f"argument SCENARIO: {path} is given twice")
    stems = [source.stem for source in sources]
    return stems if len(set(stems)) == len(stems) else paths


def _load(source: Path, parser: argparse.ArgumentParser) -> Scenario | int:
    """Return the scenario of *source*, or the exit status after saying why it has none."""
    try:
        return load(source)
    except InvalidDataError as error:
        return _refused(source, error)
    except InvalidValueError as error:
        message = str(error).removeprefix(f"{error.path}: ")
        where = source if error.path == "path" else error.path
        parser.error(f"argument SCENARIO: {where} {message}")
    except OSError as error:
        context = "".join(f" ({note})" for note in getattr(error, "__notes__", ()))
        where = f"{error.filename or source}{context}"
        parser.error(f"argument SCENARIO: cannot read {where}: {error.strerror}")


def _simulate(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    sources = [Path(name) for name in args.scenarios]
    labels = _labels(sources, parser)
    if args.plot is not None and not plot.available():
        return _fail(plot.MISSING)
    scenarios: dict[str, Scenario] = {}
    for label, source in zip(labels, sources, strict=True):
        loaded = _load(source, parser)
        if isinstance(loaded, int):
            return loaded
        scenarios[label] = loaded
    files = dict(zip(labels, sources, strict=True))
    source = sources[0]
    try:
        with _progress_bar(args.progress) as progress:
            if len(sources) > 1:
                reports = compare_variants(
                    scenarios, seed=args.seed, strategies=args.strategies, progress=progress
                )
            elif args.strategies is None:
                only = simulate(scenarios[labels[0]], seed=args.seed, progress=progress)
                reports = {"as configured": only}
            else:
                reports = compare(
                    scenarios[labels[0]], args.strategies, seed=args.seed, progress=progress
                )
    except InvalidDataError as error:
        named = {f"scenario {label!r}": file for label, file in files.items()}
        return _refused(named.get(error.what, source), error)
    except Exception as error:
        return _fail(f"the run failed: {type(error).__name__}: {error}")
    shown = str(source) if len(sources) == 1 else " vs ".join(file.name for file in sources)
    shown_all = _say(lambda: table.show(reports, sys.stdout, title=f"{shown} (seed {args.seed})"))
    try:
        if args.json is not None:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            document: dict[str, object] = (
                {"scenario": str(source)}
                if len(sources) == 1
                else {"scenarios": {label: str(file) for label, file in files.items()}}
            )
            document["seed"] = args.seed
            document["reports"] = {name: report.to_dict() for name, report in reports.items()}
            args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
            shown_all = _say(lambda: print(f"Wrote {args.json}")) and shown_all
        if args.plot is not None:
            args.plot.parent.mkdir(parents=True, exist_ok=True)
            names = " vs ".join(file.name for file in sources)
            plot.save(reports, args.plot, title=f"{names} (seed {args.seed})")
            shown_all = _say(lambda: print(f"Wrote {args.plot}")) and shown_all
    except OSError as error:
        return _fail(f"cannot write {error.filename}: {error.strerror}")
    return 0 if shown_all else 1


def main(argv: list[str] | None = None) -> int:
    """
    Run the ``agentroute`` command; return the exit status.

    ``argv`` defaults to ``sys.argv[1:]``. Bad input prints a message naming the
    option to stderr and returns 2; ``--help`` prints help and returns 0.
    """
    parser, commands = _parser()
    try:
        args = parser.parse_args(argv)
        if args.command == "simulate":
            return _simulate(args, commands["simulate"])
        try:
            output = _run(args)
        except InvalidValueError as error:
            option = _OPTIONS.get(error.path, error.path)
            message = str(error).removeprefix(f"{error.path}: ")
            commands[args.command].error(f"argument {option}: {message}")
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0 if _say(lambda: print(output, file=sys.stdout)) else 1
