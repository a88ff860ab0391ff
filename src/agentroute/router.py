"""
The Router: the one object a host talks to.

It is a thin facade. Each call takes the router's lock, refuses to run
inside a strategy, reads the clock once, checks its arguments, and hands a
command (`agentroute.commands`) to the core, which applies it completely or
not at all. Then it delivers the call's events and returns.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any

from agentroute import journal as journal_format
from agentroute._core import state
from agentroute._core.core import Core
from agentroute.clock import Clock
from agentroute.commands import (
    AddAgent,
    AddDepartment,
    Advance,
    Assign,
    Claim,
    Close,
    Command,
    EndBreak,
    Forget,
    NextFor,
    RemoveAgent,
    Reopen,
    Reply,
    Requeue,
    SetCapacity,
    SetChannel,
    SetDutyRotation,
    SetForwarding,
    SetPresence,
    SetSchedule,
    SetSelfService,
    StartBreak,
    Transfer,
    UpdateAgent,
)
from agentroute.errors import (
    HostCodeError,
    InvalidDataError,
    InvalidValueError,
    ReentrantCallError,
)
from agentroute.events import EventBus, Handler, Subscription
from agentroute.model import (
    PRESENCES,
    Agent,
    Decision,
    Department,
    Item,
    ItemStatus,
    Mode,
    Presence,
    check_id,
    check_limit,
    check_priority,
    is_finite_number,
)
from agentroute.ownership import HistoryEntry, Ownership
from agentroute.schedules import Schedule
from agentroute.strategies import _registry as strategy_registry

__all__ = [
    "DEFAULT_HISTORY_LIMIT",
    "DEFAULT_REMEMBER_CUSTOMERS",
    "DEFAULT_RETAIN_CLOSED",
    "Router",
]

DEFAULT_RETAIN_CLOSED = 20_000
"""Closed items a router keeps by default, for ``reopen``, ``status`` and ``history``."""

DEFAULT_HISTORY_LIMIT = 1_000
"""History rows kept per item by default, newest last."""

DEFAULT_REMEMBER_CUSTOMERS = 100_000
"""Customers whose latest agent a router remembers by default, for sticky routing."""


class Router:
    """
    Decides who gets each item and keeps count of who holds what.

    Every call is atomic under one re-entrant lock, so threads may share a
    router; a call either completes or raises and changes nothing.

    Args:
        seed: Seeds the router's own random generator (used by ``random``).
        clock: Zero-argument callable returning POSIX seconds; the default
            is ``time.time``, tests pass a `ManualClock`. Read once per call.
        default_strategy: Strategy for any channel a department does not
            name; see `agentroute.strategies`.
        self_service: Let agents switch their own channels on and off;
            administrators always may.
        retain_closed: How many closed items to keep for ``reopen``,
            ``status`` and ``history``; the oldest is dropped first, at the
            close that exceeds the bound. None keeps every closed item.
        history_limit: History rows kept per item, newest last; None keeps all.
        remember_customers: How many customers' latest agent to remember,
            as handled in departments with ``sticky=True``; recording one more
            forgets the customer handled longest ago. None remembers all.
        journal: Called with a plain-data entry (`agentroute.journal`) for
            every successful call that may change the router, after the
            change and before the call returns; if it raises, the call is
            undone and raises `HostCodeError`. Store entries to replay them
            with `apply` after restoring a `snapshot`.

    Raises:
        InvalidValueError: An argument has the wrong type or value.
        UnknownStrategyError: *default_strategy* is not registered.

    Examples:
        >>> router = Router(seed=7)
        >>> router.add_department("billing", strategies={"chat": "least_busy"})
        >>> router.add_agent(Agent("ana", capacity={"chat": 2}, departments={"billing": {"chat"}}))
        >>> router.set_presence("ana", "online")
        []
        >>> router.assign(Item("c1", channel="chat", department="billing")).agent
        'ana'

    Added in 0.1. *retain_closed*, *history_limit*, *journal* and
    *remember_customers* added in 0.2.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        clock: Clock = time.time,
        default_strategy: str = "least_busy",
        self_service: bool = False,
        retain_closed: int | None = DEFAULT_RETAIN_CLOSED,
        history_limit: int | None = DEFAULT_HISTORY_LIMIT,
        journal: journal_format.Journal | None = None,
        remember_customers: int | None = DEFAULT_REMEMBER_CUSTOMERS,
    ) -> None:
        if type(seed) is not int:
            raise InvalidValueError("seed", f"must be an int, got {seed!r}")
        if not callable(clock):
            raise InvalidValueError("clock", f"must be a zero-argument callable, got {clock!r}")
        strategy_registry.factory(default_strategy)
        _check_bool("self_service", self_service)
        if retain_closed is not None:
            check_limit("retain_closed", retain_closed)
        if history_limit is not None and (type(history_limit) is not int or history_limit < 1):
            msg = f"must be an int >= 1 or None, got {history_limit!r}"
            raise InvalidValueError("history_limit", msg)
        if remember_customers is not None:
            check_limit("remember_customers", remember_customers)
        if journal is not None and not callable(journal):
            raise InvalidValueError("journal", f"must be a callable or None, got {journal!r}")
        self._lock = threading.RLock()
        self._clock = clock
        self._bus = EventBus(self._lock)
        self._core = Core(
            seed=seed,
            default_strategy=default_strategy,
            self_service=self_service,
            retain_closed=retain_closed,
            history_limit=history_limit,
            bus=self._bus,
            remember_customers=remember_customers,
        )
        self._core.journal = journal
        self._guard = self._core.guard

    # -- the way in ----------------------------------------------------------------

    def _enter(self) -> None:
        """Refuse a call made by a strategy while the router is mid-change."""
        running = self._guard.running
        if running is not None:
            raise ReentrantCallError(running)

    def _now(self) -> float:
        """Read the clock once, refusing anything but finite seconds."""
        try:
            now = self._clock()
        except Exception as error:
            raise HostCodeError("clock", f"raised {error!r}") from error
        if type(now) is float and now - now == 0.0:
            return now
        return _seconds(now)

    def _run(self, command: Command) -> Any:
        """Apply *command*, then deliver its events; the caller holds the lock."""
        result = self._core.apply(command)
        if self._bus.pending:
            self._bus.deliver(result)
        return result

    # -- snapshot, restore and replay ----------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """
        Return the router's whole state as plain, JSON-safe data.

        It holds departments, agents and their switches, every item the router
        remembers with its history, each queue's order, the counters and the
        random generator's state, and the options; not the clock, the journal
        or subscriptions. Two routers that took the same calls give equal
        snapshots, and `restore` of a snapshot snapshots to the same data.

        Examples:
            >>> router = Router(seed=7)
            >>> router.add_department("billing")
            >>> data = router.snapshot()
            >>> data["format"], data["version"], data["departments"][0]["name"]
            ('agentroute.snapshot', 1, 'billing')
            >>> Router.restore(data).snapshot() == data
            True

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            return state.capture_paused(self._core)

    @classmethod
    def restore(
        cls,
        data: Mapping[str, Any],
        *,
        clock: Clock | None = None,
        journal: journal_format.Journal | None = None,
        replay: Iterable[Mapping[str, Any]] = (),
    ) -> Router:
        """
        Build a router from a `snapshot`, identical to the one that took it.

        Custom strategies are looked up by their registered name, so register
        them first; each pool's strategy is built afresh by its factory, so a
        strategy must rank from what its candidates show, not from memory of
        its own. Subscriptions are not state: subscribe again.

        A release reads snapshots of every earlier version and refuses newer
        ones; the format is ``"agentroute.snapshot"``, version 1.

        Args:
            data: What `snapshot` returned, possibly through JSON.
            clock: As for `Router`; the default is ``time.time``.
            journal: As for `Router`; it hears the calls made after the restore,
                not the *replay*.
            replay: Journal entries to apply first, in order: those written after
                the snapshot (their ``seq`` continues ``data["counters"]["entries"]``).

        Raises:
            UnsupportedVersionError: *data* or an entry is not a snapshot or
                journal entry, or of a newer version.
            InvalidDataError: *data* or an entry is malformed or contradicts
                itself, or an entry is out of turn; the message lists every
                problem with its key path.
            HostCodeError: A custom strategy's factory failed.

        Added in 0.2.
        """
        router = cls(clock=time.time if clock is None else clock, journal=journal)  # checks both
        core = state.rebuild(data, router._bus)  # journals nothing until the replay is done
        router._core = core
        router._guard = core.guard
        for entry in replay:
            router.apply(entry)
        core.journal = journal
        return router

    def apply(self, entry: Mapping[str, Any]) -> Any:
        """
        Apply one journal entry, at its own time, and return what the original call returned.

        The call is made through the same method as the original, so it
        checks and journals exactly as the original did; the clock is not
        read. Entries must come in turn: the one whose ``seq`` follows the
        last applied (or made) call. Feed a restored router the entries
        journaled after its snapshot and it equals the original.

        Raises:
            UnsupportedVersionError: Not a journal entry, or of a newer version.
            InvalidDataError: The entry is malformed or out of turn; the message
                names the key path.
            AgentrouteError: Whatever the original call would raise in this state.

        Added in 0.2.
        """
        seq, command = journal_format.decode(entry)
        arguments = command._asdict()
        at = arguments.pop("at")
        method = getattr(self, entry["op"])
        with self._lock:
            self._enter()
            expected = self._core.entries + 1
            if seq != expected:
                problem = (
                    f"is {seq}, but this router has taken {expected - 1} calls, so the "
                    f"next entry is {expected}; an entry is missing or repeated"
                )
                raise InvalidDataError("journal entry", [("seq", problem)])
            clock = self._clock
            self._clock = lambda: at
            try:
                return method(**arguments)
            finally:
                self._clock = clock

    # -- departments ---------------------------------------------------------------

    def add_department(
        self,
        name: str,
        *,
        strategies: Mapping[str, str] | None = None,
        default_strategy: str | None = None,
        mode: Mode = "push",
        unassign_on_close: bool = False,
        allow_claims: bool = True,
        requeue_offline_after_s: float | None = None,
        sla_warning_s: float | None = None,
        sla_escalate_to: int | None = None,
        sticky: bool = False,
        sticky_max_age_s: float | None = None,
    ) -> None:
        """
        Create a department and choose how its work is routed.

        Args:
            name: The department's name.
            strategies: Strategy name per channel, e.g. ``{"chat": "least_busy"}``.
            default_strategy: Strategy for channels not in *strategies*;
                defaults to the router's.
            mode: ``"push"`` (a strategy assigns arrivals to free agents) or
                ``"pull"`` (arrivals wait until an agent claims them or asks
                for the next one; with a single agent in the router, that
                agent gets them at once when free).
            unassign_on_close: Closing an item also clears its responsible agent.
            allow_claims: Agents may claim waiting items out of queue order.
            requeue_offline_after_s: When an agent goes offline holding this
                department's items, `advance` sends them back to routing
                after this many seconds if the agent is still offline. None
                (the default) keeps the work with the agent.
            sla_warning_s: For an item with an ``sla_deadline`` still waiting
                this many seconds before it, `advance` emits ``sla_warning``;
                at the deadline it emits ``sla_breach`` whatever this is.
            sla_escalate_to: The priority (1 = most urgent) a waiting item gets
                when its deadline passes, if more urgent than its own.
            sticky: A new item of a ``customer`` goes to the agent who last
                handled that customer, if they are free and eligible here;
                otherwise the strategy chooses as usual.
            sticky_max_age_s: With *sticky*, only when that was at most this
                many seconds ago.

        Raises:
            InvalidValueError: An argument has the wrong type or value.
            DuplicateDepartmentError: The name is taken.
            UnknownStrategyError: A strategy name is not registered.

        Added in 0.1. *mode*, *unassign_on_close*, *allow_claims*,
        *requeue_offline_after_s*, *sla_warning_s*, *sla_escalate_to*, *sticky* and
        *sticky_max_age_s* added in 0.2.
        """
        check_id("department", name)
        if default_strategy is not None:
            check_id("default_strategy", default_strategy)
        if strategies is not None and not isinstance(strategies, Mapping):
            msg = f"must be a mapping of channel to strategy name, got {strategies!r}"
            raise InvalidValueError("Department.strategies", msg)
        chosen = {} if strategies is None else dict(strategies)
        _check_bool("sticky", sticky)
        for path, wait in (
            ("requeue_offline_after_s", requeue_offline_after_s),
            ("sla_warning_s", sla_warning_s),
            ("sticky_max_age_s", sticky_max_age_s),
        ):
            if wait is not None and (not is_finite_number(wait) or wait < 0):
                msg = f"must be None or seconds >= 0, got {wait!r}"
                raise InvalidValueError(path, msg)
        if sla_escalate_to is not None:
            check_priority("sla_escalate_to", sla_escalate_to)
        with self._lock:
            self._enter()
            command = AddDepartment(
                self._now(),
                name,
                chosen,
                default_strategy,
                mode,
                unassign_on_close,
                allow_claims,
                _seconds_or_none(requeue_offline_after_s),
                _seconds_or_none(sla_warning_s),
                sla_escalate_to,
                sticky,
                _seconds_or_none(sticky_max_age_s),
            )
            self._run(command)

    def department(self, name: str) -> Department:
        """
        Return a department's settings.

        Raises:
            UnknownDepartmentError: The department does not exist.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            return self._core.department(name)

    def departments(self) -> list[str]:
        """Return the department names in the order they were added."""
        with self._lock:
            self._enter()
            return list(self._core.departments)

    # -- agents --------------------------------------------------------------------

    def add_agent(self, agent: Agent) -> None:
        """
        Register *agent*; it is offline until `set_presence`.

        Raises:
            InvalidValueError: *agent* is not an `Agent`.
            DuplicateAgentError: The id is taken.
            DuplicateOwnerError: The agent's role is ``"owner"`` and the
                router has an owner already.
            UnknownDepartmentError: The agent names an unknown department.

        Added in 0.1.
        """
        _check_agent(agent)
        with self._lock:
            self._enter()
            self._run(AddAgent(self._now(), agent))

    def update_agent(self, agent: Agent, *, requeue: bool = False) -> list[Decision]:
        """
        Replace the definition of the agent with ``agent.id``.

        Current work stays with the agent, even above a lowered limit; new
        work waits until the load drops below it. Free slots gained by the
        change take waiting work at once.

        Args:
            agent: The new definition, e.g. ``attrs.evolve(router.agent("ana"), priority=5)``.
            requeue: Allow taking away a channel or department the agent
                holds work in; that work goes back to routing.

        Returns:
            The decisions for work that moved: dispatched from queues or requeued.

        Raises:
            InvalidValueError: *agent* is not an `Agent`, or *requeue* not a bool.
            UnknownAgentError: No agent has this id.
            UnknownDepartmentError: The agent names an unknown department.
            DuplicateOwnerError: The new role is ``"owner"`` and another agent is.
            AgentBusyError: The change strands work and *requeue* is false.

        Added in 0.1.
        """
        _check_agent(agent)
        _check_bool("requeue", requeue)
        with self._lock:
            self._enter()
            result: list[Decision] = self._run(UpdateAgent(self._now(), agent, requeue))
            return result

    def remove_agent(self, agent_id: str, *, requeue: bool = False) -> list[Decision]:
        """
        Remove an agent.

        Args:
            agent_id: The agent to remove.
            requeue: Allow removing an agent who holds work; that work goes
                back to routing, keeping its place in line.

        Returns:
            The decisions for the requeued work.

        Raises:
            UnknownAgentError: No agent has this id.
            InvalidValueError: *requeue* is not a bool.
            AgentBusyError: The agent holds work and *requeue* is false.

        Added in 0.1.
        """
        with self._lock:
            self._enter()
            self._core.registry.get(agent_id)
            _check_bool("requeue", requeue)
            result: list[Decision] = self._run(RemoveAgent(self._now(), agent_id, requeue))
            return result

    def set_presence(self, agent_id: str, presence: Presence) -> list[Decision]:
        """
        Set an agent ``"online"``, ``"away"`` or ``"offline"``.

        Only online agents get new work; going away or offline keeps current
        work. Coming online takes waiting work at once.

        Returns:
            The decisions for work dispatched to free slots.

        Raises:
            UnknownAgentError: No agent has this id.
            InvalidValueError: *presence* is not one of the three.

        Added in 0.1.
        """
        with self._lock:
            self._enter()
            self._core.registry.get(agent_id)
            if presence not in PRESENCES:
                msg = f"must be one of {', '.join(PRESENCES)}, got {presence!r}"
                raise InvalidValueError("presence", msg)
            result: list[Decision] = self._run(SetPresence(self._now(), agent_id, presence))
            return result

    def set_channel(
        self,
        agent_id: str,
        channel: str,
        *,
        enabled: bool,
        department: str | None = None,
        actor: str | None = None,
    ) -> list[Decision]:
        """
        Switch one channel on or off for an agent, everywhere or in one department.

        Switching off keeps current work on that channel; switching on takes
        waiting work at once. The switch for all departments and the switch
        for one department are independent: the agent gets work of a
        department on a channel only when both are on.

        Args:
            agent_id: The agent whose channel changes.
            channel: The channel, which the agent must have capacity on.
            enabled: On (True) or off (False).
            department: Switch the channel for this department only; the
                agent must serve the channel there.
            actor: Who asks; None is the host. An agent may switch only their
                own channels, and only when self-service is on.

        Returns:
            The decisions for work dispatched to free slots.

        Raises:
            UnknownAgentError: The agent or the actor is unknown.
            UnknownDepartmentError: *department* does not exist.
            InvalidValueError: The agent has no capacity on *channel*, does not
                serve it in *department*, or *enabled* is not a bool.
            PermissionDeniedError: The actor may not change this agent's channels.

        Examples:
            >>> router = Router()
            >>> router.add_department("sales")
            >>> router.add_department("support")
            >>> both = {"sales": {"chat"}, "support": {"chat"}}
            >>> router.add_agent(Agent("ana", capacity={"chat": 2}, departments=both))
            >>> _ = router.set_presence("ana", "online")
            >>> router.set_channel("ana", "chat", enabled=False, department="sales")
            []
            >>> router.assign(Item("s1", channel="chat", department="sales")).status
            'queued'
            >>> router.assign(Item("h1", channel="chat", department="support")).agent
            'ana'

        Added in 0.1. *actor* and *department* added in 0.2.
        """
        _check_bool("enabled", enabled)
        with self._lock:
            self._enter()
            core = self._core
            core.seat(core.registry.get(agent_id), channel)
            command = SetChannel(self._now(), agent_id, channel, enabled, department, actor)
            result: list[Decision] = self._run(command)
            return result

    def set_self_service(self, enabled: bool, *, actor: str | None = None) -> None:
        """
        Allow or forbid agents to switch their own channels on and off.

        Raises:
            InvalidValueError: *enabled* is not a bool.
            UnknownAgentError: The actor is unknown.
            PermissionDeniedError: The actor is not an owner or administrator.

        Added in 0.2.
        """
        _check_bool("enabled", enabled)
        with self._lock:
            self._enter()
            self._run(SetSelfService(self._now(), enabled, actor))

    @property
    def self_service(self) -> bool:
        """Tell whether agents may switch their own channels on and off."""
        with self._lock:
            return self._core.self_service

    def set_capacity(self, agent_id: str, channel: str, limit: int) -> list[Decision]:
        """
        Set how many items of *channel* an agent may hold at once.

        Lowering below the current load keeps that work and blocks new work
        until the load drops; raising takes waiting work at once.

        Returns:
            The decisions for work dispatched to free slots.

        Raises:
            UnknownAgentError: No agent has this id.
            InvalidValueError: *channel* is empty or *limit* is not an int >= 0.

        Added in 0.1.
        """
        with self._lock:
            self._enter()
            self._core.registry.get(agent_id)
            check_id("channel", channel)
            check_limit("limit", limit)
            result: list[Decision] = self._run(SetCapacity(self._now(), agent_id, channel, limit))
            return result

    def agent(self, agent_id: str) -> Agent:
        """
        Return the current definition of an agent.

        Raises:
            UnknownAgentError: No agent has this id.

        Added in 0.1.
        """
        with self._lock:
            self._enter()
            return self._core.registry.get(agent_id).agent

    def agent_ids(self) -> list[str]:
        """Return every agent id, in the order agents were added."""
        with self._lock:
            self._enter()
            return [record.agent.id for record in self._core.registry.records()]

    def presence(self, agent_id: str) -> Presence:
        """
        Return an agent's presence.

        Raises:
            UnknownAgentError: No agent has this id.
        """
        with self._lock:
            self._enter()
            return self._core.registry.get(agent_id).presence

    def channel_enabled(
        self, agent_id: str, channel: str, *, department: str | None = None
    ) -> bool:
        """
        Tell whether an agent has *channel* switched on (they may still be offline).

        With *department*, tell whether it is on for that department: both
        the switch for all departments and that department's own are on.

        Raises:
            UnknownAgentError: No agent has this id.
            UnknownDepartmentError: *department* does not exist.
            InvalidValueError: The agent has no capacity on *channel*.

        Added in 0.1. *department* added in 0.2.
        """
        with self._lock:
            self._enter()
            core = self._core
            record = core.registry.get(agent_id)
            core.seat(record, channel)
            on = channel not in record.channels_off
            if department is None:
                return on
            name = core.department(department).name
            return on and (name, channel) not in record.department_off

    def load(self, agent_id: str, channel: str | None = None) -> int:
        """
        Return how many items an agent holds on *channel*, or on all channels.

        Raises:
            UnknownAgentError: No agent has this id.

        Added in 0.1.
        """
        with self._lock:
            self._enter()
            record = self._core.registry.get(agent_id)
            if channel is None:
                return len(record.items)
            seat = record.seats.get(check_id("channel", channel))
            return 0 if seat is None else seat.load

    def assigned_to(self, agent_id: str) -> tuple[str, ...]:
        """
        Return the ids of the items an agent holds, oldest assignment first.

        Raises:
            UnknownAgentError: No agent has this id.
        """
        with self._lock:
            self._enter()
            return tuple(self._core.registry.get(agent_id).held_in_order())

    # -- items ---------------------------------------------------------------------

    def assign(self, item: Item) -> Decision:
        """
        Route a new item: give it to a free agent, or queue it.

        The item's department picks the strategy for its channel; only
        members serving that channel, online, with the channel on and a free
        slot are considered.

        Returns:
            ``status="assigned"`` with the agent, or ``status="queued"``
            with its place in line and the reason.

        Raises:
            InvalidValueError: *item* is not an `Item`.
            DuplicateItemError: An item with this id is known.
            UnknownDepartmentError: The item's department does not exist.
            HostCodeError: A custom strategy or the clock failed; nothing changed.

        Added in 0.1.
        """
        if not isinstance(item, Item):
            raise InvalidValueError("item", f"must be an agentroute.Item, got {item!r}")
        with self._lock:
            if self._guard.running is not None:
                raise ReentrantCallError(self._guard.running)
            decision: Decision = self._core.apply(Assign(self._now(), item))
            if self._bus.pending:
                self._bus.deliver(decision)
            return decision

    def close(
        self, item_id: str, *, actor: str | None = None, reason: str | None = None
    ) -> list[Decision]:
        """
        Close an item: free its slot, or take it out of its queue.

        The responsible agent stays the owner, unless the department was
        added with ``unassign_on_close=True``; `reopen` goes back to them.
        The close is a row of the item's history, with *actor* and *reason*.

        Args:
            item_id: An open item.
            actor: Who closes; None is the host. An agent may close only
                items they are responsible for; owners and administrators any.
            reason: Why, kept in the history.

        Returns:
            The decisions for waiting work the freed slot took.

        Raises:
            UnknownItemError: No item has this id.
            UnknownAgentError: The actor is unknown.
            ItemClosedError: The item is already closed.
            InvalidValueError: *reason* is not a string.
            PermissionDeniedError: The actor may not close this item.

        Added in 0.1. *actor* and *reason* added in 0.2.
        """
        if reason is not None and type(reason) is not str:
            raise InvalidValueError("reason", f"must be a string or None, got {reason!r}")
        with self._lock:
            if self._guard.running is not None:
                raise ReentrantCallError(self._guard.running)
            decisions: list[Decision] = self._core.apply(Close(self._now(), item_id, actor, reason))
            if self._bus.pending:
                self._bus.deliver(decisions)
            return decisions

    def forget(self, item_id: str) -> None:
        """
        Drop a closed item from memory now, so its id can be used again.

        Closed items are also dropped, oldest first, past the router's
        ``retain_closed`` bound.

        Raises:
            UnknownItemError: No item has this id.
            InvalidStateError: The item is not closed (close it first).

        Added in 0.1.
        """
        with self._lock:
            self._enter()
            self._run(Forget(self._now(), item_id))

    def status(self, item_id: str) -> ItemStatus:
        """
        Tell where an item stands: queued (and where), assigned (to whom) or closed.

        Raises:
            UnknownItemError: No item has this id, or it was dropped.

        Added in 0.1.
        """
        with self._lock:
            self._enter()
            record = self._core.items.get(item_id)
            waiting = record.state == "queued"
            queue = record.pool.queue
            return ItemStatus(
                item=item_id,
                state=record.state,
                agent=record.agent,
                department=record.department,
                channel=record.item.channel,
                position=queue.position(record.key) if waiting else None,
                arrived_at=record.arrived_at,
                pull=waiting and queue.is_pull(record.key),
                replies=record.replies,
                last_reply_at=record.last_reply_at,
            )

    def queue_length(self, department: str, channel: str | None = None) -> int:
        """
        Return how many items wait in *department*, on *channel* or on all channels.

        Costs one look per channel of the department, whatever else the router holds.

        Raises:
            UnknownDepartmentError: The department does not exist.

        Added in 0.1.
        """
        with self._lock:
            self._enter()
            core = self._core
            core.department(department)
            if channel is not None:
                pool = core.pools.get(department, check_id("channel", channel))
                return 0 if pool is None else len(pool.queue)
            return sum(len(pool.queue) for pool in core.pools.of_department(department))

    def queued(self, department: str, channel: str) -> tuple[str, ...]:
        """
        Return the ids waiting in one queue, most important first.

        Items waiting to be pulled stand in the same line as those waiting to
        be pushed; ``status(item).pull`` tells them apart.

        Raises:
            UnknownDepartmentError: The department does not exist.

        Added in 0.1.
        """
        with self._lock:
            self._enter()
            core = self._core
            core.department(department)
            pool = core.pools.get(department, check_id("channel", channel))
            return () if pool is None else pool.queue.item_ids()

    # -- responsibility ------------------------------------------------------------

    def owner(self, item_id: str) -> Ownership:
        """
        Tell who is responsible for an item: always a department, an agent once assigned.

        After a close the agent stays responsible (unless the department
        unassigns on close), so a reopened item can go back to them.

        Examples:
            >>> router = Router()
            >>> router.add_department("billing")
            >>> ana = Agent("ana", capacity={"chat": 1}, departments={"billing": {"chat"}})
            >>> router.add_agent(ana)
            >>> _ = router.set_presence("ana", "online")
            >>> _ = router.assign(Item("c1", channel="chat", department="billing"))
            >>> router.owner("c1")
            Ownership(item='c1', department='billing', agent='ana')

        Raises:
            UnknownItemError: No item has this id.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            record = self._core.items.get(item_id)
            return Ownership(item_id, record.department, record.agent)

    def history(self, item_id: str) -> tuple[HistoryEntry, ...]:
        """
        Return every change of an item's owner, and its closes, oldest first.

        The first entry is the item's arrival in its department; an item
        keeps its latest ``history_limit`` rows (see `Router`).

        Raises:
            UnknownItemError: No item has this id.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            self._core.items.get(item_id)
            return self._core.ledger.history(item_id)

    def subscribe(self, handler: Handler, kinds: Iterable[str] | None = None) -> Subscription:
        """
        Call *handler* with every event of the given *kinds* (all when None).

        Events of a call are delivered in order once the call's change is
        complete, so a handler sees the router in its new state; handlers
        run in the calling thread while the router's lock is held, and may
        call the router. If handlers raise, every event still reaches every
        handler, then the call raises `HandlerError` holding the exceptions
        and the call's result in ``.result``; the change itself stands.

        Args:
            handler: Called with one event object at a time.
            kinds: Event kinds, e.g. ``["assigned", "customer_replied"]``;
                see `agentroute.events.EVENT_KINDS`.

        Returns:
            A subscription; ``.cancel()`` stops the deliveries.

        Raises:
            InvalidValueError: *handler* is not callable or a kind is unknown.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            return self._bus.subscribe(handler, kinds)

    def transfer(
        self,
        item_id: str,
        *,
        to_agent: str | None = None,
        to_department: str | None = None,
        actor: str | None = None,
        reason: str | None = None,
        force: bool = False,
        route: bool = False,
    ) -> list[Decision]:
        """
        Move responsibility for an item to an agent or to a department.

        To an agent: the item and its slot move at once; the agent must be
        able to take it (member serving the channel, online, channel on, a
        free slot). To a department alone: the item waits there, unassigned,
        until one of its agents claims it or takes it as next; with
        ``route=True`` the department's strategy routes it now instead (to a
        free agent, else its queue). Either way the previous holder's slot
        frees at once and takes waiting work.

        Args:
            item_id: An open item.
            to_agent: The new responsible agent.
            to_department: The new responsible department (default: the same).
            actor: Who transfers; None is the host. An agent may transfer only
                items they hold; owners and administrators any item.
            reason: Why, kept in the history.
            force: Administrators only: skip the membership, presence and
                channel checks. A limit is never exceeded, forced or not.
            route: Without *to_agent*: let the department's strategy route
                the item now rather than wait for a claim.

        Returns:
            The item's decision first, then work the freed slot took.

        Raises:
            UnknownItemError, UnknownAgentError, UnknownDepartmentError: An id is unknown.
            ItemClosedError: The item is closed; reopen it first.
            InvalidValueError: Neither target is given, *route* is given with
                *to_agent*, or *force*, *route* or *reason* has the wrong type.
            InvalidStateError: The agent already holds the item there.
            NotEligibleError: The agent cannot take the item.
            PermissionDeniedError: The actor may not make this transfer.

        Added in 0.2.
        """
        if to_agent is None and to_department is None:
            raise InvalidValueError("transfer", "give to_agent, to_department, or both")
        _check_bool("force", force)
        _check_bool("route", route)
        if route and to_agent is not None:
            raise InvalidValueError("route", "route=True routes to the department; omit to_agent")
        if reason is not None and not isinstance(reason, str):
            raise InvalidValueError("reason", f"must be a string or None, got {reason!r}")
        with self._lock:
            self._enter()
            command = Transfer(
                self._now(), item_id, to_agent, to_department, actor, reason, force, route
            )
            result: list[Decision] = self._run(command)
            return result

    def requeue(
        self, item_id: str, *, actor: str | None = None, reason: str | None = None
    ) -> list[Decision]:
        """
        Take an assigned item off its agent and route it again, keeping its place in line.

        The department's strategy picks another free agent; when none is
        free the item waits in its queue by its original arrival (in a pull
        department, for a claim). The previous agent's freed slot then takes
        waiting work as usual, which may be this item when nobody else can.

        Args:
            item_id: An assigned item.
            actor: Who asks; None is the host. An agent may requeue only
                items they are responsible for.
            reason: Why, kept in the history.

        Returns:
            The item's decision first, then work the freed slot took.

        Raises:
            UnknownItemError: No item has this id.
            UnknownAgentError: The actor is unknown.
            ItemClosedError: The item is closed.
            InvalidStateError: The item is not assigned.
            InvalidValueError: *reason* is not a string.
            PermissionDeniedError: The actor may not requeue this item.

        Examples:
            >>> router = Router()
            >>> router.add_department("billing")
            >>> for name in ("ana", "bob"):
            ...     router.add_agent(Agent(name, capacity={"chat": 1},
            ...                            departments={"billing": {"chat"}}))
            ...     _ = router.set_presence(name, "online")
            >>> router.assign(Item("c1", channel="chat", department="billing")).agent
            'ana'
            >>> [d.agent for d in router.requeue("c1", reason="needs Spanish")]
            ['bob']

        Added in 0.2.
        """
        if reason is not None and type(reason) is not str:
            raise InvalidValueError("reason", f"must be a string or None, got {reason!r}")
        with self._lock:
            self._enter()
            result: list[Decision] = self._run(Requeue(self._now(), item_id, actor, reason))
            return result

    def claim(self, item_id: str, agent_id: str, *, actor: str | None = None) -> Decision:
        """
        Let an agent take a waiting item themselves.

        The first item in its department's line (for its channel) may always
        be claimed; any other only where the department allows claims, or by
        an administrator on the agent's behalf.

        Args:
            item_id: A waiting item.
            agent_id: The agent who takes it.
            actor: Who asks; defaults to the agent themselves.

        Raises:
            UnknownItemError, UnknownAgentError: An id is unknown.
            ItemClosedError: The item is closed.
            InvalidStateError: The item is already assigned; transfer it instead.
            NotEligibleError: The agent cannot take it now.
            PermissionDeniedError: The claim is not allowed.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            result: Decision = self._run(Claim(self._now(), item_id, agent_id, actor))
            return result

    def next_for(self, agent_id: str, *, actor: str | None = None) -> Decision | None:
        """
        Give an agent the most important item they can take: the "Resolve" button.

        The order is the queue's: priority, SLA deadline, arrival, across every
        department and channel where the agent has a free slot.

        Args:
            agent_id: The agent asking for work.
            actor: Who asks; defaults to the agent themselves.

        Returns:
            The decision, or None when nothing waits that the agent has room for.

        Raises:
            UnknownAgentError: The agent or actor is unknown.
            NotEligibleError: The agent is not online.
            PermissionDeniedError: An agent asks on someone else's behalf.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            result: Decision | None = self._run(NextFor(self._now(), agent_id, actor))
            return result

    def waiting_for(self, agent_id: str) -> int:
        """
        Count the items waiting where an agent serves: the badge on the "Resolve" button.

        Channels the agent switched off (everywhere, or in one department)
        do not count, as `next_for` would not take from them. Costs one look
        per (department, channel) the agent serves, whatever the queues' length.

        Raises:
            UnknownAgentError: No agent has this id.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            holder = self._core.registry.get(agent_id)
            agent = holder.agent.id
            switched_off = holder.channels_off
            waiting = 0
            for channel, seat in holder.seats.items():
                if channel in switched_off:
                    continue
                for pool in seat.pools:
                    if agent not in pool.off:
                        waiting += len(pool.queue)
            return waiting

    def reopen(self, item_id: str, *, actor: str | None = None) -> Decision:
        """
        Open a closed item again.

        It goes back to its owner when they can take it now; otherwise the
        department routes it like a new arrival: its strategy or its queue
        (push), or its pull line (pull). The history always gets a
        ``"reopened"`` row.

        Args:
            item_id: A closed item.
            actor: Who reopens; None is the host (or the customer).

        Raises:
            UnknownItemError: No item has this id.
            UnknownAgentError: The actor is unknown.
            InvalidStateError: The item is not closed.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            result: Decision = self._run(Reopen(self._now(), item_id, actor))
            return result

    def reply(self, item_id: str) -> list[Decision]:
        """
        Record that the customer wrote again on an item, and tell its owner.

        A reply counts in ``status(item).replies`` and ``last_reply_at``
        (not in the history, which holds owner changes and closes), and a
        reply on a closed item reopens it, as helpdesks do.

        Returns:
            The reopen decision when the item was closed, else nothing.

        Raises:
            UnknownItemError: No item has this id.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            result: list[Decision] = self._run(Reply(self._now(), item_id))
            return result

    # -- time: timers and breaks ---------------------------------------------------

    def advance(self) -> list[Decision]:
        """
        Do everything that was due by now: end breaks whose time is up, and so on.

        The router never acts on its own: timers fire only in this call, soonest
        first, and timers due at the same time in the order they were set.
        Call it when `next_deadline` comes (a host's periodic task, or a
        sleep until then); other calls never fire timers.

        Returns:
            The decisions the fired timers caused, in order (e.g. waiting work
            taken by an agent back from a break).

        Examples:
            >>> from agentroute import ManualClock
            >>> clock = ManualClock(0.0)
            >>> router = Router(clock=clock)
            >>> router.add_department("billing")
            >>> ana = Agent("ana", capacity={"chat": 1}, departments={"billing": {"chat"}})
            >>> router.add_agent(ana)
            >>> router.set_presence("ana", "online")
            []
            >>> router.start_break("ana", 300)
            >>> router.assign(Item("c1", channel="chat", department="billing")).status
            'queued'
            >>> router.next_deadline()
            300.0
            >>> _ = clock.advance(300)
            >>> [d.agent for d in router.advance()]
            ['ana']

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            result: list[Decision] = self._run(Advance(self._now()))
            return result

    def next_deadline(self) -> float | None:
        """
        Return when the next timer is due (clock seconds), or None when none is pending.

        A host may sleep until then and call `advance`.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            return self._core.timers.next_due()

    def start_break(self, agent_id: str, seconds: float, *, reason: str | None = None) -> None:
        """
        Take an agent out of routing for *seconds*; `advance` brings them back when it is over.

        The agent keeps the work they hold and stays responsible for it; they
        get no new work and cannot claim until the break ends. Starting a
        break while on one replaces it.

        Args:
            agent_id: The agent.
            seconds: The break's length, > 0.
            reason: Why, e.g. ``"lunch"``; told in the event.

        Raises:
            UnknownAgentError: No agent has this id.
            InvalidValueError: *seconds* is not a positive number, or *reason* not a string.

        Added in 0.2.
        """
        if not is_finite_number(seconds) or seconds <= 0:
            raise InvalidValueError("seconds", f"must be a number > 0, got {seconds!r}")
        if reason is not None and type(reason) is not str:
            raise InvalidValueError("reason", f"must be a string or None, got {reason!r}")
        with self._lock:
            self._enter()
            self._run(StartBreak(self._now(), agent_id, float(seconds), reason))

    def end_break(self, agent_id: str) -> list[Decision]:
        """
        End an agent's break now, before it is due; they take waiting work at once.

        Returns:
            The decisions for the waiting work the agent took.

        Raises:
            UnknownAgentError: No agent has this id.
            InvalidStateError: The agent is not on a break.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            result: list[Decision] = self._run(EndBreak(self._now(), agent_id))
            return result

    def break_until(self, agent_id: str) -> float | None:
        """
        Return when an agent's break ends (clock seconds), or None if they are not on one.

        Raises:
            UnknownAgentError: No agent has this id.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            return self._core.registry.get(agent_id).break_until

    def set_schedule(self, agent_id: str, schedule: Schedule | None) -> list[Decision]:
        """
        Give an agent a working week: they are routed work only during its shifts.

        Outside a shift the agent keeps what they hold, as on a break; `advance`
        takes them in and out at each shift boundary, local time in the
        schedule's zone, daylight-saving changes included. None removes the
        schedule.

        Returns:
            The decisions for waiting work the agent took, if the change put
            them on shift now.

        Raises:
            UnknownAgentError: No agent has this id.
            InvalidValueError: *schedule* is not a `Schedule` or None.

        Examples:
            >>> from agentroute import ManualClock, Schedule, Shift
            >>> router = Router(clock=ManualClock(1_772_438_400.0))  # Monday 2026-03-02 08:00 UTC
            >>> router.add_department("billing")
            >>> ana = Agent("ana", capacity={"chat": 1}, departments={"billing": {"chat"}})
            >>> router.add_agent(ana)
            >>> router.set_presence("ana", "online")
            []
            >>> nights = Schedule("UTC", [Shift(["mon", "tue"], "22:00", "06:00")])
            >>> router.set_schedule("ana", nights)
            []
            >>> router.on_shift("ana"), router.next_deadline()
            (False, 1772488800.0)

        Added in 0.2.
        """
        if schedule is not None and not isinstance(schedule, Schedule):
            msg = f"must be an agentroute.Schedule or None, got {schedule!r}"
            raise InvalidValueError("schedule", msg)
        with self._lock:
            self._enter()
            result: list[Decision] = self._run(SetSchedule(self._now(), agent_id, schedule))
            return result

    def schedule(self, agent_id: str) -> Schedule | None:
        """
        Return an agent's schedule, or None if they have none.

        Raises:
            UnknownAgentError: No agent has this id.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            return self._core.registry.get(agent_id).schedule

    def on_shift(self, agent_id: str) -> bool:
        """
        Tell whether an agent's schedule lets them take work now (True without a schedule).

        Raises:
            UnknownAgentError: No agent has this id.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            return not self._core.registry.get(agent_id).off_shift

    def set_forwarding(self, agent_id: str, device: str | None) -> None:
        """
        Ring an agent's calls on a device of theirs (a mobile number, a SIP address), or stop.

        Every decision that gives the agent an item on the ``"call"`` channel
        then carries ``ring=device``; dialling is the host's job. None stops
        forwarding.

        Raises:
            UnknownAgentError: No agent has this id.
            InvalidValueError: *device* is not a non-empty string or None.

        Examples:
            >>> router = Router()
            >>> router.add_department("support")
            >>> ana = Agent("ana", capacity={"call": 1}, departments={"support": {"call"}})
            >>> router.add_agent(ana)
            >>> router.set_presence("ana", "online")
            []
            >>> router.set_forwarding("ana", "+49 30 1234567")
            >>> router.assign(Item("k1", channel="call", department="support")).ring
            '+49 30 1234567'

        Added in 0.2.
        """
        if device is not None:
            check_id("device", device)
        with self._lock:
            self._enter()
            self._run(SetForwarding(self._now(), agent_id, device))

    def forwarding(self, agent_id: str) -> str | None:
        """
        Return the device an agent's calls ring on, or None.

        Raises:
            UnknownAgentError: No agent has this id.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            return self._core.registry.forwards.get(self._core.registry.get(agent_id).agent.id)

    def set_duty_rotation(
        self,
        department: str,
        channel: str,
        agents: Iterable[str] | None,
        *,
        period_s: float = 3600.0,
    ) -> list[Decision]:
        """
        Rotate duty on a department's channel: one agent at a time takes its work, in turn.

        The first of *agents* is on duty now, the next after *period_s*, and
        so on round the list; `advance` passes duty on. The others keep what
        they hold and take no new work of that channel there (other
        departments and channels are not affected). If the agent on duty
        cannot take work (offline, full, not a member), the work waits for
        them. None ends the rotation.

        Args:
            department: The department.
            channel: The channel, e.g. ``"call"``.
            agents: Agent ids, in turn order; None ends the rotation.
            period_s: Seconds each turn lasts, > 0.

        Returns:
            The decisions for waiting work the agent on duty took.

        Raises:
            UnknownDepartmentError, UnknownAgentError: An id is unknown.
            InvalidValueError: *agents* is empty, or *period_s* not a positive number.

        Examples:
            >>> from agentroute import ManualClock
            >>> clock = ManualClock(0.0)
            >>> router = Router(clock=clock)
            >>> router.add_department("support")
            >>> for name in ("ana", "bob"):
            ...     agent = Agent(name, capacity={"call": 1}, departments={"support": ["call"]})
            ...     router.add_agent(agent)
            ...     _ = router.set_presence(name, "online")
            >>> router.set_duty_rotation("support", "call", ["bob", "ana"], period_s=3600)
            []
            >>> router.assign(Item("k1", channel="call", department="support")).agent
            'bob'
            >>> _ = clock.advance(3600)
            >>> router.advance(), router.on_duty("support", "call")
            ([], 'ana')

        Added in 0.2.
        """
        check_id("channel", channel)
        turns = None if agents is None else tuple(agents)
        if turns is not None:
            if isinstance(agents, str) or not turns:
                raise InvalidValueError(
                    "agents", f"must be a non-empty list of ids, got {agents!r}"
                )
            for agent_id in turns:
                check_id("agents", agent_id)
        if not is_finite_number(period_s) or period_s <= 0:
            raise InvalidValueError("period_s", f"must be a number > 0, got {period_s!r}")
        with self._lock:
            self._enter()
            command = SetDutyRotation(self._now(), department, channel, turns, float(period_s))
            result: list[Decision] = self._run(command)
            return result

    def on_duty(self, department: str, channel: str) -> str | None:
        """
        Return who is on duty for *channel* in *department*, or None without a rotation.

        Raises:
            UnknownDepartmentError: No such department.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            rotation = self._core.duties.get((self._core.department(department).name, channel))
            return None if rotation is None else rotation.on_duty

    def _check(self) -> None:
        """Assert every internal index agrees with the state; for tests."""
        with self._lock:
            self._core.check()


def _seconds(now: object) -> float:
    """Return a clock reading that is not a finite float as one, or raise naming the clock."""
    try:
        seconds = float(now) if type(now) is int else math.nan
    except OverflowError:
        seconds = math.nan
    if not math.isfinite(seconds):
        raise HostCodeError("clock", f"returned {now!r}; it must return finite POSIX seconds")
    return seconds


def _seconds_or_none(value: float | None) -> float | None:
    return None if value is None else float(value)


def _check_bool(path: str, value: object) -> None:
    if type(value) is not bool:
        raise InvalidValueError(path, f"must be True or False, got {value!r}")


def _check_agent(agent: object) -> None:
    if not isinstance(agent, Agent):
        raise InvalidValueError("agent", f"must be an agentroute.Agent, got {agent!r}")
