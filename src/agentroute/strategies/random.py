"""
Random: uniform among the free agents, from the router's seeded generator.
"""

from __future__ import annotations

from collections.abc import Sequence
from random import Random
from typing import ClassVar

import attrs

from agentroute.strategies._protocol import Candidate, Rank

__all__ = ["RandomChoice"]


@attrs.frozen
class RandomChoice:
    """
    Every free agent is equally likely; the same seed gives the same picks.

    The order of the candidates does not matter to a uniform draw, so the
    strategy says ``ordered = False`` and the pool keeps them in an O(1)
    unordered index instead of a sorted one. That order, and so each pick,
    depends only on the calls made and the seed: runs stay reproducible.

    Added in 0.1.
    """

    name: ClassVar[str] = "random"
    rank_fields: ClassVar[tuple[str, ...]] = ("id",)
    """What each part of the rank is, for ``Router.explain()``."""
    ordered: ClassVar[bool] = False

    def rank(self, candidate: Candidate) -> Rank:
        """Rank by id: a stable order to draw from."""
        return (candidate.agent,)

    def choose(self, ranked: Sequence[Candidate], rng: Random) -> Candidate:
        """Draw one candidate uniformly."""
        return ranked[rng.randrange(len(ranked))]
