"""
Command handlers for items: assign, close, forget, transfer, claim, next, reopen, reply, requeue.

Each handler checks the item's state against the lifecycle table
(`agentroute._core.items.OPERATIONS`) and the actor's permissions before it
changes anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentroute._core import offers, rules, sla
from agentroute._core.dispatch import chooser
from agentroute._core.eligibility import barriers
from agentroute._core.items import OPERATIONS, ItemRecord
from agentroute._core.registry import Seat
from agentroute._core.transfers import move, transfer_seat
from agentroute.commands import (
    Assign,
    Claim,
    Close,
    Forget,
    NextFor,
    Reopen,
    Reply,
    Requeue,
    Transfer,
)
from agentroute.errors import (
    DuplicateItemError,
    InvalidStateError,
    NotEligibleError,
)
from agentroute.events import (
    CustomerReplied,
    ItemClaimed,
    ItemClosed,
    ItemReopened,
    NewItemInDepartment,
)
from agentroute.model import Agent, Decision
from agentroute.ownership import ActorKind
from agentroute.policies import permissions

if TYPE_CHECKING:
    from agentroute._core.core import Core

__all__ = [
    "actor_names",
    "assign",
    "claim",
    "close",
    "forget",
    "next_for",
    "reopen",
    "reply",
    "requeue",
    "transfer",
]


_CLOSABLE = OPERATIONS["close"][0]


def actor_names(actor: Agent | None) -> tuple[str, ActorKind]:
    """Return (by, by_kind) for the history: the agent and their role, or the host."""
    if actor is None:
        return "system", "system"
    return actor.id, actor.role


def assign(core: Core, command: Assign) -> Decision:
    """Route a new item: its department's strategy picks a free agent, or it waits."""
    item = command.item
    items = core.items
    if item.id in items.records:
        raise DuplicateItemError(item.id)
    pool = core.pools.by_key.get((item.department, item.channel)) or core.pool(
        item.department, item.channel
    )
    at = command.at
    record = items.add(item, pool, at)
    if item.sla_deadline is not None:
        sla.arm(core, record, at)
    core.ledger.change(item.id, at, "created", item.department, None, "system", "system")
    bus = core.bus
    if "new_item" in bus.wanted:
        bus.emit(NewItemInDepartment(at, item.id, item.department, item.channel))
    if core.rules:
        run = rules.fire(core, "created", record, at, placed=False)
        if run.assign_to is not None:
            name, agent = run.assign_to
            seat = core.registry.get(agent).seats[item.channel]
            reason = f"rule {name!r}"
            return core.dispatch.book(record, seat, at, name, "rule", name, "assigned", reason)
    return core.dispatch.route(record, at)


def close(core: Core, command: Close) -> list[Decision]:
    """Close an item: free its slot (handing it to waiting work) or take it out of line."""
    record = core.items.get(command.item_id)
    if record.state not in _CLOSABLE:
        record.require("close")
    by: str
    by_kind: ActorKind
    if command.actor is None:
        by, by_kind = "system", "system"
    else:
        actor = core.actor(command.actor)
        permissions.check_own_item(actor, record.agent, "close")
        by, by_kind = actor_names(actor)
    at = command.at
    dispatch = core.dispatch
    state = record.state
    held = state == "assigned"
    rang: list[Seat] = []
    if held:
        pool = record.pool
        if pool.dropped:
            pool = core.home(record)
    elif state == "offered":
        pool = core.home(record)
        rang = offers.withdraw_all(dispatch, record, at, "closed")
    else:
        pool = record.pool
        dispatch.unqueue(record)
    owner = record.agent
    if pool.settings.unassign_on_close:
        owner = None
    dispatch.set_item(record, "closed", owner, record.seat)
    item_id = record.item.id
    core.ledger.change(item_id, at, "closed", pool.department, owner, by, by_kind, command.reason)
    if "closed" in core.bus.wanted:
        core.bus.emit(ItemClosed(at, item_id, owner, pool.department))
    decisions: list[Decision] = []
    if held:
        seat: Seat = record.seat  # type: ignore[assignment]
        booked: float = record.assigned_at  # type: ignore[assignment]  # set while assigned
        core.handling.observe((pool.department, pool.channel), at - booked)
        handed = None
        if seat.enabled and seat.load == seat.limit:
            handed = dispatch.hand_over(record, at)
        if handed is not None:
            decisions = [handed]
        else:
            # No hand-over means no work waits where this seat serves (work conservation
            # kept it from waiting beside a free slot), so the freed slot has nothing to
            # take; unless that work rings, or the freed units open the agent's other seats.
            dispatch.unbook(record)
            if seat.wallet is not None or dispatch.may_wait_elsewhere(seat):
                decisions = dispatch.drain(dispatch.opened(seat), at)
    elif rang:
        decisions = dispatch.drain(offers.opened(dispatch, rang), at)
    if not pool.members:
        core.pools.discard_if_idle(pool)
    if record.item.sla_deadline is not None:
        sla.disarm(core, record)
    if core.rules:
        decisions += rules.fire(core, "closed", record, at).decisions
    core.items.closed(record)
    return decisions


def forget(core: Core, command: Forget) -> None:
    """Drop a closed item now, so its id can be used again."""
    record = core.items.get(command.item_id)
    record.require("forget")
    core.items.forget(record)


def transfer(core: Core, command: Transfer) -> list[Decision]:
    """Move responsibility to an agent, or to a department (waiting, or routed)."""
    record = core.items.get(command.item_id)
    record.require("transfer")
    item_id = record.item.id
    department = record.department
    if command.to_department is not None:
        department = core.department(command.to_department).name
    target = None if command.to_agent is None else core.registry.get(command.to_agent)
    actor = core.actor(command.actor)
    holder = record.agent if record.state == "assigned" else None
    permissions.check_transfer(actor, holder, force=command.force)
    if target is None and record.state == "queued" and department == record.department:
        msg = f"Item {item_id!r} already waits in {department!r}; nothing to transfer."
        raise InvalidStateError(msg)
    pool = core.pool(department, record.item.channel)
    seat = None if target is None else transfer_seat(record, target, pool, command.force)
    by, by_kind = actor_names(actor)
    at = command.at
    decisions = move(core, record, pool, seat, by, by_kind, command.reason, command.route, at)
    if core.rules:
        decisions += rules.fire(core, "transferred", record, at).decisions
    return decisions


def claim(core: Core, command: Claim) -> Decision:
    """Let an agent take a waiting item themselves."""
    record = core.items.get(command.item_id)
    holder = core.registry.get(command.agent_id)
    record.require("claim")
    pool = record.pool
    in_order = not record.waiting_for and pool.queue.first() == record.key
    claimer = holder.agent if command.actor is None else core.actor(command.actor)
    permissions.check_claim(
        claimer, command.agent_id, in_order=in_order, allowed=pool.settings.allow_claims
    )
    reasons = barriers(holder, pool)
    if reasons:
        hint = "An administrator can transfer it with force=True, or pick another agent."
        raise NotEligibleError(holder.agent.id, record.item.id, reasons, hint)
    return _take(core, record, holder.seats[pool.channel], claimer, "claim", command.at)


def next_for(core: Core, command: NextFor) -> Decision | None:
    """Give an agent the most important item they can take: the "Resolve" button."""
    holder = core.registry.get(command.agent_id)
    claimer = holder.agent if command.actor is None else core.actor(command.actor)
    permissions.check_claim(claimer, command.agent_id, in_order=True, allowed=True)
    if holder.presence != "online":
        hint = "Set them online with Router.set_presence() first."
        raise NotEligibleError(command.agent_id, "(next)", [f"is {holder.presence}"], hint)
    if holder.break_until is not None:
        hint = "End their break with Router.end_break() first."
        raise NotEligibleError(command.agent_id, "(next)", ["is on a break"], hint)
    if holder.off_shift:
        hint = "Their schedule has no shift now; change it with Router.set_schedule()."
        raise NotEligibleError(command.agent_id, "(next)", ["is outside their shift"], hint)
    best = core.dispatch.next_key(holder)
    if best is None:
        return None
    key, pool = best
    record = core.items.records[key[3]]
    return _take(core, record, holder.seats[pool.channel], claimer, "next_for", command.at)


def _take(
    core: Core, record: ItemRecord, seat: Seat, claimer: Agent | None, how: str, at: float
) -> Decision:
    """Book a waiting item to the agent who pulled it."""
    core.dispatch.unqueue(record)
    by, by_kind = actor_names(claimer)
    decision = core.dispatch.book(record, seat, at, how, by_kind, by, "claimed")
    if "claimed" in core.bus.wanted:
        event = ItemClaimed(at, record.item.id, seat.agent, record.department)
        core.bus.emit(event)
    return decision


def reopen(core: Core, command: Reopen) -> Decision:
    """Open a closed item again: back to its owner when they can take it, else routed."""
    record = core.items.get(command.item_id)
    record.require("reopen")
    actor = core.actor(command.actor)
    decisions = _reopen(core, record, actor, command.at)
    item_id = record.item.id
    return next(d for d in reversed(decisions) if d.item == item_id)  # where rules left it


def _reopen(core: Core, record: ItemRecord, actor: Agent | None, at: float) -> list[Decision]:
    """Reopen, then run the ``reopened`` rules; the reopened item's decision comes first."""
    decisions = [_reopen_only(core, record, actor, at)]
    if core.rules:
        decisions += rules.fire(core, "reopened", record, at).decisions
    return decisions


def _reopen_only(core: Core, record: ItemRecord, actor: Agent | None, at: float) -> Decision:
    pool = core.home(record)
    items = core.items
    items.reopened(record)
    core.undo.push(setattr, record, "arrival", record.arrival)
    record.arrival = items.next_arrival()
    sla.arm(core, record, at)
    if "reopened" in core.bus.wanted:
        core.bus.emit(ItemReopened(at, record.item.id, pool.department))
    by, by_kind = actor_names(actor)
    owner = None if record.agent is None else core.registry.find(record.agent)
    seat = None if owner is None else owner.seats.get(pool.channel)
    if seat is not None and pool.serves(seat) and seat.is_free:
        return core.dispatch.book(record, seat, at, "reopen", by_kind, by, "reopened")
    return core.dispatch.route(record, at, "reopened", by, by_kind)


def reply(core: Core, command: Reply) -> list[Decision]:
    """Count a customer reply, tell the owner, and reopen a closed item."""
    record = core.items.get(command.item_id)
    at = command.at
    owner = record.agent
    core.undo.push(_restore_activity, record, record.replies, record.last_reply_at)
    record.replies += 1
    record.last_reply_at = at
    decisions = _reopen(core, record, None, at) if record.state == "closed" else []
    if "customer_replied" in core.bus.wanted:
        notify = record.agent or owner  # the owner before a reopen that queued it
        core.bus.emit(CustomerReplied(at, record.item.id, notify, record.department))
    if core.rules:
        decisions += rules.fire(core, "replied", record, at).decisions
    return decisions


def _restore_activity(record: ItemRecord, replies: int, last_reply_at: float | None) -> None:
    record.replies = replies
    record.last_reply_at = last_reply_at


def requeue(core: Core, command: Requeue) -> list[Decision]:
    """Take an assigned item off its agent and route it again, to someone else if possible."""
    record = core.items.get(command.item_id)
    record.require("requeue")
    actor = core.actor(command.actor)
    permissions.check_own_item(actor, record.agent, "requeue")
    pool = core.home(record)
    dispatch = core.dispatch
    at = command.at
    by, by_kind = actor_names(actor)
    old: Seat = record.seat  # type: ignore[assignment]
    pull = pool.settings.mode == "pull"
    chosen = None
    if not pull and not pool.rings:
        pool.hide(old.agent)  # the unbook below ranks them again
        chosen = dispatch.choose(pool, record) if pool.has_free else None
    dispatch.unbook(record)
    reason = command.reason
    if chosen is not None:
        kind, name = chooser(by, by_kind)
        decision = dispatch.book(
            record, chosen, at, pool.strategy_name, kind, name, "requeued", reason
        )
    else:
        dispatch.set_item(record, record.state, None, None)
        core.ledger.change(
            record.item.id, at, "requeued", pool.department, None, by, by_kind, reason
        )
        ringing = None
        if pool.rings and not pull:
            pool.hide(old.agent)  # ring the others; the agent is ranked again below
            if pool.has_free:
                ringing = offers.ring(dispatch, record, pool, at)
            if pool.serves(old):  # not so after a forced transfer into this pool
                pool.refresh(old)
        decision = ringing or dispatch.wait(record, at, pull=pull)
    decisions = [decision]
    decisions.extend(dispatch.drain(dispatch.opened(old), at))
    if decision.status == "queued" and any(d.item == decision.item for d in decisions[1:]):
        decisions = decisions[1:]  # it went straight back: the queued decision is stale
    return decisions
