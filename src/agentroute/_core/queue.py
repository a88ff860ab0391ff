"""
Waiting work of one pool, ordered by (priority, SLA deadline, arrival).

Some waiting items are pushed to agents as slots free; others wait to be
pulled (an agent claims them or presses "next"). Both stand in one line, in
one order; they are kept in two sorted lists so that dispatching, the hot
path, touches only the push list. Every change logs its inverse in the
undo steps it is given.
"""

from __future__ import annotations

import math
from heapq import merge
from typing import Any, TypeAlias

from sortedcontainers import SortedList

from agentroute.model import Item

__all__ = ["QueueKey", "WaitingQueue", "queue_key"]

QueueKey: TypeAlias = tuple[int, float, int, str]
"""(priority, SLA deadline or +inf, arrival sequence, item id): unique per item."""

Steps: TypeAlias = list[tuple[Any, ...]]


def queue_key(item: Item, arrival: int) -> QueueKey:
    """Return the key that places *item*, which arrived as number *arrival*, in its queue."""
    deadline = math.inf if item.sla_deadline is None else float(item.sla_deadline)
    return (item.priority, deadline, arrival, item.id)


class WaitingQueue:
    """
    Items waiting for an agent, most important first; every operation is O(log n).

    Examples:
        >>> q, undo = WaitingQueue(), []
        >>> q.push((5, math.inf, 0, "early"), False, undo)
        >>> q.push((2, math.inf, 1, "urgent"), True, undo)
        >>> q.item_ids(), q.has_push
        (('urgent', 'early'), True)
        >>> q.pop_work(False, undo)
        (5, inf, 0, 'early')
    """

    __slots__ = ("_pull", "_push")

    def __init__(self) -> None:
        self._push: SortedList[QueueKey] = SortedList()
        self._pull: SortedList[QueueKey] = SortedList()

    def __len__(self) -> int:
        return len(self._push) + len(self._pull)

    @property
    def has_push(self) -> bool:
        """Tell whether some item waits to be pushed to the next free agent."""
        return bool(self._push)

    def has_work(self, pulled_too: bool) -> bool:
        """Tell whether something waits to be pushed; with *pulled_too*, pull items count."""
        return bool(self._push) or (pulled_too and bool(self._pull))

    def first_work(self, pulled_too: bool) -> QueueKey:
        """Return the next item to push; with *pulled_too*, pull items are pushed as well."""
        return self.first() if pulled_too else self._push[0]

    def pop_work(self, pulled_too: bool, undo: Steps) -> QueueKey:
        """Remove and return the next item to push (see `first_work`)."""
        pull = self._pull
        if pulled_too and pull and (not self._push or pull[0] < self._push[0]):
            key = pull.pop(0)
            undo.append((pull.add, key))
        else:
            key = self._push.pop(0)
            undo.append((self._push.add, key))
        return key

    def push(self, key: QueueKey, pull: bool, undo: Steps) -> None:
        """Add a waiting item; a *pull* item waits for an agent to take it."""
        line = self._pull if pull else self._push
        line.add(key)
        undo.append((line.remove, key))

    def remove(self, key: QueueKey, undo: Steps) -> None:
        """Take a waiting item out of line (closed, claimed or transferred)."""
        line = self._push if key in self._push else self._pull
        line.remove(key)
        undo.append((line.add, key))

    def is_pull(self, key: QueueKey) -> bool:
        """Tell whether a waiting item waits to be pulled rather than pushed."""
        return key in self._pull

    def first(self) -> QueueKey:
        """Return the most important waiting item, push or pull; the queue must not be empty."""
        if not self._pull:
            return self._push[0]
        if not self._push:
            return self._pull[0]
        return min(self._push[0], self._pull[0])

    def position(self, key: QueueKey) -> int:
        """Return the 1-based place of a waiting item in the whole line."""
        return self._push.bisect_left(key) + self._pull.bisect_left(key) + 1

    def lines(self) -> tuple[list[str], list[str]]:
        """Return the ids waiting to be pushed and those waiting to be pulled, each in order."""
        return [key[3] for key in self._push], [key[3] for key in self._pull]

    def item_ids(self) -> tuple[str, ...]:
        """Return the waiting item ids in order, push and pull alike."""
        return tuple(key[3] for key in merge(self._push, self._pull))

    def _check(self) -> None:
        """Assert the internal order and that no item waits both ways; for tests."""
        self._push._check()  # type: ignore[attr-defined]
        self._pull._check()  # type: ignore[attr-defined]
        assert not set(self._push) & set(self._pull)
