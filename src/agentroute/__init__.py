"""
agentroute: decide which human agent gets each ticket, chat and call.

Examples:
    >>> from agentroute import Router, Agent, Item
    >>> router = Router(seed=7)
    >>> router.add_department("billing", strategies={"chat": "least_busy"})
    >>> router.add_agent(Agent("ana", capacity={"chat": 3}, departments={"billing": {"chat"}}))
    >>> router.set_presence("ana", "online")
    []
    >>> router.assign(Item("c1", channel="chat", department="billing")).status
    'assigned'
"""

from __future__ import annotations

from agentroute import commands, config, events, journal, rules, strategies
from agentroute.candidates import Candidates, Unavailable
from agentroute.clock import Clock, ManualClock
from agentroute.errors import (
    AgentBusyError,
    AgentrouteError,
    DuplicateAgentError,
    DuplicateDepartmentError,
    DuplicateError,
    DuplicateItemError,
    DuplicateOwnerError,
    DuplicateRuleError,
    DuplicateStrategyError,
    HostCodeError,
    InvalidDataError,
    InvalidStateError,
    InvalidValueError,
    ItemClosedError,
    NotEligibleError,
    NotFoundError,
    NotOfferedError,
    PermissionDeniedError,
    ReentrantCallError,
    UnknownAgentError,
    UnknownDepartmentError,
    UnknownItemError,
    UnknownRuleError,
    UnknownStrategyError,
    UnsupportedVersionError,
)
from agentroute.estimates import WaitEstimate
from agentroute.events import Event, HandlerError, Subscription
from agentroute.explanation import Explanation, Ranked
from agentroute.model import (
    CALL,
    CHAT,
    TICKET,
    Agent,
    Decision,
    Department,
    Item,
    ItemState,
    ItemStatus,
    Mode,
    Presence,
    Role,
)
from agentroute.ownership import Action, ActorKind, HistoryEntry, Ownership
from agentroute.router import Router
from agentroute.rules import Rule
from agentroute.schedules import Schedule, Shift
from agentroute.strategies import Candidate, Strategy

__all__ = [
    "CALL",
    "CHAT",
    "TICKET",
    "Action",
    "ActorKind",
    "Agent",
    "AgentBusyError",
    "AgentrouteError",
    "Candidate",
    "Candidates",
    "Clock",
    "Decision",
    "Department",
    "DuplicateAgentError",
    "DuplicateDepartmentError",
    "DuplicateError",
    "DuplicateItemError",
    "DuplicateOwnerError",
    "DuplicateRuleError",
    "DuplicateStrategyError",
    "Event",
    "Explanation",
    "HandlerError",
    "HistoryEntry",
    "HostCodeError",
    "InvalidDataError",
    "InvalidStateError",
    "InvalidValueError",
    "Item",
    "ItemClosedError",
    "ItemState",
    "ItemStatus",
    "ManualClock",
    "Mode",
    "NotEligibleError",
    "NotFoundError",
    "NotOfferedError",
    "Ownership",
    "PermissionDeniedError",
    "Presence",
    "Ranked",
    "ReentrantCallError",
    "Role",
    "Router",
    "Rule",
    "Schedule",
    "Shift",
    "Strategy",
    "Subscription",
    "Unavailable",
    "UnknownAgentError",
    "UnknownDepartmentError",
    "UnknownItemError",
    "UnknownRuleError",
    "UnknownStrategyError",
    "UnsupportedVersionError",
    "WaitEstimate",
    "commands",
    "config",
    "events",
    "journal",
    "rules",
    "strategies",
]

__version__ = "0.2.0.dev0"
