"""
estimated_wait(): a waiting item's place in line and the seconds it should still wait.
"""

from __future__ import annotations

import json

import pytest

from agentroute import (
    Agent,
    HostCodeError,
    InvalidDataError,
    InvalidStateError,
    Item,
    ManualClock,
    Router,
    WaitEstimate,
)
from agentroute._core.handling import HandlingTimes
from agentroute._core.undo import UndoLog


def desk(clock: ManualClock, *, mode: str = "push") -> Router:
    """Billing chat: ana (2 slots) and bob (1) online, cy (3) offline."""
    router = Router(clock=clock)
    router.add_department("billing", mode=mode, dedicated={"vip": ["bob"]})  # type: ignore[arg-type]
    chat = {"billing": {"chat"}}
    for agent, limit in (("ana", 2), ("bob", 1), ("cy", 3)):
        router.add_agent(Agent(agent, capacity={"chat": limit}, departments=chat))
    router.set_presence("ana", "online")
    router.set_presence("bob", "online")
    return router


def chat(item_id: str, **fields: object) -> Item:
    return Item(item_id, channel="chat", department="billing", **fields)  # type: ignore[arg-type]


def test_before_any_close_only_the_place_is_known() -> None:
    router = desk(ManualClock(0.0))
    for n in range(5):
        router.assign(chat(f"c{n}"))

    assert router.estimated_wait("c4") == WaitEstimate("c4", 2, 3, None, None)


def test_the_wait_is_the_place_times_the_handling_time_over_the_slots() -> None:
    clock = ManualClock(0.0)
    router = desk(clock)
    for n in range(6):
        router.assign(chat(f"c{n}"))  # three held, three waiting
    clock.advance(60)
    router.close("c0")  # 60 s
    clock.advance(60)
    router.close("c1")  # 120 s: the mean is 90 s

    found = router.estimated_wait("c5")

    assert found == WaitEstimate("c5", 1, 3, 90.0, 30.0)


def test_after_the_window_each_close_weighs_a_twentieth() -> None:
    times = HandlingTimes(UndoLog())
    for _ in range(20):
        times.observe(("billing", "chat"), 10.0)
    plain = times.mean(("billing", "chat"))
    times.observe(("billing", "chat"), 30.0)

    assert (plain, times.mean(("billing", "chat")), times.mean(("sales", "chat"))) == (
        10.0,
        11.0,
        None,
    )


def test_an_item_waiting_for_its_agents_counts_only_their_slots() -> None:
    clock = ManualClock(0.0)
    router = desk(clock)
    router.assign(chat("v1", group="vip"))  # bob
    clock.advance(30)
    router.close("v1")
    router.assign(chat("v2", group="vip"))  # bob again
    router.assign(chat("v3", group="vip"))  # waits for bob

    assert router.estimated_wait("v3") == WaitEstimate("v3", 1, 1, 30.0, 30.0)


def test_pulled_work_and_an_empty_roster_have_no_seconds() -> None:
    clock = ManualClock(0.0)
    pulled = desk(clock, mode="pull")
    pulled.assign(chat("p1"))
    nobody = Router(clock=clock)
    nobody.add_department("billing")
    nobody.assign(chat("n1"))

    assert pulled.estimated_wait("p1").seconds is None
    assert nobody.estimated_wait("n1") == WaitEstimate("n1", 1, 0, None, None)


def test_only_waiting_items_have_an_estimate() -> None:
    router = desk(ManualClock(0.0))
    router.assign(chat("c1"))

    with pytest.raises(InvalidStateError, match="does not wait: it is assigned by 'ana'"):
        router.estimated_wait("c1")
    router.close("c1")
    with pytest.raises(InvalidStateError, match="it is closed"):
        router.estimated_wait("c1")


def test_observed_handling_times_survive_a_snapshot() -> None:
    clock = ManualClock(0.0)
    router = desk(clock)
    for n in range(5):
        router.assign(chat(f"c{n}"))
    clock.advance(45)
    router.close("c0")  # c3 takes the slot; c4 waits

    data = json.loads(json.dumps(router.snapshot()))
    restored = Router.restore(data, clock=clock)
    broken = json.loads(json.dumps(data))
    broken["handling"][0]["samples"] = 0

    assert data["handling"] == [
        {"department": "billing", "channel": "chat", "samples": 1, "mean_s": 45.0}
    ]
    assert restored.estimated_wait("c4") == router.estimated_wait("c4")
    with pytest.raises(InvalidDataError, match="samples >= 1"):
        Router.restore(broken)


def test_a_failed_close_observes_nothing() -> None:
    clock = ManualClock(0.0)
    failing = [False]

    def journal(entry: dict[str, object]) -> None:
        if failing[0]:
            raise OSError("disk full")

    router = Router(clock=clock, journal=journal)
    router.add_department("billing")
    router.add_agent(Agent("ana", capacity={"chat": 1}, departments={"billing": {"chat"}}))
    router.set_presence("ana", "online")
    for n in range(3):
        router.assign(chat(f"c{n}"))
    clock.advance(40)
    router.close("c0")  # one sample of 40 s; c1 takes the slot
    before = router.snapshot()["handling"]
    failing[0] = True

    with pytest.raises(HostCodeError):
        router.close("c1")  # its sample is undone with it

    assert router.snapshot()["handling"] == before
    assert router.estimated_wait("c2").handling_s == 40.0
    failing[0] = False
    fresh = Router(clock=clock, journal=journal)
    fresh.add_department("billing")
    fresh.add_agent(Agent("ana", capacity={"chat": 1}, departments={"billing": {"chat"}}))
    fresh.set_presence("ana", "online")
    fresh.assign(chat("c0"))
    fresh.assign(chat("c1"))
    failing[0] = True
    with pytest.raises(HostCodeError):
        fresh.close("c0")  # the first sample of the pool, undone
    assert fresh.snapshot()["handling"] == []
