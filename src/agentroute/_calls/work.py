"""The Router's work-item calls."""

from __future__ import annotations

from agentroute._calls._base import Calls
from agentroute._calls._checks import _check_bool
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
from agentroute.errors import InvalidValueError, ReentrantCallError
from agentroute.model import Decision, Item, ItemStatus, check_id
from agentroute.ownership import HistoryEntry, Ownership


class WorkCalls(Calls):
    """The item calls; no state (the Router owns the lock and core)."""

    def assign(self, item: Item) -> Decision:
        """
        Route a new item: give it to a free agent, or queue it.

        The item's department picks the strategy for its channel; only
        members serving that channel, online, with the channel on and a free
        slot are considered.

        Returns:
            ``status="assigned"`` with the agent, or ``status="queued"``
            with its place in line and the reason.

        Raises:
            InvalidValueError: *item* is not an `Item`.
            DuplicateItemError: An item with this id is known.
            UnknownDepartmentError: The item's department does not exist.
            HostCodeError: A custom strategy or the clock failed; nothing changed.

        Added in 0.1.
        """
        if not isinstance(item, Item):
            raise InvalidValueError("item", f"must be an agentroute.Item, got {item!r}")
        with self._lock:
            if self._guard.running is not None:
                raise ReentrantCallError(self._guard.running)
            decision: Decision = self._core.apply(Assign(self._now(), item))
            if self._bus.pending:
                self._bus.deliver(decision)
            return decision

    def close(
        self, item_id: str, *, actor: str | None = None, reason: str | None = None
    ) -> list[Decision]:
        """
        Close an item: free its slot, or take it out of its queue.

        The responsible agent stays the owner, unless the department was
        added with ``unassign_on_close=True``; `reopen` goes back to them.
        The close is a row of the item's history, with *actor* and *reason*.

        Args:
            item_id: An open item.
            actor: Who closes; None is the host. An agent may close only
                items they are responsible for; owners and administrators any.
            reason: Why, kept in the history.

        Returns:
            The decisions for waiting work the freed slot took.

        Raises:
            UnknownItemError: No item has this id.
            UnknownAgentError: The actor is unknown.
            ItemClosedError: The item is already closed.
            InvalidValueError: *reason* is not a string.
            PermissionDeniedError: The actor may not close this item.

        Added in 0.1. *actor* and *reason* added in 0.2.
        """
        if reason is not None and type(reason) is not str:
            raise InvalidValueError("reason", f"must be a string or None, got {reason!r}")
        with self._lock:
            if self._guard.running is not None:
                raise ReentrantCallError(self._guard.running)
            decisions: list[Decision] = self._core.apply(Close(self._now(), item_id, actor, reason))
            if self._bus.pending:
                self._bus.deliver(decisions)
            return decisions

    def forget(self, item_id: str) -> None:
        """
        Drop a closed item from memory now, so its id can be used again.

        Closed items are also dropped, oldest first, past the router's
        ``retain_closed`` bound.

        Raises:
            UnknownItemError: No item has this id.
            InvalidStateError: The item is not closed (close it first).

        Added in 0.1.
        """
        with self._lock:
            self._enter()
            self._run(Forget(self._now(), item_id))

    def status(self, item_id: str) -> ItemStatus:
        """
        Tell where an item stands: queued (and where), offered (to whom), assigned or closed.

        Raises:
            UnknownItemError: No item has this id, or it was dropped.

        Added in 0.1.
        """
        with self._lock:
            self._enter()
            record = self._core.items.get(item_id)
            waiting = record.state == "queued" and not record.waiting_for
            queue = record.pool.queue
            position = queue.position(record.key) if waiting else None
            if record.waiting_for:
                position = record.pool.reserved.position(record.key, record.waiting_for[0])
            return ItemStatus(
                item=item_id,
                state=record.state,
                agent=record.agent,
                department=record.department,
                channel=record.item.channel,
                position=position,
                arrived_at=record.arrived_at,
                pull=waiting and queue.is_pull(record.key),
                replies=record.replies,
                last_reply_at=record.last_reply_at,
                offered=tuple(record.offers),
                waiting_for=record.waiting_for,
            )

    def queue_length(self, department: str, channel: str | None = None) -> int:
        """
        Return how many items wait in *department*, on *channel* or on all channels.

        Costs one look per channel of the department, whatever else the router holds.

        Raises:
            UnknownDepartmentError: The department does not exist.

        Added in 0.1.
        """
        with self._lock:
            self._enter()
            core = self._core
            core.department(department)
            if channel is not None:
                pool = core.pools.get(department, check_id("channel", channel))
                return 0 if pool is None else len(pool.queue)
            return sum(len(pool.queue) for pool in core.pools.of_department(department))

    def queued(self, department: str, channel: str) -> tuple[str, ...]:
        """
        Return the ids waiting in one queue, most important first.

        Items waiting to be pulled stand in the same line as those waiting to
        be pushed; ``status(item).pull`` tells them apart.

        Raises:
            UnknownDepartmentError: The department does not exist.

        Added in 0.1.
        """
        with self._lock:
            self._enter()
            core = self._core
            core.department(department)
            pool = core.pools.get(department, check_id("channel", channel))
            return () if pool is None else pool.queue.item_ids()

    def owner(self, item_id: str) -> Ownership:
        """
        Tell who is responsible for an item: always a department, an agent once assigned.

        After a close the agent stays responsible (unless the department
        unassigns on close), so a reopened item can go back to them.

        Examples:
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
        with self._lock:
            self._enter()
            record = self._core.items.get(item_id)
            return Ownership(item_id, record.department, record.agent)

    def history(self, item_id: str) -> tuple[HistoryEntry, ...]:
        """
        Return every change of an item's owner, and its closes, oldest first.

        The first entry is the item's arrival in its department; an item
        keeps its latest ``history_limit`` rows (see `Router`).

        Raises:
            UnknownItemError: No item has this id.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            self._core.items.get(item_id)
            return self._core.ledger.history(item_id)

    def transfer(
        self,
        item_id: str,
        *,
        to_agent: str | None = None,
        to_department: str | None = None,
        actor: str | None = None,
        reason: str | None = None,
        force: bool = False,
        route: bool = False,
    ) -> list[Decision]:
        """
        Move responsibility for an item to an agent or to a department.

        To an agent: the item and its slot move at once; the agent must be
        able to take it (member serving the channel, online, channel on, a
        free slot). To a department alone: the item waits there, unassigned,
        until one of its agents claims it or takes it as next; with
        ``route=True`` the department's strategy routes it now instead (to a
        free agent, else its queue). Either way the previous holder's slot
        frees at once and takes waiting work.

        Args:
            item_id: An open item.
            to_agent: The new responsible agent.
            to_department: The new responsible department (default: the same).
            actor: Who transfers; None is the host. An agent may transfer only
                items they hold; owners and administrators any item.
            reason: Why, kept in the history.
            force: Administrators only: skip the membership, presence and
                channel checks. A limit is never exceeded, forced or not.
            route: Without *to_agent*: let the department's strategy route
                the item now rather than wait for a claim.

        Returns:
            The item's decision first, then work the freed slot took.

        Raises:
            UnknownItemError, UnknownAgentError, UnknownDepartmentError: An id is unknown.
            ItemClosedError: The item is closed; reopen it first.
            InvalidValueError: Neither target is given, *route* is given with
                *to_agent*, or *force*, *route* or *reason* has the wrong type.
            InvalidStateError: The agent already holds the item there.
            NotEligibleError: The agent cannot take the item.
            PermissionDeniedError: The actor may not make this transfer.

        Added in 0.2.
        """
        if to_agent is None and to_department is None:
            raise InvalidValueError("transfer", "give to_agent, to_department, or both")
        _check_bool("force", force)
        _check_bool("route", route)
        if route and to_agent is not None:
            raise InvalidValueError("route", "route=True routes to the department; omit to_agent")
        if reason is not None and not isinstance(reason, str):
            raise InvalidValueError("reason", f"must be a string or None, got {reason!r}")
        with self._lock:
            self._enter()
            command = Transfer(
                self._now(), item_id, to_agent, to_department, actor, reason, force, route
            )
            result: list[Decision] = self._run(command)
            return result

    def requeue(
        self, item_id: str, *, actor: str | None = None, reason: str | None = None
    ) -> list[Decision]:
        """
        Take an assigned item off its agent and route it again, keeping its place in line.

        The department's strategy picks another free agent; when none is
        free the item waits in its queue by its original arrival (in a pull
        department, for a claim). The previous agent's freed slot then takes
        waiting work as usual, which may be this item when nobody else can.

        Args:
            item_id: An assigned item.
            actor: Who asks; None is the host. An agent may requeue only
                items they are responsible for.
            reason: Why, kept in the history.

        Returns:
            The item's decision first, then work the freed slot took.

        Raises:
            UnknownItemError: No item has this id.
            UnknownAgentError: The actor is unknown.
            ItemClosedError: The item is closed.
            InvalidStateError: The item is not assigned.
            InvalidValueError: *reason* is not a string.
            PermissionDeniedError: The actor may not requeue this item.

        Examples:
            >>> router = Router()
            >>> router.add_department("billing")
            >>> for name in ("ana", "bob"):
            ...     router.add_agent(Agent(name, capacity={"chat": 1},
            ...                            departments={"billing": {"chat"}}))
            ...     _ = router.set_presence(name, "online")
            >>> router.assign(Item("c1", channel="chat", department="billing")).agent
            'ana'
            >>> [d.agent for d in router.requeue("c1", reason="needs Spanish")]
            ['bob']

        Added in 0.2.
        """
        if reason is not None and type(reason) is not str:
            raise InvalidValueError("reason", f"must be a string or None, got {reason!r}")
        with self._lock:
            self._enter()
            result: list[Decision] = self._run(Requeue(self._now(), item_id, actor, reason))
            return result

    def claim(self, item_id: str, agent_id: str, *, actor: str | None = None) -> Decision:
        """
        Let an agent take a waiting item themselves.

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
        with self._lock:
            self._enter()
            result: Decision = self._run(Claim(self._now(), item_id, agent_id, actor))
            return result

    def next_for(self, agent_id: str, *, actor: str | None = None) -> Decision | None:
        """
        Give an agent the most important item they can take: the "Resolve" button.

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
        with self._lock:
            self._enter()
            result: Decision | None = self._run(NextFor(self._now(), agent_id, actor))
            return result

    def waiting_for(self, agent_id: str) -> int:
        """
        Count the items waiting where an agent serves: the badge on the "Resolve" button.

        Channels the agent switched off (everywhere, or in one department)
        do not count, as `next_for` would not take from them. Costs one look
        per (department, channel) the agent serves, whatever the queues' length.

        Raises:
            UnknownAgentError: No agent has this id.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            holder = self._core.registry.get(agent_id)
            agent = holder.agent.id
            switched_off = holder.channels_off
            waiting = 0
            for channel, seat in holder.seats.items():
                if channel in switched_off:
                    continue
                for pool in seat.pools:
                    if agent not in pool.off:
                        waiting += len(pool.queue)
            return waiting

    def reopen(self, item_id: str, *, actor: str | None = None) -> Decision:
        """
        Open a closed item again.

        It goes back to its owner when they can take it now; otherwise the
        department routes it like a new arrival: its strategy or its queue
        (push), or its pull line (pull). The history always gets a
        ``"reopened"`` row.

        Args:
            item_id: A closed item.
            actor: Who reopens; None is the host (or the customer).

        Raises:
            UnknownItemError: No item has this id.
            UnknownAgentError: The actor is unknown.
            InvalidStateError: The item is not closed.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            result: Decision = self._run(Reopen(self._now(), item_id, actor))
            return result

    def reply(self, item_id: str) -> list[Decision]:
        """
        Record that the customer wrote again on an item, and tell its owner.

        A reply counts in ``status(item).replies`` and ``last_reply_at``
        (not in the history, which holds owner changes and closes), and a
        reply on a closed item reopens it, as helpdesks do.

        Returns:
            The reopen decision when the item was closed, else nothing.

        Raises:
            UnknownItemError: No item has this id.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            result: list[Decision] = self._run(Reply(self._now(), item_id))
            return result
