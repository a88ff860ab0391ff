"""
Item records, the one table of their lifecycle, and the retention of closed items.

An item is in exactly one state: queued, offered, assigned or closed. `OPERATIONS`
says which states each operation accepts, so every public call refuses the
same way; closed items are kept for ``reopen``/``status``/``history`` up to
a retention bound, oldest dropped first.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from agentroute._core.ledger import Ledger
from agentroute._core.queue import QueueKey, queue_key
from agentroute._core.registry import Seat
from agentroute._core.undo import UndoLog
from agentroute.errors import InvalidStateError, ItemClosedError, UnknownItemError
from agentroute.model import Item, ItemState

if TYPE_CHECKING:
    from agentroute._core.pools import Pool

__all__ = ["OPERATIONS", "TRANSITIONS", "ItemRecord", "ItemStore"]

TRANSITIONS: Final[dict[ItemState, frozenset[ItemState]]] = {
    "queued": frozenset({"queued", "offered", "assigned", "closed"}),
    "offered": frozenset({"offered", "queued", "assigned", "closed"}),
    "assigned": frozenset({"assigned", "queued", "offered", "closed"}),
    "closed": frozenset({"queued", "offered", "assigned"}),
}
"""From each state, the states an item may move to; staying put (a transfer, a new owner)
is always allowed."""

OPERATIONS: Final[dict[str, tuple[frozenset[ItemState], str]]] = {
    "close": (frozenset({"queued", "offered", "assigned"}), ""),
    "transfer": (frozenset({"queued", "offered", "assigned"}), "reopen it first"),
    "claim": (frozenset({"queued"}), "transfer it instead"),
    "requeue": (frozenset({"assigned"}), "only an assigned item goes back to routing"),
    "reopen": (frozenset({"closed"}), "only a closed item can be reopened"),
    "forget": (frozenset({"closed"}), "close it first"),
}
"""Per operation: the states it accepts, and what to tell a caller in another state."""


Choice: TypeAlias = tuple[int, tuple[Any, ...], tuple[Any, ...] | None]
"""(free agents then, the chosen one's index entry (*rank, agent, seat), the best other's or
None): the entries themselves, which a choice makes anyway, so noting costs one tuple."""

_NO_OFFERS: Final[dict[str, None]] = {}
"""Shared by every item not offered; never changed (offers replace the dict)."""


class ItemRecord:
    """The router's state for one item."""

    __slots__ = (
        "agent",
        "arrival",
        "arrived_at",
        "assigned_at",
        "choice",
        "closed_number",
        "department",
        "item",
        "last_reply_at",
        "offers",
        "pool",
        "replies",
        "seat",
        "state",
        "waiting_for",
    )

    def __init__(self, item: Item, pool: Pool, arrival: int, arrived_at: float) -> None:
        self.item = item
        self.pool: Pool = pool
        """The pool of its department and channel (kept while closed, to reopen there)."""
        self.department = pool.department
        self.arrival = arrival
        self.arrived_at = arrived_at
        self.state: ItemState = "queued"
        self.agent: str | None = None
        """The responsible agent: the holder while assigned, kept after close unless unassigned."""
        self.seat: Seat | None = None
        """The seat holding the item while assigned."""
        self.replies = 0
        self.closed_number = 0
        """Its place in the order of closes while closed; 0 while open."""
        self.last_reply_at: float | None = None
        self.offers: dict[str, None] = _NO_OFFERS
        """While offered, the agents it rings (replaced, never changed in place)."""
        self.assigned_at: float | None = None
        """When its latest booking happened (clock time), for handling-time statistics."""
        self.choice: Choice | None = None
        """What the strategy compared when it last chose the agent (for ``explain``)."""
        self.waiting_for: tuple[str, ...] = ()
        """While queued for particular agents (dedicated or sticky), those agents."""

    @property
    def key(self) -> QueueKey:
        """The item's place in its queue."""
        return queue_key(self.item, self.arrival)

    def require(self, operation: str) -> None:
        """
        Raise unless *operation* is allowed in the item's state.

        Raises:
            ItemClosedError: The item is closed and the operation needs it open.
            InvalidStateError: The item is open and the operation needs another state.
        """
        allowed, hint = OPERATIONS[operation]
        state = self.state
        if state in allowed:
            return
        item_id = self.item.id
        if state == "closed":
            raise ItemClosedError(item_id, operation)
        if state == "offered":
            hint = "an agent it rings takes it with accept()"
        holder = f" to {self.agent!r}" if state == "assigned" else ""
        msg = f"Cannot {operation} item {item_id!r}: it is {state}{holder}; {hint}."
        raise InvalidStateError(msg)


class ItemStore:
    """
    Every item the router remembers, and the order closed ones are dropped in.

    Closes are numbered; ``_closes`` lists (number, item id) oldest first.
    Reopening an item only clears its record's number, so its entry goes
    stale and is skipped when it reaches the front: every change is O(1)
    and undone exactly.
    """

    __slots__ = (
        "_closes",
        "_ledger",
        "_undo",
        "arrivals",
        "closed_count",
        "closes_made",
        "records",
        "retain",
    )

    def __init__(self, undo: UndoLog, ledger: Ledger, retain: int | None) -> None:
        self._undo = undo
        self._ledger = ledger
        self.records: dict[str, ItemRecord] = {}
        self._closes: deque[tuple[int, str]] = deque()
        self.retain = retain
        """How many closed items to keep; None keeps all."""
        self.closed_count = 0
        """How many closed items are kept now."""
        self.arrivals = 0
        """Arrival sequence numbers handed out so far (queue order among equals)."""
        self.closes_made = 0
        """Closes numbered so far: the last close's number."""

    def get(self, item_id: str) -> ItemRecord:
        """
        Return the record of *item_id*.

        Raises:
            UnknownItemError: The router never saw this id, or forgot it.
        """
        record = self.records.get(item_id) if isinstance(item_id, str) else None
        if record is None:
            raise UnknownItemError(item_id)
        return record

    def add(self, item: Item, pool: Pool, at: float) -> ItemRecord:
        """Remember a new item that arrived at *at*, with the next arrival number."""
        self.arrivals = arrivals = self.arrivals + 1
        record = ItemRecord(item, pool, arrivals, at)
        self.records[item.id] = record
        self._undo.steps.append((ItemStore._unadd, self, item.id))
        return record

    def _unadd(self, item_id: str) -> None:
        del self.records[item_id]
        self.arrivals -= 1

    def next_arrival(self) -> int:
        """Hand out the next arrival number (a reopened item queues as a new arrival)."""
        self.arrivals = arrivals = self.arrivals + 1
        self._undo.steps.append((self._unarrive,))
        return arrivals

    def _unarrive(self) -> None:
        self.arrivals -= 1

    def closed(self, record: ItemRecord) -> None:
        """Count *record* as closed, dropping the oldest closed items past the bound."""
        self.closes_made = number = self.closes_made + 1
        self._closes.append((number, record.item.id))
        self._undo.steps.append((ItemStore._unclose, self, record))
        record.closed_number = number
        self.closed_count += 1
        retain = self.retain
        if retain is not None:
            while self.closed_count > retain:
                self._drop_oldest()

    def _unclose(self, record: ItemRecord) -> None:
        self._closes.pop()
        self.closes_made -= 1
        record.closed_number = 0
        self.closed_count -= 1

    def _drop_oldest(self) -> None:
        closes = self._closes
        entry = closes.popleft()
        number, item_id = entry
        record = self.records.get(item_id)
        if record is not None and record.closed_number == number:
            self._forget(record)
        # else: reopened or forgotten since, a stale entry
        self._undo.steps.append((deque.appendleft, closes, entry))

    def reopened(self, record: ItemRecord) -> None:
        """Stop counting *record* as closed."""
        self._undo.steps.append((self._unreopen, record, record.closed_number))
        record.closed_number = 0
        self.closed_count -= 1
        self._compact()

    def _compact(self) -> None:
        """
        Rebuild the list of closes without stale entries when they outnumber the live ones.

        Reopened and forgotten items leave entries behind; this keeps the
        list within twice the closed items kept (plus a little), amortized O(1).
        """
        closes = self._closes
        if len(closes) <= 2 * self.closed_count + 64:
            return
        records = self.records
        live = deque(
            (number, item_id)
            for number, item_id in closes
            if (record := records.get(item_id)) is not None and record.closed_number == number
        )
        self._closes = live
        self._undo.steps.append((setattr, self, "_closes", closes))

    def _unreopen(self, record: ItemRecord, number: int) -> None:
        record.closed_number = number
        self.closed_count += 1

    def forget(self, record: ItemRecord) -> None:
        """Drop a closed item now."""
        self._forget(record)
        self._compact()

    def _forget(self, record: ItemRecord) -> None:
        item_id = record.item.id
        del self.records[item_id]
        self.closed_count -= 1
        self._undo.steps.append((ItemStore._unforget, self, record))
        self._ledger.forget(item_id)

    def restore_closes(self, closed: list[ItemRecord]) -> None:
        """Count *closed* (ordered by close number) as the kept closed items, after a restore."""
        self._closes = deque((record.closed_number, record.item.id) for record in closed)
        self.closed_count = len(closed)

    def _unforget(self, record: ItemRecord) -> None:
        self.records[record.item.id] = record
        self.closed_count += 1
