from __future__ import annotations

from agentroute import Agent
from agentroute._core.registry import Seat
from agentroute.strategies import RoundRobin, Strategy
from tests.generators import make_agent, make_item, make_router, picks


def roster(*agent_ids: str, capacity: int = 10) -> list[Agent]:
    """Agents with room for many chats, so only turns decide."""
    return [make_agent(a, capacity={"chat": capacity}) for a in agent_ids]


def test_rank_is_last_assigned_then_id() -> None:
    """round_robin ranks a candidate by (last assigned, id), ignoring load."""
    seat = Seat("ana", "chat", 10, 5, {})
    seat.load, seat.idle_since, seat.last_assigned = 3, 9, 4

    rank = RoundRobin().rank(seat)

    assert (4, "ana") == rank


def test_is_a_named_strategy_with_a_readable_repr() -> None:
    """RoundRobin is a Strategy registered as 'round_robin' with a plain repr."""
    strategy = RoundRobin()

    assert ("round_robin", "RoundRobin()", True) == (
        strategy.name,
        repr(strategy),
        isinstance(strategy, Strategy),
    )


def test_agents_take_turns() -> None:
    """Each agent gets one item per round, in a fixed rotation, whatever their load."""
    router = make_router(*roster("cy", "ana", "bob"), strategy="round_robin")

    chosen = picks(router, 7)

    assert ["ana", "bob", "cy", "ana", "bob", "cy", "ana"] == chosen


def test_closing_does_not_change_the_turn() -> None:
    """Freeing a slot does not move an agent up the rotation (unlike least_busy)."""
    router = make_router(*roster("ana", "bob", "cy"), strategy="round_robin")
    picks(router, 3)
    router.close("c2")
    router.close("c1")

    chosen = picks(router, 3, prefix="n")

    assert ["ana", "bob", "cy"] == chosen


def test_away_agent_is_skipped_and_keeps_its_place() -> None:
    """An away agent is skipped; back online, it is first because its turn is the oldest."""
    router = make_router(*roster("ana", "bob", "cy"), strategy="round_robin")
    picks(router, 3)
    router.set_presence("bob", "away")
    while_away = picks(router, 3, prefix="w")
    router.set_presence("bob", "online")

    after = picks(router, 3, prefix="b")

    assert (["ana", "cy", "ana"], ["bob", "cy", "ana"]) == (while_away, after)


def test_offline_and_channel_off_agents_are_skipped() -> None:
    """Offline agents and agents with the channel off get no turn."""
    router = make_router(*roster("ana", "bob", "cy", "dan"), strategy="round_robin")
    router.set_presence("bob", "offline")
    router.set_channel("cy", "chat", enabled=False)

    chosen = picks(router, 4)

    assert ["ana", "dan", "ana", "dan"] == chosen


def test_full_agent_is_skipped() -> None:
    """A full agent is passed over until it frees a slot, then resumes its turn."""
    router = make_router(
        make_agent("ana", capacity={"chat": 1}), *roster("bob", "cy"), strategy="round_robin"
    )
    first = picks(router, 5)
    router.close("c0")

    decision = router.assign(make_item("next"))

    assert (["ana", "bob", "cy", "bob", "cy"], "ana") == (first, decision.agent)


def test_newcomer_starts_at_the_front() -> None:
    """An agent who joins has never been assigned, so it goes next, then the rotation resumes."""
    router = make_router(*roster("ana", "bob", "cy"), strategy="round_robin")
    picks(router, 4)
    router.add_agent(make_agent("dan", capacity={"chat": 10}))
    router.set_presence("dan", "online")

    chosen = picks(router, 4, prefix="n")

    assert ["dan", "bob", "cy", "ana"] == chosen


def test_leaver_drops_out_and_the_rest_keep_turning() -> None:
    """Removing an agent keeps the others' order."""
    router = make_router(*roster("ana", "bob", "cy"), strategy="round_robin")
    picks(router, 1)
    router.remove_agent("bob", requeue=True)

    chosen = picks(router, 4, prefix="n")

    assert ["cy", "ana", "cy", "ana"] == chosen


def test_rotation_survives_a_join_and_a_leave() -> None:
    """After one agent joins and another leaves, the newcomer goes first and the rest keep order."""
    router = make_router(*roster("ana", "bob", "cy"), strategy="round_robin")
    picks(router, 4)
    router.add_agent(make_agent("dan", capacity={"chat": 10}))
    router.set_presence("dan", "online")
    router.close("c1")
    router.remove_agent("bob")

    chosen = picks(router, 6, prefix="n")

    assert ["dan", "cy", "ana", "dan", "cy", "ana"] == chosen


def test_requeued_work_of_a_leaver_follows_the_rotation() -> None:
    """Work requeued from a leaver goes to whoever is next in turn."""
    router = make_router(*roster("ana", "bob", "cy"), strategy="round_robin")
    picks(router, 2)

    decisions = router.remove_agent("ana", requeue=True)

    assert [("c0", "cy")] == [(d.item, d.agent) for d in decisions]
