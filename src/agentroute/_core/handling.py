"""
Observed handling times per (department, channel), for estimating how long waiting work waits.

Each close of an assigned item adds one sample: the time from its latest
booking to the close. The first `WINDOW` samples are averaged plainly;
after that each new one weighs 1/`WINDOW` (an exponential moving average),
so the estimate follows a team that speeds up or slows down.
"""

from __future__ import annotations

from typing import Final

from agentroute._core.undo import UndoLog

__all__ = ["WINDOW", "HandlingTimes"]

WINDOW: Final = 20
"""Samples averaged plainly before each new one weighs 1/WINDOW."""


class HandlingTimes:
    """(samples, mean seconds) per (department, channel); every change logs its inverse."""

    __slots__ = ("_steps", "by_pool")

    def __init__(self, undo: UndoLog) -> None:
        self.by_pool: dict[tuple[str, str], tuple[int, float]] = {}
        self._steps = undo.steps

    def observe(self, where: tuple[str, str], seconds: float) -> None:
        """Count one item of *where* handled in *seconds*."""
        old = self.by_pool.get(where)
        if old is None:
            new = (1, seconds)
        else:
            samples, mean = old
            samples += 1
            new = (samples, mean + (seconds - mean) / min(samples, WINDOW))
        self.by_pool[where] = new
        self._steps.append((self._put_back, where, old))

    def _put_back(self, where: tuple[str, str], old: tuple[int, float] | None) -> None:
        if old is None:
            del self.by_pool[where]
        else:
            self.by_pool[where] = old

    def mean(self, where: tuple[str, str]) -> float | None:
        """Return the mean handling time of *where* in seconds, or None before any close."""
        found = self.by_pool.get(where)
        return None if found is None else found[1]
