"""
The router's invariants under random sequences of calls, against a plain-dict model.

Every rule drives the real router and the model side by side; every
decision the router returns is checked against the model at the moment it
happens, and the invariants are checked after every step.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import attrs
import hypothesis.strategies as st
from hypothesis import HealthCheck, event, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from agentroute import (
    Agent,
    AgentBusyError,
    AgentrouteError,
    Decision,
    DuplicateAgentError,
    DuplicateItemError,
    InvalidValueError,
    Item,
    ItemClosedError,
    ManualClock,
    Router,
    UnknownAgentError,
    UnknownDepartmentError,
    UnknownItemError,
)
from tests.generators import observe

AGENTS = ["a1", "a2", "a3", "a4", "a5"]
DEPARTMENTS = ["d1", "d2"]
CHANNELS = ["chat", "call"]
STRATEGIES = ["random", "least_busy", "most_busy", "priority", "round_robin"]
PRESENCES = ["online", "away", "offline"]


@st.composite
def agent_definitions(draw: st.DrawFn, agent_id: str, *, busy: bool = False) -> Agent:
    """Draw a valid Agent; a *busy* one has some capacity on every channel and serves something."""
    if busy:
        capacity = draw(st.fixed_dictionaries({c: st.integers(1, 2) for c in CHANNELS}))
    else:
        limits = {c: st.integers(0, 3) for c in CHANNELS}
        capacity = draw(st.fixed_dictionaries({}, optional=limits))
    departments = {}
    for department in DEPARTMENTS:
        served = st.sets(st.sampled_from(sorted(capacity)), min_size=1 if busy else 0)
        channels = draw(served) if capacity else set()
        if channels:
            departments[department] = channels
    return Agent(
        agent_id,
        priority=draw(st.integers(1, 3)),
        capacity=capacity,
        departments=departments,
    )


@attrs.define
class ModelAgent:
    agent: Agent
    presence: str = "offline"
    off: set[str] = attrs.Factory(set)

    def eligible(self, department: str, channel: str) -> bool:
        return (
            self.presence == "online"
            and channel not in self.off
            and self.agent.serves(department, channel)
        )


@attrs.define
class ModelItem:
    item: Item
    arrival: int
    state: str = "queued"
    agent: str | None = None

    @property
    def pool(self) -> tuple[str, str]:
        return (self.item.department, self.item.channel)

    @property
    def key(self) -> tuple[int, float, int]:
        deadline = math.inf if self.item.sla_deadline is None else self.item.sla_deadline
        return (self.item.priority, deadline, self.arrival)


class RouterMachine(RuleBasedStateMachine):
    """Random add/remove/update of agents, presence, channels, capacity, assign and close."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock()
        self.router = Router(seed=3, clock=self.clock)
        self.agents: dict[str, ModelAgent] = {}
        self.items: dict[str, ModelItem] = {}
        self.arrivals = 0
        self.strategies: dict[tuple[str, str], str] = {}

    # -- set-up ----------------------------------------------------------------

    @initialize(data=st.data())
    def add_departments(self, data: st.DataObject) -> None:
        """Both departments exist from the first step on, each channel with a drawn strategy."""
        for department in DEPARTMENTS:
            chosen = {c: data.draw(st.sampled_from(STRATEGIES)) for c in CHANNELS}
            self.router.add_department(department, strategies=chosen)
            self.strategies.update({(department, c): s for c, s in chosen.items()})
        for agent_id in AGENTS[:3]:
            agent = data.draw(agent_definitions(agent_id, busy=True))
            self.router.add_agent(agent)
            self.router.set_presence(agent_id, "online")
            self.agents[agent_id] = ModelAgent(agent, presence="online")

    # -- agents ----------------------------------------------------------------

    @rule(agent_id=st.sampled_from(AGENTS), data=st.data())
    def add_agent(self, agent_id: str, data: st.DataObject) -> None:
        agent = data.draw(agent_definitions(agent_id))
        if agent_id in self.agents:
            self.expect_unchanged(lambda: self.router.add_agent(agent), DuplicateAgentError)
        else:
            self.router.add_agent(agent)
            self.agents[agent_id] = ModelAgent(agent)

    @rule(agent_id=st.sampled_from(AGENTS), requeue=st.booleans())
    def remove_agent(self, agent_id: str, requeue: bool) -> None:
        if agent_id not in self.agents:
            self.expect_unchanged(lambda: self.router.remove_agent(agent_id), UnknownAgentError)
            return
        held = self.held_by(agent_id)
        if held and not requeue:
            self.expect_unchanged(lambda: self.router.remove_agent(agent_id), AgentBusyError)
            return
        self.requeue(held)
        del self.agents[agent_id]
        self.apply(self.router.remove_agent(agent_id, requeue=requeue), requeued=held)

    @rule(agent_id=st.sampled_from(AGENTS), requeue=st.booleans(), data=st.data())
    def update_agent(self, agent_id: str, requeue: bool, data: st.DataObject) -> None:
        agent = data.draw(agent_definitions(agent_id))
        if agent_id not in self.agents:
            self.expect_unchanged(lambda: self.router.update_agent(agent), UnknownAgentError)
            return
        stranded = [m for m in self.held_by(agent_id) if not agent.serves(*m.pool)]
        if stranded and not requeue:
            self.expect_unchanged(
                lambda: self.router.update_agent(agent, requeue=requeue), AgentBusyError
            )
            return
        self.requeue(stranded)
        model = self.agents[agent_id]
        model.agent = agent
        model.off &= set(agent.capacity)
        self.apply(self.router.update_agent(agent, requeue=requeue), requeued=stranded)

    @rule(agent_id=st.sampled_from(AGENTS), presence=st.sampled_from(PRESENCES))
    def set_presence(self, agent_id: str, presence: Any) -> None:
        if agent_id not in self.agents:
            self.expect_unchanged(
                lambda: self.router.set_presence(agent_id, presence), UnknownAgentError
            )
            return
        self.agents[agent_id].presence = presence
        self.apply(self.router.set_presence(agent_id, presence))

    @rule(agent_id=st.sampled_from(AGENTS), presence=st.sampled_from(["busy", "", "ONLINE"]))
    def set_bad_presence(self, agent_id: str, presence: Any) -> None:
        error = InvalidValueError if agent_id in self.agents else UnknownAgentError
        self.expect_unchanged(lambda: self.router.set_presence(agent_id, presence), error)

    @rule(agent_id=st.sampled_from(AGENTS), channel=st.sampled_from(CHANNELS), on=st.booleans())
    def set_channel(self, agent_id: str, channel: str, on: bool) -> None:
        def call() -> list[Decision]:
            return self.router.set_channel(agent_id, channel, enabled=on)

        if agent_id not in self.agents:
            self.expect_unchanged(call, UnknownAgentError)
            return
        model = self.agents[agent_id]
        if channel not in model.agent.capacity:
            self.expect_unchanged(call, InvalidValueError)
            return
        if on:
            model.off.discard(channel)
        else:
            model.off.add(channel)
        self.apply(call())

    @rule(
        agent_id=st.sampled_from(AGENTS),
        channel=st.sampled_from(CHANNELS),
        limit=st.integers(-1, 4),
    )
    def set_capacity(self, agent_id: str, channel: str, limit: int) -> None:
        def call() -> list[Decision]:
            return self.router.set_capacity(agent_id, channel, limit)

        if agent_id not in self.agents:
            self.expect_unchanged(call, UnknownAgentError)
            return
        if limit < 0:
            self.expect_unchanged(call, InvalidValueError)
            return
        model = self.agents[agent_id]
        model.agent = attrs.evolve(model.agent, capacity={**model.agent.capacity, channel: limit})
        self.apply(call())

    # -- items -----------------------------------------------------------------

    @rule(
        department=st.sampled_from(DEPARTMENTS),
        channel=st.sampled_from(CHANNELS),
        priority=st.integers(1, 3),
        deadline=st.none() | st.integers(1, 3).map(float),
    )
    def assign(self, department: str, channel: str, priority: int, deadline: float | None) -> None:
        item = Item(
            f"i{len(self.items)}",
            channel=channel,
            department=department,
            priority=priority,
            sla_deadline=deadline,
        )
        self.clock.advance(1)
        self.arrivals += 1
        self.items[item.id] = ModelItem(item, self.arrivals)
        decision = self.router.assign(item)
        event(f"assign: {decision.status}")
        self.apply([decision], new=item.id)

    @rule(agent_id=st.sampled_from(AGENTS), channel=st.sampled_from(CHANNELS))
    def use_unknown_department(self, agent_id: str, channel: str) -> None:
        item = Item("stray", channel=channel, department="nowhere")
        self.expect_unchanged(lambda: self.router.assign(item), UnknownDepartmentError)
        agent = Agent(agent_id, capacity={channel: 1}, departments={"nowhere": {channel}})
        error = UnknownDepartmentError
        self.expect_unchanged(lambda: self.router.add_agent(agent), error)
        self.expect_unchanged(lambda: self.router.update_agent(agent), error)

    @rule(data=st.data())
    def assign_duplicate(self, data: st.DataObject) -> None:
        if not self.items:
            return
        model = self.items[data.draw(st.sampled_from(sorted(self.items)))]
        self.expect_unchanged(lambda: self.router.assign(model.item), DuplicateItemError)

    @rule(data=st.data())
    def close(self, data: st.DataObject) -> None:
        item_id = data.draw(st.sampled_from([*sorted(self.items), "nope"]))
        if item_id not in self.items:
            self.expect_unchanged(lambda: self.router.close(item_id), UnknownItemError)
            return
        model = self.items[item_id]
        if model.state == "closed":
            self.expect_unchanged(lambda: self.router.close(item_id), ItemClosedError)
            return
        before = model.state
        model.state = "closed"
        decisions = self.router.close(item_id)
        event(f"close {before} item, dispatching {len(decisions)}")
        if before == "queued":
            assert [] == decisions
        self.apply(decisions)

    # -- checking --------------------------------------------------------------

    def held_by(self, agent_id: str) -> list[ModelItem]:
        return [m for m in self.items.values() if m.state == "assigned" and m.agent == agent_id]

    def load(self, agent_id: str, channel: str) -> int:
        return sum(1 for m in self.held_by(agent_id) if m.item.channel == channel)

    def requeue(self, models: list[ModelItem]) -> None:
        for model in models:
            model.state, model.agent = "queued", None

    def queue_order(self, pool: tuple[str, str]) -> list[str]:
        waiting = [m for m in self.items.values() if m.state == "queued" and m.pool == pool]
        return [m.item.id for m in sorted(waiting, key=lambda m: m.key)]

    def apply(
        self,
        decisions: list[Decision],
        *,
        new: str | None = None,
        requeued: list[ModelItem] | None = None,
    ) -> None:
        """Check each decision against the model as it happened, then record it."""
        requeued = requeued or []
        lines = {pool: self.queue_order(pool) for pool in self.strategies}
        for decision in decisions:
            model = self.items[decision.item]
            assert (model.item.department, model.item.channel) == (
                decision.department,
                decision.channel,
            )
            assert self.strategies[model.pool] == decision.strategy
            if decision.status == "queued":
                assert decision.item == new or model in requeued
                assert decision.agent is None
                continue
            agent = self.agents[decision.agent]  # type: ignore[index]
            assert agent.eligible(*model.pool), (decision, agent)
            assert (
                self.load(agent.agent.id, model.item.channel)
                < agent.agent.capacity[model.item.channel]
            ), f"limit exceeded by {decision}"
            if decision.item != new:
                line = lines[model.pool]
                assert line, f"{decision.item} dispatched from an empty queue"
                assert line[0] == decision.item, f"{decision.item} jumped {line}"
                line.pop(0)
            model.state, model.agent = "assigned", decision.agent
        if new is not None and self.items[new].state == "queued":
            assert decisions[-1].status == "queued"
            assert decisions[-1].position == self.queue_order(self.items[new].pool).index(new) + 1

    def expect_unchanged(self, call: Callable[[], object], error: type[AgentrouteError]) -> None:
        """The call raises *error* and leaves everything observable as it was."""
        before = observe(self.router, sorted(self.items))
        try:
            call()
        except error:
            pass
        else:
            raise AssertionError(f"expected {error.__name__}")
        assert before == observe(self.router, sorted(self.items))

    @invariant()
    def internal_indexes_agree(self) -> None:
        self.router._check()

    @invariant()
    def every_item_in_exactly_one_state(self) -> None:
        holders: dict[str, str] = {}
        for agent_id in self.router.agent_ids():
            for item_id in self.router.assigned_to(agent_id):
                assert item_id not in holders, f"{item_id} held twice"
                holders[item_id] = agent_id
        waiting = [i for d in DEPARTMENTS for c in CHANNELS for i in self.router.queued(d, c)]
        assert len(waiting) == len(set(waiting))
        assert not set(waiting) & set(holders)
        for item_id, model in self.items.items():
            status = self.router.status(item_id)
            assert model.state == status.state
            if model.state == "assigned":
                assert model.agent == holders[item_id] == status.agent
            assert (model.state == "queued") == (item_id in waiting)

    @invariant()
    def loads_match_and_assignees_are_members(self) -> None:
        for agent_id, model in self.agents.items():
            for channel in CHANNELS:
                assert self.load(agent_id, channel) == self.router.load(agent_id, channel)
            for held in self.held_by(agent_id):
                assert model.agent.serves(*held.pool)

    @invariant()
    def queues_in_order(self) -> None:
        for department, channel in self.strategies:
            expected = self.queue_order((department, channel))
            assert expected == list(self.router.queued(department, channel))

    @invariant()
    def work_is_conserved(self) -> None:
        for pool in self.strategies:
            if not self.queue_order(pool):
                continue
            for agent_id, model in self.agents.items():
                free = self.load(agent_id, pool[1]) < model.agent.capacity.get(pool[1], 0)
                assert not (model.eligible(*pool) and free), f"{pool} waits beside {agent_id}"


RouterMachine.TestCase.settings = settings(
    max_examples=400,
    stateful_step_count=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestRouterMachine = RouterMachine.TestCase
