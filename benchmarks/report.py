"""
Turn measured workloads into the printed tables and the targets' verdicts.

The targets are data (`TARGETS`): a name, an expression over the measured
figures, a comparison and a threshold. An expression is one operand, or
two joined by `` / ``; an operand is a number or a dotted path into the
workloads' results, e.g. ``host.least_busy.10000.us_best``, where
``{strategy}`` stands for each strategy the workload measured. A target whose workload
did not run is left out; one whose workload ran but recorded nothing
(``lock`` on a router without a lock) is ``N/A``, never a number.

Run it on a results file to print its report again::

    .venv/bin/python benchmarks/report.py benchmarks/results/throughput.json
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REFERENCES = ("naive", "baseline")
"""Subjects of a workload's results that are not strategies."""


@dataclass(frozen=True)
class Target:
    """
    One target: *expression* compared with *threshold*.

    ``within`` passes when the measured ratio is within *threshold* of 1
    (0.05: between 0.95 and 1.05).
    """

    name: str
    expression: str
    comparison: str
    threshold: float
    unit: str
    description: str


TARGETS: tuple[Target, ...] = (
    Target(
        "speedup_10k",
        "cycles.naive.10000.us_best / cycles.{strategy}.10000.us_best",
        ">=",
        50,
        "x",
        "speed-up over naive at 10 000 agents",
    ),
    Target(
        "scaling_100k_vs_1k",
        "cycles.{strategy}.100000.us_best / cycles.{strategy}.1000.us_best",
        "<=",
        1.5,
        "x",
        "cycle cost at 100 000 / at 1 000 agents",
    ),
    Target(
        "small_10",
        "cycles.{strategy}.10.us_best / cycles.naive.10.us_best",
        "<=",
        2,
        "x",
        "cycle cost / naive's at 10 agents",
    ),
    Target(
        "close_queue_10k",
        "close.{strategy}.deep.us_best / close.{strategy}.idle.us_best",
        "<=",
        2,
        "x",
        "close() with 10,000 queued / none queued",
    ),
    Target(
        "waiting_for_depth",
        "pull.waiting_for.10000.us_best / pull.waiting_for.100.us_best",
        "<=",
        1.5,
        "x",
        "waiting_for() with 10,000 queued / 100 queued",
    ),
    Target(
        "next_for_depth",
        "pull.next_for.10000.us_best / pull.next_for.100.us_best",
        "<=",
        2,
        "x",
        "next_for() with 10,000 queued / 100 queued",
    ),
    Target(
        "host_speedup_10k",
        "host.baseline.10000.us_best / host.{strategy}.10000.us_best",
        ">=",
        100,
        "x",
        "host loop: speed-up over min() at 10 000 agents",
    ),
    Target(
        "host_scaling_100k_vs_1k",
        "host.{strategy}.100000.us_best / host.{strategy}.1000.us_best",
        "<=",
        1.3,
        "x",
        "host loop: cost at 100 000 / at 1 000 agents",
    ),
    Target(
        "floor_multiple_10k",
        "host.least_busy.10000.us_best / floor.floor.10000.us_best",
        "<=",
        2,
        "x",
        "host loop at 10 000 agents / SortedList floor",
    ),
    Target(
        "lock_overhead",
        "lock.locked.us_best / lock.no_lock.us_best",
        "<=",
        1.05,
        "x",
        "host loop with the lock / with a no-op lock",
    ),
    Target(
        "soak_rss_flat",
        "soak.rss_mib.100% / soak.rss_mib.50%",
        "within",
        0.05,
        "x",
        "soak: RSS at 100% of the cycles / at 50%",
    ),
    Target(
        "soak_slowest_call",
        "soak.calls_us.max / 1000",
        "<",
        50,
        "ms",
        "soak: slowest single call",
    ),
)
"""The issue's targets, in the order they are printed."""


@dataclass(frozen=True)
class Verdict:
    """A target evaluated for one strategy (or for none): measured value and verdict."""

    target: Target
    strategy: str
    measured: float | None

    @property
    def passed(self) -> bool | None:
        """True or False, or None when the figure was not measured."""
        if self.measured is None:
            return None
        comparison, threshold = self.target.comparison, self.target.threshold
        if comparison == ">=":
            return self.measured >= threshold
        if comparison == "<=":
            return self.measured <= threshold
        if comparison == "<":
            return self.measured < threshold
        return abs(self.measured - 1) <= threshold

    def line(self) -> str:
        """Return one line of the printed report."""
        target = self.target
        verdict = {True: "PASS", False: "FAIL", None: " N/A"}[self.passed]
        if target.comparison == "within":
            need = f"within {target.threshold:.0%} of 1x"
        else:
            need = f"{target.comparison} {target.threshold:g}{target.unit}"
        measured = "not measured" if self.measured is None else f"{self.measured:.2f}{target.unit}"
        return (
            f"  {verdict}  {self.strategy or '-':<12} {target.description:<48} "
            f"{measured:>12}  (need {need})"
        )

    def to_json(self) -> dict[str, Any]:
        """Return the verdict as plain data."""
        target = self.target
        return {
            "name": target.name,
            "strategy": self.strategy or None,
            "description": target.description,
            "expression": target.expression.format(strategy=self.strategy),
            "measured": None if self.measured is None else round(self.measured, 3),
            "comparison": target.comparison,
            "threshold": target.threshold,
            "unit": target.unit,
            "passed": self.passed,
        }


class _UnmeasuredError(LookupError):
    """A path names a figure the run did not produce."""


def evaluate(results: Mapping[str, Any], targets: Sequence[Target] = TARGETS) -> list[Verdict]:
    """Evaluate *targets* on the workloads' *results*, as far as the run measured them."""
    verdicts = []
    for target in targets:
        workload = target.expression.split(".", 1)[0]
        if workload not in results:
            continue
        for strategy in _strategies(target, results):
            expression = target.expression.format(strategy=strategy)
            if results[workload] is None:
                verdicts.append(Verdict(target, strategy, None))
                continue
            try:
                measured = _value(expression, results)
            except _UnmeasuredError:
                continue
            verdicts.append(Verdict(target, strategy, measured))
    return verdicts


def _strategies(target: Target, results: Mapping[str, Any]) -> list[str]:
    if "{strategy}" not in target.expression:
        return [""]
    workload = target.expression.split(".", 1)[0]
    return [name for name in results[workload] or {} if name not in REFERENCES]


def _value(expression: str, results: Mapping[str, Any]) -> float:
    operands = [_operand(text.strip(), results) for text in expression.split(" / ")]
    if len(operands) == 1:
        return operands[0]
    if len(operands) == 2:
        return operands[0] / operands[1]
    msg = f"expression {expression!r} has more than one ' / '"
    raise ValueError(msg)


def _operand(text: str, results: Mapping[str, Any]) -> float:
    try:
        return float(text)
    except ValueError:
        pass
    value: Any = results
    for key in text.split("."):
        if not isinstance(value, Mapping) or key not in value:
            raise _UnmeasuredError(text)
        value = value[key]
    if not isinstance(value, int | float):
        raise _UnmeasuredError(text)
    return float(value)


def render(header: str, results: Mapping[str, Any], verdicts: Sequence[Verdict]) -> str:
    """Return the printed report: a table per workload that ran, then the targets."""
    lines = [header]
    for name, table in (
        ("cycles", _cycles),
        ("close", _close),
        ("pull", _pull),
        ("host", _host),
        ("floor", _floor),
        ("lock", _lock),
        ("soak", _soak),
        ("memory", _memory),
        ("gc", _gc),
    ):
        if name in results:
            lines += ["", *table(results)]
    lines += ["", "targets", *(verdict.line() for verdict in verdicts)]
    passed = sum(verdict.passed is True for verdict in verdicts)
    judged = sum(verdict.passed is not None for verdict in verdicts)
    lines.append(
        f"  {passed} of {judged} targets pass"
        + (f", {len(verdicts) - judged} not measured" if judged < len(verdicts) else "")
    )
    return "\n".join(lines)


def _ratio(value: float) -> str:
    return f"{value:.0f}x" if value >= 100 else f"{value:.1f}x" if value >= 1 else f"{value:.2f}x"


def _us(sample: Mapping[str, Any]) -> float:
    return float(sample["us_best"])


def _by_size(
    results: Mapping[str, Any], workload: str, reference: str, title: str
) -> Iterator[str]:
    """Yield a table of µs per cycle by size, each subject with its speed-up over *reference*."""
    data = results[workload]
    names = [name for name in data if name != reference]
    sizes = sorted(int(size) for size in data[reference])
    yield title
    yield f"{'agents':>8}{reference:>12}" + "".join(f"{name:>20}" for name in names)
    for size in sizes:
        base = _us(data[reference][str(size)])
        cells = ""
        for name in names:
            mine = _us(data[name][str(size)])
            cells += f"{mine:>11.2f} {f'({_ratio(base / mine)})':>8}"
        yield f"{size:>8,}{base:>12.2f}{cells}"


def _cycles(results: Mapping[str, Any]) -> Iterator[str]:
    yield from _by_size(
        results,
        "cycles",
        "naive",
        "cycles: assign + close of prebuilt items, µs per cycle (best round), speed-up over naive",
    )


def _close(results: Mapping[str, Any]) -> Iterator[str]:
    yield "close: µs per close() at 1,000 agents (best round)"
    yield (
        f"{'strategy':<12}{'none waiting':>14}{'1-100 queued':>14}{'10,000 queued':>16}"
        f"{'deep/none':>11}{'deep/few':>10}"
    )
    for name, kinds in results["close"].items():
        idle, shallow, deep = (_us(kinds[kind]) for kind in ("idle", "shallow", "deep"))
        yield (
            f"{name:<12}{idle:>14.2f}{shallow:>14.2f}{deep:>16.2f}"
            f"{_ratio(deep / idle):>11}{_ratio(deep / shallow):>10}"
        )


def _pull(results: Mapping[str, Any]) -> Iterator[str]:
    pull = results["pull"]
    yield "pull: µs per call, least_busy pull department, 1,000 agents (best round)"
    yield f"{'call':<22}{'100 queued':>14}{'10,000 queued':>16}{'ratio':>10}"
    for call in pull:
        low, high = _us(pull[call]["100"]), _us(pull[call]["10000"])
        yield f"{call:<22}{low:>14.2f}{high:>16.2f}{_ratio(high / low):>10}"
    speedups = (
        _us(pull["naive_waiting_for"][depth]) / _us(pull["waiting_for"][depth])
        for depth in ("100", "10000")
    )
    yield "waiting_for speed-up over the naive scan: {} at 100, {} at 10,000 queued".format(
        *map(_ratio, speedups)
    )


def _host(results: Mapping[str, Any]) -> Iterator[str]:
    yield from _by_size(
        results,
        "host",
        "baseline",
        "host: Item() + assign + close, never forgotten, GC on; µs per cycle (best window), "
        "speed-up over min()",
    )


def _floor(results: Mapping[str, Any]) -> Iterator[str]:
    floor = results["floor"]
    host = (results.get("host") or {}).get("least_busy", {})
    yield "floor: the host loop on a bare SortedList least_busy; µs per cycle (best window)"
    yield f"{'agents':>8}{'floor':>10}{'Item() alone':>14}{'least_busy':>12}{'/ floor':>10}"
    for size in sorted(int(size) for size in floor["floor"]):
        bare, item = _us(floor["floor"][str(size)]), _us(floor["item"][str(size)])
        mine = _us(host[str(size)]) if str(size) in host else None
        library = f"{mine:>12.2f}{_ratio(mine / bare):>10}" if mine else f"{'-':>12}{'-':>10}"
        yield f"{size:>8,}{bare:>10.2f}{item:>14.2f}{library}"


def _lock(results: Mapping[str, Any]) -> Iterator[str]:
    lock = results["lock"]
    if lock is None:
        yield "lock: not measured (Router has no _lock)"
        return
    yield (
        f"lock: host loop, {lock['strategy']}, {lock['agents']:,} agents: "
        f"{_us(lock['locked']):.2f} µs with the {lock['lock_type']}, "
        f"{_us(lock['no_lock']):.2f} µs with a no-op: {lock['overhead_pct']:+.1f}%"
    )
    bare = lock["bare_with_ns"]
    yield f"  a bare `with`: {bare['lock']} ns with the lock, {bare['no_lock']} ns with the no-op"


def _soak(results: Mapping[str, Any]) -> Iterator[str]:
    soak = results["soak"]
    retain = soak["retain_closed_default"]
    yield (
        f"soak: {soak['cycles']:,} host cycles on {soak['agents']:,} agents, default settings "
        f"(retain_closed {'absent' if retain is None else f'= {retain:,}'}), "
        f"{soak['elapsed_s']} s"
    )
    yield f"  {'µs per call':<14}" + "".join(f"{key:>10}" for key in soak["calls_us"])
    for name in ("calls", "assign", "close"):
        figures = soak[f"{name}_us"]
        yield f"  {name:<14}" + "".join(f"{value:>10.1f}" for value in figures.values())
    over = soak["calls_over_ms"]
    yield (
        f"  calls over 1 / 10 / 50 ms: {over['1']} / {over['10']} / {over['50']}; "
        f"slowest: {soak['slowest_call']['call']} of cycle {soak['slowest_call']['cycle']:,}; "
        f"{soak['gen2_collections']} full collections"
    )
    yield "  RSS MiB: " + ", ".join(f"{key} {value}" for key, value in soak["rss_mib"].items())


def _memory(results: Mapping[str, Any]) -> Iterator[str]:
    memory = results["memory"]
    yield f"memory: tracemalloc and gc.get_objects() over {memory['count']:,} of each"
    yield f"  {'':<14}{'bytes':>10}{'gc objects':>12}"
    for name in ("agent", "open_item", "closed_item"):
        yield (
            f"  {name.replace('_', ' '):<14}{memory[f'bytes_per_{name}']:>10,}"
            f"{memory[f'gc_objects_per_{name}']:>12.2f}"
        )


def _gc(results: Mapping[str, Any]) -> Iterator[str]:
    data = results["gc"]
    first = data["no_freeze"]
    yield (
        f"gc: {first['agents']:,} agents loaded; full gc.collect() and "
        f"{first['cycles']:,} host cycles after it"
    )
    yield (
        f"  {'':<12}{'tracked':>11}{'unfrozen':>11}{'collect ms':>12}{'cycle p50 µs':>14}"
        f"{'p99.9 µs':>10}{'worst ms':>10}{'gen2':>6}"
    )
    for key in ("no_freeze", "freeze"):
        run = data[key]
        yield (
            f"  {key:<12}{run['tracked_objects']:>11,}{run['tracked_after_freeze']:>11,}"
            f"{min(run['collect_ms']):>12.1f}"
            f"{run['cycle_us']['p50']:>14.1f}{run['cycle_us']['p99.9']:>10.1f}"
            f"{run['cycle_us']['max'] / 1_000:>10.1f}{run['gen2_collections']:>6}"
        )


def main(argv: Sequence[str]) -> int:
    if argv in (["-h"], ["--help"]):
        print("usage: report.py RESULTS.json")
        return 0
    if len(argv) != 1:
        print("usage: report.py RESULTS.json", file=sys.stderr)
        return 2
    data = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    results = data["workloads"]
    print(render(f"agentroute benchmarks from {argv[0]}", results, evaluate(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
