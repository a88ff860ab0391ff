"""
SLA timers: warn before an unanswered item's deadline; tell (and escalate) at the breach.

Unanswered means queued, or offered and ringing.

An item with an ``sla_deadline`` gets two timers when it arrives or reopens:
a warning (if its department asks for one) and the breach. They count only
while the item waits: they go on the schedule when it waits, an agent taking
it holds them, and if it waits again they go back, those whose time passed
meanwhile dropped. So the host's ``advance()`` is due only for items that
still wait, and a close cancels both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import attrs

from agentroute._core.items import ItemRecord
from agentroute._core.timers import Timers
from agentroute.events import SlaBreached, SlaWarning
from agentroute.model import Decision

if TYPE_CHECKING:
    from agentroute._core.core import Core

__all__ = [
    "SLA_BREACH",
    "SLA_WARNING",
    "UNANSWERED",
    "answered",
    "arm",
    "breach",
    "disarm",
    "waits_again",
    "warn",
]

SLA_WARNING: Final = "sla_warning"
"""The timer kind of a deadline's warning; its key is the item id."""

SLA_BREACH: Final = "sla_breach"
"""The timer kind of a deadline's breach; its key is the item id."""


UNANSWERED: Final = frozenset({"queued", "offered"})
"""The states in which an item's deadline still matters."""


def arm(core: Core, record: ItemRecord, at: float) -> None:
    """
    Set an item's warning and breach timers, for the parts of its deadline still ahead.

    They are set held, and go on the schedule when the item waits
    (`waits_again`): most items are answered at once, and never need them there.
    """
    deadline = record.item.sla_deadline
    if deadline is None or deadline <= at:
        return
    item_id = record.item.id
    lead = core.departments[record.department].sla_warning_s
    if lead is not None and deadline - lead > at:
        core.timers.set(SLA_WARNING, item_id, deadline - lead, held=True)
    core.timers.set(SLA_BREACH, item_id, deadline, held=True)


def answered(timers: Timers, item_id: str) -> None:
    """Hold an item's SLA timers: an agent has it, so its deadline stops counting."""
    timers.hold(SLA_WARNING, item_id)
    timers.hold(SLA_BREACH, item_id)


def waits_again(timers: Timers, item_id: str, at: float) -> None:
    """
    Put an item's held SLA timers on the schedule, for the parts of its deadline still ahead.

    Ahead of *at*, or of the due time of the timer that puts the item back
    (an offline agent's requeue in a late ``advance()``): the item waited
    from then, and the parts of its deadline since fire in the same call.
    """
    since = timers.firing
    if since is None:
        since = at
    timers.let_go(SLA_WARNING, item_id, since)
    timers.let_go(SLA_BREACH, item_id, since)


def disarm(core: Core, record: ItemRecord) -> None:
    """Cancel the SLA timers of an item with a deadline (it closed)."""
    core.timers.cancel(SLA_WARNING, record.item.id)
    core.timers.cancel(SLA_BREACH, record.item.id)


def warn(core: Core, item_id: str, at: float) -> list[Decision]:
    """Tell that a waiting item's deadline is near (its timers count only while it waits)."""
    record = core.items.records[item_id]
    if SlaWarning.kind in core.bus.wanted:
        deadline: float = record.item.sla_deadline  # type: ignore[assignment]
        core.bus.emit(SlaWarning(at, item_id, record.department, deadline))
    return []


def breach(core: Core, item_id: str, at: float) -> list[Decision]:
    """Tell that a waiting item missed its deadline, raising its priority if the department says."""
    record = core.items.records[item_id]
    escalate = core.departments[record.department].sla_escalate_to
    if escalate is not None and escalate < record.item.priority:
        core.dispatch.replace_item(record, attrs.evolve(record.item, priority=escalate))
    if SlaBreached.kind in core.bus.wanted:
        deadline: float = record.item.sla_deadline  # type: ignore[assignment]
        event = SlaBreached(at, item_id, record.department, deadline, record.item.priority)
        core.bus.emit(event)
    return []
