"""
Priority: the best routing priority first, the next one when it is full.
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from agentroute.strategies._protocol import Candidate, Rank, choose_first

__all__ = ["Priority"]


@attrs.frozen
class Priority:
    """
    Lowest priority number first (1 beats 2).

    Ties go to the least busy, then the longest idle, then the smallest id.

    A full agent has no free slot, so it is simply not ranked: work flows to
    the next agent in priority order until a slot frees.

    Added in 0.1.
    """

    name: ClassVar[str] = "priority"
    rank_fields: ClassVar[tuple[str, ...]] = ("priority", "load", "idle since", "id")
    """What each part of the rank is, for ``Router.explain()``."""

    def rank(self, candidate: Candidate) -> Rank:
        """Rank by (priority, load, idle since, id)."""
        return (candidate.priority, candidate.load, candidate.idle_since, candidate.agent)

    choose = staticmethod(choose_first)
