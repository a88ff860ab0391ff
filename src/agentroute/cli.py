"""
The ``agentroute`` command: queueing figures and staffing from the shell.

``agentroute erlang`` prints the Erlang C figures (Erlang A with
``--patience``) for a given number of agents, and ``agentroute staff`` the
smallest number of agents meeting a service-level target. Rates are per hour,
times in seconds. ``--json`` prints one JSON object instead of the table
(an infinite ASA is ``null``).

Exit status: 0 on success, 2 for bad input, with a one-line message naming the
offending option.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from agentroute.errors import InvalidValueError
from agentroute.simulate.erlang import ErlangA, ErlangC, staff

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
        description="Queueing figures and staffing for agentroute (Erlang C and Erlang A).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
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
    return parser, {"erlang": erlang, "staff": staff_parser}


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


def main(argv: list[str] | None = None) -> int:
    """
    Run the ``agentroute`` command; return the exit status.

    ``argv`` defaults to ``sys.argv[1:]``. Bad input prints a message naming the
    option to stderr and returns 2; ``--help`` prints help and returns 0.
    """
    parser, commands = _parser()
    try:
        args = parser.parse_args(argv)
        try:
            output = _run(args)
        except InvalidValueError as error:
            option = _OPTIONS.get(error.path, error.path)
            message = str(error).removeprefix(f"{error.path}: ")
            commands[args.command].error(f"argument {option}: {message}")
    except SystemExit as exit_:
        return int(exit_.code or 0)
    print(output, file=sys.stdout)
    return 0
