"""
Ring all: offer each item to every free agent at once; the first to accept gets it.
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from agentroute.strategies._protocol import Candidate, Rank, choose_first

__all__ = ["RingAll"]


@attrs.frozen
class RingAll:
    """
    Offer to every free agent at once, listed least busy first.

    The router does not pick: it rings them all (``Decision.status ==
    "offered"``), each offer holding a slot, until one calls
    ``Router.accept()`` or the department's ``ring_timeout_s`` passes.

    Added in 0.2.
    """

    name: ClassVar[str] = "ring_all"
    rank_fields: ClassVar[tuple[str, ...]] = ("load", "idle since", "id")
    """What each part of the rank is, for ``Router.explain()``."""
    rings: ClassVar[bool] = True
    """The router offers to every ranked agent instead of choosing one."""

    def rank(self, candidate: Candidate) -> Rank:
        """Rank by (load, idle since, id): the order the offers list the agents in."""
        return (candidate.load, candidate.idle_since, candidate.agent)

    choose = staticmethod(choose_first)
