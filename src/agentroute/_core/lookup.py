"""
Read-only questions about routing: who could take a pool's work now, and why not.

Nothing here changes the state; the answers come from the free indexes and
the one list of barriers (`agentroute._core.eligibility`), so they agree
with what routing does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentroute._core.eligibility import barriers
from agentroute._core.items import ItemRecord
from agentroute._core.reservations import preference
from agentroute.candidates import Candidates, Unavailable

if TYPE_CHECKING:
    from agentroute._core.core import Core

__all__ = ["candidates", "candidates_for"]


def candidates(core: Core, department: str, channel: str) -> Candidates:
    """Return who could take an item of *channel* in *department* now, and why not the others."""
    settings = core.department(department)
    pool = core.pools.get(settings.name, channel)
    if pool is None:
        return Candidates(settings.name, channel, settings.strategy_for(channel), (), ())
    registry = core.registry
    unavailable = tuple(
        Unavailable(agent, tuple(barriers(registry.get(agent), pool)))
        for agent in sorted(pool.members)
        if pool.free_seat(agent) is None
    )
    ready = tuple(pool.free_agents())
    return Candidates(pool.department, channel, pool.strategy_name, ready, unavailable)


def candidates_for(core: Core, record: ItemRecord, at: float) -> Candidates:
    """Return `candidates` for an item's department and channel, and whom it goes to first."""
    found = candidates(core, record.department, record.item.channel)
    pool = core.pools.get(record.department, record.item.channel)
    wanted = None if pool is None else preference(core.dispatch, pool, record, at)
    if wanted is None:
        return found
    return Candidates(
        found.department,
        found.channel,
        found.strategy,
        found.ready,
        found.unavailable,
        preferred=wanted.agents,
    )
