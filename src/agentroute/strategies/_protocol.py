"""
The two protocols a strategy lives between: what it sees and what it does.
"""

from __future__ import annotations

from collections.abc import Sequence
from random import Random
from typing import Any, Protocol, TypeAlias, runtime_checkable

__all__ = ["Candidate", "Rank", "Strategy", "choose_first"]

Rank: TypeAlias = tuple[Any, ...]


class Candidate(Protocol):
    """
    **Protocol:** one agent's standing on one channel, as a strategy sees it.

    Counters are router-wide sequence numbers, not times, so ties break the
    same way in every run: larger means more recent, 0 means never.
    """

    @property
    def agent(self) -> str:
        """The agent's id."""

    @property
    def channel(self) -> str:
        """The channel this standing is for."""

    @property
    def priority(self) -> int:
        """The agent's routing priority, 1 (first choice) to 100."""

    @property
    def load(self) -> int:
        """Items the agent holds on this channel now."""

    @property
    def limit(self) -> int:
        """Items the agent may hold on this channel at once."""

    @property
    def last_assigned(self) -> int:
        """Sequence number of the agent's last assignment on this channel."""

    @property
    def idle_since(self) -> int:
        """Sequence number of the agent's last assignment or release on this channel."""


@runtime_checkable
class Strategy(Protocol):
    """
    **Protocol:** orders the free agents of a pool and chooses one.

    A pool is the agents serving one channel in one department. The router
    keeps the pool's free agents sorted by ``rank`` and updates that order
    incrementally, so ``rank`` must depend only on the candidate's fields.
    ``choose`` then picks one of the ranked candidates, usually the first.

    A strategy whose ``choose`` ignores the order (a uniform draw) may set a
    class attribute ``ordered = False``; the pool then keeps its free agents
    in an unordered index with O(1) updates, and ``ranked`` is in no
    particular, but deterministic, order.
    """

    def rank(self, candidate: Candidate) -> Rank:
        """Return the sort key of *candidate*; smaller keys come first."""

    def choose(self, ranked: Sequence[Candidate], rng: Random) -> Candidate:
        """Return one of *ranked* (never empty), drawing any randomness from *rng*."""


def choose_first(ranked: Sequence[Candidate], rng: Random) -> Candidate:
    """Choose the best-ranked candidate: the rule of every sorting strategy."""
    return ranked[0]
