"""
Keep the documentation's doctests independent of each other.

The strategy registry is shared by the whole process, so a page that
registers a strategy and then fails half-way would leak it into the next
test. This fixture forgets whatever a test registered.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agentroute import strategies


@pytest.fixture(autouse=True)
def _forget_registered_strategies() -> Iterator[None]:
    before = set(strategies.names())
    yield
    for name in strategies.names():
        if name not in before:
            strategies.unregister(name)
