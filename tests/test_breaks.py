"""
Breaks and the timers that end them: out of routing until ``advance()`` says the time is up.
"""

from __future__ import annotations

import json

import pytest

from agentroute import (
    InvalidStateError,
    InvalidValueError,
    ManualClock,
    NotEligibleError,
    Router,
    UnknownAgentError,
)
from agentroute._core.timers import Timers
from agentroute._core.undo import UndoLog
from agentroute.events import AgentBreakEnded, AgentBreakStarted, AgentPresenceChanged
from tests.generators import make_agent, make_item, make_router, record_events


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1000.0)


def test_an_agent_on_a_break_gets_no_work_and_keeps_what_they_hold(clock: ManualClock) -> None:
    router = make_router(make_agent("ana", capacity={"chat": 2}), clock=clock)
    router.assign(make_item("c1"))

    router.start_break("ana", 600, reason="lunch")

    assert router.assign(make_item("c2")).status == "queued"
    assert router.assigned_to("ana") == ("c1",)
    assert router.break_until("ana") == 1600.0
    assert router.next_deadline() == 1600.0


def test_advance_ends_the_break_when_due_and_hands_out_waiting_work(clock: ManualClock) -> None:
    router = make_router("ana", clock=clock)
    router.start_break("ana", 600)
    router.assign(make_item("c1"))
    events = record_events(router)

    clock.advance(599)
    assert router.advance() == []
    clock.advance(1)
    decisions = router.advance()

    assert [(d.item, d.agent) for d in decisions] == [("c1", "ana")]
    assert router.break_until("ana") is None
    assert router.next_deadline() is None
    assert events[0] == AgentBreakEnded(1600.0, "ana", early=False)


def test_end_break_brings_an_agent_back_early(clock: ManualClock) -> None:
    router = make_router("ana", clock=clock)
    events = record_events(router)
    router.start_break("ana", 600, reason="coffee")
    router.assign(make_item("c1"))

    decisions = router.end_break("ana")

    assert [d.agent for d in decisions] == ["ana"]
    assert router.next_deadline() is None
    assert events[0] == AgentBreakStarted(1000.0, "ana", 1600.0, "coffee")
    assert AgentBreakEnded(1000.0, "ana", early=True) in events


def test_a_new_break_replaces_the_one_running(clock: ManualClock) -> None:
    router = make_router("ana", clock=clock)
    router.start_break("ana", 600)
    clock.advance(100)

    router.start_break("ana", 60)

    assert (router.break_until("ana"), router.next_deadline()) == (1160.0, 1160.0)


def test_timers_due_together_fire_in_the_order_they_were_set(clock: ManualClock) -> None:
    router = make_router("ana", "bob", "cy", clock=clock)
    router.start_break("cy", 60)
    router.start_break("ana", 30)
    clock.advance(30)
    router.start_break("bob", 30)  # due at 1060, with cy, but set later
    for n in range(3):
        router.assign(make_item(f"c{n}"))
    clock.advance(100)

    decisions = router.advance()

    assert [d.agent for d in decisions] == ["ana", "cy", "bob"]  # by due time, then as set


def test_a_break_keeps_an_agent_from_claiming_or_taking_next(clock: ManualClock) -> None:
    router = Router(clock=clock)
    router.add_department("billing", mode="pull")
    router.add_agent(make_agent("ana"))
    router.add_agent(make_agent("bob"))
    for agent in ("ana", "bob"):
        router.set_presence(agent, "online")
    router.assign(make_item("c1"))
    router.start_break("ana", 60)

    with pytest.raises(NotEligibleError, match="is on a break"):
        router.claim("c1", "ana")
    with pytest.raises(NotEligibleError, match="end_break"):
        router.next_for("ana")


def test_presence_changes_are_events(clock: ManualClock) -> None:
    router = make_router("ana", clock=clock, online=False)
    events = record_events(router, ["presence"])

    router.set_presence("ana", "online")
    router.set_presence("ana", "online")
    router.set_presence("ana", "away")

    assert events == [
        AgentPresenceChanged(1000.0, "ana", "online", "offline"),
        AgentPresenceChanged(1000.0, "ana", "away", "online"),
    ]


@pytest.mark.parametrize("seconds", [0, -5, float("inf"), "60", True])
def test_a_break_needs_a_positive_length(clock: ManualClock, seconds: object) -> None:
    router = make_router("ana", clock=clock)

    with pytest.raises(InvalidValueError, match="seconds: must be a number > 0"):
        router.start_break("ana", seconds)  # type: ignore[arg-type]


def test_bad_break_calls_are_refused(clock: ManualClock) -> None:
    router = make_router("ana", clock=clock)

    with pytest.raises(InvalidValueError, match="reason"):
        router.start_break("ana", 60, reason=5)  # type: ignore[arg-type]
    with pytest.raises(UnknownAgentError):
        router.start_break("zoe", 60)
    with pytest.raises(UnknownAgentError):
        router.break_until("zoe")
    with pytest.raises(InvalidStateError, match="not on a break"):
        router.end_break("ana")


def test_breaks_and_timers_survive_a_snapshot_and_the_journal(clock: ManualClock) -> None:
    entries: list[dict[str, object]] = []
    router = Router(seed=3, clock=clock, journal=entries.append)
    router.add_department("billing")
    for agent in ("ana", "bob"):
        router.add_agent(make_agent(agent))
        router.set_presence(agent, "online")
    router.start_break("ana", 60, reason="lunch")
    router.start_break("bob", 60)
    router.assign(make_item("c1"))
    data = json.loads(json.dumps(router.snapshot()))
    restored = Router.restore(data, clock=clock)
    replica = Router(seed=3)
    for entry in entries:
        replica.apply(entry)

    assert restored.snapshot() == data == replica.snapshot()
    assert data["timers"] == [
        {"due": 1060.0, "seq": 1, "kind": "break", "key": "ana", "held": False},
        {"due": 1060.0, "seq": 2, "kind": "break", "key": "bob", "held": False},
    ]
    clock.advance(60)
    assert router.advance() == restored.advance()
    assert router.snapshot() == restored.snapshot()


def test_a_failed_advance_changes_nothing(clock: ManualClock) -> None:
    router = make_router("ana", "bob", clock=clock)
    router.start_break("ana", 10)
    router.start_break("bob", 20)
    router.assign(make_item("c1"))
    before = router.snapshot()
    clock.advance(30)

    def fail(entry: object) -> None:
        raise OSError("disk full")

    router._core.journal = fail
    with pytest.raises(Exception, match="journal"):
        router.advance()

    assert router.snapshot() == before
    assert router.next_deadline() == 1010.0


def test_timers_set_cancel_and_fire_in_order() -> None:
    undo = UndoLog()
    timers = Timers(undo)
    timers.set("break", "ana", 50.0)
    timers.set("break", "bob", 50.0)
    timers.set("break", "ana", 70.0)

    assert (len(timers), timers.due("break", "ana"), timers.due("break", "cy")) == (2, 70.0, None)
    assert timers.cancel("break", "cy") is False
    assert timers.pop_due(60.0) == (50.0, 2, "break", "bob")
    assert timers.pop_due(60.0) is None
    undo.rollback()
    assert (timers.all(), timers.count) == ([], 0)


def test_a_held_timer_keeps_its_place_among_equal_times() -> None:
    undo = UndoLog()
    timers = Timers(undo)
    timers.set("sla_breach", "c1", 50.0, held=True)  # set first, off the schedule
    timers.set("sla_breach", "c2", 50.0)
    assert (timers.all(), timers.held()) == (
        [(50.0, 2, "sla_breach", "c2")],
        [(50.0, 1, "sla_breach", "c1")],
    )

    timers.let_go("sla_breach", "c1", 10.0)

    assert timers.pop_due(60.0) == (50.0, 1, "sla_breach", "c1")
    undo.rollback()
    assert (timers.all(), timers.held(), timers.count) == ([], [], 0)


def test_a_removed_agent_takes_their_timers_with_them(clock: ManualClock) -> None:
    router = Router(clock=clock)
    router.add_department("billing", requeue_offline_after_s=30)
    for agent in ("ana", "bob"):
        router.add_agent(make_agent(agent))
        router.set_presence(agent, "online")
    router.assign(make_item("c1"))
    router.start_break("bob", 60)
    router.set_presence("ana", "offline")

    router.remove_agent("ana", requeue=True)
    router.remove_agent("bob")
    router.add_agent(make_agent("bob"))
    events = record_events(router)
    clock.advance(60)

    assert router.next_deadline() is None
    assert Router.restore(router.snapshot()).snapshot() == router.snapshot()
    assert (router.advance(), events) == ([], [])
