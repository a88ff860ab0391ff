"""
Time as the router sees it: an injected zero-argument callable.

The core never reads the wall clock itself; ``Router(clock=...)`` takes any
callable returning POSIX seconds, and `ManualClock` is the one tests
and simulations drive by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

from agentroute.errors import InvalidValueError
from agentroute.model import is_finite_number

__all__ = ["Clock", "ManualClock"]

Clock: TypeAlias = Callable[[], float]


class ManualClock:
    """
    A clock that moves only when told to.

    Examples:
        >>> clock = ManualClock(start=100.0)
        >>> clock.advance(2.5)
        102.5
        >>> clock()
        102.5

    Added in 0.1.
    """

    __slots__ = ("_now",)

    def __init__(self, start: float = 0.0) -> None:
        self._now = _finite("start", start)

    def __call__(self) -> float:
        """Return the current time."""
        return self._now

    def __repr__(self) -> str:
        return f"ManualClock(now={self._now!r})"

    def advance(self, seconds: float) -> float:
        """
        Move forward by *seconds* (>= 0) and return the new time.

        Raises:
            InvalidValueError: *seconds* is negative or not finite.
        """
        step = _finite("seconds", seconds)
        if step < 0:
            raise InvalidValueError(
                "seconds", f"must be >= 0, got {seconds!r}; time never runs back"
            )
        moved = self._now + step
        if moved == float("inf"):
            raise InvalidValueError(
                "seconds", f"moves the clock past the largest float: {seconds!r}"
            )
        self._now = moved
        return self._now

    def set(self, t: float) -> None:
        """
        Jump to POSIX time *t*, which must not be earlier than now.

        Raises:
            InvalidValueError: *t* is earlier than now or not finite.
        """
        target = _finite("t", t)
        if target < self._now:
            msg = f"must be >= the current time {self._now!r}, got {t!r}; time never runs back"
            raise InvalidValueError("t", msg)
        self._now = target


def _finite(path: str, value: object) -> float:
    if not is_finite_number(value):
        raise InvalidValueError(path, f"must be a finite number of seconds, got {value!r}")
    return float(value)  # type: ignore[arg-type]
