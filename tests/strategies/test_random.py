from __future__ import annotations

from collections import Counter
from random import Random

from agentroute import Agent
from agentroute._core.registry import Seat
from agentroute.strategies import RandomChoice, Strategy
from tests.generators import make_agent, make_router, picks


def roster(*agent_ids: str, capacity: int = 2000) -> list[Agent]:
    """Agents with room for many chats, so only the draw decides."""
    return [make_agent(a, capacity={"chat": capacity}) for a in agent_ids]


def test_rank_is_the_id() -> None:
    """Random ranks by id alone, so the draw depends on neither load nor join order."""
    seat = Seat("ana", "chat", 10, 5, {})
    seat.load, seat.idle_since, seat.last_assigned = 3, 9, 4

    rank = RandomChoice().rank(seat)

    assert ("ana",) == rank


def test_is_a_named_strategy_with_a_readable_repr() -> None:
    """RandomChoice is a Strategy registered as 'random' with a plain repr."""
    strategy = RandomChoice()

    assert ("random", "RandomChoice()", True) == (
        strategy.name,
        repr(strategy),
        isinstance(strategy, Strategy),
    )


def test_choose_draws_from_the_given_generator() -> None:
    """choose() takes its index from the generator it is handed."""
    ranked = [Seat(a, "chat", 50, 1, {}) for a in "abcdefghij"]
    expected_index = Random(42).randrange(10)

    chosen = RandomChoice().choose(ranked, Random(42))

    assert ranked[expected_index] is chosen


def test_same_seed_same_sequence() -> None:
    """Two routers with the same seed and calls make the same picks."""
    first = make_router(*roster("ana", "bob", "cy", "dan"), strategy="random", seed=11)
    second = make_router(*roster("ana", "bob", "cy", "dan"), strategy="random", seed=11)

    expected = picks(first, 40)

    assert expected == picks(second, 40)


def test_different_seeds_can_differ() -> None:
    """Seeds 1 and 2 give different sequences over 20 picks among four agents."""
    first = make_router(*roster("ana", "bob", "cy", "dan"), strategy="random", seed=1)
    second = make_router(*roster("ana", "bob", "cy", "dan"), strategy="random", seed=2)

    sequences = (picks(first, 20), picks(second, 20))

    assert sequences[0] != sequences[1]


def test_the_same_calls_replay_the_same_draws_after_leaves_and_joins() -> None:
    """The unordered index reorders on every change, yet the same calls give the same picks."""

    def run() -> list[str | None]:
        router = make_router(*roster("ana", "bob", "cy", "dan"), strategy="random", seed=5)
        chosen = picks(router, 10)
        router.set_presence("bob", "away")
        chosen += picks(router, 10, prefix="d")
        router.set_presence("bob", "online")
        router.add_agent(make_agent("eve"))
        router.set_presence("eve", "online")
        return chosen + picks(router, 10, prefix="e")

    expected = run()

    assert expected == run()


def test_only_free_agents_are_drawn() -> None:
    """Away, channel-off and full agents are never drawn."""
    router = make_router(
        *roster("ana", "bob", "cy", "dan"),
        make_agent("full", capacity={"chat": 0}),
        strategy="random",
        seed=3,
    )
    router.set_presence("bob", "away")
    router.set_channel("cy", "chat", enabled=False)

    chosen = set(picks(router, 50))

    assert {"ana", "dan"} == chosen


def test_every_free_agent_gets_a_fair_share() -> None:
    """Over 2 000 picks among four agents, each gets between 15% and 35%."""
    router = make_router(*roster("ana", "bob", "cy", "dan"), strategy="random", seed=2024)

    counts = Counter(picks(router, 2000))

    assert ["ana", "bob", "cy", "dan"] == sorted(counts)  # type: ignore[type-var]
    assert all(300 <= n <= 700 for n in counts.values()), counts
