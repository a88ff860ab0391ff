"""
Who is responsible for each item, and every change of that, in order.

These are the values ``Router.owner()`` and ``Router.history()`` return.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import attrs

__all__ = ["Action", "ActorKind", "HistoryEntry", "Ownership"]

Action: TypeAlias = Literal[
    "created", "assigned", "transferred", "claimed", "requeued", "closed", "reopened", "rule"
]
"""What changed the owner, or closed the item; ``"rule"``: what a rule did to it (the reason
says what), or why it could not."""

ActorKind: TypeAlias = Literal["system", "strategy", "rule", "agent", "administrator", "owner"]
"""Who changed it: the router itself, a strategy, a rule, or a person by role."""


@attrs.frozen
class Ownership:
    """
    Who is responsible for an item now, from ``Router.owner()``.

    Attributes:
        item: The item's id.
        department: The responsible department; every item has one.
        agent: The responsible agent, or None while the item is unassigned.

    Added in 0.2.
    """

    item: str
    department: str
    agent: str | None


@attrs.frozen
class HistoryEntry:
    """
    One change of an item's owner, from ``Router.history()``.

    Attributes:
        at: Clock time of the change.
        item: The item's id.
        action: What changed it, e.g. ``"assigned"`` or ``"transferred"``.
        from_department: Responsible department before (None when created).
        to_department: Responsible department after.
        from_agent: Responsible agent before, if any.
        to_agent: Responsible agent after, if any.
        by: Who made the change: ``"system"``, a strategy name, a rule
            name, or an agent's id.
        by_kind: What *by* is: ``"system"``, ``"strategy"``, ``"rule"``,
            ``"agent"``, ``"administrator"`` or ``"owner"``.
        reason: Why, in the actor's words, if given.

    Added in 0.2.
    """

    at: float
    item: str
    action: Action
    from_department: str | None
    to_department: str
    from_agent: str | None
    to_agent: str | None
    by: str
    by_kind: ActorKind
    reason: str | None = None
