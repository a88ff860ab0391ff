"""
A pool: the agents serving one channel in one department, and its waiting work.

The pool keeps its *free* agents (online, channel on, a slot left) sorted by
its strategy's rank, updated one seat at a time, so choosing an agent never
scans the members. Its queue holds the work no free agent could take.
"""

from __future__ import annotations

from collections.abc import Sequence
from random import Random
from typing import overload

from sortedcontainers import SortedList

from agentroute.errors import InvalidStateError
from agentroute.model import Department
from agentroute.queue import WaitingQueue
from agentroute.registry import Seat
from agentroute.strategies import Candidate, Rank, Strategy

__all__ = ["Pool"]

_Entry = tuple[Rank, str]


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
        self._free: SortedList[_Entry] = SortedList()
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
        return [agent for _, agent in self._free]

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
            new = (self._rank(seat), agent)
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
        agent = getattr(chosen, "agent", None)
        if agent not in self._entries:
            msg = (
                f"Strategy {self.strategy_name!r} chose {chosen!r}, which is not one of the "
                "ranked candidates it was given; choose() must return an element of ranked."
            )
            raise InvalidStateError(msg)
        return self.members[agent]

    def _check(self) -> None:
        """Assert the free index matches the members exactly; for tests."""
        self._free._check()  # type: ignore[attr-defined]
        expected = {
            agent: (self._rank(seat), agent) for agent, seat in self.members.items() if seat.is_free
        }
        assert expected == self._entries, (expected, self._entries)
        assert sorted(expected.values()) == list(self._free)
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
            return [pool.members[agent] for _, agent in pool._free[index]]
        return pool.members[pool._free[index][1]]
