"""
The router's state and the few operations every public call is made of.

``Router`` (router.py) validates arguments and permissions, then composes
these: book a seat, release it, put an item in line, drain the lines.
Each operation keeps the ledger and the event bus in step, so no public
call can forget to record an owner change or to say what happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from random import Random
from typing import TypeVar

from agentroute.clock import Clock
from agentroute.errors import InvalidValueError, UnknownDepartmentError, UnknownItemError
from agentroute.events import EventBus, ItemAssigned, ItemQueued
from agentroute.model import Agent, Decision, Department, Item, ItemState
from agentroute.ownership import Action, ActorKind, Ledger
from agentroute.pool import Pool
from agentroute.queue import QueueKey, queue_key
from agentroute.registry import AgentRecord, Registry, Seat
from agentroute.strategies import StrategyFactory

__all__ = ["Engine", "ItemRecord", "memberships", "pools_of"]

_Result = TypeVar("_Result")


class ItemRecord:
    """The router's mutable state for one item."""

    __slots__ = ("agent", "arrival", "arrived_at", "item", "pool", "seat", "state")

    def __init__(self, item: Item, pool: Pool, arrival: int, arrived_at: float) -> None:
        self.item = item
        self.pool = pool
        self.arrival = arrival
        self.arrived_at = arrived_at
        self.state: ItemState = "queued"
        self.agent: str | None = None
        """The responsible agent: the holder while assigned, kept after close unless unassigned."""
        self.seat: Seat | None = None
        """The seat holding the item while assigned."""

    @property
    def key(self) -> QueueKey:
        return queue_key(self.item, self.arrival)


class Engine:
    """State shared by every call, and the operations that change it consistently."""

    def __init__(self, clock: Clock, seed: int) -> None:
        self._clock = clock
        self._rng = Random(seed)
        self._registry = Registry()
        self._departments: dict[str, Department] = {}
        self._factories: dict[tuple[str, str], StrategyFactory] = {}
        """Per (department, strategy name), the factory registered when the department was added."""
        self._pools: dict[tuple[str, str], Pool] = {}
        self._items: dict[str, ItemRecord] = {}
        self._ledger = Ledger()
        self._bus = EventBus()
        self._arrivals = 0
        self._tick = 0

    # -- lookups that raise the public errors ------------------------------------

    def _department(self, name: str) -> Department:
        department = self._departments.get(name) if isinstance(name, str) else None
        if department is None:
            raise UnknownDepartmentError(name, self._departments)
        return department

    def _pool(self, department: str, channel: str) -> Pool:
        """Return the pool of (department, channel), creating it on first use."""
        pool = self._pools.get((department, channel))
        if pool is None:
            settings = self._department(department)
            name = settings.strategy_for(channel)
            pool = Pool(settings, channel, name, self._factories[department, name]())
            self._pools[department, channel] = pool
        return pool

    def _item(self, item_id: str) -> ItemRecord:
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

    def _check_agent(self, agent: Agent) -> None:
        if not isinstance(agent, Agent):
            raise InvalidValueError("agent", f"must be an agentroute.Agent, got {agent!r}")
        for department in agent.departments:
            self._department(department)

    def _actor(self, actor: str | None) -> Agent | None:
        """Return the acting agent's definition; None means the host itself."""
        return None if actor is None else self._registry.get(actor).agent

    def _sole_seat(self, pool: Pool) -> Seat | None:
        """
        Return the free seat of the router's only agent in *pool*, if that is the case.

        With one agent, a pull department hands them new work at once (SPEC
        F18); older waiting work was already pushed to them by ``_drain``
        whenever they had room, so nothing is skipped.
        """
        if (
            len(self._registry) == 1
            and len(pool.members) == 1
            and pool.has_free
            and not len(pool.queue)
        ):
            return next(iter(pool.members.values()))
        return None

    def _done(self, result: _Result) -> _Result:
        """Deliver the call's events now that its change is complete, and return its result."""
        if self._bus.pending:
            self._bus.deliver(result)
        return result

    # -- operations ----------------------------------------------------------------

    def _book(
        self,
        record: ItemRecord,
        seat: Seat,
        at: float,
        label: str,
        by_kind: ActorKind = "strategy",
        by: str | None = None,
        *,
        action: Action = "assigned",
        reason: str | None = None,
    ) -> Decision:
        """
        Give *record* to *seat*, record the new owner, and say so.

        *label* names what chose (a strategy, ``"claim"`` ...) in the decision;
        *by* names who, in the history, and defaults to the label.
        """
        self._tick += 1
        seat.book(record.item.id, self._tick)
        return self._assigned(record, seat, at, label, by_kind, by, action, reason)

    def _assigned(
        self,
        record: ItemRecord,
        seat: Seat,
        at: float,
        label: str,
        by_kind: ActorKind = "strategy",
        by: str | None = None,
        action: Action = "assigned",
        reason: str | None = None,
    ) -> Decision:
        """Record that *seat* now holds *record*: state, history, event and decision."""
        item_id = record.item.id
        record.seat = seat
        record.state = "assigned"
        record.agent = agent = seat.agent
        pool = record.pool
        department = pool.department
        actor = label if by is None else by
        self._ledger.change(item_id, at, action, department, agent, actor, by_kind, reason)
        if "assigned" in self._bus.wanted:
            self._bus.emit(ItemAssigned(at, item_id, agent, department, pool.channel, actor))
        return Decision(item_id, "assigned", agent, department, pool.channel, label)

    def _unbook(self, record: ItemRecord) -> Seat:
        """Take *record* off its agent's seat; the record keeps its agent as owner."""
        seat: Seat = record.seat  # type: ignore[assignment]
        record.seat = None
        self._tick += 1
        seat.release(record.item.id, self._tick)
        return seat

    def _hand_over(self, record: ItemRecord, at: float) -> Decision | None:
        """
        Pass the slot *record* frees straight to the most important pushed item it can serve.

        Only when the seat is full and switched on: then every pool it serves
        with pushed work waiting has no other free seat (work conservation),
        so the strategy could only pick this seat, and the seat is full
        again afterwards. Skipping the release and re-booking in the free
        indexes is what keeps a close that dispatches as cheap as one that
        does not. Returns None, having changed nothing, when it does not apply.
        """
        seat: Seat = record.seat  # type: ignore[assignment]
        if not seat.enabled or seat.load != seat.limit:
            return None
        pools = seat.pools
        everything = len(self._registry) == 1
        if len(pools) == 1:
            pool = pools[0]
            if not pool.queue.has_work(pulled_too=everything):
                return None
        else:
            waiting = [pool for pool in pools if pool.queue.has_work(pulled_too=everything)]
            if not waiting:
                return None
            pool = min(waiting, key=lambda p: p.queue.first_work(pulled_too=everything))
        key = pool.queue.pop_work(pulled_too=everything)
        self._tick += 1
        seat.hand_over(record.item.id, key[3], self._tick)
        record.seat = None
        return self._assigned(self._items[key[3]], seat, at, pool.strategy_name)

    def _wait(self, record: ItemRecord, at: float, *, pull: bool) -> Decision:
        """Put *record* in its pool's line, to be pushed or (*pull*) pulled, and say so."""
        pool = record.pool
        key = record.key
        pool.queue.push(key, pull=pull)
        record.state = "queued"
        if "queued" in self._bus.wanted:
            event = ItemQueued(at, record.item.id, pool.department, pool.channel, pull)
            self._bus.emit(event)
        return self._queued(record, key, pull=pull)

    def _queued(self, record: ItemRecord, key: QueueKey, *, pull: bool) -> Decision:
        pool = record.pool
        where = f"{pool.channel!r} in {pool.department!r}"
        if pull:
            reason = f"waits in {pool.department!r} for an agent to claim it or take it as next"
        elif not pool.members:
            reason = f"no agent serves {where} yet"
        elif len(pool.members) == 1:
            reason = f"the one agent serving {where} is full, away, offline or off that channel"
        else:
            reason = (
                f"all {len(pool.members)} agents serving {where} are full, away, offline "
                "or off that channel"
            )
        return Decision(
            record.item.id,
            "queued",
            None,
            pool.department,
            pool.channel,
            "pull" if pull else pool.strategy_name,
            position=pool.queue.position(key),
            reason=reason,
        )

    def _release(self, holder: AgentRecord, item_ids: list[str], at: float) -> list[ItemRecord]:
        """Take items off *holder* and put them back in line, keeping their arrival."""
        released = []
        for item_id in item_ids:
            record = self._items[item_id]
            self._unbook(record)
            record.state = "queued"
            record.agent = None
            pool = record.pool
            pool.queue.push(record.key, pull=pool.settings.mode == "pull")
            reason = f"{holder.agent.id!r} no longer serves {pool.channel!r} in {pool.department!r}"
            self._ledger.change(
                item_id, at, "requeued", pool.department, None, "system", "system", reason
            )
            if "queued" in self._bus.wanted:
                pull = pool.settings.mode == "pull"
                self._bus.emit(ItemQueued(at, item_id, pool.department, pool.channel, pull))
            released.append(record)
        return released

    def _requeue(
        self, released: list[ItemRecord], also: Iterable[Pool], at: float
    ) -> list[Decision]:
        """Dispatch what can be, and report the released items still waiting."""
        decisions = self._drain([*(r.pool for r in released), *also], at)
        for record in released:
            if record.state == "queued":
                key = record.key
                decisions.append(self._queued(record, key, pull=record.pool.queue.is_pull(key)))
        return decisions

    def _drain(self, pools: Iterable[Pool], at: float) -> list[Decision]:
        """
        Hand pushed work to free agents, most important first, until one side runs out.

        With a single agent in the router, everything waiting is pushed to
        them, pull items included (SPEC F18). A booking only ever removes
        free agents, so the pools worth looking at can only shrink as this runs.
        """
        everything = len(self._registry) == 1
        ready = [
            pool
            for pool in dict.fromkeys(pools)
            if pool.has_free and pool.queue.has_work(pulled_too=everything)
        ]
        decisions = []
        while ready:
            if len(ready) == 1:
                pool = ready[0]
            else:
                pool = min(ready, key=lambda p: p.queue.first_work(pulled_too=everything))
            seat = pool.pick(self._rng)
            key = pool.queue.pop_work(pulled_too=everything)
            record = self._items[key[3]]
            decisions.append(self._book(record, seat, at, pool.strategy_name))
            ready = [p for p in ready if p.has_free and p.queue.has_work(pulled_too=everything)]
        return decisions

    def _next_key(self, holder: AgentRecord) -> tuple[QueueKey, Pool] | None:
        """Return the most important waiting item *holder* could take now, and its pool."""
        best: tuple[QueueKey, Pool] | None = None
        for seat in holder.seats.values():
            if not seat.is_free:
                continue
            for pool in seat.pools:
                if len(pool.queue) and (best is None or pool.queue.first() < best[0]):
                    best = (pool.queue.first(), pool)
        return best

    def _barriers(
        self, holder: AgentRecord, pool: Pool, *, freeing: int = 0, force: bool = False
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
        elif seat.load - freeing >= seat.limit:
            reasons.append(f"is full on {channel!r} ({seat.load}/{seat.limit})")
        if force:
            return reasons
        if seat is None or pool.members.get(holder.agent.id) is not seat:
            reasons.insert(0, f"does not serve {channel!r} in {pool.department!r}")
        if holder.presence != "online":
            reasons.append(f"is {holder.presence}")
        if channel in holder.channels_off:
            reasons.append(f"has {channel!r} switched off")
        return reasons

    def _check(self) -> None:
        """Assert every internal index agrees with the state; for tests."""
        for pool in self._pools.values():
            pool._check()
            pool.queue._check()
            pushable = pool.queue.has_work(pulled_too=len(self._registry) == 1)
            assert not (pushable and pool.has_free), f"work waits beside {pool}"
        for item_id, record in self._items.items():
            owner = self._ledger.owner(item_id)
            assert (record.pool.department, record.agent) == (owner.department, owner.agent)


def memberships(agent: Agent) -> list[tuple[str, str]]:
    """Return (department, channel) pairs the agent serves, in a stable order."""
    return [
        (department, channel)
        for department, channels in agent.departments.items()
        for channel in sorted(channels)
    ]


def pools_of(record: AgentRecord) -> list[Pool]:
    """Return every pool the agent belongs to, once per seat membership."""
    return [pool for seat in record.seats.values() for pool in seat.pools]
