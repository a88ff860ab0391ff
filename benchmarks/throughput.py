"""
Assign + close cycles per second for every built-in strategy, against a naive scan.

Run it with ``make bench`` (``.venv/bin/python benchmarks/throughput.py``);
``--quick`` is a smoke run, ``--sizes 10 1000`` picks agent counts. A full
run takes about three minutes.

Workload, the same for every strategy and for the baseline at each size: one
department, one channel (``chat``), every agent online with capacity 4 and a
routing priority drawn from 1..100, and a background load of 0..3 items per
agent (seeded), so load keys differ and every agent still has a free slot.
A timed cycle is ``assign(item)`` then ``close(item.id)`` of an item built
beforehand; the router's ``forget()`` of the closed items runs between rounds,
untimed. The baseline is ``naive.NaiveRouter``: a least-busy ``min(...)``
over every agent, checking eligibility agent by agent.

Each measurement runs in a fresh interpreter (``--in-process`` to not), so
it starts from the same unfragmented heap whatever ran before it. It takes
several rounds (7; 3 with ``--quick``) and reports the fastest: other
processes can only add time. A round runs enough cycles to last about
0.15 s (fewer for the baseline at 100 000 agents, where a cycle takes
milliseconds). The garbage collector stays on, as in a host process; it is
run to completion before each round.

It also times ``close()`` at 1 000 agents, in batches of 100 closes of the
items assigned longest ago: with nothing waiting, and with every agent full
so that each freed slot takes the head of the queue, once with at most 100
waiting and once with at least 10 000. Between batches, untimed, as many
new items arrive: they take the freed slots, or join the queue.

And it times the pull calls of a pull-only department (``least_busy``,
``mode="pull"``) with 1 000 agents online, capacity 4, holding 0..3 pulled
items each (seeded), at 100 and at 10 000 items waiting to be pulled:
``waiting_for(agent)``, the badge count, against ``naive.NaiveBacklog`` (a
scan of a list of the waiting items), and ``next_for(agent)``, in batches of
100 agents, each pulling the head of the queue. Each pulled item is then
closed, in a separately timed batch, so the slot comes back; untimed, the
closed items are forgotten and as many new items arrive, so 100 (or 10 000)
to 100 more always wait.

It prints tables and the targets with PASS/FAIL, and writes everything to
``benchmarks/results/throughput.json`` (a ``--quick`` run writes only with
``--output``). Timings use the wall clock: the benchmark is not the core.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import hashlib
import json
import math
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from random import Random
from typing import Any, ParamSpec, TypeVar

from naive import NaiveBacklog, NaiveRouter

import agentroute
from agentroute import Agent, Item, Router

SIZES = (10, 100, 1_000, 10_000, 100_000)
STRATEGIES = ("random", "least_busy", "most_busy", "priority", "round_robin")
NAIVE = "naive"
DEPARTMENT = "d"
CHANNEL = "chat"
CAPACITY = 4
MAX_BACKGROUND = 3
SEED = 20_240_601
QUEUE_AGENTS = 1_000
QUEUE_DEPTH = 10_000
CLOSE_BATCH = 100
CLOSE_KINDS = {"idle": None, "shallow": 0, "deep": QUEUE_DEPTH}
"""Waiting items left after a batch of closes: none at all, a few, or QUEUE_DEPTH."""
PULL_DEPARTMENT = "p"
PULL_STRATEGY = "least_busy"
PULL_AGENTS = 1_000
PULL_DEPTHS = (100, QUEUE_DEPTH)
PULL_BATCH = 100
PULL_ROWS = {
    "waiting_for": "waiting_for",
    "naive_waiting_for": "naive badge scan",
    "next_for": "next_for",
    "close_pulled": "close (pulled item)",
}
"""Pull measurements: key in the results, and label in the table."""
RESULTS = Path(__file__).resolve().parent / "results" / "throughput.json"

_P = ParamSpec("_P")
_T = TypeVar("_T")


@dataclass(frozen=True)
class Settings:
    """How long and how often to measure."""

    rounds: int
    round_s: float
    min_cycles: int
    max_cycles: int
    quick: bool


FULL = Settings(rounds=7, round_s=0.15, min_cycles=5, max_cycles=100_000, quick=False)
QUICK = Settings(rounds=3, round_s=0.02, min_cycles=2, max_cycles=10_000, quick=True)


@dataclass(frozen=True)
class Sample:
    """One measured operation: nanoseconds per operation in each round."""

    per_op_ns: tuple[float, ...]
    ops_per_round: int

    @property
    def us(self) -> float:
        """
        Microseconds per operation in the fastest round: the number tables and ratios use.

        Other processes on the machine can only add time, so the fastest round
        is the closest to the code's own cost and the most repeatable.
        """
        return min(self.per_op_ns) / 1_000

    @property
    def median_us(self) -> float:
        """Median microseconds per operation over the rounds."""
        return statistics.median(self.per_op_ns) / 1_000

    @property
    def per_s(self) -> float:
        """Operations per second in the fastest round."""
        return 1e6 / self.us

    def to_json(self) -> dict[str, Any]:
        """Return the sample as plain data."""
        return {
            "us_best": round(self.us, 4),
            "us_median": round(self.median_us, 4),
            "per_s_best": round(self.per_s),
            "ops_per_round": self.ops_per_round,
            "rounds_us": [round(ns / 1_000, 4) for ns in self.per_op_ns],
        }


@dataclass(frozen=True)
class Target:
    """One target of the issue, as measured."""

    name: str
    strategy: str
    description: str
    measured: float
    limit: float
    at_least: bool

    @property
    def passed(self) -> bool:
        """True when the measured ratio is on the right side of the limit."""
        return self.measured >= self.limit if self.at_least else self.measured <= self.limit

    def line(self) -> str:
        """Return one line of the printed report."""
        need = f"{'>=' if self.at_least else '<='} {self.limit:g}x"
        verdict = "PASS" if self.passed else "FAIL"
        return (
            f"  {verdict}  {self.strategy:<12} {self.description:<46} "
            f"{self.measured:8.2f}x  (need {need})"
        )

    def to_json(self) -> dict[str, Any]:
        """Return the target as plain data."""
        return {
            "name": self.name,
            "strategy": self.strategy,
            "description": self.description,
            "measured": round(self.measured, 3),
            "limit": self.limit,
            "comparison": ">=" if self.at_least else "<=",
            "passed": self.passed,
        }


@dataclass(frozen=True)
class Workload:
    """Agents and their background load for one size; shared by every subject."""

    agents: list[Agent]
    held: list[int]
    background: list[Item]


class ItemSource:
    """
    Items built ahead of the timed regions, with ids ``<prefix><n>`` and priorities 1..5.

    Use one source either for :meth:`first` (the same items again) or for
    :meth:`fresh` (new items every time), not both.
    """

    def __init__(self, prefix: str, seed: int, department: str = DEPARTMENT) -> None:
        self._prefix = prefix
        self._department = department
        self._rng = Random(seed)
        self._made: list[Item] = []
        self._count = 0

    def first(self, n: int) -> list[Item]:
        """Return the first *n* items (the same ones on every call), building any missing."""
        while len(self._made) < n:
            self._made.append(self._make(len(self._made)))
        return self._made[:n]

    def fresh(self, n: int) -> list[Item]:
        """Return *n* items never returned before, without keeping them."""
        items = [self._make(self._count + number) for number in range(n)]
        self._count += n
        return items

    def _make(self, number: int) -> Item:
        return Item(
            f"{self._prefix}{number}",
            channel=CHANNEL,
            department=self._department,
            priority=self._rng.randint(1, 5),
        )


def make_roster(
    prefix: str, department: str, size: int, seed: int
) -> tuple[list[Agent], list[int]]:
    """Return *size* seeded agents of *department*, and the load each starts with."""
    rng = Random(seed)
    agents = [
        Agent(
            f"{prefix}{number:06d}",
            priority=rng.randint(1, 100),
            capacity={CHANNEL: CAPACITY},
            departments={department: {CHANNEL}},
        )
        for number in range(size)
    ]
    held = [rng.randint(0, MAX_BACKGROUND) for _ in agents]
    return agents, held


def make_workload(size: int) -> Workload:
    agents, held = make_roster("a", DEPARTMENT, size, SEED + size)
    background = ItemSource("bg", SEED).first(sum(held))
    return Workload(agents, held, background)


def load_router(strategy: str, workload: Workload) -> Router:
    """
    Return a router with the workload's agents online, each holding its background items.

    The router has no call to hand an item to a named agent, so each agent
    takes its items while it is the only one online, then steps away.
    """
    router = Router(seed=SEED)
    router.add_department(DEPARTMENT, strategies={CHANNEL: strategy})
    background = iter(workload.background)
    for agent, held in zip(workload.agents, workload.held, strict=True):
        router.add_agent(agent)
        if held:
            router.set_presence(agent.id, "online")
            for _ in range(held):
                decision = router.assign(next(background))
                _require(decision.agent == agent.id, f"pre-load went to {decision.agent}")
            router.set_presence(agent.id, "away")
    for agent in workload.agents:
        router.set_presence(agent.id, "online")
    for agent, held in zip(workload.agents, workload.held, strict=True):
        _require(router.load(agent.id, CHANNEL) == held, f"{agent.id} holds the wrong load")
    return router


def load_naive(workload: Workload) -> NaiveRouter:
    naive = NaiveRouter()
    for agent in workload.agents:
        naive.add_agent(agent)
        naive.set_presence(agent.id, "online")
    background = iter(workload.background)
    for agent, held in zip(workload.agents, workload.held, strict=True):
        for _ in range(held):
            naive.assign_to(next(background), agent.id)
    return naive


def run_cycles(
    assign: Callable[[Item], object], close: Callable[[str], object], items: Sequence[Item]
) -> int:
    """Return the nanoseconds taken by ``assign(item)`` + ``close(item.id)`` over *items*."""
    gc.collect()
    start = time.perf_counter_ns()
    for item in items:
        assign(item)
        close(item.id)
    return time.perf_counter_ns() - start


def measure_cycles(
    assign: Callable[[Item], object],
    close: Callable[[str], object],
    reset: Callable[[Sequence[Item]], None],
    source: ItemSource,
    settings: Settings,
) -> Sample:
    """
    Time assign + close cycles: warm up and size the rounds, then time the rounds.

    *reset* runs after every batch, untimed, so the same items can be used again.
    """
    round_ns = settings.round_s * 1e9
    cycles = 10
    while True:
        items = source.first(cycles)
        elapsed = run_cycles(assign, close, items)
        reset(items)
        if elapsed >= round_ns / 10 or cycles >= settings.max_cycles:
            break
        cycles = min(cycles * 10, settings.max_cycles)
    wanted = math.ceil(round_ns / (elapsed / cycles))
    cycles = max(settings.min_cycles, min(settings.max_cycles, wanted))
    items = source.first(cycles)
    per_cycle = []
    for _ in range(settings.rounds):
        per_cycle.append(run_cycles(assign, close, items) / cycles)
        reset(items)
    return Sample(tuple(per_cycle), cycles)


def check_router_cycle(strategy: str, router: Router, workload: Workload, item: Item) -> None:
    """Check one untimed cycle assigns to the agent the strategy should pick, and closes."""
    agent = router.assign(item).agent
    if agent is None:
        msg = f"{strategy}: {item.id} was not assigned"
        raise RuntimeError(msg)
    load = router.load(agent, CHANNEL) - 1
    if strategy == "least_busy":
        _require(load == min(workload.held), f"least_busy picked load {load}")
    elif strategy == "most_busy":
        _require(load == max(workload.held), f"most_busy picked load {load}")
    elif strategy == "priority":
        best = min(member.priority for member in workload.agents)
        _require(router.agent(agent).priority == best, "priority picked a worse priority")
    _require(router.close(item.id) == [], f"{strategy}: close dispatched work")
    router.forget(item.id)


def measure_router(
    strategy: str, workload: Workload, source: ItemSource, settings: Settings
) -> Sample:
    router = load_router(strategy, workload)
    check_router_cycle(strategy, router, workload, source.first(1)[0])

    def forget(items: Sequence[Item]) -> None:
        for item in items:
            router.forget(item.id)

    return measure_cycles(router.assign, router.close, forget, source, settings)


def measure_naive(workload: Workload, source: ItemSource, settings: Settings) -> Sample:
    naive = load_naive(workload)
    item = source.first(1)[0]
    agent = naive.assign(item)
    if agent is None:
        msg = f"naive: {item.id} was not assigned"
        raise RuntimeError(msg)
    _require(naive.load(agent, CHANNEL) - 1 == min(workload.held), "naive is not least busy")
    _require(naive.close(item.id) == [], "naive close dispatched work")

    def nothing(items: Sequence[Item]) -> None:
        pass

    return measure_cycles(naive.assign, naive.close, nothing, source, settings)


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
            _require(router.assign(item).status == "assigned", "filling left a gap")
            held.append(item.id)
        for item in arrivals.fresh(depth + CLOSE_BATCH):
            _require(router.assign(item).status == "queued", "a full router assigned")
    round_ns = settings.round_s * 1e9
    per_close = []
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
                _require(router.queue_length(DEPARTMENT) == depth, "queue did not drain")
                _require(
                    all(router.status(item_id).state == "assigned" for item_id in heads),
                    "the freed slots did not take the head of the queue",
                )
                held.extend(heads)
                for item in arrivals.fresh(CLOSE_BATCH):
                    _require(router.assign(item).status == "queued", "a full router assigned")
            else:
                for item in arrivals.fresh(CLOSE_BATCH):
                    _require(router.assign(item).status == "assigned", "an idle router queued")
                    held.append(item.id)
        per_close.append(elapsed / closes)
    return Sample(tuple(per_close), closes)


def pull_agents() -> tuple[list[Agent], list[int]]:
    """Return the pull department's agents and how many items each holds before timing."""
    return make_roster("p", PULL_DEPARTMENT, PULL_AGENTS, SEED + 7)


def load_pull_router(agents: Sequence[Agent], held: Sequence[int], waiting: list[Item]) -> Router:
    """
    Return a router with a pull-only department, its agents online and *waiting* in line.

    Each agent first pulls its background items with ``next_for``; then the
    *waiting* items arrive and, with more than one agent in the router, wait
    to be pulled.
    """
    router = Router(seed=SEED)
    router.add_department(PULL_DEPARTMENT, strategies={CHANNEL: PULL_STRATEGY}, mode="pull")
    for agent in agents:
        router.add_agent(agent)
        router.set_presence(agent.id, "online")
    for item in ItemSource("pb", SEED, PULL_DEPARTMENT).first(sum(held)):
        _require(router.assign(item).status == "queued", "a pull department assigned")
    for agent, count in zip(agents, held, strict=True):
        for _ in range(count):
            decision = router.next_for(agent.id)
            _require(decision is not None and decision.agent == agent.id, "pre-load failed")
        _require(router.load(agent.id, CHANNEL) == count, f"{agent.id} holds the wrong load")
    for item in waiting:
        queued = router.assign(item).status == "queued" and router.status(item.id).pull
        _require(queued, f"{item.id} does not wait to be pulled")
    return router


def time_batches(
    call: Callable[[str], object], agent_ids: Sequence[str], settings: Settings
) -> Sample:
    """Time ``call(agent_id)`` in batches of PULL_BATCH agents, taken in turn, per round."""
    batches = [agent_ids[i : i + PULL_BATCH] for i in range(0, len(agent_ids), PULL_BATCH)]
    for agent_id in batches[0]:
        call(agent_id)
    round_ns = settings.round_s * 1e9
    per_call = []
    turn = 0
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
        call = load_pull_router(agents, held, waiting).waiting_for
    ids = [agent.id for agent in agents]
    _require(all(call(agent_id) == depth for agent_id in ids[:PULL_BATCH]), "wrong badge count")
    return time_batches(call, ids, settings)


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
    router = load_pull_router(agents, held, arrivals.fresh(depth + PULL_BATCH))
    ids = [agent.id for agent in agents]
    batches = [ids[i : i + PULL_BATCH] for i in range(0, len(ids), PULL_BATCH)]
    turn = 0

    def batch() -> tuple[int, int]:
        nonlocal turn
        agent_ids = batches[turn % len(batches)]
        turn += 1
        heads = router.queued(PULL_DEPARTMENT, CHANNEL)[:PULL_BATCH]
        next_for, close = router.next_for, router.close
        start = time.perf_counter_ns()
        pulled = [next_for(agent_id) for agent_id in agent_ids]
        pulling = time.perf_counter_ns() - start
        items = [decision.item for decision in pulled if decision is not None]
        _require(items == list(heads), "next_for did not take the head of the queue")
        _require(router.queue_length(PULL_DEPARTMENT) == depth, "the queue did not shrink")
        start = time.perf_counter_ns()
        dispatched = [close(item_id) for item_id in items]
        closing = time.perf_counter_ns() - start
        _require(not any(dispatched), "closing a pulled item dispatched work")
        for item_id in items:
            router.forget(item_id)
        for item in arrivals.fresh(PULL_BATCH):
            _require(router.assign(item).status == "queued", "a pull department assigned")
        return pulling, closing

    batch()
    round_ns = settings.round_s * 1e9
    per_next: list[float] = []
    per_close: list[float] = []
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


def measure_cell(subject: str, size: int, settings: Settings) -> Sample:
    """Measure assign + close cycles of one strategy, or of the naive baseline, at one size."""
    workload = make_workload(size)
    source = ItemSource("t", SEED + 3)
    if subject == NAIVE:
        return measure_naive(workload, source, settings)
    return measure_router(subject, workload, source, settings)


def isolated(isolate: bool, function: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """
    Call *function* in a fresh interpreter, unless *isolate* is false.

    Each measurement then starts from an unfragmented heap, so its result
    does not depend on what was measured before it.
    """
    if not isolate:
        return function(*args, **kwargs)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as executor:
        return executor.submit(function, *args, **kwargs).result()


def evaluate(
    cycles: dict[str, dict[int, Sample]],
    closes: dict[str, dict[str, Sample]],
    pull: dict[str, dict[int, Sample]],
) -> list[Target]:
    """Return the issue's targets for every strategy, as far as the measured sizes allow."""
    targets = []
    naive = cycles[NAIVE]
    for strategy in (s for s in cycles if s != NAIVE):
        mine = cycles[strategy]
        if 10_000 in mine:
            targets.append(
                Target(
                    "speedup_10k",
                    strategy,
                    "speed-up over naive at 10 000 agents",
                    naive[10_000].us / mine[10_000].us,
                    50,
                    at_least=True,
                )
            )
        if 1_000 in mine and 100_000 in mine:
            targets.append(
                Target(
                    "scaling_100k_vs_1k",
                    strategy,
                    "cycle cost at 100 000 / at 1 000 agents",
                    mine[100_000].us / mine[1_000].us,
                    1.5,
                    at_least=False,
                )
            )
        if 10 in mine:
            targets.append(
                Target(
                    "small_10",
                    strategy,
                    "cycle cost / naive's at 10 agents",
                    mine[10].us / naive[10].us,
                    2,
                    at_least=False,
                )
            )
        if strategy in closes:
            targets.append(
                Target(
                    "close_queue_10k",
                    strategy,
                    f"close() with {QUEUE_DEPTH:,} queued / none queued",
                    closes[strategy]["deep"].us / closes[strategy]["idle"].us,
                    2,
                    at_least=False,
                )
            )
    shallow, deep = PULL_DEPTHS
    for key, name, limit in (
        ("waiting_for", "waiting_for_depth", 1.5),
        ("next_for", "next_for_depth", 2),
    ):
        if key in pull:
            targets.append(
                Target(
                    name,
                    "pull",
                    f"{key}() with {deep:,} queued / {shallow} queued",
                    pull[key][deep].us / pull[key][shallow].us,
                    limit,
                    at_least=False,
                )
            )
    order = [
        "speedup_10k",
        "scaling_100k_vs_1k",
        "small_10",
        "close_queue_10k",
        "waiting_for_depth",
        "next_for_depth",
    ]
    return sorted(targets, key=lambda target: order.index(target.name))


def machine() -> dict[str, Any]:
    """Describe the machine and software the numbers come from."""
    info: dict[str, Any] = {"cpu": platform.processor() or platform.machine()}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        cpuinfo = []
    fields = (
        ("model name", "cpu"),
        ("cpu family", "cpu_family"),
        ("model", "cpu_model"),
        ("cpu MHz", "cpu_mhz"),
        ("cache size", "cache"),
    )
    for key, name in fields:
        for line in cpuinfo:
            if line.split(":", 1)[0].strip() == key:
                info[name] = line.split(":", 1)[1].strip()
                break
    affinity = getattr(os, "sched_getaffinity", None)
    info.update(
        {
            "logical_cpus": os.cpu_count(),
            "usable_cpus": len(affinity(0)) if affinity else os.cpu_count(),
            "machine": platform.machine(),
            "platform": platform.platform(),
            "python": f"{platform.python_implementation()} {platform.python_version()}",
            "agentroute": metadata.version("agentroute"),
            "sortedcontainers": metadata.version("sortedcontainers"),
        }
    )
    return info


def code_info() -> dict[str, Any]:
    """
    Say which agentroute code ran: its directory, a digest of its source and, in git, the commit.

    ``modified`` tells whether tracked files under the package differ from the commit.
    ``source_sha256`` digests every ``.py`` file of the package (paths and
    contents), so two runs, or the start and end of one run, can be compared.
    """
    package = Path(agentroute.__file__).resolve().parent
    info: dict[str, Any] = {
        "path": str(package),
        "source_sha256": source_digest(package),
        "commit": None,
        "modified": None,
    }
    try:
        commit = _git(package, "rev-parse", "HEAD")
        changes = _git(package, "status", "--porcelain", "--untracked-files=no", "--", ".")
    except (OSError, subprocess.CalledProcessError):
        return info
    info.update(commit=commit, modified=bool(changes))
    return info


def source_digest(package: Path) -> str:
    """Return the SHA-256 of the package's ``.py`` files, their paths and contents."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _git(where: Path, *args: str) -> str:
    command = ["git", "-C", str(where), *args]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


def _require(condition: bool, message: str) -> None:
    """Stop the benchmark when the workload is not what it claims to be."""
    if not condition:
        raise RuntimeError(message)


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _ratio(value: float) -> str:
    return f"{value:.0f}x" if value >= 100 else f"{value:.1f}x" if value >= 1 else f"{value:.2f}x"


def render(
    info: dict[str, Any],
    settings: Settings,
    cycles: dict[str, dict[int, Sample]],
    closes: dict[str, dict[str, Sample]],
    pull: dict[str, dict[int, Sample]],
    targets: list[Target],
) -> str:
    """Return the printed report: cycle table, close table, pull table, targets."""
    names = [name for name in cycles if name != NAIVE]
    sizes = sorted(cycles[NAIVE])
    header = f"{'agents':>8}{NAIVE:>12}" + "".join(f"{name:>20}" for name in names)
    lines = [
        f"agentroute throughput on {info.get('cpu')}, {info.get('usable_cpus')} cpus, "
        f"{info.get('python')}",
        "",
        f"assign + close: µs per cycle (best of {settings.rounds} rounds) "
        "and (speed-up over naive)",
        header,
    ]
    for size in sizes:
        naive = cycles[NAIVE][size].us
        cells = "".join(
            f"{cycles[name][size].us:>11.2f} {f'({_ratio(naive / cycles[name][size].us)})':>8}"
            for name in names
        )
        lines.append(f"{size:>8,}{naive:>12.2f}{cells}")
    lines += ["", "assign + close: cycles per second", header]
    for size in sizes:
        cells = "".join(f"{cycles[name][size].per_s:>20,.0f}" for name in names)
        lines.append(f"{size:>8,}{cycles[NAIVE][size].per_s:>12,.0f}{cells}")
    if closes:
        lines += [
            "",
            f"close(), µs per call at {QUEUE_AGENTS:,} agents (best of {settings.rounds} rounds)",
            f"{'strategy':<12}{'none waiting':>14}{f'1-{CLOSE_BATCH} queued':>14}"
            f"{f'{QUEUE_DEPTH:,} queued':>16}{'deep/none':>11}{'deep/few':>10}",
        ]
        for name, sample in closes.items():
            idle, shallow, deep = (sample[kind].us for kind in CLOSE_KINDS)
            lines.append(
                f"{name:<12}{idle:>14.2f}{shallow:>14.2f}{deep:>16.2f}"
                f"{_ratio(deep / idle):>11}{_ratio(deep / shallow):>10}"
            )
    if pull:
        shallow, deep = PULL_DEPTHS
        lines += [
            "",
            f"pull department ({PULL_STRATEGY}, mode pull), {PULL_AGENTS:,} agents: "
            f"µs per call (best of {settings.rounds} rounds)",
            f"{'call':<22}{f'{shallow} queued':>14}{f'{deep:,} queued':>16}"
            f"{f'{deep:,}/{shallow}':>12}",
        ]
        for key, label in PULL_ROWS.items():
            if key in pull:
                low, high = pull[key][shallow].us, pull[key][deep].us
                lines.append(f"{label:<22}{low:>14.2f}{high:>16.2f}{_ratio(high / low):>12}")
        if "waiting_for" in pull and "naive_waiting_for" in pull:
            speedups = ", ".join(
                f"{_ratio(pull['naive_waiting_for'][depth].us / pull['waiting_for'][depth].us)}"
                f" at {depth:,} queued"
                for depth in PULL_DEPTHS
            )
            lines.append(f"waiting_for speed-up over the naive scan: {speedups}")
    lines += ["", "targets"]
    lines += [target.line() for target in targets]
    passed = sum(target.passed for target in targets)
    lines.append(f"  {passed} of {len(targets)} targets pass")
    return "\n".join(lines)


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=list(SIZES), help="agent counts to measure"
    )
    parser.add_argument(
        "--strategies", nargs="+", choices=STRATEGIES, default=list(STRATEGIES), metavar="NAME"
    )
    parser.add_argument(
        "--rounds", type=int, help="rounds per measurement (the fastest is reported)"
    )
    parser.add_argument(
        "--no-close", action="store_true", help="skip the close-with-queue measurement"
    )
    parser.add_argument(
        "--no-pull", action="store_true", help="skip the next_for / waiting_for measurement"
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="measure everything in this process instead of a fresh one per measurement",
    )
    parser.add_argument("--note", help="free text stored in the JSON, e.g. what code ran")
    parser.add_argument(
        "--output",
        type=Path,
        help=f"JSON file to write (default {RESULTS.name}; a --quick run writes only when given)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    args = parse(argv)
    settings = QUICK if args.quick else FULL
    if args.rounds:
        settings = Settings(
            args.rounds, settings.round_s, settings.min_cycles, settings.max_cycles, settings.quick
        )
    info = machine()
    code = code_info()
    started = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    isolate = not args.in_process
    cycles: dict[str, dict[int, Sample]] = {NAIVE: {}, **{name: {} for name in args.strategies}}
    for size in sorted(set(args.sizes)):
        for name in cycles:
            cycles[name][size] = isolated(isolate, measure_cell, name, size, settings)
            _progress(f"{name:>12} {size:>7,} agents {cycles[name][size].us:10.2f} µs/cycle")
    closes: dict[str, dict[str, Sample]] = {}
    if not args.no_close:
        for name in args.strategies:
            closes[name] = {
                kind: isolated(isolate, measure_closes, name, depth, settings)
                for kind, depth in CLOSE_KINDS.items()
            }
            _progress(
                f"{name:>12} close {closes[name]['idle'].us:.2f} µs idle, "
                f"{closes[name]['shallow'].us:.2f} µs with a few queued, "
                f"{closes[name]['deep'].us:.2f} µs with {QUEUE_DEPTH:,} queued"
            )
    pull: dict[str, dict[int, Sample]] = {}
    if not args.no_pull:
        pull = {key: {} for key in PULL_ROWS}
        for depth in PULL_DEPTHS:
            pull["waiting_for"][depth] = isolated(
                isolate, measure_badge, "waiting_for", depth, settings
            )
            pull["naive_waiting_for"][depth] = isolated(
                isolate, measure_badge, NAIVE, depth, settings
            )
            pull["next_for"][depth], pull["close_pulled"][depth] = isolated(
                isolate, measure_next_for, depth, settings
            )
            _progress(
                f"        pull {depth:>7,} queued: waiting_for "
                f"{pull['waiting_for'][depth].us:.2f} µs (naive scan "
                f"{pull['naive_waiting_for'][depth].us:.2f} µs), next_for "
                f"{pull['next_for'][depth].us:.2f} µs, close "
                f"{pull['close_pulled'][depth].us:.2f} µs"
            )
    package = Path(code["path"])
    code["changed_during_run"] = source_digest(package) != code["source_sha256"]
    if code["changed_during_run"]:
        _progress(f"WARNING: the agentroute source in {package} changed during the run")
    targets = evaluate(cycles, closes, pull)
    print(render(info, settings, cycles, closes, pull, targets))
    output = args.output or (None if settings.quick else RESULTS)
    if output is not None:
        result = {
            "benchmark": "agentroute assign + close throughput, and the pull calls",
            "started": started,
            "command": " ".join(["benchmarks/throughput.py", *argv]),
            "machine": info,
            "agentroute_source": code,
            "note": args.note,
            "settings": {
                "rounds": settings.rounds,
                "statistic": "fastest round (median also given)",
                "isolated": isolate,
                "round_s": settings.round_s,
                "quick": settings.quick,
                "capacity": CAPACITY,
                "background_items_per_agent": f"0..{MAX_BACKGROUND}, seeded",
                "seed": SEED,
                "close_agents": QUEUE_AGENTS,
                "close_batch": CLOSE_BATCH,
                "close_waiting_after_batch": CLOSE_KINDS,
                "pull": {
                    "department_strategy": PULL_STRATEGY,
                    "agents": PULL_AGENTS,
                    "capacity": CAPACITY,
                    "pulled_items_per_agent": f"0..{MAX_BACKGROUND}, seeded",
                    "batch": PULL_BATCH,
                    "queued": f"depth to depth + {PULL_BATCH} (next_for); depth (waiting_for)",
                    "depths": list(PULL_DEPTHS),
                },
            },
            "cycles": {
                name: {str(size): sample.to_json() for size, sample in by_size.items()}
                for name, by_size in cycles.items()
            },
            "speedup_vs_naive": {
                name: {
                    str(size): round(cycles[NAIVE][size].us / sample.us, 3)
                    for size, sample in by_size.items()
                }
                for name, by_size in cycles.items()
                if name != NAIVE
            },
            "closes": {
                name: {kind: sample.to_json() for kind, sample in by_kind.items()}
                for name, by_kind in closes.items()
            },
            "pull": {
                key: {str(depth): sample.to_json() for depth, sample in by_depth.items()}
                for key, by_depth in pull.items()
            },
            "waiting_for_speedup_vs_naive": {
                str(depth): round(
                    pull["naive_waiting_for"][depth].us / pull["waiting_for"][depth].us, 3
                )
                for depth in (PULL_DEPTHS if pull else ())
            },
            "targets": [target.to_json() for target in targets],
            "all_passed": all(target.passed for target in targets),
        }
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
