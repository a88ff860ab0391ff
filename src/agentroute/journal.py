"""
The journal: one plain-data entry for every successful call that may change a router.

A router made with ``Router(journal=callback)`` calls ``callback(entry)``
once per successful mutating call, after the change and before the call
returns, so an entry the callback has stored is a change the caller may
rely on. An entry is one flat, JSON-safe object: its format and version,
the operation (the name of the `Router` method), the clock reading the
call took, and the call's arguments under the method's own keyword names::

    {"format": "agentroute.journal", "version": 1, "seq": 42, "op": "close",
     "at": 12.5, "item_id": "c1", "actor": null, "reason": "solved"}

``seq`` numbers the router's successful mutating calls from 1; a snapshot
records how many it includes, so the entries to replay after it are those
with a greater ``seq``, and ``apply`` refuses an entry out of turn.

``router.apply(entry)`` replays one; a router restored from a snapshot and
fed the entries journaled after it equals the original. The router's
options (``seed``, ``retain_closed`` ...) are in its snapshots, not in the
journal: replaying from the very first entry needs a router built with the
same options, or a snapshot taken before the first call.

Examples:
    >>> from agentroute import Router, ManualClock
    >>> entries = []
    >>> router = Router(clock=ManualClock(100.0), journal=entries.append)
    >>> router.add_department("billing")
    >>> entries[0]["op"], entries[0]["at"], entries[0]["name"]
    ('add_department', 100.0, 'billing')
    >>> replica = Router()
    >>> replica.apply(entries[0])
    >>> replica.departments()
    ['billing']

Compatibility: an entry names its format and version. This release writes
version 1 and reads versions up to 1; a later release keeps reading every
earlier version, and refuses a newer one with `UnsupportedVersionError`
rather than guess.

Added in 0.2.
"""

from __future__ import annotations

from collections.abc import Callable
from types import UnionType
from typing import Any, Final, Literal, TypeAlias, Union, get_args, get_origin, get_type_hints

from agentroute import _plain
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
from agentroute.errors import InvalidDataError
from agentroute.model import Item

__all__ = ["FORMAT", "OPERATIONS", "VERSION", "Entry", "Journal", "decode", "encode"]

FORMAT: Final = "agentroute.journal"
"""The ``format`` of every entry."""

VERSION: Final = 1
"""The version this release writes, and the newest it reads."""

Entry: TypeAlias = dict[str, Any]
"""One journal entry: plain, JSON-safe data."""

Journal: TypeAlias = Callable[[Entry], object]
"""A callback that stores entries, e.g. ``list.append`` or a database insert."""

OPERATIONS: Final[dict[str, type[Command]]] = {
    "add_department": AddDepartment,
    "add_agent": AddAgent,
    "update_agent": UpdateAgent,
    "remove_agent": RemoveAgent,
    "set_presence": SetPresence,
    "set_channel": SetChannel,
    "set_self_service": SetSelfService,
    "set_capacity": SetCapacity,
    "assign": Assign,
    "close": Close,
    "forget": Forget,
    "transfer": Transfer,
    "claim": Claim,
    "next_for": NextFor,
    "reopen": Reopen,
    "reply": Reply,
    "requeue": Requeue,
    "accept": Accept,
    "decline": Decline,
    "add_rule": AddRule,
    "remove_rule": RemoveRule,
    "set_rule_active": SetRuleActive,
    "start_break": StartBreak,
    "end_break": EndBreak,
    "set_schedule": SetSchedule,
    "set_forwarding": SetForwarding,
    "set_duty_rotation": SetDutyRotation,
    "advance": Advance,
}
"""Each journaled operation (a `Router` method) and the command it becomes."""


_PLAIN: Final = (str, int, float, bool, type(None))


def _is_plain(hint: Any) -> bool:
    """Tell whether values of type *hint* are JSON values already (str, numbers, Literal ...)."""
    if get_origin(hint) is Literal:
        return True
    if get_origin(hint) in (Union, UnionType):
        return all(_is_plain(arg) for arg in get_args(hint))
    return hint in _PLAIN


def _generic(op: str, command: type[Command]) -> Callable[[Any, int], Entry]:
    """Return the encoder of *command*: plain fields as they are, models through cattrs."""
    names = command._fields[1:]
    hints = get_type_hints(command)
    special = [
        (name, _plain.unstructure_hook(hints[name])) for name in names if not _is_plain(hints[name])
    ]

    def encode(command: Any, seq: int) -> Entry:
        entry = {"format": FORMAT, "version": VERSION, "seq": seq, "op": op, "at": command[0]}
        entry.update(zip(names, command[1:], strict=True))
        for name, to_plain in special:
            entry[name] = to_plain(entry[name])
        return entry

    return encode


# The two calls of every item's life get encoders spelled out: a dict display is
# built in one step. Entries are flat, so a close entry holds only atomic values
# and the garbage collector never tracks it (an assign entry nests its item, so
# it is tracked); docs/performance.md has the cost of journaling per call.


_item_to_plain: Final[Callable[[Item], dict[str, Any]]] = _plain.unstructure_hook(Item)


def _encode_assign(command: Assign, seq: int) -> Entry:
    return {
        "format": FORMAT,
        "version": VERSION,
        "seq": seq,
        "op": "assign",
        "at": command.at,
        "item": _item_to_plain(command.item),
    }


def _encode_close(command: Close, seq: int) -> Entry:
    return {
        "format": FORMAT,
        "version": VERSION,
        "seq": seq,
        "op": "close",
        "at": command.at,
        "item_id": command.item_id,
        "actor": command.actor,
        "reason": command.reason,
    }


_ENCODERS: Final[dict[type[Any], Callable[[Any, int], Entry]]] = {
    command: _generic(op, command) for op, command in OPERATIONS.items()
}
_ENCODERS[Assign] = _encode_assign
_ENCODERS[Close] = _encode_close


def encode(command: Command, seq: int) -> Entry:
    """
    Return the journal entry of *command*, the router's *seq*-th successful mutating call.

    Examples:
        >>> encode(Close(at=12.5, item_id="c1", actor=None, reason="solved"), 42)
        {'format': 'agentroute.journal', 'version': 1, 'seq': 42, 'op': 'close', 'at': 12.5,
         'item_id': 'c1', 'actor': None, 'reason': 'solved'}
    """
    return _ENCODERS[type(command)](command, seq)


_HEADER: Final = ("format", "version", "seq", "op")


def decode(entry: object) -> tuple[int, Command]:
    """
    Return the ``seq`` of a journal entry and the command it records, checking every field.

    Raises:
        UnsupportedVersionError: Another format, or a newer version.
        InvalidDataError: A key is missing, unknown or of the wrong type, or the
            operation is unknown; the message names each key path.
    """
    header = _plain.check_header(entry, "journal entry", FORMAT, VERSION)
    op = header.get("op")
    command = OPERATIONS.get(op) if isinstance(op, str) else None
    if command is None:
        known = ", ".join(sorted(OPERATIONS))
        problem = f"unknown operation {op!r} (known: {known})"
        raise InvalidDataError("journal entry", [("op", problem)])
    seq = header.get("seq")
    if type(seq) is not int or seq < 1:
        raise InvalidDataError("journal entry", [("seq", f"expected an int >= 1, got {seq!r}")])
    fields = {key: value for key, value in header.items() if key not in _HEADER}
    return seq, _plain.structure(fields, command, "journal entry")
