"""
A pool: the agents serving one channel in one department, and its waiting work.

The pool keeps its *free* agents (online, channel on, a slot left) sorted by
its strategy's rank, updated one seat at a time, so choosing an agent never
scans the members. Its queue holds the work no free agent could take.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from random import Random
from typing import overload

from sortedcontainers import SortedList

from agentroute.errors import InvalidStateError
from agentroute.model import Department
from agentroute.queue import WaitingQueue
from agentroute.registry import Seat
from agentroute.strategies import Candidate, Rank, Strategy

__all__ = ["Pool"]

_Entry = tuple[Rank, str, Seat]
"""(rank, agent id, seat): ids are unique in a pool, so seats are never compared."""


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
        self._free: SortedList[_Entry] | _Bag = SortedList() if ordered else _Bag()
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
        return [entry[1] for entry in self._free]

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
            new = (self._rank(seat), agent, seat)
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
        Return the free seat the strategy chooses; call only when :attr:`has_free`.

        Raises:
            InvalidStateError: A custom strategy chose someone who is not free.
        """
        chosen = self._choose(self._ranked, rng)
        entry = self._entries.get(getattr(chosen, "agent", None))  # type: ignore[arg-type]
        if entry is None or entry[2] is not chosen:
            msg = (
                f"Strategy {self.strategy_name!r} chose {chosen!r}, which is not one of the "
                "ranked candidates it was given; choose() must return an element of ranked."
            )
            raise InvalidStateError(msg)
        return entry[2]

    def _check(self) -> None:
        """Assert the free index matches the members exactly; for tests."""
        self._free._check()  # type: ignore[union-attr]
        expected = {
            agent: (self._rank(seat), agent, seat)
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
            return [entry[2] for entry in pool._free[index]]
        return pool._free[index][2]


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
        self._positions[entry[1]] = len(self._entries)
        self._entries.append(entry)

    def remove(self, entry: _Entry) -> None:
        position = self._positions.pop(entry[1])
        last = self._entries.pop()
        if position < len(self._entries):
            self._entries[position] = last
            self._positions[last[1]] = position

    def _check(self) -> None:
        assert {e[1]: i for i, e in enumerate(self._entries)} == self._positions
