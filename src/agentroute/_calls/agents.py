"""The Router's agent calls."""

from __future__ import annotations

from agentroute._calls._base import Calls
from agentroute._calls._checks import _check_bool
from agentroute.commands import (
    AddAgent,
    RemoveAgent,
    SetCapacity,
    SetChannel,
    SetForwarding,
    SetPresence,
    UpdateAgent,
)
from agentroute.errors import InvalidValueError
from agentroute.model import PRESENCES, Agent, Decision, Presence, check_id, check_limit


class AgentCalls(Calls):
    """The agent calls; no state (the Router owns the lock and core)."""

    def add_agent(self, agent: Agent) -> None:
        """
        Register *agent*; it is offline until `set_presence`.

        Raises:
            InvalidValueError: *agent* is not an `Agent`.
            DuplicateAgentError: The id is taken.
            DuplicateOwnerError: The agent's role is ``"owner"`` and the
                router has an owner already.
            UnknownDepartmentError: The agent names an unknown department.

        Added in 0.1.
        """
        _check_agent(agent)
        with self._lock:
            self._enter()
            self._run(AddAgent(self._now(), agent))

    def update_agent(self, agent: Agent, *, requeue: bool = False) -> list[Decision]:
        """
        Replace the definition of the agent with ``agent.id``.

        Current work stays with the agent, even above a lowered limit; new
        work waits until the load drops below it. Free slots gained by the
        change take waiting work at once.

        Args:
            agent: The new definition, e.g. ``attrs.evolve(router.agent("ana"), priority=5)``.
            requeue: Allow taking away a channel or department the agent
                holds work in; that work goes back to routing.

        Returns:
            The decisions for work that moved: dispatched from queues or requeued.

        Raises:
            InvalidValueError: *agent* is not an `Agent`, or *requeue* not a bool.
            UnknownAgentError: No agent has this id.
            UnknownDepartmentError: The agent names an unknown department.
            DuplicateOwnerError: The new role is ``"owner"`` and another agent is.
            AgentBusyError: The change strands work and *requeue* is false.

        Added in 0.1.
        """
        _check_agent(agent)
        _check_bool("requeue", requeue)
        with self._lock:
            self._enter()
            result: list[Decision] = self._run(UpdateAgent(self._now(), agent, requeue))
            return result

    def remove_agent(self, agent_id: str, *, requeue: bool = False) -> list[Decision]:
        """
        Remove an agent.

        Args:
            agent_id: The agent to remove.
            requeue: Allow removing an agent who holds work; that work goes
                back to routing, keeping its place in line.

        Returns:
            The decisions for the requeued work.

        Raises:
            UnknownAgentError: No agent has this id.
            InvalidValueError: *requeue* is not a bool.
            AgentBusyError: The agent holds work and *requeue* is false.

        Added in 0.1.
        """
        with self._lock:
            self._enter()
            self._core.registry.get(agent_id)
            _check_bool("requeue", requeue)
            result: list[Decision] = self._run(RemoveAgent(self._now(), agent_id, requeue))
            return result

    def set_presence(self, agent_id: str, presence: Presence) -> list[Decision]:
        """
        Set an agent ``"online"``, ``"away"`` or ``"offline"``.

        Only online agents get new work; going away or offline keeps current
        work. Coming online takes waiting work at once.

        Returns:
            The decisions for work dispatched to free slots.

        Raises:
            UnknownAgentError: No agent has this id.
            InvalidValueError: *presence* is not one of the three.

        Added in 0.1.
        """
        with self._lock:
            self._enter()
            self._core.registry.get(agent_id)
            if presence not in PRESENCES:
                msg = f"must be one of {', '.join(PRESENCES)}, got {presence!r}"
                raise InvalidValueError("presence", msg)
            result: list[Decision] = self._run(SetPresence(self._now(), agent_id, presence))
            return result

    def set_channel(
        self,
        agent_id: str,
        channel: str,
        *,
        enabled: bool,
        department: str | None = None,
        actor: str | None = None,
    ) -> list[Decision]:
        """
        Switch one channel on or off for an agent, everywhere or in one department.

        Switching off keeps current work on that channel; switching on takes
        waiting work at once. The switch for all departments and the switch
        for one department are independent: the agent gets work of a
        department on a channel only when both are on.

        Args:
            agent_id: The agent whose channel changes.
            channel: The channel, which the agent must have capacity on.
            enabled: On (True) or off (False).
            department: Switch the channel for this department only; the
                agent must serve the channel there.
            actor: Who asks; None is the host. An agent may switch only their
                own channels, and only when self-service is on.

        Returns:
            The decisions for work dispatched to free slots.

        Raises:
            UnknownAgentError: The agent or the actor is unknown.
            UnknownDepartmentError: *department* does not exist.
            InvalidValueError: The agent has no capacity on *channel*, does not
                serve it in *department*, or *enabled* is not a bool.
            PermissionDeniedError: The actor may not change this agent's channels.

        Examples:
            >>> router = Router()
            >>> router.add_department("sales")
            >>> router.add_department("support")
            >>> both = {"sales": {"chat"}, "support": {"chat"}}
            >>> router.add_agent(Agent("ana", capacity={"chat": 2}, departments=both))
            >>> _ = router.set_presence("ana", "online")
            >>> router.set_channel("ana", "chat", enabled=False, department="sales")
            []
            >>> router.assign(Item("s1", channel="chat", department="sales")).status
            'queued'
            >>> router.assign(Item("h1", channel="chat", department="support")).agent
            'ana'

        Added in 0.1. *actor* and *department* added in 0.2.
        """
        _check_bool("enabled", enabled)
        with self._lock:
            self._enter()
            core = self._core
            core.seat(core.registry.get(agent_id), channel)
            command = SetChannel(self._now(), agent_id, channel, enabled, department, actor)
            result: list[Decision] = self._run(command)
            return result

    def set_capacity(self, agent_id: str, channel: str, limit: int) -> list[Decision]:
        """
        Set how many items of *channel* an agent may hold at once.

        Lowering below the current load keeps that work and blocks new work
        until the load drops; raising takes waiting work at once.

        Returns:
            The decisions for work dispatched to free slots.

        Raises:
            UnknownAgentError: No agent has this id.
            InvalidValueError: *channel* is empty or *limit* is not an int >= 0.

        Added in 0.1.
        """
        with self._lock:
            self._enter()
            self._core.registry.get(agent_id)
            check_id("channel", channel)
            check_limit("limit", limit)
            result: list[Decision] = self._run(SetCapacity(self._now(), agent_id, channel, limit))
            return result

    def agent(self, agent_id: str) -> Agent:
        """
        Return the current definition of an agent.

        Raises:
            UnknownAgentError: No agent has this id.

        Added in 0.1.
        """
        with self._lock:
            self._enter()
            return self._core.registry.get(agent_id).agent

    def agent_ids(self) -> list[str]:
        """Return every agent id, in the order agents were added."""
        with self._lock:
            self._enter()
            return [record.agent.id for record in self._core.registry.records()]

    def presence(self, agent_id: str) -> Presence:
        """
        Return an agent's presence.

        Raises:
            UnknownAgentError: No agent has this id.
        """
        with self._lock:
            self._enter()
            return self._core.registry.get(agent_id).presence

    def channel_enabled(
        self, agent_id: str, channel: str, *, department: str | None = None
    ) -> bool:
        """
        Tell whether an agent has *channel* switched on (they may still be offline).

        With *department*, tell whether it is on for that department: both
        the switch for all departments and that department's own are on.

        Raises:
            UnknownAgentError: No agent has this id.
            UnknownDepartmentError: *department* does not exist.
            InvalidValueError: The agent has no capacity on *channel*.

        Added in 0.1. *department* added in 0.2.
        """
        with self._lock:
            self._enter()
            core = self._core
            record = core.registry.get(agent_id)
            core.seat(record, channel)
            on = channel not in record.channels_off
            if department is None:
                return on
            name = core.department(department).name
            return on and (name, channel) not in record.department_off

    def load(self, agent_id: str, channel: str | None = None) -> int:
        """
        Return how many items an agent holds on *channel*, or on all channels.

        Offers ringing the agent (``ring_all``) are not counted here, though
        each holds a slot; see `offered_to`.

        Raises:
            UnknownAgentError: No agent has this id.

        Added in 0.1.
        """
        with self._lock:
            self._enter()
            record = self._core.registry.get(agent_id)
            if channel is None:
                return len(record.items)
            seat = record.seats.get(check_id("channel", channel))
            return 0 if seat is None else seat.load - seat.ringing

    def assigned_to(self, agent_id: str) -> tuple[str, ...]:
        """
        Return the ids of the items an agent holds, oldest assignment first.

        Raises:
            UnknownAgentError: No agent has this id.
        """
        with self._lock:
            self._enter()
            return tuple(self._core.registry.get(agent_id).held_in_order())

    def set_forwarding(self, agent_id: str, device: str | None) -> None:
        """
        Ring an agent's calls on a device of theirs (a mobile number, a SIP address), or stop.

        Every decision that gives the agent an item on the ``"call"`` channel
        then carries ``ring=device``; dialling is the host's job. None stops
        forwarding.

        Raises:
            UnknownAgentError: No agent has this id.
            InvalidValueError: *device* is not a non-empty string or None.

        Examples:
            >>> router = Router()
            >>> router.add_department("support")
            >>> ana = Agent("ana", capacity={"call": 1}, departments={"support": {"call"}})
            >>> router.add_agent(ana)
            >>> router.set_presence("ana", "online")
            []
            >>> router.set_forwarding("ana", "+49 30 1234567")
            >>> router.assign(Item("k1", channel="call", department="support")).ring
            '+49 30 1234567'

        Added in 0.2.
        """
        if device is not None:
            check_id("device", device)
        with self._lock:
            self._enter()
            self._run(SetForwarding(self._now(), agent_id, device))

    def forwarding(self, agent_id: str) -> str | None:
        """
        Return the device an agent's calls ring on, or None.

        Raises:
            UnknownAgentError: No agent has this id.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            return self._core.registry.forwards.get(self._core.registry.get(agent_id).agent.id)


def _check_agent(agent: object) -> None:
    if not isinstance(agent, Agent):
        raise InvalidValueError("agent", f"must be an agentroute.Agent, got {agent!r}")
