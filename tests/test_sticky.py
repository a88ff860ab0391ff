"""
Sticky routing: a customer's new item goes to the agent who last handled them, if free.
"""

from __future__ import annotations

import json

import pytest

from agentroute import Agent, InvalidValueError, Item, ManualClock, Router
from agentroute._core.customers import CustomerMemory
from agentroute._core.undo import UndoLog


def chat(item_id: str, customer: str | None, department: str = "support") -> Item:
    return Item(item_id, channel="chat", department=department, customer=customer)


def desk(clock: ManualClock, **settings: object) -> Router:
    router = Router(seed=5, clock=clock, default_strategy="round_robin", remember_customers=3)
    router.add_department("support", sticky=True, **settings)  # type: ignore[arg-type]
    router.add_department("sales")
    for name in ("ana", "bob", "cy"):
        served = {"support": {"chat"}, "sales": {"chat"}}
        router.add_agent(Agent(name, capacity={"chat": 2}, departments=served))
        router.set_presence(name, "online")
    return router


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(0.0)


def test_a_customer_returns_to_their_last_agent(clock: ManualClock) -> None:
    router = desk(clock)
    first = router.assign(chat("c1", "acme"))
    router.close("c1")
    others = [router.assign(chat(f"x{n}", None)).agent for n in range(2)]

    again = router.assign(chat("c2", "acme"))

    assert (again.agent, again.strategy) == (first.agent, "sticky")
    assert first.agent not in others or len(set(others)) == 2


def test_an_unavailable_last_agent_lets_the_strategy_choose(clock: ManualClock) -> None:
    router = desk(clock)
    first = router.assign(chat("c1", "acme")).agent
    router.set_presence(first, "away")  # type: ignore[arg-type]

    again = router.assign(chat("c2", "acme"))

    assert again.agent != first
    assert again.strategy == "round_robin"


def test_an_old_handling_is_not_sticky_past_the_age(clock: ManualClock) -> None:
    router = desk(clock, sticky_max_age_s=600)
    first = router.assign(chat("c1", "acme")).agent
    router.close("c1")
    clock.advance(601)
    router.assign(chat("x1", None))  # round robin moves on

    assert router.assign(chat("c2", "acme")).strategy == "round_robin"
    assert first is not None


def test_departments_without_sticky_route_as_usual(clock: ManualClock) -> None:
    router = desk(clock)
    router.assign(chat("c1", "acme"))

    assert router.assign(chat("c2", "acme", department="sales")).strategy == "round_robin"


def test_the_memory_keeps_the_most_recent_customers(clock: ManualClock) -> None:
    router = desk(clock)
    for n, customer in enumerate(["a", "b", "a", "c", "d"]):
        router.assign(chat(f"c{n}", customer))
        router.close(f"c{n}")

    remembered = [entry["customer"] for entry in router.snapshot()["customers"]]

    assert remembered == ["a", "c", "d"]  # b was handled longest ago


def test_the_memory_survives_a_snapshot_and_the_journal(clock: ManualClock) -> None:
    entries: list[dict[str, object]] = []
    router = Router(seed=5, clock=clock, journal=entries.append, remember_customers=3)
    router.add_department("support", sticky=True)
    for name in ("ana", "bob"):
        router.add_agent(Agent(name, capacity={"chat": 2}, departments={"support": {"chat"}}))
        router.set_presence(name, "online")
    for n in range(5):
        router.assign(chat(f"c{n}", f"k{n % 4}"))
    data = json.loads(json.dumps(router.snapshot()))
    replica = Router(seed=5, remember_customers=3)
    for entry in entries:
        replica.apply(entry)

    restored = Router.restore(data, clock=clock)

    assert restored.snapshot() == data == replica.snapshot()
    assert restored.assign(chat("z", "k1")) == router.assign(chat("z", "k1"))


def test_sticky_settings_are_checked() -> None:
    with pytest.raises(InvalidValueError, match="sticky"):
        Router().add_department("support", sticky="yes")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="sticky_max_age_s"):
        Router().add_department("support", sticky=True, sticky_max_age_s=-1)
    with pytest.raises(InvalidValueError, match="remember_customers"):
        Router(remember_customers=-1)


def test_a_memory_of_none_keeps_everyone_and_compacts_its_order() -> None:
    undo = UndoLog()
    memory = CustomerMemory(undo, limit=None)
    assert Router(remember_customers=None).snapshot()["settings"]["remember_customers"] is None
    for n in range(200):
        memory.handled("acme", f"agent{n}", float(n))
    undo.steps.clear()

    memory.handled("bolt", "bob", 500.0)
    memory.handled("acme", "zed", 600.0)
    undo.rollback()

    assert (len(memory), memory.last("acme"), memory.count) == (1, ("agent199", 199.0, 200), 200)
    assert memory.entries() == [("acme", "agent199", 199.0, 200)]
