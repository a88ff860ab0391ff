"""
Timers: what the router must do at a given time, fired only when the host calls ``advance()``.

A timer is named by (kind, key), e.g. ``("break", "ana")``: setting a name
again moves that timer, and cancelling it is one lookup. Timers due at the
same time fire in the order they were set. A timer can be held: taken off
the schedule, to be let go later with its place among equal times, unless
its time passed meanwhile (an item's SLA timers while an agent has it).
Every change logs its inverse.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, TypeAlias

from sortedcontainers import SortedList

from agentroute._core.undo import UndoLog

__all__ = ["AGENT_KINDS", "BREAK", "DUTY", "OFFLINE", "SHIFT", "Timer", "Timers"]

BREAK: Final = "break"
"""Ends an agent's break; keyed by the agent id."""

SHIFT: Final = "shift"
"""Looks at an agent's schedule again; keyed by the agent id."""

OFFLINE: Final = "offline"
"""Sends an offline agent's work back to routing; keyed by the agent id."""

DUTY: Final = "duty"
"""Passes duty on; keyed by ``json.dumps([department, channel])``."""

AGENT_KINDS: Final = (BREAK, SHIFT, OFFLINE)
"""The kinds keyed by an agent id: a removed agent's timers of these kinds go with them."""

Timer: TypeAlias = tuple[float, int, str, str]
"""(due, sequence number, kind, key): ordered by due time, then by when it was set."""


class Timers:
    """
    Every pending timer, soonest first; set, cancel and fire are O(log n).

    Examples:
        >>> from agentroute._core.undo import UndoLog
        >>> timers = Timers(UndoLog())
        >>> timers.set("break", "ana", 60.0); timers.set("break", "bob", 30.0)
        >>> timers.next_due(), timers.pop_due(45.0), timers.pop_due(45.0)
        (30.0, (30.0, 2, 'break', 'bob'), None)
    """

    __slots__ = ("_by_name", "_held", "_pending", "_steps", "count", "firing")

    def __init__(self, undo: UndoLog) -> None:
        self._pending: SortedList[Timer] = SortedList()
        self._by_name: dict[tuple[str, str], Timer] = {}
        self._held: dict[tuple[str, str], Timer] = {}
        """Timers taken off the schedule by `hold`, by name."""
        self._steps = undo.steps
        self.count = 0
        """Timers set so far: the next one's sequence number, which orders equal due times."""
        self.firing: float | None = None
        """The due time of the timer ``advance()`` is running, else None."""

    def __len__(self) -> int:
        return len(self._pending)

    def due(self, kind: str, key: str) -> float | None:
        """Return when the timer (*kind*, *key*) is due, or None if it is not set."""
        timer = self._by_name.get((kind, key))
        return None if timer is None else timer[0]

    def next_due(self) -> float | None:
        """Return when the soonest timer is due, or None if none is pending."""
        return self._pending[0][0] if self._pending else None

    def set(self, kind: str, key: str, due: float, *, held: bool = False) -> None:
        """
        Set the timer (*kind*, *key*) to fire at *due*, replacing one of that name.

        A *held* timer takes its place among equal times now, and goes on the
        schedule only when `let_go` says so.
        """
        self.cancel(kind, key)
        self.count += 1
        timer = (due, self.count, kind, key)
        if held:
            self._held[kind, key] = timer
            self._steps.append((self._unset_held, timer))
        else:
            self._put(timer)
            self._steps.append((self._unset, timer))

    def _unset(self, timer: Timer) -> None:
        self._take(timer)
        self.count -= 1

    def _unset_held(self, timer: Timer) -> None:
        del self._held[timer[2], timer[3]]
        self.count -= 1

    def cancel(self, kind: str, key: str) -> bool:
        """Cancel the timer (*kind*, *key*), pending or held; return whether it was set."""
        timer = self._by_name.get((kind, key))
        if timer is None:
            held = self._held.pop((kind, key), None)
            if held is not None:
                self._steps.append((self._held.__setitem__, (kind, key), held))
            return held is not None
        self._take(timer)
        self._steps.append((self._put, timer))
        return True

    def hold(self, kind: str, key: str) -> None:
        """Take a pending timer (*kind*, *key*) off the schedule, keeping its due time and place."""
        timer = self._by_name.get((kind, key))
        if timer is not None:
            self._take(timer)
            self._held[kind, key] = timer
            self._steps.append((self._unhold, timer))

    def _unhold(self, timer: Timer) -> None:
        del self._held[timer[2], timer[3]]
        self._put(timer)

    def let_go(self, kind: str, key: str, now: float) -> None:
        """Put a held timer (*kind*, *key*) back on the schedule, or drop it if due by *now*."""
        timer = self._held.pop((kind, key), None)
        if timer is not None:
            self._steps.append((self._held.__setitem__, (kind, key), timer))
            if timer[0] > now:
                self._put(timer)
                self._steps.append((self._take, timer))

    def pop_due(self, now: float) -> Timer | None:
        """Remove and return the soonest timer if it is due at *now*, else None."""
        pending = self._pending
        if not pending or pending[0][0] > now:
            return None
        timer = pending.pop(0)  # the soonest: no search, unlike remove()
        del self._by_name[timer[2], timer[3]]
        self._steps.append((self._put, timer))
        return timer

    def all(self) -> list[Timer]:
        """Return every pending timer, soonest first."""
        return list(self._pending)

    def is_held(self, kind: str, key: str) -> bool:
        """Return whether the timer (*kind*, *key*) is held."""
        return (kind, key) in self._held

    def held(self) -> list[Timer]:
        """Return every held timer, soonest first."""
        return sorted(self._held.values())

    def restore(self, timers: list[Timer], count: int, held: Sequence[Timer] = ()) -> None:
        """Hold exactly *timers* pending and *held* held, *count* set (a restore; not undone)."""
        for timer in timers:
            self._put(timer)
        for timer in held:
            self._held[timer[2], timer[3]] = timer
        self.count = count

    def _put(self, timer: Timer) -> None:
        self._pending.add(timer)
        self._by_name[timer[2], timer[3]] = timer

    def _take(self, timer: Timer) -> None:
        self._pending.remove(timer)
        del self._by_name[timer[2], timer[3]]
