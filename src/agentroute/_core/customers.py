"""
Who last handled each customer: the memory behind sticky routing, bounded by size.

Every assignment of an item with a ``customer`` in a sticky department
records (agent, time) for that customer; other departments pay nothing.
The memory keeps the ``limit`` customers handled most recently: recording
one more drops the customer handled longest ago, in the same call.
Entries are numbered, so the order of dropping depends on the calls alone
and every change is undone exactly.
"""

from __future__ import annotations

from collections import deque

from agentroute._core.undo import UndoLog

__all__ = ["CustomerMemory", "Handled"]

Handled = tuple[str, float, int]
"""(agent, clock time, sequence number) of a customer's latest assignment."""


class CustomerMemory:
    """
    The latest agent of each customer, the ``limit`` most recent customers kept.

    Examples:
        >>> memory = CustomerMemory(UndoLog(), limit=2)
        >>> memory.handled("acme", "ana", 1.0); memory.handled("bolt", "bob", 2.0)
        >>> memory.handled("cog", "cy", 3.0)
        >>> memory.last("acme"), memory.last("cog")
        (None, ('cy', 3.0, 3))
    """

    __slots__ = ("_last", "_order", "_steps", "count", "limit")

    def __init__(self, undo: UndoLog, limit: int | None) -> None:
        self._last: dict[str, Handled] = {}
        self._order: deque[tuple[int, str]] = deque()
        """(sequence number, customer), oldest first; an entry whose number is not the
        customer's latest is stale and skipped."""
        self._steps = undo.steps
        self.limit = limit
        """How many customers to remember; None remembers all."""
        self.count = 0
        """Assignments recorded so far: the latest one's sequence number."""

    def __len__(self) -> int:
        return len(self._last)

    def last(self, customer: str) -> Handled | None:
        """Return who handled *customer* last, when, and the record's number; None if forgotten."""
        return self._last.get(customer)

    def handled(self, customer: str, agent: str, at: float) -> None:
        """Record that *agent* took an item of *customer* at *at*; drop the oldest past limit."""
        self.count = seq = self.count + 1
        last = self._last
        self._steps.append((self._unhandled, customer, last.get(customer)))
        last[customer] = (agent, at, seq)
        self._order.append((seq, customer))
        limit = self.limit
        if limit is not None:
            while len(last) > limit:
                self._drop_oldest()
        if len(self._order) > 2 * len(last) + 64:
            self._compact()

    def _unhandled(self, customer: str, previous: Handled | None) -> None:
        self.count -= 1
        self._order.pop()
        if previous is None:
            del self._last[customer]
        else:
            self._last[customer] = previous

    def _drop_oldest(self) -> None:
        order = self._order
        entry = order.popleft()
        self._steps.append((order.appendleft, entry))
        seq, customer = entry
        current = self._last.get(customer)
        if current is not None and current[2] == seq:
            del self._last[customer]
            self._steps.append((self._last.__setitem__, customer, current))

    def _compact(self) -> None:
        """Drop stale entries from the order, once they outnumber the live ones."""
        old = self._order
        last = self._last
        self._order = deque((seq, c) for seq, c in old if last[c][2] == seq)
        self._steps.append((setattr, self, "_order", old))

    def entries(self) -> list[tuple[str, str, float, int]]:
        """Return (customer, agent, time, number) for every remembered customer, oldest first."""
        return sorted(
            ((customer, *handled) for customer, handled in self._last.items()),
            key=lambda entry: entry[3],
        )

    def restore(self, entries: list[tuple[str, str, float, int]], count: int) -> None:
        """Remember exactly *entries* (oldest first), *count* recorded so far (a restore)."""
        for customer, agent, at, seq in entries:
            self._last[customer] = (agent, at, seq)
            self._order.append((seq, customer))
        self.count = count
