"""
agentroute's ring-all benchmark: offer + accept at 10 / 100 / 1 000 agents, and unit budgets.

Run it with ``.venv/bin/python benchmarks/offers.py``; ``--quick`` is a smoke
run (3 short rounds per measurement, writes only to ``--output``). The
timing helpers are ``harness.py``'s, the targets use ``report.py``'s verdicts.

The router: one department (``support``), *N* agents ``a000000``... online,
each with capacity ``{"call": 1}``, on a `ManualClock` that only the timeout
case moves. Every item is built beforehand (untimed).

- **ring_all**: calls route by ``ring_all`` (``ring_timeout_s`` 20 s). A
  cycle is ``assign()`` (offered to all *N*), ``accept()`` by one agent (the
  next in turn, so every agent accepts as often), then ``close()``; the three
  calls are timed apart with ``time.perf_counter_ns`` (about 0.1 µs each).
  An offer is made to each of the *N* agents and withdrawn from *N* - 1, so
  assign and accept are expected to grow linearly with *N*: the target is
  that their cost per agent grows at most 2x from 100 to 1 000 agents.
- **least_busy**: the same roster and cycle under ``least_busy`` (assign +
  close, no offers): the baseline the ring is compared with.
- **timeout** (100 agents): assign, ``clock.advance(20)`` and
  ``advance()`` (every offer missed, the item offered again to all), then
  accept + close.
- **units** (100 agents, ``least_busy`` chats): assign + close of a chat on
  agents with capacity ``{"chat": 3, "call": 1}``, with
  ``units=4, unit_costs={"call": 4}`` (``budget``) or without (``plain``).
  Target: the budget costs at most 25% more.

Each measurement runs in a fresh interpreter: a warm-up sizes rounds of
about 0.15 s, then 7 rounds, a full collection before each (the collector
on), as ``harness.sized_rounds`` does. The fastest round of each call is
reported, the median and every round kept in the JSON. A full run writes
``benchmarks/results/offers.json``.
"""

from __future__ import annotations

import gc
import math
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import _cli
from _setup import SEED, require
from harness import Sample, Settings, isolated, progress
from report import Target, Verdict, evaluate

from agentroute import Agent, Item, ManualClock, Router

RESULTS = Path(__file__).resolve().parent / "results" / "offers.json"

DEPARTMENT = "support"
CALL = "call"
CHAT = "chat"
RING_TIMEOUT_S = 20.0
SIZES = (10, 100, 1_000)
TIMEOUT_SIZE = 100
UNITS_SIZE = 100
TIMES = "\N{MULTIPLICATION SIGN}"

Phases = Callable[[int], dict[str, int]]
"""Run *n* cycles; return the nanoseconds spent in each call, by name."""

TARGETS = (
    Target(
        "ring_assign_per_agent_growth",
        "growth.assign",
        "<=",
        2.0,
        "x",
        "ring_all assign per agent, 1 000 / 100 agents",
    ),
    Target(
        "ring_accept_per_agent_growth",
        "growth.accept",
        "<=",
        2.0,
        "x",
        "ring_all accept per agent, 1 000 / 100 agents",
    ),
    Target(
        "unit_budget_overhead",
        "units.ratio",
        "<=",
        1.25,
        "x",
        "chat assign + close, units / none (100 agents)",
    ),
)
"""Linear offers (per agent within 2x from 100 to 1 000 agents); unit budgets at most +25%."""


# -- the routers -------------------------------------------------------------------------


def make_router(size: int, strategy: str, units: bool | None = None) -> tuple[Router, ManualClock]:
    """
    Return a router with *size* idle agents online and its clock.

    *strategy* routes calls, chats go ``least_busy``. With *units* None the
    agents take one call; with False or True they also take three chats,
    the budget of 4 units and a call costing 4 only with True.
    """
    clock = ManualClock(1_000_000.0)
    router = Router(seed=SEED, clock=clock)
    router.add_department(
        DEPARTMENT,
        strategies={CALL: strategy, CHAT: "least_busy"},
        ring_timeout_s=RING_TIMEOUT_S,
    )
    for number in range(size):
        name = f"a{number:06d}"
        if units:
            agent = Agent(
                name,
                capacity={CHAT: 3, CALL: 1},
                departments={DEPARTMENT: {CHAT, CALL}},
                units=4,
                unit_costs={CALL: 4},
            )
        elif units is False:
            agent = Agent(name, capacity={CHAT: 3, CALL: 1}, departments={DEPARTMENT: {CHAT, CALL}})
        else:
            agent = Agent(name, capacity={CALL: 1}, departments={DEPARTMENT: {CALL}})
        router.add_agent(agent)
        router.set_presence(name, "online")
    return router, clock


def numbered_items(
    first: int, count: int, channel: str, department: str = DEPARTMENT
) -> list[Item]:
    """Return items ``i<first>`` onwards, *count* of them, on *channel* in *department*."""
    return [
        Item(f"i{number}", channel=channel, department=department)
        for number in range(first, first + count)
    ]


class Cycles:
    """Cycles of prebuilt items ``<prefix><n>`` on one router; `__call__` times their calls."""

    def __init__(self, router: Router, clock: ManualClock, size: int, channel: str) -> None:
        self.router = router
        self.clock = clock
        self.size = size
        self.channel = channel
        self.done = 0

    def items(self, count: int) -> list[Item]:
        """Return the next *count* items."""
        self.done += count
        return numbered_items(self.done - count, count, self.channel)

    def acceptors(self, first: int, count: int) -> list[str]:
        """Return the agent who accepts each of the next *count* items: each in turn."""
        return [f"a{(first + number) % self.size:06d}" for number in range(count)]


class Ring(Cycles):
    """assign (offered to all), accept by the next agent in turn, close."""

    def __call__(self, count: int) -> dict[str, int]:
        """Run *count* cycles; return the nanoseconds of each call."""
        first = self.done
        items = self.items(count)
        takers = self.acceptors(first, count)
        router = self.router
        assign, accept, close = router.assign, router.accept, router.close
        clock = time.perf_counter_ns
        assign_ns = accept_ns = close_ns = 0
        for item, taker in zip(items, takers, strict=True):
            t0 = clock()
            assign(item)
            t1 = clock()
            accept(item.id, taker)
            t2 = clock()
            close(item.id)
            t3 = clock()
            assign_ns += t1 - t0
            accept_ns += t2 - t1
            close_ns += t3 - t2
        return {"assign": assign_ns, "accept": accept_ns, "close": close_ns}

    def check(self) -> dict[str, Any]:
        """Run one cycle untimed and check what each call did."""
        item = self.items(1)[0]
        taker = self.acceptors(self.done - 1, 1)[0]
        decision = self.router.assign(item)
        require(decision.status == "offered", f"{item.id} was {decision.status}")
        require(len(decision.offered) == self.size, f"{item.id} rang {len(decision.offered)}")
        decisions = self.router.accept(item.id, taker)
        require(decisions[0].agent == taker, f"{item.id} went to {decisions[0].agent}")
        require(len(decisions) == 1, "an accept with nothing waiting dispatched something")
        self.router.close(item.id)
        return {"offered": len(decision.offered), "accepted_by": taker}


class Plain(Cycles):
    """assign (straight to an agent), close."""

    def __call__(self, count: int) -> dict[str, int]:
        """Run *count* cycles; return the nanoseconds of each call."""
        items = self.items(count)
        router = self.router
        assign, close = router.assign, router.close
        clock = time.perf_counter_ns
        assign_ns = close_ns = 0
        for item in items:
            t0 = clock()
            assign(item)
            t1 = clock()
            close(item.id)
            t2 = clock()
            assign_ns += t1 - t0
            close_ns += t2 - t1
        return {"assign": assign_ns, "close": close_ns}

    def check(self) -> dict[str, Any]:
        """Run one cycle untimed and check it assigned."""
        item = self.items(1)[0]
        decision = self.router.assign(item)
        require(decision.status == "assigned", f"{item.id} was {decision.status}")
        self.router.close(item.id)
        return {"agent": decision.agent}


class Timeout(Cycles):
    """assign, the ring times out (every offer missed, offered again), accept, close."""

    def __call__(self, count: int) -> dict[str, int]:
        """Run *count* cycles; return the nanoseconds of each call."""
        first = self.done
        items = self.items(count)
        takers = self.acceptors(first, count)
        router = self.router
        assign, advance, accept, close = router.assign, router.advance, router.accept, router.close
        move = self.clock.advance
        clock = time.perf_counter_ns
        assign_ns = advance_ns = accept_ns = close_ns = 0
        for item, taker in zip(items, takers, strict=True):
            t0 = clock()
            assign(item)
            t1 = clock()
            move(RING_TIMEOUT_S)
            advance()
            t2 = clock()
            accept(item.id, taker)
            t3 = clock()
            close(item.id)
            t4 = clock()
            assign_ns += t1 - t0
            advance_ns += t2 - t1
            accept_ns += t3 - t2
            close_ns += t4 - t3
        return {"assign": assign_ns, "advance": advance_ns, "accept": accept_ns, "close": close_ns}

    def check(self) -> dict[str, Any]:
        """Run one cycle untimed and check that the ring timed out and rang everyone again."""
        item = self.items(1)[0]
        taker = self.acceptors(self.done - 1, 1)[0]
        router = self.router
        missed = router.missed_offers(taker)
        require(router.assign(item).status == "offered", f"{item.id} was not offered")
        self.clock.advance(RING_TIMEOUT_S)
        again = [d for d in router.advance() if d.item == item.id]
        require(len(again) == 1 and again[0].status == "offered", f"{item.id} not offered again")
        require(len(again[0].offered) == self.size, f"{item.id} rang {len(again[0].offered)}")
        require(router.missed_offers(taker) == missed + 1, "the miss was not counted")
        require(router.accept(item.id, taker)[0].agent == taker, f"{item.id} not taken")
        router.close(item.id)
        return {"offered_again": len(again[0].offered)}


# -- timing ------------------------------------------------------------------------------


def phased_rounds(run: Phases, settings: Settings) -> dict[str, Sample]:
    """
    Time rounds of a fixed number of cycles, each lasting about ``settings.round_s``.

    As `harness.sized_rounds`: warm up while sizing the rounds, then
    ``settings.rounds`` rounds, the collector on and run to completion
    before each. Returns a sample per call and one for their ``total``.
    """
    round_ns = settings.round_s * 1e9
    count = 10
    while True:
        gc.collect()
        elapsed = sum(run(count).values())
        if elapsed >= round_ns / 10 or count >= settings.max_cycles:
            break
        count = min(count * 10, settings.max_cycles)
    wanted = math.ceil(round_ns / (elapsed / count))
    count = max(settings.min_cycles, min(settings.max_cycles, wanted))
    per_op: dict[str, list[float]] = {}
    for _ in range(settings.rounds):
        gc.collect()
        phases = run(count)
        phases["total"] = sum(phases.values())
        for name, ns in phases.items():
            per_op.setdefault(name, []).append(ns / count)
    return {name: Sample(tuple(values), count) for name, values in per_op.items()}


def measure(kind: str, size: int, settings: Settings) -> dict[str, Any]:
    """Time the *kind* of cycle at *size* agents; return each call's sample and a check."""
    cycles: Ring | Plain | Timeout
    if kind == "ring_all":
        router, clock = make_router(size, "ring_all")
        cycles = Ring(router, clock, size, CALL)
    elif kind == "least_busy":
        router, clock = make_router(size, "least_busy")
        cycles = Plain(router, clock, size, CALL)
    elif kind == "timeout":
        router, clock = make_router(size, "ring_all")
        cycles = Timeout(router, clock, size, CALL)
    elif kind in ("units_budget", "units_plain"):
        router, clock = make_router(size, "ring_all", units=kind == "units_budget")
        cycles = Plain(router, clock, size, CHAT)
    else:
        msg = f"unknown kind {kind!r}"
        raise ValueError(msg)
    check = cycles.check()
    samples = phased_rounds(cycles, settings)
    result: dict[str, Any] = {name: sample.to_json() for name, sample in samples.items()}
    result["check"] = cycles.check() | {"first": check}
    return result


def run_all(settings: Settings, isolate: bool) -> dict[str, Any]:
    """Measure every case; return the results with the growth and overhead figures."""
    plan = [
        *(("ring_all", size) for size in SIZES),
        *(("least_busy", size) for size in SIZES),
        ("timeout", TIMEOUT_SIZE),
        ("units_plain", UNITS_SIZE),
        ("units_budget", UNITS_SIZE),
    ]
    measured: dict[str, dict[str, Any]] = {}
    for kind, size in plan:
        data = isolated(isolate, measure, kind, size, settings)
        measured.setdefault(kind, {})[str(size)] = data
        progress(f"{kind:>13} {size:>6,} agents {data['total']['us_best']:10.2f} µs/cycle")
    ring, base = measured["ring_all"], measured["least_busy"]
    per_agent = {
        phase: {str(size): ring[str(size)][phase]["us_best"] / size for size in SIZES}
        for phase in ("assign", "accept", "close", "total")
    }
    growth = {
        phase: round(values["1000"] / values["100"], 3)
        for phase, values in per_agent.items()
        if phase != "close"
    }
    vs_base = {
        str(size): round(
            ring[str(size)]["total"]["us_best"] / base[str(size)]["total"]["us_best"], 2
        )
        for size in SIZES
    }
    plain = measured["units_plain"][str(UNITS_SIZE)]["total"]["us_best"]
    budget = measured["units_budget"][str(UNITS_SIZE)]["total"]["us_best"]
    return {
        "ring_all": ring,
        "least_busy": base,
        "timeout": measured["timeout"],
        "per_agent_us": {
            phase: {size: round(value, 4) for size, value in values.items()}
            for phase, values in per_agent.items()
        },
        "growth": growth,
        "ring_vs_least_busy": vs_base,
        "units": {
            "plain": measured["units_plain"],
            "budget": measured["units_budget"],
            "ratio": round(budget / plain, 4),
            "overhead_pct": round(100 * (budget / plain - 1), 1),
        },
    }


# -- the report --------------------------------------------------------------------------


def render(header: str, results: Mapping[str, Any], verdicts: Sequence[Verdict]) -> str:
    """Return the printed report: markdown tables, then the targets."""
    lines = [header, "", *_ring_table(results), "", *_other_tables(results)]
    lines += ["", *_cli.targets_section(verdicts)]
    return "\n".join(lines)


def _ring_table(results: Mapping[str, Any]) -> Iterator[str]:
    ring, base, per_agent = results["ring_all"], results["least_busy"], results["per_agent_us"]
    yield "µs per cycle, fastest of the rounds (median); per agent = fastest / N"
    yield ""
    yield (
        "| call | "
        + " | ".join(f"{size:,} agents" for size in SIZES)
        + " | 1 000 / 100 per agent |"
    )
    yield "| --- | " + " | ".join("---" for _ in SIZES) + " | --- |"
    for phase in ("assign", "accept", "close", "total"):
        cells = " | ".join(_cli.us_cell(ring[str(size)][phase]) for size in SIZES)
        growth = results["growth"].get(phase)
        ratio = "" if growth is None else f"{growth:.2f}{TIMES}"
        yield f"| ring_all `{phase}` | {cells} | {ratio} |"
    for phase in ("assign", "accept", "total"):
        cells = " | ".join(f"{per_agent[phase][str(size)]:.3f}" for size in SIZES)
        yield f"| ring_all `{phase}` per agent | {cells} | |"
    for phase in ("assign", "close", "total"):
        cells = " | ".join(_cli.us_cell(base[str(size)][phase]) for size in SIZES)
        yield f"| least_busy `{phase}` | {cells} | |"
    ratios = " | ".join(f"{results['ring_vs_least_busy'][str(size)]:.1f}{TIMES}" for size in SIZES)
    yield f"| ring_all / least_busy, total | {ratios} | |"


def _other_tables(results: Mapping[str, Any]) -> Iterator[str]:
    timeout = results["timeout"][str(TIMEOUT_SIZE)]
    yield f"timeout path, {TIMEOUT_SIZE} agents, µs per cycle, fastest (median)"
    yield ""
    yield "| assign | clock.advance + advance() | accept | close | total |"
    yield "| --- | --- | --- | --- | --- |"
    yield (
        "| "
        + " | ".join(
            _cli.us_cell(timeout[phase])
            for phase in ("assign", "advance", "accept", "close", "total")
        )
        + " |"
    )
    units = results["units"]
    yield ""
    yield f"unit budgets, {UNITS_SIZE} agents, chat assign + close, µs per cycle, fastest (median)"
    yield ""
    yield "| agents | assign | close | total | overhead |"
    yield "| --- | --- | --- | --- | --- |"
    for name, label in (("plain", "no units"), ("budget", "units=4, call costs 4")):
        data = units[name][str(UNITS_SIZE)]
        overhead = "" if name == "plain" else f"{units['overhead_pct']:+.1f}%"
        yield (
            f"| {label} | {_cli.us_cell(data['assign'])} | {_cli.us_cell(data['close'])} | "
            f"{_cli.us_cell(data['total'])} | {overhead} |"
        )


# -- the command -------------------------------------------------------------------------


def main(argv: Sequence[str]) -> int:
    command = _cli.parser(__doc__, "3 short rounds per measurement")
    _cli.add_measure_options(command, "rounds per measurement", _cli.IN_PROCESS_HELP)
    _cli.add_record_options(command, RESULTS)
    args = command.parse_args(argv)
    settings = _cli.settings_from(args)
    run = _cli.start_run(
        "agentroute ring-all offers and unit budgets", "benchmarks/offers.py", argv, args.note
    )
    results = run_all(settings, isolate=not args.in_process)
    run.finish()
    verdicts = evaluate(results, TARGETS)
    print(render(run.banner("agentroute ring-all benchmark"), results, verdicts))
    _cli.write_results(
        args.output or (None if args.quick else RESULTS),
        run,
        {
            **vars(settings),
            "isolated": not args.in_process,
            "agents": list(SIZES),
            "timeout_agents": TIMEOUT_SIZE,
            "units_agents": UNITS_SIZE,
            "ring_timeout_s": RING_TIMEOUT_S,
            "statistic": "fastest round of each call (median and every round also given)",
        },
        results,
        verdicts,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
