"""
Give the call groups' doctests the names they had in ``router.py``.

The examples were written in the `Router` class, whose module binds
``Router``, ``Agent`` and ``Item``; these modules cannot import ``Router``
without a cycle, so the doctests get the names here.
"""

from __future__ import annotations

from typing import Any

import pytest

from agentroute import Agent, Item, Router


@pytest.fixture(autouse=True)
def _router_names(doctest_namespace: dict[str, Any]) -> None:
    doctest_namespace.update(Router=Router, Agent=Agent, Item=Item)
