"""
Agents, their presence and switches, and slot accounting (real state).

The unit of accounting is a `Seat`: one agent's standing on one channel.
Load is per agent and channel, shared by every department the agent serves
that channel in, so one seat sits in several pools' indexes at once. A seat
does not know what a pool is: it holds the indexes that rank it as
`SeatIndex` objects and tells them when it changes. An agent with a unit
budget has a `Wallet` shared by their seats: spending on one channel can
leave another without room.
"""

from __future__ import annotations

from typing import Any, Protocol

from agentroute.errors import UnknownAgentError
from agentroute.model import Agent, Presence
from agentroute.schedules import Schedule

__all__ = ["AgentRecord", "Registry", "Seat", "SeatIndex", "Wallet"]


class SeatIndex(Protocol):
    """**Protocol:** an index that ranks seats and must hear when one changes."""

    def refresh(self, seat: Seat) -> None:
        """Re-rank *seat*, or drop it when it cannot take work."""


class Wallet:
    """An agent's unit budget and the units their items and ringing offers use now."""

    __slots__ = ("budget", "seats", "used")

    def __init__(self, budget: int, seats: dict[str, Seat]) -> None:
        self.budget = budget
        self.used = 0
        self.seats = seats
        """The agent's seats (the record's own dict): spending on one may open or close another."""


class Seat:
    """
    One agent's capacity and counters on one channel; implements ``Candidate``.

    ``held`` is the agent's items (shared by all their seats) with the tick
    of each booking; ``load`` counts those on this channel plus the offers
    ringing the agent there (``ringing``): each takes a slot.
    """

    __slots__ = (
        "agent",
        "channel",
        "cost",
        "enabled",
        "held",
        "idle_since",
        "last_assigned",
        "limit",
        "load",
        "pools",
        "priority",
        "ringing",
        "view",
        "wallet",
    )

    def __init__(
        self, agent: str, channel: str, priority: int, limit: int, held: dict[str, int]
    ) -> None:
        self.agent = agent
        self.channel = channel
        self.priority = priority
        self.limit = limit
        self.load = 0
        self.ringing = 0
        """Offers ringing the agent on this channel; counted in ``load`` too."""
        self.cost = 1
        """Units an item of this channel costs the agent (with a budget)."""
        self.wallet: Wallet | None = None
        """The agent's unit budget, shared by their seats; None without one."""
        self.last_assigned = 0
        self.idle_since = 0
        self.enabled = False
        self.held = held
        self.pools: list[Any] = []
        """The `SeatIndex` objects (pools) ranking this seat; typed loosely so this module
        need not import the pools that import it."""
        self.view: CandidateView | None = None

    def __repr__(self) -> str:
        return (
            f"Seat({self.agent!r}, {self.channel!r}, load={self.load}/{self.limit}, "
            f"enabled={self.enabled})"
        )

    @property
    def is_free(self) -> bool:
        """True when the agent is online, has the channel on, a slot and the units left."""
        return self.enabled and self.has_room

    @property
    def has_room(self) -> bool:
        """True when a slot is left on the channel and, with a budget, the units for one more."""
        wallet = self.wallet
        return self.load < self.limit and (
            wallet is None or wallet.used + self.cost <= wallet.budget
        )

    def refresh(self) -> None:
        """Tell every index holding this seat that it changed."""
        for pool in self.pools:
            pool.refresh(self)

    def candidate(self) -> CandidateView:
        """Return the read-only view of this seat that host strategies get."""
        view = self.view
        if view is None:
            view = self.view = CandidateView(self)
        return view


class CandidateView:
    """
    A read-only window on a seat, given to strategies the router does not ship.

    Built-in strategies only read, so they get the seat itself; a host's
    strategy gets this, so ``ranked[0].limit = 99`` cannot change a limit.
    """

    __slots__ = ("_seat",)

    def __init__(self, seat: Seat) -> None:
        self._seat = seat

    def __repr__(self) -> str:
        seat = self._seat
        return f"Candidate({seat.agent!r}, {seat.channel!r}, load={seat.load}/{seat.limit})"

    @property
    def agent(self) -> str:
        """The agent's id."""
        return self._seat.agent

    @property
    def channel(self) -> str:
        """The channel this standing is for."""
        return self._seat.channel

    @property
    def priority(self) -> int:
        """The agent's routing priority."""
        return self._seat.priority

    @property
    def load(self) -> int:
        """Slots taken on this channel: items held, plus offers ringing the agent."""
        return self._seat.load

    @property
    def limit(self) -> int:
        """Items allowed on this channel at once."""
        return self._seat.limit

    @property
    def last_assigned(self) -> int:
        """Sequence number of the last assignment on this channel."""
        return self._seat.last_assigned

    @property
    def idle_since(self) -> int:
        """Sequence number of the last assignment or release on this channel."""
        return self._seat.idle_since


class AgentRecord:
    """
    The router's state for one agent: definition, presence, switches, seats.
    """

    __slots__ = (
        "agent",
        "break_reason",
        "break_until",
        "channels_off",
        "department_off",
        "items",
        "missed",
        "off_shift",
        "offers",
        "offline_since",
        "presence",
        "schedule",
        "seats",
        "wallet",
    )

    def __init__(self, agent: Agent) -> None:
        self.agent = agent
        self.presence: Presence = "offline"
        self.offline_since: float | None = None
        """When the agent went offline, while they are (None for a new agent)."""
        self.break_until: float | None = None
        """When the agent's break ends, while they are on one: out of routing until then."""
        self.break_reason: str | None = None
        self.schedule: Schedule | None = None
        """The agent's working week, if they have one."""
        self.off_shift = False
        """The agent has a schedule and no shift of it is running: out of routing."""
        self.channels_off: dict[str, None] = {}
        """Channels switched off everywhere."""
        self.department_off: dict[tuple[str, str], None] = {}
        """(department, channel) pairs switched off for that department only."""
        self.items: dict[str, int] = {}
        self.offers: dict[str, None] = {}
        """Ids of the items offered to the agent, ringing now."""
        self.missed = 0
        """Offers the agent let ring out, since they were added."""
        self.seats: dict[str, Seat] = {}
        self.wallet = None if agent.units is None else Wallet(agent.units, self.seats)
        for channel, limit in agent.capacity.items():
            self.seats[channel] = self.new_seat(channel, limit)

    def new_seat(self, channel: str, limit: int) -> Seat:
        """Return a seat for *channel*, counting its items in this record's items."""
        seat = Seat(self.agent.id, channel, self.agent.priority, limit, self.items)
        seat.cost = self.agent.cost(channel)
        seat.wallet = self.wallet
        return seat

    def seat_enabled(self, channel: str) -> bool:
        """Tell whether the agent is online, not on a break, and has *channel* switched on."""
        return (
            self.presence == "online"
            and self.break_until is None
            and not self.off_shift
            and channel not in self.channels_off
        )

    def held_in_order(self) -> list[str]:
        """Return the held item ids, oldest booking first."""
        items = self.items
        return sorted(items, key=items.__getitem__)


class Registry:
    """
    Every agent the router knows, by id, in the order they were added.
    """

    __slots__ = ("_records", "forwards", "owner", "sole")

    def __init__(self) -> None:
        self._records: dict[str, AgentRecord] = {}
        self.owner: str | None = None
        """The id of the one agent with role ``"owner"``, if any."""
        self.sole = False
        """The router has exactly one agent, who is then pushed all waiting work, pull included."""
        self.forwards: dict[str, str] = {}
        """Per agent who forwards calls, the device to ring."""

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

    def only(self) -> AgentRecord | None:
        """Return the router's only agent, when it has exactly one."""
        if len(self._records) == 1:
            return next(iter(self._records.values()))
        return None

    def put(self, record: AgentRecord) -> None:
        """Register *record*; the caller checked the id is new."""
        self._records[record.agent.id] = record
        self.sole = len(self._records) == 1
        if record.agent.role == "owner":
            self.owner = record.agent.id

    def reset(self, records: list[AgentRecord], owner: str | None) -> None:
        """Put back exactly these records, in this order (an undo step)."""
        self._records = {record.agent.id: record for record in records}
        self.sole = len(self._records) == 1
        self.owner = owner

    def drop(self, agent_id: str) -> AgentRecord:
        """Forget *agent_id*; the caller detached its seats first."""
        record = self._records.pop(agent_id)
        self.sole = len(self._records) == 1
        if self.owner == agent_id:
            self.owner = None
        return record
