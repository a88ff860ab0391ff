"""
A pool: the agents serving one channel in one department, and its waiting work.

The pool keeps its *free* agents (online, channel on, a slot left) sorted by
its strategy's rank, updated one seat at a time, so choosing an agent never
scans the members. Its queue holds the work no free agent could take.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterator, Sequence
from random import Random
from typing import Any, overload

from sortedcontainers import SortedList

from agentroute.errors import InvalidStateError
from agentroute.model import Department
from agentroute.queue import WaitingQueue
from agentroute.registry import Seat
from agentroute.strategies import Candidate, Strategy

__all__ = ["Pool"]

_Entry = tuple[Any, ...]
"""(*rank, agent id, seat): flat, so comparing entries chases fewer pointers; ids are
unique in a pool, so seats are never compared."""


class Pool:
    """
    Members, free agents by rank, and the waiting queue of one (department, channel).
    """

    __slots__ = (
        "_choose",
        "_entries",
        "_free",
        "_rank",
        "_ranked",
        "channel",
        "department",
        "members",
        "queue",
        "settings",
        "strategy",
        "strategy_name",
    )

    def __init__(self, settings: Department, channel: str, strategy_name: str, strategy: Strategy):
        self.settings = settings
        self.department = settings.name
        self.channel = channel
        self.strategy_name = strategy_name
        self.strategy = strategy
        self._rank = strategy.rank
        self._choose = strategy.choose
        self.members: dict[str, Seat] = {}
        ordered = getattr(strategy, "ordered", True)
        self._free: _SortedEntries | _Bag = _SortedEntries() if ordered else _Bag()
        self._entries: dict[str, _Entry] = {}
        self._ranked = _RankedView(self)
        self.queue = WaitingQueue()

    def __repr__(self) -> str:
        return (
            f"Pool({self.department!r}, {self.channel!r}, {self.strategy_name!r}, "
            f"members={len(self.members)}, free={len(self._free)}, queued={len(self.queue)})"
        )

    @property
    def has_free(self) -> bool:
        """Tell whether some member can take an item now."""
        return bool(self._entries)

    def free_agents(self) -> list[str]:
        """Return the free members' ids in rank order."""
        return [entry[-2] for entry in self._free]

    def join(self, seat: Seat) -> None:
        """Make *seat* a member."""
        self.members[seat.agent] = seat
        seat.pools.append(self)
        self.refresh(seat)

    def leave(self, seat: Seat) -> None:
        """Stop counting *seat* as a member."""
        entry = self._entries.pop(seat.agent, None)
        if entry is not None:
            self._free.remove(entry)
        del self.members[seat.agent]
        seat.pools.remove(self)

    def refresh(self, seat: Seat) -> None:
        """Re-rank *seat*, or drop it from the free agents when it cannot take work."""
        agent = seat.agent
        old = self._entries.get(agent)
        if seat.enabled and seat.load < seat.limit:
            new = (*self._rank(seat), agent, seat)
            if new != old:
                if old is not None:
                    self._free.remove(old)
                self._free.add(new)
                self._entries[agent] = new
        elif old is not None:
            self._free.remove(old)
            del self._entries[agent]

    def pick(self, rng: Random) -> Seat:
        """
        Return the free seat the strategy chooses; call only when `has_free`.

        Raises:
            InvalidStateError: A custom strategy chose someone who is not free.
        """
        chosen = self._choose(self._ranked, rng)
        entry = self._entries.get(getattr(chosen, "agent", None))  # type: ignore[arg-type]
        seat: Seat | None = None if entry is None else entry[-1]
        if seat is None or seat is not chosen:
            msg = (
                f"Strategy {self.strategy_name!r} chose {chosen!r}, which is not one of the "
                "ranked candidates it was given; choose() must return an element of ranked."
            )
            raise InvalidStateError(msg)
        return seat

    def _check(self) -> None:
        """Assert the free index matches the members exactly; for tests."""
        self._free._check()
        expected = {
            agent: (*self._rank(seat), agent, seat)
            for agent, seat in self.members.items()
            if seat.is_free
        }
        assert expected == self._entries, (expected, self._entries)
        assert sorted(expected.values()) == sorted(self._free)
        assert all(self in seat.pools for seat in self.members.values())


class _RankedView(Sequence[Candidate]):
    """The pool's free seats in rank order, without copying them."""

    __slots__ = ("_pool",)

    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    def __len__(self) -> int:
        return len(self._pool._free)

    @overload
    def __getitem__(self, index: int) -> Candidate: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Candidate]: ...

    def __getitem__(self, index: int | slice) -> Candidate | Sequence[Candidate]:
        pool = self._pool
        if isinstance(index, slice):
            return [entry[-1] for entry in pool._free[index]]
        seat: Seat = pool._free[index][-1]
        return seat


class _SortedEntries:
    """
    Free seats in rank order, shaped for the pool's size.

    A small pool keeps a plain list: ``bisect`` and ``insort`` run in C and
    moving a few hundred pointers is cheaper than any tree. A large pool
    switches to a ``SortedList``, whose cost grows as O(log n).
    """

    __slots__ = ("_big", "_small")

    _GROW = 512
    _SHRINK = 128

    def __init__(self) -> None:
        self._small: list[_Entry] = []
        self._big: SortedList[_Entry] | None = None

    def __len__(self) -> int:
        return len(self._small) if self._big is None else len(self._big)

    def __iter__(self) -> Iterator[_Entry]:
        return iter(self._small if self._big is None else self._big)

    @overload
    def __getitem__(self, index: int) -> _Entry: ...

    @overload
    def __getitem__(self, index: slice) -> list[_Entry]: ...

    def __getitem__(self, index: int | slice) -> _Entry | list[_Entry]:
        return (self._small if self._big is None else self._big)[index]

    def add(self, entry: _Entry) -> None:
        big = self._big
        if big is not None:
            big.add(entry)
            return
        insort(self._small, entry)
        if len(self._small) > self._GROW:
            self._big, self._small = SortedList(self._small), []

    def remove(self, entry: _Entry) -> None:
        """Remove *entry*, which must be present (the pool tracks its entries)."""
        big = self._big
        if big is None:
            del self._small[bisect_left(self._small, entry)]
            return
        big.remove(entry)
        if len(big) < self._SHRINK:
            self._big, self._small = None, list(big)

    def _check(self) -> None:
        if self._big is None:
            assert self._small == sorted(self._small)
            assert len(self._small) <= self._GROW
        else:
            self._big._check()  # type: ignore[attr-defined]
            assert len(self._big) >= self._SHRINK


class _Bag:
    """
    Free seats in no particular order, for strategies that declare ``ordered = False``.

    Add, remove and lookup by position are O(1): a list plus each entry's
    position, removing by moving the last entry into the hole. The order
    depends only on the sequence of calls, so it is deterministic.
    """

    __slots__ = ("_entries", "_positions")

    def __init__(self) -> None:
        self._entries: list[_Entry] = []
        self._positions: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[_Entry]:
        return iter(self._entries)

    @overload
    def __getitem__(self, index: int) -> _Entry: ...

    @overload
    def __getitem__(self, index: slice) -> list[_Entry]: ...

    def __getitem__(self, index: int | slice) -> _Entry | list[_Entry]:
        return self._entries[index]

    def add(self, entry: _Entry) -> None:
        self._positions[entry[-2]] = len(self._entries)
        self._entries.append(entry)

    def remove(self, entry: _Entry) -> None:
        position = self._positions.pop(entry[-2])
        last = self._entries.pop()
        if position < len(self._entries):
            self._entries[position] = last
            self._positions[last[-2]] = position

    def _check(self) -> None:
        assert {e[-2]: i for i, e in enumerate(self._entries)} == self._positions
