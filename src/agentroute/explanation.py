"""
Why an item is where it is: what chose its agent, what the strategy compared, who else could.

This is the value ``Router.explain()`` returns, as data and (``str()``) as
text a person can read.
"""

from __future__ import annotations

from typing import Any

import attrs

from agentroute.candidates import Candidates
from agentroute.model import ItemState
from agentroute.ownership import ActorKind

__all__ = ["Explanation", "Ranked"]


@attrs.frozen
class Ranked:
    """
    One agent as the strategy ranked them when it chose: the rank's parts by name.

    Added in 0.2.
    """

    agent: str
    rank: tuple[tuple[str, Any], ...]
    """(name, value) for each part of the rank, compared in this order; smaller wins."""

    def __str__(self) -> str:
        parts = ", ".join(f"{name} {value!r}" for name, value in self.rank)
        return f"{self.agent!r} ({parts})"


@attrs.frozen
class Explanation:
    """
    Why an item is where it is, from ``Router.explain()``.

    Attributes:
        item: The item's id.
        state: Its state now.
        department: Its responsible department.
        channel: Its channel.
        agent: Its responsible agent, if any.
        decided_by: Who made *agent* responsible (or last moved the item):
            a strategy's name, ``"sticky"``, ``"dedicated"``, an agent's
            id, a rule's name or ``"system"``; None before any decision.
        by_kind: What *decided_by* is (see `HistoryEntry.by_kind`).
        at: When that was.
        among: When a strategy chose, how many agents were free then.
        chosen: When a strategy chose, the agent's rank then.
        runner_up: The best other free agent's rank then, if any.
        rules: The rules that acted on the item, oldest first.
        now: Who could take such an item now, and why not the others.

    Added in 0.2.
    """

    item: str
    state: ItemState
    department: str
    channel: str
    agent: str | None
    decided_by: str | None
    by_kind: ActorKind | None
    at: float | None
    among: int | None
    chosen: Ranked | None
    runner_up: Ranked | None
    rules: tuple[str, ...]
    now: Candidates

    def __str__(self) -> str:
        where = f"{self.channel!r} in {self.department!r}"
        holder = f" to {self.agent!r}" if self.state == "assigned" else ""
        lines = [f"Item {self.item!r} ({where}) is {self.state}{holder}."]
        if self.decided_by is not None:
            lines.append(f"Decided by {self.decided_by} ({self.by_kind}) at {self.at}.")
        if self.chosen is not None:
            agents = "agent" if self.among == 1 else "agents"
            lines.append(f"The strategy chose among {self.among} free {agents}:")
            lines.append(f"  chosen {self.chosen}")
            if self.runner_up is not None:
                lines.append(f"  next   {self.runner_up}")
        if self.rules:
            lines.append(f"Rules: {', '.join(self.rules)}.")
        lines.append("Now: " + str(self.now))
        return "\n".join(lines)
