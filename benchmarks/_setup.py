"""
The benchmarks' fixtures: seeded rosters, items, routers loaded with them, the host loop.

Every workload uses the same shape: one department, one channel (``chat``),
agents with capacity 4 and a routing priority drawn from 1..100, holding
0..3 items each before timing (seeded), so loads differ and every agent
still has a free slot.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from random import Random

from naive import NaiveRouter

from agentroute import Agent, Item, Router

DEPARTMENT = "d"
PULL_DEPARTMENT = "p"
CHANNEL = "chat"
CAPACITY = 4
MAX_BACKGROUND = 3
SEED = 20_240_601
PULL_AGENTS = 1_000


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
    """Return the roster of *size* agents, their loads and the items they hold."""
    agents, held = make_roster("a", DEPARTMENT, size, SEED + size)
    background = ItemSource("bg", SEED).first(sum(held))
    return Workload(agents, held, background)


def load_router(strategy: str | None, workload: Workload) -> Router:
    """
    Return a router with the workload's agents online, each holding its background items.

    *strategy* routes the department's chats; None leaves the department's
    default. The router has no call to hand an item to a named agent, so
    each agent takes its items while it is the only one online, then steps
    away.
    """
    router = Router(seed=SEED)
    if strategy is None:
        router.add_department(DEPARTMENT)
    else:
        router.add_department(DEPARTMENT, strategies={CHANNEL: strategy})
    background = iter(workload.background)
    for agent, held in zip(workload.agents, workload.held, strict=True):
        router.add_agent(agent)
        if held:
            router.set_presence(agent.id, "online")
            for _ in range(held):
                decision = router.assign(next(background))
                require(decision.agent == agent.id, f"pre-load went to {decision.agent}")
            router.set_presence(agent.id, "away")
    for agent in workload.agents:
        router.set_presence(agent.id, "online")
    for agent, held in zip(workload.agents, workload.held, strict=True):
        require(router.load(agent.id, CHANNEL) == held, f"{agent.id} holds the wrong load")
    return router


def load_naive(workload: Workload) -> NaiveRouter:
    """Return a `NaiveRouter` with the workload's agents online and their background items."""
    naive = NaiveRouter()
    for agent in workload.agents:
        naive.add_agent(agent)
        naive.set_presence(agent.id, "online")
    background = iter(workload.background)
    for agent, held in zip(workload.agents, workload.held, strict=True):
        for _ in range(held):
            naive.assign_to(next(background), agent.id)
    return naive


def pull_agents() -> tuple[list[Agent], list[int]]:
    """Return the pull department's agents and how many items each holds before timing."""
    return make_roster("p", PULL_DEPARTMENT, PULL_AGENTS, SEED + 7)


def load_pull_router(
    agents: Sequence[Agent], held: Sequence[int], waiting: list[Item], strategy: str
) -> Router:
    """
    Return a router with a pull-only department, its agents online and *waiting* in line.

    Each agent first pulls its background items with ``next_for``; then the
    *waiting* items arrive and, with more than one agent in the router, wait
    to be pulled.
    """
    router = Router(seed=SEED)
    router.add_department(PULL_DEPARTMENT, strategies={CHANNEL: strategy}, mode="pull")
    for agent in agents:
        router.add_agent(agent)
        router.set_presence(agent.id, "online")
    for item in ItemSource("pb", SEED, PULL_DEPARTMENT).first(sum(held)):
        require(router.assign(item).status == "queued", "a pull department assigned")
    for agent, count in zip(agents, held, strict=True):
        for _ in range(count):
            decision = router.next_for(agent.id)
            require(decision is not None and decision.agent == agent.id, "pre-load failed")
        require(router.load(agent.id, CHANNEL) == count, f"{agent.id} holds the wrong load")
    for item in waiting:
        queued = router.assign(item).status == "queued" and router.status(item.id).pull
        require(queued, f"{item.id} does not wait to be pulled")
    return router


def check_cycle(strategy: str, router: Router, workload: Workload, item: Item) -> None:
    """Check one untimed cycle assigns to an agent the strategy should pick, and closes."""
    agent = router.assign(item).agent
    require(agent is not None, f"{strategy}: {item.id} was not assigned")
    load = router.load(str(agent), CHANNEL) - 1
    if strategy == "least_busy":
        require(load == min(workload.held), f"least_busy picked load {load}")
    elif strategy == "most_busy":
        require(load == max(workload.held), f"most_busy picked load {load}")
    elif strategy == "priority":
        best = min(member.priority for member in workload.agents)
        require(router.agent(str(agent)).priority == best, "priority picked a worse priority")
    require(router.close(item.id) == [], f"{strategy}: close dispatched work")


class HostLoop:
    """
    The host's loop: build an `Item`, ``assign()`` it, ``close()`` it; never ``forget()`` it.

    Ids are ``<prefix><n>``, never used twice, so the router keeps every
    closed item for as long as its retention policy says.
    """

    def __init__(self, router: Router, prefix: str = "h") -> None:
        self.router = router
        self.prefix = prefix
        self.cycles = 0

    def __call__(self, count: int) -> int:
        """Run *count* cycles; return the nanoseconds they took."""
        router, prefix = self.router, self.prefix
        numbers = range(self.cycles, self.cycles + count)
        self.cycles += count
        start = time.perf_counter_ns()
        for number in numbers:
            item = Item(f"{prefix}{number}", channel=CHANNEL, department=DEPARTMENT)
            router.assign(item)
            router.close(item.id)
        return time.perf_counter_ns() - start

    def check(self, strategy: str, workload: Workload) -> None:
        """Run one cycle, untimed, and check it went to an agent the strategy picks."""
        item = Item(f"{self.prefix}-check", channel=CHANNEL, department=DEPARTMENT)
        check_cycle(strategy, self.router, workload, item)


def require(condition: bool, message: str) -> None:
    """Stop the benchmark when the workload is not what it claims to be."""
    if not condition:
        raise RuntimeError(message)
