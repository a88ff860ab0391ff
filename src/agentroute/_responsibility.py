"""
The Router's responsibility calls: owners, transfers, pulls, reopen, history, events.

These are the helpdesk's bookkeeping (SPEC F17-F21, F23), as opposed to the
dispatching in router.py. They are methods of `agentroute.Router`;
this module only keeps router.py a readable size.
"""

from __future__ import annotations

from collections.abc import Iterable

from agentroute._engine import Engine, ItemRecord
from agentroute.errors import (
    InvalidStateError,
    InvalidValueError,
    ItemClosedError,
    NotEligibleError,
)
from agentroute.events import (
    CustomerReplied,
    Handler,
    ItemClaimed,
    ItemReopened,
    ItemTransferred,
    NewItemInDepartment,
    Subscription,
)
from agentroute.model import Agent, Decision
from agentroute.ownership import ActorKind, HistoryEntry, Ownership
from agentroute.policies import permissions
from agentroute.pool import Pool
from agentroute.registry import AgentRecord, Seat

__all__ = ["Responsibility"]


class Responsibility(Engine):
    """Owners, transfers, pulls, reopening, history and subscriptions."""

    def owner(self, item_id: str) -> Ownership:
        """
        Tell who is responsible for an item: always a department, an agent once assigned.

        After a close the agent stays responsible (unless the department
        unassigns on close), so a reopened item can go back to them.

        Examples:
            >>> from agentroute import Agent, Item, Router
            >>> router = Router()
            >>> router.add_department("billing")
            >>> ana = Agent("ana", capacity={"chat": 1}, departments={"billing": {"chat"}})
            >>> router.add_agent(ana)
            >>> _ = router.set_presence("ana", "online")
            >>> _ = router.assign(Item("c1", channel="chat", department="billing"))
            >>> router.owner("c1")
            Ownership(item='c1', department='billing', agent='ana')

        Raises:
            UnknownItemError: No item has this id.

        Added in 0.2.
        """
        record = self._item(item_id)
        return Ownership(item_id, record.pool.department, record.agent)

    def history(self, item_id: str) -> tuple[HistoryEntry, ...]:
        """
        Return every change of an item's owner, oldest first (SPEC F20).

        The first entry is the item's arrival in its department.

        Raises:
            UnknownItemError: No item has this id.

        Added in 0.2.
        """
        self._item(item_id)
        return self._ledger.history(item_id)

    def subscribe(self, handler: Handler, kinds: Iterable[str] | None = None) -> Subscription:
        """
        Call *handler* with every event of the given *kinds* (all when None) (SPEC F23).

        Events of a call are delivered in order once the call's change is
        complete, so a handler sees the router in its new state. If handlers
        raise, every event still reaches every handler, then the call raises
        `HandlerError` holding the exceptions and
        the call's result in ``.result``; the change itself stands.

        Args:
            handler: Called with one event object at a time.
            kinds: Event kinds, e.g. ``["assigned", "customer_replied"]``;
                see `agentroute.events.EVENT_KINDS`.

        Returns:
            A subscription; ``.cancel()`` stops the deliveries.

        Raises:
            InvalidValueError: *handler* is not callable or a kind is unknown.

        Added in 0.2.
        """
        return self._bus.subscribe(handler, kinds)

    def transfer(
        self,
        item_id: str,
        *,
        to_agent: str | None = None,
        to_department: str | None = None,
        actor: str | None = None,
        reason: str | None = None,
        force: bool = False,
    ) -> list[Decision]:
        """
        Move responsibility for an item to an agent or to a department (SPEC F19).

        To an agent: the item and its slot move at once; the agent must be
        able to take it (member serving the channel, online, channel on, a
        free slot). To a department alone: the item waits there, unassigned,
        until one of its agents claims it or takes it as next. Either way the
        previous holder's slot frees at once and takes waiting work.

        Args:
            item_id: An open item.
            to_agent: The new responsible agent.
            to_department: The new responsible department (default: the same).
            actor: Who transfers; None is the host. An agent may transfer only
                items they hold; owners and administrators any item.
            reason: Why, kept in the history.
            force: Administrators only: skip the membership, presence and
                channel checks. A limit is never exceeded, forced or not.

        Returns:
            The item's decision first, then work the freed slot took.

        Raises:
            UnknownItemError, UnknownAgentError, UnknownDepartmentError: An id is unknown.
            ItemClosedError: The item is closed; reopen it first.
            InvalidValueError: Neither target is given, or *force* or *reason*
                has the wrong type.
            InvalidStateError: The agent already holds the item there.
            NotEligibleError: The agent cannot take the item.
            PermissionDeniedError: The actor may not make this transfer.

        Added in 0.2.
        """
        record = self._item(item_id)
        if record.state == "closed":
            raise ItemClosedError(item_id, "transfer")
        if to_agent is None and to_department is None:
            raise InvalidValueError("transfer", "give to_agent, to_department, or both")
        if type(force) is not bool:
            raise InvalidValueError("force", f"must be True or False, got {force!r}")
        if reason is not None and not isinstance(reason, str):
            raise InvalidValueError("reason", f"must be a string or None, got {reason!r}")
        department = record.pool.department
        if to_department is not None:
            department = self._department(to_department).name
        target = None if to_agent is None else self._registry.get(to_agent)
        actor_agent = self._actor(actor)
        holder = record.agent if record.state == "assigned" else None
        permissions.check_transfer(actor_agent, holder, force=force)
        if target is None and record.state == "queued" and department == record.pool.department:
            msg = f"Item {item_id!r} already waits in {department!r}; nothing to transfer."
            raise InvalidStateError(msg)
        pool = self._pool(department, record.item.channel)
        seat = None if target is None else self._transfer_seat(record, target, pool, force)
        by, by_kind = _actor_names(actor_agent)

        now = self._clock()
        freed = self._unbook(record) if record.state == "assigned" else None
        if record.state == "queued":
            record.pool.queue.remove(record.key)
        origin, before = record.pool.department, record.agent
        record.pool = pool
        wanted = self._bus.wanted
        if "transferred" in wanted:
            to = None if seat is None else seat.agent
            event = ItemTransferred(now, item_id, before, to, origin, department, by, reason)
            self._bus.emit(event)
        if seat is not None:
            decision = self._book(
                record, seat, now, "transfer", by_kind, by, action="transferred", reason=reason
            )
        else:
            record.agent = None
            self._ledger.change(item_id, now, "transferred", department, None, by, by_kind, reason)
            if "new_item" in wanted:
                self._bus.emit(NewItemInDepartment(now, item_id, department, record.item.channel))
            decision = self._wait(record, now, pull=True)
        decisions = [decision]
        if freed is not None and freed.is_free:
            decisions.extend(self._drain(freed.pools, now))
        if seat is None and len(self._registry) == 1:
            decisions.extend(self._drain([pool], now))  # a sole agent is pushed everything
        return self._done(decisions)

    def claim(self, item_id: str, agent_id: str, *, actor: str | None = None) -> Decision:
        """
        Let an agent take a waiting item themselves (SPEC F17, F19).

        The first item in its department's line (for its channel) may always
        be claimed; any other only where the department allows claims, or by
        an administrator on the agent's behalf.

        Args:
            item_id: A waiting item.
            agent_id: The agent who takes it.
            actor: Who asks; defaults to the agent themselves.

        Raises:
            UnknownItemError, UnknownAgentError: An id is unknown.
            ItemClosedError: The item is closed.
            InvalidStateError: The item is already assigned; transfer it instead.
            NotEligibleError: The agent cannot take it now.
            PermissionDeniedError: The claim is not allowed.

        Added in 0.2.
        """
        record = self._item(item_id)
        holder = self._registry.get(agent_id)
        if record.state == "closed":
            raise ItemClosedError(item_id, "claim")
        if record.state == "assigned":
            msg = (
                f"Cannot claim item {item_id!r}: it is assigned to {record.agent!r}; "
                "transfer it instead."
            )
            raise InvalidStateError(msg)
        pool = record.pool
        in_order = pool.queue.first() == record.key
        claimer = holder.agent if actor is None else self._actor(actor)
        permissions.check_claim(
            claimer, agent_id, in_order=in_order, allowed=pool.settings.allow_claims
        )
        seat = self._eligible_seat(holder, record, pool)
        return self._done(self._take(record, seat, claimer, "claim"))

    def next_for(self, agent_id: str, *, actor: str | None = None) -> Decision | None:
        """
        Give an agent the most important item they can take: the "Resolve" button (SPEC F17).

        The order is the queue's: priority, SLA deadline, arrival, across every
        department and channel where the agent has a free slot.

        Args:
            agent_id: The agent asking for work.
            actor: Who asks; defaults to the agent themselves.

        Returns:
            The decision, or None when nothing waits that the agent has room for.

        Raises:
            UnknownAgentError: The agent or actor is unknown.
            NotEligibleError: The agent is not online.
            PermissionDeniedError: An agent asks on someone else's behalf.

        Added in 0.2.
        """
        holder = self._registry.get(agent_id)
        claimer = holder.agent if actor is None else self._actor(actor)
        permissions.check_claim(claimer, agent_id, in_order=True, allowed=True)
        if holder.presence != "online":
            hint = "Set them online with Router.set_presence() first."
            raise NotEligibleError(agent_id, "(next)", [f"is {holder.presence}"], hint)
        best = self._next_key(holder)
        if best is None:
            return None
        key, pool = best
        record = self._items[key[3]]
        seat = holder.seats[pool.channel]
        return self._done(self._take(record, seat, claimer, "next_for"))

    def waiting_for(self, agent_id: str) -> int:
        """
        Count the items waiting where an agent serves: the badge on the "Resolve" button.

        Costs one look per (department, channel) the agent serves, whatever
        the length of the queues.

        Raises:
            UnknownAgentError: No agent has this id.

        Added in 0.2.
        """
        holder = self._registry.get(agent_id)
        return sum(len(pool.queue) for seat in holder.seats.values() for pool in seat.pools)

    def reopen(self, item_id: str, *, actor: str | None = None) -> Decision:
        """
        Open a closed item again (SPEC F21).

        It goes back to its owner when they can take it now; otherwise the
        department routes it like a new arrival: its strategy or its queue
        (push), or its pull line (pull).

        Args:
            item_id: A closed item.
            actor: Who reopens; None is the host (or the customer).

        Raises:
            UnknownItemError: No item has this id.
            UnknownAgentError: The actor is unknown.
            InvalidStateError: The item is not closed.

        Added in 0.2.
        """
        record = self._item(item_id)
        if record.state != "closed":
            msg = f"Cannot reopen item {item_id!r}: it is {record.state}, not closed."
            raise InvalidStateError(msg)
        actor_agent = self._actor(actor)
        return self._done(self._reopen(record, actor_agent))

    def reply(self, item_id: str) -> list[Decision]:
        """
        Record that the customer wrote again on an item, and tell its owner.

        A reply on a closed item reopens it, as helpdesks do.

        Returns:
            The reopen decision when the item was closed, else nothing.

        Raises:
            UnknownItemError: No item has this id.

        Added in 0.2.
        """
        record = self._item(item_id)
        owner = record.agent
        decisions = [self._reopen(record, None)] if record.state == "closed" else []
        if "customer_replied" in self._bus.wanted:
            now = self._clock()
            notify = record.agent or owner  # the owner before a reopen that queued it
            event = CustomerReplied(now, item_id, notify, record.pool.department)
            self._bus.emit(event)
        return self._done(decisions)

    # -- internals -----------------------------------------------------------------

    def _reopen(self, record: ItemRecord, actor: Agent | None) -> Decision:
        now = self._clock()
        item_id = record.item.id
        pool = record.pool
        self._arrivals += 1
        record.arrival = self._arrivals
        if "reopened" in self._bus.wanted:
            self._bus.emit(ItemReopened(now, item_id, pool.department))
        by, by_kind = _actor_names(actor)
        owner = None if record.agent is None else self._registry.find(record.agent)
        seat = None if owner is None else owner.seats.get(pool.channel)
        if seat is not None and pool.members.get(seat.agent) is seat and seat.is_free:
            return self._book(record, seat, now, "reopen", by_kind, by, action="reopened")
        pull = pool.settings.mode == "pull"
        chosen = self._sole_seat(pool) if pull else pool.pick(self._rng) if pool.has_free else None
        if chosen is not None:
            return self._book(record, chosen, now, pool.strategy_name, action="reopened")
        if record.agent is not None:
            record.agent = None
            self._ledger.change(item_id, now, "reopened", pool.department, None, by, by_kind)
        return self._wait(record, now, pull=pull)

    def _take(self, record: ItemRecord, seat: Seat, claimer: Agent | None, how: str) -> Decision:
        """Book a waiting item to the agent who pulled it."""
        now = self._clock()
        record.pool.queue.remove(record.key)
        by, by_kind = _actor_names(claimer)
        decision = self._book(record, seat, now, how, by_kind, by, action="claimed")
        if "claimed" in self._bus.wanted:
            event = ItemClaimed(now, record.item.id, seat.agent, record.pool.department)
            self._bus.emit(event)
        return decision

    def _eligible_seat(self, holder: AgentRecord, record: ItemRecord, pool: Pool) -> Seat:
        reasons = self._barriers(holder, pool)
        if reasons:
            hint = "An administrator can transfer it with force=True, or pick another agent."
            raise NotEligibleError(holder.agent.id, record.item.id, reasons, hint)
        return holder.seats[pool.channel]

    def _transfer_seat(
        self, record: ItemRecord, target: AgentRecord, pool: Pool, force: bool
    ) -> Seat:
        """Return the seat a transfer books, or raise why the target cannot take the item."""
        own = record.state == "assigned" and record.agent == target.agent.id
        if own and record.pool is pool:
            msg = f"Agent {target.agent.id!r} already holds item {record.item.id!r} there."
            raise InvalidStateError(msg)
        reasons = self._barriers(target, pool, freeing=int(own), force=force)
        if reasons:
            if any(reason.startswith("is full") for reason in reasons):
                hint = (
                    "A limit is never exceeded, even with force=True: close work or raise it "
                    "with set_capacity(), or transfer to the department for an agent to claim."
                )
            else:
                hint = "An administrator may transfer with force=True, or pick another agent."
            raise NotEligibleError(target.agent.id, record.item.id, reasons, hint)
        return target.seats[pool.channel]


def _actor_names(actor: Agent | None) -> tuple[str, ActorKind]:
    """Return (by, by_kind) for the history: the agent and their role, or the host."""
    if actor is None:
        return "system", "system"
    return actor.id, actor.role
