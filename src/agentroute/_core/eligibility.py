"""
Why an agent cannot take a pool's work now, in words: the one list of barriers.

Claims, transfers, accepts and ``next_for`` refuse with these reasons;
the free indexes apply the same tests, so what they say and what the
router does agree.
"""

from __future__ import annotations

from agentroute._core.pools import Pool
from agentroute._core.registry import AgentRecord

__all__ = ["barriers"]


def barriers(
    holder: AgentRecord, pool: Pool, *, freeing: int = 0, force: bool = False
) -> list[str]:
    """
    Return why *holder* cannot take work of *pool* now; empty when they can.

    *freeing* counts slots the same call frees on that seat first; *force*
    (an administrator's) waives everything but capacity.
    """
    channel = pool.channel
    seat = holder.seats.get(channel)
    reasons = []
    if seat is None:
        reasons.append(f"has no capacity on {channel!r}")
    else:
        if seat.load - freeing >= seat.limit:
            reasons.append(f"is full on {channel!r} ({seat.load}/{seat.limit})")
        wallet = seat.wallet
        if wallet is not None and wallet.used + (1 - freeing) * seat.cost > wallet.budget:
            reasons.append(
                f"has {wallet.budget - wallet.used} of {wallet.budget} units left, "
                f"and {channel!r} costs {seat.cost}"
            )
    if force:
        return reasons
    if seat is None or pool.members.get(holder.agent.id) is not seat:
        reasons.insert(0, f"does not serve {channel!r} in {pool.department!r}")
    if holder.presence != "online":
        reasons.append(f"is {holder.presence}")
    if holder.break_until is not None:
        reasons.append("is on a break")
    if holder.off_shift:
        reasons.append("is outside their shift")
    if channel in holder.channels_off:
        reasons.append(f"has {channel!r} switched off")
    elif holder.agent.id in pool.off:
        reasons.append(f"has {channel!r} switched off in {pool.department!r}")
    if pool.duty is not None and pool.duty != holder.agent.id:
        reasons.append(f"is not on duty for {channel!r} in {pool.department!r}")
    return reasons
