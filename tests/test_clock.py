from __future__ import annotations

import math
import time
from typing import Any

import pytest

from agentroute import Clock, InvalidValueError, ManualClock
from tests.generators import make_item, make_router


def test_starts_at_zero_by_default() -> None:
    """ManualClock() reads 0.0 until moved."""
    clock = ManualClock()

    assert 0.0 == clock()


def test_start_is_a_float() -> None:
    """An int start is kept as float seconds."""
    clock = ManualClock(start=5)

    assert (5.0, float) == (clock(), type(clock()))


def test_advance_returns_and_keeps_the_new_time() -> None:
    """advance() moves forward by the given seconds and returns the new time."""
    clock = ManualClock(start=100.0)

    returned = clock.advance(2.5)

    assert (102.5, 102.5) == (returned, clock())


def test_advance_by_zero_is_allowed() -> None:
    """advance(0) leaves the time where it was."""
    clock = ManualClock(start=3.0)

    clock.advance(0)

    assert 3.0 == clock()


def test_set_jumps_forward() -> None:
    """set() moves to an absolute later time."""
    clock = ManualClock(start=10.0)

    clock.set(50)

    assert 50.0 == clock()


def test_set_to_now_is_allowed() -> None:
    """set() to the current time changes nothing."""
    clock = ManualClock(start=10.0)

    clock.set(10.0)

    assert 10.0 == clock()


def test_advance_backwards_raises_and_keeps_time() -> None:
    """A negative step raises InvalidValueError on 'seconds'; the clock does not move."""
    clock = ManualClock(start=10.0)

    with pytest.raises(InvalidValueError, match="time never runs back") as info:
        clock.advance(-1)

    assert "seconds" == info.value.path
    assert 10.0 == clock()


def test_set_backwards_raises_and_keeps_time() -> None:
    """set() to an earlier time raises InvalidValueError on 't'; the clock does not move."""
    clock = ManualClock(start=10.0)

    with pytest.raises(InvalidValueError, match=r"must be >= the current time 10\.0") as info:
        clock.set(9.5)

    assert "t" == info.value.path
    assert 10.0 == clock()


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan, "1", None, True])
def test_non_finite_or_non_numbers_are_refused(bad: Any) -> None:
    """start, advance and set take finite int or float seconds only; the clock stays put."""
    clock = ManualClock(start=1.0)

    with pytest.raises(InvalidValueError, match="finite number of seconds") as start_info:
        ManualClock(start=bad)
    with pytest.raises(InvalidValueError, match="finite number of seconds") as advance_info:
        clock.advance(bad)
    with pytest.raises(InvalidValueError, match="finite number of seconds") as set_info:
        clock.set(bad)

    assert ("start", "seconds", "t") == (
        start_info.value.path,
        advance_info.value.path,
        set_info.value.path,
    )
    assert 1.0 == clock()


def test_repr_shows_the_time() -> None:
    """The repr names the current time."""
    clock = ManualClock(start=2.0)

    assert "ManualClock(now=2.0)" == repr(clock)


def test_clock_alias_accepts_time_time_and_manual_clocks() -> None:
    """Both the default and the manual clock fit the Clock alias and return floats."""
    clocks: list[Clock] = [time.time, ManualClock(7.0)]

    readings = [c() for c in clocks]

    assert [float, float] == [type(r) for r in readings]


def test_router_stamps_arrival_with_its_clock(clock: ManualClock) -> None:
    """An item's arrived_at is the injected clock's reading when it was first routed."""
    router = make_router("ana", clock=clock)
    router.assign(make_item("c1"))
    clock.advance(30)

    router.assign(make_item("c2"))

    assert (1000.0, 1030.0) == (router.status("c1").arrived_at, router.status("c2").arrived_at)
