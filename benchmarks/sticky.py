"""
agentroute's sticky-routing benchmark: assign + close with the customer memory, and its bytes.

Run it with ``.venv/bin/python benchmarks/sticky.py``; ``--quick`` is a smoke
run (100 000 customers pass through a memory of 10 000 instead of 1 000 000
through the default 100 000). The timing helpers are ``harness.py``'s, the
roster ``_setup.py``'s, the targets use ``report.py``'s table and verdicts.

The router: one department (``d``, chat, ``least_busy``), *N* agents of
``_setup.make_roster`` online with capacity 4 and no background load, so
every agent always has a free slot and a returning customer's agent can
always take the item. The timed cycle is ``assign()`` then ``close()`` of an
item built beforehand (untimed), as in ``throughput.py``'s cycles; closed
items are never forgotten (the default ``retain_closed`` bounds them).

- **baseline**: items without a customer, department not sticky.
- **recording**: every item has a customer, department not sticky: the
  memory records each assignment but nothing reads it.
- **sticky**: department ``sticky=True``; half the items (seeded draw) come
  from a customer seen among the last few thousand new ones, so still
  remembered (``Scale.window``: the last 10 000), the others from a new customer.
- **sticky_1m_bounded** / **sticky_1m_unbounded**: the same, after
  ``Scale.pass_through`` (1 000 000) distinct customers went through the router with the
  default ``remember_customers`` (100 000) or ``remember_customers=None``.
  Each of them is one assign + close + forget (untimed), so the closed items
  are gone and only the memory keeps them. Along the way, after a full
  collection, the process's RSS is read at ``CHECKPOINTS``: its growth over
  the RSS before the first customer, divided by the customers remembered, is
  the bytes per remembered customer. A walk of the memory's dict and deque
  with ``sys.getsizeof`` (customer strings, record tuples, times; the agent
  ids are shared with the roster and left out) gives the same figure
  structurally, as a cross-check.

Every case runs in a fresh interpreter and is timed with ``harness.windows``
(windows of about 1 s, the collector on and never run by the benchmark); the
fastest window is reported, the median and every window kept in the JSON.
The hit rate is counted after the windows, on ``CHECK_CYCLES`` more cycles
of the same draw: the decisions whose strategy is ``"sticky"``.
A full run writes ``benchmarks/results/sticky.json``; ``--quick`` writes
only to ``--output``.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from random import Random
from typing import Any

import _cli
from _setup import CHANNEL, DEPARTMENT, SEED, make_roster, require
from harness import Settings, isolated, progress, rss_bytes, windows
from report import Target, Verdict, evaluate

from agentroute import Item, Router
from agentroute._core.customers import CustomerMemory

RESULTS = Path(__file__).resolve().parent / "results" / "sticky.json"

SIZES = (10, 1_000)
"""Agents in the router."""
RETURNING = 0.5
"""Share of the items whose customer was seen before."""
CHECK_CYCLES = 20_000
QUICK_CHECK_CYCLES = 2_000
WARM_UP = 25_000
"""Customer-less cycles before the memory's RSS baseline: past ``retain_closed`` (20 000)."""
BATCH = 10_000
"""Items built at a time while customers pass through."""
MiB = 1 << 20


@dataclass(frozen=True)
class Scale:
    """How many customers pass through, the bounded memory's limit, and where RSS is read."""

    pass_through: int
    bounded: int | None
    """``remember_customers`` of the bounded case; None means the router's default."""
    checkpoints: tuple[int, ...]
    window: int
    """A returning customer is one of the last *window* new ones: well inside the memory."""


FULL_SCALE = Scale(1_000_000, None, (100_000, 500_000, 1_000_000), 10_000)
QUICK_SCALE = Scale(100_000, 10_000, (10_000, 50_000, 100_000), 1_000)


@dataclass(frozen=True)
class Case:
    """One row of the table: does the item carry a customer, is the department sticky, memory."""

    name: str
    customers: bool
    sticky: bool
    memory: str | None
    """None: no customers pass through first; ``"bounded"`` or ``"unbounded"``."""
    description: str


CASES = (
    Case("baseline", False, False, None, "(a) no customer, not sticky"),
    Case("recording", True, False, None, "(b) customers, not sticky"),
    Case("sticky", True, True, None, "(c) sticky, ~50% returning"),
    Case("sticky_1m_bounded", True, True, "bounded", "(d) + 1M passed, memory 100 000"),
    Case("sticky_1m_unbounded", True, True, "unbounded", "(d) + 1M passed, unbounded"),
)
STICKY_CASES = tuple(case.name for case in CASES if case.sticky)

TARGETS = (
    *(
        Target(
            f"sticky_overhead_{case}_{size}",
            f"cycles.{case}.{size}.us_best / cycles.baseline.{size}.us_best",
            "<=",
            1.30,
            "x",
            f"{case}, {size:,} agents: cycle / baseline",
        )
        for size in SIZES
        for case in STICKY_CASES
    ),
    *(
        Target(
            f"bounded_memory_flat_{size}",
            f"memory.bounded.{size}.flat",
            "within",
            0.10,
            "x",
            f"bounded memory, {size:,} agents: RSS growth last / first",
        )
        for size in SIZES
    ),
)
"""
The issue's two targets: the sticky path at most +30% over the baseline cycle, for each
sticky case (half hits, half new customers) and size; and the bounded memory's RSS growth
after all the customers passed within 10% of its growth when the memory first filled.
"""


# -- the router and the items -------------------------------------------------------------


def make_router(size: int, sticky: bool, remember: int | None, bounded: bool) -> Router:
    """Return a router with *size* idle agents online; *bounded* false remembers every customer."""
    if not bounded:
        router = Router(seed=SEED, remember_customers=None)
    elif remember is None:
        router = Router(seed=SEED)
    else:
        router = Router(seed=SEED, remember_customers=remember)
    router.add_department(DEPARTMENT, strategies={CHANNEL: "least_busy"}, sticky=sticky)
    agents, _ = make_roster("a", DEPARTMENT, size, SEED + size)
    for agent in agents:
        router.add_agent(agent)
        router.set_presence(agent.id, "online")
    return router


def memory_of(router: Router) -> CustomerMemory:
    """Return the router's customer memory (private; read only, untimed)."""
    memory: CustomerMemory = router._core.customers
    return memory


class Customers:
    """
    A seeded stream of customer ids ``c<n>``: new ones numbered in order, returning ones drawn.

    With probability *returning*, the next customer is one of the last
    *window* new customers; otherwise a new one.
    """

    def __init__(self, seed: int, returning: float, window: int, first: int = 0) -> None:
        self._rng = Random(seed)
        self._window = window
        self._returning = returning
        self.new = first
        self.drawn = 0
        self.returned = 0

    def __call__(self) -> str:
        """Return the next customer's id."""
        self.drawn += 1
        if self.new and self._rng.random() < self._returning:
            self.returned += 1
            number = self.new - 1 - self._rng.randrange(min(self._window, self.new))
        else:
            number = self.new
            self.new += 1
        return f"c{number:07d}"


class Cycles:
    """Assign + close of items built untimed, ids ``<prefix><n>``, each with a customer or none."""

    def __init__(self, router: Router, prefix: str, customers: Customers | None) -> None:
        self.router = router
        self.prefix = prefix
        self.customers = customers
        self.done = 0

    def items(self, count: int) -> list[Item]:
        """Return the next *count* items."""
        first = self.done
        self.done += count
        customers = self.customers
        return [
            Item(
                f"{self.prefix}{number}",
                channel=CHANNEL,
                department=DEPARTMENT,
                customer=None if customers is None else customers(),
            )
            for number in range(first, first + count)
        ]

    def __call__(self, count: int) -> int:
        """Run *count* cycles; return the nanoseconds they took."""
        items = self.items(count)
        router = self.router
        assign, close = router.assign, router.close
        start = time.perf_counter_ns()
        for item in items:
            assign(item)
            close(item.id)
        return time.perf_counter_ns() - start

    def hits(self, count: int) -> dict[str, Any]:
        """Run *count* cycles untimed; return how many went by the sticky strategy."""
        customers = self.customers
        drawn, returned = (0, 0) if customers is None else (customers.drawn, customers.returned)
        sticky = 0
        for item in self.items(count):
            decision = self.router.assign(item)
            require(decision.status == "assigned", f"{item.id} was not assigned")
            sticky += decision.strategy == "sticky"
            self.router.close(item.id)
        returning = 0 if customers is None else customers.returned - returned
        if customers is not None:
            require(customers.drawn - drawn == count, "the customer draw is out of step")
        return {
            "cycles": count,
            "returning": round(returning / count, 4),
            "hit_rate": round(sticky / count, 4),
            "hits_of_returning": round(sticky / returning, 4) if returning else None,
        }


# -- the memory ----------------------------------------------------------------------------


def structure_bytes(memory: CustomerMemory) -> int:
    """
    Return the bytes of the memory's dict, deque, keys and records, by ``sys.getsizeof``.

    The agent ids are the roster's strings, shared, and left out; a sequence
    number is counted once (the record and the deque entry share it).
    """
    last = memory._last
    order = memory._order
    size = sys.getsizeof(last) + sys.getsizeof(order)
    for customer, handled in last.items():
        _agent, at, seq = handled
        size += (
            sys.getsizeof(customer)
            + sys.getsizeof(handled)
            + sys.getsizeof(at)
            + sys.getsizeof(seq)
        )
    size += len(order) * sys.getsizeof((0, ""))
    return size


def pass_through(router: Router, scale: Scale) -> dict[str, Any]:
    """
    Send ``scale.pass_through`` distinct customers through *router*, reading RSS at checkpoints.

    Each is one assign + close + forget, after ``WARM_UP`` customer-less
    cycles that fill the closed-item retention and as many more that are
    also forgotten, so the router's own bounded structures (the deque of
    closes, with its stale entries) are at their working size before the
    RSS baseline; nothing but the customer memory keeps the customers.
    """
    warm = Cycles(router, "w", None)
    warm(WARM_UP)
    for item in warm.items(WARM_UP):
        router.assign(item)
        router.close(item.id)
        router.forget(item.id)
    gc.collect()
    base = rss_bytes()
    memory = memory_of(router)
    require(len(memory) == 0, "customers remembered before the first one passed")
    customers = Customers(SEED, 0.0, 1)
    cycles = Cycles(router, "p", customers)
    assign, close, forget = router.assign, router.close, router.forget
    points = []
    started = time.perf_counter()
    for checkpoint in scale.checkpoints:
        while cycles.done < checkpoint:
            for item in cycles.items(min(BATCH, checkpoint - cycles.done)):
                assign(item)
                close(item.id)
                forget(item.id)
        gc.collect()
        grown = rss_bytes() - base
        remembered = len(memory)
        structure = structure_bytes(memory)
        points.append(
            {
                "customers": checkpoint,
                "remembered": remembered,
                "rss_growth_bytes": grown,
                "rss_growth_mib": round(grown / MiB, 1),
                "rss_bytes_per_customer": round(grown / remembered, 1),
                "structure_bytes": structure,
                "structure_bytes_per_customer": round(structure / remembered, 1),
                "deque_entries": len(memory._order),
            }
        )
    require(customers.new == scale.pass_through, "the customers passed are not all distinct")
    return {
        "rss_base_mib": round(base / MiB, 1),
        "elapsed_s": round(time.perf_counter() - started, 1),
        "limit": memory.limit,
        "checkpoints": points,
        "flat": points[-1]["rss_growth_bytes"] / points[0]["rss_growth_bytes"],
    }


# -- one case, in its own interpreter ------------------------------------------------------


def measure(case: Case, size: int, settings: Settings, scale: Scale) -> dict[str, Any]:
    """Time *case* at *size* agents; with a memory case, pass the customers through first."""
    router = make_router(size, case.sticky, scale.bounded, case.memory != "unbounded")
    result: dict[str, Any] = {}
    first = 0
    if case.memory is not None:
        result["memory"] = pass_through(router, scale)
        first = scale.pass_through
    customers = Customers(SEED + 1, RETURNING, scale.window, first) if case.customers else None
    cycles = Cycles(router, "i", customers)
    sample = windows({case.name: cycles}, settings)[case.name]
    check = QUICK_CHECK_CYCLES if settings.quick else CHECK_CYCLES
    result.update(sample.to_json())
    result["check"] = cycles.hits(check)
    result["remembered_after"] = len(memory_of(router))
    if case.sticky:
        result["check"]["min_hit_rate"] = RETURNING * 0.9
        require(result["check"]["hit_rate"] >= RETURNING * 0.9, "too few sticky hits")
    return result


def run_all(
    sizes: Sequence[int], settings: Settings, scale: Scale, isolate: bool
) -> dict[str, Any]:
    """Measure every case at every size; return the results, overheads and memory by size."""
    cycles: dict[str, dict[str, Any]] = {case.name: {} for case in CASES}
    memory: dict[str, dict[str, Any]] = {"bounded": {}, "unbounded": {}}
    for size in sizes:
        for case in CASES:
            data = isolated(isolate, measure, case, size, settings, scale)
            if "memory" in data and case.memory is not None:
                memory[case.memory][str(size)] = data.pop("memory")
            cycles[case.name][str(size)] = data
            progress(
                f"{case.name:>20} {size:>6,} agents {data['us_best']:8.2f} µs/cycle, "
                f"hit rate {data['check']['hit_rate']:.1%}"
            )
    overhead = {
        case.name: {
            str(size): round(
                100
                * (
                    cycles[case.name][str(size)]["us_best"]
                    / cycles["baseline"][str(size)]["us_best"]
                    - 1
                ),
                1,
            )
            for size in sizes
        }
        for case in CASES
        if case.name != "baseline"
    }
    return {"cycles": cycles, "overhead_pct": overhead, "memory": memory}


# -- the report ----------------------------------------------------------------------------


def render(
    header: str, results: Mapping[str, Any], sizes: Sequence[int], verdicts: Sequence[Verdict]
) -> str:
    """Return the printed report: cycles, memory, then the targets."""
    lines = [header, "", *_cycles_table(results, sizes), "", *_memory_table(results, sizes)]
    lines += ["", *_cli.targets_section(verdicts)]
    return "\n".join(lines)


def _cycles_table(results: Mapping[str, Any], sizes: Sequence[int]) -> Iterator[str]:
    cycles, overhead = results["cycles"], results["overhead_pct"]
    yield "assign + close, µs per cycle, best window (median); overhead vs (a); sticky hit rate"
    yield f"  {'case':<34}" + "".join(
        f"{f'{size:,} agents':>20}{'vs (a)':>9}{'hits':>7}" for size in sizes
    )
    for case in CASES:
        cells = ""
        for size in sizes:
            data = cycles[case.name][str(size)]
            timing = f"{data['us_best']:.2f} ({data['us_median']:.2f})"
            change = "" if case.name == "baseline" else f"{overhead[case.name][str(size)]:+.1f}%"
            cells += f"{timing:>20}{change:>9}{data['check']['hit_rate']:>7.1%}"
        yield f"  {case.description:<34}{cells}"


def _memory_table(results: Mapping[str, Any], sizes: Sequence[int]) -> Iterator[str]:
    yield "customer memory: RSS growth after a full collection, bytes per remembered customer"
    yield (
        f"  {'memory':<10}{'agents':>7}{'passed':>11}{'remembered':>12}{'RSS MiB':>9}"
        f"{'B/cust RSS':>12}{'B/cust struct':>15}"
    )
    for kind, by_size in results["memory"].items():
        for size in sizes:
            data = by_size.get(str(size))
            if data is None:
                continue
            for point in data["checkpoints"]:
                yield (
                    f"  {kind:<10}{size:>7,}{point['customers']:>11,}{point['remembered']:>12,}"
                    f"{point['rss_growth_mib']:>9.1f}{point['rss_bytes_per_customer']:>12.1f}"
                    f"{point['structure_bytes_per_customer']:>15.1f}"
                )


# -- the command ---------------------------------------------------------------------------


def main(argv: Sequence[str]) -> int:
    command = _cli.parser(__doc__, "100 000 customers through a memory of 10 000")
    _cli.add_measure_options(command, "windows per measurement", _cli.IN_PROCESS_HELP)
    _cli.add_record_options(command, RESULTS)
    args = command.parse_args(argv)
    settings = _cli.settings_from(args)
    scale = QUICK_SCALE if args.quick else FULL_SCALE
    run = _cli.start_run(
        "agentroute sticky routing: assign + close with the customer memory",
        "benchmarks/sticky.py",
        argv,
        args.note,
    )
    results = run_all(SIZES, settings, scale, isolate=not args.in_process)
    run.finish()
    verdicts = evaluate(results, TARGETS)
    banner = run.banner("agentroute sticky benchmark", f"{scale.pass_through:,} customers passed; ")
    print(render(banner, results, SIZES, verdicts))
    _cli.write_results(
        args.output or (None if args.quick else RESULTS),
        run,
        {
            **vars(settings),
            "isolated": not args.in_process,
            "agents": list(SIZES),
            "returning": RETURNING,
            "returning_window": scale.window,
            "pass_through": scale.pass_through,
            "bounded_limit": scale.bounded,
            "checkpoints": list(scale.checkpoints),
            "statistic": "fastest window (median and every window also given)",
        },
        results,
        verdicts,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
