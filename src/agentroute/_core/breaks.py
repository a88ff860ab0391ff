"""
Breaks: an agent out of routing for a while, back when ``advance()`` says the time is up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentroute._core import offers
from agentroute._core.agents import pools_of, sync_seats
from agentroute._core.registry import AgentRecord
from agentroute._core.timers import BREAK
from agentroute.commands import EndBreak, StartBreak
from agentroute.errors import InvalidStateError
from agentroute.events import AgentBreakEnded, AgentBreakStarted
from agentroute.model import Decision

if TYPE_CHECKING:
    from agentroute._core.core import Core

__all__ = ["break_over", "end_break", "start_break"]


def start_break(core: Core, command: StartBreak) -> list[Decision]:
    """Take an agent out of routing until their break ends; a new break replaces one running."""
    record = core.registry.get(command.agent_id)
    until = command.at + command.seconds
    core.undo.push(_restore_break, record, record.break_until, record.break_reason)
    record.break_until = until
    record.break_reason = command.reason
    core.timers.set(BREAK, record.agent.id, until)
    sync_seats(core, record)
    if AgentBreakStarted.kind in core.bus.wanted:
        core.bus.emit(AgentBreakStarted(command.at, record.agent.id, until, command.reason))
    return offers.withdraw_unavailable(core, record, command.at)


def end_break(core: Core, command: EndBreak) -> list[Decision]:
    """End an agent's break before it is due; they take waiting work at once."""
    record = core.registry.get(command.agent_id)
    if record.break_until is None:
        msg = f"Agent {command.agent_id!r} is not on a break; start one with start_break()."
        raise InvalidStateError(msg)
    core.timers.cancel(BREAK, record.agent.id)
    return _end(core, record.agent.id, command.at, early=True)


def _end(core: Core, agent_id: str, at: float, *, early: bool) -> list[Decision]:
    record = core.registry.get(agent_id)
    core.undo.push(_restore_break, record, record.break_until, record.break_reason)
    record.break_until = None
    record.break_reason = None
    sync_seats(core, record)
    if AgentBreakEnded.kind in core.bus.wanted:
        core.bus.emit(AgentBreakEnded(at, agent_id, early))
    return core.dispatch.drain(pools_of(record), at)


def break_over(core: Core, agent_id: str, at: float) -> list[Decision]:
    return _end(core, agent_id, at, early=False)


def _restore_break(record: AgentRecord, until: float | None, reason: str | None) -> None:
    record.break_until = until
    record.break_reason = reason
