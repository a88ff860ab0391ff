"""
Presence: online, away or offline, and sending an offline agent's work back after a wait.

Going offline keeps the agent's work unless a department says otherwise
(``requeue_offline_after_s``): then one ``offline`` timer per agent, due for
the first item that has waited long enough, sends such items back to routing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentroute._core import offers
from agentroute._core.agents import pools_of, sync_seats
from agentroute._core.registry import AgentRecord
from agentroute._core.timers import OFFLINE
from agentroute.commands import SetPresence
from agentroute.events import AgentPresenceChanged
from agentroute.model import Decision, Presence

if TYPE_CHECKING:
    from agentroute._core.core import Core

__all__ = ["offline_over", "set_presence"]


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
    unrung = offers.withdraw_unavailable(core, record, command.at)
    return [*unrung, *core.dispatch.drain(pools_of(record), command.at)]


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


def offline_over(core: Core, agent_id: str, at: float) -> list[Decision]:
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
