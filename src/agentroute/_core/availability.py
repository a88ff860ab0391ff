"""
Command handlers for availability: presence, breaks, schedules, and the timers behind them.

``advance`` is the only handler that fires timers: it takes each timer due at
the call's time, soonest first (equal times in the order they were set), and
runs what its kind says. Other calls never fire timers, so a host decides
when time passes by calling ``Router.advance()``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Final, NamedTuple

from agentroute._core import sla
from agentroute._core.agents import pools_of, sync_seats
from agentroute._core.registry import AgentRecord
from agentroute.commands import (
    Advance,
    EndBreak,
    SetDutyRotation,
    SetPresence,
    SetSchedule,
    StartBreak,
)
from agentroute.errors import InvalidStateError
from agentroute.events import (
    AgentBreakEnded,
    AgentBreakStarted,
    AgentPresenceChanged,
    AgentShiftChanged,
    DutyChanged,
)
from agentroute.model import Decision, Presence

if TYPE_CHECKING:
    from agentroute._core.core import Core

__all__ = [
    "BREAK",
    "DUTY",
    "OFFLINE",
    "SHIFT",
    "TIMER_KINDS",
    "Rotation",
    "advance",
    "end_break",
    "set_duty_rotation",
    "set_presence",
    "set_schedule",
    "start_break",
]

BREAK: Final = "break"
"""The timer kind that ends an agent's break; its key is the agent id."""

SHIFT: Final = "shift"
"""The timer kind that looks at an agent's schedule again; its key is the agent id."""

DUTY: Final = "duty"
"""The timer kind that passes duty on; its key is ``json.dumps([department, channel])``."""


class Rotation(NamedTuple):
    """Duty on a department's channel, passed round *agents* every *period_s* from *started_at*."""

    agents: tuple[str, ...]
    period_s: float
    started_at: float
    on_duty: str


def set_duty_rotation(core: Core, command: SetDutyRotation) -> list[Decision]:
    """Start, replace or end (no agents) a department's duty rotation on a channel."""
    department = core.department(command.department).name
    for agent_id in command.agents or ():
        core.registry.get(agent_id)
    where = (department, command.channel)
    duties = core.duties
    core.undo.push(_restore_duty, duties, where, duties.get(where))
    if command.agents is None:
        duties.pop(where, None)
        core.timers.cancel(DUTY, _duty_key(where))
        return _hand_duty(core, where, None, command.at)
    rotation = Rotation(command.agents, command.period_s, command.at, command.agents[0])
    duties[where] = rotation
    core.timers.set(DUTY, _duty_key(where), command.at + command.period_s)
    return _hand_duty(core, where, rotation.on_duty, command.at)


def _duty_key(where: tuple[str, str]) -> str:
    return json.dumps(list(where))


def _restore_duty(
    duties: dict[tuple[str, str], Rotation], where: tuple[str, str], rotation: Rotation | None
) -> None:
    if rotation is None:
        duties.pop(where, None)
    else:
        duties[where] = rotation


def _hand_duty(core: Core, where: tuple[str, str], agent: str | None, at: float) -> list[Decision]:
    """Put *agent* on duty in the live pool, say so, and let them take waiting work."""
    if DutyChanged.kind in core.bus.wanted:
        core.bus.emit(DutyChanged(at, where[0], where[1], agent))
    pool = core.pools.get(*where)
    if pool is None:
        return []
    pool.set_duty(agent)
    return core.dispatch.drain([pool], at)


def _duty_turn(core: Core, key: str, at: float) -> list[Decision]:
    """Pass duty to whoever's turn it is at *at*, and time the next turn."""
    department, channel = json.loads(key)
    where = (department, channel)
    rotation = core.duties[where]
    turns = int((at - rotation.started_at) // rotation.period_s)
    agent = rotation.agents[turns % len(rotation.agents)]
    core.undo.push(_restore_duty, core.duties, where, rotation)
    core.duties[where] = rotation._replace(on_duty=agent)
    core.timers.set(DUTY, key, rotation.started_at + (turns + 1) * rotation.period_s)
    if agent == rotation.on_duty:
        return []
    return _hand_duty(core, where, agent, at)


OFFLINE: Final = "offline"
"""The timer kind that sends an offline agent's work back to routing; its key is the agent id."""


def set_presence(core: Core, command: SetPresence) -> list[Decision]:
    """Set an agent online, away or offline; coming online takes waiting work."""
    record = core.registry.get(command.agent_id)
    previous = record.presence
    core.undo.push(_restore_presence, record, previous, record.offline_since)
    record.presence = command.presence
    if command.presence == "offline" and previous != "offline":
        record.offline_since = command.at
        _time_offline_requeue(core, record)
    elif command.presence != "offline":
        record.offline_since = None
        core.timers.cancel(OFFLINE, record.agent.id)
    sync_seats(core, record)
    if previous != command.presence and AgentPresenceChanged.kind in core.bus.wanted:
        event = AgentPresenceChanged(command.at, record.agent.id, command.presence, previous)
        core.bus.emit(event)
    return core.dispatch.drain(pools_of(record), command.at)


def _restore_presence(record: AgentRecord, presence: Presence, offline_since: float | None) -> None:
    record.presence = presence
    record.offline_since = offline_since


def _offline_due(core: Core, record: AgentRecord) -> dict[str, float]:
    """Return, per item the offline agent holds in a department that requeues, when it goes."""
    since: float = record.offline_since  # type: ignore[assignment]  # offline: always set
    due: dict[str, float] = {}
    records = core.items.records
    for item_id in record.held_in_order():
        wait = core.departments[records[item_id].department].requeue_offline_after_s
        if wait is not None:
            due[item_id] = since + wait
    return due


def _time_offline_requeue(core: Core, record: AgentRecord) -> None:
    """Set the agent's offline timer to the first of their items' requeue times, if any."""
    due = _offline_due(core, record)
    if due:
        core.timers.set(OFFLINE, record.agent.id, min(due.values()))
    else:
        core.timers.cancel(OFFLINE, record.agent.id)


def _offline_over(core: Core, agent_id: str, at: float) -> list[Decision]:
    """Send the work of an agent offline long enough back to routing; time the rest."""
    record = core.registry.get(agent_id)
    going = [item_id for item_id, due in _offline_due(core, record).items() if due <= at]
    for item_id in going:
        core.home(
            core.items.records[item_id]
        )  # a forced transfer may have left it in a dropped pool
    why = f"{agent_id!r} was offline longer than the department waits"
    released = core.dispatch.release(record, going, at, why)
    _time_offline_requeue(core, record)
    return core.dispatch.requeued(released, [], at)


def start_break(core: Core, command: StartBreak) -> None:
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


def _break_over(core: Core, agent_id: str, at: float) -> list[Decision]:
    return _end(core, agent_id, at, early=False)


def set_schedule(core: Core, command: SetSchedule) -> list[Decision]:
    """Give an agent a working week (or take it away), and take them in or out of routing now."""
    record = core.registry.get(command.agent_id)
    core.undo.push(setattr, record, "schedule", record.schedule)
    record.schedule = command.schedule
    if command.schedule is None:
        core.timers.cancel(SHIFT, record.agent.id)
    return _follow_schedule(core, record.agent.id, command.at)


def _follow_schedule(core: Core, agent_id: str, at: float) -> list[Decision]:
    """Put an agent on or off shift as their schedule says at *at*, and time the next look."""
    record = core.registry.get(agent_id)
    schedule = record.schedule
    off = schedule is not None and not schedule.is_on(at)
    if schedule is not None:
        change = schedule.next_change(at)
        if change is None:
            core.timers.cancel(SHIFT, agent_id)
        else:
            core.timers.set(SHIFT, agent_id, change)
    if off == record.off_shift:
        return []
    core.undo.push(setattr, record, "off_shift", record.off_shift)
    record.off_shift = off
    sync_seats(core, record)
    if AgentShiftChanged.kind in core.bus.wanted:
        core.bus.emit(AgentShiftChanged(at, agent_id, not off))
    return [] if off else core.dispatch.drain(pools_of(record), at)


def _restore_break(record: AgentRecord, until: float | None, reason: str | None) -> None:
    record.break_until = until
    record.break_reason = reason


TIMER_KINDS: Final[dict[str, Callable[[Core, str, float], list[Decision]]]] = {
    BREAK: _break_over,
    SHIFT: _follow_schedule,
    OFFLINE: _offline_over,
    DUTY: _duty_turn,
    sla.SLA_WARNING: sla.warn,
    sla.SLA_BREACH: sla.breach,
}
"""What each kind of timer does when it fires, given its key and the call's time."""


def advance(core: Core, command: Advance) -> list[Decision]:
    """Fire every timer due at the call's time, soonest first; return the decisions they caused."""
    decisions: list[Decision] = []
    timers = core.timers
    while (timer := timers.pop_due(command.at)) is not None:
        _, _, kind, key = timer
        decisions.extend(TIMER_KINDS[kind](core, key, command.at))
    return decisions
