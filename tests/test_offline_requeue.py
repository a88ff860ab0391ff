"""
A department may send an offline agent's work back to routing after a wait.
"""

from __future__ import annotations

import json

import pytest

from agentroute import Agent, InvalidValueError, ManualClock, Router
from tests.generators import make_agent, make_item


def desk(clock: ManualClock, wait: float | None = 300.0) -> Router:
    """Billing requeues after *wait*; support keeps work with its agent."""
    router = Router(seed=1, clock=clock)
    router.add_department("billing", requeue_offline_after_s=wait)
    router.add_department("support")
    both = {"billing": {"chat"}, "support": {"chat"}}
    router.add_agent(Agent("ana", capacity={"chat": 3}, departments=both))
    router.add_agent(make_agent("bob", capacity={"chat": 3}))
    for agent in ("ana", "bob"):
        router.set_presence(agent, "online")
    router.set_presence("bob", "away")
    router.assign(make_item("b1"))
    router.assign(make_item("s1", department="support"))
    router.set_presence("bob", "online")
    return router


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1000.0)


def test_an_offline_agents_work_goes_back_after_the_wait(clock: ManualClock) -> None:
    router = desk(clock)
    assert router.assigned_to("ana") == ("b1", "s1")

    router.set_presence("ana", "offline")
    assert router.next_deadline() == 1300.0
    clock.advance(299)
    assert router.advance() == []
    clock.advance(1)
    decisions = router.advance()

    assert [(d.item, d.agent) for d in decisions] == [("b1", "bob")]
    assert router.assigned_to("ana") == ("s1",)  # support keeps work with the agent
    assert [row.action for row in router.history("b1")][-2:] == ["requeued", "assigned"]
    assert router.history("b1")[-2].reason == "'ana' was offline longer than the department waits"
    assert router.next_deadline() is None


def test_coming_back_in_time_keeps_the_work(clock: ManualClock) -> None:
    router = desk(clock)
    router.set_presence("ana", "offline")
    clock.advance(100)

    router.set_presence("ana", "away")
    clock.advance(1000)

    assert (router.advance(), router.next_deadline()) == ([], None)
    assert router.assigned_to("ana") == ("b1", "s1")


def test_without_the_setting_work_stays_with_an_offline_agent(clock: ManualClock) -> None:
    router = desk(clock, wait=None)

    router.set_presence("ana", "offline")

    assert router.next_deadline() is None


def test_work_closed_while_offline_is_not_waited_for(clock: ManualClock) -> None:
    router = desk(clock)
    router.set_presence("ana", "offline")
    router.close("b1")
    clock.advance(400)

    assert router.advance() == []
    assert router.assigned_to("ana") == ("s1",)


def test_the_wait_survives_a_snapshot(clock: ManualClock) -> None:
    router = desk(clock)
    router.set_presence("ana", "offline")
    data = json.loads(json.dumps(router.snapshot()))
    restored = Router.restore(data, clock=clock)
    clock.advance(300)

    assert restored.snapshot() == data
    assert restored.advance() == router.advance()
    assert data["agents"][0]["offline_since"] == 1000.0
    assert data["departments"][0]["requeue_offline_after_s"] == 300.0


@pytest.mark.parametrize("wait", [-1, float("nan"), "300", True])
def test_the_wait_must_be_seconds(wait: object) -> None:
    with pytest.raises(InvalidValueError, match="requeue_offline_after_s"):
        Router().add_department("billing", requeue_offline_after_s=wait)  # type: ignore[arg-type]
