"""
Call forwarding: a call's decision names the device to ring for an agent who forwards.
"""

from __future__ import annotations

import json

import pytest

from agentroute import Agent, HostCodeError, InvalidValueError, Router, UnknownAgentError
from tests.generators import make_item


def desk() -> Router:
    router = Router()
    router.add_department("support")
    both = {"support": {"call", "chat"}}
    for agent in ("ana", "bob"):
        router.add_agent(Agent(agent, capacity={"call": 1, "chat": 1}, departments=both))
        router.set_presence(agent, "online")
    return router


def test_a_call_to_a_forwarding_agent_says_where_to_ring() -> None:
    router = desk()
    router.set_forwarding("ana", "sip:ana@example.org")

    calls = [
        router.assign(make_item(f"k{n}", channel="call", department="support")) for n in (1, 2)
    ]
    chat = router.assign(make_item("c1", department="support"))

    assert {(d.agent, d.ring) for d in calls} == {("ana", "sip:ana@example.org"), ("bob", None)}
    assert chat.ring is None
    assert router.forwarding("ana") == "sip:ana@example.org"


def test_forwarding_can_be_stopped() -> None:
    router = desk()
    router.set_forwarding("ana", "+4930123")
    router.set_forwarding("ana", None)
    router.set_forwarding("bob", None)

    assert (router.forwarding("ana"), router.forwarding("bob")) == (None, None)


def test_forwarding_survives_a_snapshot_and_ends_with_the_agent() -> None:
    router = desk()
    router.set_forwarding("bob", "+4930123")
    data = json.loads(json.dumps(router.snapshot()))

    restored = Router.restore(data)
    router.remove_agent("bob")

    assert restored.snapshot() == data
    assert data["agents"][1]["forward_to"] == "+4930123"
    assert restored.forwarding("bob") == "+4930123"
    assert router.snapshot()["agents"][0]["forward_to"] is None


def test_bad_forwarding_is_refused() -> None:
    router = desk()

    with pytest.raises(InvalidValueError, match="device"):
        router.set_forwarding("ana", "")
    with pytest.raises(UnknownAgentError):
        router.set_forwarding("zoe", "+4930123")
    with pytest.raises(UnknownAgentError):
        router.forwarding("zoe")


def test_a_decision_shows_ring_only_when_set() -> None:
    router = desk()
    router.set_forwarding("ana", "+4930123")

    decision = router.assign(make_item("k1", channel="call", department="support"))

    assert repr(decision).endswith("reason=None, ring='+4930123')")
    assert "ring" not in repr(router.assign(make_item("c1", department="support")))


def test_a_failed_forwarding_change_changes_nothing() -> None:
    router = desk()
    router.set_forwarding("ana", "+4930123")
    before = router.snapshot()

    def full_disk(entry: object) -> None:
        raise OSError("disk full")

    router._core.journal = full_disk
    for call in (
        lambda: router.set_forwarding("ana", None),
        lambda: router.set_forwarding("bob", "+4930999"),
        lambda: router.remove_agent("ana"),
    ):
        with pytest.raises(HostCodeError):
            call()

    assert router.snapshot() == before
