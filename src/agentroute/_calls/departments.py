"""The Router's department calls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from agentroute._calls._base import Calls
from agentroute._calls._checks import _check_bool
from agentroute.commands import AddDepartment, SetSelfService
from agentroute.errors import InvalidValueError
from agentroute.model import Department, Mode, check_id, check_priority, is_finite_number


class DepartmentCalls(Calls):
    """The department calls; no state (the Router owns the lock and core)."""

    def add_department(
        self,
        name: str,
        *,
        strategies: Mapping[str, str] | None = None,
        default_strategy: str | None = None,
        mode: Mode = "push",
        unassign_on_close: bool = False,
        allow_claims: bool = True,
        requeue_offline_after_s: float | None = None,
        sla_warning_s: float | None = None,
        sla_escalate_to: int | None = None,
        sticky: bool = False,
        sticky_max_age_s: float | None = None,
        ring_timeout_s: float = 20.0,
        sticky_wait_s: float = 0.0,
        dedicated: Mapping[str, Sequence[str]] | None = None,
        dedicated_wait_s: float | None = None,
    ) -> None:
        """
        Create a department and choose how its work is routed.

        Args:
            name: The department's name.
            strategies: Strategy name per channel, e.g. ``{"chat": "least_busy"}``.
            default_strategy: Strategy for channels not in *strategies*;
                defaults to the router's.
            mode: ``"push"`` (a strategy assigns arrivals to free agents) or
                ``"pull"`` (arrivals wait until an agent claims them or asks
                for the next one; with a single agent in the router, that
                agent gets them at once when free).
            unassign_on_close: Closing an item also clears its responsible agent.
            allow_claims: Agents may claim waiting items out of queue order.
            requeue_offline_after_s: When an agent goes offline holding this
                department's items, `advance` sends them back to routing
                after this many seconds if the agent is still offline. None
                (the default) keeps the work with the agent.
            sla_warning_s: For an item with an ``sla_deadline`` still waiting
                this many seconds before it, `advance` emits ``sla_warning``;
                at the deadline it emits ``sla_breach`` whatever this is.
            sla_escalate_to: The priority (1 = most urgent) a waiting item gets
                when its deadline passes, if more urgent than its own.
            sticky: A new item of a ``customer`` goes to the agent who last
                handled that customer, if they are free and eligible here;
                otherwise the strategy chooses as usual.
            sticky_max_age_s: With *sticky*, only when that was at most this
                many seconds ago.
            sticky_wait_s: With *sticky*, when that agent cannot take the
                item now, how long it waits for them (ahead of the queue)
                before the strategy may choose; 0 does not wait.
            dedicated: Per customer group (``Item.group``), the agents its
                items go to, first choice first, whatever the strategy.
            dedicated_wait_s: When none of a group's agents can take its
                item, how long it waits for them before the strategy may
                choose; None (the default) waits however long, 0 not at all.
            ring_timeout_s: How long the offers of a channel whose strategy
                is ``"ring_all"`` ring before they are missed and the item
                goes back in line, to ring again.

        Raises:
            InvalidValueError: An argument has the wrong type or value.
            DuplicateDepartmentError: The name is taken.
            UnknownStrategyError: A strategy name is not registered.

        Added in 0.1. *mode*, *unassign_on_close*, *allow_claims*,
        *requeue_offline_after_s*, *sla_warning_s*, *sla_escalate_to*, *sticky*,
        *sticky_max_age_s*, *sticky_wait_s*, *dedicated*, *dedicated_wait_s* and
        *ring_timeout_s* added in 0.2.
        """
        check_id("department", name)
        if default_strategy is not None:
            check_id("default_strategy", default_strategy)
        if strategies is not None and not isinstance(strategies, Mapping):
            msg = f"must be a mapping of channel to strategy name, got {strategies!r}"
            raise InvalidValueError("Department.strategies", msg)
        chosen = {} if strategies is None else dict(strategies)
        _check_bool("sticky", sticky)
        for path, wait in (
            ("requeue_offline_after_s", requeue_offline_after_s),
            ("sla_warning_s", sla_warning_s),
            ("sticky_max_age_s", sticky_max_age_s),
            ("dedicated_wait_s", dedicated_wait_s),
        ):
            if wait is not None and (not is_finite_number(wait) or wait < 0):
                msg = f"must be None or seconds >= 0, got {wait!r}"
                raise InvalidValueError(path, msg)
        if sla_escalate_to is not None:
            check_priority("sla_escalate_to", sla_escalate_to)
        if not is_finite_number(ring_timeout_s) or ring_timeout_s <= 0:
            msg = f"must be seconds > 0, got {ring_timeout_s!r}"
            raise InvalidValueError("ring_timeout_s", msg)
        if not is_finite_number(sticky_wait_s) or sticky_wait_s < 0:
            msg = f"must be seconds >= 0, got {sticky_wait_s!r}"
            raise InvalidValueError("sticky_wait_s", msg)
        groups = Department(name, dedicated=dedicated or {}).dedicated  # checks the lists
        with self._lock:
            self._enter()
            command = AddDepartment(
                self._now(),
                name,
                chosen,
                default_strategy,
                mode,
                unassign_on_close,
                allow_claims,
                _seconds_or_none(requeue_offline_after_s),
                _seconds_or_none(sla_warning_s),
                sla_escalate_to,
                sticky,
                _seconds_or_none(sticky_max_age_s),
                float(ring_timeout_s),
                float(sticky_wait_s),
                groups,
                _seconds_or_none(dedicated_wait_s),
            )
            self._run(command)

    def department(self, name: str) -> Department:
        """
        Return a department's settings.

        Raises:
            UnknownDepartmentError: The department does not exist.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            return self._core.department(name)

    def departments(self) -> list[str]:
        """Return the department names in the order they were added."""
        with self._lock:
            self._enter()
            return list(self._core.departments)

    def set_self_service(self, enabled: bool, *, actor: str | None = None) -> None:
        """
        Allow or forbid agents to switch their own channels on and off.

        Raises:
            InvalidValueError: *enabled* is not a bool.
            UnknownAgentError: The actor is unknown.
            PermissionDeniedError: The actor is not an owner or administrator.

        Added in 0.2.
        """
        _check_bool("enabled", enabled)
        with self._lock:
            self._enter()
            self._run(SetSelfService(self._now(), enabled, actor))

    @property
    def self_service(self) -> bool:
        """Tell whether agents may switch their own channels on and off."""
        with self._lock:
            return self._core.self_service


def _seconds_or_none(value: float | None) -> float | None:
    return None if value is None else float(value)
