"""
What the benchmarks measure: one ``run_<name>`` per workload, registered in `WORKLOADS`.

Each ``run_<name>(plan)`` returns plain data for the JSON file and the report.
Every measurement runs through `harness.isolated`, in a fresh interpreter.
Only agentroute's public API is used: `Router`, `Agent`, `Item`, and the
strategies by name. ``_setup`` builds the rosters and the loaded routers.

- **cycles**: ``assign(item)`` + ``close(item.id)`` of items built beforehand,
  per strategy, against ``naive.NaiveRouter`` (a least-busy scan of every
  agent); closed items forgotten between rounds, untimed.
- **close**: ``close()`` at 1 000 agents with nothing waiting, and with every
  agent full and a few or 10 000 items queued.
- **pull**: ``waiting_for`` (against a naive scan of the waiting items) and
  ``next_for`` in a pull department, at 100 and 10 000 items waiting.
- **host**: shaped like a host: the loop builds each `Item`, assigns and
  closes it, never forgets it; the garbage collector stays on and is never
  run by the benchmark. Against a ``min()`` over a dict of loads.
- **floor**: the host loop on a bare ``SortedList`` prototype of least_busy,
  the least any least_busy router can cost in pure Python.
- **lock**: the host loop with the router's lock against a no-op lock.
- **soak**: a million host cycles on 1 000 agents, every call timed, RSS sampled.
- **memory**: bytes and garbage-collected objects per agent and per item.
- **gc**: a full collection, and apart the worst cycle, at 100 000 agents,
  with and without ``gc.freeze()`` after loading the roster.
"""

from __future__ import annotations

import array
import contextlib
import gc
import inspect
import itertools
import time
import tracemalloc
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from _setup import (
    CAPACITY,
    CHANNEL,
    DEPARTMENT,
    PULL_DEPARTMENT,
    SEED,
    HostLoop,
    ItemSource,
    check_cycle,
    load_naive,
    load_pull_router,
    load_router,
    make_workload,
    pull_agents,
    require,
)
from harness import (
    Run,
    Sample,
    Settings,
    isolated,
    percentiles,
    progress,
    rss_bytes,
    sized_rounds,
    windows,
)
from naive import FloorRouter, NaiveBacklog

from agentroute import Agent, Item, Router

SIZES = (10, 100, 1_000, 10_000, 100_000)
STRATEGIES = ("random", "least_busy", "most_busy", "priority", "round_robin")
NAIVE = "naive"
BASELINE = "baseline"
QUEUE_AGENTS = 1_000
QUEUE_DEPTH = 10_000
CLOSE_BATCH = 100
CLOSE_KINDS = {"idle": None, "shallow": 0, "deep": QUEUE_DEPTH}
"""Waiting items left after a batch of closes: none at all, a few, or QUEUE_DEPTH."""
PULL_STRATEGY = "least_busy"
PULL_DEPTHS = (100, QUEUE_DEPTH)
PULL_BATCH = 100
PULL_CALLS = ("waiting_for", "naive_waiting_for", "next_for", "close_pulled")
LOCK_AGENTS = 1_000
LOCK_STRATEGY = "least_busy"
LOCK_ATTRIBUTE = "_lock"
"""Where the redesigned Router keeps its ``threading.RLock``."""
SOAK_AGENTS = 1_000
SOAK_CYCLES = 1_000_000
SOAK_CYCLES_QUICK = 100_000
SOAK_SAMPLE_EVERY = 10_000
SOAK_POINTS = (50, 99, 99.9)
MEMORY_COUNT = 10_000
GC_AGENTS = 100_000
GC_AGENTS_QUICK = 10_000
GC_CYCLES = 200_000
GC_CYCLES_QUICK = 20_000
GC_COLLECTS = 3


@dataclass(frozen=True)
class Plan:
    """What to run: sizes and strategies where they apply, settings, isolation."""

    sizes: tuple[int, ...]
    strategies: tuple[str, ...]
    settings: Settings
    isolate: bool


# -- cycles: assign + close against the naive router ---------------------------------------


def measure_cell(subject: str, size: int, settings: Settings) -> Sample:
    """Measure assign + close of items built beforehand, for a strategy or the naive router."""
    workload = make_workload(size)
    items = ItemSource("t", SEED + 3)
    if subject == NAIVE:
        naive = load_naive(workload)
        assign: Callable[[Item], object] = naive.assign
        close: Callable[[str], object] = naive.close
        agent = naive.assign(items.first(1)[0])
        require(agent is not None, "naive: the first item was not assigned")
        require(
            naive.load(str(agent), CHANNEL) - 1 == min(workload.held), "naive is not least busy"
        )
        require(naive.close(items.first(1)[0].id) == [], "naive close dispatched work")

        def reset(count: int) -> None:
            pass

    else:
        router = load_router(subject, workload)
        check_cycle(subject, router, workload, items.first(1)[0])
        router.forget(items.first(1)[0].id)
        assign, close = router.assign, router.close

        def reset(count: int) -> None:
            for item in items.first(count):
                router.forget(item.id)

    def run(count: int) -> int:
        batch = items.first(count)
        start = time.perf_counter_ns()
        for item in batch:
            assign(item)
            close(item.id)
        return time.perf_counter_ns() - start

    return sized_rounds(run, settings, reset)


def run_cycles(plan: Plan) -> dict[str, Any]:
    result: dict[str, dict[str, Any]] = {NAIVE: {}, **{name: {} for name in plan.strategies}}
    for size in plan.sizes:
        for name in result:
            sample = isolated(plan.isolate, measure_cell, name, size, plan.settings)
            result[name][str(size)] = sample.to_json()
            progress(f"cycles {name:>12} {size:>7,} agents {sample.us:10.2f} µs/cycle")
    return result


# -- close: with and without a queue -------------------------------------------------------


def measure_closes(strategy: str, depth: int | None, settings: Settings) -> Sample:
    """
    Time ``close()`` of the oldest assigned items, with a queue or without.

    Without a queue (*depth* None) each close just frees a slot. With one,
    every agent is full and ``depth + CLOSE_BATCH`` items wait before a
    batch, so each close frees the one slot that takes the head of the
    queue, and at least *depth* still wait after it. Between timed batches
    the closed items are forgotten and as many new items arrive, untimed:
    they take the freed slots, or join the queue. Either way the next batch
    again closes the items assigned longest ago, as a host would.
    """
    workload = make_workload(QUEUE_AGENTS)
    router = load_router(strategy, workload)
    arrivals = ItemSource("q", SEED + 1)
    held: deque[str] = deque(item.id for item in workload.background)
    if depth is not None:
        free = sum(CAPACITY - count for count in workload.held)
        for item in arrivals.fresh(free):
            require(router.assign(item).status == "assigned", "filling left a gap")
            held.append(item.id)
        for item in arrivals.fresh(depth + CLOSE_BATCH):
            require(router.assign(item).status == "queued", "a full router assigned")
    round_ns = settings.round_s * 1e9
    per_close = []
    closes = 0
    for _ in range(settings.rounds):
        gc.collect()
        elapsed = closes = 0
        while elapsed < round_ns:
            batch = [held.popleft() for _ in range(CLOSE_BATCH)]
            heads = router.queued(DEPARTMENT, CHANNEL)[:CLOSE_BATCH]
            close = router.close
            start = time.perf_counter_ns()
            for item_id in batch:
                close(item_id)
            elapsed += time.perf_counter_ns() - start
            closes += CLOSE_BATCH
            for item_id in batch:
                router.forget(item_id)
            if depth is not None:
                require(router.queue_length(DEPARTMENT) == depth, "queue did not drain")
                took = all(router.status(item_id).state == "assigned" for item_id in heads)
                require(took, "the freed slots did not take the head of the queue")
                held.extend(heads)
                for item in arrivals.fresh(CLOSE_BATCH):
                    require(router.assign(item).status == "queued", "a full router assigned")
            else:
                for item in arrivals.fresh(CLOSE_BATCH):
                    require(router.assign(item).status == "assigned", "an idle router queued")
                    held.append(item.id)
        per_close.append(elapsed / closes)
    return Sample(tuple(per_close), closes)


def run_close(plan: Plan) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name in plan.strategies:
        samples = {
            kind: isolated(plan.isolate, measure_closes, name, depth, plan.settings)
            for kind, depth in CLOSE_KINDS.items()
        }
        result[name] = {kind: sample.to_json() for kind, sample in samples.items()}
        progress(
            f"close {name:>12}: {samples['idle'].us:.2f} µs idle, "
            f"{samples['shallow'].us:.2f} µs with a few queued, "
            f"{samples['deep'].us:.2f} µs with {QUEUE_DEPTH:,} queued"
        )
    return result


# -- pull: next_for and waiting_for --------------------------------------------------------


def time_turns(
    call: Callable[[str], object], agent_ids: Sequence[str], settings: Settings
) -> Sample:
    """Time ``call(agent_id)`` in batches of PULL_BATCH agents, taken in turn, per round."""
    batches = [agent_ids[i : i + PULL_BATCH] for i in range(0, len(agent_ids), PULL_BATCH)]
    for agent_id in batches[0]:
        call(agent_id)
    round_ns = settings.round_s * 1e9
    per_call = []
    turn = calls = 0
    for _ in range(settings.rounds):
        gc.collect()
        elapsed = calls = 0
        while elapsed < round_ns:
            batch = batches[turn % len(batches)]
            turn += 1
            start = time.perf_counter_ns()
            for agent_id in batch:
                call(agent_id)
            elapsed += time.perf_counter_ns() - start
            calls += len(batch)
        per_call.append(elapsed / calls)
    return Sample(tuple(per_call), calls)


def measure_badge(subject: str, depth: int, settings: Settings) -> Sample:
    """
    Time the badge count of pull-department agents with *depth* items waiting.

    *subject* is ``"waiting_for"`` (the router) or ``"naive"`` (a scan of
    the waiting items, ``naive.NaiveBacklog``).
    """
    agents, held = pull_agents()
    waiting = ItemSource("pq", SEED + 5, PULL_DEPARTMENT).fresh(depth)
    call: Callable[[str], int]
    if subject == NAIVE:
        backlog = NaiveBacklog()
        for agent in agents:
            backlog.add_agent(agent)
        for item in waiting:
            backlog.add(item)
        call = backlog.waiting_for
    else:
        call = load_pull_router(agents, held, waiting, PULL_STRATEGY).waiting_for
    ids = [agent.id for agent in agents]
    require(all(call(agent_id) == depth for agent_id in ids[:PULL_BATCH]), "wrong badge count")
    return time_turns(call, ids, settings)


def measure_next_for(depth: int, settings: Settings) -> tuple[Sample, Sample]:
    """
    Time ``next_for(agent)`` with *depth* to *depth* + PULL_BATCH items waiting to be pulled.

    A batch is PULL_BATCH agents, taken in turn, each pulling once: the
    head of the queue. Then the pulled items are closed, in a batch timed
    apart, which gives the slots back. Untimed, between batches, the closed
    items are forgotten and as many new items arrive to wait.

    Returns:
        Samples of next_for and of the close of a pulled item.
    """
    agents, held = pull_agents()
    arrivals = ItemSource("pq", SEED + 5, PULL_DEPARTMENT)
    router = load_pull_router(agents, held, arrivals.fresh(depth + PULL_BATCH), PULL_STRATEGY)
    ids = [agent.id for agent in agents]
    batches = [ids[i : i + PULL_BATCH] for i in range(0, len(ids), PULL_BATCH)]
    turns = itertools.cycle(batches)

    def batch() -> tuple[int, int]:
        agent_ids = next(turns)
        heads = router.queued(PULL_DEPARTMENT, CHANNEL)[:PULL_BATCH]
        next_for, close = router.next_for, router.close
        start = time.perf_counter_ns()
        pulled = [next_for(agent_id) for agent_id in agent_ids]
        pulling = time.perf_counter_ns() - start
        items = [decision.item for decision in pulled if decision is not None]
        require(items == list(heads), "next_for did not take the head of the queue")
        require(router.queue_length(PULL_DEPARTMENT) == depth, "the queue did not shrink")
        start = time.perf_counter_ns()
        dispatched = [close(item_id) for item_id in items]
        closing = time.perf_counter_ns() - start
        require(not any(dispatched), "closing a pulled item dispatched work")
        for item_id in items:
            router.forget(item_id)
        for item in arrivals.fresh(PULL_BATCH):
            require(router.assign(item).status == "queued", "a pull department assigned")
        return pulling, closing

    batch()
    round_ns = settings.round_s * 1e9
    per_next: list[float] = []
    per_close: list[float] = []
    calls = 0
    for _ in range(settings.rounds):
        gc.collect()
        pulling = closing = calls = 0
        while pulling < round_ns:
            spent = batch()
            pulling += spent[0]
            closing += spent[1]
            calls += PULL_BATCH
        per_next.append(pulling / calls)
        per_close.append(closing / calls)
    return Sample(tuple(per_next), calls), Sample(tuple(per_close), calls)


def run_pull(plan: Plan) -> dict[str, Any]:
    result: dict[str, dict[str, Any]] = {call: {} for call in PULL_CALLS}
    for depth in PULL_DEPTHS:
        samples = {
            "waiting_for": isolated(
                plan.isolate, measure_badge, "waiting_for", depth, plan.settings
            ),
            "naive_waiting_for": isolated(plan.isolate, measure_badge, NAIVE, depth, plan.settings),
        }
        samples["next_for"], samples["close_pulled"] = isolated(
            plan.isolate, measure_next_for, depth, plan.settings
        )
        for call, sample in samples.items():
            result[call][str(depth)] = sample.to_json()
        progress(
            f"pull {depth:>7,} queued: waiting_for {samples['waiting_for'].us:.2f} µs "
            f"(naive scan {samples['naive_waiting_for'].us:.2f} µs), "
            f"next_for {samples['next_for'].us:.2f} µs, close {samples['close_pulled'].us:.2f} µs"
        )
    return result


# -- host: the loop a host runs ------------------------------------------------------------


def baseline_run(load: dict[str, int]) -> Run:
    """
    Return the baseline's cycle: a least-busy ``min()`` over a dict of loads, then +1 and -1.

    It builds no `Item` and keeps no record: the cheapest scan a host could write.
    """

    def run(count: int) -> int:
        cap = CAPACITY
        start = time.perf_counter_ns()
        for _ in range(count):
            agent = min((a for a, v in load.items() if v < cap), key=load.__getitem__)
            load[agent] += 1
            load[agent] -= 1
        return time.perf_counter_ns() - start

    return run


def measure_host(subject: str, size: int, settings: Settings) -> Sample:
    """Time the host loop of one strategy, or the baseline, at *size* agents, in windows."""
    workload = make_workload(size)
    run: Run
    if subject == BASELINE:
        load = {agent.id: held for agent, held in zip(workload.agents, workload.held, strict=True)}
        first = min((a for a, v in load.items() if v < CAPACITY), key=load.__getitem__)
        require(load[first] == min(workload.held), "the baseline is not least busy")
        run = baseline_run(load)
    else:
        loop = HostLoop(load_router(subject, workload))
        loop.check(subject, workload)
        run = loop
    del workload
    return windows({subject: run}, settings)[subject]


def run_host(plan: Plan) -> dict[str, Any]:
    result: dict[str, dict[str, Any]] = {BASELINE: {}, **{name: {} for name in plan.strategies}}
    for size in plan.sizes:
        for name in result:
            sample = isolated(plan.isolate, measure_host, name, size, plan.settings)
            result[name][str(size)] = sample.to_json()
            progress(f"host {name:>12} {size:>7,} agents {sample.us:10.2f} µs/cycle")
    return result


# -- floor: a bare SortedList least_busy ---------------------------------------------------


def measure_floor(size: int, settings: Settings) -> dict[str, Sample]:
    """
    Time the host loop on `FloorRouter` at *size* agents, and building an `Item` alone.

    Returns:
        ``floor``: the host loop on the prototype; ``item``: ``Item(...)`` alone.
    """
    workload = make_workload(size)
    floor = FloorRouter(workload.agents, workload.held, CHANNEL)
    require(floor.entries[floor.free[0][2]][0] == min(workload.held), "the floor is not least busy")

    def run(count: int) -> int:
        start = time.perf_counter_ns()
        for number in range(count):
            item = Item(f"f{number}", channel=CHANNEL, department=DEPARTMENT)
            floor.assign(item)
            floor.close(item.id)
        return time.perf_counter_ns() - start

    def build(count: int) -> int:
        start = time.perf_counter_ns()
        for number in range(count):
            Item(f"i{number}", channel=CHANNEL, department=DEPARTMENT)
        return time.perf_counter_ns() - start

    return windows({"floor": run, "item": build}, settings)


def run_floor(plan: Plan) -> dict[str, Any]:
    result: dict[str, dict[str, Any]] = {"floor": {}, "item": {}}
    for size in plan.sizes:
        samples = isolated(plan.isolate, measure_floor, size, plan.settings)
        for name, sample in samples.items():
            result[name][str(size)] = sample.to_json()
        progress(
            f"floor {size:>7,} agents {samples['floor'].us:10.2f} µs/cycle "
            f"(Item() alone {samples['item'].us:.2f} µs)"
        )
    return result


# -- lock: what the router's lock costs a single thread ------------------------------------


class NoLock:
    """A context manager that does nothing: stands in for the router's lock."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        return None


def measure_lock(settings: Settings) -> dict[str, Any] | None:
    """
    Time the host loop with the router's own lock, and with `NoLock` in its place.

    The two take turns, window by window, in one process. Also times a bare
    ``with`` of each, so the no-op's own cost can be told apart.

    Returns:
        None when the router has no ``_lock`` attribute.
    """
    workload = make_workload(LOCK_AGENTS)
    router = load_router(LOCK_STRATEGY, workload)
    lock = getattr(router, LOCK_ATTRIBUTE, None)
    if lock is None:
        return None
    loop = HostLoop(router)
    loop.check(LOCK_STRATEGY, workload)
    no_lock = NoLock()

    def locked(count: int) -> int:
        setattr(router, LOCK_ATTRIBUTE, lock)
        return loop(count)

    def unlocked(count: int) -> int:
        setattr(router, LOCK_ATTRIBUTE, no_lock)
        return loop(count)

    samples = windows({"locked": locked, "no_lock": unlocked}, settings)
    setattr(router, LOCK_ATTRIBUTE, lock)
    return {
        "agents": LOCK_AGENTS,
        "strategy": LOCK_STRATEGY,
        "lock_type": type(lock).__name__,
        "locked": samples["locked"].to_json(),
        "no_lock": samples["no_lock"].to_json(),
        "overhead_pct": round((samples["locked"].us / samples["no_lock"].us - 1) * 100, 2),
        "bare_with_ns": {"lock": _with_ns(lock), "no_lock": _with_ns(no_lock)},
    }


def _with_ns(manager: contextlib.AbstractContextManager[Any]) -> float:
    """Return the nanoseconds of one ``with manager: pass``, best of 5 runs of 100 000."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter_ns()
        for _ in range(100_000):
            with manager:
                pass
        best = min(best, (time.perf_counter_ns() - start) / 100_000)
    return round(best, 1)


def run_lock(plan: Plan) -> dict[str, Any] | None:
    result = isolated(plan.isolate, measure_lock, plan.settings)
    if result is None:
        progress("lock: not measured (Router has no _lock)")
    else:
        progress(f"lock: {result['overhead_pct']:+.1f}% with the lock")
    return result


# -- soak: a million cycles, every call timed ----------------------------------------------


def measure_soak(cycles: int) -> dict[str, Any]:
    """
    Run *cycles* host cycles on SOAK_AGENTS agents, a router with default settings.

    Every ``assign()`` and ``close()`` is timed on its own; the resident set
    size is read every SOAK_SAMPLE_EVERY cycles. The timings go to an array
    allocated before the first reading, so they do not grow the process.
    """
    workload = make_workload(SOAK_AGENTS)
    router = load_router(None, workload)
    retain = inspect.signature(Router).parameters.get("retain_closed")
    del workload
    calls = array.array("q", bytes(8 * 2 * cycles))
    rss = [(0, rss_bytes())]
    collections = gc.get_stats()[2]["collections"]
    clock = time.perf_counter_ns
    started = clock()
    for number in range(cycles):
        item = Item(f"s{number}", channel=CHANNEL, department=DEPARTMENT)
        start = clock()
        router.assign(item)
        assigned = clock()
        router.close(item.id)
        closed = clock()
        calls[2 * number] = assigned - start
        calls[2 * number + 1] = closed - assigned
        if (number + 1) % SOAK_SAMPLE_EVERY == 0:
            rss.append((number + 1, rss_bytes()))
    elapsed_s = (clock() - started) / 1e9
    slowest = max(range(len(calls)), key=calls.__getitem__)
    every = sorted(calls)
    assigns, closes = sorted(calls[0::2]), sorted(calls[1::2])
    curve = {f"{share}%": _rss_at(rss, cycles * share // 100) for share in (25, 50, 75, 100)}
    return {
        "agents": SOAK_AGENTS,
        "cycles": cycles,
        "retain_closed_default": None if retain is None else retain.default,
        "elapsed_s": round(elapsed_s, 1),
        "calls_us": _points_us(every),
        "assign_us": _points_us(assigns),
        "close_us": _points_us(closes),
        "slowest_call": {"cycle": slowest // 2, "call": ("assign", "close")[slowest % 2]},
        "calls_over_ms": {str(ms): sum(1 for ns in every if ns > ms * 1e6) for ms in (1, 10, 50)},
        "gen2_collections": gc.get_stats()[2]["collections"] - collections,
        "rss_mib": {"first": _mib(rss[0][1]), **curve},
        "rss_curve_mib": [[cycle, _mib(size)] for cycle, size in rss],
    }


def _points_us(ordered: Sequence[int]) -> dict[str, float]:
    """Return SOAK_POINTS percentiles and the maximum of sorted nanoseconds, in microseconds."""
    return {key: value / 1_000 for key, value in percentiles(ordered, SOAK_POINTS).items()}


def _rss_at(samples: Sequence[tuple[int, int]], cycle: int) -> float:
    """Return the RSS (MiB) read at the last sample at or before *cycle*."""
    return _mib(max((s for s in samples if s[0] <= cycle), key=lambda s: s[0])[1])


def _mib(size: int) -> float:
    return round(size / 2**20, 1)


def run_soak(plan: Plan) -> dict[str, Any]:
    cycles = SOAK_CYCLES_QUICK if plan.settings.quick else SOAK_CYCLES
    result = isolated(plan.isolate, measure_soak, cycles)
    progress(
        f"soak {cycles:,} cycles: slowest call {result['calls_us']['max'] / 1_000:.1f} ms, "
        f"RSS {result['rss_mib']['first']} -> {result['rss_mib']['100%']} MiB"
    )
    return result


# -- memory: bytes and tracked objects per agent and per item ------------------------------


def measure_memory() -> dict[str, Any]:
    """
    Measure what agents, open items and closed items add, with tracemalloc and the GC.

    The same router gets MEMORY_COUNT agents (online, capacity 4), then
    MEMORY_COUNT items assigned (open), then those items closed (kept, as
    the router keeps closed items). Agents and items are built in the loop
    and kept only by the router. Between steps the collector runs to
    completion, and the step's traced memory and ``len(gc.get_objects())``
    are read.
    """
    router = Router(seed=SEED)
    router.add_department(DEPARTMENT, strategies={CHANNEL: "least_busy"})
    tracemalloc.start()
    readings = [_reading()]
    for number in range(MEMORY_COUNT):
        agent_id = f"m{number:06d}"
        router.add_agent(
            Agent(agent_id, capacity={CHANNEL: CAPACITY}, departments={DEPARTMENT: {CHANNEL}})
        )
        router.set_presence(agent_id, "online")
    readings.append(_reading())
    for number in range(MEMORY_COUNT):
        item = Item(f"o{number}", channel=CHANNEL, department=DEPARTMENT)
        require(router.assign(item).status == "assigned", "an item was not assigned")
    readings.append(_reading())
    for number in range(MEMORY_COUNT):
        router.close(f"o{number}")
    readings.append(_reading())
    tracemalloc.stop()
    (bytes0, objs0), (bytes1, objs1), (bytes2, objs2), (bytes3, objs3) = readings
    count = MEMORY_COUNT
    return {
        "count": count,
        "bytes_per_agent": round((bytes1 - bytes0) / count),
        "bytes_per_open_item": round((bytes2 - bytes1) / count),
        "bytes_per_closed_item": round((bytes3 - bytes1) / count),
        "gc_objects_per_agent": round((objs1 - objs0) / count, 2),
        "gc_objects_per_open_item": round((objs2 - objs1) / count, 2),
        "gc_objects_per_closed_item": round((objs3 - objs1) / count, 2),
        "gc_objects_per_10k": {
            "agents": objs1 - objs0,
            "open_items": objs2 - objs1,
            "closed_items": objs3 - objs1,
        },
    }


def _reading() -> tuple[int, int]:
    """Collect garbage, then return (traced bytes, objects tracked by the collector)."""
    gc.collect()
    return tracemalloc.get_traced_memory()[0], len(gc.get_objects())


def run_memory(plan: Plan) -> dict[str, Any]:
    result = isolated(plan.isolate, measure_memory)
    progress(
        f"memory: {result['bytes_per_agent']} B/agent, "
        f"{result['bytes_per_open_item']} B/open item, "
        f"{result['bytes_per_closed_item']} B/closed item"
    )
    return result


# -- gc: a full collection, and the worst cycle, with and without gc.freeze() --------------


def load_for_gc(freeze: bool, agents: int) -> tuple[Router, int]:
    """
    Load *agents* (least_busy, capacity 4, online), collect, and ``gc.freeze()`` if asked.

    Returns:
        The router, and how many objects the collector tracked before the freeze.
    """
    workload = make_workload(agents)
    router = load_router("least_busy", workload)
    del workload
    gc.collect()
    tracked = len(gc.get_objects())
    if freeze:
        gc.freeze()
    return router, tracked


def measure_gc_collect(freeze: bool, agents: int) -> dict[str, Any]:
    """Time GC_COLLECTS full ``gc.collect()`` calls on a loaded roster, nothing else running."""
    _router, tracked = load_for_gc(freeze, agents)
    unfrozen = len(gc.get_objects())
    collects = []
    for _ in range(GC_COLLECTS):
        start = time.perf_counter_ns()
        gc.collect()
        collects.append((time.perf_counter_ns() - start) / 1e6)
    return {
        "agents": agents,
        "tracked_objects": tracked,
        "frozen": gc.get_freeze_count(),
        "tracked_after_freeze": unfrozen,
        "collect_ms": [round(ms, 2) for ms in collects],
    }


def measure_gc_cycles(freeze: bool, agents: int, cycles: int) -> dict[str, Any]:
    """
    Time *cycles* host cycles one by one on a loaded roster, the collector on.

    Runs in a process of its own, without the timed collections of
    `measure_gc_collect`: a full collection resets the collector's count
    of long-lived objects, and so when it next runs a full collection.
    """
    loop = HostLoop(load_for_gc(freeze, agents)[0])
    per_cycle = array.array("q", bytes(8 * cycles))
    collections = gc.get_stats()[2]["collections"]
    for number in range(cycles):
        per_cycle[number] = loop(1)
    return {
        "cycles": cycles,
        "cycle_us": _points_us(sorted(per_cycle)),
        "gen2_collections": gc.get_stats()[2]["collections"] - collections,
    }


def run_gc(plan: Plan) -> dict[str, Any]:
    quick = plan.settings.quick
    agents = GC_AGENTS_QUICK if quick else GC_AGENTS
    cycles = GC_CYCLES_QUICK if quick else GC_CYCLES
    result = {}
    for key, freeze in (("no_freeze", False), ("freeze", True)):
        result[key] = {
            **isolated(plan.isolate, measure_gc_collect, freeze, agents),
            **isolated(plan.isolate, measure_gc_cycles, freeze, agents, cycles),
        }
        progress(
            f"gc {key}: collect {min(result[key]['collect_ms']):.1f} ms, "
            f"worst cycle {result[key]['cycle_us']['max'] / 1_000:.1f} ms"
        )
    return result


WORKLOADS: dict[str, Callable[[Plan], Any]] = {
    "cycles": run_cycles,
    "close": run_close,
    "pull": run_pull,
    "host": run_host,
    "floor": run_floor,
    "lock": run_lock,
    "soak": run_soak,
    "memory": run_memory,
    "gc": run_gc,
}
"""Every workload by the name ``--only`` takes, in the order a full run runs them."""
