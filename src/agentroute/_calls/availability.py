"""The Router's time and availability calls."""

from __future__ import annotations

from collections.abc import Iterable

from agentroute._calls._base import Calls
from agentroute.commands import Advance, EndBreak, SetDutyRotation, SetSchedule, StartBreak
from agentroute.errors import InvalidValueError
from agentroute.model import Decision, check_id, is_finite_number
from agentroute.schedules import Schedule


class AvailabilityCalls(Calls):
    """The time, break, shift and duty calls; no state (the Router owns the lock and core)."""

    def advance(self) -> list[Decision]:
        """
        Do everything that was due by now: end breaks whose time is up, and so on.

        The router never acts on its own: timers fire only in this call, soonest
        first, and timers due at the same time in the order they were set.
        Call it when `next_deadline` comes (a host's periodic task, or a
        sleep until then); other calls never fire timers.

        Returns:
            The decisions the fired timers caused, in order (e.g. waiting work
            taken by an agent back from a break).

        Examples:
            >>> from agentroute import ManualClock
            >>> clock = ManualClock(0.0)
            >>> router = Router(clock=clock)
            >>> router.add_department("billing")
            >>> ana = Agent("ana", capacity={"chat": 1}, departments={"billing": {"chat"}})
            >>> router.add_agent(ana)
            >>> router.set_presence("ana", "online")
            []
            >>> router.start_break("ana", 300)
            []
            >>> router.assign(Item("c1", channel="chat", department="billing")).status
            'queued'
            >>> router.next_deadline()
            300.0
            >>> _ = clock.advance(300)
            >>> [d.agent for d in router.advance()]
            ['ana']

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            result: list[Decision] = self._run(Advance(self._now()))
            return result

    def next_deadline(self) -> float | None:
        """
        Return when the next timer is due (clock seconds), or None when none is pending.

        A host may sleep until then and call `advance`.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            return self._core.timers.next_due()

    def start_break(
        self, agent_id: str, seconds: float, *, reason: str | None = None
    ) -> list[Decision]:
        """
        Take an agent out of routing for *seconds*; `advance` brings them back when it is over.

        The agent keeps the work they hold and stays responsible for it; they
        get no new work and cannot claim until the break ends. Starting a
        break while on one replaces it. Offers ringing them (``ring_all``)
        are withdrawn.

        Args:
            agent_id: The agent.
            seconds: The break's length, > 0.
            reason: Why, e.g. ``"lunch"``; told in the event.

        Returns:
            Where the items whose offers were withdrawn went, if any.

        Raises:
            UnknownAgentError: No agent has this id.
            InvalidValueError: *seconds* is not a positive number, or *reason* not a string.

        Added in 0.2.
        """
        if not is_finite_number(seconds) or seconds <= 0:
            raise InvalidValueError("seconds", f"must be a number > 0, got {seconds!r}")
        if reason is not None and type(reason) is not str:
            raise InvalidValueError("reason", f"must be a string or None, got {reason!r}")
        with self._lock:
            self._enter()
            command = StartBreak(self._now(), agent_id, float(seconds), reason)
            result: list[Decision] = self._run(command)
            return result

    def end_break(self, agent_id: str) -> list[Decision]:
        """
        End an agent's break now, before it is due; they take waiting work at once.

        Returns:
            The decisions for the waiting work the agent took.

        Raises:
            UnknownAgentError: No agent has this id.
            InvalidStateError: The agent is not on a break.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            result: list[Decision] = self._run(EndBreak(self._now(), agent_id))
            return result

    def break_until(self, agent_id: str) -> float | None:
        """
        Return when an agent's break ends (clock seconds), or None if they are not on one.

        Raises:
            UnknownAgentError: No agent has this id.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            return self._core.registry.get(agent_id).break_until

    def set_schedule(self, agent_id: str, schedule: Schedule | None) -> list[Decision]:
        """
        Give an agent a working week: they are routed work only during its shifts.

        Outside a shift the agent keeps what they hold, as on a break; `advance`
        takes them in and out at each shift boundary, local time in the
        schedule's zone, daylight-saving changes included. None removes the
        schedule.

        Returns:
            The decisions for waiting work the agent took, if the change put
            them on shift now.

        Raises:
            UnknownAgentError: No agent has this id.
            InvalidValueError: *schedule* is not a `Schedule` or None.

        Examples:
            >>> from agentroute import ManualClock, Schedule, Shift
            >>> router = Router(clock=ManualClock(1_772_438_400.0))  # Monday 2026-03-02 08:00 UTC
            >>> router.add_department("billing")
            >>> ana = Agent("ana", capacity={"chat": 1}, departments={"billing": {"chat"}})
            >>> router.add_agent(ana)
            >>> router.set_presence("ana", "online")
            []
            >>> nights = Schedule("UTC", [Shift(["mon", "tue"], "22:00", "06:00")])
            >>> router.set_schedule("ana", nights)
            []
            >>> router.on_shift("ana"), router.next_deadline()
            (False, 1772488800.0)

        Added in 0.2.
        """
        if schedule is not None and not isinstance(schedule, Schedule):
            msg = f"must be an agentroute.Schedule or None, got {schedule!r}"
            raise InvalidValueError("schedule", msg)
        with self._lock:
            self._enter()
            result: list[Decision] = self._run(SetSchedule(self._now(), agent_id, schedule))
            return result

    def schedule(self, agent_id: str) -> Schedule | None:
        """
        Return an agent's schedule, or None if they have none.

        Raises:
            UnknownAgentError: No agent has this id.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            return self._core.registry.get(agent_id).schedule

    def on_shift(self, agent_id: str) -> bool:
        """
        Tell whether an agent's schedule lets them take work now (True without a schedule).

        Raises:
            UnknownAgentError: No agent has this id.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            return not self._core.registry.get(agent_id).off_shift

    def set_duty_rotation(
        self,
        department: str,
        channel: str,
        agents: Iterable[str] | None,
        *,
        period_s: float = 3600.0,
    ) -> list[Decision]:
        """
        Rotate duty on a department's channel: one agent at a time takes its work, in turn.

        The first of *agents* is on duty now, the next after *period_s*, and
        so on round the list; `advance` passes duty on. The others keep what
        they hold and take no new work of that channel there (other
        departments and channels are not affected). If the agent on duty
        cannot take work (offline, full, not a member), the work waits for
        them. None ends the rotation.

        Args:
            department: The department.
            channel: The channel, e.g. ``"call"``.
            agents: Agent ids, in turn order; None ends the rotation.
            period_s: Seconds each turn lasts, > 0.

        Returns:
            The decisions for waiting work the agent on duty took.

        Raises:
            UnknownDepartmentError, UnknownAgentError: An id is unknown.
            InvalidValueError: *agents* is empty, or *period_s* not a positive number.

        Examples:
            >>> from agentroute import ManualClock
            >>> clock = ManualClock(0.0)
            >>> router = Router(clock=clock)
            >>> router.add_department("support")
            >>> for name in ("ana", "bob"):
            ...     agent = Agent(name, capacity={"call": 1}, departments={"support": ["call"]})
            ...     router.add_agent(agent)
            ...     _ = router.set_presence(name, "online")
            >>> router.set_duty_rotation("support", "call", ["bob", "ana"], period_s=3600)
            []
            >>> router.assign(Item("k1", channel="call", department="support")).agent
            'bob'
            >>> _ = clock.advance(3600)
            >>> router.advance(), router.on_duty("support", "call")
            ([], 'ana')

        Added in 0.2.
        """
        check_id("channel", channel)
        turns = None if agents is None else tuple(agents)
        if turns is not None:
            if isinstance(agents, str) or not turns:
                raise InvalidValueError(
                    "agents", f"must be a non-empty list of ids, got {agents!r}"
                )
            for agent_id in turns:
                check_id("agents", agent_id)
        if not is_finite_number(period_s) or period_s <= 0:
            raise InvalidValueError("period_s", f"must be a number > 0, got {period_s!r}")
        with self._lock:
            self._enter()
            command = SetDutyRotation(self._now(), department, channel, turns, float(period_s))
            result: list[Decision] = self._run(command)
            return result

    def on_duty(self, department: str, channel: str) -> str | None:
        """
        Return who is on duty for *channel* in *department*, or None without a rotation.

        Raises:
            UnknownDepartmentError: No such department.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            rotation = self._core.duties.get((self._core.department(department).name, channel))
            return None if rotation is None else rotation.on_duty
