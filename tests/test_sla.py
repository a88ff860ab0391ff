"""
SLA timers: a warning before a waiting item's deadline, the breach at it, and escalation.
"""

from __future__ import annotations

import json

import pytest

from agentroute import HostCodeError, InvalidValueError, ManualClock, Router
from agentroute.events import SlaBreached, SlaWarning
from tests.generators import make_agent, make_item, record_events


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1000.0)


def desk(clock: ManualClock, **settings: object) -> Router:
    """One chat agent, busy with c0; billing with *settings*."""
    router = Router(clock=clock)
    router.add_department("billing", **settings)  # type: ignore[arg-type]
    router.add_agent(make_agent("ana"))
    router.set_presence("ana", "online")
    router.assign(make_item("c0"))
    return router


def test_a_waiting_item_warns_then_breaches(clock: ManualClock) -> None:
    router = desk(clock, sla_warning_s=60)
    events = record_events(router, ["sla_warning", "sla_breach"])
    router.assign(make_item("c1", sla_deadline=1300.0))

    assert router.next_deadline() == 1240.0
    clock.advance(240)
    router.advance()
    clock.advance(60)
    router.advance()

    assert events == [
        SlaWarning(1240.0, "c1", "billing", 1300.0),
        SlaBreached(1300.0, "c1", "billing", 1300.0, 50),
    ]
    assert router.next_deadline() is None


def test_an_answered_items_timers_are_held_and_count_again_when_it_waits(
    clock: ManualClock,
) -> None:
    router = desk(clock, sla_warning_s=60)
    events = record_events(router, ["sla_warning", "sla_breach"])
    router.assign(make_item("c1", sla_deadline=1300.0))
    router.assign(make_item("c2", sla_deadline=1300.0))
    router.close("c0")  # ana takes c1: its timers are held, c2's still count
    assert router.status("c1").agent == "ana"
    held = router.snapshot()["timers"]

    router.set_presence("ana", "away")
    router.requeue("c1")  # c1 waits again, ahead of c2 among equal times as when it arrived

    assert [(t["key"], t["kind"], t["held"]) for t in held] == [
        ("c2", "sla_warning", False),
        ("c2", "sla_breach", False),
        ("c1", "sla_warning", True),
        ("c1", "sla_breach", True),
    ]
    assert router.status("c1").state == "queued"
    clock.set(1300.0)
    router.advance()
    assert events == [
        SlaWarning(1300.0, "c1", "billing", 1300.0),
        SlaWarning(1300.0, "c2", "billing", 1300.0),
        SlaBreached(1300.0, "c1", "billing", 1300.0, 50),
        SlaBreached(1300.0, "c2", "billing", 1300.0, 50),
    ]
    router._check()


def test_a_deadline_that_passed_while_answered_is_dropped(clock: ManualClock) -> None:
    router = desk(clock, sla_warning_s=60)
    events = record_events(router, ["sla_warning", "sla_breach"])
    router.assign(make_item("c1", sla_deadline=1300.0))
    router.close("c0")  # ana takes c1 before its warning
    clock.set(1250.0)
    assert router.next_deadline() is None  # nothing to wake the host for

    router.set_presence("ana", "away")
    router.requeue("c1")  # past the warning time, before the deadline: only the breach counts

    assert router.next_deadline() == 1300.0
    clock.set(1400.0)
    router.advance()
    assert events == [SlaBreached(1400.0, "c1", "billing", 1300.0, 50)]
    router._check()


def test_an_answered_item_raises_nothing(clock: ManualClock) -> None:
    router = desk(clock, sla_warning_s=60)
    events = record_events(router, ["sla_warning", "sla_breach"])
    router.assign(make_item("c1", sla_deadline=1300.0))
    router.close("c0")  # c1 goes to ana
    router.close("c1")

    clock.advance(400)

    assert (router.next_deadline(), router.advance(), events) == (None, [], [])


def test_an_item_assigned_before_the_deadline_is_not_breached(clock: ManualClock) -> None:
    router = desk(clock)
    events = record_events(router, ["sla_breach"])
    router.assign(make_item("c1", sla_deadline=1300.0))
    router.close("c0")  # ana takes c1 and keeps it

    clock.advance(400)
    router.advance()

    assert events == []


def test_a_breached_item_is_escalated_to_the_front(clock: ManualClock) -> None:
    router = desk(clock, sla_escalate_to=5)
    router.assign(make_item("early", priority=10))
    router.assign(make_item("late", priority=30, sla_deadline=1100.0))
    assert router.queued("billing", "chat") == ("early", "late")

    clock.advance(100)
    router.advance()

    assert router.queued("billing", "chat") == ("late", "early")
    assert router.status("late").position == 1
    assert [d.item for d in router.close("c0")] == ["late"]


def test_escalation_never_lowers_a_priority(clock: ManualClock) -> None:
    router = desk(clock, sla_escalate_to=20)
    events = record_events(router, ["sla_breach"])
    router.assign(make_item("c1", priority=3, sla_deadline=1100.0))
    clock.advance(100)

    router.advance()

    assert events == [SlaBreached(1100.0, "c1", "billing", 1100.0, 3)]


def test_no_warning_when_the_deadline_is_too_close(clock: ManualClock) -> None:
    router = desk(clock, sla_warning_s=600)
    router.assign(make_item("c1", sla_deadline=1300.0))

    assert router.next_deadline() == 1300.0


def test_a_deadline_already_passed_sets_no_timer(clock: ManualClock) -> None:
    router = desk(clock)
    router.assign(make_item("c1", sla_deadline=900.0))

    assert router.next_deadline() is None


def test_a_reopened_item_is_watched_again(clock: ManualClock) -> None:
    router = desk(clock)
    router.assign(make_item("c1", sla_deadline=1500.0))
    router.close("c1")
    assert router.next_deadline() is None

    router.reopen("c1")

    assert router.next_deadline() == 1500.0


def test_sla_timers_survive_a_snapshot(clock: ManualClock) -> None:
    router = desk(clock, sla_warning_s=60, sla_escalate_to=1)
    router.assign(make_item("c1", priority=40, sla_deadline=1300.0))
    data = json.loads(json.dumps(router.snapshot()))
    restored = Router.restore(data, clock=clock)
    clock.advance(300)

    assert restored.snapshot() == data
    assert restored.advance() == router.advance()
    assert restored.snapshot() == router.snapshot()
    assert [t["kind"] for t in data["timers"]] == ["sla_warning", "sla_breach"]


@pytest.mark.parametrize(
    ("settings", "path"),
    [
        ({"sla_warning_s": -1}, "sla_warning_s"),
        ({"sla_warning_s": "60"}, "sla_warning_s"),
        ({"sla_escalate_to": 0}, "sla_escalate_to"),
        ({"sla_escalate_to": 1.5}, "sla_escalate_to"),
    ],
)
def test_bad_sla_settings_are_refused(settings: dict[str, object], path: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        Router().add_department("billing", **settings)  # type: ignore[arg-type]

    assert caught.value.path == path


def test_a_failed_call_that_answered_an_item_leaves_its_timers_counting(
    clock: ManualClock,
) -> None:
    """A journal that refuses the close undoes the hand-over and the hold of the timers."""
    refuse = [False]

    def journal(entry: object) -> None:
        if refuse[0]:
            raise OSError("disk full")

    router = Router(clock=clock, journal=journal)
    router.add_department("billing")
    router.add_agent(make_agent("ana"))
    router.set_presence("ana", "online")
    router.assign(make_item("c0"))
    router.assign(make_item("c1", sla_deadline=1300.0))
    before = router.snapshot()
    refuse[0] = True

    with pytest.raises(HostCodeError):
        router.close("c0")  # would hand c1 to ana

    assert router.snapshot() == before
    assert (router.status("c1").state, router.next_deadline()) == ("queued", 1300.0)
    router._check()


def test_a_late_advance_requeues_as_of_the_due_time_and_reports_the_breach(
    clock: ManualClock,
) -> None:
    """Ana goes offline holding c1; the requeue was due at 1040, the deadline at 1060."""
    router = Router(clock=clock)
    router.add_department("billing", requeue_offline_after_s=40)
    router.add_agent(make_agent("ana"))
    router.set_presence("ana", "online")
    events = record_events(router, ["queued", "sla_breach"])
    router.assign(make_item("c1", sla_deadline=1060.0))
    router.set_presence("ana", "offline")
    assert router.next_deadline() == 1040.0  # the requeue; c1's deadline is held

    clock.set(1100.0)  # the host calls late
    router.advance()

    assert [(type(e).__name__, e.at) for e in events] == [
        ("ItemQueued", 1100.0),
        ("SlaBreached", 1100.0),  # it waited from 1040, so 1060 passed while it waited
    ]
    assert router.next_deadline() is None
    router._check()
