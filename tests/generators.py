"""
Builders and an observer shared by the example-based and the stateful tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from agentroute import CHAT, Agent, Event, Item, ManualClock, Role, Router, UnknownItemError
from agentroute._core.registry import Seat

DEPARTMENT = "billing"
"""The department every builder uses unless told otherwise."""


def make_agent(
    agent_id: str,
    *,
    capacity: Mapping[str, int] | None = None,
    departments: Mapping[str, Iterable[str]] | None = None,
    priority: int = 50,
) -> Agent:
    """
    Build an agent: by default one chat slot, serving all its channels in billing.
    """
    limits = {CHAT: 1} if capacity is None else dict(capacity)
    served = (
        {DEPARTMENT: set(limits)}
        if departments is None
        else {department: set(channels) for department, channels in departments.items()}
    )
    return Agent(agent_id, priority=priority, capacity=limits, departments=served)


def make_item(
    item_id: str,
    *,
    channel: str = CHAT,
    department: str = DEPARTMENT,
    priority: int = 50,
    sla_deadline: float | None = None,
) -> Item:
    """
    Build an item: by default a billing chat of priority 50 without a deadline.
    """
    return Item(
        item_id,
        channel=channel,
        department=department,
        priority=priority,
        sla_deadline=sla_deadline,
    )


def make_router(
    *agents: Agent | str,
    strategy: str = "least_busy",
    departments: Iterable[str] = (DEPARTMENT,),
    online: bool = True,
    seed: int = 7,
    clock: ManualClock | None = None,
) -> Router:
    """
    Build a router whose departments use *strategy* on every channel, with *agents* added.

    A string stands for ``make_agent(id)``. Agents are set online unless *online* is false.
    """
    router = Router(seed=seed, clock=ManualClock(1000.0) if clock is None else clock)
    for department in departments:
        router.add_department(department, default_strategy=strategy)
    for each in agents:
        agent = make_agent(each) if isinstance(each, str) else each
        router.add_agent(agent)
        if online:
            router.set_presence(agent.id, "online")
    return router


def observe(router: Router, items: Iterable[str] = ()) -> dict[str, object]:
    """
    Return what the public API tells about *router*, to compare before and after a call.

    The API cannot list items, so pass the ids to look at; an unknown id shows as ``None``.
    Queues are read for every department and every channel an agent or item mentions.
    """
    channels: set[str] = set()
    agents: dict[str, object] = {}
    for agent_id in router.agent_ids():
        agent = router.agent(agent_id)
        channels.update(agent.capacity)
        seats = {
            channel: (router.channel_enabled(agent_id, channel), router.load(agent_id, channel))
            for channel in agent.capacity
        }
        agents[agent_id] = (
            agent,
            router.presence(agent_id),
            seats,
            router.load(agent_id),
            router.assigned_to(agent_id),
        )
    statuses: dict[str, object] = {}
    for item_id in items:
        try:
            status = router.status(item_id)
        except UnknownItemError:
            statuses[item_id] = None
        else:
            statuses[item_id] = status
            channels.add(status.channel)
    departments = router.departments()
    queues = {
        (department, channel): router.queued(department, channel)
        for department in departments
        for channel in sorted(channels)
    }
    lengths = {department: router.queue_length(department) for department in departments}
    return {
        "departments": departments,
        "agents": agents,
        "items": statuses,
        "queues": queues,
        "queue_lengths": lengths,
    }


def picks(
    router: Router, count: int, *, prefix: str = "c", channel: str = CHAT
) -> list[str | None]:
    """
    Route *count* new billing items and return who got each (``None`` when it queued).
    """
    return [router.assign(make_item(f"{prefix}{n}", channel=channel)).agent for n in range(count)]


def make_admin(
    agent_id: str,
    *,
    role: Role = "administrator",
    departments: Mapping[str, Iterable[str]] | None = None,
) -> Agent:
    """
    Build an administrator (or an owner, by *role*): one chat slot, like ``make_agent``.
    """
    return attrs.evolve(make_agent(agent_id, departments=departments), role=role)


def record_events(router: Router, kinds: Iterable[str] | None = None) -> list[Event]:
    """
    Subscribe to *router* and return the list every delivered event is appended to.
    """
    events: list[Event] = []
    router.subscribe(events.append, kinds)
    return events


def book(seat: Seat, item_id: str, tick: int) -> None:
    """Book *item_id* on *seat* as the dispatcher does, and tell its pools."""
    seat.held[item_id] = tick
    seat.load += 1
    seat.last_assigned = seat.idle_since = tick
    seat.refresh()


def release(seat: Seat, item_id: str, tick: int) -> None:
    """Release *item_id* from *seat* as the dispatcher does, and tell its pools."""
    del seat.held[item_id]
    seat.load -= 1
    seat.idle_since = tick
    seat.refresh()


def chat_desk(agents: int = 1, slots: int = 1, **changes: Any) -> dict[str, Any]:
    """
    Return a simulation scenario of *agents* chat agents ``a0``... of *slots* slots, no arrivals.

    One department, ``support``, routes chats ``least_busy``; handling takes
    300 s on average; the run lasts an hour. *changes* replace or add keys.
    """
    scenario: dict[str, Any] = {
        "router": {
            "departments": {"support": {"strategies": {"chat": "least_busy"}}},
            "agents": {
                f"a{n}": {"capacity": {"chat": slots}, "departments": {"support": ["chat"]}}
                for n in range(agents)
            },
        },
        "handling": {"chat": {"mean_s": 300}},
        "duration_s": 3600,
    }
    scenario.update(changes)
    return scenario
