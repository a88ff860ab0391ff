"""
agentroute: decide which human agent gets each ticket, chat and call.

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

from agentroute import strategies
from agentroute.clock import Clock, ManualClock
from agentroute.errors import (
    AgentBusyError,
    AgentrouteError,
    DuplicateAgentError,
    DuplicateDepartmentError,
    DuplicateError,
    DuplicateItemError,
    DuplicateStrategyError,
    InvalidStateError,
    InvalidValueError,
    ItemClosedError,
    NotFoundError,
    UnknownAgentError,
    UnknownDepartmentError,
    UnknownItemError,
    UnknownStrategyError,
)
from agentroute.model import (
    CALL,
    CHAT,
    TICKET,
    Agent,
    Decision,
    Item,
    ItemState,
    ItemStatus,
    Presence,
    Role,
)
from agentroute.router import Router
from agentroute.strategies import Candidate, Strategy

__all__ = [
    "CALL",
    "CHAT",
    "TICKET",
    "Agent",
    "AgentBusyError",
    "AgentrouteError",
    "Candidate",
    "Clock",
    "Decision",
    "DuplicateAgentError",
    "DuplicateDepartmentError",
    "DuplicateError",
    "DuplicateItemError",
    "DuplicateStrategyError",
    "InvalidStateError",
    "InvalidValueError",
    "Item",
    "ItemClosedError",
    "ItemState",
    "ItemStatus",
    "ManualClock",
    "NotFoundError",
    "Presence",
    "Role",
    "Router",
    "Strategy",
    "UnknownAgentError",
    "UnknownDepartmentError",
    "UnknownItemError",
    "UnknownStrategyError",
    "strategies",
]

__version__ = "0.1.0"
