"""
Unit budgets: one budget shared by an agent's channels, on top of each channel's limit.
"""

from __future__ import annotations

import json

import pytest

from agentroute import Agent, InvalidValueError, Item, ManualClock, NotEligibleError, Router


def blended(units: int = 4, **costs: int) -> Agent:
    """An agent taking calls (cost 4) and chats (cost 1) within *units*."""
    return Agent(
        "ana",
        capacity={"call": 1, "chat": 3},
        departments={"support": {"call", "chat"}},
        units=units,
        unit_costs=costs or {"call": 4},
    )


def desk(agent: Agent, *, pull: bool = False) -> Router:
    router = Router(clock=ManualClock(0.0))
    router.add_department("support", mode="pull" if pull else "push")
    router.add_agent(agent)
    router.set_presence(agent.id, "online")
    return router


def item(item_id: str, channel: str) -> Item:
    return Item(item_id, channel=channel, department="support")


def test_a_chat_in_hand_keeps_calls_away_and_its_close_lets_one_in() -> None:
    router = desk(blended())

    chat = router.assign(item("c1", "chat"))
    call = router.assign(item("k1", "call"))
    closed = router.close("c1")

    assert (chat.status, call.status) == ("assigned", "queued")
    assert [(d.item, d.agent) for d in closed] == [("k1", "ana")]
    assert router.assign(item("c2", "chat")).status == "queued"  # the call takes all 4 units
    router._check()


def test_the_channel_limit_and_the_budget_both_hold() -> None:
    router = desk(blended(units=10))

    decisions = [router.assign(item(f"c{n}", "chat")) for n in range(4)]

    assert [d.status for d in decisions] == ["assigned"] * 3 + ["queued"]  # chat limit 3
    assert router.assign(item("k1", "call")).agent == "ana"  # 3 + 4 <= 10
    assert router.load("ana") == 4
    router._check()


def test_a_claim_over_budget_is_refused_naming_the_units() -> None:
    router = desk(blended(), pull=True)
    router.add_agent(Agent("bob"))  # two agents: pull work is not pushed to a sole one
    router.assign(item("c1", "chat"))
    router.claim("c1", "ana")
    router.assign(item("k1", "call"))

    with pytest.raises(NotEligibleError, match="has 3 of 4 units left, and 'call' costs 4"):
        router.claim("k1", "ana")
    router._check()


def test_a_new_budget_applies_at_once_and_hands_out_what_now_fits() -> None:
    router = desk(blended())
    router.assign(item("c1", "chat"))
    router.assign(item("k1", "call"))

    bigger = router.update_agent(blended(units=5))
    without = desk(blended())
    without.assign(item("c1", "chat"))
    without.assign(item("k1", "call"))
    unbounded = without.update_agent(
        Agent("ana", capacity={"call": 1, "chat": 3}, departments={"support": {"call", "chat"}})
    )

    assert [(d.item, d.agent) for d in bigger] == [("k1", "ana")]
    assert [(d.item, d.agent) for d in unbounded] == [("k1", "ana")]
    router._check()
    without._check()


def test_a_budget_is_kept_by_snapshots() -> None:
    router = desk(blended())
    router.assign(item("c1", "chat"))
    router.assign(item("k1", "call"))

    data = json.loads(json.dumps(router.snapshot()))
    restored = Router.restore(data)

    assert data["agents"][0]["agent"]["units"] == 4
    assert restored.snapshot() == data
    assert [(d.item, d.agent) for d in restored.close("c1")] == [("k1", "ana")]
    restored._check()


def test_an_agent_shows_a_budget_only_when_it_has_one() -> None:
    assert repr(blended()).endswith("units=4, unit_costs={'call': 4})")
    assert "units" not in repr(Agent("bob"))
    assert (blended().cost("call"), blended().cost("chat")) == (4, 1)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"units": -1}, "Agent.units: must be an int >= 0"),
        ({"units": 2.5}, "Agent.units: must be an int >= 0"),
        ({"unit_costs": [4]}, "Agent.unit_costs: must be a mapping"),
        ({"units": 4, "unit_costs": {"call": -1}}, r"unit_costs\['call'\]: must be an int >= 0"),
        ({"units": 4, "unit_costs": {"fax": 1}}, "has a cost for 'fax', which Agent.capacity"),
        ({"unit_costs": {"call": 4}}, "has costs but Agent.units is None"),
    ],
)
def test_a_bad_budget_is_refused(fields: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidValueError, match=message):
        Agent("ana", capacity={"call": 1}, **fields)  # type: ignore[arg-type]
