"""
Agents, their presence and channel status, and slot accounting (SPEC F1, F2, F4).

The unit of accounting is a `Seat`: one agent's standing on one
channel. Load is per agent and channel, shared by every department the agent
serves that channel in, so one seat belongs to several pools at once; when a
seat changes, it tells each of them (`Seat.refresh`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentroute.errors import UnknownAgentError
from agentroute.model import Agent, Presence

if TYPE_CHECKING:  # pools rank seats; seats only need to tell them of changes
    from agentroute.pool import Pool

__all__ = ["AgentRecord", "Registry", "Seat"]


class Seat:
    """
    One agent's capacity and counters on one channel; implements ``Candidate``.
    """

    __slots__ = (
        "agent",
        "channel",
        "enabled",
        "held",
        "idle_since",
        "last_assigned",
        "limit",
        "load",
        "pools",
        "priority",
    )

    def __init__(
        self, agent: str, channel: str, priority: int, limit: int, held: dict[str, None]
    ) -> None:
        self.agent = agent
        self.channel = channel
        self.priority = priority
        self.limit = limit
        self.load = 0
        self.last_assigned = 0
        self.idle_since = 0
        self.enabled = False
        self.held = held
        self.pools: list[Pool] = []

    def __repr__(self) -> str:
        return (
            f"Seat({self.agent!r}, {self.channel!r}, load={self.load}/{self.limit}, "
            f"enabled={self.enabled})"
        )

    @property
    def is_free(self) -> bool:
        """True when the agent may take one more item on this channel now."""
        return self.enabled and self.load < self.limit

    def refresh(self) -> None:
        """Tell every pool holding this seat that it changed."""
        for pool in self.pools:
            pool.refresh(self)

    def book(self, item_id: str, tick: int) -> None:
        """Count *item_id* on this seat, assigned at sequence *tick*."""
        self.held[item_id] = None
        self.load += 1
        self.last_assigned = self.idle_since = tick
        for pool in self.pools:
            pool.refresh(self)

    def hand_over(self, item_id: str, successor: str, tick: int) -> None:
        """
        Replace *item_id* by *successor* on this seat at sequence *tick*.

        The load does not change, so no pool needs to hear of it: a full seat
        is in no pool's free index.
        """
        held = self.held
        del held[item_id]
        held[successor] = None
        self.last_assigned = self.idle_since = tick

    def release(self, item_id: str, tick: int) -> None:
        """Stop counting *item_id* on this seat, released at sequence *tick*."""
        del self.held[item_id]
        self.load -= 1
        self.idle_since = tick
        for pool in self.pools:
            pool.refresh(self)


class AgentRecord:
    """
    The router's mutable state for one agent.
    """

    __slots__ = ("agent", "channels_off", "items", "presence", "seats")

    def __init__(self, agent: Agent) -> None:
        self.agent = agent
        self.presence: Presence = "offline"
        self.channels_off: dict[str, None] = {}
        self.items: dict[str, None] = {}
        self.seats = {
            channel: self.new_seat(channel, limit) for channel, limit in agent.capacity.items()
        }

    def new_seat(self, channel: str, limit: int) -> Seat:
        """Return a seat for *channel*, counting its items in this record's items."""
        return Seat(self.agent.id, channel, self.agent.priority, limit, self.items)

    def seat_enabled(self, channel: str) -> bool:
        """Tell whether the agent is online and has *channel* switched on."""
        return self.presence == "online" and channel not in self.channels_off

    def sync_seats(self) -> None:
        """Re-derive every seat's enabled flag and priority, and refresh its pools."""
        for channel, seat in self.seats.items():
            seat.enabled = self.seat_enabled(channel)
            seat.priority = self.agent.priority
            seat.refresh()


class Registry:
    """
    Every agent the router knows, by id, in the order they were added.
    """

    __slots__ = ("_records",)

    def __init__(self) -> None:
        self._records: dict[str, AgentRecord] = {}

    def __contains__(self, agent_id: object) -> bool:
        return agent_id in self._records

    def __len__(self) -> int:
        return len(self._records)

    def get(self, agent_id: str) -> AgentRecord:
        """
        Return the record of *agent_id*.

        Raises:
            UnknownAgentError: No such agent.
        """
        try:
            return self._records[agent_id]
        except (KeyError, TypeError):
            raise UnknownAgentError(agent_id) from None

    def find(self, agent_id: str) -> AgentRecord | None:
        """Return the record of *agent_id*, or None."""
        return self._records.get(agent_id)

    def records(self) -> list[AgentRecord]:
        """Return every record, in the order agents were added."""
        return list(self._records.values())

    def add(self, agent: Agent) -> AgentRecord:
        """Register *agent*, offline; the caller checked the id is new."""
        record = AgentRecord(agent)
        self._records[agent.id] = record
        return record

    def remove(self, agent_id: str) -> None:
        """Forget *agent_id*; the caller detached its seats first."""
        del self._records[agent_id]
