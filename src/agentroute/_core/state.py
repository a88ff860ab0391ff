"""
Snapshots: a router's real state as plain data, and a core rebuilt from one.

`capture` writes only real state, ordered by the state alone (never by the
order a rolled-back call left a dict in), so two routers that took the same
calls give equal snapshots. `rebuild` checks everything first, then builds a
fresh core and derives its indexes; a bad snapshot raises `InvalidDataError`
listing every problem with its key path, and no router is made.

The format's attrs classes live in `schema`, the cross-reference checks in
`state_checks`; this module writes a snapshot and builds a core from one.
"""

from __future__ import annotations

from typing import Any

from agentroute import _plain
from agentroute._core.agents import memberships
from agentroute._core.core import Core
from agentroute._core.items import ItemRecord
from agentroute._core.pools import Pool
from agentroute._core.registry import AgentRecord
from agentroute._core.schema import (
    FORMAT,
    VERSION,
    AgentState,
    BreakState,
    Counters,
    CustomerState,
    DepartmentState,
    DrawOrder,
    DutyState,
    HandlingState,
    ItemEntry,
    QueueState,
    SeatState,
    Settings,
    Snapshot,
    TimerState,
)
from agentroute._core.shifts import Rotation
from agentroute._core.state_checks import Report, check
from agentroute.errors import InvalidDataError
from agentroute.events import EventBus
from agentroute.model import Department
from agentroute.strategies import _registry as strategy_registry

__all__ = ["FORMAT", "VERSION", "capture", "rebuild"]

_WHAT = "snapshot"


# -- capture -----------------------------------------------------------------------


def capture(core: Core) -> dict[str, Any]:
    """Return the real state of *core* as plain, JSON-safe data."""
    items = sorted(core.items.records.values(), key=lambda record: record.arrival)
    pools = sorted(core.pools.all(), key=lambda pool: (pool.department, pool.channel))
    snapshot = Snapshot(
        format=FORMAT,
        version=VERSION,
        settings=Settings(
            core.default_strategy,
            core.self_service,
            core.items.retain,
            core.ledger.limit,
            core.customers.limit,
        ),
        counters=Counters(
            core.dispatch.tick,
            core.items.arrivals,
            core.items.closes_made,
            core.entries,
            core.timers.count,
            core.customers.count,
            core.rng.state,
        ),
        departments=[
            DepartmentState(
                d.name,
                dict(d.strategies),
                d.default_strategy,
                d.mode,
                d.unassign_on_close,
                d.allow_claims,
                d.requeue_offline_after_s,
                d.sla_warning_s,
                d.sla_escalate_to,
                d.sticky,
                d.sticky_max_age_s,
                d.ring_timeout_s,
                d.sticky_wait_s,
                {group: list(agents) for group, agents in d.dedicated.items()},
                d.dedicated_wait_s,
            )
            for d in core.departments.values()
        ],
        agents=[_agent_state(r, core.registry.forwards) for r in core.registry.records()],
        items=[_item_entry(core, record) for record in items],
        queues=[
            QueueState(pool.department, pool.channel, *pool.queue.lines())
            for pool in pools
            if len(pool.queue)
        ],
        draw_orders=[
            DrawOrder(pool.department, pool.channel, pool.free_agents())
            for pool in pools
            if not pool.ordered and pool.has_free
        ],
        duties=[
            DutyState(where[0], where[1], list(r.agents), r.period_s, r.started_at, r.on_duty)
            for where, r in sorted(core.duties.items())
        ],
        timers=[
            *(TimerState(*timer) for timer in core.timers.all()),
            *(TimerState(*timer, held=True) for timer in core.timers.held()),
        ],
        customers=[CustomerState(*entry) for entry in core.customers.entries()],
        rules=list(core.rules.values()),
        handling=[
            HandlingState(department, channel, samples, mean)
            for (department, channel), (samples, mean) in sorted(core.handling.by_pool.items())
        ],
    )
    plain: dict[str, Any] = _plain.unstructure(snapshot)
    return plain


def capture_paused(core: Core) -> dict[str, Any]:
    """`capture`, with the garbage collector off meanwhile."""
    with _plain.collector_paused():
        return capture(core)


def _agent_state(record: AgentRecord, forwards: dict[str, str]) -> AgentState:
    return AgentState(
        record.agent,
        record.presence,
        record.offline_since,
        None if record.break_until is None else BreakState(record.break_until, record.break_reason),
        record.schedule,
        record.off_shift,
        forwards.get(record.agent.id),
        sorted(record.channels_off),
        sorted(record.department_off),
        {
            channel: SeatState(seat.load - seat.ringing, seat.last_assigned, seat.idle_since)
            for channel, seat in sorted(record.seats.items())
        },
        record.missed,
    )


def _item_entry(core: Core, record: ItemRecord) -> ItemEntry:
    item_id = record.item.id
    seat = record.seat
    return ItemEntry(
        record.item,
        record.state,
        record.department,
        record.agent,
        record.arrival,
        record.arrived_at,
        None if seat is None else seat.held[item_id],
        record.closed_number or None,
        record.replies,
        record.last_reply_at,
        core.ledger.rows(item_id),
        list(record.offers),
        list(record.waiting_for),
        record.assigned_at,
    )


def rebuild(data: object, bus: EventBus) -> Core:
    """
    Return a core holding the state *data* describes, its indexes derived.

    Raises:
        UnsupportedVersionError: Not a snapshot, or of a newer version.
        InvalidDataError: Malformed or self-contradicting; lists every problem.
        HostCodeError: A custom strategy's factory failed while pools were built.
    """
    _plain.check_header(data, _WHAT, FORMAT, VERSION)
    with _plain.collector_paused():
        return _rebuild(data, bus)


def _rebuild(data: object, bus: EventBus) -> Core:
    snapshot = _plain.structure(data, Snapshot, _WHAT)
    departments, problems = check(snapshot)
    if problems:
        raise InvalidDataError(_WHAT, problems)
    core = _build(snapshot, departments, bus, problems.append)
    if problems:
        raise InvalidDataError(_WHAT, problems)
    return core


def _build(
    snapshot: Snapshot, departments: dict[str, Department], bus: EventBus, report: Report
) -> Core:
    settings = snapshot.settings
    counters = snapshot.counters
    core = Core(
        seed=0,
        default_strategy=settings.default_strategy,
        self_service=settings.self_service,
        retain_closed=settings.retain_closed,
        history_limit=settings.history_limit,
        bus=bus,
        remember_customers=settings.remember_customers,
    )
    core.customers.restore(
        [(c.customer, c.agent, c.at, c.seq) for c in snapshot.customers], counters.customers
    )
    core.rng.state = counters.random
    core.entries = counters.entries
    core.timers.restore(
        [(t.due, t.seq, t.kind, t.key) for t in snapshot.timers if not t.held],
        counters.timers,
        [(t.due, t.seq, t.kind, t.key) for t in snapshot.timers if t.held],
    )
    for duty in snapshot.duties:  # before any pool exists: a new pool takes its duty from here
        rotation = Rotation(tuple(duty.agents), duty.period_s, duty.started_at, duty.on_duty)
        core.duties[duty.department, duty.channel] = rotation
    core.rules = {rule.name: rule for rule in snapshot.rules}
    core.handling.by_pool = {
        (h.department, h.channel): (h.samples, h.mean_s) for h in snapshot.handling
    }
    core.dispatch.tick = counters.tick
    core.items.arrivals = counters.arrivals
    core.items.closes_made = counters.closes
    for name, department in departments.items():
        core.departments[name] = department
        named = [*department.strategies.values(), department.default_strategy]
        for strategy in dict.fromkeys(named):
            core.factories[name, strategy] = strategy_registry.factory(strategy)
    _build_agents(core, snapshot)
    _build_items(core, snapshot)
    _check_derived(core, snapshot, report)
    core.undo.steps.clear()
    return core


def _build_agents(core: Core, snapshot: Snapshot) -> None:
    """Register the agents with their loads, then let them join their pools."""
    registry = core.registry
    for state in snapshot.agents:
        record = AgentRecord(state.agent)
        record.presence = state.presence
        record.offline_since = state.offline_since
        if state.on_break is not None:
            record.break_until = state.on_break.until
            record.break_reason = state.on_break.reason
        record.schedule = state.schedule
        record.off_shift = state.off_shift
        if state.forward_to is not None:
            registry.forwards[state.agent.id] = state.forward_to
        record.missed = state.missed
        record.channels_off = dict.fromkeys(state.channels_off)
        record.department_off = dict.fromkeys(state.departments_off)
        for channel, counters in state.seats.items():
            seat = record.seats[channel]
            seat.last_assigned = counters.last_assigned
            seat.idle_since = counters.idle_since
        registry.put(record)
    for entry in snapshot.items:
        if entry.booked is not None:
            seat = registry.get(entry.agent).seats[entry.item.channel]  # type: ignore[arg-type]
            seat.held[entry.item.id] = entry.booked
            seat.load += 1
        for agent in entry.offers:
            holder = registry.get(agent)
            holder.offers[entry.item.id] = None
            seat = holder.seats[entry.item.channel]
            seat.load += 1
            seat.ringing += 1
    for record in registry.records():
        wallet = record.wallet
        if wallet is not None:  # each slot taken, held or ringing, costs its channel's units
            wallet.used = sum(seat.cost * seat.load for seat in record.seats.values())
        for channel, seat in record.seats.items():
            seat.enabled = record.seat_enabled(channel)
        for where in memberships(record.agent):
            pool = core.pool(*where)
            if where in record.department_off:
                pool.set_off(record.agent.id, True)
            pool.join(record.seats[where[1]])


def _build_items(core: Core, snapshot: Snapshot) -> None:
    """Remember every item with its history, and line up the waiting ones."""
    for queue in snapshot.queues:
        core.pool(queue.department, queue.channel)
    detached: dict[tuple[str, str], Pool] = {}
    records = core.items.records
    registry = core.registry
    live = core.pools.by_key
    put_rows = core.ledger.put_rows
    for entry in snapshot.items:  # 100 000s of times in a large restore: locals, no lookups
        item = entry.item
        where = (entry.department, item.channel)
        pool = live.get(where) or detached.get(where)
        if pool is None:  # only assigned or closed items point to a dropped pool
            pool = detached[where] = core.pools.detached(core.departments[where[0]], where[1])
        record = ItemRecord(item, pool, entry.arrival, entry.arrived_at)
        record.state = entry.state
        record.agent = entry.agent
        if entry.booked is not None:
            record.seat = registry.get(entry.agent).seats[item.channel]  # type: ignore[arg-type]
        record.replies = entry.replies
        record.last_reply_at = entry.last_reply_at
        record.closed_number = entry.closed or 0
        record.assigned_at = entry.assigned_at
        if entry.offers:
            record.offers = dict.fromkeys(entry.offers)
        if entry.waiting_for:
            record.waiting_for = tuple(entry.waiting_for)
            pool.reserved.add(record.key, record.waiting_for, [])
        records[item.id] = record
        put_rows(item.id, entry.history)
    steps = core.undo.steps
    for queue in snapshot.queues:
        line = core.pools.by_key[queue.department, queue.channel].queue
        for pull, ids in ((False, queue.push), (True, queue.pull)):
            for item_id in ids:
                line.push(records[item_id].key, pull, steps)
    closed = [record for record in records.values() if record.state == "closed"]
    core.items.restore_closes(sorted(closed, key=lambda record: record.closed_number))


def _check_derived(core: Core, snapshot: Snapshot, report: Report) -> None:
    """Put unordered pools in their draw order, and refuse work waiting beside a free agent."""
    for index, order in enumerate(snapshot.draw_orders):
        pool = core.pools.get(order.department, order.channel)
        if pool is None or pool.ordered or not pool.set_draw_order(order.agents):
            where = (order.department, order.channel)
            problem = f"{order.agents} are not the free agents of an unordered pool {where}"
            report((f"draw_orders[{index}]", problem))
    everything = core.registry.sole
    for pool in core.pools.all():
        if pool.has_free and pool.queue.has_work(everything):
            where = (pool.department, pool.channel)
            report(("queues", f"work waits in {where} while {pool.free_agents()[0]!r} is free"))
        for agent, line in pool.reserved.by_agent.items():
            if pool.free_seat(agent) is not None:
                problem = f"item {line[0][3]!r} waits for {agent!r}, who is free"
                report(("items", problem))
