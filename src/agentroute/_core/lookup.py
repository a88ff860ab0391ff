"""
Read-only questions about routing: who could take a pool's work now, and why not.

Nothing here changes the state; the answers come from the free indexes and
the one list of barriers (`agentroute._core.eligibility`), so they agree
with what routing does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from agentroute._core.eligibility import barriers
from agentroute._core.items import ItemRecord
from agentroute._core.reservations import preference
from agentroute.candidates import Candidates, Unavailable
from agentroute.errors import InvalidStateError
from agentroute.estimates import WaitEstimate
from agentroute.explanation import Explanation, Ranked

if TYPE_CHECKING:
    from agentroute._core.core import Core

__all__ = ["candidates", "candidates_for", "estimated_wait", "explain"]

_MOVES: Final = frozenset({"assigned", "transferred", "claimed", "requeued", "reopened"})
"""History actions that decide where an item is."""


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


def explain(core: Core, record: ItemRecord, at: float) -> Explanation:
    """Return why *record* is where it is, from its history and the note of the last choice."""
    item_id = record.item.id
    rows = core.ledger.rows(item_id)
    deciding = next((row for row in reversed(rows) if row[1] in _MOVES), None)
    rules = tuple(dict.fromkeys(row[6] for row in rows if row[7] == "rule"))
    pool = record.pool
    chosen = runner_up = among = None
    note = record.choice
    if (
        deciding is not None
        and note is not None
        and deciding[7] == "strategy"
        and deciding[6] == pool.strategy_name
    ):
        fields = _rank_fields(pool.strategy, len(note[1]) - 2)
        among = note[0]
        chosen = _ranked(note[1], fields)
        if note[2] is not None and pool.ordered:  # a uniform draw has no runner-up
            runner_up = _ranked(note[2], fields)
    return Explanation(
        item=item_id,
        state=record.state,
        department=record.department,
        channel=record.item.channel,
        agent=record.agent,
        decided_by=None if deciding is None else deciding[6],
        by_kind=None if deciding is None else deciding[7],
        at=None if deciding is None else deciding[0],
        among=among,
        chosen=chosen,
        runner_up=runner_up,
        rules=rules,
        now=candidates_for(core, record, at),
    )


def _rank_fields(strategy: object, size: int) -> tuple[str, ...]:
    """Return the names of a rank's parts: the strategy's ``rank_fields``, else numbers."""
    named = getattr(strategy, "rank_fields", None)
    if isinstance(named, tuple) and len(named) == size:
        return named
    return tuple(f"rank[{index}]" for index in range(size))


def _ranked(entry: tuple[Any, ...], fields: tuple[str, ...]) -> Ranked:
    """Turn a noted index entry (*rank, agent, seat) into a `Ranked`."""
    return Ranked(entry[-2], tuple(zip(fields, entry[:-2], strict=True)))


def estimated_wait(core: Core, record: ItemRecord) -> WaitEstimate:
    """
    Return where a queued item stands and how long it should still wait.

    Raises:
        InvalidStateError: The item is not queued.
    """
    if record.state != "queued":
        holder = f" by {record.agent!r}" if record.state == "assigned" else ""
        msg = f"Item {record.item.id!r} does not wait: it is {record.state}{holder}."
        raise InvalidStateError(msg)
    pool = record.pool
    key = record.key
    agents = record.waiting_for
    pulled = False
    if agents:
        position = pool.reserved.position(key, agents[0])
        seats = [pool.members[agent] for agent in agents]
    else:
        position = pool.queue.position(key)
        pulled = pool.queue.is_pull(key)
        seats = [seat for agent, seat in pool.members.items() if not pool.excludes(agent)]
    slots = sum(seat.limit for seat in seats if seat.enabled)
    handling = core.handling.mean((pool.department, pool.channel))
    seconds = None
    if handling is not None and slots and not pulled:
        seconds = position * handling / slots
    return WaitEstimate(record.item.id, position, slots, handling, seconds)
