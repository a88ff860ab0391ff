"""
One immutable command per mutating call of the router.

A command holds the operation's arguments and the clock reading the call
took before it changed anything, so applying it never reads a clock: the
same commands in the same order give the same state and decisions. They
are named tuples of plain values (and the library's own frozen models), so
they can become plain data for a journal.

Examples:
    >>> Close(at=12.5, item_id="c1", actor="ana", reason="solved")
    Close(at=12.5, item_id='c1', actor='ana', reason='solved')

Added in 0.2.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple, TypeAlias

from agentroute.model import Agent, Item, Mode, Presence
from agentroute.rules import Rule
from agentroute.schedules import Schedule

__all__ = [
    "Accept",
    "AddAgent",
    "AddDepartment",
    "AddRule",
    "Advance",
    "Assign",
    "Claim",
    "Close",
    "Command",
    "Decline",
    "EndBreak",
    "Forget",
    "NextFor",
    "RemoveAgent",
    "RemoveRule",
    "Reopen",
    "Reply",
    "Requeue",
    "SetCapacity",
    "SetChannel",
    "SetDutyRotation",
    "SetForwarding",
    "SetPresence",
    "SetRuleActive",
    "SetSchedule",
    "SetSelfService",
    "StartBreak",
    "Transfer",
    "UpdateAgent",
]


class AddDepartment(NamedTuple):
    """``Router.add_department()``."""

    at: float
    name: str
    strategies: Mapping[str, str]
    default_strategy: str | None
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
    dedicated: Mapping[str, tuple[str, ...]]
    dedicated_wait_s: float | None


class AddAgent(NamedTuple):
    """``Router.add_agent()``."""

    at: float
    agent: Agent


class UpdateAgent(NamedTuple):
    """``Router.update_agent()``."""

    at: float
    agent: Agent
    requeue: bool


class RemoveAgent(NamedTuple):
    """``Router.remove_agent()``."""

    at: float
    agent_id: str
    requeue: bool


class SetPresence(NamedTuple):
    """``Router.set_presence()``."""

    at: float
    agent_id: str
    presence: Presence


class SetChannel(NamedTuple):
    """``Router.set_channel()``."""

    at: float
    agent_id: str
    channel: str
    enabled: bool
    department: str | None
    actor: str | None


class SetSelfService(NamedTuple):
    """``Router.set_self_service()``."""

    at: float
    enabled: bool
    actor: str | None


class SetCapacity(NamedTuple):
    """``Router.set_capacity()``."""

    at: float
    agent_id: str
    channel: str
    limit: int


class Assign(NamedTuple):
    """``Router.assign()``."""

    at: float
    item: Item


class Close(NamedTuple):
    """``Router.close()``."""

    at: float
    item_id: str
    actor: str | None
    reason: str | None


class Forget(NamedTuple):
    """``Router.forget()``."""

    at: float
    item_id: str


class Transfer(NamedTuple):
    """``Router.transfer()``."""

    at: float
    item_id: str
    to_agent: str | None
    to_department: str | None
    actor: str | None
    reason: str | None
    force: bool
    route: bool


class Claim(NamedTuple):
    """``Router.claim()``."""

    at: float
    item_id: str
    agent_id: str
    actor: str | None


class NextFor(NamedTuple):
    """``Router.next_for()``."""

    at: float
    agent_id: str
    actor: str | None


class Reopen(NamedTuple):
    """``Router.reopen()``."""

    at: float
    item_id: str
    actor: str | None


class Reply(NamedTuple):
    """``Router.reply()``."""

    at: float
    item_id: str


class Requeue(NamedTuple):
    """``Router.requeue()``."""

    at: float
    item_id: str
    actor: str | None
    reason: str | None


class Accept(NamedTuple):
    """``Router.accept()``."""

    at: float
    item_id: str
    agent_id: str


class Decline(NamedTuple):
    """``Router.decline()``."""

    at: float
    item_id: str
    agent_id: str


class AddRule(NamedTuple):
    """``Router.add_rule()``."""

    at: float
    rule: Rule


class RemoveRule(NamedTuple):
    """``Router.remove_rule()``."""

    at: float
    name: str


class SetRuleActive(NamedTuple):
    """``Router.set_rule_active()``."""

    at: float
    name: str
    active: bool


class StartBreak(NamedTuple):
    """``Router.start_break()``."""

    at: float
    agent_id: str
    seconds: float
    reason: str | None


class EndBreak(NamedTuple):
    """``Router.end_break()``."""

    at: float
    agent_id: str


class SetSchedule(NamedTuple):
    """``Router.set_schedule()``."""

    at: float
    agent_id: str
    schedule: Schedule | None


class SetForwarding(NamedTuple):
    """``Router.set_forwarding()``."""

    at: float
    agent_id: str
    device: str | None


class SetDutyRotation(NamedTuple):
    """``Router.set_duty_rotation()``."""

    at: float
    department: str
    channel: str
    agents: tuple[str, ...] | None
    period_s: float


class Advance(NamedTuple):
    """``Router.advance()``: fire every timer due at *at*."""

    at: float


Command: TypeAlias = (
    AddDepartment
    | AddAgent
    | UpdateAgent
    | RemoveAgent
    | SetPresence
    | SetChannel
    | SetSelfService
    | SetCapacity
    | Assign
    | Close
    | Forget
    | Transfer
    | Claim
    | NextFor
    | Reopen
    | Reply
    | Requeue
    | Accept
    | Decline
    | AddRule
    | RemoveRule
    | SetRuleActive
    | StartBreak
    | EndBreak
    | SetSchedule
    | SetForwarding
    | SetDutyRotation
    | Advance
)
"""Any command the router applies."""
