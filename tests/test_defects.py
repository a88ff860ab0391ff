"""
Small defects found by attacking the router on purpose, each fixed and pinned here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from agentroute import (
    Agent,
    InvalidValueError,
    Item,
    ManualClock,
    Router,
    strategies,
)
from tests.generators import make_agent, make_item, make_router


def test_a_huge_deadline_is_a_value_error() -> None:
    """An int too large for a float is refused like any other bad deadline."""
    with pytest.raises(InvalidValueError, match=r"Item\.sla_deadline"):
        Item("c1", channel="chat", department="billing", sla_deadline=10**400)


def test_a_huge_clock_start_is_a_value_error() -> None:
    """ManualClock refuses what no float can hold, and never overflows to infinity."""
    with pytest.raises(InvalidValueError, match="start"):
        ManualClock(10**400)
    clock = ManualClock(1e308)
    with pytest.raises(InvalidValueError, match="past the largest float"):
        clock.advance(1e308)
    assert 1e308 == clock()


def test_an_empty_default_strategy_is_refused() -> None:
    """add_department(default_strategy="") is an error, not the router's default in disguise."""
    router = Router()

    with pytest.raises(InvalidValueError, match="default_strategy"):
        router.add_department("billing", default_strategy="")


def test_a_factory_that_needs_arguments_is_refused() -> None:
    """register() tries the factory; one that cannot be called bare is an InvalidValueError."""
    with pytest.raises(InvalidValueError, match="must be callable with no arguments") as info:
        strategies.register("needs_args", lambda a: a)  # type: ignore[arg-type, misc]

    assert isinstance(info.value.__cause__, TypeError)
    assert "needs_args" not in strategies.names()


class Shifty(Mapping[str, int]):
    """A mapping whose contents change every time it is read."""

    def __init__(self) -> None:
        self.reads = 0

    def __getitem__(self, key: str) -> int:
        limits: dict[str, int] = dict(self.items())
        return limits[key]

    def __iter__(self) -> Iterator[str]:
        return iter(["chat"])

    def __len__(self) -> int:
        return 1

    def items(self) -> Any:
        self.reads += 1
        return [("chat", 2 if self.reads == 1 else -5)]


def test_a_capacity_mapping_is_read_once() -> None:
    """What is validated is what is kept: a shifting mapping cannot sneak in a negative limit."""
    agent = Agent("ana", capacity=Shifty())

    assert {"chat": 2} == dict(agent.capacity)


class TestReopenAlwaysRecorded:
    def test_closed_while_queued(self) -> None:
        """An item closed while waiting and reopened gets a reopened row."""
        router = make_router("ana", online=False)
        router.assign(make_item("c1"))
        router.close("c1")

        router.reopen("c1")

        assert ["created", "closed", "reopened"] == [e.action for e in router.history("c1")]

    def test_after_unassign_on_close(self) -> None:
        """A department that unassigns on close still records the reopen."""
        router = Router(clock=ManualClock(0.0))
        router.add_department("billing", unassign_on_close=True)
        router.add_agent(make_agent("ana"))
        router.assign(make_item("c1"))
        router.close("c1")

        router.reopen("c1")

        assert "reopened" == router.history("c1")[-1].action

    def test_after_a_transfer_to_a_department(self) -> None:
        """An item transferred to a department, closed and reopened, records the reopen."""
        router = make_router("ana", "bob", departments=["billing", "sales"])
        router.assign(make_item("c1"))
        router.transfer("c1", to_department="sales")
        router.close("c1")

        router.reopen("c1")

        assert ["transferred", "closed", "reopened"] == [
            e.action for e in router.history("c1")[-3:]
        ]
