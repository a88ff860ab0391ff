"""
What happened, told to the host's subscribers after each call.

Events are immutable ``attrs`` objects. The router collects them while a
call changes its state and delivers them, in order, once the change is
complete; delivery (e-mail, Slack, push) is the host's business.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from typing import ClassVar, Final, TypeAlias

import attrs

from agentroute.errors import AgentrouteError, InvalidValueError

__all__ = [
    "EVENT_KINDS",
    "AgentBreakEnded",
    "AgentBreakStarted",
    "AgentPresenceChanged",
    "AgentShiftChanged",
    "CustomerReplied",
    "DutyChanged",
    "Event",
    "EventBus",
    "HandlerError",
    "ItemAssigned",
    "ItemClaimed",
    "ItemClosed",
    "ItemOffered",
    "ItemQueued",
    "ItemReopened",
    "ItemTransferred",
    "NewItemInDepartment",
    "OfferMissed",
    "OfferWithdrawn",
    "SlaBreached",
    "SlaWarning",
    "Subscription",
]


@attrs.frozen
class NewItemInDepartment:
    """
    An item arrived in (or was transferred to) *department*, before anyone took it.

    Added in 0.2.
    """

    kind: ClassVar[str] = "new_item"
    at: float
    item: str
    department: str
    channel: str


@attrs.frozen
class ItemQueued:
    """
    An item waits: to be pushed when a slot frees, or to be pulled (``pull=True``).

    Added in 0.2.
    """

    kind: ClassVar[str] = "queued"
    at: float
    item: str
    department: str
    channel: str
    pull: bool


@attrs.frozen
class ItemOffered:
    """
    A ``ring_all`` pool rings *agents* with *item*; the first to ``accept()`` gets it.

    Added in 0.2.
    """

    kind: ClassVar[str] = "offered"
    at: float
    item: str
    agents: tuple[str, ...]
    department: str
    channel: str


@attrs.frozen
class OfferWithdrawn:
    """
    The offer of *item* stopped ringing *agent*: *why* (taken by another, closed, ...).

    Added in 0.2.
    """

    kind: ClassVar[str] = "offer_withdrawn"
    at: float
    item: str
    agent: str
    why: str


@attrs.frozen
class OfferMissed:
    """
    *agent* let the offer of *item* ring out; *missed* counts their missed offers so far.

    Added in 0.2.
    """

    kind: ClassVar[str] = "offer_missed"
    at: float
    item: str
    agent: str
    missed: int


@attrs.frozen
class ItemAssigned:
    """
    *agent* is now responsible for *item*; *by* is who decided (strategy, agent, system).

    Added in 0.2.
    """

    kind: ClassVar[str] = "assigned"
    at: float
    item: str
    agent: str
    department: str
    channel: str
    by: str


@attrs.frozen
class ItemTransferred:
    """
    Responsibility moved from one owner to another by *by*, for *reason*.

    ``to_agent`` is None for a transfer to a department.

    Added in 0.2.
    """

    kind: ClassVar[str] = "transferred"
    at: float
    item: str
    from_agent: str | None
    to_agent: str | None
    from_department: str
    to_department: str
    by: str
    reason: str | None


@attrs.frozen
class ItemClaimed:
    """
    *agent* took a waiting item themselves (``claim()`` or ``next_for()``).

    Added in 0.2.
    """

    kind: ClassVar[str] = "claimed"
    at: float
    item: str
    agent: str
    department: str


@attrs.frozen
class ItemClosed:
    """
    The item was closed; *agent* is its owner afterwards (None if unassigned on close).

    Added in 0.2.
    """

    kind: ClassVar[str] = "closed"
    at: float
    item: str
    agent: str | None
    department: str


@attrs.frozen
class ItemReopened:
    """
    A closed item is open again; what happened to it follows as its own event.

    Added in 0.2.
    """

    kind: ClassVar[str] = "reopened"
    at: float
    item: str
    department: str


@attrs.frozen
class CustomerReplied:
    """
    The customer wrote again on *item*; *agent* is the owner to notify, if any.

    Added in 0.2.
    """

    kind: ClassVar[str] = "customer_replied"
    at: float
    item: str
    agent: str | None
    department: str


@attrs.frozen
class AgentPresenceChanged:
    """
    *agent* went from *previous* to *presence* (online, away or offline).

    Added in 0.2.
    """

    kind: ClassVar[str] = "presence"
    at: float
    agent: str
    presence: str
    previous: str


@attrs.frozen
class AgentBreakStarted:
    """
    *agent* is on a break until *until*, out of routing; they keep the work they hold.

    Added in 0.2.
    """

    kind: ClassVar[str] = "break_started"
    at: float
    agent: str
    until: float
    reason: str | None


@attrs.frozen
class AgentBreakEnded:
    """
    *agent*'s break is over and they take work again; *early* if ended before it was due.

    Added in 0.2.
    """

    kind: ClassVar[str] = "break_ended"
    at: float
    agent: str
    early: bool


@attrs.frozen
class AgentShiftChanged:
    """
    *agent*'s schedule took them in (*on_shift*) or out of routing.

    Added in 0.2.
    """

    kind: ClassVar[str] = "shift"
    at: float
    agent: str
    on_shift: bool


@attrs.frozen
class SlaWarning:
    """
    *item* still waits and its SLA *deadline* is near (the department's ``sla_warning_s``).

    Added in 0.2.
    """

    kind: ClassVar[str] = "sla_warning"
    at: float
    item: str
    department: str
    deadline: float


@attrs.frozen
class SlaBreached:
    """
    *item* still waits past its SLA *deadline*; *priority* is its priority now (escalated or not).

    Added in 0.2.
    """

    kind: ClassVar[str] = "sla_breach"
    at: float
    item: str
    department: str
    deadline: float
    priority: int


@attrs.frozen
class DutyChanged:
    """
    *agent* is now the one on duty for *channel* in *department* (None: the rotation ended).

    Added in 0.2.
    """

    kind: ClassVar[str] = "duty"
    at: float
    department: str
    channel: str
    agent: str | None


Event: TypeAlias = (
    NewItemInDepartment
    | ItemQueued
    | ItemOffered
    | OfferWithdrawn
    | OfferMissed
    | ItemAssigned
    | ItemTransferred
    | ItemClaimed
    | ItemClosed
    | ItemReopened
    | CustomerReplied
    | AgentPresenceChanged
    | AgentBreakStarted
    | AgentBreakEnded
    | AgentShiftChanged
    | SlaWarning
    | SlaBreached
    | DutyChanged
)
Handler: TypeAlias = Callable[[Event], object]

EVENT_KINDS: Final[dict[str, type[Event]]] = {
    cls.kind: cls
    for cls in (
        NewItemInDepartment,
        ItemQueued,
        ItemOffered,
        OfferWithdrawn,
        OfferMissed,
        ItemAssigned,
        ItemTransferred,
        ItemClaimed,
        ItemClosed,
        ItemReopened,
        CustomerReplied,
        AgentPresenceChanged,
        AgentBreakStarted,
        AgentBreakEnded,
        AgentShiftChanged,
        SlaWarning,
        SlaBreached,
        DutyChanged,
    )
}
"""Every event class by its ``kind`` string."""


_HANDLER_MESSAGE = (
    "event handlers raised; the call completed and its result is in .result. "
    "Fix the handler, or catch errors inside it"
)


class HandlerError(AgentrouteError, ExceptionGroup[Exception]):
    """
    One or more event handlers raised; the call itself completed.

    Every event still reached every handler. The router's state is the
    call's outcome, and ``result`` holds what the call returned.
    """

    result: object

    def __new__(cls, exceptions: list[Exception], result: object) -> HandlerError:
        """Group *exceptions* raised by handlers of a call that returned *result*."""
        return super().__new__(cls, _HANDLER_MESSAGE, exceptions)

    def __init__(self, exceptions: list[Exception], result: object) -> None:
        super().__init__(_HANDLER_MESSAGE, exceptions)
        self.result = result

    def derive(self, excs: list[Exception]) -> HandlerError:  # type: ignore[override]
        """Keep the type and the result when ``except*`` splits the group."""
        return HandlerError(excs, self.result)


class Subscription:
    """
    A handle on one subscriber; `cancel` stops its deliveries.

    Added in 0.2.
    """

    __slots__ = ("_bus", "handler", "kinds")

    def __init__(self, bus: EventBus, handler: Handler, kinds: frozenset[str]) -> None:
        self._bus = bus
        self.handler = handler
        self.kinds = kinds

    def __repr__(self) -> str:
        return f"Subscription({self.handler!r}, kinds={sorted(self.kinds)})"

    def cancel(self) -> None:
        """Stop delivering events to this handler; cancelling twice is harmless."""
        self._bus.unsubscribe(self)


class EventBus:
    """
    Subscribers by event kind, and the events of the call in progress.

    Handlers are indexed by the kinds they want, so an event costs time in
    proportion to its own subscribers, and cancelling one costs time in
    proportion to the kinds it wanted, whatever else is subscribed.
    """

    __slots__ = ("_by_kind", "_delivering", "_lock", "pending", "wanted")

    def __init__(self, lock: AbstractContextManager[object] | None = None) -> None:
        self._by_kind: dict[str, dict[Subscription, None]] = {kind: {} for kind in EVENT_KINDS}
        self._delivering = False
        self._lock: AbstractContextManager[object] = lock if lock is not None else nullcontext()
        self.pending: deque[Event] = deque()
        """Events of the call in progress, delivered when it completes."""
        self.wanted: frozenset[str] = frozenset()
        """Kinds some subscriber wants; the router builds no event nobody wants."""

    def subscribe(self, handler: Handler, kinds: Iterable[str] | None = None) -> Subscription:
        """
        Add a subscriber for *kinds* (all kinds when None).

        Raises:
            InvalidValueError: *handler* is not callable or a kind is unknown.
        """
        if not callable(handler):
            raise InvalidValueError("handler", f"must be callable, got {handler!r}")
        if kinds is None:
            chosen = frozenset(EVENT_KINDS)
        else:
            if isinstance(kinds, str):
                kinds = [kinds]
            elif not isinstance(kinds, Iterable):
                raise InvalidValueError("kinds", f"must be event kind names, got {kinds!r}")
            listed = list(kinds)
            unknown = [k for k in listed if not isinstance(k, str) or k not in EVENT_KINDS]
            if unknown:
                msg = f"unknown event kind(s) {unknown}; known: {', '.join(EVENT_KINDS)}"
                raise InvalidValueError("kinds", msg)
            chosen = frozenset(listed)
        subscription = Subscription(self, handler, chosen)
        with self._lock:
            for kind in sorted(chosen):
                self._by_kind[kind][subscription] = None
            self.wanted |= chosen
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Remove *subscription* if present."""
        with self._lock:
            by_kind = self._by_kind
            for kind in subscription.kinds:
                by_kind[kind].pop(subscription, None)
            self.wanted = frozenset(kind for kind, subs in by_kind.items() if subs)

    def emit(self, event: Event) -> None:
        """Hold *event* until the current call completes."""
        self.pending.append(event)

    def discard_after(self, count: int) -> None:
        """Drop the events emitted after the first *count*: their call failed."""
        pending = self.pending
        while len(pending) > count:
            pending.pop()

    def deliver(self, result: object) -> None:
        """
        Hand every pending event to every matching subscriber, in order.

        A router call made by a handler only adds its events to the line: the
        delivery under way hands them out after the events already waiting, so
        every subscriber sees things in the order they happened, and handler
        errors surface from the outermost call.

        Raises:
            HandlerError: Some handlers raised; all events were still delivered.
        """
        if not self.pending or self._delivering:
            return  # a handler's own router call: the delivery under way takes its events too
        self._delivering = True
        pending = self.pending
        by_kind = self._by_kind
        errors: list[Exception] = []
        try:
            while pending:
                event = pending.popleft()
                for subscription in list(by_kind[event.kind]):
                    try:
                        subscription.handler(event)
                    except Exception as error:  # reported below, never lost
                        errors.append(error)
        finally:
            self._delivering = False
        if errors:
            raise HandlerError(errors, result)
