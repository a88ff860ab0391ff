from __future__ import annotations

from agentroute._core.registry import Seat
from agentroute.strategies import MostBusy, Strategy
from tests.generators import make_agent, make_item, make_router, picks


def test_rank_is_negative_load_idle_since_id() -> None:
    """most_busy ranks a candidate by (-load, idle since, id)."""
    seat = Seat("ana", "chat", 10, 5, {})
    seat.load, seat.idle_since = 2, 7

    rank = MostBusy().rank(seat)

    assert (-2, 7, "ana") == rank


def test_is_a_named_strategy_with_a_readable_repr() -> None:
    """MostBusy is a Strategy registered as 'most_busy' with a plain repr."""
    strategy = MostBusy()

    assert ("most_busy", "MostBusy()", True) == (
        strategy.name,
        repr(strategy),
        isinstance(strategy, Strategy),
    )


def test_fills_the_busiest_agent_first_so_others_stay_free() -> None:
    """Work piles on the busiest agent with a free slot; the others stay empty until it is full."""
    router = make_router(
        *(make_agent(a, capacity={"chat": 3}) for a in ["ana", "bob", "cy"]), strategy="most_busy"
    )

    chosen = picks(router, 7)

    assert ["ana"] * 3 + ["bob"] * 3 + ["cy"] == chosen


def test_full_agent_is_skipped() -> None:
    """A full agent ranks nowhere; the next busiest with a slot gets the work."""
    router = make_router(
        make_agent("ana", capacity={"chat": 1}),
        make_agent("bob", capacity={"chat": 2}),
        strategy="most_busy",
    )
    router.set_presence("bob", "away")
    router.assign(make_item("a1"))
    router.set_presence("bob", "online")

    decision = router.assign(make_item("next"))

    assert ("bob", 1) == (decision.agent, router.load("ana"))


def test_busier_agent_wins_over_idle_time() -> None:
    """A higher load beats a longer idle time."""
    router = make_router(
        *(make_agent(a, capacity={"chat": 3}) for a in ["amy", "zed"]), strategy="most_busy"
    )
    router.set_channel("amy", "chat", enabled=False)
    router.assign(make_item("z1"))
    router.assign(make_item("z2"))
    router.set_channel("amy", "chat", enabled=True)
    router.set_channel("zed", "chat", enabled=False)
    router.assign(make_item("a1"))
    router.set_channel("zed", "chat", enabled=True)

    decision = router.assign(make_item("next"))

    assert "zed" == decision.agent


def test_equal_load_goes_to_the_longest_idle() -> None:
    """Among equal loads, the agent idle longest wins, even with a larger id."""
    router = make_router(
        *(make_agent(a, capacity={"chat": 3}) for a in ["amy", "zed"]), strategy="most_busy"
    )
    router.set_channel("amy", "chat", enabled=False)
    router.assign(make_item("z1"))
    router.set_channel("amy", "chat", enabled=True)
    router.set_channel("zed", "chat", enabled=False)
    router.assign(make_item("a1"))
    router.set_channel("zed", "chat", enabled=True)

    decision = router.assign(make_item("next"))

    assert "zed" == decision.agent


def test_untouched_agents_tie_on_id() -> None:
    """With everyone empty and never assigned, the smallest id starts, whatever the add order."""
    router = make_router("zoe", "amy", "max", strategy="most_busy")

    chosen = picks(router, 1)

    assert ["amy"] == chosen
