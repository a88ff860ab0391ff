"""
Who could take a department's work now, and why the others cannot.

These are the values ``Router.candidates()`` and ``Router.candidates_for()``
return: cheap (one pass over the pool's members, no routing side effects),
so a transfer picker can call them on every render.
"""

from __future__ import annotations

import attrs

__all__ = ["Candidates", "Unavailable"]


@attrs.frozen
class Unavailable:
    """
    A member of the pool who cannot take its work now, and every reason why.

    Added in 0.2.
    """

    agent: str
    reasons: tuple[str, ...]


@attrs.frozen
class Candidates:
    """
    The agents serving a department's channel: who could take work now, who cannot and why.

    Attributes:
        department: The department.
        channel: The channel.
        strategy: The strategy that chooses among *ready*.
        ready: The agents who could take an item now, in the strategy's
            order (first choice first; a ``random`` pool lists them in no
            meaningful order, a ``ring_all`` pool would ring them all).
        unavailable: The other members, by id, each with why.
        preferred: For one item (``candidates_for``), the agents it goes to
            first, in order: those dedicated to its group, or its
            customer's last agent in a sticky department.

    Examples:
        >>> from agentroute import Agent, Router
        >>> router = Router()
        >>> router.add_department("billing")
        >>> for name in ("ana", "bob"):
        ...     chat = {"billing": {"chat"}}
        ...     router.add_agent(Agent(name, capacity={"chat": 1}, departments=chat))
        >>> router.set_presence("ana", "online")
        []
        >>> print(router.candidates("billing", "chat"))
        'chat' in 'billing' (least_busy): 1 ready, 1 unavailable
          ready: 'ana'
          'bob': is offline

    Added in 0.2.
    """

    department: str
    channel: str
    strategy: str
    ready: tuple[str, ...]
    unavailable: tuple[Unavailable, ...]
    preferred: tuple[str, ...] = ()

    def __str__(self) -> str:
        lines = [
            f"{self.channel!r} in {self.department!r} ({self.strategy}): "
            f"{len(self.ready)} ready, {len(self.unavailable)} unavailable"
        ]
        if self.preferred:
            lines.append(f"  preferred: {', '.join(map(repr, self.preferred))}")
        if self.ready:
            lines.append(f"  ready: {', '.join(map(repr, self.ready))}")
        lines.extend(f"  {u.agent!r}: {'; '.join(u.reasons)}" for u in self.unavailable)
        return "\n".join(lines)
