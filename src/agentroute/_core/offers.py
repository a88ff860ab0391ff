"""
Ring-all offers: ring every free agent of a pool at once; the first to accept gets the item.

An offer holds a slot (and the units) of each agent it rings, so an agent
is never offered or given more than their limits allow, and an accept can
always be booked. The item is ``offered`` until one agent accepts; a
decline frees that agent; when the department's ``ring_timeout_s`` passes,
every offer still ringing is missed, and the item goes back in line to be
offered again (first in line among its equals, as it keeps its arrival).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Final

from agentroute._core import sla
from agentroute._core.eligibility import barriers
from agentroute._core.items import ItemRecord
from agentroute._core.pools import Pool
from agentroute._core.registry import AgentRecord, Seat
from agentroute.commands import Accept, Decline
from agentroute.errors import NotOfferedError
from agentroute.events import ItemOffered, OfferMissed, OfferWithdrawn
from agentroute.model import Decision

if TYPE_CHECKING:
    from agentroute._core.core import Core
    from agentroute._core.dispatch import Dispatch

__all__ = [
    "OFFER",
    "accept",
    "decline",
    "expire",
    "ring",
    "withdraw_agent",
    "withdraw_all",
    "withdraw_unavailable",
]

OFFER: Final = "offer"
"""The timer kind of an item's ringing offers; its key is the item id."""


def ring(dispatch: Dispatch, record: ItemRecord, pool: Pool, at: float) -> Decision:
    """Offer *record* to every free member of *pool*; call only when the pool has one."""
    registry = dispatch.registry
    flag = dispatch.undo.flag
    seats = pool.free_seats()
    offers: dict[str, None] = {}
    for seat in seats:
        _reserve(dispatch, seat, +1)
        flag(registry.get(seat.agent).offers, record.item.id, True)
        offers[seat.agent] = None
    dispatch.set_item(record, "offered", None, None)
    if record.item.sla_deadline is not None:
        sla.waits_again(dispatch.timers, record.item.id, at)
    dispatch.undo.push(setattr, record, "offers", record.offers)
    record.offers = offers
    dispatch.timers.set(OFFER, record.item.id, at + pool.settings.ring_timeout_s)
    agents = tuple(offers)
    if ItemOffered.kind in dispatch.bus.wanted:
        dispatch.bus.emit(ItemOffered(at, record.item.id, agents, pool.department, pool.channel))
    return Decision(
        record.item.id,
        "offered",
        None,
        pool.department,
        pool.channel,
        pool.strategy_name,
        offered=agents,
    )


def _reserve(dispatch: Dispatch, seat: Seat, change: int) -> None:
    """Take (+1) or give back (-1) the slot and units an offer holds on *seat*."""
    dispatch.undo.push(_unreserve, seat, change)
    seat.load += change
    seat.ringing += change
    dispatch.spend(seat, change * seat.cost)


def _unreserve(seat: Seat, change: int) -> None:
    seat.load -= change
    seat.ringing -= change


def _withdraw(dispatch: Dispatch, record: ItemRecord, agent: str) -> Seat:
    """Take back the offer of *record* to *agent*, freeing their slot; return their seat."""
    offers = dict(record.offers)
    del offers[agent]
    dispatch.undo.push(setattr, record, "offers", record.offers)
    record.offers = offers
    return _free(dispatch, record, agent)


def _withdraw_every(dispatch: Dispatch, record: ItemRecord) -> list[tuple[str, Seat]]:
    """Take back every offer of *record* in one step; return each agent with their seat."""
    agents = record.offers
    dispatch.undo.push(setattr, record, "offers", agents)
    record.offers = {}
    return [(agent, _free(dispatch, record, agent)) for agent in agents]


def _free(dispatch: Dispatch, record: ItemRecord, agent: str) -> Seat:
    """Give back the slot and units *record*'s offer held on *agent*'s seat."""
    holder = dispatch.registry.get(agent)
    seat = holder.seats[record.pool.channel]
    dispatch.undo.flag(holder.offers, record.item.id, False)
    _reserve(dispatch, seat, -1)
    return seat


def withdraw_all(
    dispatch: Dispatch, record: ItemRecord, at: float, why: str, keep: str | None = None
) -> list[Seat]:
    """Withdraw every offer of *record* but *keep*'s (telling each agent *why*); end the ring."""
    freed = _withdraw_every(dispatch, record)
    if OfferWithdrawn.kind in dispatch.bus.wanted:
        item_id = record.item.id
        for agent, _ in freed:
            if agent != keep:
                dispatch.bus.emit(OfferWithdrawn(at, item_id, agent, why))
    dispatch.timers.cancel(OFFER, record.item.id)
    return [seat for _, seat in freed]


def opened(dispatch: Dispatch, seats: Iterable[Seat]) -> list[Pool]:
    """Return the pools where the freed *seats* (or their agents' other seats) may take work."""
    return [pool for seat in seats for pool in dispatch.opened(seat)]


def _back_in_line(
    dispatch: Dispatch, record: ItemRecord, seats: list[Seat], at: float
) -> list[Decision]:
    """Put an item no offer rings any more back in line; hand out what the freed slots take."""
    dispatch.wait(record, at, pull=False)
    return dispatch.requeued([record], opened(dispatch, seats), at)


def accept(core: Core, command: Accept) -> list[Decision]:
    """Give an offered item to the agent who answered first; withdraw the other offers."""
    record = core.items.get(command.item_id)
    holder = core.registry.get(command.agent_id)
    agent = holder.agent.id
    if record.state != "offered" or agent not in record.offers:
        raise NotOfferedError(record.item.id, agent, _why_not(record, agent))
    pool = core.home(record)
    dispatch = core.dispatch
    at = command.at
    seats = withdraw_all(dispatch, record, at, f"taken by {agent!r}", keep=agent)
    seat = holder.seats[pool.channel]
    decision = dispatch.book(record, seat, at, pool.strategy_name, holder.agent.role, agent)
    return [decision, *dispatch.drain(opened(dispatch, seats), at)]


def _why_not(record: ItemRecord, agent: str) -> str:
    state = record.state
    if state == "offered":
        return "it rings other agents"
    if state == "assigned":
        return (
            f"it was taken by {record.agent!r}" if record.agent != agent else "it is already theirs"
        )
    return f"it is {state}"


def decline(core: Core, command: Decline) -> list[Decision]:
    """Take back one agent's offer; the last decline puts the item back in line."""
    record = core.items.get(command.item_id)
    agent = core.registry.get(command.agent_id).agent.id
    if record.state != "offered" or agent not in record.offers:
        raise NotOfferedError(record.item.id, agent, _why_not(record, agent))
    dispatch = core.dispatch
    at = command.at
    seat = _withdraw(dispatch, record, agent)
    if record.offers:
        return dispatch.drain(dispatch.opened(seat), at)
    core.timers.cancel(OFFER, record.item.id)
    return _back_in_line(dispatch, record, [seat], at)


def expire(core: Core, item_id: str, at: float) -> list[Decision]:
    """End a ring that timed out: each offer still ringing is missed; the item goes back in line."""
    record = core.items.records[item_id]
    dispatch = core.dispatch
    wanted = OfferMissed.kind in core.bus.wanted
    freed = _withdraw_every(dispatch, record)
    for agent, _ in freed:
        holder = core.registry.get(agent)
        core.undo.push(setattr, holder, "missed", holder.missed)
        holder.missed += 1
        if wanted:
            core.bus.emit(OfferMissed(at, item_id, agent, holder.missed))
    return _back_in_line(dispatch, record, [seat for _, seat in freed], at)


def withdraw_agent(
    core: Core, holder: AgentRecord, at: float, keep: Iterable[tuple[str, str]] = ()
) -> tuple[list[ItemRecord], list[Seat]]:
    """
    Withdraw the offers ringing *holder* except in the (department, channel) pairs *keep*.

    Returns the items no offer rings any more, back in line, and the seats freed.
    """
    kept = set(keep)
    return _withdraw_from(
        core, holder, at, "agent changed", lambda r: (r.department, r.item.channel) not in kept
    )


def withdraw_unavailable(core: Core, holder: AgentRecord, at: float) -> list[Decision]:
    """Withdraw the offers ringing an agent who can no longer take them; say where items went."""
    if not holder.offers:
        return []
    back, seats = _withdraw_from(
        core, holder, at, "agent unavailable", lambda r: bool(barriers(holder, r.pool, freeing=1))
    )
    return core.dispatch.requeued(back, opened(core.dispatch, seats), at)


def _withdraw_from(
    core: Core,
    holder: AgentRecord,
    at: float,
    why: str,
    drop: Callable[[ItemRecord], bool],
) -> tuple[list[ItemRecord], list[Seat]]:
    """Withdraw *holder*'s offers of the items *drop* picks; put ring-less items in line."""
    dispatch = core.dispatch
    agent = holder.agent.id
    back, seats = [], []
    for item_id in list(holder.offers):
        record = core.items.records[item_id]
        if not drop(record):
            continue
        seats.append(_withdraw(dispatch, record, agent))
        if OfferWithdrawn.kind in core.bus.wanted:
            core.bus.emit(OfferWithdrawn(at, item_id, agent, why))
        if not record.offers:
            core.timers.cancel(OFFER, item_id)
            dispatch.wait(record, at, pull=False)
            back.append(record)
    return back, seats
