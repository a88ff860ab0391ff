"""
The responsible department and agent of every item, with its recent history.

The ledger records raw tuples on the hot path and builds the immutable
`HistoryEntry` objects only when the host asks for them. Each item keeps
its latest ``limit`` rows, so a long-lived item cannot grow without bound.
"""

from __future__ import annotations

from agentroute._core.undo import UndoLog
from agentroute.ownership import Action, ActorKind, HistoryEntry, Ownership

__all__ = ["Ledger", "Row"]

Row = tuple[float, Action, str | None, str, str | None, str | None, str, ActorKind, str | None]
"""(at, action, from department, to department, from agent, to agent, by, by kind, reason)"""


class Ledger:
    """
    Owners and history rows of every item the router remembers.
    """

    __slots__ = ("_rows", "_undo", "limit")

    def __init__(self, undo: UndoLog, limit: int | None) -> None:
        self._rows: dict[str, list[Row]] = {}
        self._undo = undo
        self.limit = limit
        """Rows kept per item, newest last; None keeps all."""

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
        steps = self._undo.steps
        if rows is None:
            self._rows[item_id] = [(at, action, None, department, None, agent, by, by_kind, reason)]
            steps.append((dict.pop, self._rows, item_id))
            return
        last = rows[-1]
        rows.append((at, action, last[3], department, last[5], agent, by, by_kind, reason))
        steps.append((list.pop, rows))
        limit = self.limit
        if limit is not None and len(rows) > limit:
            steps.append((rows.insert, 0, rows.pop(0)))

    def owner(self, item_id: str) -> Ownership:
        """Return the current owner of a recorded item."""
        last = self._rows[item_id][-1]
        return Ownership(item_id, last[3], last[5])

    def agent(self, item_id: str) -> str | None:
        """Return the responsible agent of a recorded item."""
        return self._rows[item_id][-1][5]

    def history(self, item_id: str) -> tuple[HistoryEntry, ...]:
        """Return the kept changes of a recorded item's owner, oldest first."""
        return tuple(HistoryEntry(row[0], item_id, *row[1:]) for row in self._rows[item_id])

    def rows(self, item_id: str) -> list[Row]:
        """Return the kept rows of a recorded item, oldest first (the list itself: read only)."""
        return self._rows[item_id]

    def put_rows(self, item_id: str, rows: list[Row]) -> None:
        """Set an item's rows wholesale, when a router is rebuilt from a snapshot."""
        self._rows[item_id] = rows

    def forget(self, item_id: str) -> None:
        """Drop an item's history."""
        rows = self._rows.pop(item_id)
        self._undo.steps.append((self._rows.__setitem__, item_id, rows))
