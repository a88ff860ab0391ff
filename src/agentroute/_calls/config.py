"""The Router's configuration calls: build a router from a configuration, and write one back."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from agentroute import journal as journal_format
from agentroute._calls._base import Calls
from agentroute.clock import Clock

if TYPE_CHECKING:
    from agentroute.router import Router


class ConfigCalls(Calls):
    """The configuration calls; no state (the Router owns the lock and core)."""

    @classmethod
    def from_config(
        cls,
        data: Mapping[str, Any],
        *,
        clock: Clock = time.time,
        journal: journal_format.Journal | None = None,
    ) -> Router:
        """
        Build a router from a configuration: departments, agents, schedules, duty and rules.

        The whole configuration is checked before anything is built, and every
        problem is reported at once. Then the router is built through its public
        calls, in order (departments, agents, schedules, forwarding, duty,
        rules), so a *journal* records each. Agents start offline, as always.
        The format is described in `agentroute.config` and the Configuration guide.

        Args:
            data: The configuration as plain data, e.g. from a TOML or JSON file.
            clock: As for `Router`.
            journal: As for `Router`; it hears the calls that build the router.

        Raises:
            InvalidDataError: The configuration is invalid; ``problems`` lists
                each problem with its key path (``agents.ana.capacity.chat: ...``).
            UnsupportedVersionError: ``format`` or ``version`` is not this release's.
            InvalidValueError: *clock* or *journal* is not callable.
            HostCodeError: The clock, the journal or a custom strategy's factory failed.

        Examples:
            >>> ana = {"capacity": {"call": 1}, "departments": {"support": ["call"]}}
            >>> config = {"departments": {"support": {}}, "agents": {"ana": ana}}
            >>> router = Router.from_config(config)
            >>> router.departments()
            ['support']

        Added in 0.2.
        """
        from agentroute import config as config_format  # it imports the router

        config = config_format.parse(data)
        make = cast("type[Router]", cls)
        router = make(clock=clock, journal=journal, **config_format.router_options(config))
        config_format.build(config, router)
        return router

    def to_config(self) -> dict[str, Any]:
        """
        Return the router's configuration as plain, JSON-safe data, as `from_config` reads it.

        Values that are the defaults are left out. ``seed`` is the random
        generator's current state, so a router built from the result draws
        as this one would next. Presence, breaks and items are state, not
        configuration: see `snapshot` for those.

        Examples:
            >>> router = Router(self_service=True)
            >>> router.add_department("support", sticky=True)
            >>> router.to_config()
            {'format': 'agentroute.config', 'version': 1, 'router': {'self_service': True},
             'departments': {'support': {'sticky': True}}}

        Added in 0.2.
        """
        from agentroute import config as config_format  # it imports the router

        with self._lock:
            self._enter()
            core = self._core
            router = config_format.RouterSection(
                seed=core.rng.state,
                default_strategy=core.default_strategy,
                self_service=core.self_service,
                retain_closed=core.items.retain,
                history_limit=core.ledger.limit,
                remember_customers=core.customers.limit,
            )
            departments = {
                d.name: config_format.DepartmentSection(
                    strategies=dict(d.strategies),
                    default_strategy=(
                        None if d.default_strategy == core.default_strategy else d.default_strategy
                    ),
                    mode=d.mode,
                    unassign_on_close=d.unassign_on_close,
                    allow_claims=d.allow_claims,
                    requeue_offline_after_s=d.requeue_offline_after_s,
                    sla_warning_s=d.sla_warning_s,
                    sla_escalate_to=d.sla_escalate_to,
                    sticky=d.sticky,
                    sticky_max_age_s=d.sticky_max_age_s,
                    sticky_wait_s=d.sticky_wait_s,
                    ring_timeout_s=d.ring_timeout_s,
                    dedicated={group: list(agents) for group, agents in d.dedicated.items()},
                    dedicated_wait_s=d.dedicated_wait_s,
                )
                for d in core.departments.values()
            }
            forwards = core.registry.forwards
            agents = {}
            for record in core.registry.records():
                agent = record.agent
                agents[agent.id] = config_format.AgentSection(
                    name=None if agent.name == agent.id else agent.name,
                    priority=agent.priority,
                    role=agent.role,
                    capacity=dict(agent.capacity),
                    departments={d: sorted(c) for d, c in agent.departments.items()},
                    units=agent.units,
                    unit_costs=dict(agent.unit_costs),
                    forward_to=forwards.get(agent.id),
                    schedule=record.schedule,
                )
            duty = [
                config_format.DutySection(where[0], where[1], list(r.agents), r.period_s)
                for where, r in core.duties.items()
            ]
            config = config_format.ConfigFile(
                router=router,
                departments=departments,
                agents=agents,
                duty=duty,
                rules=list(core.rules.values()),
            )
        return config_format.to_plain(config)
