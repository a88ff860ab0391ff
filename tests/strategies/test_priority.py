from __future__ import annotations

import attrs

from agentroute._core.registry import Seat
from agentroute.strategies import Priority, Strategy
from tests.generators import make_agent, make_item, make_router, picks


def test_rank_is_priority_load_idle_since_id() -> None:
    """The priority strategy ranks a candidate by (priority, load, idle since, id)."""
    seat = Seat("ana", "chat", 10, 5, {})
    seat.load, seat.idle_since = 2, 7

    rank = Priority().rank(seat)

    assert (10, 2, 7, "ana") == rank


def test_is_a_named_strategy_with_a_readable_repr() -> None:
    """Priority is a Strategy registered as 'priority' with a plain repr."""
    strategy = Priority()

    assert ("priority", "Priority()", True) == (
        strategy.name,
        repr(strategy),
        isinstance(strategy, Strategy),
    )


def test_best_priority_number_wins() -> None:
    """Priority 1 beats 2 beats 50: the lowest number gets the work first."""
    router = make_router(
        make_agent("amy", priority=50),
        make_agent("bob", priority=2),
        make_agent("cy", priority=1),
        strategy="priority",
    )

    chosen = picks(router, 3)

    assert ["cy", "bob", "amy"] == chosen


def test_full_agent_passes_work_to_the_next_in_priority() -> None:
    """When the best agent is full, work flows to the next one until a slot frees."""
    router = make_router(
        make_agent("first", priority=1, capacity={"chat": 2}),
        make_agent("second", priority=2, capacity={"chat": 1}),
        make_agent("third", priority=3, capacity={"chat": 5}),
        strategy="priority",
    )

    chosen = picks(router, 5)

    assert ["first", "first", "second", "third", "third"] == chosen


def test_freed_slot_brings_work_back_to_the_best_agent() -> None:
    """Once the best agent frees a slot, new work goes to it again."""
    router = make_router(
        make_agent("first", priority=1),
        make_agent("second", priority=2, capacity={"chat": 5}),
        strategy="priority",
    )
    picks(router, 2)
    router.close("c0")

    decision = router.assign(make_item("next"))

    assert "first" == decision.agent


def test_equal_priority_goes_to_the_least_busy() -> None:
    """Among equal priorities, the agent with fewer items wins."""
    router = make_router(
        *(make_agent(a, priority=5, capacity={"chat": 3}) for a in ["amy", "bob"]),
        make_agent("cy", priority=6, capacity={"chat": 3}),
        strategy="priority",
    )

    chosen = picks(router, 5)

    assert ["amy", "bob", "amy", "bob", "amy"] == chosen


def test_equal_priority_and_load_goes_to_the_longest_idle() -> None:
    """Among equal priority and load, the agent idle longest wins, even with a larger id."""
    router = make_router(
        *(make_agent(a, priority=5, capacity={"chat": 3}) for a in ["amy", "zed"]),
        strategy="priority",
    )
    router.set_presence("amy", "away")
    router.assign(make_item("z1"))
    router.set_presence("amy", "online")
    router.assign(make_item("a1"))

    decision = router.assign(make_item("next"))

    assert "zed" == decision.agent


def test_full_tie_goes_to_the_smallest_id() -> None:
    """With priority, load and idle time equal, the smallest id wins."""
    router = make_router("zoe", "amy", strategy="priority")

    chosen = picks(router, 1)

    assert ["amy"] == chosen


def test_changed_priority_reranks() -> None:
    """update_agent with a better priority makes that agent the first choice."""
    router = make_router(
        make_agent("amy", priority=10, capacity={"chat": 3}),
        make_agent("bob", priority=20, capacity={"chat": 3}),
        strategy="priority",
    )
    router.update_agent(attrs.evolve(router.agent("bob"), priority=1))

    chosen = picks(router, 2)

    assert ["bob", "bob"] == chosen


def test_unavailable_best_agent_is_skipped() -> None:
    """An away best agent is skipped; it gets work again when back online."""
    router = make_router(
        make_agent("first", priority=1, capacity={"chat": 3}),
        make_agent("second", priority=2, capacity={"chat": 3}),
        strategy="priority",
    )
    router.set_presence("first", "away")
    while_away = picks(router, 1, prefix="w")
    router.set_presence("first", "online")

    back = picks(router, 1, prefix="b")

    assert (["second"], ["first"]) == (while_away, back)
