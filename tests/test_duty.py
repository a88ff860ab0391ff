"""
Phone duty: one agent at a time takes a department's calls, in turn, every period.
"""

from __future__ import annotations

import json

import pytest

from agentroute import (
    Agent,
    HostCodeError,
    InvalidValueError,
    ManualClock,
    NotEligibleError,
    Router,
    UnknownAgentError,
    UnknownDepartmentError,
)
from agentroute.events import DutyChanged
from tests.generators import make_item, record_events

HOUR = 3600.0


def call(item_id: str) -> object:
    return make_item(item_id, channel="call", department="support")


def desk(clock: ManualClock, mode: str = "push") -> Router:
    router = Router(clock=clock)
    router.add_department("support", mode=mode)  # type: ignore[arg-type]
    served = {"support": {"call", "chat"}}
    for name in ("ana", "bob", "cy"):
        router.add_agent(Agent(name, capacity={"call": 1, "chat": 2}, departments=served))
        router.set_presence(name, "online")
    return router


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(0.0)


def test_only_the_agent_on_duty_takes_calls_and_duty_passes_each_period(
    clock: ManualClock,
) -> None:
    router = desk(clock)
    events = record_events(router, ["duty"])

    router.set_duty_rotation("support", "call", ["bob", "cy"], period_s=HOUR)
    first = router.assign(call("k1"))  # type: ignore[arg-type]
    second = router.assign(call("k2"))  # type: ignore[arg-type]
    chat = router.assign(make_item("c1", department="support"))
    clock.advance(HOUR)
    handed = router.advance()

    assert (first.agent, second.status, chat.status) == ("bob", "queued", "assigned")
    assert [(d.item, d.agent) for d in handed] == [("k2", "cy")]
    assert router.on_duty("support", "call") == "cy"
    assert router.next_deadline() == 2 * HOUR
    assert events == [
        DutyChanged(0.0, "support", "call", "bob"),
        DutyChanged(HOUR, "support", "call", "cy"),
    ]


def test_duty_goes_round_even_when_advance_runs_late(clock: ManualClock) -> None:
    router = desk(clock)
    router.set_duty_rotation("support", "call", ["ana", "bob", "cy"], period_s=HOUR)
    clock.advance(4.5 * HOUR)  # turns: ana, bob, cy, ana, bob <- now

    router.advance()

    assert (router.on_duty("support", "call"), router.next_deadline()) == ("bob", 5 * HOUR)


def test_ending_the_rotation_opens_the_channel_to_everyone(clock: ManualClock) -> None:
    router = desk(clock)
    router.set_duty_rotation("support", "call", ["ana"], period_s=HOUR)
    router.assign(call("k1"))  # type: ignore[arg-type]
    router.assign(call("k2"))  # type: ignore[arg-type]

    decisions = router.set_duty_rotation("support", "call", None)

    assert [d.item for d in decisions] == ["k2"]
    assert (router.on_duty("support", "call"), router.next_deadline()) == (None, None)


def test_off_duty_agents_cannot_claim_or_take_next(clock: ManualClock) -> None:
    router = desk(clock, mode="pull")
    router.set_duty_rotation("support", "call", ["ana"], period_s=HOUR)
    router.assign(call("k1"))  # type: ignore[arg-type]

    with pytest.raises(NotEligibleError, match="is not on duty for 'call' in 'support'"):
        router.claim("k1", "bob")
    assert router.next_for("bob") is None
    assert router.next_for("ana").item == "k1"  # type: ignore[union-attr]


def test_a_rotation_set_before_anyone_serves_applies_to_later_members(clock: ManualClock) -> None:
    router = Router(clock=clock)
    router.add_department("support")
    router.add_agent(Agent("ana", capacity={"call": 1}))
    router.set_duty_rotation("support", "call", ["ana"], period_s=HOUR)
    router.add_agent(Agent("bob", capacity={"call": 1}, departments={"support": {"call"}}))
    router.set_presence("bob", "online")

    assert router.assign(call("k1")).status == "queued"  # type: ignore[arg-type]


def test_a_rotation_survives_a_snapshot_and_the_journal(clock: ManualClock) -> None:
    entries: list[dict[str, object]] = []
    router = Router(clock=clock, journal=entries.append)
    router.add_department("support")
    for name in ("ana", "bob"):
        router.add_agent(Agent(name, capacity={"call": 1}, departments={"support": {"call"}}))
        router.set_presence(name, "online")
    router.set_duty_rotation("support", "call", ["bob", "ana"], period_s=HOUR)
    data = json.loads(json.dumps(router.snapshot()))
    replica = Router()
    for entry in entries:
        replica.apply(entry)

    restored = Router.restore(data, clock=clock)

    assert restored.snapshot() == data == replica.snapshot()
    assert data["duties"] == [
        {
            "department": "support",
            "channel": "call",
            "agents": ["bob", "ana"],
            "period_s": HOUR,
            "started_at": 0.0,
            "on_duty": "bob",
        }
    ]
    assert restored.assign(call("k1")).agent == "bob"  # type: ignore[arg-type]
    clock.advance(HOUR)
    assert restored.advance() == router.advance()


def test_bad_rotations_are_refused(clock: ManualClock) -> None:
    router = desk(clock)

    for agents, period, error in [
        ([], HOUR, InvalidValueError),
        ("ana", HOUR, InvalidValueError),
        ([""], HOUR, InvalidValueError),
        (["ana"], 0, InvalidValueError),
        (["zoe"], HOUR, UnknownAgentError),
    ]:
        with pytest.raises(error):
            router.set_duty_rotation("support", "call", agents, period_s=period)
    with pytest.raises(UnknownDepartmentError):
        router.set_duty_rotation("sales", "call", ["ana"])
    with pytest.raises(UnknownDepartmentError):
        router.on_duty("sales", "call")
    assert router.on_duty("support", "call") is None


def test_a_rotation_of_one_keeps_them_on_duty(clock: ManualClock) -> None:
    router = desk(clock)
    events = record_events(router, ["duty"])
    router.set_duty_rotation("support", "call", ["ana"], period_s=HOUR)
    router.set_duty_rotation("support", "call", ["ana", "bob"], period_s=HOUR)
    router.set_duty_rotation("support", "call", ["ana"], period_s=HOUR)
    clock.advance(HOUR)

    assert router.advance() == []
    assert [e.agent for e in events] == ["ana", "ana", "ana"]  # type: ignore[union-attr]
    assert router.on_duty("support", "call") == "ana"


def test_a_failed_rotation_change_changes_nothing(clock: ManualClock) -> None:
    router = desk(clock)
    router.set_duty_rotation("support", "call", ["ana", "bob"], period_s=HOUR)
    clock.advance(HOUR)
    before = router.snapshot()

    def full_disk(entry: object) -> None:
        raise OSError("disk full")

    router._core.journal = full_disk
    for change in (
        router.advance,
        lambda: router.set_duty_rotation("support", "call", None),
        lambda: router.set_duty_rotation("support", "chat", ["cy"]),
    ):
        with pytest.raises(HostCodeError):
            change()

    assert router.snapshot() == before
