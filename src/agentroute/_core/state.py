"""
Snapshots: a router's real state as plain data, and a core rebuilt from one.

`capture` writes only real state, ordered by the state alone (never by the
order a rolled-back call left a dict in), so two routers that took the same
calls give equal snapshots. `rebuild` checks everything first, then builds a
fresh core and derives its indexes; a bad snapshot raises `InvalidDataError`
listing every problem with its key path, and no router is made.

The format's classes are plain ``attrs.define`` records rather than frozen
ones: they live only while a snapshot is written or read, and a frozen
class's constructor costs four times as much, 120 000 times in a large restore.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from itertools import product
from typing import Any, Final, NoReturn, get_args

import attrs

from agentroute import _plain
from agentroute._core.agents import memberships
from agentroute._core.availability import TIMER_KINDS
from agentroute._core.core import Core
from agentroute._core.items import ItemRecord
from agentroute._core.ledger import Row
from agentroute._core.pools import Pool
from agentroute._core.queue import queue_key
from agentroute._core.registry import AgentRecord
from agentroute._core.shifts import Rotation
from agentroute._core.sla import SLA_BREACH, SLA_WARNING
from agentroute._core.timers import BREAK, DUTY, OFFLINE, SHIFT
from agentroute.errors import InvalidDataError, InvalidValueError, UnknownStrategyError
from agentroute.events import EventBus
from agentroute.model import Agent, Department, Item, ItemState, Mode, Presence
from agentroute.ownership import Action, ActorKind
from agentroute.schedules import Schedule
from agentroute.strategies import _registry as strategy_registry

__all__ = ["FORMAT", "VERSION", "capture", "rebuild"]

FORMAT: Final = "agentroute.snapshot"
VERSION: Final = 1
_WHAT = "snapshot"
_RANDOM_STATES = range(1 << 64)


@attrs.define
class Settings:
    """The router's options."""

    default_strategy: str
    self_service: bool
    retain_closed: int | None
    history_limit: int | None
    remember_customers: int | None


@attrs.define
class Counters:
    """Sequence numbers handed out so far, and the random generator's state."""

    tick: int
    arrivals: int
    closes: int
    entries: int
    timers: int
    customers: int
    random: int


@attrs.define
class DepartmentState:
    """A department's settings."""

    name: str
    strategies: dict[str, str]
    default_strategy: str
    mode: Mode
    unassign_on_close: bool
    allow_claims: bool
    requeue_offline_after_s: float | None
    sla_warning_s: float | None
    sla_escalate_to: int | None
    sticky: bool
    sticky_max_age_s: float | None


@attrs.define
class SeatState:
    """An agent's counters on one channel."""

    load: int
    last_assigned: int
    idle_since: int


@attrs.define
class BreakState:
    """An agent's break: when it ends, and why."""

    until: float
    reason: str | None


@attrs.define
class AgentState:
    """An agent: definition, presence, break, switches, counters per channel."""

    agent: Agent
    presence: Presence
    offline_since: float | None
    on_break: BreakState | None
    schedule: Schedule | None
    off_shift: bool
    forward_to: str | None
    channels_off: list[str]
    departments_off: list[tuple[str, str]]
    seats: dict[str, SeatState]


@attrs.define
class DutyState:
    """A duty rotation on a department's channel, and who is on duty now."""

    department: str
    channel: str
    agents: list[str]
    period_s: float
    started_at: float
    on_duty: str


@attrs.define
class CustomerState:
    """Who last handled a customer, when, and that record's number."""

    customer: str
    agent: str
    at: float
    seq: int


@attrs.define
class TimerState:
    """A pending timer: when it is due, its place among equal times, what it does to whom."""

    due: float
    seq: int
    kind: str
    key: str


@attrs.define
class ItemEntry:
    """An item: where it stands, its counters and its kept history."""

    item: Item
    state: ItemState
    department: str
    agent: str | None
    arrival: int
    arrived_at: float
    booked: int | None
    closed: int | None
    replies: int
    last_reply_at: float | None
    history: list[Row]


@attrs.define
class QueueState:
    """The waiting line of one (department, channel), most important first."""

    department: str
    channel: str
    push: list[str]
    pull: list[str]


@attrs.define
class DrawOrder:
    """The order an unordered pool (e.g. ``random``) holds its free agents in."""

    department: str
    channel: str
    agents: list[str]


@attrs.define
class Snapshot:
    """Everything a router must remember, and nothing it can derive."""

    format: str
    version: int
    settings: Settings
    counters: Counters
    departments: list[DepartmentState]
    agents: list[AgentState]
    items: list[ItemEntry]
    queues: list[QueueState]
    draw_orders: list[DrawOrder]
    duties: list[DutyState]
    timers: list[TimerState]
    customers: list[CustomerState]


_ACTIONS: Final = frozenset(get_args(Action))
_ACTOR_KINDS: Final = frozenset(get_args(ActorKind))


_TEXT = (str,)
_MAYBE_TEXT = (str, type(None))
_ROW_TYPES: Final = frozenset(
    product(
        (float, int),
        _TEXT,
        _MAYBE_TEXT,
        _TEXT,
        _MAYBE_TEXT,
        _MAYBE_TEXT,
        _TEXT,
        _TEXT,
        _MAYBE_TEXT,
    )
)
"""The type of each of a history row's nine values, every allowed combination."""


def _row_from_plain(value: object, _: object) -> Row:
    """
    Check one history row by hand: rows are most of a snapshot, and this is 5x cattrs' tuple path.

    A good row passes one lookup of its values' types; only a bad one is
    examined value by value, to say what is wrong.
    """
    if (
        type(value) is list
        and len(value) == 9
        and tuple(map(type, value)) in _ROW_TYPES
        and value[1] in _ACTIONS
        and value[7] in _ACTOR_KINDS
        and math.isfinite(value[0])
    ):
        return (float(value[0]), *value[1:])
    return _bad_row(value)


def _bad_row(value: object) -> NoReturn:
    """Raise what is wrong with a history row that failed the quick check."""
    if type(value) is not list or len(value) != 9:
        raise TypeError(f"expected a history row: a list of 9 values, got {value!r}")
    at, action, from_department, department, from_agent, agent, by, kind, reason = value
    if type(at) not in (int, float) or not math.isfinite(at):
        raise TypeError(f"expected a finite time first, got {at!r}")
    if type(action) is not str or action not in _ACTIONS:
        raise TypeError(f"unknown action {action!r}")
    if type(kind) is not str or kind not in _ACTOR_KINDS:
        raise TypeError(f"unknown actor kind {kind!r}")
    texts = [
        (from_department, True),
        (department, False),
        (from_agent, True),
        (agent, True),
        (by, False),
        (reason, True),
    ]
    # The quick check failed on one of the texts, since all else passed.
    text, optional = next(
        (text, optional)
        for text, optional in texts
        if type(text) is not str and not (optional and text is None)
    )
    raise TypeError(f"expected a string{' or null' if optional else ''}, got {text!r}")


def _rows_from_plain(value: object, _: object) -> list[Row]:
    """Check an item's history rows, without cattrs' generic list path in between."""
    if type(value) is not list:
        raise TypeError(f"expected a list of history rows, got {value!r}")
    return [_row_from_plain(row, None) for row in value]


_plain.hook(Row, _row_from_plain)
_plain.hook(list[Row], _rows_from_plain, fast_only=True)


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
        timers=[TimerState(*timer) for timer in core.timers.all()],
        customers=[CustomerState(*entry) for entry in core.customers.entries()],
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
            channel: SeatState(seat.load, seat.last_assigned, seat.idle_since)
            for channel, seat in sorted(record.seats.items())
        },
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
    )


# -- rebuild -----------------------------------------------------------------------


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
    problems: list[tuple[str, str]] = []
    departments = _departments(snapshot, problems.append)
    if not problems:
        _check_agents(snapshot, departments, problems.append)
        entries = _check_items(snapshot, departments, problems.append)
        _check_queues(snapshot, entries, problems.append)
        _check_timers(snapshot, problems.append)
        _check_duties(snapshot, departments, problems.append)
    if problems:
        raise InvalidDataError(_WHAT, problems)
    core = _build(snapshot, departments, bus, problems.append)
    if problems:
        raise InvalidDataError(_WHAT, problems)
    return core


Report = Callable[[tuple[str, str]], None]


def _departments(snapshot: Snapshot, report: Report) -> dict[str, Department]:
    """Validate the settings and departments; return the departments' settings by name."""
    settings = snapshot.settings
    if settings.retain_closed is not None and settings.retain_closed < 0:
        report(("settings.retain_closed", "must be >= 0 or null"))
    if settings.history_limit is not None and settings.history_limit < 1:
        report(("settings.history_limit", "must be >= 1 or null"))
    _check_customers(snapshot, report)
    _strategy_known("settings.default_strategy", settings.default_strategy, report)
    counters = snapshot.counters
    for name in ("tick", "arrivals", "closes", "entries", "timers", "customers"):
        if getattr(counters, name) < 0:
            report((f"counters.{name}", "must be >= 0"))
    if counters.random not in _RANDOM_STATES:
        report(("counters.random", "must be an int from 0 to 2**64 - 1"))
    found: dict[str, Department] = {}
    for index, state in enumerate(snapshot.departments):
        path = f"departments[{index}]"
        try:
            department = Department(
                state.name,
                strategies=state.strategies,
                default_strategy=state.default_strategy,
                mode=state.mode,
                unassign_on_close=state.unassign_on_close,
                allow_claims=state.allow_claims,
                requeue_offline_after_s=state.requeue_offline_after_s,
                sla_warning_s=state.sla_warning_s,
                sla_escalate_to=state.sla_escalate_to,
                sticky=state.sticky,
                sticky_max_age_s=state.sticky_max_age_s,
            )
        except InvalidValueError as error:
            report((path, str(error)))
            continue
        if department.name in found:
            report((f"{path}.name", f"department {department.name!r} appears twice"))
        found[department.name] = department
        for channel, strategy in department.strategies.items():
            _strategy_known(f"{path}.strategies.{channel}", strategy, report)
        _strategy_known(f"{path}.default_strategy", department.default_strategy, report)
    return found


def _strategy_known(path: str, name: str, report: Report) -> None:
    try:
        strategy_registry.factory(name)
    except UnknownStrategyError as error:
        hint = "register it with agentroute.strategies.register() before restoring"
        report((path, f"{error}; {hint}"))


def _check_agents(snapshot: Snapshot, departments: dict[str, Department], report: Report) -> None:
    seen: set[str] = set()
    owner: str | None = None
    tick = snapshot.counters.tick
    for index, state in enumerate(snapshot.agents):
        path = f"agents[{index}]"
        agent = state.agent
        if agent.id in seen:
            report((f"{path}.agent.id", f"agent {agent.id!r} appears twice"))
        seen.add(agent.id)
        if agent.role == "owner":
            if owner is not None:
                report((f"{path}.agent.role", f"a second owner; {owner!r} is the owner"))
            owner = agent.id
        for department in agent.departments:
            if department not in departments:
                report((f"{path}.agent.departments", f"unknown department {department!r}"))
        if sorted(state.seats) != sorted(agent.capacity):
            problem = (
                f"channels {sorted(state.seats)} differ from capacity {sorted(agent.capacity)}"
            )
            report((f"{path}.seats", problem))
        if state.forward_to == "":
            report((f"{path}.forward_to", "must be a device or null, not empty"))
        for channel in state.channels_off:
            if channel not in agent.capacity:
                report((f"{path}.channels_off", f"{channel!r} is not one of the agent's channels"))
        served = set(memberships(agent))
        for pair in state.departments_off:
            if pair not in served:
                problem = f"the agent does not serve {pair[1]!r} in {pair[0]!r}"
                report((f"{path}.departments_off", problem))
        for channel, seat in state.seats.items():
            for name in ("last_assigned", "idle_since"):
                if not 0 <= getattr(seat, name) <= tick:
                    report((f"{path}.seats.{channel}.{name}", f"must be from 0 to {tick}"))


def _check_items(
    snapshot: Snapshot, departments: dict[str, Department], report: Report
) -> dict[str, ItemEntry]:
    """Check every item on its own and against the agents; return the items by id."""
    agents = {state.agent.id: state for state in snapshot.agents}
    counters = snapshot.counters
    limit = snapshot.settings.history_limit
    seen: dict[str, ItemEntry] = {}
    arrivals: set[int] = set()
    bookings: set[int] = set()
    closes: set[int] = set()
    loads: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(snapshot.items):
        path = f"items[{index}]"
        item = entry.item
        if item.id in seen:
            report((f"{path}.item.id", f"item {item.id!r} appears twice"))
        seen[item.id] = entry
        if item.department not in departments or entry.department not in departments:
            for where, name in (
                (".item.department", item.department),
                (".department", entry.department),
            ):
                if name not in departments:
                    report((path + where, f"unknown department {name!r}"))
        _unique(path, ".arrival", entry.arrival, arrivals, counters.arrivals, report)
        rows = entry.history
        if (
            not rows
            or (limit is not None and len(rows) > limit)
            or ((rows[-1][3], rows[-1][5]) != (entry.department, entry.agent))
        ):
            _check_history(path, entry, limit, report)
        if entry.replies < 0:
            report((f"{path}.replies", "must be >= 0"))
        state = entry.state
        if (entry.booked is None) == (state == "assigned"):
            report((f"{path}.booked", "must be set exactly while the item is assigned"))
        elif entry.booked is not None:
            _unique(path, ".booked", entry.booked, bookings, counters.tick, report)
        if (entry.closed is None) == (state == "closed"):
            report((f"{path}.closed", "must be set exactly while the item is closed"))
        elif entry.closed is not None:
            _unique(path, ".closed", entry.closed, closes, counters.closes, report)
        if state == "queued" and entry.agent is not None:
            report((f"{path}.agent", "a waiting item has no agent"))
        if state == "assigned":
            holder = agents.get(entry.agent)  # type: ignore[arg-type]
            if holder is None:
                report((f"{path}.agent", f"unknown agent {entry.agent!r}"))
            elif item.channel not in holder.agent.capacity:
                problem = f"agent {entry.agent!r} has no capacity on {item.channel!r}"
                report((f"{path}.agent", problem))
            else:
                key = (holder.agent.id, item.channel)
                loads[key] = loads.get(key, 0) + 1
    retain = snapshot.settings.retain_closed
    if retain is not None and len(closes) > retain:
        report(("items", f"{len(closes)} closed items, more than retain_closed={retain}"))
    for index, agent_state in enumerate(snapshot.agents):
        for channel, seat in agent_state.seats.items():
            held = loads.get((agent_state.agent.id, channel), 0)
            if seat.load != held:
                problem = f"is {seat.load}, but {held} items are assigned to the agent there"
                report((f"agents[{index}].seats.{channel}.load", problem))
    return seen


def _unique(path: str, field: str, number: int, seen: set[int], top: int, report: Report) -> None:
    """Report *number* unless it is a new one from 1 to *top* (paths are built only to report)."""
    if not 1 <= number <= top:
        report((path + field, f"{number} is not from 1 to {top}, the counter"))
    elif number in seen:
        report((path + field, f"{number} is used twice"))
    seen.add(number)


def _check_history(path: str, entry: ItemEntry, limit: int | None, report: Report) -> None:
    rows = entry.history
    if not rows:
        report((f"{path}.history", "must hold at least one row"))
        return
    if limit is not None and len(rows) > limit:
        report((f"{path}.history", f"{len(rows)} rows, more than history_limit={limit}"))
    last = rows[-1]
    if (last[3], last[5]) != (entry.department, entry.agent):
        problem = (
            f"its last row gives owner ({last[3]!r}, {last[5]!r}), "
            f"not ({entry.department!r}, {entry.agent!r})"
        )
        report((f"{path}.history", problem))


def _check_queues(snapshot: Snapshot, entries: dict[str, ItemEntry], report: Report) -> None:
    placed: set[str] = set()
    lines: set[tuple[str, str]] = set()
    for index, queue in enumerate(snapshot.queues):
        path = f"queues[{index}]"
        where = (queue.department, queue.channel)
        if where in lines:
            report((path, f"a second queue for {where}"))
        lines.add(where)
        for name, ids in (("push", queue.push), ("pull", queue.pull)):
            previous = None
            for position, item_id in enumerate(ids):
                at = f"{path}.{name}[{position}]"
                entry = entries.get(item_id)
                if entry is None:
                    report((at, f"unknown item {item_id!r}"))
                    continue
                if item_id in placed:
                    report((at, f"item {item_id!r} waits twice"))
                placed.add(item_id)
                if entry.state != "queued" or (entry.department, entry.item.channel) != where:
                    problem = f"item {item_id!r} does not wait in {where} (it is {entry.state})"
                    report((at, problem))
                key = queue_key(entry.item, entry.arrival)
                if previous is not None and not previous < key:
                    report((at, f"item {item_id!r} is out of queue order"))
                previous = key
    for index, entry in enumerate(snapshot.items):
        if entry.state == "queued" and entry.item.id not in placed:
            report((f"items[{index}].state", "queued, but in no queue"))


def _check_customers(snapshot: Snapshot, report: Report) -> None:
    """Check the customer memory: within its limit, each customer once, numbers in order."""
    limit = snapshot.settings.remember_customers
    if limit is not None and limit < 0:
        report(("settings.remember_customers", "must be >= 0 or null"))
    entries = snapshot.customers
    if limit is not None and len(entries) > limit:
        report(("customers", f"{len(entries)} customers, more than remember_customers={limit}"))
    seen: set[str] = set()
    previous = 0
    for index, entry in enumerate(entries):
        if entry.customer in seen:
            report((f"customers[{index}].customer", f"{entry.customer!r} appears twice"))
        seen.add(entry.customer)
        if not previous < entry.seq <= snapshot.counters.customers:
            problem = f"{entry.seq} is not after {previous} and at most the counter"
            report((f"customers[{index}].seq", problem))
        previous = entry.seq


def _check_duties(snapshot: Snapshot, departments: dict[str, Department], report: Report) -> None:
    """Check each duty rotation names a department, turns and the one on duty, once."""
    seen: set[tuple[str, str]] = set()
    for index, duty in enumerate(snapshot.duties):
        path = f"duties[{index}]"
        where = (duty.department, duty.channel)
        if duty.department not in departments:
            report((f"{path}.department", f"unknown department {duty.department!r}"))
        if where in seen:
            report((path, f"a second rotation for {where}"))
        seen.add(where)
        if duty.on_duty not in duty.agents:
            report((f"{path}.on_duty", f"{duty.on_duty!r} is not one of the rotation's agents"))
        if not duty.period_s > 0:
            report((f"{path}.period_s", "must be > 0"))


def _check_timers(snapshot: Snapshot, report: Report) -> None:
    """Check each timer names a known kind and a live subject, and each break has its timer."""
    breaks = {s.agent.id: s.on_break.until for s in snapshot.agents if s.on_break is not None}
    subjects = {
        SHIFT: ({s.agent.id for s in snapshot.agents if s.schedule is not None}, "with a schedule"),
        OFFLINE: ({s.agent.id for s in snapshot.agents if s.presence == "offline"}, "offline"),
    }
    deadlines = {
        e.item.id for e in snapshot.items if e.state != "closed" and e.item.sla_deadline is not None
    }
    for kind in (SLA_WARNING, SLA_BREACH):
        subjects[kind] = (deadlines, "open with an SLA deadline")
    rotations = {json.dumps([d.department, d.channel]) for d in snapshot.duties}
    subjects[DUTY] = (rotations, "a duty rotation of")
    seen: set[int] = set()
    timed: set[tuple[str, str]] = set()
    for index, timer in enumerate(snapshot.timers):
        path = f"timers[{index}]"
        _unique(path, ".seq", timer.seq, seen, snapshot.counters.timers, report)
        name = (timer.kind, timer.key)
        if timer.kind not in TIMER_KINDS:
            known = ", ".join(sorted(TIMER_KINDS))
            report((f"{path}.kind", f"unknown timer kind {timer.kind!r} (known: {known})"))
        elif name in timed:
            report((path, f"a second {timer.kind!r} timer for {timer.key!r}"))
        elif timer.kind == BREAK and breaks.get(timer.key) != timer.due:
            problem = f"no agent {timer.key!r} whose break ends at {timer.due} waits for it"
            report((path, problem))
        elif timer.kind != BREAK and timer.key not in subjects[timer.kind][0]:
            noun = {SLA_WARNING: "item", SLA_BREACH: "item", DUTY: "channel"}.get(
                timer.kind, "agent"
            )
            report((path, f"no {noun} {timer.key!r} {subjects[timer.kind][1]} waits for it"))
        timed.add(name)
    for index, state in enumerate(snapshot.agents):
        path = f"agents[{index}]"
        if state.on_break is not None and (BREAK, state.agent.id) not in timed:
            report((f"{path}.on_break", "no timer ends this break"))
        if state.offline_since is not None and state.presence != "offline":
            report((f"{path}.offline_since", "is set, but the agent is not offline"))
        if state.off_shift and state.schedule is None:
            report((f"{path}.off_shift", "an agent without a schedule is never off shift"))


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
    core.timers.restore([(t.due, t.seq, t.kind, t.key) for t in snapshot.timers], counters.timers)
    for duty in snapshot.duties:  # before any pool exists: a new pool takes its duty from here
        rotation = Rotation(tuple(duty.agents), duty.period_s, duty.started_at, duty.on_duty)
        core.duties[duty.department, duty.channel] = rotation
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
    for record in registry.records():
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
