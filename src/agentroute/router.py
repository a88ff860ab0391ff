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
from agentroute._calls._checks import _check_bool
from agentroute._calls.agents import AgentCalls
from agentroute._calls.availability import AvailabilityCalls
from agentroute._calls.config import ConfigCalls
from agentroute._calls.departments import DepartmentCalls
from agentroute._calls.lookup import LookupCalls
from agentroute._calls.offers import OfferCalls
from agentroute._calls.rules import RuleCalls
from agentroute._calls.work import WorkCalls
from agentroute._core import state
from agentroute._core.core import Core
from agentroute.clock import Clock
from agentroute.commands import Command
from agentroute.errors import HostCodeError, InvalidDataError, InvalidValueError, ReentrantCallError
from agentroute.events import EventBus, Handler, Subscription
from agentroute.model import Agent, Item, check_limit  # noqa: F401 (Agent and Item: the doctests)
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


# The bases in reverse, so the API reference lists departments, agents, work, then time.
class Router(
    ConfigCalls,
    LookupCalls,
    RuleCalls,
    AvailabilityCalls,
    OfferCalls,
    WorkCalls,
    AgentCalls,
    DepartmentCalls,
):
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

    def _check(self, now: float | None = None) -> None:
        """Assert the internal indexes agree with the state (and the SLA timers with *now*)."""
        with self._lock:
            self._core.check(now)


def _seconds(now: object) -> float:
    """Return a clock reading that is not a finite float as one, or raise naming the clock."""
    try:
        seconds = float(now) if type(now) is int else math.nan
    except OverflowError:
        seconds = math.nan
    if not math.isfinite(seconds):
        raise HostCodeError("clock", f"returned {now!r}; it must return finite POSIX seconds")
    return seconds
