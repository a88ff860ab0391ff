"""
Ring-all offers: every free agent rings at once, the first to accept gets the item.
"""

from __future__ import annotations

import json

import pytest

from agentroute import (
    Agent,
    HostCodeError,
    InvalidStateError,
    InvalidValueError,
    Item,
    ManualClock,
    NotOfferedError,
    Router,
)
from agentroute.events import ItemOffered, OfferMissed, OfferWithdrawn, SlaBreached
from tests.generators import record_events


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1000.0)


def call(item_id: str, **fields: object) -> Item:
    where: dict[str, object] = {"channel": "call", "department": "support", **fields}
    return Item(item_id, **where)  # type: ignore[arg-type]


def phones(clock: ManualClock, *agents: str, limit: int = 1, **settings: object) -> Router:
    """A support desk whose calls ring every free agent; *agents* online."""
    router = Router(clock=clock)
    router.add_department(
        "support",
        strategies={"call": "ring_all", "chat": "least_busy"},
        **settings,  # type: ignore[arg-type]
    )
    for agent in agents:
        router.add_agent(
            Agent(
                agent,
                capacity={"call": limit, "chat": 2},
                departments={"support": {"call", "chat"}},
            )
        )
        router.set_presence(agent, "online")
    return router


def test_an_item_rings_every_free_agent_and_the_first_to_accept_gets_it(
    clock: ManualClock,
) -> None:
    router = phones(clock, "ana", "bob", "cy")
    events = record_events(router, ["offered", "offer_withdrawn", "assigned"])

    offered = router.assign(call("k1"))
    status = router.status("k1")
    taken = router.accept("k1", "bob")

    assert (offered.status, offered.agent, offered.offered) == (
        "offered",
        None,
        ("ana", "bob", "cy"),
    )
    assert "offered=('ana', 'bob', 'cy')" in repr(offered)
    assert (status.state, status.offered, status.agent) == ("offered", ("ana", "bob", "cy"), None)
    assert repr(status).endswith("offered=('ana', 'bob', 'cy'))")
    assert [(d.item, d.status, d.agent, d.strategy) for d in taken] == [
        ("k1", "assigned", "bob", "ring_all")
    ]
    assert events[0] == ItemOffered(1000.0, "k1", ("ana", "bob", "cy"), "support", "call")
    assert events[1:3] == [
        OfferWithdrawn(1000.0, "k1", "ana", "taken by 'bob'"),
        OfferWithdrawn(1000.0, "k1", "cy", "taken by 'bob'"),
    ]
    assert router.owner("k1").agent == "bob"
    assert router.next_deadline() is None  # the ring's timer went with it
    router._check()


def test_an_offer_holds_a_slot_so_the_next_item_rings_the_others(clock: ManualClock) -> None:
    router = phones(clock, "ana", "bob")

    router.assign(call("k1"))
    waiting = router.assign(call("k2"))  # both agents ring with k1: no free slot

    assert (waiting.status, router.offered_to("ana"), router.load("ana", "call")) == (
        "queued",
        ("k1",),
        0,
    )
    decisions = router.accept("k1", "ana")  # bob's slot frees: k2 rings him
    assert [(d.item, d.status, d.offered) for d in decisions] == [
        ("k1", "assigned", ()),
        ("k2", "offered", ("bob",)),
    ]
    router._check()


def test_a_late_or_foreign_accept_is_refused_with_a_typed_error(clock: ManualClock) -> None:
    router = phones(clock, "ana", "bob")
    router.add_agent(Agent("zed", capacity={"call": 1}, departments={"support": {"call"}}))
    router.assign(call("k1"))
    router.accept("k1", "ana")

    with pytest.raises(NotOfferedError, match="taken by 'ana'") as late:
        router.accept("k1", "bob")
    with pytest.raises(NotOfferedError, match="already theirs"):
        router.accept("k1", "ana")
    router.assign(call("k2"))
    with pytest.raises(NotOfferedError, match="rings other agents"):
        router.accept("k2", "zed")
    router.close("k1")
    with pytest.raises(NotOfferedError, match="is closed"):
        router.decline("k1", "ana")

    assert (late.value.item, late.value.agent) == ("k1", "bob")
    router._check()


def test_an_agent_who_goes_away_or_on_a_break_stops_ringing(clock: ManualClock) -> None:
    router = phones(clock, "ana", "bob", "cy")
    events = record_events(router, ["offer_withdrawn"])
    router.assign(call("k1"))

    router.set_presence("ana", "away")
    router.start_break("bob", 60)

    assert router.status("k1").offered == ("cy",)
    assert [(e.agent, e.why) for e in events if isinstance(e, OfferWithdrawn)] == [
        ("ana", "agent unavailable"),
        ("bob", "agent unavailable"),
    ]
    with pytest.raises(NotOfferedError):
        router.accept("k1", "ana")
    assert [(d.item, d.status) for d in router.set_channel("cy", "call", enabled=False)] == [
        ("k1", "queued")
    ]
    router._check()


def test_a_decline_frees_the_agent_and_the_last_one_puts_the_item_back(clock: ManualClock) -> None:
    router = phones(clock, "ana", "bob")
    router.assign(call("k1"))
    router.assign(call("k2"))  # waits: both ring with k1

    first = router.decline("k1", "ana")  # ana is free: k2 rings her
    last = router.decline("k1", "bob")  # k1 back in line, bob free: k1 rings him again

    assert [(d.item, d.offered) for d in first] == [("k2", ("ana",))]
    assert [(d.item, d.status, d.offered) for d in last] == [("k1", "offered", ("bob",))]
    router._check()


def test_a_ring_that_times_out_counts_missed_offers_and_rings_again(clock: ManualClock) -> None:
    router = phones(clock, "ana", "bob", ring_timeout_s=15)
    events = record_events(router, ["offer_missed", "queued", "offered"])
    router.assign(call("k1"))

    assert router.next_deadline() == 1015.0
    clock.advance(15)
    decisions = router.advance()

    assert [(d.item, d.status, d.offered) for d in decisions] == [("k1", "offered", ("ana", "bob"))]
    assert events[1:3] == [
        OfferMissed(1015.0, "k1", "ana", 1),
        OfferMissed(1015.0, "k1", "bob", 1),
    ]
    assert (router.missed_offers("ana"), router.next_deadline()) == (1, 1030.0)
    router._check()


def test_a_timed_out_item_waits_when_more_urgent_work_takes_the_freed_slot() -> None:
    clock = ManualClock(1000.0)
    router = phones(clock, "ana", ring_timeout_s=10)
    router.assign(call("k1"))  # rings ana
    router.assign(call("k2", priority=1))  # more urgent, waits
    clock.advance(10)

    decisions = router.advance()

    assert [(d.item, d.status) for d in decisions] == [("k2", "offered"), ("k1", "queued")]
    assert router.missed_offers("ana") == 1
    router._check()


def test_closing_or_transferring_an_offered_item_withdraws_its_offers(clock: ManualClock) -> None:
    router = phones(clock, "ana", "bob")
    router.add_department("sales")
    events = record_events(router, ["offer_withdrawn"])
    router.assign(call("k1"))
    router.assign(call("k2"))

    closed = router.close("k1")  # both free: k2 rings them
    moved = router.transfer("k2", to_department="sales")

    assert [(d.item, d.offered) for d in closed] == [("k2", ("ana", "bob"))]
    assert [(d.item, d.status) for d in moved] == [("k2", "queued")]
    assert [e.why for e in events if isinstance(e, OfferWithdrawn)] == [
        "closed",
        "closed",
        "transferred",
        "transferred",
    ]
    assert router.offered_to("ana") == ()
    router._check()


def test_a_requeued_call_rings_the_others(clock: ManualClock) -> None:
    router = phones(clock, "ana", "bob", "cy")
    router.assign(call("k1"))
    router.accept("k1", "ana")

    decisions = router.requeue("k1")
    alone = phones(ManualClock(0.0), "ana")
    alone.assign(call("k1"))
    alone.accept("k1", "ana")

    assert [(d.item, d.offered) for d in decisions] == [("k1", ("bob", "cy"))]
    assert [(d.item, d.offered) for d in alone.requeue("k1")] == [("k1", ("ana",))]
    router._check()
    alone._check()


def test_closing_a_call_rings_the_next_one_instead_of_handing_it_over(clock: ManualClock) -> None:
    router = phones(clock, "ana")
    router.assign(call("k1"))
    router.accept("k1", "ana")
    router.assign(call("k2"))

    decisions = router.close("k1")

    assert [(d.item, d.status, d.offered) for d in decisions] == [("k2", "offered", ("ana",))]
    router._check()


def test_removing_or_changing_an_agent_withdraws_what_rings_them(clock: ManualClock) -> None:
    router = phones(clock, "ana", "bob")
    router.assign(call("k1"))
    router.assign(call("k2"))

    router.remove_agent("ana")
    changed = router.update_agent(
        Agent("bob", capacity={"chat": 2}, departments={"support": {"chat"}})
    )

    assert [(d.item, d.status) for d in changed] == [("k1", "queued")]
    assert router.status("k1").state == "queued"
    router._check()


def test_an_sla_deadline_still_counts_while_an_item_rings(clock: ManualClock) -> None:
    router = phones(clock, "ana", ring_timeout_s=100, sla_escalate_to=1)
    events = record_events(router, ["sla_breach"])
    router.assign(call("k1", sla_deadline=1030.0))
    clock.advance(30)

    router.advance()

    assert [(e.item, e.priority) for e in events if isinstance(e, SlaBreached)] == [("k1", 1)]
    router._check()


def test_offers_survive_a_snapshot_and_the_journal_replays_them(clock: ManualClock) -> None:
    entries: list[dict[str, object]] = []
    router = Router(clock=clock, journal=entries.append)
    router.add_department("support", strategies={"call": "ring_all"}, ring_timeout_s=5)
    for agent in ("ana", "bob"):
        router.add_agent(Agent(agent, capacity={"call": 1}, departments={"support": {"call"}}))
        router.set_presence(agent, "online")
    router.assign(call("k1"))
    router.assign(call("k2"))
    router.decline("k1", "ana")

    data = json.loads(json.dumps(router.snapshot()))
    restored = Router.restore(data, clock=clock)
    replica = Router.restore(Router(clock=clock).snapshot(), replay=entries)

    assert restored.snapshot() == data == replica.snapshot()
    assert restored.status("k1").offered == ("bob",)
    clock.advance(5)
    assert restored.advance() == router.advance()
    assert restored.snapshot() == router.snapshot()
    restored._check()


def test_the_ring_timeout_must_be_positive_seconds(clock: ManualClock) -> None:
    router = Router(clock=clock)

    with pytest.raises(InvalidValueError, match="ring_timeout_s"):
        router.add_department("support", ring_timeout_s=0)


def test_an_offered_item_is_accepted_not_claimed(clock: ManualClock) -> None:
    router = phones(clock, "ana", "bob")
    router.assign(call("k1"))

    with pytest.raises(InvalidStateError, match="it is offered; an agent it rings takes it"):
        router.claim("k1", "ana")


def test_a_failed_ring_changes_nothing(clock: ManualClock) -> None:
    fail = [False]

    def journal(entry: dict[str, object]) -> None:
        if fail[0]:
            raise OSError("disk full")

    router = Router(clock=clock, journal=journal)
    router.add_department("support", strategies={"call": "ring_all"})
    router.add_agent(
        Agent(
            "ana",
            capacity={"call": 1, "chat": 1},
            departments={"support": {"call", "chat"}},
            units=4,
            unit_costs={"call": 4},
        )
    )
    router.set_presence("ana", "online")
    before = router.snapshot()
    fail[0] = True

    with pytest.raises(HostCodeError, match="disk full"):
        router.assign(call("k1"))

    assert router.snapshot() == before
    router._check()


def test_changing_an_agent_keeps_the_offers_of_what_they_still_serve(clock: ManualClock) -> None:
    router = phones(clock, "ana", "bob")
    events = record_events(router, ["offer_withdrawn"])
    router.assign(call("k1"))

    router.update_agent(
        Agent(
            "ana",
            priority=5,
            capacity={"call": 1, "chat": 2},
            departments={"support": {"call", "chat"}},
        )
    )
    router.remove_agent("bob")

    assert router.status("k1").offered == ("ana",)
    assert events == [OfferWithdrawn(1000.0, "k1", "bob", "agent changed")]
    router._check()


def test_a_pull_department_never_rings(clock: ManualClock) -> None:
    router = Router(clock=clock)
    router.add_department("pullq", mode="pull", strategies={"call": "ring_all"})
    for agent in ("ana", "bob"):
        router.add_agent(Agent(agent, capacity={"call": 1}, departments={"pullq": {"call"}}))
    router.set_presence("ana", "online")

    decision = router.assign(Item("k1", channel="call", department="pullq"))

    assert (decision.status, router.status("k1").pull) == ("queued", True)
    assert router.claim("k1", "ana").agent == "ana"
    router._check()


# Regressions found by review: each broke an invariant or left an offer nobody could accept.


def test_a_requeue_in_a_ring_pool_never_ranks_a_non_member() -> None:
    router = Router(clock=ManualClock(0.0))
    router.add_department("ring", strategies={"call": "ring_all"})
    router.add_department("rr")
    router.add_agent(
        Agent("boss", role="administrator", capacity={"call": 1}, departments={"rr": {"call"}})
    )
    router.add_agent(Agent("ana", capacity={"call": 1}, departments={"rr": {"call"}}))
    router.set_presence("ana", "online")
    router.assign(call("x", department="ring"))
    router.transfer("x", to_agent="ana", actor="boss", force=True)  # ana is not in "ring"

    router.requeue("x")
    router.assign(call("z", department="rr"))  # ana's only call slot
    waiting = router.assign(call("w", department="ring"))

    assert (waiting.status, router.load("ana", "call")) == ("queued", 1)
    router._check()


def test_switching_a_channel_off_gives_the_freed_slot_and_units_to_other_work() -> None:
    router = Router(clock=ManualClock(0.0))
    router.add_department("sales", strategies={"chat": "ring_all"})
    router.add_department("help", strategies={"chat": "ring_all"})
    both = {"sales": {"chat"}, "help": {"chat"}}
    router.add_agent(Agent("ana", capacity={"chat": 1}, departments=both))
    router.add_agent(
        Agent(
            "bo",
            capacity={"chat": 1, "call": 1},
            units=1,
            departments={"sales": {"chat"}, "help": {"call"}},
        )
    )
    router.set_presence("ana", "online")
    router.assign(call("x", channel="chat", department="sales"))  # rings ana and bo
    router.assign(call("y", channel="chat", department="help"))  # waits: ana rings with x
    router.assign(call("k", department="help"))  # waits: bo's one unit rings with x

    router.set_channel("ana", "chat", enabled=False, department="sales")
    router.set_presence("bo", "online")  # bo rings with x in sales now
    router.set_channel("bo", "chat", enabled=False)

    assert router.status("y").offered == ("ana",)
    assert router.status("k").agent == "bo"
    router._check()


def test_a_duty_hand_over_stops_the_rings_of_who_goes_off_duty() -> None:
    clock = ManualClock(0.0)
    router = phones(clock, "ana", "bob", ring_timeout_s=60)
    router.set_duty_rotation("support", "call", ["ana", "bob"], period_s=10)
    router.assign(call("k1"))  # rings ana, on duty
    clock.advance(10)

    router.advance()  # bob's turn

    assert router.status("k1").offered == ("bob",)
    assert router.missed_offers("ana") == 0
    router._check()


def test_a_lower_limit_or_budget_stops_the_rings_it_no_longer_allows() -> None:
    router = phones(ManualClock(0.0), "ana", "bob")
    router.assign(call("k1"))

    router.set_capacity("ana", "call", 0)
    router.update_agent(
        Agent(
            "bob",
            capacity={"call": 1, "chat": 2},
            departments={"support": {"call", "chat"}},
            units=0,
        )
    )

    assert (router.offered_to("ana"), router.offered_to("bob")) == ((), ())
    assert router.status("k1").state == "queued"
    router._check()


def test_an_item_can_be_given_to_an_agent_it_rings() -> None:
    router = phones(ManualClock(0.0), "ana")
    router.assign(call("k1"))

    decisions = router.transfer("k1", to_agent="ana")

    assert [(d.item, d.agent) for d in decisions] == [("k1", "ana")]
    router._check()
