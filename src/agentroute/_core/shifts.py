"""
Working time: weekly schedules, and duty rotations on a department's channel.

Both follow the clock through timers: a ``shift`` timer per scheduled agent at
their next boundary, a ``duty`` timer per rotation at its next turn.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, NamedTuple

from agentroute._core import offers
from agentroute._core.agents import pools_of, sync_seats
from agentroute._core.timers import DUTY, SHIFT
from agentroute.commands import SetDutyRotation, SetSchedule
from agentroute.events import AgentShiftChanged, DutyChanged
from agentroute.model import Decision

if TYPE_CHECKING:
    from agentroute._core.core import Core

__all__ = ["Rotation", "duty_turn", "follow_schedule", "set_duty_rotation", "set_schedule"]


def set_schedule(core: Core, command: SetSchedule) -> list[Decision]:
    """Give an agent a working week (or take it away), and take them in or out of routing now."""
    record = core.registry.get(command.agent_id)
    core.undo.push(setattr, record, "schedule", record.schedule)
    record.schedule = command.schedule
    if command.schedule is None:
        core.timers.cancel(SHIFT, record.agent.id)
    return follow_schedule(core, record.agent.id, command.at)


def follow_schedule(core: Core, agent_id: str, at: float) -> list[Decision]:
    """Put an agent on or off shift as their schedule says at *at*, and time the next look."""
    record = core.registry.get(agent_id)
    schedule = record.schedule
    off = False
    if schedule is not None:
        on, change = schedule.look(at)
        off = not on
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
    if off:
        return offers.withdraw_unavailable(core, record, at)
    return core.dispatch.drain(pools_of(record), at)


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
    decisions = []
    for member in list(pool.members):  # offers ringing someone now off duty stop
        holder = core.registry.get(member)
        if holder.offers and pool.excludes(member):
            decisions += offers.withdraw_unavailable(core, holder, at)
    return decisions + core.dispatch.drain([pool], at)


def duty_turn(core: Core, key: str, at: float) -> list[Decision]:
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
