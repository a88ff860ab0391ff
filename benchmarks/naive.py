"""
The baselines: the router a developer writes in an afternoon, and a bare floor.

Agents live in a list of small slotted objects. ``assign`` filters the
eligible agents (a member serving the channel, online, channel on, a slot
left) in one pass and takes ``min(...)`` by (load, id), that is least busy,
ties to the smallest id. Work no one can take waits in a heap per
(department, channel), ordered by (priority, arrival). It is correct and
lean (one generator, no copies), so beating it measures the index, not
sloppiness; it is not part of agentroute.

``NaiveBacklog`` is the same idea for the badge of the "Resolve" button,
``waiting_for(agent)``: the waiting items in one list, counted by scanning
it for those in a (department, channel) the agent serves.

``FloorRouter`` is the other end: least_busy reduced to a ``SortedList``
and two dicts, with no validation, records or events. It is as fast as a
least_busy router can be in pure Python, so it measures what agentroute's
bookkeeping costs on top.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence

from sortedcontainers import SortedList

from agentroute import Agent, Item

__all__ = ["FloorRouter", "NaiveAgent", "NaiveBacklog", "NaiveRouter"]

_Waiting = tuple[int, int, Item]
"""(item priority, arrival sequence, item): heap order of waiting work."""


class NaiveAgent:
    """
    One agent: presence, channels switched off, and load per channel.
    """

    __slots__ = ("capacity", "channels_off", "departments", "id", "load", "online", "priority")

    def __init__(self, agent: Agent) -> None:
        self.id = agent.id
        self.priority = agent.priority
        self.departments: Mapping[str, frozenset[str]] = agent.departments
        self.capacity: Mapping[str, int] = agent.capacity
        self.online = False
        self.channels_off: set[str] = set()
        self.load = dict.fromkeys(agent.capacity, 0)

    def is_eligible(self, department: str, channel: str) -> bool:
        """Tell whether this agent may take one more *channel* item of *department* now."""
        return (
            self.online
            and channel in self.departments.get(department, ())
            and channel not in self.channels_off
            and self.load[channel] < self.capacity[channel]
        )


class NaiveRouter:
    """
    Least-busy routing by scanning every agent on every decision.

    >>> router = NaiveRouter()
    >>> router.add_agent(Agent("ana", capacity={"chat": 1}, departments={"d": {"chat"}}))
    >>> router.set_presence("ana", "online")
    []
    >>> router.assign(Item("c1", channel="chat", department="d"))
    'ana'
    >>> router.assign(Item("c2", channel="chat", department="d")) is None
    True
    >>> router.close("c1")
    [('c2', 'ana')]
    """

    __slots__ = ("_agents", "_arrivals", "_by_id", "_held", "_queues")

    def __init__(self) -> None:
        self._agents: list[NaiveAgent] = []
        self._by_id: dict[str, NaiveAgent] = {}
        self._held: dict[str, tuple[NaiveAgent, Item]] = {}
        self._queues: dict[tuple[str, str], list[_Waiting]] = {}
        self._arrivals = 0

    def add_agent(self, agent: Agent) -> None:
        """Register *agent*, offline."""
        if agent.id in self._by_id:
            msg = f"agent {agent.id!r} exists"
            raise ValueError(msg)
        naive = NaiveAgent(agent)
        self._agents.append(naive)
        self._by_id[agent.id] = naive

    def set_presence(self, agent_id: str, presence: str) -> list[tuple[str, str]]:
        """
        Set an agent online or not; coming online takes waiting work.

        Returns:
            (item id, agent id) for each waiting item dispatched.
        """
        agent = self._by_id[agent_id]
        agent.online = presence == "online"
        return self._drain(agent)

    def load(self, agent_id: str, channel: str) -> int:
        """Return how many *channel* items the agent holds."""
        return self._by_id[agent_id].load[channel]

    def assign(self, item: Item) -> str | None:
        """
        Give *item* to the least busy eligible agent, or queue it.

        Returns:
            The agent's id, or None when the item waits.
        """
        if item.id in self._held:
            msg = f"item {item.id!r} exists"
            raise ValueError(msg)
        agent = self._choose(item.department, item.channel)
        if agent is None:
            self._arrivals += 1
            queue = self._queues.setdefault((item.department, item.channel), [])
            heapq.heappush(queue, (item.priority, self._arrivals, item))
            return None
        self._book(agent, item)
        return agent.id

    def assign_to(self, item: Item, agent_id: str) -> None:
        """Give *item* to a named agent, who must be eligible (used to pre-load agents)."""
        agent = self._by_id[agent_id]
        if item.id in self._held or not agent.is_eligible(item.department, item.channel):
            msg = f"cannot give {item.id!r} to {agent_id!r}"
            raise ValueError(msg)
        self._book(agent, item)

    def close(self, item_id: str) -> list[tuple[str, str]]:
        """
        Close an assigned item; the freed slot takes waiting work.

        Returns:
            (item id, agent id) for each waiting item dispatched.
        """
        agent, item = self._held.pop(item_id)
        agent.load[item.channel] -= 1
        return self._drain(agent)

    def _choose(self, department: str, channel: str) -> NaiveAgent | None:
        return min(
            (
                agent
                for agent in self._agents
                if agent.online
                and channel in agent.departments.get(department, ())
                and channel not in agent.channels_off
                and agent.load[channel] < agent.capacity[channel]
            ),
            key=lambda agent: (agent.load[channel], agent.id),
            default=None,
        )

    def _book(self, agent: NaiveAgent, item: Item) -> None:
        agent.load[item.channel] += 1
        self._held[item.id] = (agent, item)

    def _drain(self, agent: NaiveAgent) -> list[tuple[str, str]]:
        """Dispatch waiting work of every queue *agent* serves, while someone can take it."""
        dispatched = []
        for department, channels in agent.departments.items():
            for channel in sorted(channels):
                queue = self._queues.get((department, channel))
                while queue:
                    chosen = self._choose(department, channel)
                    if chosen is None:
                        break
                    item = heapq.heappop(queue)[2]
                    self._book(chosen, item)
                    dispatched.append((item.id, chosen.id))
        return dispatched


class NaiveBacklog:
    """
    Work waiting to be pulled, in one list; the badge count scans it on every call.

    >>> backlog = NaiveBacklog()
    >>> backlog.add_agent(Agent("ana", capacity={"chat": 1}, departments={"d": {"chat"}}))
    >>> backlog.add(Item("c1", channel="chat", department="d"))
    >>> backlog.add(Item("m1", channel="mail", department="d"))
    >>> backlog.waiting_for("ana")
    1
    """

    __slots__ = ("_departments", "_waiting")

    def __init__(self) -> None:
        self._departments: dict[str, Mapping[str, frozenset[str]]] = {}
        self._waiting: list[Item] = []

    def add_agent(self, agent: Agent) -> None:
        """Register *agent*."""
        self._departments[agent.id] = agent.departments

    def add(self, item: Item) -> None:
        """Put *item* at the end of the waiting list."""
        self._waiting.append(item)

    def waiting_for(self, agent_id: str) -> int:
        """Count the waiting items in a (department, channel) the agent serves."""
        departments = self._departments[agent_id]
        return sum(
            1 for item in self._waiting if item.channel in departments.get(item.department, ())
        )


class FloorRouter:
    """
    A bare least_busy prototype of one channel.

    Free agents sit in a `SortedList` of (load, idle tick, agent id).

    ``assign`` pops the first entry and puts it back with load + 1 (unless
    the agent is now full); ``close`` takes the agent's entry out (if it is
    there) and puts it back with load - 1. A dict maps each held item to
    its agent. No validation, no records, no events.
    """

    def __init__(self, agents: Sequence[Agent], held: Sequence[int], channel: str) -> None:
        self.tick = 0
        self.entries: dict[str, tuple[int, int, str]] = {}
        self.free: SortedList[tuple[int, int, str]] = SortedList()
        self.holder: dict[str, str] = {}
        self.capacity = {agent.id: agent.capacity[channel] for agent in agents}
        for agent, load in zip(agents, held, strict=True):
            self.entries[agent.id] = entry = (load, 0, agent.id)
            if load < self.capacity[agent.id]:
                self.free.add(entry)

    def assign(self, item: Item) -> str:
        """Give *item* to the least busy, longest idle agent; return the agent's id."""
        load, _, agent = self.free.pop(0)
        self.tick += 1
        self.entries[agent] = entry = (load + 1, self.tick, agent)
        if load + 1 < self.capacity[agent]:
            self.free.add(entry)
        self.holder[item.id] = agent
        return agent

    def close(self, item_id: str) -> None:
        """Free the slot of *item_id*."""
        agent = self.holder.pop(item_id)
        load = self.entries[agent][0]
        if load < self.capacity[agent]:
            self.free.remove(self.entries[agent])
        self.tick += 1
        self.entries[agent] = entry = (load - 1, self.tick, agent)
        self.free.add(entry)
