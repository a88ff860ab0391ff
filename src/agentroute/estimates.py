"""
How long a waiting item should still wait: the value ``Router.estimated_wait()`` returns.

The method, in one line: the slots serving the item free up at about
``slots / handling time`` per second, so the *k*-th in line waits for about
*k* of those (an M/M/c queue's expectation). It knows nothing of the future:
agents coming online, breaks, or a rush of more urgent work change it.
"""

from __future__ import annotations

import attrs

__all__ = ["WaitEstimate"]


@attrs.frozen
class WaitEstimate:
    """
    Where a waiting item stands and how long it should still wait.

    Attributes:
        item: The item's id.
        position: Its 1-based place in the line it waits in (the department's
            line, or the line of the agents it waits for).
        slots: The slots that can take it when they free up: the limits of
            the agents serving that line who are online, not on a break, on
            shift and have the channel on.
        handling_s: The observed mean handling time of its department and
            channel (see `agentroute._core.handling`), or None before the
            first close there.
        seconds: ``position * handling_s / slots``, or None when either is
            unknown (no close yet, nobody available) or the item waits to be
            pulled (nobody knows when an agent will take it).

    Added in 0.2.
    """

    item: str
    position: int
    slots: int
    handling_s: float | None
    seconds: float | None
