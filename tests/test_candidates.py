"""
Candidates: who could take a department's work now, in the strategy's order, and why not the rest.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from agentroute import (
    Agent,
    Candidates,
    InvalidValueError,
    Item,
    ManualClock,
    Router,
    Unavailable,
    UnknownDepartmentError,
    UnknownItemError,
)


def team() -> Router:
    """Billing chat by priority: ana (5), bob (20), cy (50), dee (units), eve offline."""
    router = Router(clock=ManualClock(1000.0))
    router.add_department("billing", strategies={"chat": "priority"}, dedicated={"vip": ["cy"]})
    chat = {"billing": {"chat"}}
    router.add_agent(Agent("ana", priority=5, capacity={"chat": 1}, departments=chat))
    router.add_agent(Agent("bob", priority=20, capacity={"chat": 2}, departments=chat))
    router.add_agent(Agent("cy", capacity={"chat": 1}, departments=chat))
    router.add_agent(
        Agent(
            "dee",
            capacity={"chat": 2, "call": 1},
            departments={"billing": {"chat", "call"}},
            units=1,
        )
    )
    router.add_agent(Agent("eve", capacity={"chat": 1}, departments=chat))
    for agent in ("ana", "bob", "cy", "dee"):
        router.set_presence(agent, "online")
    return router


def test_ready_agents_come_in_the_strategys_order_and_the_rest_say_why() -> None:
    router = team()
    router.assign(Item("c1", channel="chat", department="billing"))  # ana, now full
    router.assign(Item("k1", channel="call", department="billing"))  # dee spends her unit
    router.start_break("cy", 60)

    found = router.candidates("billing", "chat")

    assert found == Candidates(
        "billing",
        "chat",
        "priority",
        ("bob",),
        (
            Unavailable("ana", ("is full on 'chat' (1/1)",)),
            Unavailable("cy", ("is on a break",)),
            Unavailable("dee", ("has 0 of 1 units left, and 'chat' costs 1",)),
            Unavailable("eve", ("is offline",)),
        ),
    )
    assert str(found).splitlines() == [
        "'chat' in 'billing' (priority): 1 ready, 4 unavailable",
        "  ready: 'bob'",
        "  'ana': is full on 'chat' (1/1)",
        "  'cy': is on a break",
        "  'dee': has 0 of 1 units left, and 'chat' costs 1",
        "  'eve': is offline",
    ]


def test_candidates_agree_with_what_routing_does() -> None:
    router = team()

    first = router.candidates("billing", "chat").ready[0]

    assert router.assign(Item("c1", channel="chat", department="billing")).agent == first
    assert router.candidates_for("c1") == router.candidates("billing", "chat")


def test_an_item_shows_the_agents_it_goes_to_first() -> None:
    router = team()
    router.assign(Item("v1", channel="chat", department="billing", group="vip"))
    router.assign(Item("v2", channel="chat", department="billing", group="vip"))  # waits for cy

    found = router.candidates_for("v2")

    assert (found.preferred, found.ready) == (("cy",), ("ana", "bob", "dee"))
    assert "  preferred: 'cy'" in str(found).splitlines()
    assert router.candidates_for("v1").preferred == ("cy",)


def test_a_channel_nobody_serves_has_no_candidates() -> None:
    router = team()
    router.add_department("sales", default_strategy="round_robin")

    found = router.candidates("sales", "email")

    assert found == Candidates("sales", "email", "round_robin", (), ())
    assert str(found) == "'email' in 'sales' (round_robin): 0 ready, 0 unavailable"


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda r: r.candidates("legal", "chat"), UnknownDepartmentError),
        (lambda r: r.candidates("billing", ""), InvalidValueError),
        (lambda r: r.candidates_for("zz"), UnknownItemError),
    ],
)
def test_bad_questions_are_refused(
    call: Callable[[Router], object], error: type[Exception]
) -> None:
    router = team()

    with pytest.raises(error):
        call(router)
