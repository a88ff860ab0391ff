"""
Every error agentroute raises, in one hierarchy.

A call that raises one of these changed nothing: it validates and plans
before it touches any state, and undoes what it did when host code (a
custom strategy, the clock) fails part-way. The one exception is
HandlerError, raised after the call's change is complete, when subscribed
event handlers failed.

    AgentrouteError
    ├── NotFoundError (LookupError)
    │   ├── UnknownAgentError
    │   ├── UnknownItemError
    │   ├── UnknownDepartmentError
    │   ├── UnknownStrategyError
    │   └── UnknownRuleError
    ├── DuplicateError (ValueError)
    │   ├── DuplicateAgentError
    │   ├── DuplicateItemError
    │   ├── DuplicateDepartmentError
    │   ├── DuplicateStrategyError
    │   ├── DuplicateRuleError
    │   └── DuplicateOwnerError
    ├── InvalidValueError (ValueError)
    │   └── InvalidDataError
    │       └── UnsupportedVersionError
    ├── InvalidStateError (RuntimeError)
    │   ├── AgentBusyError
    │   ├── ItemClosedError
    │   ├── NotEligibleError
    │   ├── NotOfferedError
    │   └── ReentrantCallError
    ├── HostCodeError (RuntimeError; the host's exception is its __cause__)
    ├── PermissionDeniedError (PermissionError)
    └── HandlerError (ExceptionGroup; in agentroute.events)

Each error keeps the offending value as an attribute (``.agent``,
``.item``, ``.department``, ``.strategy``, ``.path``) so a host can react
without parsing the message.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "AgentBusyError",
    "AgentrouteError",
    "DuplicateAgentError",
    "DuplicateDepartmentError",
    "DuplicateError",
    "DuplicateItemError",
    "DuplicateOwnerError",
    "DuplicateRuleError",
    "DuplicateStrategyError",
    "HostCodeError",
    "InvalidDataError",
    "InvalidStateError",
    "InvalidValueError",
    "ItemClosedError",
    "NotEligibleError",
    "NotFoundError",
    "NotOfferedError",
    "PermissionDeniedError",
    "ReentrantCallError",
    "UnknownAgentError",
    "UnknownDepartmentError",
    "UnknownItemError",
    "UnknownRuleError",
    "UnknownStrategyError",
    "UnsupportedVersionError",
]


def _known(names: Iterable[str]) -> str:
    listed = ", ".join(sorted(names))
    return listed or "none yet"


class AgentrouteError(Exception):
    """
    Base class of every error agentroute raises.
    """


class NotFoundError(AgentrouteError, LookupError):
    """
    An id names nothing the router knows.
    """


class UnknownAgentError(NotFoundError):
    """
    No agent with this id is registered.
    """

    def __init__(self, agent: str) -> None:
        self.agent = agent
        super().__init__(f"Unknown agent {agent!r}; add it first with Router.add_agent().")


class UnknownItemError(NotFoundError):
    """
    No item with this id was ever assigned (or it was forgotten).
    """

    def __init__(self, item: str) -> None:
        self.item = item
        super().__init__(f"Unknown item {item!r}; route it first with Router.assign().")


class UnknownDepartmentError(NotFoundError):
    """
    No department with this name exists.
    """

    def __init__(self, department: str, known: Iterable[str]) -> None:
        self.department = department
        super().__init__(
            f"Unknown department {department!r}; known: {_known(known)}. "
            "Add it first with Router.add_department()."
        )


class UnknownStrategyError(NotFoundError):
    """
    No strategy is registered under this name.
    """

    def __init__(self, strategy: str, known: Iterable[str]) -> None:
        self.strategy = strategy
        super().__init__(
            f"Unknown strategy {strategy!r}; known: {_known(known)}. "
            "Register it with agentroute.strategies.register()."
        )


class UnknownRuleError(NotFoundError):
    """
    No rule has this name.

    Added in 0.2.
    """

    def __init__(self, rule: str, known: Iterable[str]) -> None:
        self.rule = rule
        super().__init__(f"Unknown rule {rule!r}; known: {_known(known)}.")


class DuplicateError(AgentrouteError, ValueError):
    """
    An id is already taken.
    """


class DuplicateAgentError(DuplicateError):
    """
    An agent with this id is already registered.
    """

    def __init__(self, agent: str) -> None:
        self.agent = agent
        super().__init__(
            f"Agent {agent!r} already exists; change it with Router.update_agent() instead."
        )


class DuplicateItemError(DuplicateError):
    """
    An item with this id is already known to the router.
    """

    def __init__(self, item: str) -> None:
        self.item = item
        super().__init__(
            f"Item {item!r} is already known; item ids must be unique "
            "(Router.forget() drops a closed item)."
        )


class DuplicateDepartmentError(DuplicateError):
    """
    A department with this name already exists.
    """

    def __init__(self, department: str) -> None:
        self.department = department
        super().__init__(
            f"Department {department!r} already exists; department names must be unique, "
            "so pick another name or keep using the existing department."
        )


class DuplicateStrategyError(DuplicateError):
    """
    A strategy is already registered under this name.
    """

    def __init__(self, strategy: str) -> None:
        self.strategy = strategy
        super().__init__(f"A strategy named {strategy!r} is already registered; pick another name.")


class DuplicateRuleError(DuplicateError):
    """
    A rule with this name exists already.

    Added in 0.2.
    """

    def __init__(self, rule: str) -> None:
        self.rule = rule
        super().__init__(f"A rule named {rule!r} exists already; remove it first, or rename.")


class DuplicateOwnerError(DuplicateError):
    """
    A router has at most one agent with the role ``"owner"``, and it has one.

    Added in 0.2.
    """

    def __init__(self, agent: str, owner: str) -> None:
        self.agent = agent
        self.owner = owner
        super().__init__(
            f"Agent {agent!r} cannot be an owner: {owner!r} already is, and a router has one. "
            "Give the agent role='administrator', or change the owner's role first."
        )


class InvalidValueError(AgentrouteError, ValueError):
    """
    An argument has the wrong type or is out of range.

    ``path`` names the offending field, e.g. ``"Agent.capacity['chat']"``.
    """

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")


class InvalidDataError(InvalidValueError):
    """
    A snapshot or journal entry is malformed or contradicts itself; nothing was changed.

    ``problems`` lists every problem found, each as ``"key.path: what is wrong"``
    (e.g. ``"items[3].agent: unknown agent 'zoe'"``); ``path`` is the first one's.

    Added in 0.2.
    """

    def __init__(self, what: str, problems: Iterable[tuple[str, str]]) -> None:
        listed = list(problems)
        self.what = what
        self.problems = tuple(f"{path}: {message}" for path, message in listed)
        shown = "\n  ".join(self.problems)
        noun = "problem" if len(listed) == 1 else "problems"
        AgentrouteError.__init__(self, f"Refused {what} ({len(listed)} {noun}):\n  {shown}")
        self.path = listed[0][0]


class UnsupportedVersionError(InvalidDataError):
    """
    A snapshot or journal entry is of another format, or of a version this release cannot read.

    ``supported`` is the format and version this release reads and writes.

    Added in 0.2.
    """

    def __init__(self, what: str, path: str, found: object, supported: str) -> None:
        self.found = found
        self.supported = supported
        super().__init__(what, [(path, f"found {found!r}; this release reads {supported}")])


class InvalidStateError(AgentrouteError, RuntimeError):
    """
    The call is valid in general but not in the current state.
    """


class AgentBusyError(InvalidStateError):
    """
    The change would strand work the agent holds.

    Pass ``requeue=True`` to send that work back to routing.
    """

    def __init__(self, agent: str, items: Iterable[str], change: str) -> None:
        self.agent = agent
        self.items = tuple(items)
        shown = ", ".join(repr(i) for i in self.items[:5])
        more = f" and {len(self.items) - 5} more" if len(self.items) > 5 else ""
        super().__init__(
            f"Cannot {change}: agent {agent!r} holds {shown}{more}. "
            "Close that work first, or pass requeue=True to route it to someone else."
        )


class ItemClosedError(InvalidStateError):
    """
    The item is closed, so it can no longer be changed this way.
    """

    def __init__(self, item: str, action: str) -> None:
        self.item = item
        super().__init__(f"Cannot {action} item {item!r}: it is already closed.")


class NotEligibleError(InvalidStateError):
    """
    The agent cannot take this item now; ``reasons`` says why.

    Added in 0.2.
    """

    def __init__(self, agent: str, item: str, reasons: Iterable[str], hint: str) -> None:
        self.agent = agent
        self.item = item
        self.reasons = tuple(reasons)
        super().__init__(
            f"Agent {agent!r} cannot take item {item!r}: {'; '.join(self.reasons)}. {hint}"
        )


class NotOfferedError(InvalidStateError):
    """
    The item is not ringing this agent: taken by someone else, declined, timed out or never offered.

    Added in 0.2.
    """

    def __init__(self, item: str, agent: str, why: str) -> None:
        self.item = item
        self.agent = agent
        super().__init__(f"Item {item!r} is not offered to {agent!r}: {why}.")


class ReentrantCallError(InvalidStateError):
    """
    Host code called the router while the router was in the middle of a call.

    A custom strategy's ``rank()`` or ``choose()`` runs while the router's
    state is half-changed, so it must not call the router. Event handlers
    run after the change and may call it.

    Added in 0.2.
    """

    def __init__(self, culprit: str) -> None:
        self.culprit = culprit
        super().__init__(
            f"{culprit} called the router in the middle of a routing call; "
            "strategies must not call the router. Event handlers may."
        )


class HostCodeError(AgentrouteError, RuntimeError):
    """
    Code the host plugged in (a custom strategy, the clock, the journal) raised or returned garbage.

    The call changed nothing. ``culprit`` names the code, e.g.
    ``"strategy 'vip_first' of ('billing', 'chat')"`` or ``"clock"``; the
    host's own exception, if any, is ``__cause__``.

    Added in 0.2.
    """

    def __init__(self, culprit: str, problem: str) -> None:
        self.culprit = culprit
        super().__init__(f"{culprit} {problem}; the call changed nothing.")


class PermissionDeniedError(AgentrouteError, PermissionError):
    """
    The actor's role does not allow this call.

    Added in 0.2.
    """

    def __init__(self, actor: str, action: str, reason: str) -> None:
        self.actor = actor
        self.action = action
        super().__init__(f"{actor!r} may not {action}: {reason}.")
