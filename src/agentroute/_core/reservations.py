"""
Items that wait for particular agents: dedicated to the customer's group, or sticky.

A department may send an item first to certain agents: those it dedicates
to the item's ``group``, or the agent who last handled its ``customer``.
When none of them can take it now, the item may wait for them (a
reservation) rather than go to the strategy: it stands in a line per agent,
kept apart from the pool's queue, and the first of them to be free takes
it. A timer ends the wait; the item then joins the queue as any other,
keeping its arrival. Reserved work goes before the queue to its agents.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Final, NamedTuple

from sortedcontainers import SortedList

from agentroute._core import sla
from agentroute._core.items import ItemRecord
from agentroute._core.queue import QueueKey, Steps
from agentroute.events import ItemQueued
from agentroute.model import Decision

if TYPE_CHECKING:
    from agentroute._core.core import Core
    from agentroute._core.dispatch import Dispatch
    from agentroute._core.pools import Pool
    from agentroute._core.registry import AgentRecord

__all__ = [
    "RESERVED",
    "Preference",
    "Reservations",
    "expire",
    "preference",
    "release_agent",
    "reserve",
    "serve",
    "unreserve",
]

RESERVED: Final = "reserved"
"""The timer kind that ends an item's wait for its agents; keyed by the item id."""


class Preference(NamedTuple):
    """Who an item should go to first, why (the decision's label), and how long to wait."""

    label: str
    agents: tuple[str, ...]
    wait_s: float | None


def preference(dispatch: Dispatch, pool: Pool, record: ItemRecord, at: float) -> Preference | None:
    """Return the agents *record* goes to first in *pool*: dedicated ones, else its last agent."""
    settings = pool.settings
    item = record.item
    if item.group is not None:
        agents = settings.dedicated.get(item.group)
        if agents is not None:
            return Preference("dedicated", agents, settings.dedicated_wait_s)
    if settings.sticky and item.customer is not None:
        handled = dispatch.customers.last(item.customer)
        if handled is not None:
            agent, when, _ = handled
            age = settings.sticky_max_age_s
            if age is None or at - when <= age:
                return Preference("sticky", (agent,), settings.sticky_wait_s)
    return None


class Reservations:
    """Per agent, the items of one pool waiting for them, most important first."""

    __slots__ = ("by_agent",)

    def __init__(self) -> None:
        self.by_agent: dict[str, SortedList[QueueKey]] = {}

    def __bool__(self) -> bool:
        return bool(self.by_agent)

    def add(self, key: QueueKey, agents: Iterable[str], steps: Steps) -> None:
        """Make the item of *key* wait for each of *agents*."""
        for agent in agents:
            line = self.by_agent.get(agent)
            if line is None:
                line = self.by_agent[agent] = SortedList()
                steps.append((self.by_agent.pop, agent))
            line.add(key)
            steps.append((line.remove, key))

    def remove(self, key: QueueKey, agents: Iterable[str], steps: Steps) -> None:
        """Stop the item of *key* waiting for each of *agents*."""
        for agent in agents:
            line = self.by_agent[agent]
            line.remove(key)
            steps.append((line.add, key))
            if not line:
                del self.by_agent[agent]
                steps.append((self.by_agent.__setitem__, agent, line))

    def position(self, key: QueueKey, agent: str) -> int:
        """Return the 1-based place of the item of *key* among those waiting for *agent*."""
        return self.by_agent[agent].bisect_left(key) + 1


def reserve(
    dispatch: Dispatch,
    record: ItemRecord,
    pool: Pool,
    agents: tuple[str, ...],
    wait: Preference,
    at: float,
) -> Decision:
    """Make a routed item wait for *agents* (members of *pool*), for *wait*'s time at most."""
    key = record.key
    dispatch.set_item(record, "queued", None, None)
    if record.item.sla_deadline is not None:
        sla.waits_again(dispatch.timers, record.item.id, at)
    dispatch.undo.push(setattr, record, "waiting_for", record.waiting_for)
    record.waiting_for = agents
    pool.reserved.add(key, agents, dispatch.undo.steps)
    if wait.wait_s is not None:
        dispatch.timers.set(RESERVED, record.item.id, at + wait.wait_s)
    if ItemQueued.kind in dispatch.bus.wanted:
        dispatch.bus.emit(ItemQueued(at, record.item.id, pool.department, pool.channel, False))
    names = ", ".join(repr(agent) for agent in agents)
    why = "dedicated to its group" if wait.label == "dedicated" else "who last helped the customer"
    return Decision(
        record.item.id,
        "queued",
        None,
        pool.department,
        pool.channel,
        wait.label,
        position=pool.reserved.position(key, agents[0]),
        reason=f"waits for {names}, {why}",
    )


def unreserve(dispatch: Dispatch, record: ItemRecord) -> None:
    """End an item's wait for its agents (it is taken, closed, moved, or the wait is over)."""
    record.pool.reserved.remove(record.key, record.waiting_for, dispatch.undo.steps)
    dispatch.undo.push(setattr, record, "waiting_for", record.waiting_for)
    record.waiting_for = ()
    dispatch.timers.cancel(RESERVED, record.item.id)


def serve(dispatch: Dispatch, pool: Pool, at: float) -> list[Decision]:
    """
    Give reserved items to their free agents, most important item first.

    Each item goes to the first agent of its list who is free here.
    """
    decisions: list[Decision] = []
    reserved = pool.reserved
    records = dispatch.items.records
    while True:
        best: QueueKey | None = None
        for agent, line in reserved.by_agent.items():
            if pool.free_seat(agent) is not None and (best is None or line[0] < best):
                best = line[0]
        if best is None:
            return decisions
        record = records[best[3]]
        seat = next(s for a in record.waiting_for if (s := pool.free_seat(a)) is not None)
        label = "dedicated" if record.item.group in pool.settings.dedicated else "sticky"
        unreserve(dispatch, record)
        decisions.append(dispatch.book(record, seat, at, label))


def expire(core: Core, item_id: str, at: float) -> list[Decision]:
    """End an item's wait for its agents: it joins the queue, and the strategy may take it."""
    record = core.items.records[item_id]
    dispatch = core.dispatch
    unreserve(dispatch, record)
    return _to_queue(dispatch, [record], at)


def _to_queue(dispatch: Dispatch, records: list[ItemRecord], at: float) -> list[Decision]:
    for record in records:
        dispatch.wait(record, at, pull=False)
    return dispatch.requeued(records, (), at)


def release_agent(
    core: Core, holder: AgentRecord, at: float, keep: Iterable[tuple[str, str]] = ()
) -> list[ItemRecord]:
    """
    Stop items waiting for *holder* except in the (department, channel) pairs *keep*.

    An item left waiting for nobody joins its queue; returns those items.
    """
    kept = set(keep)
    agent = holder.agent.id
    dispatch = core.dispatch
    steps = core.undo.steps
    back = []
    for seat in holder.seats.values():
        for pool in seat.pools:
            line = pool.reserved.by_agent.get(agent)
            if line is None or (pool.department, pool.channel) in kept:
                continue
            for key in list(line):
                record = core.items.records[key[3]]
                others = tuple(a for a in record.waiting_for if a != agent)
                if others:
                    pool.reserved.remove(key, (agent,), steps)
                    core.undo.push(setattr, record, "waiting_for", record.waiting_for)
                    record.waiting_for = others
                else:
                    unreserve(dispatch, record)
                    dispatch.wait(record, at, pull=False)
                    back.append(record)
    return back
