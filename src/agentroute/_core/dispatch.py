"""
The only code that moves work: book a seat, release it, put an item in line, drain.

Every public call that routes is composed of these, so none can forget to
record an owner or say what happened: booking records the new owner in the
ledger, emits ``assigned`` and returns the decision. Each change logs its
inverse in the undo log first.
"""

from __future__ import annotations

from collections.abc import Iterable
from heapq import heapify, heappop, heappush

from agentroute._core import offers, reservations, sla
from agentroute._core.customers import CustomerMemory
from agentroute._core.items import ItemRecord, ItemStore
from agentroute._core.ledger import Ledger
from agentroute._core.pools import HostGuard, Pool
from agentroute._core.queue import QueueKey
from agentroute._core.registry import AgentRecord, Registry, Seat, Wallet
from agentroute._core.rng import SplitMix
from agentroute._core.timers import Timers
from agentroute._core.undo import UndoLog
from agentroute.events import EventBus, ItemAssigned, ItemQueued
from agentroute.model import CALL, Decision, Item, ItemState
from agentroute.ownership import Action, ActorKind

__all__ = ["Dispatch", "chooser"]


class Dispatch:
    """Books, releases, queues and drains, keeping seats, pools, ledger and events in step."""

    __slots__ = (
        "_steps",
        "bus",
        "customers",
        "guard",
        "items",
        "ledger",
        "registry",
        "rng",
        "tick",
        "timers",
        "undo",
    )

    def __init__(
        self,
        registry: Registry,
        items: ItemStore,
        ledger: Ledger,
        bus: EventBus,
        undo: UndoLog,
        guard: HostGuard,
        rng: SplitMix,
        customers: CustomerMemory,
        timers: Timers,
    ) -> None:
        self.registry = registry
        self.timers = timers
        self.undo = undo
        self.customers = customers
        self.items = items
        self.ledger = ledger
        self.bus = bus
        self.guard = guard
        self.rng = rng
        self.tick = 0
        """Router-wide sequence of bookings and releases (the strategies' notion of time)."""
        self._steps = undo.steps

    # -- the sole-agent rule, written once -----------------------------------------

    @property
    def pushes_everything(self) -> bool:
        """With one agent in the router, waiting pull work is pushed to them too."""
        return self.registry.sole

    def sole_seat(self, pool: Pool) -> Seat | None:
        """
        Return the free seat of the router's only agent in a pull *pool*, if that is the case.

        With one agent, a pull department hands them new work at once; older
        waiting work was already pushed to them by `drain` whenever they had
        room, so nothing is skipped.
        """
        sole = self.registry.sole and len(pool.members) == 1
        if sole and pool.has_free and not len(pool.queue):
            return next(iter(pool.members.values()))
        return None

    # -- item records --------------------------------------------------------------

    def set_item(
        self,
        record: ItemRecord,
        state: ItemState,
        agent: str | None,
        seat: Seat | None,
    ) -> None:
        """Change an item's state, responsible agent and seat, logging the old ones."""
        self._steps.append((_restore_item, record, record.state, record.agent, record.seat))
        record.state = state
        record.agent = agent
        record.seat = seat

    def move_item(self, record: ItemRecord, pool: Pool) -> None:
        """Make *pool* (another department) responsible for an item."""
        self._steps.append((_restore_place, record, record.pool, record.department))
        record.pool = pool
        record.department = pool.department

    # -- undo steps of the bookings: each also turns the tick back ---------------------

    def _unbook_seat(self, seat: Seat, item_id: str, last_assigned: int, idle_since: int) -> None:
        self.tick -= 1
        del seat.held[item_id]
        seat.load -= 1
        seat.last_assigned = last_assigned
        seat.idle_since = idle_since

    def _rebook_seat(self, record: ItemRecord, seat: Seat, booked: int, idle_since: int) -> None:
        self.tick -= 1
        record.seat = seat
        seat.held[record.item.id] = booked
        seat.load += 1
        seat.idle_since = idle_since

    def _undo_hand_over(
        self,
        record: ItemRecord,
        seat: Seat,
        booked: int,
        successor: str,
        last_assigned: int,
        idle_since: int,
    ) -> None:
        self.tick -= 1
        record.seat = seat
        del seat.held[successor]
        seat.held[record.item.id] = booked
        seat.last_assigned = last_assigned
        seat.idle_since = idle_since

    # -- booking -------------------------------------------------------------------

    def book(
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
        """
        Give *record* to *seat*, record the new owner, and say so.

        *label* names what chose (a strategy, ``"claim"`` ...) in the decision;
        *by* names who, in the history, and defaults to the label.
        """
        tick = self.tick = self.tick + 1
        item_id = record.item.id
        self._steps.append(
            (Dispatch._unbook_seat, self, seat, item_id, seat.last_assigned, seat.idle_since)
        )
        seat.held[item_id] = tick
        seat.load += 1
        seat.last_assigned = seat.idle_since = tick
        if seat.wallet is None:
            for pool in seat.pools:
                pool.refresh(seat)
        else:
            self.spend(seat, seat.cost)
        return self.assigned(record, seat, at, label, by_kind, by, action, reason)

    def assigned(
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
        agent = seat.agent
        self._steps.append(
            (_restore_booking, record, record.state, record.agent, record.seat, record.assigned_at)
        )
        record.state = "assigned"
        record.agent = agent
        record.seat = seat
        record.assigned_at = at
        if record.item.sla_deadline is not None:
            sla.answered(self.timers, record.item.id)
        pool = record.pool
        department = pool.department
        actor = label if by is None else by
        self.ledger.change(record.item.id, at, action, department, agent, actor, by_kind, reason)
        customer = record.item.customer
        if customer is not None and pool.settings.sticky:
            self.customers.handled(customer, agent, at)
        if "assigned" in self.bus.wanted:
            self.bus.emit(ItemAssigned(at, record.item.id, agent, department, pool.channel, actor))
        channel = pool.channel
        if channel == CALL and self.registry.forwards:
            ring = self.registry.forwards.get(agent)
            return Decision(
                record.item.id, "assigned", agent, department, channel, label, ring=ring
            )
        return Decision(record.item.id, "assigned", agent, department, channel, label)

    def unbook(self, record: ItemRecord) -> Seat:
        """Take *record* off its agent's seat; the record keeps its agent as owner."""
        seat: Seat = record.seat  # type: ignore[assignment]
        item_id = record.item.id
        tick = self.tick = self.tick + 1
        held = seat.held
        self._steps.append(
            (Dispatch._rebook_seat, self, record, seat, held[item_id], seat.idle_since)
        )
        record.seat = None
        del held[item_id]
        seat.load -= 1
        seat.idle_since = tick
        if seat.wallet is None:
            for pool in seat.pools:
                pool.refresh(seat)
        else:
            self.spend(seat, -seat.cost)
        return seat

    def spend(self, seat: Seat, units: int) -> None:
        """Count *units* more (or fewer) as used by *seat*'s agent, and re-rank what changed."""
        wallet = seat.wallet
        if wallet is not None:
            before = wallet.used
            wallet.used = after = before + units
            self._steps.append((_refund, wallet, units))
            budget = wallet.budget
            for other in wallet.seats.values():
                cost = other.cost
                if other is not seat and (before + cost <= budget) != (after + cost <= budget):
                    for pool in other.pools:  # its room just came or went
                        pool.refresh(other)
        for pool in seat.pools:
            pool.refresh(seat)

    @staticmethod
    def may_wait_elsewhere(seat: Seat) -> bool:
        """Tell whether work for *seat* may wait outside its pools' push lines (rings, waits)."""
        for pool in seat.pools:  # noqa: SIM110 - a loop: any() over a generator costs more here
            if pool.rings or pool.reserved.by_agent:
                return True
        return False

    def opened(self, seat: Seat) -> list[Pool]:
        """Return the pools where *seat*, just freed, or its agent's other seats can take work."""
        wallet = seat.wallet
        if wallet is None:
            return seat.pools if seat.is_free else []
        return [pool for other in wallet.seats.values() if other.is_free for pool in other.pools]

    def hand_over(self, record: ItemRecord, at: float) -> Decision | None:
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
        everything = self.registry.sole
        pools = seat.pools
        agent = seat.agent
        if self.may_wait_elsewhere(seat):
            return None  # work there is offered, or waits for particular agents: drain decides
        if len(pools) == 1:
            pool = pools[0]
            if pool.excludes(agent) or not pool.queue.has_work(everything):
                return None
        else:
            waiting = [p for p in pools if p.queue.has_work(everything) and not p.excludes(agent)]
            if not waiting:
                return None
            pool = min(waiting, key=lambda p: p.queue.first_work(everything))
        steps = self._steps
        key = pool.queue.pop_work(everything, steps)
        tick = self.tick = self.tick + 1
        held = seat.held
        item_id = record.item.id
        booked, last, idle = held[item_id], seat.last_assigned, seat.idle_since
        steps.append((self._undo_hand_over, record, seat, booked, key[3], last, idle))
        del held[item_id]
        held[key[3]] = tick
        seat.last_assigned = seat.idle_since = tick
        record.seat = None
        successor = self.items.records[key[3]]
        steps.append((setattr, successor, "choice", successor.choice))
        successor.choice = None  # the one seat it could go to: nothing was compared
        return self.assigned(successor, seat, at, pool.strategy_name)

    def choose(self, pool: Pool, record: ItemRecord) -> Seat:
        """
        Let *pool*'s strategy choose a free seat for *record*, noting what it compared.

        The note (how many were free, the chosen agent's rank and the best
        other's) is what ``explain()`` shows; it costs two slices per choice.
        """
        seat = pool.pick(self.rng)
        agent = seat.agent
        self._steps.append((setattr, record, "choice", record.choice))
        record.choice = (pool.free_count, pool.entry(agent), pool.runner_up(agent))
        return seat

    # -- waiting -------------------------------------------------------------------

    def replace_item(self, record: ItemRecord, item: Item, *, placed: bool = True) -> None:
        """
        Give an item new fields (priority, deadline, tags), moving it to its new place in line.

        A waiting item leaves its line (the queue, or its wait for its agents)
        and comes back at the place its new key gives it; *placed* is False
        for a new item not yet routed, which stands in no line.
        """
        steps = self._steps
        steps.append((setattr, record, "item", record.item))
        if not placed or record.state != "queued":
            record.item = item
            return
        key = record.key
        agents = record.waiting_for
        if agents:
            reserved = record.pool.reserved
            reserved.remove(key, agents, steps)
            record.item = item
            reserved.add(record.key, agents, steps)
            return
        line = record.pool.queue
        pull = line.is_pull(key)
        line.remove(key, steps)
        record.item = item
        line.push(record.key, pull, steps)

    def unqueue(self, record: ItemRecord) -> None:
        """Take a queued item out of line: its pool's queue, or its wait for its agents."""
        if record.waiting_for:
            reservations.unreserve(self, record)
        else:
            record.pool.queue.remove(record.key, self._steps)

    def wait(self, record: ItemRecord, at: float, *, pull: bool) -> Decision:
        """Put *record* in its pool's line, to be pushed or (*pull*) pulled, and say so."""
        pool = record.pool
        key = record.key
        pool.queue.push(key, pull, self._steps)
        self.set_item(record, "queued", record.agent, None)
        if record.item.sla_deadline is not None:
            sla.waits_again(self.timers, record.item.id, at)
        if "queued" in self.bus.wanted:
            self.bus.emit(ItemQueued(at, record.item.id, pool.department, pool.channel, pull))
        return self.queued(record, key, pull=pull)

    def queued(self, record: ItemRecord, key: QueueKey, *, pull: bool) -> Decision:
        """Return the decision that says where a waiting item stands, and why."""
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

    def route(
        self,
        record: ItemRecord,
        at: float,
        action: Action = "assigned",
        by: str = "system",
        by_kind: ActorKind = "system",
        reason: str | None = None,
    ) -> Decision:
        """
        Route an item that waits for no one: its pool's strategy picks, or it waits.

        In a pull department it waits to be pulled, unless the router's only
        agent can take it now. *action* is what the history calls a booking
        (``"assigned"``, ``"reopened"``, ``"transferred"``, ``"requeued"``);
        when the item waits instead and its owner changes, the history says so
        with *by* and *reason*. A booking is by the person who asked, or by
        the strategy when the host did (see `chooser`).
        """
        pool = record.pool
        settings = pool.settings
        pull = settings.mode == "pull"
        wait = None
        members: tuple[str, ...] = ()
        if (settings.sticky or settings.dedicated) and not pull:
            wait = reservations.preference(self, pool, record, at)
        if wait is not None:
            for agent in wait.agents:
                seat = pool.free_seat(agent)
                if seat is not None:
                    kind, name = chooser(by, by_kind)
                    return self.book(record, seat, at, wait.label, kind, name, action, reason)
            members = tuple(agent for agent in wait.agents if agent in pool.members)
            if not members or wait.wait_s == 0:
                wait = None
        seat = None
        if wait is None:  # else it waits for its agents, below
            if pull:
                seat = self.sole_seat(pool)
            elif pool.has_free and not pool.rings:
                seat = self.choose(pool, record)
        if seat is not None:
            return self.book(
                record, seat, at, pool.strategy_name, *chooser(by, by_kind), action, reason
            )
        if action != "assigned":
            self.set_item(record, record.state, None, None)
            self.ledger.change(
                record.item.id, at, action, pool.department, None, by, by_kind, reason
            )
        if wait is not None:
            return reservations.reserve(self, record, pool, members, wait, at)
        if pool.rings and pool.has_free:
            return offers.ring(self, record, pool, at)
        return self.wait(record, at, pull=pull)

    def release(
        self, holder: AgentRecord, item_ids: list[str], at: float, why: str | None = None
    ) -> list[ItemRecord]:
        """
        Take items off *holder* and put them back in line, keeping their arrival.

        *why* is the history's reason; by default, that the agent no longer serves there.
        """
        released = []
        for item_id in item_ids:
            record = self.items.records[item_id]
            self.unbook(record)
            self.set_item(record, record.state, None, None)
            pool = record.pool
            reason = why or (
                f"{holder.agent.id!r} no longer serves {pool.channel!r} in {pool.department!r}"
            )
            self.ledger.change(
                item_id, at, "requeued", pool.department, None, "system", "system", reason
            )
            self.wait(record, at, pull=pool.settings.mode == "pull")
            released.append(record)
        return released

    def requeued(
        self, released: list[ItemRecord], also: Iterable[Pool], at: float
    ) -> list[Decision]:
        """Dispatch what can be, and report the released items still waiting."""
        decisions = self.drain([*(r.pool for r in released), *also], at)
        for record in released:
            if record.state == "queued":
                key = record.key
                decisions.append(self.queued(record, key, pull=record.pool.queue.is_pull(key)))
        return decisions

    def drain(self, pools: Iterable[Pool], at: float) -> list[Decision]:
        """
        Hand pushed work to free agents, most important first, until one side runs out.

        With a single agent in the router, everything waiting is pushed to
        them, pull items included. The pools with work and a free agent wait
        in a heap by their most important item: only the pool just served
        gets a new head, and a pool whose free agents a booking took
        elsewhere is dropped when it comes up, so dispatching n items from
        P pools costs O((n + P) log P), not O(n P).
        """
        everything = self.registry.sole
        pools = dict.fromkeys(pools)
        decisions: list[Decision] = []
        for pool in pools:
            if pool.reserved and pool.has_free:
                decisions.extend(reservations.serve(self, pool, at))
        heap = [
            (pool.queue.first_work(everything), order, pool)
            for order, pool in enumerate(pools)
            if pool.has_free and pool.queue.has_work(everything)
        ]
        if not heap:
            return decisions
        heapify(heap)
        steps = self._steps
        while heap:
            _, order, pool = heappop(heap)
            if not pool.has_free:
                continue  # a booking elsewhere took its last free agent
            key = pool.queue.pop_work(everything, steps)
            record = self.items.records[key[3]]
            if pool.rings:
                decisions.append(offers.ring(self, record, pool, at))
            else:
                seat = self.choose(pool, record)
                decisions.append(self.book(record, seat, at, pool.strategy_name))
            if pool.has_free and pool.queue.has_work(everything):
                heappush(heap, (pool.queue.first_work(everything), order, pool))
        return decisions

    def next_key(self, holder: AgentRecord) -> tuple[QueueKey, Pool] | None:
        """Return the most important waiting item *holder* could take now, and its pool."""
        best: tuple[QueueKey, Pool] | None = None
        agent = holder.agent.id
        for seat in holder.seats.values():
            if not seat.is_free:
                continue
            for pool in seat.pools:
                if pool.excludes(agent) or not len(pool.queue):
                    continue
                first = pool.queue.first()
                if best is None or first < best[0]:
                    best = (first, pool)
        return best


def chooser(by: str, by_kind: ActorKind) -> tuple[ActorKind, str | None]:
    """
    Return (by kind, by) for a booking a strategy made on someone's request.

    A person who asked is who the history names; when the host asked
    (``"system"``), the strategy that chose is, as for any assignment.
    """
    if by_kind == "system":
        return "strategy", None
    return by_kind, by


def _refund(wallet: Wallet, units: int) -> None:
    wallet.used -= units


def _restore_booking(
    record: ItemRecord,
    state: ItemState,
    agent: str | None,
    seat: Seat | None,
    assigned_at: float | None,
) -> None:
    record.state = state
    record.agent = agent
    record.seat = seat
    record.assigned_at = assigned_at


def _restore_item(
    record: ItemRecord, state: ItemState, agent: str | None, seat: Seat | None
) -> None:
    record.state = state
    record.agent = agent
    record.seat = seat


def _restore_place(record: ItemRecord, pool: Pool, department: str) -> None:
    record.pool = pool
    record.department = department
