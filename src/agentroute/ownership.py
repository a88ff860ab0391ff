"""
Who is responsible for each item, and every change of that, in order (SPEC F18, F20).

The ledger records raw tuples on the hot path and builds the immutable
`HistoryEntry` objects only when the host asks for them.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import attrs

__all__ = ["Action", "ActorKind", "HistoryEntry", "Ledger", "Ownership"]

Action: TypeAlias = Literal[
    "created", "assigned", "transferred", "claimed", "requeued", "unassigned", "reopened"
]
"""What changed the owner."""

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


_Row = tuple[float, Action, str | None, str, str | None, str | None, str, ActorKind, str | None]
"""(at, action, from department, to department, from agent, to agent, by, by kind, reason)"""


class Ledger:
    """
    The responsible department and agent of every item, with its history.
    """

    __slots__ = ("_rows",)

    def __init__(self) -> None:
        self._rows: dict[str, list[_Row]] = {}

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._rows

    def change(
        self,
        item_id: str,
        at: float,
        action: Action,
        department: str,
        agent: str | None,
        by: str,
        by_kind: ActorKind,
        reason: str | None = None,
    ) -> None:
        """Record that *item_id* is now owned by (*department*, *agent*), and who made it so."""
        rows = self._rows.get(item_id)
        if rows is None:
            self._rows[item_id] = [(at, action, None, department, None, agent, by, by_kind, reason)]
        else:
            last = rows[-1]
            rows.append((at, action, last[3], department, last[5], agent, by, by_kind, reason))

    def owner(self, item_id: str) -> Ownership:
        """Return the current owner of a recorded item."""
        last = self._rows[item_id][-1]
        return Ownership(item_id, last[3], last[5])

    def history(self, item_id: str) -> tuple[HistoryEntry, ...]:
        """Return every change of a recorded item's owner, oldest first."""
        return tuple(HistoryEntry(row[0], item_id, *row[1:]) for row in self._rows[item_id])

    def forget(self, item_id: str) -> None:
        """Drop an item's history."""
        del self._rows[item_id]
