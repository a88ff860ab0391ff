from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from agentroute import ManualClock, strategies
from agentroute.strategies import StrategyFactory

Register = Callable[[str, StrategyFactory], None]


@pytest.fixture
def clock() -> ManualClock:
    """Return a manual clock starting at t=1000."""
    return ManualClock(start=1000.0)


@pytest.fixture
def register_strategy() -> Iterator[Register]:
    """Register strategies for one test; whatever is still registered is removed after it."""
    registered: list[str] = []

    def register(name: str, factory: StrategyFactory) -> None:
        strategies.register(name, factory)
        registered.append(name)

    yield register
    for name in registered:
        if name in strategies.names():
            strategies.unregister(name)
