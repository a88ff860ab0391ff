"""
The router's state, and the one function that applies commands to it.

`Core.apply` runs a command's handler and, if anything raises (a bad
argument found late, a host's strategy, an internal error), replays the
undo log so the state is exactly as before, and drops the call's events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agentroute._core import (
    agents,
    availability,
    breaks,
    offers,
    presence,
    reservations,
    rules,
    shifts,
    sla,
    work,
)
from agentroute._core.customers import CustomerMemory
from agentroute._core.dispatch import Dispatch
from agentroute._core.eligibility import barriers
from agentroute._core.handling import HandlingTimes
from agentroute._core.items import TRANSITIONS, ItemRecord, ItemStore
from agentroute._core.ledger import Ledger
from agentroute._core.pools import HostGuard, Pool, Pools
from agentroute._core.queue import QueueKey
from agentroute._core.registry import AgentRecord, Registry, Seat
from agentroute._core.rng import SplitMix
from agentroute._core.timers import Timers
from agentroute._core.undo import UndoLog
from agentroute.commands import (
    Accept,
    AddAgent,
    AddDepartment,
    AddRule,
    Advance,
    Assign,
    Claim,
    Close,
    Command,
    Decline,
    EndBreak,
    Forget,
    NextFor,
    RemoveAgent,
    RemoveRule,
    Reopen,
    Reply,
    Requeue,
    SetCapacity,
    SetChannel,
    SetDutyRotation,
    SetForwarding,
    SetPresence,
    SetRuleActive,
    SetSchedule,
    SetSelfService,
    StartBreak,
    Transfer,
    UpdateAgent,
)
from agentroute.errors import (
    HostCodeError,
    InvalidValueError,
    ReentrantCallError,
    UnknownDepartmentError,
)
from agentroute.events import EventBus
from agentroute.journal import Journal, encode
from agentroute.model import Agent, Department
from agentroute.rules import Rule
from agentroute.strategies import Strategy, StrategyFactory

__all__ = ["Core"]

_HANDLERS: dict[type[Any], Callable[[Core, Any], Any]] = {
    AddDepartment: agents.add_department,
    AddAgent: agents.add_agent,
    UpdateAgent: agents.update_agent,
    RemoveAgent: agents.remove_agent,
    SetPresence: presence.set_presence,
    SetChannel: agents.set_channel,
    SetSelfService: agents.set_self_service,
    SetCapacity: agents.set_capacity,
    Assign: work.assign,
    Close: work.close,
    Forget: work.forget,
    Transfer: work.transfer,
    Claim: work.claim,
    NextFor: work.next_for,
    Reopen: work.reopen,
    Reply: work.reply,
    Requeue: work.requeue,
    Accept: offers.accept,
    Decline: offers.decline,
    AddRule: rules.add_rule,
    RemoveRule: rules.remove_rule,
    SetRuleActive: rules.set_rule_active,
    StartBreak: breaks.start_break,
    EndBreak: breaks.end_break,
    SetSchedule: shifts.set_schedule,
    SetForwarding: agents.set_forwarding,
    SetDutyRotation: shifts.set_duty_rotation,
    Advance: availability.advance,
}


class Core:
    """
    The real state and the indexes derived from it, with the handlers' tools.

    Real: departments, agents, items, owners, queues' order, the generator
    and the counters. Derived: the pools' free indexes.
    """

    def __init__(
        self,
        *,
        seed: int,
        default_strategy: str,
        self_service: bool,
        retain_closed: int | None,
        history_limit: int | None,
        bus: EventBus,
        remember_customers: int | None = None,
    ) -> None:
        self.journal: Journal | None = None
        """Called with each applied command's entry before it is committed; see `apply`."""
        self.entries = 0
        """Commands applied so far: the ``seq`` of the latest journal entry."""
        self.undo = UndoLog()
        self._steps = self.undo.steps
        self._applying = False
        """A command is being applied: a second one now could only come from host code."""
        self.guard = HostGuard()
        self.bus = bus
        self.default_strategy = default_strategy
        self.self_service = self_service
        self.departments: dict[str, Department] = {}
        self.factories: dict[tuple[str, str], StrategyFactory] = {}
        """Per (department, strategy name), the factory registered when the department was added."""
        self.registry = Registry()
        self.ledger = Ledger(self.undo, history_limit)
        self.items = ItemStore(self.undo, self.ledger, retain_closed)
        self.pools = Pools(self.undo, self.guard, self._strategy)
        self.rng = SplitMix(seed)
        self.customers = CustomerMemory(self.undo, remember_customers)
        self.timers = Timers(self.undo)
        self.handling = HandlingTimes(self.undo)
        """Observed handling times per (department, channel), for wait estimates."""
        self.rules: dict[str, Rule] = {}
        """The routing rules by name, in the order they run."""
        self.duties: dict[tuple[str, str], shifts.Rotation] = {}
        """Duty rotations by (department, channel), with who is on duty now."""
        self.dispatch = Dispatch(
            self.registry,
            self.items,
            self.ledger,
            bus,
            self.undo,
            self.guard,
            self.rng,
            self.customers,
            self.timers,
        )

    def apply(self, command: Command) -> Any:
        """Apply *command* completely, or not at all, and return the call's result."""
        if self._applying:
            raise ReentrantCallError(self.guard.running or "host code")
        handler = _HANDLERS[type(command)]
        pending = len(self.bus.pending)
        rng = self.rng
        drawn = rng.state
        self._applying = True
        try:
            result = handler(self, command)
            if self.journal is not None:
                self._write(command, self.entries + 1)
        except BaseException:
            self.undo.rollback()
            rng.state = drawn
            self.bus.discard_after(pending)
            raise
        finally:
            self._applying = False
        self._steps.clear()  # commit
        self.entries += 1
        return result

    def _write(self, command: Command, seq: int) -> None:
        """Hand the host the entry of a command that succeeded; if it fails, the call fails."""
        entry = encode(command, seq)
        guard = self.guard
        guard.running = "journal"
        try:
            self.journal(entry)  # type: ignore[misc]
        except Exception as error:
            raise HostCodeError("journal", f"raised {error!r}") from error
        finally:
            guard.running = None

    # -- lookups that raise the public errors --------------------------------------

    def department(self, name: str) -> Department:
        """Return a department's settings, or raise `UnknownDepartmentError`."""
        department = self.departments.get(name) if isinstance(name, str) else None
        if department is None:
            raise UnknownDepartmentError(name, self.departments)
        return department

    def pool(self, department: str, channel: str) -> Pool:
        """Return the pool of (*department*, *channel*), creating it on first use."""
        pool = self.pools.get(department, channel)
        if pool is None:
            pool = self.pools.create(self.department(department), channel)
            rotation = self.duties.get((department, channel))
            if rotation is not None:
                pool.duty = rotation.on_duty  # a new pool: its creation is undone as a whole
        return pool

    def home(self, record: ItemRecord) -> Pool:
        """Return the live pool of an item's department and channel, and point the item at it."""
        pool = record.pool
        if pool.dropped:
            pool = self.pool(record.department, record.item.channel)
            self.dispatch.move_item(record, pool)
        return pool

    def seat(self, record: AgentRecord, channel: str) -> Seat:
        """Return an agent's seat on *channel*, or raise `InvalidValueError`."""
        seat = record.seats.get(channel) if isinstance(channel, str) else None
        if seat is None:
            known = ", ".join(record.seats) or "none"
            msg = (
                f"agent {record.agent.id!r} has no capacity on {channel!r} (has: {known}); "
                "give it one with set_capacity()"
            )
            raise InvalidValueError("channel", msg)
        return seat

    def actor(self, actor: str | None) -> Agent | None:
        """Return the acting agent's definition; None means the host itself."""
        return None if actor is None else self.registry.get(actor).agent

    def _strategy(self, settings: Department, channel: str) -> tuple[str, Strategy]:
        """Build the strategy of a new pool, naming the host's factory if it fails."""
        name = settings.strategy_for(channel)
        factory = self.factories[settings.name, name]
        culprit = f"strategy factory {name!r} for ({settings.name!r}, {channel!r})"
        self.guard.running = culprit
        try:
            strategy = factory()
        except Exception as error:
            raise HostCodeError(culprit, f"raised {error!r}") from error
        finally:
            self.guard.running = None
        if not isinstance(strategy, Strategy):
            raise HostCodeError(culprit, f"built {strategy!r}, which has no rank() and choose()")
        return name, strategy

    # -- checks for tests ----------------------------------------------------------

    def check(self, now: float | None = None) -> None:
        """
        Assert every derived index agrees with the real state; for tests.

        With *now*, also that every open item whose deadline is ahead has its
        breach timer: on the schedule while it waits, held while answered.
        """
        everything = self.dispatch.pushes_everything
        records = self.items.records
        for pool in self.pools.all():
            pool._check()
            pool.queue._check()
            assert not pool.is_idle, f"idle {pool} was kept"
            assert not pool.dropped
            pushable = pool.queue.has_work(everything)
            assert not (pushable and pool.has_free), f"work waits beside {pool}"
            _check_reserved(self, pool)
            for member, seat in pool.members.items():
                reasons = barriers(self.registry.get(member), pool)
                assert (pool.free_seat(member) is seat) == (not reasons), (pool, member, reasons)
            for item_id in pool.queue.item_ids():
                assert records[item_id].state == "queued", item_id
                assert records[item_id].pool is pool, item_id
        assert not self.undo.steps
        closed = 0
        for item_id, record in records.items():
            assert record.state in TRANSITIONS
            closed += record.state == "closed"
            _check_item(self, item_id, record, now)
        assert closed == self.items.closed_count
        retain = self.items.retain
        assert retain is None or closed <= retain
        for agent in self.registry.records():
            for channel, seat in agent.seats.items():
                held = [i for i in agent.items if records[i].item.channel == channel]
                ringing = [i for i in agent.offers if records[i].item.channel == channel]
                assert seat.ringing == len(ringing), (seat, ringing)
                assert seat.load == len(held) + len(ringing), (seat, held, ringing)
                assert seat.wallet is agent.wallet
                assert seat.cost == agent.agent.cost(channel)
                assert seat.enabled == agent.seat_enabled(channel)
                assert seat.limit == agent.agent.capacity[channel]
            wallet = agent.wallet
            assert (wallet is None) == (agent.agent.units is None)
            if wallet is not None:
                assert wallet.budget == agent.agent.units
                assert wallet.seats is agent.seats
                spent = [*agent.items, *agent.offers]
                assert wallet.used == sum(agent.agent.cost(records[i].item.channel) for i in spent)
            for item_id in agent.offers:
                assert agent.agent.id in records[item_id].offers, item_id
                # whoever an offer rings can take it: every change that stops that withdraws it
                assert not barriers(agent, records[item_id].pool, freeing=1), (agent, item_id)
            for department, channel in agent.department_off:
                switched = self.pools.get(department, channel)
                assert switched is not None
                assert agent.agent.id in switched.off
        owners = [r.agent.id for r in self.registry.records() if r.agent.role == "owner"]
        assert owners == ([] if self.registry.owner is None else [self.registry.owner])


def _check_reserved(core: Core, pool: Pool) -> None:
    """Assert the items waiting for particular agents of *pool* match the item records."""
    waiting: dict[str, list[QueueKey]] = {}
    for record in core.items.records.values():
        if record.waiting_for and record.pool is pool:
            for agent in record.waiting_for:
                waiting.setdefault(agent, []).append(record.key)
    lines = {agent: list(line) for agent, line in pool.reserved.by_agent.items()}
    assert lines == {agent: sorted(keys) for agent, keys in waiting.items()}, (lines, waiting)
    for agent in lines:
        assert agent in pool.members, agent
        assert pool.free_seat(agent) is None, f"work waits for free {agent!r} in {pool}"


def _check_item(core: Core, item_id: str, record: ItemRecord, now: float | None) -> None:
    assert record.item.id == item_id
    assert (record.closed_number != 0) == (record.state == "closed")
    if record.state == "assigned":
        seat = record.seat
        assert seat is not None
        assert seat.held.get(item_id) is not None
        assert core.registry.get(seat.agent).items is seat.held
        assert record.agent == seat.agent
    else:
        assert record.seat is None
    if record.state == "offered":
        assert record.agent is None
        assert record.offers, item_id
        assert core.timers.due(offers.OFFER, item_id) is not None
        for agent in record.offers:
            assert item_id in core.registry.get(agent).offers
    else:
        assert not record.offers, item_id
    if record.waiting_for:
        assert record.state == "queued", item_id
        assert item_id not in record.pool.queue.item_ids(), item_id
        settings = record.pool.settings
        label = "dedicated" if record.item.group in settings.dedicated else "sticky"
        wait = settings.dedicated_wait_s if label == "dedicated" else settings.sticky_wait_s
        timed = core.timers.due(reservations.RESERVED, item_id) is not None
        assert timed == (wait is not None), item_id
    else:
        assert core.timers.due(reservations.RESERVED, item_id) is None, item_id
    if record.state == "queued":
        assert record.agent is None
        assert core.pools.get(record.department, record.item.channel) is record.pool
    for kind in (sla.SLA_WARNING, sla.SLA_BREACH):  # counting only while the item waits
        if record.state not in sla.UNANSWERED:
            assert core.timers.due(kind, item_id) is None, (kind, item_id)
        if core.timers.is_held(kind, item_id):
            assert record.state == "assigned", (kind, item_id)
    deadline = record.item.sla_deadline
    if now is not None and deadline is not None and deadline > now and record.state != "closed":
        if record.state == "assigned":
            assert core.timers.is_held(sla.SLA_BREACH, item_id), item_id
        else:
            assert core.timers.due(sla.SLA_BREACH, item_id) == deadline, item_id
    assert core.ledger.agent(item_id) == record.agent
    assert core.ledger.owner(item_id).department == record.department
