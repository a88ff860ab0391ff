"""
Round robin: take turns, skipping agents who are offline or full.
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from agentroute.strategies._protocol import Candidate, Rank, choose_first

__all__ = ["RoundRobin"]


@attrs.frozen
class RoundRobin:
    """
    The free agent whose last assignment on the channel is the oldest goes next.

    That is a rotation with no cursor to corrupt: an assigned agent moves to
    the back, a skipped agent (offline, away, channel off, full) keeps its
    place, a newcomer starts at the front, and a leaver just drops out.
    Ties (agents never assigned) go to the smallest id.

    Added in 0.1.
    """

    name: ClassVar[str] = "round_robin"
    rank_fields: ClassVar[tuple[str, ...]] = ("last assigned", "id")
    """What each part of the rank is, for ``Router.explain()``."""

    def rank(self, candidate: Candidate) -> Rank:
        """Rank by (last assigned, id)."""
        return (candidate.last_assigned, candidate.agent)

    choose = staticmethod(choose_first)
