"""
Moving an item to another department or agent: the one code path of transfers.

``Router.transfer()`` checks the actor's permissions and then moves; a rule
moves with the rule's name as the actor. Either way the item leaves where
it was (its slot, its line or its ring), is made the new pool's, and is
booked, routed, or left waiting to be pulled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentroute._core import offers
from agentroute._core.eligibility import barriers
from agentroute._core.items import ItemRecord
from agentroute._core.pools import Pool
from agentroute._core.registry import AgentRecord, Seat
from agentroute.errors import InvalidStateError, NotEligibleError
from agentroute.events import ItemTransferred, NewItemInDepartment
from agentroute.model import Decision
from agentroute.ownership import ActorKind

if TYPE_CHECKING:
    from agentroute._core.core import Core

__all__ = ["move", "transfer_seat"]


def move(
    core: Core,
    record: ItemRecord,
    pool: Pool,
    seat: Seat | None,
    by: str,
    by_kind: ActorKind,
    reason: str | None,
    route: bool,
    at: float,
) -> list[Decision]:
    """
    Make *pool* responsible for an open item, and book it to *seat*, route it, or let it wait.

    The caller checked everything: *seat* can take it (see `transfer_seat`).
    """
    dispatch = core.dispatch
    item_id = record.item.id
    department = pool.department
    origin_pool = core.home(record) if record.state == "assigned" else record.pool
    freed = dispatch.unbook(record) if record.state == "assigned" else None
    if record.state == "queued":
        dispatch.unqueue(record)
    rang = offers.withdraw_all(dispatch, record, at, "transferred") if record.offers else []
    origin, before = record.department, record.agent
    dispatch.move_item(record, pool)
    if "transferred" in core.bus.wanted:
        to = None if seat is None else seat.agent
        event = ItemTransferred(at, item_id, before, to, origin, department, by, reason)
        core.bus.emit(event)
    if seat is not None:
        decision = dispatch.book(record, seat, at, "transfer", by_kind, by, "transferred", reason)
    elif route:
        decision = dispatch.route(record, at, "transferred", by, by_kind, reason)
    else:
        sole = dispatch.sole_seat(pool)
        if sole is not None:
            decision = dispatch.book(
                record, sole, at, "transfer", by_kind, by, "transferred", reason
            )
        else:
            dispatch.set_item(record, record.state, None, None)
            core.ledger.change(item_id, at, "transferred", department, None, by, by_kind, reason)
            if "new_item" in core.bus.wanted:
                core.bus.emit(NewItemInDepartment(at, item_id, department, record.item.channel))
            decision = dispatch.wait(record, at, pull=True)
    decisions = [decision]
    if freed is not None:
        rang.append(freed)
    if rang:
        decisions.extend(dispatch.drain(offers.opened(dispatch, rang), at))
    if seat is None and dispatch.pushes_everything:
        decisions.extend(dispatch.drain([pool], at))  # a sole agent is pushed everything
    if origin_pool is not pool:
        core.pools.discard_if_idle(origin_pool)
    core.pools.discard_if_idle(pool)
    return decisions


def transfer_seat(record: ItemRecord, target: AgentRecord, pool: Pool, force: bool) -> Seat:
    """Return the seat a transfer books, or raise why the target cannot take the item."""
    own = record.state == "assigned" and record.agent == target.agent.id
    if own and record.pool is pool:
        msg = f"Agent {target.agent.id!r} already holds item {record.item.id!r} there."
        raise InvalidStateError(msg)
    ringing = target.agent.id in record.offers  # the offer holds their slot
    reasons = barriers(target, pool, freeing=int(own or ringing), force=force)
    if reasons:
        if any(reason.startswith("is full") or "units left" in reason for reason in reasons):
            hint = (
                "A limit is never exceeded, even with force=True: close work or raise it "
                "with set_capacity(), or transfer to the department for an agent to claim."
            )
        else:
            hint = "An administrator may transfer with force=True, or pick another agent."
        raise NotEligibleError(target.agent.id, record.item.id, reasons, hint)
    return target.seats[pool.channel]
