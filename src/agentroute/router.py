"""
The Router: the one object a host talks to.

It wires the parts below it: the registry books slots, pools rank free
agents with their department's strategy, queues hold what no one could take.
Every public method validates first and mutates after, so a call that raises
changed nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from random import Random

import attrs

from agentroute.clock import Clock
from agentroute.errors import (
    AgentBusyError,
    DuplicateAgentError,
    DuplicateDepartmentError,
    DuplicateItemError,
    InvalidStateError,
    InvalidValueError,
    ItemClosedError,
    UnknownDepartmentError,
    UnknownItemError,
)
from agentroute.model import (
    PRESENCES,
    Agent,
    Decision,
    Item,
    ItemState,
    ItemStatus,
    Presence,
    check_id,
    check_limit,
)
from agentroute.pool import Pool
from agentroute.queue import QueueKey, queue_key
from agentroute.registry import AgentRecord, Registry, Seat
from agentroute.strategies import StrategyFactory
from agentroute.strategies import _registry as strategy_registry

__all__ = ["Router"]


_Choice = tuple[str, StrategyFactory]
"""A strategy name and the factory it was registered with when configured."""


class _Department:
    """A department's routing configuration, with strategies resolved when it was added."""

    __slots__ = ("default_strategy", "name", "strategies")

    def __init__(self, name: str, strategies: dict[str, _Choice], default_strategy: _Choice):
        self.name = name
        self.strategies = strategies
        self.default_strategy = default_strategy

    def strategy_for(self, channel: str) -> _Choice:
        return self.strategies.get(channel, self.default_strategy)


class _ItemRecord:
    """The router's mutable state for one item."""

    __slots__ = ("agent", "arrival", "arrived_at", "item", "pool", "state")

    def __init__(self, item: Item, pool: Pool, arrival: int, arrived_at: float) -> None:
        self.item = item
        self.pool = pool
        self.arrival = arrival
        self.arrived_at = arrived_at
        self.state: ItemState = "queued"
        self.agent: str | None = None

    @property
    def key(self) -> QueueKey:
        return queue_key(self.item, self.arrival)


class Router:
    """
    Decides who gets each item and keeps count of who holds what.

    Args:
        seed: Seeds the router's own random generator (used by ``random``).
        clock: Zero-argument callable returning POSIX seconds; the default
            is ``time.time``, tests pass a :class:`~agentroute.ManualClock`.
        default_strategy: Strategy for any channel a department does not
            name; see :mod:`agentroute.strategies`.

    Raises:
        InvalidValueError: *seed* is not an int or *clock* is not callable.
        UnknownStrategyError: *default_strategy* is not registered.

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
    ) -> None:
        if type(seed) is not int:
            raise InvalidValueError("seed", f"must be an int, got {seed!r}")
        if not callable(clock):
            raise InvalidValueError("clock", f"must be a zero-argument callable, got {clock!r}")
        self._default_strategy = (default_strategy, strategy_registry.factory(default_strategy))
        self._clock = clock
        self._rng = Random(seed)
        self._registry = Registry()
        self._departments: dict[str, _Department] = {}
        self._pools: dict[tuple[str, str], Pool] = {}
        self._items: dict[str, _ItemRecord] = {}
        self._arrivals = 0
        self._tick = 0

    # -- departments ---------------------------------------------------------

    def add_department(
        self,
        name: str,
        *,
        strategies: Mapping[str, str] | None = None,
        default_strategy: str | None = None,
    ) -> None:
        """
        Create a department and choose its strategy per channel (SPEC F6).

        Args:
            name: The department's name.
            strategies: Strategy name per channel, e.g. ``{"chat": "least_busy"}``.
            default_strategy: Strategy for channels not in *strategies*;
                defaults to the router's.

        Raises:
            InvalidValueError: A name or channel is not a non-empty string.
            DuplicateDepartmentError: The name is taken.
            UnknownStrategyError: A strategy name is not registered.

        Added in 0.1.
        """
        check_id("department", name)
        if name in self._departments:
            raise DuplicateDepartmentError(name)
        if strategies is None:
            strategies = {}
        elif not isinstance(strategies, Mapping):
            msg = f"must be a mapping of channel to strategy name, got {strategies!r}"
            raise InvalidValueError("strategies", msg)
        chosen = {}
        for channel, strategy in strategies.items():
            check_id("strategies key", channel)
            chosen[channel] = (strategy, strategy_registry.factory(strategy))
        fallback = self._default_strategy
        if default_strategy is not None:
            fallback = (default_strategy, strategy_registry.factory(default_strategy))
        self._departments[name] = _Department(name, chosen, fallback)

    def departments(self) -> list[str]:
        """Return the department names in the order they were added."""
        return list(self._departments)

    def _department(self, name: str) -> _Department:
        department = self._departments.get(name) if isinstance(name, str) else None
        if department is None:
            raise UnknownDepartmentError(name, self._departments)
        return department

    def _pool(self, department: str, channel: str) -> Pool:
        """Return the pool of (department, channel), creating it on first use."""
        pool = self._pools.get((department, channel))
        if pool is None:
            name, factory = self._department(department).strategy_for(channel)
            pool = Pool(department, channel, name, factory())
            self._pools[department, channel] = pool
        return pool

    # -- agents --------------------------------------------------------------

    def add_agent(self, agent: Agent) -> None:
        """
        Register *agent*; it is offline until :meth:`set_presence` (SPEC F1).

        Raises:
            InvalidValueError: *agent* is not an :class:`~agentroute.Agent`.
            DuplicateAgentError: The id is taken.
            UnknownDepartmentError: The agent names an unknown department.

        Added in 0.1.
        """
        self._check_agent(agent)
        if agent.id in self._registry:
            raise DuplicateAgentError(agent.id)
        pools = [(self._pool(d, c), c) for d, c in _memberships(agent)]
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
            InvalidValueError: *agent* is not an :class:`~agentroute.Agent`.
            UnknownAgentError: No agent has this id.
            UnknownDepartmentError: The agent names an unknown department.
            AgentBusyError: The change strands work and *requeue* is false.

        Added in 0.1.
        """
        self._check_agent(agent)
        record = self._registry.get(agent.id)
        stranded = [
            item_id
            for item_id in record.items
            if not agent.serves(
                self._items[item_id].item.department, self._items[item_id].item.channel
            )
        ]
        if stranded and not requeue:
            raise AgentBusyError(agent.id, stranded, "take that channel or department away")
        old, new = set(_memberships(record.agent)), set(_memberships(agent))
        joining = [(self._pool(d, c), c) for d, c in _memberships(agent) if (d, c) not in old]
        released = self._release(record, stranded)
        for department, channel in _memberships(record.agent):
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
        return self._requeue(released, _pools_of(record))

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
            AgentBusyError: The agent holds work and *requeue* is false.

        Added in 0.1.
        """
        record = self._registry.get(agent_id)
        if record.items and not requeue:
            raise AgentBusyError(agent_id, record.items, "remove the agent")
        released = self._release(record, list(record.items))
        for seat in record.seats.values():
            for pool in list(seat.pools):
                pool.leave(seat)
        self._registry.remove(agent_id)
        return self._requeue(released, ())

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
        return self._drain(_pools_of(record))

    def set_channel(self, agent_id: str, channel: str, *, enabled: bool) -> list[Decision]:
        """
        Switch one channel on or off for an agent (SPEC F4).

        Switching off keeps current work on that channel; switching on takes
        waiting work at once.

        Returns:
            The decisions for work dispatched to free slots.

        Raises:
            UnknownAgentError: No agent has this id.
            InvalidValueError: The agent has no capacity on *channel*, or
                *enabled* is not a bool.

        Added in 0.1.
        """
        record = self._registry.get(agent_id)
        seat = self._seat(record, channel)
        if type(enabled) is not bool:
            raise InvalidValueError("enabled", f"must be True or False, got {enabled!r}")
        if enabled:
            record.channels_off.pop(channel, None)
        else:
            record.channels_off[channel] = None
        seat.enabled = record.seat_enabled(channel)
        seat.refresh()
        return self._drain(seat.pools)

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
            InvalidValueError: *item* is not an :class:`~agentroute.Item`.
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
        seat = pool.pick(self._rng) if pool.has_free else None
        self._arrivals += 1
        record = _ItemRecord(item, pool, self._arrivals, self._clock())
        self._items[item.id] = record
        if seat is not None:
            return self._book(record, seat)
        key = record.key
        pool.queue.push(key)
        return self._queued(record, key)

    def close(self, item_id: str) -> list[Decision]:
        """
        Close an item: free its slot, or take it out of its queue (SPEC F21).

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
        if record.state == "queued":
            record.pool.queue.remove(record.key)
            record.state = "closed"
            return []
        seat = self._unbook(record)
        record.state = "closed"
        if seat.enabled and seat.load < seat.limit:
            waiting = [pool for pool in seat.pools if pool.queue]
            if waiting:
                return self._drain(waiting)
        return []

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

    def status(self, item_id: str) -> ItemStatus:
        """
        Tell where an item stands: queued (and where), assigned (to whom) or closed.

        Raises:
            UnknownItemError: No item has this id.

        Added in 0.1.
        """
        record = self._item(item_id)
        position = record.pool.queue.position(record.key) if record.state == "queued" else None
        return ItemStatus(
            item=item_id,
            state=record.state,
            agent=record.agent,
            department=record.item.department,
            channel=record.item.channel,
            position=position,
            arrived_at=record.arrived_at,
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
        Return the ids waiting in one queue, in the order they will leave it.

        Raises:
            UnknownDepartmentError: The department does not exist.

        Added in 0.1.
        """
        self._department(department)
        pool = self._pools.get((department, check_id("channel", channel)))
        return () if pool is None else pool.queue.item_ids()

    # -- internals -----------------------------------------------------------

    def _check_agent(self, agent: Agent) -> None:
        if not isinstance(agent, Agent):
            raise InvalidValueError("agent", f"must be an agentroute.Agent, got {agent!r}")
        for department in agent.departments:
            self._department(department)

    def _item(self, item_id: str) -> _ItemRecord:
        record = self._items.get(item_id) if isinstance(item_id, str) else None
        if record is None:
            raise UnknownItemError(item_id)
        return record

    def _seat(self, record: AgentRecord, channel: str) -> Seat:
        seat = record.seats.get(channel) if isinstance(channel, str) else None
        if seat is None:
            known = ", ".join(record.seats) or "none"
            msg = (
                f"agent {record.agent.id!r} has no capacity on {channel!r} (has: {known}); "
                "give it one with set_capacity()"
            )
            raise InvalidValueError("channel", msg)
        return seat

    def _book(self, record: _ItemRecord, seat: Seat) -> Decision:
        """Give *record* to *seat* and say so."""
        self._tick += 1
        seat.book(record.item.id, self._tick)
        record.state = "assigned"
        record.agent = seat.agent
        pool = record.pool
        return Decision(
            record.item.id,
            "assigned",
            seat.agent,
            pool.department,
            pool.channel,
            pool.strategy_name,
        )

    def _unbook(self, record: _ItemRecord) -> Seat:
        """Take *record* off its agent's seat; the record keeps its agent as last owner."""
        seat = self._registry.get(record.agent).seats[record.item.channel]  # type: ignore[arg-type]
        self._tick += 1
        seat.release(record.item.id, self._tick)
        return seat

    def _queued(self, record: _ItemRecord, key: QueueKey) -> Decision:
        pool = record.pool
        if not pool.members:
            reason = f"no agent serves {pool.channel!r} in {pool.department!r} yet"
        elif len(pool.members) == 1:
            reason = (
                f"the one agent serving {pool.channel!r} in {pool.department!r} is full, "
                "away, offline or off that channel"
            )
        else:
            reason = (
                f"all {len(pool.members)} agents serving {pool.channel!r} in "
                f"{pool.department!r} are full, away, offline or off that channel"
            )
        return Decision(
            record.item.id,
            "queued",
            None,
            pool.department,
            pool.channel,
            pool.strategy_name,
            position=pool.queue.position(key),
            reason=reason,
        )

    def _release(self, holder: AgentRecord, item_ids: list[str]) -> list[_ItemRecord]:
        """Take items off *holder* and put them back in line, keeping their arrival."""
        released = []
        for item_id in item_ids:
            record = self._items[item_id]
            self._unbook(record)
            record.state = "queued"
            record.agent = None
            record.pool.queue.push(record.key)
            released.append(record)
        return released

    def _requeue(self, released: list[_ItemRecord], also: Iterable[Pool]) -> list[Decision]:
        """Dispatch what can be, and report the released items still waiting."""
        decisions = self._drain([*(r.pool for r in released), *also])
        decisions.extend(self._queued(r, r.key) for r in released if r.state == "queued")
        return decisions

    def _drain(self, pools: Iterable[Pool]) -> list[Decision]:
        """
        Hand waiting work to free agents, most important first, until one side runs out.

        A booking only ever removes free agents, so the pools worth looking at
        can only shrink as this runs.
        """
        ready = [pool for pool in dict.fromkeys(pools) if pool.queue and pool.has_free]
        decisions = []
        while ready:
            pool = min(ready, key=_head) if len(ready) > 1 else ready[0]
            seat = pool.pick(self._rng)
            key = pool.queue.pop_first()
            decisions.append(self._book(self._items[key[3]], seat))
            ready = [p for p in ready if p.queue and p.has_free]
        return decisions

    def _check(self) -> None:
        """Assert every internal index agrees with the state; for tests."""
        for pool in self._pools.values():
            pool._check()
            pool.queue._check()
            assert not (pool.queue and pool.has_free), f"work waits beside a free agent: {pool}"


def _memberships(agent: Agent) -> list[tuple[str, str]]:
    """Return (department, channel) pairs the agent serves, in a stable order."""
    return [
        (department, channel)
        for department, channels in agent.departments.items()
        for channel in sorted(channels)
    ]


def _pools_of(record: AgentRecord) -> list[Pool]:
    return [pool for seat in record.seats.values() for pool in seat.pools]


def _head(pool: Pool) -> QueueKey:
    return pool.queue.first()
