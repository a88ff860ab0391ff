"""
The Router: the one object a host talks to.

It wires the parts below it: the registry books slots, pools rank free
agents with their department's strategy, queues hold what no one could take.
Every public method validates first and mutates after, so a call that raises
changed nothing.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import attrs

from agentroute._engine import ItemRecord, memberships, pools_of
from agentroute._responsibility import Responsibility
from agentroute.clock import Clock
from agentroute.errors import (
    AgentBusyError,
    DuplicateAgentError,
    DuplicateDepartmentError,
    DuplicateItemError,
    InvalidStateError,
    InvalidValueError,
    ItemClosedError,
)
from agentroute.events import ItemClosed, NewItemInDepartment
from agentroute.model import (
    PRESENCES,
    Agent,
    Decision,
    Department,
    Item,
    ItemStatus,
    Mode,
    Presence,
    check_id,
    check_limit,
)
from agentroute.policies import permissions
from agentroute.strategies import _registry as strategy_registry

__all__ = ["Router"]


class Router(Responsibility):
    """
    Decides who gets each item and keeps count of who holds what.

    Args:
        seed: Seeds the router's own random generator (used by ``random``).
        clock: Zero-argument callable returning POSIX seconds; the default
            is ``time.time``, tests pass a `ManualClock`.
        default_strategy: Strategy for any channel a department does not
            name; see `agentroute.strategies`.
        self_service: Let agents switch their own channels on and off
            (SPEC F4); administrators always may.

    Raises:
        InvalidValueError: *seed* is not an int or *clock* is not callable.
        UnknownStrategyError: *default_strategy* is not registered.

    Examples:
        >>> router = Router(seed=7)
        >>> router.add_department("billing", strategies={"chat": "least_busy"})
        >>> router.add_agent(Agent("ana", capacity={"chat": 2}, departments={"billing": {"chat"}}))
        >>> router.set_presence("ana", "online")
        []
        >>> router.assign(Item("c1", channel="chat", department="billing")).agent
        'ana'

    Added in 0.1.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        clock: Clock = time.time,
        default_strategy: str = "least_busy",
        self_service: bool = False,
    ) -> None:
        if type(seed) is not int:
            raise InvalidValueError("seed", f"must be an int, got {seed!r}")
        if not callable(clock):
            raise InvalidValueError("clock", f"must be a zero-argument callable, got {clock!r}")
        strategy_registry.factory(default_strategy)
        _check_bool("self_service", self_service)
        super().__init__(clock, seed)
        self._default_strategy = default_strategy
        self._self_service = self_service

    # -- departments ---------------------------------------------------------

    def add_department(
        self,
        name: str,
        *,
        strategies: Mapping[str, str] | None = None,
        default_strategy: str | None = None,
        mode: Mode = "push",
        unassign_on_close: bool = False,
        allow_claims: bool = True,
    ) -> None:
        """
        Create a department and choose how its work is routed (SPEC F6, F17, F18, F21).

        Args:
            name: The department's name.
            strategies: Strategy name per channel, e.g. ``{"chat": "least_busy"}``.
            default_strategy: Strategy for channels not in *strategies*;
                defaults to the router's.
            mode: ``"push"`` (a strategy assigns arrivals to free agents) or
                ``"pull"`` (arrivals wait until an agent claims them or asks
                for the next one; with a single agent in the router, that
                agent gets them at once when free).
            unassign_on_close: Closing an item also clears its responsible agent.
            allow_claims: Agents may claim waiting items out of queue order.

        Raises:
            InvalidValueError: An argument has the wrong type or value.
            DuplicateDepartmentError: The name is taken.
            UnknownStrategyError: A strategy name is not registered.

        Added in 0.1. *mode*, *unassign_on_close* and *allow_claims* added in 0.2.
        """
        check_id("department", name)
        if name in self._departments:
            raise DuplicateDepartmentError(name)
        settings = Department(
            name,
            strategies=strategies,
            default_strategy=default_strategy or self._default_strategy,
            mode=mode,
            unassign_on_close=unassign_on_close,
            allow_claims=allow_claims,
        )
        named = [*settings.strategies.values(), settings.default_strategy]
        factories = {(name, strategy): strategy_registry.factory(strategy) for strategy in named}
        self._factories.update(factories)
        self._departments[name] = settings

    def department(self, name: str) -> Department:
        """
        Return a department's settings.

        Raises:
            UnknownDepartmentError: The department does not exist.

        Added in 0.2.
        """
        return self._department(name)

    def departments(self) -> list[str]:
        """Return the department names in the order they were added."""
        return list(self._departments)

    # -- agents --------------------------------------------------------------

    def add_agent(self, agent: Agent) -> None:
        """
        Register *agent*; it is offline until `set_presence` (SPEC F1).

        Raises:
            InvalidValueError: *agent* is not an `Agent`.
            DuplicateAgentError: The id is taken.
            UnknownDepartmentError: The agent names an unknown department.

        Added in 0.1.
        """
        self._check_agent(agent)
        if agent.id in self._registry:
            raise DuplicateAgentError(agent.id)
        pools = [(self._pool(d, c), c) for d, c in memberships(agent)]
        record = self._registry.add(agent)
        for pool, channel in pools:
            pool.join(record.seats[channel])

    def update_agent(self, agent: Agent, *, requeue: bool = False) -> list[Decision]:
        """
        Replace the definition of the agent with ``agent.id`` (SPEC F1, F2, F6).

        Current work stays with the agent, even above a lowered limit; new
        work waits until the load drops below it. Free slots gained by the
        change take waiting work at once.

        Args:
            agent: The new definition, e.g. ``attrs.evolve(router.agent("ana"), priority=5)``.
            requeue: Allow taking away a channel or department the agent
                holds work in; that work goes back to routing.

        Returns:
            The decisions for work that moved: dispatched from queues or requeued.

        Raises:
            InvalidValueError: *agent* is not an `Agent`, or *requeue* not a bool.
            UnknownAgentError: No agent has this id.
            UnknownDepartmentError: The agent names an unknown department.
            AgentBusyError: The change strands work and *requeue* is false.

        Added in 0.1.
        """
        self._check_agent(agent)
        _check_bool("requeue", requeue)
        record = self._registry.get(agent.id)
        old, new = set(memberships(record.agent)), set(memberships(agent))
        lost = old - new
        stranded = [
            item_id
            for item_id in record.items
            if _pool_key(self._items[item_id]) in lost
            or self._items[item_id].item.channel not in agent.capacity
        ]
        if stranded and not requeue:
            raise AgentBusyError(agent.id, stranded, "take that channel or department away")
        joining = [(self._pool(d, c), c) for d, c in memberships(agent) if (d, c) not in old]
        now = self._clock()
        released = self._release(record, stranded, now)
        for department, channel in memberships(record.agent):
            if (department, channel) not in new:
                self._pools[department, channel].leave(record.seats[channel])
        for channel in [c for c in record.seats if c not in agent.capacity]:
            del record.seats[channel]
            record.channels_off.pop(channel, None)
        record.agent = agent
        for channel, limit in agent.capacity.items():
            seat = record.seats.get(channel) or record.new_seat(channel, limit)
            record.seats[channel] = seat
            seat.limit = limit
        for pool, channel in joining:
            pool.join(record.seats[channel])
        record.sync_seats()
        return self._done(self._requeue(released, pools_of(record), now))

    def remove_agent(self, agent_id: str, *, requeue: bool = False) -> list[Decision]:
        """
        Remove an agent (SPEC F1).

        Args:
            agent_id: The agent to remove.
            requeue: Allow removing an agent who holds work; that work goes
                back to routing, keeping its place in line.

        Returns:
            The decisions for the requeued work.

        Raises:
            UnknownAgentError: No agent has this id.
            InvalidValueError: *requeue* is not a bool.
            AgentBusyError: The agent holds work and *requeue* is false.

        Added in 0.1.
        """
        record = self._registry.get(agent_id)
        _check_bool("requeue", requeue)
        if record.items and not requeue:
            raise AgentBusyError(agent_id, record.items, "remove the agent")
        now = self._clock()
        released = self._release(record, list(record.items), now)
        for seat in record.seats.values():
            for pool in list(seat.pools):
                pool.leave(seat)
        self._registry.remove(agent_id)
        # A sole remaining agent is pushed pull work too (SPEC F18).
        sole = pools_of(self._registry.records()[0]) if len(self._registry) == 1 else []
        return self._done(self._requeue(released, sole, now))

    def set_presence(self, agent_id: str, presence: Presence) -> list[Decision]:
        """
        Set an agent ``"online"``, ``"away"`` or ``"offline"`` (SPEC F5).

        Only online agents get new work; going away or offline keeps current
        work. Coming online takes waiting work at once.

        Returns:
            The decisions for work dispatched to free slots.

        Raises:
            UnknownAgentError: No agent has this id.
            InvalidValueError: *presence* is not one of the three.

        Added in 0.1.
        """
        record = self._registry.get(agent_id)
        if presence not in PRESENCES:
            msg = f"must be one of {', '.join(PRESENCES)}, got {presence!r}"
            raise InvalidValueError("presence", msg)
        record.presence = presence
        record.sync_seats()
        return self._done(self._drain(pools_of(record), self._clock()))

    def set_channel(
        self, agent_id: str, channel: str, *, enabled: bool, actor: str | None = None
    ) -> list[Decision]:
        """
        Switch one channel on or off for an agent (SPEC F4).

        Switching off keeps current work on that channel; switching on takes
        waiting work at once.

        Args:
            agent_id: The agent whose channel changes.
            channel: The channel, which the agent must have capacity on.
            enabled: On (True) or off (False).
            actor: Who asks; None is the host. An agent may switch only their
                own channels, and only when self-service is on.

        Returns:
            The decisions for work dispatched to free slots.

        Raises:
            UnknownAgentError: The agent or the actor is unknown.
            InvalidValueError: The agent has no capacity on *channel*, or
                *enabled* is not a bool.
            PermissionDeniedError: The actor may not change this agent's channels.

        Added in 0.1. *actor* added in 0.2.
        """
        record = self._registry.get(agent_id)
        seat = self._seat(record, channel)
        _check_bool("enabled", enabled)
        permissions.check_channel_change(
            self._actor(actor), agent_id, self_service=self._self_service
        )
        if enabled:
            record.channels_off.pop(channel, None)
        else:
            record.channels_off[channel] = None
        seat.enabled = record.seat_enabled(channel)
        seat.refresh()
        return self._done(self._drain(seat.pools, self._clock()))

    def set_self_service(self, enabled: bool, *, actor: str | None = None) -> None:
        """
        Allow or forbid agents to switch their own channels on and off (SPEC F4).

        Raises:
            InvalidValueError: *enabled* is not a bool.
            UnknownAgentError: The actor is unknown.
            PermissionDeniedError: The actor is not an owner or administrator.

        Added in 0.2.
        """
        _check_bool("enabled", enabled)
        permissions.check_administrator(self._actor(actor), "change self-service")
        self._self_service = enabled

    @property
    def self_service(self) -> bool:
        """Tell whether agents may switch their own channels on and off."""
        return self._self_service

    def set_capacity(self, agent_id: str, channel: str, limit: int) -> list[Decision]:
        """
        Set how many items of *channel* an agent may hold at once (SPEC F2).

        Lowering below the current load keeps that work and blocks new work
        until the load drops; raising takes waiting work at once.

        Returns:
            The decisions for work dispatched to free slots.

        Raises:
            UnknownAgentError: No agent has this id.
            InvalidValueError: *channel* is empty or *limit* is not an int >= 0.

        Added in 0.1.
        """
        record = self._registry.get(agent_id)
        check_id("channel", channel)
        check_limit("limit", limit)
        capacity = {**record.agent.capacity, channel: limit}
        return self.update_agent(attrs.evolve(record.agent, capacity=capacity))

    def agent(self, agent_id: str) -> Agent:
        """
        Return the current definition of an agent.

        Raises:
            UnknownAgentError: No agent has this id.

        Added in 0.1.
        """
        return self._registry.get(agent_id).agent

    def agent_ids(self) -> list[str]:
        """Return every agent id, in the order agents were added."""
        return [record.agent.id for record in self._registry.records()]

    def presence(self, agent_id: str) -> Presence:
        """
        Return an agent's presence.

        Raises:
            UnknownAgentError: No agent has this id.
        """
        return self._registry.get(agent_id).presence

    def channel_enabled(self, agent_id: str, channel: str) -> bool:
        """
        Tell whether an agent has *channel* switched on (it may still be offline).

        Raises:
            UnknownAgentError: No agent has this id.
            InvalidValueError: The agent has no capacity on *channel*.
        """
        record = self._registry.get(agent_id)
        self._seat(record, channel)
        return channel not in record.channels_off

    def load(self, agent_id: str, channel: str | None = None) -> int:
        """
        Return how many items an agent holds on *channel*, or on all channels.

        Raises:
            UnknownAgentError: No agent has this id.

        Added in 0.1.
        """
        record = self._registry.get(agent_id)
        if channel is None:
            return len(record.items)
        seat = record.seats.get(check_id("channel", channel))
        return 0 if seat is None else seat.load

    def assigned_to(self, agent_id: str) -> tuple[str, ...]:
        """
        Return the ids of the items an agent holds, oldest assignment first.

        Raises:
            UnknownAgentError: No agent has this id.
        """
        return tuple(self._registry.get(agent_id).items)

    # -- items ---------------------------------------------------------------

    def assign(self, item: Item) -> Decision:
        """
        Route a new item: give it to a free agent, or queue it (SPEC F7-F11, F16).

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

        Added in 0.1.
        """
        if not isinstance(item, Item):
            raise InvalidValueError("item", f"must be an agentroute.Item, got {item!r}")
        if item.id in self._items:
            raise DuplicateItemError(item.id)
        pool = self._pools.get((item.department, item.channel)) or self._pool(
            item.department, item.channel
        )
        pull = pool.settings.mode == "pull"
        seat = self._sole_seat(pool) if pull else pool.pick(self._rng) if pool.has_free else None
        now = self._clock()
        self._arrivals += 1
        record = ItemRecord(item, pool, self._arrivals, now)
        self._items[item.id] = record
        self._ledger.change(item.id, now, "created", item.department, None, "system", "system")
        if "new_item" in self._bus.wanted:
            self._bus.emit(NewItemInDepartment(now, item.id, item.department, item.channel))
        if seat is not None:
            decision = self._book(record, seat, now, pool.strategy_name)
        else:
            decision = self._wait(record, now, pull=pull)
        if self._bus.pending:
            self._bus.deliver(decision)
        return decision

    def close(self, item_id: str) -> list[Decision]:
        """
        Close an item: free its slot, or take it out of its queue (SPEC F21).

        The responsible agent stays the owner, unless the department was
        added with ``unassign_on_close=True``; `reopen` goes back to them.

        Returns:
            The decisions for waiting work the freed slot took.

        Raises:
            UnknownItemError: No item has this id.
            ItemClosedError: The item is already closed.

        Added in 0.1.
        """
        record = self._item(item_id)
        if record.state == "closed":
            raise ItemClosedError(item_id, "close")
        now = self._clock()
        pool = record.pool
        held = record.state == "assigned"
        if not held:
            pool.queue.remove(record.key)
        record.state = "closed"
        if held and pool.settings.unassign_on_close:
            record.agent = None
            self._ledger.change(
                item_id, now, "unassigned", pool.department, None, "system", "system", "closed"
            )
        if "closed" in self._bus.wanted:
            self._bus.emit(ItemClosed(now, item_id, record.agent, pool.department))
        decisions: list[Decision] = []
        if held:
            seat = record.seat
            handed = None
            if seat is not None and seat.enabled and seat.load == seat.limit:
                handed = self._hand_over(record, now)
            if handed is not None:
                decisions = [handed]
            else:
                seat = self._unbook(record)
                if seat.enabled and seat.load < seat.limit:
                    everything = len(self._registry) == 1
                    waiting = [p for p in seat.pools if p.queue.has_work(pulled_too=everything)]
                    if waiting:
                        decisions = self._drain(waiting, now)
        if self._bus.pending:
            self._bus.deliver(decisions)
        return decisions

    def forget(self, item_id: str) -> None:
        """
        Drop a closed item from memory, so its id can be used again.

        Raises:
            UnknownItemError: No item has this id.
            InvalidStateError: The item is not closed (close it first).

        Added in 0.1.
        """
        record = self._item(item_id)
        if record.state != "closed":
            msg = f"Cannot forget item {item_id!r}: it is {record.state}; close it first."
            raise InvalidStateError(msg)
        del self._items[item_id]
        self._ledger.forget(item_id)

    def status(self, item_id: str) -> ItemStatus:
        """
        Tell where an item stands: queued (and where), assigned (to whom) or closed.

        Raises:
            UnknownItemError: No item has this id.

        Added in 0.1.
        """
        record = self._item(item_id)
        queue = record.pool.queue
        waiting = record.state == "queued"
        return ItemStatus(
            item=item_id,
            state=record.state,
            agent=record.agent,
            department=record.pool.department,
            channel=record.item.channel,
            position=queue.position(record.key) if waiting else None,
            arrived_at=record.arrived_at,
            pull=waiting and queue.is_pull(record.key),
        )

    def queue_length(self, department: str, channel: str | None = None) -> int:
        """
        Return how many items wait in *department*, on *channel* or on all channels.

        Raises:
            UnknownDepartmentError: The department does not exist.

        Added in 0.1.
        """
        self._department(department)
        if channel is not None:
            pool = self._pools.get((department, check_id("channel", channel)))
            return 0 if pool is None else len(pool.queue)
        return sum(len(p.queue) for (d, _), p in self._pools.items() if d == department)

    def queued(self, department: str, channel: str) -> tuple[str, ...]:
        """
        Return the ids waiting in one queue, most important first.

        Items waiting to be pulled stand in the same line as those waiting to
        be pushed; ``status(item).pull`` tells them apart.

        Raises:
            UnknownDepartmentError: The department does not exist.

        Added in 0.1.
        """
        self._department(department)
        pool = self._pools.get((department, check_id("channel", channel)))
        return () if pool is None else pool.queue.item_ids()


def _check_bool(path: str, value: object) -> None:
    if type(value) is not bool:
        raise InvalidValueError(path, f"must be True or False, got {value!r}")


def _pool_key(record: ItemRecord) -> tuple[str, str]:
    return (record.pool.department, record.item.channel)
