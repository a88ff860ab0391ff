"""
The snapshot format: attrs records of all a router must remember, and the history-row hooks.

Plain ``attrs.define`` records rather than frozen ones: they live only while a snapshot is
written or read, and a frozen class's constructor costs four times as much, 120 000 times in a
large restore.
"""

from __future__ import annotations

import math
from itertools import product
from typing import Final, NoReturn, get_args

import attrs

from agentroute import _plain
from agentroute._core.ledger import Row
from agentroute.model import Agent, Item, ItemState, Mode, Presence
from agentroute.ownership import Action, ActorKind
from agentroute.rules import Rule
from agentroute.schedules import Schedule

__all__ = [
    "FORMAT",
    "VERSION",
    "AgentState",
    "BreakState",
    "Counters",
    "CustomerState",
    "DepartmentState",
    "DrawOrder",
    "DutyState",
    "HandlingState",
    "ItemEntry",
    "QueueState",
    "SeatState",
    "Settings",
    "Snapshot",
    "TimerState",
]

FORMAT: Final = "agentroute.snapshot"
VERSION: Final = 1


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
    ring_timeout_s: float
    sticky_wait_s: float
    dedicated: dict[str, list[str]]
    dedicated_wait_s: float | None


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
    missed: int


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
    """A timer: when it is due, its place among equal times, what it does to whom, if held."""

    due: float
    seq: int
    kind: str
    key: str
    held: bool = False
    """Off the schedule while an agent has the item (SLA timers only)."""


@attrs.define
class HandlingState:
    """Observed handling times of one (department, channel): samples and mean seconds."""

    department: str
    channel: str
    samples: int
    mean_s: float


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
    offers: list[str]
    waiting_for: list[str]
    assigned_at: float | None


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
    rules: list[Rule]
    handling: list[HandlingState]


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
