"""
Command handlers for departments, agents, channel switches and capacity.

Each handler validates against the state and plans first, then changes it
through logged steps; `agentroute._core.core.Core.apply` undoes them all if
anything raises part-way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from agentroute._core import offers, reservations
from agentroute._core.pools import Pool
from agentroute._core.registry import AgentRecord, Seat, Wallet
from agentroute._core.timers import AGENT_KINDS
from agentroute.commands import (
    AddAgent,
    AddDepartment,
    RemoveAgent,
    SetCapacity,
    SetChannel,
    SetForwarding,
    SetSelfService,
    UpdateAgent,
)
from agentroute.errors import (
    AgentBusyError,
    DuplicateAgentError,
    DuplicateDepartmentError,
    DuplicateOwnerError,
    InvalidValueError,
)
from agentroute.model import Agent, Decision, Department
from agentroute.policies import permissions
from agentroute.strategies import _registry as strategy_registry

if TYPE_CHECKING:
    from agentroute._core.core import Core

__all__ = [
    "add_agent",
    "add_department",
    "memberships",
    "pools_of",
    "remove_agent",
    "set_capacity",
    "set_channel",
    "set_forwarding",
    "set_self_service",
    "update_agent",
]


def memberships(agent: Agent) -> list[tuple[str, str]]:
    """Return (department, channel) pairs the agent serves, in a stable order."""
    return [
        (department, channel)
        for department, channels in agent.departments.items()
        for channel in sorted(channels)
    ]


def pools_of(record: AgentRecord) -> list[Pool]:
    """Return every pool the agent belongs to, once per seat membership."""
    return [pool for seat in record.seats.values() for pool in seat.pools]


def add_department(core: Core, command: AddDepartment) -> None:
    """Create a department and resolve its strategies now, so a typo fails here."""
    name = command.name
    if name in core.departments:
        raise DuplicateDepartmentError(name)
    default = (
        core.default_strategy if command.default_strategy is None else command.default_strategy
    )
    settings = Department(
        name,
        strategies=command.strategies,
        default_strategy=default,
        mode=command.mode,
        unassign_on_close=command.unassign_on_close,
        allow_claims=command.allow_claims,
        requeue_offline_after_s=command.requeue_offline_after_s,
        sla_warning_s=command.sla_warning_s,
        sla_escalate_to=command.sla_escalate_to,
        sticky=command.sticky,
        sticky_max_age_s=command.sticky_max_age_s,
        ring_timeout_s=command.ring_timeout_s,
        sticky_wait_s=command.sticky_wait_s,
        dedicated=command.dedicated,
        dedicated_wait_s=command.dedicated_wait_s,
    )
    named = dict.fromkeys([*settings.strategies.values(), settings.default_strategy])
    factories = {(name, strategy): strategy_registry.factory(strategy) for strategy in named}
    steps = core.undo.steps
    for key, factory in factories.items():
        core.factories[key] = factory
        steps.append((core.factories.pop, key))
    core.departments[name] = settings
    steps.append((core.departments.pop, name))


def _check_agent(core: Core, agent: Agent) -> None:
    for department in agent.departments:
        core.department(department)
    owner = core.registry.owner
    if agent.role == "owner" and owner is not None and owner != agent.id:
        raise DuplicateOwnerError(agent.id, owner)


def add_agent(core: Core, command: AddAgent) -> None:
    """Register an agent, offline, as a member of the pools it serves."""
    agent = command.agent
    _check_agent(core, agent)
    if agent.id in core.registry:
        raise DuplicateAgentError(agent.id)
    pools = [(core.pool(d, c), c) for d, c in memberships(agent)]
    record = AgentRecord(agent)
    core.registry.put(record)
    core.undo.push(core.registry.drop, agent.id)
    for pool, channel in pools:
        pool.join(record.seats[channel])


def update_agent(core: Core, command: UpdateAgent) -> list[Decision]:
    """Replace an agent's definition; stranded work requeues only when allowed."""
    agent = command.agent
    _check_agent(core, agent)
    record = core.registry.get(agent.id)
    records = core.items.records
    old, new = set(memberships(record.agent)), set(memberships(agent))
    lost = old - new
    stranded = [
        item_id
        for item_id in record.held_in_order()
        if (records[item_id].department, records[item_id].item.channel) in lost
        or records[item_id].item.channel not in agent.capacity
    ]
    if stranded and not command.requeue:
        raise AgentBusyError(agent.id, stranded, "take that channel or department away")
    joining = [(core.pool(d, c), c) for d, c in memberships(agent) if (d, c) not in old]
    at = command.at
    for item_id in stranded:
        core.home(records[item_id])  # a forced transfer may have left it in a dropped pool
    released = core.dispatch.release(record, stranded, at)
    unrung, _ = offers.withdraw_agent(core, record, at, keep=new)
    unrung += reservations.release_agent(core, record, at, keep=new)
    steps = core.undo.steps
    left = []
    for department, channel in memberships(record.agent):
        if (department, channel) not in new:
            pool = core.pool(department, channel)
            pool.leave(record.seats[channel])
            left.append(pool)
            core.undo.flag(record.department_off, (department, channel), False)
    for channel in [c for c in record.seats if c not in agent.capacity]:
        steps.append((record.seats.__setitem__, channel, record.seats.pop(channel)))
        core.undo.flag(record.channels_off, channel, False)
    steps.append((setattr, record, "agent", record.agent))
    _set_owner(core, record.agent, agent)
    record.agent = agent
    for channel in agent.capacity:
        if channel not in record.seats:
            record.seats[channel] = record.new_seat(channel, 0)
            steps.append((record.seats.pop, channel))
    for pool, channel in joining:
        pool.join(record.seats[channel])
    _sync_units(core, record)
    sync_seats(core, record)
    over = offers.withdraw_unavailable(core, record, at)  # a lower limit or budget stops rings
    for pool in left:
        core.pools.discard_if_idle(pool)
    return over + core.dispatch.requeued([*released, *unrung], pools_of(record), at)


def _set_owner(core: Core, before: Agent, after: Agent) -> None:
    registry = core.registry
    if before.role != after.role and "owner" in (before.role, after.role):
        core.undo.push(setattr, registry, "owner", registry.owner)
        registry.owner = after.id if after.role == "owner" else None


def sync_seats(core: Core, record: AgentRecord) -> None:
    """Re-derive every seat's flag, priority and limit from the record, and refresh its pools."""
    steps = core.undo.steps
    capacity = record.agent.capacity
    priority = record.agent.priority
    for channel, seat in record.seats.items():
        steps.append((_restore_seat, seat, seat.enabled, seat.priority, seat.limit))
        seat.enabled = record.seat_enabled(channel)
        seat.priority = priority
        seat.limit = capacity[channel]
        seat.refresh()


def _sync_units(core: Core, record: AgentRecord) -> None:
    """Give the agent's seats a wallet for their (new) budget and costs; the caller refreshes."""
    steps = core.undo.steps
    agent = record.agent
    core.undo.push(setattr, record, "wallet", record.wallet)
    record.wallet = wallet = _wallet(core, record)
    for channel, seat in record.seats.items():
        steps.append((_restore_units, seat, seat.cost, seat.wallet))
        seat.cost = agent.cost(channel)
        seat.wallet = wallet


def _wallet(core: Core, record: AgentRecord) -> Wallet | None:
    """Return a new wallet for the agent's budget, counting what they hold and are offered."""
    agent = record.agent
    if agent.units is None:
        return None
    wallet = Wallet(agent.units, record.seats)
    records = core.items.records
    wallet.used = sum(
        agent.cost(records[item_id].item.channel) for item_id in [*record.items, *record.offers]
    )
    return wallet


def _restore_units(seat: Seat, cost: int, wallet: Wallet | None) -> None:
    seat.cost = cost
    seat.wallet = wallet


def _restore_seat(seat: Seat, enabled: bool, priority: int, limit: int) -> None:
    seat.enabled = enabled
    seat.priority = priority
    seat.limit = limit


def remove_agent(core: Core, command: RemoveAgent) -> list[Decision]:
    """Remove an agent; their work requeues only when allowed."""
    record = core.registry.get(command.agent_id)
    held = record.held_in_order()
    if held and not command.requeue:
        raise AgentBusyError(command.agent_id, held, "remove the agent")
    at = command.at
    for item_id in held:
        core.home(
            core.items.records[item_id]
        )  # a forced transfer may have left it in a dropped pool
    released = core.dispatch.release(record, held, at)
    unrung, _ = offers.withdraw_agent(core, record, at)
    unrung += reservations.release_agent(core, record, at)
    left = pools_of(record)
    for seat in record.seats.values():
        for pool in list(seat.pools):
            pool.leave(seat)
    registry = core.registry
    core.undo.push(registry.reset, registry.records(), registry.owner)
    for kind in AGENT_KINDS:  # their break, shift and offline timers go with them
        core.timers.cancel(kind, command.agent_id)
    forwards = registry.forwards
    core.undo.push(
        _restore_forward, forwards, command.agent_id, forwards.pop(command.agent_id, None)
    )
    registry.drop(command.agent_id)
    for pool in left:
        core.pools.discard_if_idle(pool)
    # A sole remaining agent is pushed pull work too.
    sole = registry.only()
    also = [] if sole is None else pools_of(sole)
    return core.dispatch.requeued([*released, *unrung], also, at)


def set_channel(core: Core, command: SetChannel) -> list[Decision]:
    """Switch a channel on or off for an agent, everywhere or in one department."""
    record = core.registry.get(command.agent_id)
    channel = command.channel
    seat = core.seat(record, channel)
    pool = None
    if command.department is not None:
        department = core.department(command.department).name
        pool = core.pools.get(department, channel)
        if pool is None or pool.members.get(record.agent.id) is not seat:
            msg = (
                f"agent {record.agent.id!r} does not serve {channel!r} in {department!r}; "
                "there is nothing to switch"
            )
            raise InvalidValueError("department", msg)
    permissions.check_channel_change(
        core.actor(command.actor), command.agent_id, self_service=core.self_service
    )
    off = not command.enabled
    if pool is not None:
        core.undo.flag(record.department_off, (pool.department, channel), off)
        pool.set_off(record.agent.id, off)
        pool.refresh(seat)
        unrung = offers.withdraw_unavailable(core, record, command.at) if off else []
        return [*unrung, *core.dispatch.drain([pool], command.at)]
    core.undo.flag(record.channels_off, channel, off)
    core.undo.steps.append((_restore_seat, seat, seat.enabled, seat.priority, seat.limit))
    seat.enabled = record.seat_enabled(channel)
    seat.refresh()
    unrung = offers.withdraw_unavailable(core, record, command.at) if off else []
    return [*unrung, *core.dispatch.drain(seat.pools, command.at)]


def set_forwarding(core: Core, command: SetForwarding) -> None:
    """Ring an agent's calls on a device of theirs, or stop (None)."""
    agent_id = core.registry.get(command.agent_id).agent.id
    forwards = core.registry.forwards
    core.undo.push(_restore_forward, forwards, agent_id, forwards.get(agent_id))
    if command.device is None:
        forwards.pop(agent_id, None)
    else:
        forwards[agent_id] = command.device


def _restore_forward(forwards: dict[str, str], agent_id: str, device: str | None) -> None:
    if device is None:
        forwards.pop(agent_id, None)
    else:
        forwards[agent_id] = device


def set_self_service(core: Core, command: SetSelfService) -> None:
    """Allow or forbid agents to switch their own channels."""
    permissions.check_administrator(core.actor(command.actor), "change self-service")
    core.undo.push(setattr, core, "self_service", core.self_service)
    core.self_service = command.enabled


def set_capacity(core: Core, command: SetCapacity) -> list[Decision]:
    """Set one channel's limit: an agent update that keeps everything else."""
    record = core.registry.get(command.agent_id)
    capacity = {**record.agent.capacity, command.channel: command.limit}
    agent = attrs.evolve(record.agent, capacity=capacity)
    return update_agent(core, UpdateAgent(command.at, agent, False))
