from __future__ import annotations

from typing import Any

import pytest

from agentroute import Agent, UnknownAgentError
from agentroute._core.pools import HostGuard, Pool
from agentroute._core.registry import AgentRecord, Registry, Seat
from agentroute._core.undo import UndoLog
from agentroute.model import Department
from agentroute.strategies import LeastBusy
from tests.generators import book, release


def chat_pool(department: str = "billing") -> Pool:
    return Pool(Department(department), "chat", "least_busy", LeastBusy(), UndoLog(), HostGuard())


def test_new_seat_is_empty_and_disabled() -> None:
    """A seat starts with no load, never assigned, and disabled (the agent is offline)."""
    seat = Seat("ana", "chat", 10, 2, {})

    assert (0, 0, 0, False, False, []) == (
        seat.load,
        seat.last_assigned,
        seat.idle_since,
        seat.enabled,
        seat.is_free,
        seat.pools,
    )


@pytest.mark.parametrize(
    ("enabled", "load", "limit", "free"),
    [(True, 0, 1, True), (True, 1, 1, False), (False, 0, 1, False), (True, 3, 1, False)],
)
def test_is_free_needs_enabled_and_a_slot(enabled: bool, load: int, limit: int, free: bool) -> None:
    """A seat is free only when enabled with load below its limit."""
    seat = Seat("ana", "chat", 10, limit, {})
    seat.enabled = enabled
    seat.load = load

    actual = seat.is_free

    assert free == actual


def test_book_and_release_count_and_stamp() -> None:
    """book() adds load and stamps both counters; release() removes load and stamps idle only."""
    held: dict[str, int] = {}
    seat = Seat("ana", "chat", 10, 2, held)

    book(seat, "c1", 4)
    booked = (seat.load, seat.last_assigned, seat.idle_since, list(held))
    release(seat, "c1", 9)
    released = (seat.load, seat.last_assigned, seat.idle_since, list(held))

    assert ((1, 4, 4, ["c1"]), (0, 4, 9, [])) == (booked, released)


def test_book_and_release_tell_every_pool() -> None:
    """Each change re-ranks the seat in every pool it belongs to."""
    seat = Seat("ana", "chat", 10, 1, {})
    seat.enabled = True
    billing, sales = chat_pool("billing"), chat_pool("sales")
    billing.join(seat)
    sales.join(seat)

    book(seat, "c1", 1)
    while_full = (billing.free_agents(), sales.free_agents())
    release(seat, "c1", 2)

    assert (([], []), (["ana"], ["ana"])) == (
        while_full,
        (billing.free_agents(), sales.free_agents()),
    )


def test_seat_repr() -> None:
    """The repr shows load against limit."""
    seat = Seat("ana", "chat", 10, 3, {})

    assert "Seat('ana', 'chat', load=0/3, enabled=False)" == repr(seat)


def test_record_starts_offline_with_one_seat_per_capacity() -> None:
    """A record is offline, all channels on, with a seat per channel of capacity."""
    agent = Agent("ana", priority=7, capacity={"chat": 2, "call": 1})

    record = AgentRecord(agent)

    assert ("offline", ["call", "chat"], {}, {}) == (
        record.presence,
        list(record.seats),
        record.channels_off,
        record.items,
    )
    assert [(7, 1), (7, 2)] == [(s.priority, s.limit) for s in record.seats.values()]


def test_seats_count_into_the_records_items() -> None:
    """Items booked on any of an agent's seats are listed in the record, oldest booking first."""
    record = AgentRecord(Agent("ana", capacity={"chat": 2, "call": 1}))

    book(record.seats["chat"], "c2", 3)
    book(record.seats["call"], "k1", 2)
    book(record.seats["chat"], "c1", 1)
    release(record.seats["chat"], "c1", 4)

    assert ["k1", "c2"] == record.held_in_order()


def test_new_seat_uses_the_current_definition() -> None:
    """new_seat() builds a seat with the record's current id and priority."""
    record = AgentRecord(Agent("ana", priority=7))
    record.agent = Agent("ana", priority=3)

    seat = record.new_seat("email", 4)

    assert ("ana", "email", 3, 4) == (seat.agent, seat.channel, seat.priority, seat.limit)


@pytest.mark.parametrize(
    ("presence", "off", "enabled"),
    [("online", False, True), ("online", True, False), ("away", False, False)],
)
def test_seat_enabled_needs_online_and_channel_on(presence: Any, off: bool, enabled: bool) -> None:
    """A channel takes work only while the agent is online and has it switched on."""
    record = AgentRecord(Agent("ana", capacity={"chat": 1}))
    record.presence = presence
    if off:
        record.channels_off["chat"] = None

    actual = record.seat_enabled("chat")

    assert enabled == actual


def test_registry_keeps_insertion_order() -> None:
    """records() lists agents in the order they were added."""
    registry = Registry()
    for agent_id in ["zoe", "ana", "max"]:
        registry.put(AgentRecord(Agent(agent_id)))

    ids = [record.agent.id for record in registry.records()]

    assert (["zoe", "ana", "max"], 3) == (ids, len(registry))


def test_registry_get_drop_and_owner() -> None:
    """get() returns the record; the owner is tracked; after drop() the id is unknown."""
    registry = Registry()
    added = AgentRecord(Agent("ana", role="owner"))
    registry.put(added)

    found = registry.get("ana")
    owner = registry.owner
    registry.drop("ana")

    assert (added, "ana", None) == (found, owner, registry.owner)
    assert "ana" not in registry


def test_registry_reset_restores_order_and_owner() -> None:
    """reset() puts back exactly the records given, in order: an undo step."""
    registry = Registry()
    records = [AgentRecord(Agent(name)) for name in ["zoe", "ana"]]
    registry.put(records[0])

    registry.reset(records, "zoe")

    assert (records, "zoe", registry.get("zoe")) == (registry.records(), registry.owner, records[0])
    assert registry.only() is None


@pytest.mark.parametrize("agent_id", ["nobody", ["not", "hashable"]])
def test_registry_get_unknown_raises_unknown_agent(agent_id: Any) -> None:
    """An unknown or unhashable id raises UnknownAgentError, never KeyError or TypeError."""
    registry = Registry()

    with pytest.raises(UnknownAgentError, match=r"add it first with Router\.add_agent") as info:
        registry.get(agent_id)

    assert agent_id == info.value.agent
