"""
Weekly schedules: agents go in and out of routing at their shift boundaries, local time.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from agentroute import (
    InvalidValueError,
    ManualClock,
    NotEligibleError,
    Router,
    Schedule,
    Shift,
    UnknownAgentError,
)
from agentroute.events import AgentShiftChanged
from tests.generators import make_agent, make_item, make_router, record_events

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def at(text: str, zone: ZoneInfo = BERLIN) -> float:
    """Return the POSIX seconds of a local time such as "2026-03-02 08:00"."""
    return datetime.fromisoformat(text).replace(tzinfo=zone).timestamp()


def local(seconds: float | None, zone: ZoneInfo = BERLIN) -> str:
    assert seconds is not None
    return datetime.fromtimestamp(seconds, zone).strftime("%a %Y-%m-%d %H:%M %Z")


@pytest.mark.parametrize(
    ("moment", "on", "change"),
    [
        ("2026-03-02 07:59", False, "Mon 2026-03-02 08:00 CET"),  # a Monday
        ("2026-03-02 08:00", True, "Mon 2026-03-02 16:00 CET"),
        ("2026-03-06 16:00", False, "Mon 2026-03-09 08:00 CET"),  # Friday evening: the weekend
    ],
)
def test_a_day_shift_starts_and_ends_on_time(moment: str, on: bool, change: str) -> None:
    day = Schedule("Europe/Berlin", [Shift(WEEKDAYS, "08:00", "16:00")])

    assert (day.is_on(at(moment)), local(day.next_change(at(moment)))) == (on, change)


def test_a_night_shift_runs_over_midnight() -> None:
    nights = Schedule("Europe/Berlin", [Shift(["fri", "sat"], "22:00", "06:00")])

    assert nights.is_on(at("2026-03-07 03:00"))  # Saturday night, from Friday's shift
    assert not nights.is_on(at("2026-03-07 12:00"))
    assert local(nights.next_change(at("2026-03-08 05:00"))) == "Sun 2026-03-08 06:00 CET"
    assert local(nights.next_change(at("2026-03-08 07:00"))) == "Fri 2026-03-13 22:00 CET"


def test_shifts_keep_local_time_across_daylight_saving_changes() -> None:
    early = Schedule("Europe/Berlin", [Shift(["sat", "sun", "mon"], "08:00", "16:00")])
    # Clocks go forward on Sunday 2026-03-29 at 02:00 in Berlin.
    saturday_end = early.next_change(at("2026-03-28 09:00"))
    sunday_start = early.next_change(saturday_end)  # type: ignore[arg-type]

    assert local(sunday_start) == "Sun 2026-03-29 08:00 CEST"
    assert sunday_start - saturday_end == 15 * 3600  # type: ignore[operator]  # one hour short


def test_a_shift_across_the_autumn_change_lasts_an_hour_longer() -> None:
    nights = Schedule("Europe/Berlin", [Shift(["sat"], "22:00", "06:00")])
    start = at("2026-10-24 22:00")

    end = nights.next_change(start)

    assert end - start == 9 * 3600  # type: ignore[operator]  # 2026-10-25 03:00 CEST -> 02:00 CET
    assert local(end) == "Sun 2026-10-25 06:00 CET"


def test_a_local_time_skipped_by_the_change_counts_an_hour_later() -> None:
    small_hours = Schedule("Europe/Berlin", [Shift(["sun"], "02:30", "05:00")])

    start = small_hours.next_change(at("2026-03-29 00:00"))

    assert local(start) == "Sun 2026-03-29 03:30 CEST"


def test_overlapping_and_adjacent_shifts_make_one_stretch() -> None:
    split = Schedule("UTC", [Shift(["mon"], "08:00", "12:00"), Shift(["mon"], "12:00", "18:00")])
    utc = ZoneInfo("UTC")

    assert local(split.next_change(at("2026-03-02 09:00", utc)), utc) == "Mon 2026-03-02 18:00 UTC"


def test_a_schedule_that_never_changes_has_no_next_change() -> None:
    always = Schedule(
        "UTC", [Shift(["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "00:00", "00:00")]
    )
    never = Schedule("UTC", [])

    assert (always.is_on(0.0), always.next_change(0.0)) == (True, None)
    assert (never.is_on(0.0), never.next_change(0.0)) == (False, None)


@pytest.mark.parametrize(
    ("build", "path"),
    [
        (lambda: Shift([], "08:00", "16:00"), "Shift.days"),
        (lambda: Shift("mon", "08:00", "16:00"), "Shift.days"),
        (lambda: Shift(["monday"], "08:00", "16:00"), "Shift.days"),
        (lambda: Shift(["mon"], "8:00", "16:00"), "Shift.start"),
        (lambda: Shift(["mon"], "08:00", "24:00"), "Shift.end"),
        (lambda: Schedule("Mars/Olympus", []), "Schedule.timezone"),
        (lambda: Schedule("", []), "Schedule.timezone"),
        (lambda: Schedule("UTC", "08-16"), "Schedule.shifts"),
        (lambda: Schedule("UTC", ["08-16"]), "Schedule.shifts"),
    ],
)
def test_a_bad_schedule_is_refused(build: object, path: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        build()  # type: ignore[operator]

    assert caught.value.path == path


def test_days_are_kept_in_week_order() -> None:
    assert Shift(["sun", "mon", "sun"], "08:00", "16:00").days == ("mon", "sun")


# -- in the router ---------------------------------------------------------------


def test_a_scheduled_agent_is_routed_work_only_during_a_shift() -> None:
    clock = ManualClock(at("2026-03-02 07:00"))
    router = make_router("ana", clock=clock)
    events = record_events(router, ["shift"])
    router.set_schedule("ana", Schedule("Europe/Berlin", [Shift(WEEKDAYS, "08:00", "16:00")]))

    assert router.assign(make_item("c1")).status == "queued"
    assert (router.on_shift("ana"), router.next_deadline()) == (False, at("2026-03-02 08:00"))
    clock.advance(3600)
    assert [d.item for d in router.advance()] == ["c1"]
    clock.advance(8 * 3600)
    assert router.advance() == []
    assert router.assign(make_item("c2")).status == "queued"
    assert router.assigned_to("ana") == ("c1",)  # keeps what they hold
    assert events == [
        AgentShiftChanged(at("2026-03-02 07:00"), "ana", on_shift=False),
        AgentShiftChanged(at("2026-03-02 08:00"), "ana", on_shift=True),
        AgentShiftChanged(at("2026-03-02 16:00"), "ana", on_shift=False),
    ]
    assert router.next_deadline() == at("2026-03-03 08:00")


def test_removing_a_schedule_puts_the_agent_back_in_routing() -> None:
    clock = ManualClock(at("2026-03-07 12:00"))  # Saturday
    router = make_router("ana", clock=clock)
    router.set_schedule("ana", Schedule("Europe/Berlin", [Shift(WEEKDAYS, "08:00", "16:00")]))
    router.assign(make_item("c1"))

    decisions = router.set_schedule("ana", None)

    assert [d.item for d in decisions] == ["c1"]
    assert (router.schedule("ana"), router.on_shift("ana"), router.next_deadline()) == (
        None,
        True,
        None,
    )


def test_an_agent_off_shift_cannot_take_next() -> None:
    clock = ManualClock(at("2026-03-07 12:00"))
    router = make_router("ana", clock=clock)
    router.set_schedule("ana", Schedule("Europe/Berlin", [Shift(WEEKDAYS, "08:00", "16:00")]))

    with pytest.raises(NotEligibleError, match="outside their shift"):
        router.next_for("ana")


def test_bad_schedule_calls_are_refused() -> None:
    router = make_router("ana")

    with pytest.raises(InvalidValueError, match="schedule"):
        router.set_schedule("ana", {"timezone": "UTC"})  # type: ignore[arg-type]
    with pytest.raises(UnknownAgentError):
        router.set_schedule("zoe", None)
    with pytest.raises(UnknownAgentError):
        router.on_shift("zoe")


def test_schedules_survive_a_snapshot_and_the_journal() -> None:
    clock = ManualClock(at("2026-03-07 12:00"))
    entries: list[dict[str, object]] = []
    router = Router(seed=2, clock=clock, journal=entries.append)
    router.add_department("billing")
    router.add_agent(make_agent("ana"))
    router.set_presence("ana", "online")
    router.set_schedule("ana", Schedule("Asia/Tokyo", [Shift(["sun"], "22:00", "06:00")]))
    data = json.loads(json.dumps(router.snapshot()))
    replica = Router(seed=2)
    for entry in entries:
        replica.apply(entry)

    restored = Router.restore(data, clock=clock)

    assert restored.snapshot() == data == replica.snapshot()
    assert data["agents"][0]["schedule"] == {
        "timezone": "Asia/Tokyo",
        "shifts": [{"days": ["sun"], "start": "22:00", "end": "06:00"}],
    }
    assert data["agents"][0]["off_shift"] is True
    clock.advance(86_400)
    assert restored.advance() == router.advance()
    assert restored.on_shift("ana") == router.on_shift("ana")


def test_an_agent_off_shift_cannot_claim() -> None:
    clock = ManualClock(at("2026-03-07 12:00"))
    router = Router(clock=clock)
    router.add_department("billing", mode="pull")
    for agent in ("ana", "bob"):
        router.add_agent(make_agent(agent))
        router.set_presence(agent, "online")
    router.set_schedule("ana", Schedule("Europe/Berlin", [Shift(WEEKDAYS, "08:00", "16:00")]))
    router.assign(make_item("c1"))

    with pytest.raises(NotEligibleError, match="is outside their shift"):
        router.claim("c1", "ana")


def test_a_schedule_that_never_changes_sets_no_timer() -> None:
    clock = ManualClock(at("2026-03-07 12:00"))
    router = make_router("ana", clock=clock)
    week = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    router.set_schedule("ana", Schedule("Europe/Berlin", [Shift(WEEKDAYS, "08:00", "16:00")]))

    router.set_schedule("ana", Schedule("UTC", [Shift(week, "00:00", "00:00")]))

    assert (router.on_shift("ana"), router.next_deadline()) == (True, None)


def test_a_schedule_set_during_a_shift_changes_nothing_now() -> None:
    clock = ManualClock(at("2026-03-02 09:00"))
    router = make_router("ana", clock=clock)
    events = record_events(router, ["shift"])

    decisions = router.set_schedule(
        "ana", Schedule("Europe/Berlin", [Shift(WEEKDAYS, "08:00", "16:00")])
    )

    assert (decisions, events, router.on_shift("ana")) == ([], [], True)
    assert router.next_deadline() == at("2026-03-02 16:00")
