"""
Least busy: the free agent holding the fewest items on the channel.
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from agentroute.strategies._protocol import Candidate, Rank, choose_first

__all__ = ["LeastBusy"]


@attrs.frozen
class LeastBusy:
    """
    Fewest active items first; ties go to the longest idle, then to the smallest id.

    "Idle" counts from the agent's last assignment or release on the channel.

    Added in 0.1.
    """

    name: ClassVar[str] = "least_busy"
    rank_fields: ClassVar[tuple[str, ...]] = ("load", "idle since", "id")
    """What each part of the rank is, for ``Router.explain()``."""

    def rank(self, candidate: Candidate) -> Rank:
        """Rank by (load, idle since, id)."""
        return (candidate.load, candidate.idle_since, candidate.agent)

    choose = staticmethod(choose_first)
