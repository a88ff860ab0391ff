"""
The router's invariants under random sequences of calls, against a plain-dict model.

Every rule drives the real router and the model side by side; every
decision the router returns is checked against the model at the moment it
happens, and the invariants are checked after every step.
"""

from __future__ import annotations

import itertools
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
    InvalidStateError,
    InvalidValueError,
    Item,
    ItemClosedError,
    ManualClock,
    NotEligibleError,
    PermissionDeniedError,
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
Key = tuple[int, float, int]
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
class ModelDepartment:
    strategies: dict[str, str]
    mode: str
    unassign_on_close: bool
    allow_claims: bool


@attrs.define
class ModelItem:
    item: Item
    arrival: int
    department: str
    state: str = "queued"
    agent: str | None = None
    """The owner: the holder while assigned, kept after close unless unassigned."""
    pull: bool = False
    forced: bool = False
    """Assigned by a forced transfer, so the holder need not serve its pool."""

    @property
    def pool(self) -> tuple[str, str]:
        return (self.department, self.item.channel)

    @property
    def key(self) -> Key:
        deadline = math.inf if self.item.sla_deadline is None else self.item.sla_deadline
        return (self.item.priority, deadline, self.arrival)


class RouterMachine(RuleBasedStateMachine):
    """
    Random calls of every kind, checked against the model.

    Agents come, change and go; presence, channels and capacity change; items
    arrive, close, transfer, get claimed or pulled, reopen and get replies.
    """

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock()
        self.router = Router(seed=3, clock=self.clock)
        self.agents: dict[str, ModelAgent] = {}
        self.items: dict[str, ModelItem] = {}
        self.arrivals = 0
        self.departments: dict[str, ModelDepartment] = {}

    # -- set-up ----------------------------------------------------------------

    @initialize(data=st.data())
    def add_departments(self, data: st.DataObject) -> None:
        """Both departments exist from the first step on, each channel with a drawn strategy."""
        for department in DEPARTMENTS:
            settings = ModelDepartment(
                strategies={c: data.draw(st.sampled_from(STRATEGIES)) for c in CHANNELS},
                mode=data.draw(st.sampled_from(["push", "push", "pull"])),
                unassign_on_close=data.draw(st.booleans()),
                allow_claims=data.draw(st.booleans()),
            )
            self.router.add_department(
                department,
                strategies=settings.strategies,
                mode=settings.mode,  # type: ignore[arg-type]
                unassign_on_close=settings.unassign_on_close,
                allow_claims=settings.allow_claims,
            )
            self.departments[department] = settings
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
        old = self.agents[agent_id].agent
        stranded = [
            m
            for m in self.held_by(agent_id)
            if (old.serves(*m.pool) and not agent.serves(*m.pool))
            or m.item.channel not in agent.capacity
        ]
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
        self.items[item.id] = model = ModelItem(item, self.arrivals, department)
        decision = self.router.assign(item)
        event(f"assign to {self.departments[department].mode}: {decision.status}")
        if self.departments[department].mode == "pull":
            self.check_pull_arrival(model, decision)
        else:
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
        model.state, model.pull = "closed", False
        if self.departments[model.department].unassign_on_close:
            model.agent = None
        decisions = self.router.close(item_id)
        event(f"close {before} item, dispatching {len(decisions)}")
        if before == "queued":
            assert [] == decisions
        self.apply(decisions)

    # -- responsibility ----------------------------------------------------------

    @rule(
        data=st.data(),
        agent_id=st.sampled_from(AGENTS),
        department=st.none() | st.sampled_from(DEPARTMENTS),
        force=st.booleans(),
    )
    def transfer_to_agent(
        self, data: st.DataObject, agent_id: str, department: str | None, force: bool
    ) -> None:
        if not self.items:
            return
        model = self.items[data.draw(st.sampled_from(sorted(self.items)))]
        target_department = department or model.department

        def call() -> list[Decision]:
            return self.router.transfer(
                model.item.id, to_agent=agent_id, to_department=department, force=force
            )

        if model.state == "closed":
            self.expect_unchanged(call, ItemClosedError)
            return
        if agent_id not in self.agents:
            self.expect_unchanged(call, UnknownAgentError)
            return
        target = self.agents[agent_id]
        channel = model.item.channel
        own = model.state == "assigned" and model.agent == agent_id
        if own and target_department == model.department:
            self.expect_unchanged(call, InvalidStateError)
            return
        limit = target.agent.capacity.get(channel)
        full = limit is None or self.load(agent_id, channel) - own >= limit
        if full or not (force or target.eligible(target_department, channel)):
            self.expect_unchanged(call, NotEligibleError)
            return
        decisions = call()
        event(f"transfer to agent (forced={force})")
        first = decisions[0]
        assert (model.item.id, "assigned", agent_id, "transfer") == (
            first.item,
            first.status,
            first.agent,
            first.strategy,
        )
        self.items[model.item.id] = attrs.evolve(
            model,
            department=target_department,
            state="assigned",
            agent=agent_id,
            pull=False,
            forced=not target.eligible(target_department, channel),
        )
        self.apply(decisions[1:])

    @rule(data=st.data(), department=st.sampled_from(DEPARTMENTS))
    def transfer_to_department(self, data: st.DataObject, department: str) -> None:
        if not self.items:
            return
        model = self.items[data.draw(st.sampled_from(sorted(self.items)))]

        def call() -> list[Decision]:
            return self.router.transfer(model.item.id, to_department=department, reason="test")

        if model.state == "closed":
            self.expect_unchanged(call, ItemClosedError)
            return
        if model.state == "queued" and model.department == department:
            self.expect_unchanged(call, InvalidStateError)
            return
        decisions = call()
        event(f"transfer {model.state} item to department")
        first = decisions[0]
        waiting = attrs.evolve(
            model, department=department, state="queued", agent=None, pull=True, forced=False
        )
        self.items[model.item.id] = waiting
        if first.status == "assigned":
            # The router's only agent is pushed it at once, when nothing else waits there.
            event("transfer to department: taken at once by the sole agent")
            assert first.agent is not None
            assert [first.agent] == list(self.agents)
            assert [model.item.id] == self.queue_order(waiting.pool)
            assert self.can_take(first.agent, waiting.pool)
            self.items[model.item.id] = attrs.evolve(
                waiting, state="assigned", agent=first.agent, pull=False
            )
        else:
            assert (model.item.id, "queued", department) == (
                first.item,
                first.status,
                first.department,
            )
        self.apply(decisions[1:])

    @rule(data=st.data(), agent_id=st.sampled_from(AGENTS))
    def claim(self, data: st.DataObject, agent_id: str) -> None:
        if not self.items:
            return
        model = self.items[data.draw(st.sampled_from(sorted(self.items)))]

        def call() -> Decision:
            return self.router.claim(model.item.id, agent_id)

        if agent_id not in self.agents:
            self.expect_unchanged(call, UnknownAgentError)
            return
        if model.state == "closed":
            self.expect_unchanged(call, ItemClosedError)
            return
        if model.state == "assigned":
            self.expect_unchanged(call, InvalidStateError)
            return
        in_order = self.queue_order(model.pool)[0] == model.item.id
        if not in_order and not self.departments[model.department].allow_claims:
            self.expect_unchanged(call, PermissionDeniedError)
            return
        if not self.can_take(agent_id, model.pool):
            self.expect_unchanged(call, NotEligibleError)
            return
        decision = call()
        event(f"claim (in order: {in_order})")
        self.take(model, decision, agent_id, "claim")

    @rule(agent_id=st.sampled_from(AGENTS))
    def next_for(self, agent_id: str) -> None:
        def call() -> Decision | None:
            return self.router.next_for(agent_id)

        if agent_id not in self.agents:
            self.expect_unchanged(call, UnknownAgentError)
            return
        if self.agents[agent_id].presence != "online":
            self.expect_unchanged(call, NotEligibleError)
            return
        expected = self.next_item(agent_id)
        decision = call()
        event(f"next_for: {'nothing' if decision is None else 'an item'}")
        if expected is None:
            assert decision is None
            return
        assert decision is not None
        self.take(expected, decision, agent_id, "next_for")

    @rule(data=st.data(), by_reply=st.booleans())
    def reopen(self, data: st.DataObject, by_reply: bool) -> None:
        if not self.items:
            return
        model = self.items[data.draw(st.sampled_from(sorted(self.items)))]
        if model.state != "closed":
            if by_reply:
                assert [] == self.router.reply(model.item.id)
            else:
                self.expect_unchanged(lambda: self.router.reopen(model.item.id), InvalidStateError)
            return
        self.clock.advance(1)
        self.arrivals += 1
        model.arrival = self.arrivals
        owner = model.agent
        if by_reply:
            [decision] = self.router.reply(model.item.id)
        else:
            decision = self.router.reopen(model.item.id)
        event(f"reopen: {decision.status} by {decision.strategy}")
        if owner is not None and self.can_take(owner, model.pool):
            assert (decision.status, decision.agent, decision.strategy) == (
                "assigned",
                owner,
                "reopen",
            )
            model.state, model.forced = "assigned", False
            return
        model.state, model.agent = "queued", None
        if self.departments[model.department].mode == "pull":
            self.check_pull_arrival(model, decision)
        else:
            self.apply([decision], new=model.item.id)

    # -- checking --------------------------------------------------------------

    def take(self, model: ModelItem, decision: Decision, agent_id: str, how: str) -> None:
        """Check a claim or a next_for decision, and record it."""
        assert (model.item.id, "assigned", agent_id, how) == (
            decision.item,
            decision.status,
            decision.agent,
            decision.strategy,
        )
        model.state, model.agent, model.pull = "assigned", agent_id, False

    def check_pull_arrival(self, model: ModelItem, decision: Decision) -> None:
        """In a pull department only the router's only agent gets arrivals, if free."""
        sole = next(iter(self.agents)) if len(self.agents) == 1 else None
        if sole is not None and self.can_take(sole, model.pool):
            others = [i for i in self.queue_order(model.pool) if i != model.item.id]
            assert not others, f"the sole agent got {model.item.id} ahead of {others}"
            assert ("assigned", sole) == (decision.status, decision.agent)
            model.state, model.agent = "assigned", sole
        else:
            assert ("queued", "pull") == (decision.status, decision.strategy)
            model.state, model.pull = "queued", True
            assert decision.position == self.queue_order(model.pool).index(model.item.id) + 1

    def can_take(self, agent_id: str, pool: tuple[str, str]) -> bool:
        model = self.agents.get(agent_id)
        if model is None or not model.eligible(*pool):
            return False
        return self.load(agent_id, pool[1]) < model.agent.capacity[pool[1]]

    def next_item(self, agent_id: str) -> ModelItem | None:
        """The item next_for would give: most important where the agent has a free slot."""
        model = self.agents[agent_id]
        waiting = [
            m
            for m in self.items.values()
            if m.state == "queued"
            and model.agent.serves(*m.pool)
            and model.presence == "online"
            and m.item.channel not in model.off
            and self.load(agent_id, m.item.channel) < model.agent.capacity[m.item.channel]
        ]
        return min(waiting, key=lambda m: m.key, default=None)

    def held_by(self, agent_id: str) -> list[ModelItem]:
        return [m for m in self.items.values() if m.state == "assigned" and m.agent == agent_id]

    def load(self, agent_id: str, channel: str) -> int:
        return sum(1 for m in self.held_by(agent_id) if m.item.channel == channel)

    def requeue(self, models: list[ModelItem]) -> None:
        for model in models:
            model.state, model.agent, model.forced = "queued", None, False
            model.pull = self.departments[model.department].mode == "pull"

    def pools(self) -> list[tuple[str, str]]:
        return [(d, c) for d in DEPARTMENTS for c in CHANNELS]

    def queue_order(self, pool: tuple[str, str], *, push_only: bool = False) -> list[str]:
        waiting = [
            m
            for m in self.items.values()
            if m.state == "queued" and m.pool == pool and not (push_only and m.pull)
        ]
        return [m.item.id for m in sorted(waiting, key=lambda m: m.key)]

    def apply(
        self,
        decisions: list[Decision],
        *,
        new: str | None = None,
        requeued: list[ModelItem] | None = None,
    ) -> None:
        """Check each pushed decision against the model as it happened, then record it."""
        requeued = requeued or []
        everything = len(self.agents) == 1
        lines = {pool: self.queue_order(pool, push_only=not everything) for pool in self.pools()}
        for decision in decisions:
            model = self.items[decision.item]
            assert model.pool == (decision.department, decision.channel)
            department = self.departments[model.department]
            strategy = department.strategies[model.item.channel]
            waits_to_be_pulled = decision.status == "queued" and model.pull
            assert ("pull" if waits_to_be_pulled else strategy) == decision.strategy
            if decision.status == "queued":
                assert decision.item == new or model in requeued
                assert decision.agent is None
                continue
            assert everything or not model.pull, f"pull item {decision.item} was pushed"
            agent = self.agents[decision.agent]  # type: ignore[index]
            assert self.can_take(agent.agent.id, model.pool), f"{decision} breaks a limit"
            if decision.item != new:
                line = lines[model.pool]
                assert line, f"{decision.item} dispatched from an empty queue"
                assert line[0] == decision.item, f"{decision.item} jumped {line}"
                line.pop(0)
            model.state, model.agent, model.forced = "assigned", decision.agent, False
            model.pull = False
        if new is not None and self.items[new].state == "queued":
            assert decisions[-1].status == "queued"
            assert decisions[-1].position == self.queue_order(self.items[new].pool).index(new) + 1

    def observed(self) -> dict[str, object]:
        """What the host can read, owners and histories included."""
        ids = sorted(self.items)
        return {
            "state": observe(self.router, ids),
            "owners": [self.router.owner(i) for i in ids],
            "histories": [self.router.history(i) for i in ids],
            "badges": [self.router.waiting_for(a) for a in self.router.agent_ids()],
        }

    def expect_unchanged(self, call: Callable[[], object], error: type[AgentrouteError]) -> None:
        """The call raises *error* and leaves everything observable as it was."""
        before = self.observed()
        try:
            call()
        except error:
            pass
        else:
            raise AssertionError(f"expected {error.__name__}")
        assert before == self.observed()

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
        waiting = [i for d, c in self.pools() for i in self.router.queued(d, c)]
        assert len(waiting) == len(set(waiting))
        assert not set(waiting) & set(holders)
        for item_id, model in self.items.items():
            status = self.router.status(item_id)
            assert (model.state, model.department) == (status.state, status.department)
            assert (model.state == "queued" and model.pull) == status.pull
            if model.state == "assigned":
                assert model.agent == holders[item_id] == status.agent
            assert (model.state == "queued") == (item_id in waiting)

    @invariant()
    def owners_and_history_agree(self) -> None:
        for item_id, model in self.items.items():
            owner = self.router.owner(item_id)
            assert (model.department, model.agent) == (owner.department, owner.agent)
            entries = self.router.history(item_id)
            assert "created" == entries[0].action
            assert (None, None) == (entries[0].from_department, entries[0].from_agent)
            for before, after in itertools.pairwise(entries):
                assert (before.to_department, before.to_agent) == (
                    after.from_department,
                    after.from_agent,
                )
                assert before.at <= after.at
            assert (owner.department, owner.agent) == (
                entries[-1].to_department,
                entries[-1].to_agent,
            )

    @invariant()
    def loads_match_and_assignees_are_members(self) -> None:
        for agent_id, model in self.agents.items():
            for channel in CHANNELS:
                assert self.load(agent_id, channel) == self.router.load(agent_id, channel)
            for held in self.held_by(agent_id):
                assert held.forced or model.agent.serves(*held.pool)

    @invariant()
    def queues_in_order(self) -> None:
        for department, channel in self.pools():
            expected = self.queue_order((department, channel))
            assert expected == list(self.router.queued(department, channel))

    @invariant()
    def badges_count_what_waits(self) -> None:
        for agent_id, model in self.agents.items():
            served = [p for p in self.pools() if model.agent.serves(*p)]
            expected = sum(len(self.queue_order(p)) for p in served)
            assert expected == self.router.waiting_for(agent_id)

    @invariant()
    def work_is_conserved(self) -> None:
        everything = len(self.agents) == 1  # a sole agent is pushed pull work too
        for pool in self.pools():
            if not self.queue_order(pool, push_only=not everything):
                continue
            for agent_id in self.agents:
                assert not self.can_take(agent_id, pool), f"{pool} waits beside {agent_id}"


RouterMachine.TestCase.settings = settings(
    max_examples=400,
    stateful_step_count=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestRouterMachine = RouterMachine.TestCase
