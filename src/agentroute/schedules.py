"""
Weekly shift schedules: when an agent works, in their own time zone.

A `Schedule` lists `Shift` s, each starting on some weekdays at a local
time and ending at a local time, the next day when the end is at or before
the start (a night shift). Local times become instants through the IANA
time zone database (`zoneinfo`), so daylight-saving changes are handled: a
shift starts at 08:00 local time on both sides of a change. A local time a
change skips (02:30 on a spring-forward night) counts as if the clock had
not moved yet, i.e. one hour later; a time that happens twice counts the
first time.

Examples:
    >>> from datetime import datetime, timezone
    >>> weekdays = Shift(["mon", "tue", "wed", "thu", "fri"], "08:00", "16:00")
    >>> day = Schedule("Europe/Berlin", [weekdays])
    >>> monday_9am = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc).timestamp()  # 09:00 in Berlin
    >>> day.is_on(monday_9am)
    True
    >>> datetime.fromtimestamp(day.next_change(monday_9am), timezone.utc).isoformat()
    '2026-03-02T15:00:00+00:00'

Added in 0.2.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from agentroute.errors import InvalidValueError

__all__ = ["DAYS", "Schedule", "Shift"]

DAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekday names, Monday first, as `Shift.days` takes them."""

_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_HORIZON = 8
"""Days looked ahead for the next change: every weekly shift starts within a week."""


def _days(value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidValueError("Shift.days", f"must be a list of weekday names, got {value!r}")
    days = set(value)
    unknown = sorted(str(day) for day in days if day not in DAYS)
    if unknown or not days:
        msg = f"must name one or more of {', '.join(DAYS)}, got {sorted(map(str, days))!r}"
        raise InvalidValueError("Shift.days", msg)
    return tuple(day for day in DAYS if day in days)


def _clock_time(name: str) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str) or _CLOCK.fullmatch(value) is None:
            raise InvalidValueError(
                f"Shift.{name}", f"must be 'HH:MM' (00:00-23:59), got {value!r}"
            )

    return check


@attrs.frozen
class Shift:
    """
    One weekly shift: it starts on *days* at *start* and ends at *end*, local time.

    Attributes:
        days: The weekdays it starts on (``"mon"`` ... ``"sun"``), kept in week order.
        start: Local start time, ``"HH:MM"``.
        end: Local end time, ``"HH:MM"``; at or before *start*, the shift ends
            the next day (``"22:00"`` to ``"06:00"``; ``"00:00"`` to ``"00:00"`` is 24 hours).

    Added in 0.2.
    """

    days: tuple[str, ...] = attrs.field(converter=_days)
    start: str = attrs.field(validator=_clock_time("start"))
    end: str = attrs.field(validator=_clock_time("end"))

    def intervals(self, day: date, zone: ZoneInfo) -> tuple[float, float] | None:
        """Return (start, end) in POSIX seconds if the shift starts on *day*, else None."""
        if DAYS[day.weekday()] not in self.days:
            return None
        start, end = time.fromisoformat(self.start), time.fromisoformat(self.end)
        ends_on = day if end > start else day + timedelta(days=1)
        begin = datetime.combine(day, start, tzinfo=zone).timestamp()
        return begin, datetime.combine(ends_on, end, tzinfo=zone).timestamp()


def _zone(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    msg = f"must be an IANA time zone such as 'Europe/Berlin', got {value!r}"
    if not isinstance(value, str) or not value:
        raise InvalidValueError("Schedule.timezone", msg)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValueError("Schedule.timezone", msg) from None


def _shifts(value: object) -> tuple[Shift, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidValueError("Schedule.shifts", f"must be a list of Shift, got {value!r}")
    shifts = tuple(value)
    for shift in shifts:
        if not isinstance(shift, Shift):
            raise InvalidValueError("Schedule.shifts", f"must hold Shift values, got {shift!r}")
    return shifts


@attrs.frozen
class Schedule:
    """
    An agent's working week: shifts in one IANA time zone.

    An agent with a schedule is routed work only during a shift; outside
    them they keep what they hold, as on a break.

    Attributes:
        timezone: IANA name, e.g. ``"America/New_York"``.
        shifts: The weekly shifts; they may overlap.

    Added in 0.2.
    """

    timezone: str = attrs.field(validator=_zone)
    shifts: tuple[Shift, ...] = attrs.field(converter=_shifts)

    def _window(self, at: float) -> tuple[list[tuple[float, float]], float]:
        """
        Return the shift intervals near *at*, and the end of the span they fully describe.

        The intervals start from the day before *at* to a week after; the span
        ends at midnight eight days on.

        A shift lasts at most a day, so every interval that covers an instant
        of that span is in the list; the span is over a week long, so a weekly
        schedule that does not change within it never changes.
        """
        zone = ZoneInfo(self.timezone)
        today = datetime.fromtimestamp(at, zone).date()
        found = []
        for offset in range(-1, _HORIZON):
            day = today + timedelta(days=offset)
            for shift in self.shifts:
                interval = shift.intervals(day, zone)
                if interval is not None:
                    found.append(interval)
        limit = datetime.combine(today + timedelta(days=_HORIZON), time(), tzinfo=zone)
        return found, limit.timestamp()

    def is_on(self, at: float) -> bool:
        """Tell whether a shift is running at *at* (POSIX seconds)."""
        intervals, _ = self._window(at)
        return any(start <= at < end for start, end in intervals)

    def next_change(self, at: float) -> float | None:
        """Return the first instant after *at* when `is_on` changes, or None if it never does."""
        return self.look(at)[1]

    def look(self, at: float) -> tuple[bool, float | None]:
        """Return `is_on` and `next_change` at *at* together, working out the week once."""
        intervals, limit = self._window(at)
        now = any(start <= at < end for start, end in intervals)
        for boundary in sorted({b for interval in intervals for b in interval if at < b < limit}):
            if any(start <= boundary < end for start, end in intervals) != now:
                return now, boundary
        return now, None
