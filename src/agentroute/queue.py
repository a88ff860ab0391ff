"""
Waiting work of one pool, ordered by (priority, SLA deadline, arrival) (SPEC F16).
"""

from __future__ import annotations

import math
from typing import TypeAlias

from sortedcontainers import SortedList

from agentroute.model import Item

__all__ = ["QueueKey", "WaitingQueue", "queue_key"]

QueueKey: TypeAlias = tuple[int, float, int, str]
"""(priority, SLA deadline or +inf, arrival sequence, item id): unique per item."""


def queue_key(item: Item, arrival: int) -> QueueKey:
    """Return the key that places *item*, which arrived as number *arrival*, in its queue."""
    deadline = math.inf if item.sla_deadline is None else float(item.sla_deadline)
    return (item.priority, deadline, arrival, item.id)


class WaitingQueue:
    """
    Items waiting for an agent, most important first; every operation is O(log n).

    >>> q = WaitingQueue()
    >>> q.push((2, math.inf, 1, "late-but-urgent"))
    >>> q.push((5, math.inf, 0, "early"))
    >>> q.pop_first()
    (2, inf, 1, 'late-but-urgent')
    """

    __slots__ = ("_keys",)

    def __init__(self) -> None:
        self._keys: SortedList[QueueKey] = SortedList()

    def __len__(self) -> int:
        return len(self._keys)

    def __bool__(self) -> bool:
        return bool(self._keys)

    def push(self, key: QueueKey) -> None:
        """Add a waiting item."""
        self._keys.add(key)

    def remove(self, key: QueueKey) -> None:
        """Take a waiting item out of line (closed, or assigned by other means)."""
        self._keys.remove(key)

    def first(self) -> QueueKey:
        """Return the most important waiting item without removing it."""
        return self._keys[0]

    def pop_first(self) -> QueueKey:
        """Remove and return the most important waiting item."""
        return self._keys.pop(0)

    def position(self, key: QueueKey) -> int:
        """Return the 1-based place of a waiting item."""
        return self._keys.index(key) + 1

    def item_ids(self) -> tuple[str, ...]:
        """Return the waiting item ids in the order they will leave."""
        return tuple(key[3] for key in self._keys)

    def _check(self) -> None:
        """Assert the internal order; for tests."""
        self._keys._check()  # type: ignore[attr-defined]
