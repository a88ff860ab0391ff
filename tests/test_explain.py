"""
explain(): who decided where an item is, what the strategy compared, and who could take it now.
"""

from __future__ import annotations

from collections.abc import Sequence
from random import Random

import hypothesis.strategies as st
from hypothesis import given, settings

from agentroute import (
    Agent,
    Candidate,
    Candidates,
    Explanation,
    Item,
    ManualClock,
    Ranked,
    Router,
)
from tests.conftest import Register


def desk(strategy: str = "least_busy", agents: int = 3) -> Router:
    router = Router(clock=ManualClock(1000.0), seed=3)
    router.add_department("billing", strategies={"chat": strategy})
    for n in range(agents):
        name = "abcdefgh"[n] * 3
        chat = {"billing": {"chat"}}
        router.add_agent(Agent(name, priority=10 + n, capacity={"chat": 2}, departments=chat))
        router.set_presence(name, "online")
    return router


def chat(item_id: str) -> Item:
    return Item(item_id, channel="chat", department="billing")


def test_a_strategy_choice_shows_the_ranks_it_compared() -> None:
    router = desk("priority")
    router.assign(chat("c1"))  # aaa, priority 10

    found = router.explain("c1")

    assert (found.agent, found.decided_by, found.by_kind, found.at, found.among) == (
        "aaa",
        "priority",
        "strategy",
        1000.0,
        3,
    )
    assert found.chosen == Ranked(
        "aaa", (("priority", 10), ("load", 0), ("idle since", 0), ("id", "aaa"))
    )
    assert found.runner_up == Ranked(
        "bbb", (("priority", 11), ("load", 0), ("idle since", 0), ("id", "bbb"))
    )
    assert str(found).splitlines()[:5] == [
        "Item 'c1' ('chat' in 'billing') is assigned to 'aaa'.",
        "Decided by priority (strategy) at 1000.0.",
        "The strategy chose among 3 free agents:",
        "  chosen 'aaa' (priority 10, load 0, idle since 0, id 'aaa')",
        "  next   'bbb' (priority 11, load 0, idle since 0, id 'bbb')",
    ]
    assert found.now == router.candidates_for("c1")


def test_a_draw_names_no_runner_up_and_a_lone_agent_none_either() -> None:
    drawn = desk("random")
    drawn.assign(chat("c1"))
    alone = desk(agents=1)
    alone.assign(chat("c1"))

    assert (drawn.explain("c1").among, drawn.explain("c1").runner_up) == (3, None)
    assert alone.explain("c1").chosen is not None
    assert alone.explain("c1").runner_up is None
    assert not any(line.startswith("  next") for line in str(alone.explain("c1")).splitlines())


def test_a_handed_over_slot_or_a_waiting_item_has_no_comparison() -> None:
    router = desk(agents=1)
    router.assign(chat("c1"))
    router.assign(chat("c2"))
    router.assign(chat("c3"))  # waits: aaa is full
    router.close("c2")  # the slot goes straight to c3

    handed = router.explain("c3")
    waiting_router = desk(agents=0)
    waiting_router.assign(chat("w1"))
    waiting = waiting_router.explain("w1")

    assert (handed.decided_by, handed.chosen) == ("least_busy", None)
    assert (waiting.state, waiting.decided_by, waiting.chosen) == ("queued", None, None)
    assert str(waiting).splitlines()[1].startswith("Now: ")


def test_a_claim_is_decided_by_the_agent() -> None:
    router = Router(clock=ManualClock(5.0))
    router.add_department("desk", mode="pull")
    for name in ("ana", "bob"):
        router.add_agent(Agent(name, capacity={"chat": 1}, departments={"desk": {"chat"}}))
        router.set_presence(name, "online")
    router.assign(Item("p1", channel="chat", department="desk"))
    router.claim("p1", "bob")

    found = router.explain("p1")

    assert (found.decided_by, found.by_kind, found.chosen) == ("bob", "agent", None)


def test_a_host_strategy_without_field_names_gets_numbered_parts(
    register_strategy: Register,
) -> None:
    class Newest:
        def rank(self, candidate: Candidate) -> tuple[int, str]:
            return (-candidate.priority, candidate.agent)

        def choose(self, ranked: Sequence[Candidate], rng: Random) -> Candidate:
            return ranked[0]

    register_strategy("newest", Newest)
    router = desk("newest")
    router.assign(chat("c1"))

    assert router.explain("c1").chosen == Ranked("ccc", (("rank[0]", -12), ("rank[1]", "ccc")))


def test_rules_that_acted_are_listed() -> None:
    now = Candidates("billing", "chat", "least_busy", (), ())
    found = Explanation(
        "t1",
        "queued",
        "billing",
        "chat",
        None,
        "social",
        "rule",
        5.0,
        None,
        None,
        None,
        ("social",),
        now,
    )

    assert "Rules: social." in str(found).splitlines()


@settings(max_examples=60, deadline=None)
@given(
    strategy=st.sampled_from(["least_busy", "most_busy", "priority", "round_robin"]),
    agents=st.integers(1, 6),
    steps=st.lists(st.tuples(st.booleans(), st.integers(0, 5)), min_size=1, max_size=25),
)
def test_explain_agrees_with_the_candidates_just_before_the_decision(
    strategy: str, agents: int, steps: list[tuple[bool, int]]
) -> None:
    router = desk(strategy, agents)
    opened: list[str] = []
    for n, (arrive, pick) in enumerate(steps):
        if arrive or not opened:
            before = router.candidates("billing", "chat")
            decision = router.assign(chat(f"c{n}"))
            opened.append(decision.item)
            if decision.status == "assigned":
                found = router.explain(decision.item)
                assert found.agent == decision.agent == before.ready[0]
                assert found.among == len(before.ready)
                assert found.chosen is not None
                assert found.chosen.agent == decision.agent
                nxt = before.ready[1] if len(before.ready) > 1 else None
                assert (found.runner_up and found.runner_up.agent) == nxt
        else:
            router.close(opened.pop(pick % len(opened)))
