"""
Most busy: the free agent holding the most items, so others stay free.
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from agentroute.strategies._protocol import Candidate, Rank, choose_first

__all__ = ["MostBusy"]


@attrs.frozen
class MostBusy:
    """
    Most active items first among agents with a free slot.

    Ties go to the longest idle, then to the smallest id.

    Added in 0.1.
    """

    name: ClassVar[str] = "most_busy"
    rank_fields: ClassVar[tuple[str, ...]] = ("minus load", "idle since", "id")
    """What each part of the rank is, for ``Router.explain()``."""

    def rank(self, candidate: Candidate) -> Rank:
        """Rank by (-load, idle since, id)."""
        return (-candidate.load, candidate.idle_since, candidate.agent)

    choose = staticmethod(choose_first)
