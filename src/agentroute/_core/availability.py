"""
What each kind of timer does when it fires, and ``advance``, the one handler that fires them.

``advance`` takes each timer due at the call's time, soonest first (equal
times in the order they were set), and runs what its kind says. Other calls
never fire timers, so a host decides when time passes by calling
``Router.advance()``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from agentroute._core import breaks, offers, presence, reservations, rules, shifts, sla
from agentroute._core.timers import BREAK, DUTY, OFFLINE, SHIFT
from agentroute.commands import Advance
from agentroute.model import Decision

if TYPE_CHECKING:
    from agentroute._core.core import Core

__all__ = ["TIMER_KINDS", "advance"]

TIMER_KINDS: Final[dict[str, Callable[[Core, str, float], list[Decision]]]] = {
    BREAK: breaks.break_over,
    SHIFT: shifts.follow_schedule,
    OFFLINE: presence.offline_over,
    DUTY: shifts.duty_turn,
    sla.SLA_WARNING: rules.sla_warning,
    sla.SLA_BREACH: rules.sla_breach,
    offers.OFFER: offers.expire,
    reservations.RESERVED: reservations.expire,
}
"""What each kind of timer does when it fires, given its key and the call's time."""


def advance(core: Core, command: Advance) -> list[Decision]:
    """
    Fire every timer due at the call's time, soonest first; return the decisions they caused.

    While a timer runs, `Timers.firing` is its due time: an item it puts back
    in line waited from then, for its SLA timers, however late the call.
    """
    decisions: list[Decision] = []
    timers = core.timers
    try:
        while (timer := timers.pop_due(command.at)) is not None:
            due, _, kind, key = timer
            timers.firing = due
            decisions.extend(TIMER_KINDS[kind](core, key, command.at))
    finally:
        timers.firing = None
    return decisions
