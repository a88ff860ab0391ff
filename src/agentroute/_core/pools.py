"""
Pools: the agents serving one channel in one department, and its waiting work.

A pool keeps its *free* members (online, channel on there, a slot left)
sorted by its strategy's rank, updated one seat at a time, so choosing an
agent never scans the members. It is derived data: everything in it can be
rebuilt from the agents and the items. Every change logs its inverse.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Iterator, Sequence
from random import Random
from typing import Any, overload

from sortedcontainers import SortedList

from agentroute._core.queue import WaitingQueue
from agentroute._core.registry import Seat
from agentroute._core.reservations import Reservations
from agentroute._core.undo import UndoLog
from agentroute.errors import HostCodeError
from agentroute.model import Department
from agentroute.strategies import Candidate, RandomChoice, Strategy, choose_first, is_builtin

__all__ = ["HostGuard", "Pool", "Pools"]

_Entry = tuple[Any, ...]
"""(*rank, agent id, seat): flat, so comparing entries chases fewer pointers; ids are
unique in a pool, so seats are never compared."""


class HostGuard:
    """Names the host code running right now, so the router can refuse its calls."""

    __slots__ = ("running",)

    def __init__(self) -> None:
        self.running: str | None = None
        """The host code running now, e.g. ``"strategy 'x' of ('billing', 'chat')"``."""


class Pool:
    """
    Members, free agents by rank, and the waiting queue of one (department, channel).
    """

    __slots__ = (
        "_choose",
        "_culprit",
        "_entries",
        "_first",
        "_free",
        "_guard",
        "_host",
        "_rank",
        "_ranked",
        "_steps",
        "_undo",
        "_uniform",
        "channel",
        "department",
        "dropped",
        "duty",
        "members",
        "off",
        "ordered",
        "queue",
        "reserved",
        "rings",
        "settings",
        "strategy",
        "strategy_name",
    )

    def __init__(
        self,
        settings: Department,
        channel: str,
        strategy_name: str,
        strategy: Strategy,
        undo: UndoLog,
        guard: HostGuard,
    ) -> None:
        self.settings = settings
        self.department = settings.name
        self.channel = channel
        self.strategy_name = strategy_name
        self.strategy = strategy
        self._host = not is_builtin(strategy)
        """A host's strategy: guarded, and given read-only candidates. Every built-in is
        picked without a call (below), so only host strategies' choose() is ever called."""
        self._rank: Callable[[Seat], tuple[Any, ...]] = (
            self._host_rank if self._host else strategy.rank
        )
        self._choose = strategy.choose
        self._first = not self._host and self._choose is choose_first
        """A built-in strategy that takes the best-ranked seat: no need to call it."""
        self._uniform = type(strategy) is RandomChoice
        """The built-in uniform draw: one draw over the unordered index, no call."""
        self._culprit = f"strategy {strategy_name!r} of ({settings.name!r}, {channel!r})"
        self._guard = guard
        self._steps = undo.steps
        self._undo = undo
        self.dropped = False
        """Idle and no longer in the router's pools: an item pointing here looks again."""
        self.members: dict[str, Seat] = {}
        self.off: dict[str, None] = {}
        """Members who switched this channel off for this department only."""
        self.duty: str | None = None
        """With a duty rotation, the one member on duty: the only one who may take work."""
        self.rings = (
            bool(getattr(strategy, "rings", False)) and not self._host and settings.mode == "push"
        )
        """A ``ring_all`` pool: offer to every free member instead of choosing one (pull
        departments never ring: their work waits for an agent to take it)."""
        self.ordered = bool(getattr(strategy, "ordered", True))
        """False for a strategy that draws from its free agents in no order of rank."""
        self._free: _SortedEntries | _Bag = _SortedEntries() if self.ordered else _Bag()
        self._entries: dict[str, _Entry] = {}
        self._ranked = _RankedView(self, host=self._host)
        self.queue = WaitingQueue()
        self.reserved = Reservations()
        """Items waiting for particular members (dedicated or sticky), apart from the queue."""

    def __repr__(self) -> str:
        return (
            f"Pool({self.department!r}, {self.channel!r}, {self.strategy_name!r}, "
            f"members={len(self.members)}, free={len(self._free)}, queued={len(self.queue)})"
        )

    @property
    def has_free(self) -> bool:
        """Tell whether some member can take an item now."""
        return bool(self._entries)

    @property
    def is_idle(self) -> bool:
        """Tell whether the pool has no members and no waiting work, so it may be dropped."""
        return not self.members and not len(self.queue) and not self.reserved

    @property
    def free_count(self) -> int:
        """How many members can take an item now."""
        return len(self._entries)

    def entry(self, agent: str) -> _Entry:
        """Return a free member's index entry: (*rank, agent, seat)."""
        return self._entries[agent]

    def runner_up(self, agent: str) -> _Entry | None:
        """Return the best-placed free member's entry other than (free) *agent*'s, if any."""
        free = self._free
        if len(free) < 2:
            return None
        first: _Entry = free[0]
        return free[1] if first[-2] == agent else first

    def free_seats(self) -> list[Seat]:
        """Return the free members' seats in rank order."""
        return [entry[-1] for entry in self._free]

    def free_agents(self) -> list[str]:
        """Return the free members' ids in rank order (in draw order when not `ordered`)."""
        return [entry[-2] for entry in self._free]

    def set_draw_order(self, agents: list[str]) -> bool:
        """
        Put an unordered pool's free members in the order *agents* lists them (a restore).

        Returns False, changing nothing, unless *agents* are exactly the free members.
        """
        entries = self._entries
        if len(agents) != len(entries) or set(agents) != entries.keys():
            return False
        bag = _Bag()
        for agent in agents:
            bag.swap(None, entries[agent])
        self._free = bag
        return True

    def serves(self, seat: Seat) -> bool:
        """Tell whether *seat* is a member with the channel on here (it may still be full)."""
        return self.members.get(seat.agent) is seat and not self.excludes(seat.agent)

    def free_seat(self, agent: str) -> Seat | None:
        """Return *agent*'s seat if they can take work here now, else None."""
        entry = self._entries.get(agent)
        return None if entry is None else entry[-1]

    def excludes(self, agent: str) -> bool:
        """Tell whether *agent* may not take work here: channel off here, or off duty."""
        duty = self.duty
        return agent in self.off or (duty is not None and duty != agent)

    def set_duty(self, agent: str | None) -> None:
        """Make *agent* the only member on duty (None: everyone), re-ranking the members."""
        if agent == self.duty:
            return
        self._steps.append((setattr, self, "duty", self.duty))
        self.duty = agent
        for seat in self.members.values():
            self.refresh(seat)

    def join(self, seat: Seat) -> None:
        """Make *seat* a member, with the channel on here (a new membership starts on)."""
        steps = self._steps
        agent = seat.agent
        self.members[agent] = seat
        steps.append((self.members.pop, agent))
        seat.pools.append(self)
        steps.append((seat.pools.remove, self))
        self.refresh(seat)

    def leave(self, seat: Seat) -> None:
        """Stop counting *seat* as a member."""
        agent = seat.agent
        steps = self._steps
        self.set_off(agent, False)
        self._drop_entry(agent)
        index = seat.pools.index(self)
        del seat.pools[index]
        steps.append((seat.pools.insert, index, self))
        del self.members[agent]
        steps.append((self.members.__setitem__, agent, seat))

    def set_off(self, agent: str, off: bool) -> None:
        """Record whether *agent* has this channel switched off here; the caller refreshes."""
        self._undo.flag(self.off, agent, off)

    def refresh(self, seat: Seat) -> None:
        """Re-rank *seat*, or drop it from the free agents when it cannot take work."""
        agent = seat.agent
        entries = self._entries
        old = entries.get(agent)
        duty = self.duty
        wallet = seat.wallet
        if (
            seat.enabled
            and seat.load < seat.limit
            and (wallet is None or wallet.used + seat.cost <= wallet.budget)
            and agent not in self.off
            and (duty is None or duty == agent)
        ):
            new: _Entry | None = (*self._rank(seat), agent, seat)
            if new == old:
                return
        elif old is None:
            return
        else:
            new = None
        try:
            token = self._free.swap(old, new)
        except TypeError as error:  # a host rank that does not compare with the others
            problem = f"returned rank {new[:-2]!r}, which does not compare with the others"  # type: ignore[index]
            raise HostCodeError(self._culprit, problem) from error
        self._steps.append((Pool._unswap, self, agent, old, new, token))
        if new is None:
            del entries[agent]
        else:
            entries[agent] = new

    def hide(self, agent: str) -> None:
        """Take *agent* out of the free index until their seat is next refreshed."""
        self._drop_entry(agent)

    def _drop_entry(self, agent: str) -> None:
        old = self._entries.pop(agent, None)
        if old is not None:
            token = self._free.swap(old, None)
            self._steps.append((self._unswap, agent, old, None, token))

    def _unswap(self, agent: str, old: _Entry | None, new: _Entry | None, token: int) -> None:
        """Undo step: put the free index and the agent's entry back as they were."""
        self._free.unswap(old, new, token)
        if old is None:
            del self._entries[agent]
        else:
            self._entries[agent] = old

    def _host_rank(self, seat: Seat) -> tuple[Any, ...]:
        rank = self._call_host("rank", self.strategy.rank, seat.candidate())
        if type(rank) is not tuple:
            raise HostCodeError(self._culprit, f"returned {rank!r} from rank(); return a tuple")
        return rank

    def pick(self, rng: Random) -> Seat:
        """
        Return the free seat the strategy chooses; call only when `has_free`.

        Raises:
            HostCodeError: A host's strategy raised, or chose someone not ranked.
        """
        if self._first:
            seat: Seat = self._free[0][-1]
            return seat
        if self._uniform:
            entries = self._free._entries  # type: ignore[union-attr]
            drawn: Seat = entries[rng.randrange(len(entries))][-1]
            return drawn
        chosen = self._call_host("choose", self._choose, self._ranked, rng)
        entry = self._entries.get(getattr(chosen, "agent", None))  # type: ignore[arg-type]
        if entry is None or entry[-1].view is not chosen:
            problem = (
                f"chose {chosen!r}, which is not one of the ranked candidates it was given; "
                "choose() must return an element of ranked"
            )
            raise HostCodeError(self._culprit, problem)
        found: Seat = entry[-1]
        return found

    def _call_host(self, method: str, function: Callable[..., Any], *args: object) -> Any:
        """Run a host strategy's *method*, marking it as running and naming it if it fails."""
        guard = self._guard
        guard.running = self._culprit
        try:
            return function(*args)
        except Exception as error:
            raise HostCodeError(self._culprit, f"raised {error!r} in {method}()") from error
        finally:
            guard.running = None

    def _check(self) -> None:
        """Assert the free index matches the members exactly; for tests."""
        self._free._check()
        expected = {
            agent: (*self._rank(seat), agent, seat)
            for agent, seat in self.members.items()
            if seat.is_free and not self.excludes(agent)
        }
        assert expected == self._entries, (expected, self._entries)
        assert sorted(expected.values()) == sorted(self._free)
        assert all(self in seat.pools for seat in self.members.values())
        assert set(self.off) <= set(self.members)


class Pools:
    """
    Every pool by (department, channel), created on first use and dropped when idle.
    """

    __slots__ = ("_by_department", "_guard", "_strategy", "_undo", "by_key")

    def __init__(
        self,
        undo: UndoLog,
        guard: HostGuard,
        strategy: Callable[[Department, str], tuple[str, Strategy]],
    ) -> None:
        self._undo = undo
        self._guard = guard
        self._strategy = strategy
        self.by_key: dict[tuple[str, str], Pool] = {}
        """Every pool by (department, channel); read it, change it only through this class."""
        self._by_department: dict[str, dict[str, Pool]] = {}

    def __len__(self) -> int:
        return len(self.by_key)

    def get(self, department: str, channel: str) -> Pool | None:
        """Return the pool of (*department*, *channel*), if it exists."""
        return self.by_key.get((department, channel))

    def of_department(self, department: str) -> list[Pool]:
        """Return the pools of *department*, by channel in order of creation."""
        return list(self._by_department.get(department, {}).values())

    def all(self) -> list[Pool]:
        """Return every pool, in order of creation."""
        return list(self.by_key.values())

    def create(self, settings: Department, channel: str) -> Pool:
        """Create the pool of (department, *channel*), which must not exist yet."""
        key = (settings.name, channel)
        name, strategy = self._strategy(settings, channel)
        pool = Pool(settings, channel, name, strategy, self._undo, self._guard)
        self.by_key[key] = pool
        self._by_department.setdefault(settings.name, {})[channel] = pool
        self._undo.push(self._remove, key)
        return pool

    def detached(self, settings: Department, channel: str) -> Pool:
        """Build a pool that is not among the router's: an item of a dropped pool points to it."""
        name, strategy = self._strategy(settings, channel)
        pool = Pool(settings, channel, name, strategy, self._undo, self._guard)
        pool.dropped = True
        return pool

    def discard_if_idle(self, pool: Pool) -> None:
        """Drop *pool* when it has no members and no work: a new one is cheap to make."""
        if pool.is_idle and not pool.dropped:
            key = (pool.department, pool.channel)
            self._remove(key)
            self._undo.push(self._put, key, pool)

    def _remove(self, key: tuple[str, str]) -> None:
        self.by_key.pop(key).dropped = True
        channels = self._by_department[key[0]]
        del channels[key[1]]
        if not channels:
            del self._by_department[key[0]]

    def _put(self, key: tuple[str, str], pool: Pool) -> None:
        # An undo step: the pool comes back (last in creation order, which decides nothing).
        self.by_key[key] = pool
        pool.dropped = False
        self._by_department.setdefault(key[0], {})[key[1]] = pool


class _RankedView(Sequence[Candidate]):
    """The pool's free seats in rank order, without copying them; read-only for the host."""

    __slots__ = ("_host", "_pool")

    def __init__(self, pool: Pool, *, host: bool) -> None:
        self._pool = pool
        self._host = host

    def __len__(self) -> int:
        return len(self._pool._free)

    @overload
    def __getitem__(self, index: int) -> Candidate: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Candidate]: ...

    def __getitem__(self, index: int | slice) -> Candidate | Sequence[Candidate]:
        free = self._pool._free
        if isinstance(index, slice):
            seats = [entry[-1] for entry in free[index]]
            return [seat.candidate() for seat in seats] if self._host else seats
        seat: Seat = free[index][-1]
        return seat.candidate() if self._host else seat


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

    def swap(self, old: _Entry | None, new: _Entry | None) -> int:
        """Replace *old* by *new* (either may be None); adds first, so a failure changes nothing."""
        big = self._big
        if big is not None:
            if new is not None:
                big.add(new)
            if old is not None:
                self._remove(old)
            return 0
        small = self._small
        if new is not None:
            insort(small, new)
        if old is not None:
            del small[bisect_left(small, old)]
        if len(small) > self._GROW:
            self._big, self._small = SortedList(small), []
        return 0

    def unswap(self, old: _Entry | None, new: _Entry | None, token: int) -> None:
        """Undo `swap`: the order is by value, so the token is not needed."""
        if new is not None:
            self._remove(new)
        if old is not None:
            self._add(old)

    def _add(self, entry: _Entry) -> None:
        # Only undo adds through here: it restores a size the index had, so never grows it.
        big = self._big
        if big is not None:
            big.add(entry)
        else:
            insort(self._small, entry)

    def _remove(self, entry: _Entry) -> None:
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
    depends only on the sequence of calls, so it is deterministic, and each
    change's exact inverse restores it after a failed call.
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

    def swap(self, old: _Entry | None, new: _Entry | None) -> int:
        """
        Replace *old* by *new* (either may be None) and return where *old* stood.

        A replacement keeps the position; a removal moves the last entry into
        the hole; an addition appends. `unswap` reverses each exactly.
        """
        entries, positions = self._entries, self._positions
        if old is None:
            positions[new[-2]] = len(entries)  # type: ignore[index]
            entries.append(new)  # type: ignore[arg-type]
            return -1
        position = positions[old[-2]]
        if new is not None:
            entries[position] = new
            return position
        del positions[old[-2]]
        last = entries.pop()
        if position < len(entries):
            entries[position] = last
            positions[last[-2]] = position
        return position

    def unswap(self, old: _Entry | None, new: _Entry | None, token: int) -> None:
        """Undo `swap` exactly, order included."""
        if old is None:
            entry = self._entries.pop()
            del self._positions[entry[-2]]
        elif new is not None:
            self._entries[token] = old
        else:
            self._put_back(old, token)

    def _put_back(self, entry: _Entry, position: int) -> None:
        entries = self._entries
        if position < len(entries):
            moved = entries[position]
            self._positions[moved[-2]] = len(entries)
            entries.append(moved)
            entries[position] = entry
        else:
            entries.append(entry)
        self._positions[entry[-2]] = position

    def _check(self) -> None:
        assert {e[-2]: i for i, e in enumerate(self._entries)} == self._positions
