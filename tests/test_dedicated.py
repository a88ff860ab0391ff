"""
Dedicated agents for customer groups, and sticky items that wait for their agent.
"""

from __future__ import annotations

import json

import pytest

from agentroute import Agent, InvalidValueError, Item, ManualClock, Router
from agentroute.events import ItemQueued


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1000.0)


def vip_desk(clock: ManualClock, **settings: object) -> Router:
    """Chat desk where VIPs go to sam, then tia; ana and bob take the rest. All online."""
    router = Router(clock=clock)
    router.add_department(
        "desk",
        dedicated={"vip": ["sam", "tia"]},
        **settings,  # type: ignore[arg-type]
    )
    for agent in ("ana", "bob", "sam", "tia"):
        router.add_agent(Agent(agent, capacity={"chat": 1}, departments={"desk": {"chat"}}))
        router.set_presence(agent, "online")
    return router


def chat(item_id: str, **fields: object) -> Item:
    return Item(item_id, channel="chat", department="desk", **fields)  # type: ignore[arg-type]


def test_a_group_goes_to_its_first_dedicated_agent_who_is_free(clock: ManualClock) -> None:
    router = vip_desk(clock)

    first = router.assign(chat("v1", group="vip"))
    second = router.assign(chat("v2", group="vip"))
    plain = router.assign(chat("c1"))
    other_group = router.assign(chat("g1", group="gold"))

    assert [(d.agent, d.strategy) for d in (first, second)] == [
        ("sam", "dedicated"),
        ("tia", "dedicated"),
    ]
    assert (plain.agent, other_group.agent) == ("ana", "bob")
    router._check()


def test_by_default_a_group_waits_for_its_agents_ahead_of_the_queue(clock: ManualClock) -> None:
    router = vip_desk(clock)
    router.assign(chat("v1", group="vip"))
    router.assign(chat("v2", group="vip"))
    router.assign(chat("c1"))
    router.assign(chat("c2"))
    router.assign(chat("c3"))  # ana and bob busy: waits in the queue

    waiting = router.assign(chat("v3", group="vip"))
    status = router.status("v3")
    freed = router.close("v2")

    assert (waiting.status, waiting.strategy, waiting.position) == ("queued", "dedicated", 1)
    assert waiting.reason == "waits for 'sam', 'tia', dedicated to its group"
    assert (status.state, status.waiting_for, status.position) == ("queued", ("sam", "tia"), 1)
    assert repr(status).endswith("waiting_for=('sam', 'tia'))")
    assert [(d.item, d.agent, d.strategy) for d in freed] == [("v3", "tia", "dedicated")]
    assert router.queued("desk", "chat") == ("c3",)
    router._check()


def test_a_group_falls_through_to_the_strategy_after_its_wait(clock: ManualClock) -> None:
    router = vip_desk(clock, dedicated_wait_s=30)
    router.set_presence("sam", "away")
    router.set_presence("tia", "offline")

    waiting = router.assign(chat("v1", group="vip"))
    clock.advance(30)
    decisions = router.advance()
    at_once = vip_desk(ManualClock(0.0), dedicated_wait_s=0)
    at_once.set_presence("sam", "away")
    at_once.set_presence("tia", "away")

    assert (waiting.status, router.next_deadline()) == ("queued", None)
    assert [(d.item, d.status, d.strategy) for d in decisions] == [("v1", "assigned", "least_busy")]
    assert at_once.assign(chat("v1", group="vip")).strategy == "least_busy"
    router._check()


def test_a_group_without_members_here_goes_to_the_strategy(clock: ManualClock) -> None:
    router = vip_desk(clock)
    router.add_department("sales", dedicated={"vip": ["zed"]})
    router.add_agent(Agent("cy", capacity={"chat": 1}, departments={"sales": {"chat"}}))
    router.set_presence("cy", "online")

    decision = router.assign(Item("s1", channel="chat", department="sales", group="vip"))

    assert (decision.agent, decision.strategy) == ("cy", "least_busy")
    router._check()


def test_closing_transferring_or_claiming_a_waiting_item_ends_its_wait(clock: ManualClock) -> None:
    router = vip_desk(clock, dedicated_wait_s=60)
    router.add_department("sales")
    router.set_presence("sam", "away")
    router.set_presence("tia", "away")
    router.assign(chat("v1", group="vip"))
    router.assign(chat("v2", group="vip"))
    router.assign(chat("v3", group="vip"))
    router.assign(chat("c1"))
    router.assign(chat("c2"))

    router.close("v1")
    router.transfer("v2", to_department="sales")
    router.close("c1")
    claimed = router.claim("v3", "ana")

    assert claimed.agent == "ana"
    assert (router.next_deadline(), router.status("v2").waiting_for) == (None, ())
    router._check()


def test_an_agent_leaving_stops_items_waiting_for_them(clock: ManualClock) -> None:
    router = vip_desk(clock)
    router.set_presence("sam", "away")
    router.set_presence("tia", "away")
    for n in range(3):
        router.assign(chat(f"c{n}"))  # ana, bob, then c2 waits
    router.assign(chat("v1", group="vip"))

    router.remove_agent("sam")
    moved = router.update_agent(Agent("tia", capacity={"chat": 1}))

    assert router.status("v1").waiting_for == ()
    assert [(d.item, d.status, d.position) for d in moved] == [("v1", "queued", 2)]
    router._check()


def test_an_sla_breach_escalates_a_waiting_item_in_its_agents_line(clock: ManualClock) -> None:
    router = vip_desk(clock, sla_escalate_to=1)
    router.set_presence("sam", "away")
    router.set_presence("tia", "away")
    router.assign(chat("v1", group="vip"))
    router.assign(chat("v2", group="vip", sla_deadline=1010.0))
    clock.advance(10)

    router.advance()
    router.set_presence("tia", "online")

    assert router.status("v1").state == "queued"
    assert router.owner("v2").agent == "tia"
    router._check()


def test_a_sticky_item_may_wait_for_its_last_agent(clock: ManualClock) -> None:
    router = Router(clock=clock)
    router.add_department("desk", sticky=True, sticky_wait_s=60)
    for agent in ("ana", "bob"):
        router.add_agent(Agent(agent, capacity={"chat": 1}, departments={"desk": {"chat"}}))
        router.set_presence(agent, "online")
    router.assign(chat("c1", customer="acme"))  # ana: tied, first by id
    router.close("c1")
    router.assign(chat("c2"))  # bob, idle longer
    router.assign(chat("c3"))  # ana
    router.close("c2")  # bob is free, ana busy
    events: list[object] = []
    router.subscribe(events.append, ["queued"])

    waiting = router.assign(chat("c4", customer="acme"))
    handed = router.close("c3")

    assert (waiting.status, waiting.strategy) == ("queued", "sticky")
    assert waiting.reason == "waits for 'ana', who last helped the customer"
    assert [type(e) for e in events] == [ItemQueued]
    assert [(d.item, d.agent, d.strategy) for d in handed] == [("c4", "ana", "sticky")]
    router._check()


def test_a_sticky_wait_ends_and_the_strategy_takes_it(clock: ManualClock) -> None:
    router = Router(clock=clock)
    router.add_department("desk", sticky=True, sticky_wait_s=45)
    for agent in ("ana", "bob"):
        router.add_agent(Agent(agent, capacity={"chat": 1}, departments={"desk": {"chat"}}))
        router.set_presence(agent, "online")
    router.assign(chat("c1", customer="acme"))
    router.set_presence("ana", "away")  # who took c1, first by id

    waiting = router.assign(chat("c2", customer="acme"))
    assert router.next_deadline() == 1045.0
    clock.advance(45)
    decisions = router.advance()

    assert (waiting.status, waiting.strategy) == ("queued", "sticky")
    assert [(d.item, d.strategy) for d in decisions] == [("c2", "least_busy")]
    router._check()


def test_waiting_items_survive_a_snapshot(clock: ManualClock) -> None:
    router = vip_desk(clock, dedicated_wait_s=90)
    router.set_presence("sam", "away")
    router.set_presence("tia", "away")
    router.assign(chat("v1", group="vip"))

    data = json.loads(json.dumps(router.snapshot()))
    restored = Router.restore(data, clock=clock)

    assert restored.snapshot() == data
    assert restored.status("v1").waiting_for == ("sam", "tia")
    assert [(d.item, d.agent) for d in restored.set_presence("tia", "online")] == [("v1", "tia")]
    restored._check()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"dedicated": ["sam"]}, "Department.dedicated: must be a mapping"),
        ({"dedicated": {"vip": []}}, r"dedicated\['vip'\]: must be a non-empty list"),
        ({"dedicated": {"vip": "sam"}}, r"dedicated\['vip'\]: must be a non-empty list"),
        ({"dedicated": {"vip": ["sam", "sam"]}}, "lists an agent twice"),
        ({"dedicated": {"vip": [""]}}, "agent: must be a non-empty string"),
        ({"dedicated_wait_s": -1}, "dedicated_wait_s: must be None or seconds >= 0"),
        ({"sticky_wait_s": -1}, "sticky_wait_s: must be seconds >= 0"),
        ({"sticky_wait_s": None}, "sticky_wait_s: must be seconds >= 0"),
    ],
)
def test_bad_settings_are_refused(settings: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidValueError, match=message):
        Router().add_department("desk", **settings)  # type: ignore[arg-type]


def test_an_item_shows_its_group_only_when_it_has_one() -> None:
    assert repr(chat("v1", group="vip")).endswith(", group='vip')")
    assert "group" not in repr(chat("c1"))
    with pytest.raises(InvalidValueError, match=r"Item\.group"):
        chat("v1", group="")
