from __future__ import annotations

from agentroute._core.registry import Seat
from agentroute.strategies import LeastBusy, Strategy
from tests.generators import make_agent, make_item, make_router, picks


def test_rank_is_load_idle_since_id() -> None:
    """least_busy ranks a candidate by (load, idle since, id)."""
    seat = Seat("ana", "chat", 10, 5, {})
    seat.load, seat.idle_since, seat.last_assigned = 2, 7, 4

    rank = LeastBusy().rank(seat)

    assert (2, 7, "ana") == rank


def test_is_a_named_strategy_with_a_readable_repr() -> None:
    """LeastBusy is a Strategy registered as 'least_busy' with a plain repr."""
    strategy = LeastBusy()

    assert ("least_busy", "LeastBusy()", True) == (
        strategy.name,
        repr(strategy),
        isinstance(strategy, Strategy),
    )


def test_fewest_items_wins() -> None:
    """Each item goes to the agent holding the fewest, so loads even out."""
    router = make_router(
        *(make_agent(a, capacity={"chat": 3}) for a in ["ana", "bob", "cy"]), strategy="least_busy"
    )

    chosen = picks(router, 6)

    assert ["ana", "bob", "cy", "ana", "bob", "cy"] == chosen


def test_fewest_items_beats_idle_time_and_id() -> None:
    """A lower load wins even against a longer-idle agent with a smaller id."""
    router = make_router(
        *(make_agent(a, capacity={"chat": 3}) for a in ["ana", "bob"]), strategy="least_busy"
    )
    router.assign(make_item("a1"))
    router.assign(make_item("b1"))
    router.assign(make_item("a2"))

    decision = router.assign(make_item("next"))

    assert ("bob", 2, 2) == (decision.agent, router.load("ana"), router.load("bob"))


def test_equal_load_goes_to_the_longest_idle() -> None:
    """Among equal loads, the agent idle longest wins over a smaller id."""
    router = make_router(
        *(make_agent(a, capacity={"chat": 3}) for a in ["ana", "bob"]), strategy="least_busy"
    )
    router.assign(make_item("a1"))
    router.assign(make_item("b1"))
    router.close("a1")
    router.assign(make_item("a2"))

    decision = router.assign(make_item("next"))

    assert "bob" == decision.agent


def test_a_release_restarts_idle_time() -> None:
    """Idle counts from the last assignment or release, so a recent close means less idle."""
    router = make_router(
        *(make_agent(a, capacity={"chat": 2}) for a in ["ana", "bob"]), strategy="least_busy"
    )
    router.set_channel("bob", "chat", enabled=False)
    router.assign(make_item("a1"))
    router.assign(make_item("a2"))
    router.set_channel("bob", "chat", enabled=True)
    router.assign(make_item("b1"))
    router.close("a1")

    decision = router.assign(make_item("next"))

    assert "bob" == decision.agent


def test_untouched_agents_tie_on_id() -> None:
    """Never-assigned agents tie on load and idle time; the smallest id wins, not the first."""
    router = make_router("zoe", "max", "amy", strategy="least_busy")

    chosen = picks(router, 3)

    assert ["amy", "max", "zoe"] == chosen


def test_skips_agents_who_cannot_take_work() -> None:
    """The least busy agent is passed over when away, and the next least busy gets it."""
    router = make_router(
        *(make_agent(a, capacity={"chat": 3}) for a in ["ana", "bob", "cy"]), strategy="least_busy"
    )
    router.assign(make_item("a1"))
    router.assign(make_item("b1"))
    router.set_presence("cy", "away")

    decision = router.assign(make_item("next"))

    assert "ana" == decision.agent
