from __future__ import annotations

from collections.abc import Sequence
from random import Random

import pytest

from agentroute import HostCodeError
from agentroute._core.pools import HostGuard, Pool, _Bag, _SortedEntries
from agentroute._core.registry import Seat
from agentroute._core.undo import UndoLog
from agentroute.model import Department
from agentroute.strategies import Candidate, LeastBusy, RandomChoice, Rank
from tests.generators import book, release


def seat(agent: str, *, limit: int = 2, load: int = 0, enabled: bool = True) -> Seat:
    """Build a chat seat."""
    built = Seat(agent, "chat", 50, limit, {})
    built.load = load
    built.enabled = enabled
    return built


def least_busy_pool() -> Pool:
    return Pool(Department("billing"), "chat", "least_busy", LeastBusy(), UndoLog(), HostGuard())


def test_join_ranks_free_seats() -> None:
    """Free members are kept in the strategy's rank order."""
    pool = least_busy_pool()

    for member in [seat("ana", load=1), seat("bob"), seat("cy", load=1)]:
        pool.join(member)

    assert (["bob", "ana", "cy"], True) == (pool.free_agents(), pool.has_free)
    pool._check()


def test_members_that_cannot_take_work_are_not_free() -> None:
    """Full or disabled members belong to the pool but are not ranked."""
    pool = least_busy_pool()

    pool.join(seat("full", limit=1, load=1))
    pool.join(seat("off", enabled=False))

    assert (["full", "off"], [], False) == (list(pool.members), pool.free_agents(), pool.has_free)
    pool._check()


def test_booking_reranks_through_the_seat() -> None:
    """A seat's booking re-ranks it in every pool it belongs to."""
    billing, sales = (
        least_busy_pool(),
        Pool(Department("sales"), "chat", "least_busy", LeastBusy(), UndoLog(), HostGuard()),
    )
    ana, bob = seat("ana"), seat("bob")
    for pool in (billing, sales):
        pool.join(ana)
        pool.join(bob)

    book(ana, "c1", 1)

    assert (["bob", "ana"], ["bob", "ana"]) == (billing.free_agents(), sales.free_agents())
    billing._check()
    sales._check()


def test_full_seat_leaves_the_free_agents_and_comes_back() -> None:
    """Reaching the limit removes a seat from the free agents; a release returns it."""
    pool = least_busy_pool()
    ana = seat("ana", limit=1)
    pool.join(ana)

    book(ana, "c1", 1)
    full = pool.free_agents()
    release(ana, "c1", 2)

    assert ([], ["ana"]) == (full, pool.free_agents())
    pool._check()


def test_leave_forgets_the_seat() -> None:
    """A leaving seat is neither a member nor free, and no longer reports to the pool."""
    pool = least_busy_pool()
    ana, bob = seat("ana"), seat("bob")
    pool.join(ana)
    pool.join(bob)

    pool.leave(ana)

    assert (["bob"], ["bob"], []) == (list(pool.members), pool.free_agents(), ana.pools)
    pool._check()


def test_leave_of_a_full_seat() -> None:
    """A member that is not free can leave too."""
    pool = least_busy_pool()
    ana = seat("ana", limit=1, load=1)
    pool.join(ana)

    pool.leave(ana)

    assert ({}, []) == (pool.members, pool.free_agents())


def test_pick_returns_the_strategy_choice() -> None:
    """pick() returns the seat the strategy chose."""
    pool = least_busy_pool()
    ana, bob = seat("ana", load=1), seat("bob")
    pool.join(ana)
    pool.join(bob)

    chosen = pool.pick(Random(0))

    assert bob is chosen


def test_pick_with_random_uses_the_generator() -> None:
    """A random pool draws from the generator it is given, so equal seeds pick alike."""
    pool = Pool(Department("billing"), "chat", "random", RandomChoice(), UndoLog(), HostGuard())
    for name in "abcdefgh":
        pool.join(seat(name))

    first = [pool.pick(Random(3)).agent for _ in range(5)]
    rng = Random(3)
    second = [pool.pick(rng).agent for _ in range(5)]

    assert [first[0]] * 5 == first
    assert first[0] == second[0]
    assert len(set(second)) > 1


class Stranger:
    """Ranks by id but chooses someone who is not a candidate."""

    def rank(self, candidate: Candidate) -> Rank:
        return (candidate.agent,)

    def choose(self, ranked: Sequence[Candidate], rng: Random) -> Candidate:
        return seat("stranger")


def test_pick_refuses_a_non_candidate() -> None:
    """A strategy choosing an agent outside the ranked candidates raises HostCodeError."""
    pool = Pool(Department("billing"), "chat", "stranger", Stranger(), UndoLog(), HostGuard())
    pool.join(seat("ana"))

    with pytest.raises(HostCodeError, match="choose\\(\\) must return an element of ranked"):
        pool.pick(Random(0))


def test_ranked_view_indexes_and_slices() -> None:
    """The strategy sees the free seats in rank order, by index and by slice."""
    seen: list[list[str]] = []

    class Spy:
        def rank(self, candidate: Candidate) -> Rank:
            return (candidate.agent,)

        def choose(self, ranked: Sequence[Candidate], rng: Random) -> Candidate:
            seen.append([ranked[i].agent for i in range(len(ranked))])
            seen.append([c.agent for c in ranked[1:]])
            return ranked[-1]

    pool = Pool(Department("billing"), "chat", "spy", Spy(), UndoLog(), HostGuard())
    for name in ["cy", "ana", "bob"]:
        pool.join(seat(name))

    chosen = pool.pick(Random(0))

    assert ("cy", [["ana", "bob", "cy"], ["bob", "cy"]]) == (chosen.agent, seen)


def test_check_detects_a_stale_index() -> None:
    """_check() fails when a seat changed without telling the pool."""
    pool = least_busy_pool()
    ana = seat("ana", limit=1)
    pool.join(ana)

    ana.load = 1

    with pytest.raises(AssertionError):
        pool._check()


def test_repr_counts() -> None:
    """The repr shows the pool's identity and its counts."""
    pool = least_busy_pool()
    pool.join(seat("ana"))
    pool.join(seat("bob", enabled=False))

    assert "Pool('billing', 'chat', 'least_busy', members=2, free=1, queued=0)" == repr(pool)


def test_a_large_pool_switches_its_free_index_and_back() -> None:
    """Past 512 free seats the index becomes a SortedList, below 128 a list again, in order."""
    pool = least_busy_pool()
    seats = [Seat(f"a{n:04}", "chat", 50, 2, {}) for n in range(600)]
    for seat in seats:
        seat.enabled = True
        pool.join(seat)
    pool._check()
    grown = (len(pool.free_agents()), pool.free_agents()[:2], pool._free._big is not None)  # type: ignore[union-attr]

    for seat in seats[:550]:
        seat.enabled = False
        seat.refresh()

    pool._check()
    assert (600, ["a0000", "a0001"], True) == grown
    assert [f"a{n:04}" for n in range(550, 600)] == pool.free_agents()
    assert pool._free._big is None  # type: ignore[union-attr]


def _entry(agent: str, load: int) -> tuple[object, ...]:
    return (load, agent, agent, None)


@pytest.mark.parametrize("size", [10, 512, 600])
def test_sorted_free_index_swaps_and_unswaps_exactly(size: int) -> None:
    """Adds, removals and replacements undo to the same order, small list or SortedList."""
    free = _SortedEntries()
    for n in range(size):
        free.swap(None, _entry(f"a{n:04}", n % 3))
    before = list(free)
    changes = [
        (None, _entry("new", 1)),
        (_entry("a0001", 1), None),
        (_entry("a0002", 2), _entry("a0002", 0)),
    ]

    tokens = [free.swap(old, new) for old, new in changes]
    for (old, new), token in reversed(list(zip(changes, tokens, strict=True))):
        free.unswap(old, new, token)

    assert before == list(free)
    free._check()


def test_unordered_free_index_replaces_in_place_and_undoes_exactly() -> None:
    """A replacement keeps its position in the bag; every change undoes exactly."""
    bag = _Bag()
    for name in ("ana", "bob", "cy"):
        bag.swap(None, _entry(name, 0))
    before = list(bag)
    changes = [(_entry("bob", 0), _entry("bob", 1)), (_entry("ana", 0), None)]

    tokens = [bag.swap(old, new) for old, new in changes]
    replaced_in_place = [entry[1] for entry in bag]
    for (old, new), token in reversed(list(zip(changes, tokens, strict=True))):
        bag.unswap(old, new, token)

    assert ["cy", "bob"] == replaced_in_place
    assert before == list(bag)
    bag._check()


def test_a_host_strategy_may_ignore_order_and_draw_by_index() -> None:
    """A host strategy with ordered = False reads its candidates by index, in the bag's order."""

    class Last:
        ordered = False

        def rank(self, candidate: Candidate) -> Rank:
            return (candidate.agent,)

        def choose(self, ranked: Sequence[Candidate], rng: Random) -> Candidate:
            return ranked[len(ranked) - 1]

    pool = Pool(Department("billing"), "chat", "last", Last(), UndoLog(), HostGuard())
    for name in ("ana", "bob", "cy"):
        pool.join(seat(name))

    assert "cy" == pool.pick(Random(0)).agent
