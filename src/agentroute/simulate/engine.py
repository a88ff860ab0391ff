"""
The discrete-event loop that drives a real `Router` through a scenario.

The simulator never re-implements routing: it builds the router from the
scenario's configuration with a clock the loop sets, sets every agent online, and
then calls the router's public API as a helpdesk would:

- an arrival calls ``assign()``; an ``offered`` decision (``ring_all``) is
  accepted at once by the first agent it rings;
- every ``assigned`` event (whatever call caused it) starts the item's
  handling: a completion is due after its handling time, and then ``close()``;
- a waiting customer whose patience runs out is closed with
  ``reason="abandoned"``;
- a customer whose channel has ``reopen`` may ``reopen()`` a handled item
  after a delay; it is routed again, with a new handling time and patience;
- each of the scenario's ``breaks`` is a ``start_break()`` at its time of day;
- before each event at time *t*, ``advance()`` runs whenever
  ``next_deadline() <= t`` (breaks, shifts, SLA timers, ring timeouts).

Arrivals stop at ``duration_s``; the run then goes on, without arrivals, until
the events run out (every counted item handled or abandoned, and every
reopen done) or another ``duration_s`` has passed. A counted item not closed
by then is ``unanswered`` if no agent ever took it, else ``in_service``
(still with an agent, or taken back and in line again).

All draws come from one `random.Random` per arrival stream, seeded from the
seed and the stream's place in ``arrivals``, and each item's handling time
and patience are drawn when it arrives, and so are its reopens (whether,
after which delay, and the handling time and patience of each). So the same scenario and seed give
the same report, bit for bit, and two strategies compared with one seed see
exactly the same customers (common random numbers). Two variants of a
scenario compared with one seed (`compare_variants`) see the same customers
too, as long as their ``arrivals``, ``handling``, ``patience`` and
``reopen`` are the same.

Added in 0.2.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Mapping
from typing import Any

from agentroute import Item, Router
from agentroute.errors import InvalidDataError, InvalidStateError, UnknownItemError
from agentroute.events import Event, ItemAssigned, ItemQueued, SlaBreached
from agentroute.model import Decision
from agentroute.simulate.draws import (
    Again,
    Draws,
    Stream,
    handling_draw,
    patience_draw,
    reopen_draws,
)
from agentroute.simulate.report import Report, coefficient_of_variation, gini, percentile
from agentroute.simulate.scenario import Scenario

__all__ = ["Clock", "Progress", "Run", "build_router", "with_strategy"]

_ARRIVAL = 0
_DONE = 1
_ABANDON = 2
_RECORDED = 3
_REOPEN = 4
_BREAK = 5


#: The progress callback: called with the share of the simulated time done.
Progress = Callable[[float], None]


def with_strategy(config: Mapping[str, Any], strategy: str) -> dict[str, Any]:
    """Return *config* with every department's strategies and the defaults set to *strategy*."""
    changed = dict(config)
    section = config.get("router")
    if section is None or isinstance(section, Mapping):
        changed["router"] = {**(section or {}), "default_strategy": strategy}
    departments = config.get("departments")
    if isinstance(departments, Mapping):
        rewritten: dict[str, Any] = {}
        for name, department in departments.items():
            if isinstance(department, Mapping):
                named = department.get("strategies")
                channels = named if isinstance(named, Mapping) else {}
                department = {
                    **department,
                    "strategies": dict.fromkeys(channels, strategy),
                    "default_strategy": strategy,
                }
            rewritten[name] = department
        changed["departments"] = rewritten
    return changed


def build_router(scenario: Scenario, clock: Clock, strategy: str | None) -> Router:
    """Build the run's router on *clock*, and check the names the scenario gives it."""
    config = scenario.router if strategy is None else with_strategy(scenario.router, strategy)
    try:
        router = Router.from_config(config, clock=clock)
    except InvalidDataError as error:
        problems = [problem.partition(": ") for problem in error.problems]
        raise InvalidDataError(
            "scenario", [(f"router.{path}", message) for path, _, message in problems]
        ) from error
    known = set(router.departments())
    missing = [
        (f"arrivals[{index}].department", f"unknown department {stream.department!r}")
        for index, stream in enumerate(scenario.arrivals)
        if stream.department not in known
    ]
    for where, rows in (("trace", scenario.recorded or ()), ("trace_rows", scenario.trace_rows)):
        missing += [
            (f"{where}[{index}].department", f"unknown department {row.department!r}")
            for index, row in enumerate(rows)
            if row.department not in known
        ]
    agents = router.agent_ids()
    for index, pause in enumerate(scenario.breaks):
        if pause.agent not in agents:
            message = f"unknown agent {pause.agent!r}; known: {', '.join(agents) or 'none'}"
            missing.append((f"breaks[{index}].agent", message))
    if missing:
        raise InvalidDataError("scenario", missing)
    return router


class Clock:
    """The run's clock: simulated POSIX seconds, which only the loop moves (never back)."""

    __slots__ = ("now",)

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        """Return the simulated time."""
        return self.now

    def set(self, now: float) -> None:
        """Move the clock to *now* (the loop moves ``now`` itself)."""
        self.now = now


class _Customer:
    """An item the run follows from arrival to close."""

    __slots__ = (
        "agent",
        "answered",
        "arrived",
        "counted",
        "estimate",
        "handle_s",
        "pool",
        "queued_at",
        "reopens",
        "since",
        "tallied",
        "token",
    )

    def __init__(
        self, arrived: float, handle_s: float, counted: bool, reopens: tuple[Again, ...] = ()
    ) -> None:
        self.arrived = arrived
        self.handle_s = handle_s
        self.counted = counted
        self.reopens = reopens  # the reopens still to come, drawn at arrival
        self.tallied = counted  # whether its reopens count: its first arrival was counted
        self.answered = False
        self.agent: str | None = None
        self.since = 0.0
        self.token = 0
        self.pool: tuple[str, str] | None = None
        self.estimate: float | None = None  # estimated_wait() when it last queued
        self.queued_at = 0.0


class Run:
    """One run: the router, the event heap and the tallies."""

    def __init__(
        self, scenario: Scenario, seed: int, strategy: str | None, progress: Progress | None = None
    ) -> None:
        self.scenario = scenario
        self.seed = seed
        self.strategy = strategy
        self.start = scenario.start
        self.clock = Clock(float(scenario.start))
        self.router = build_router(scenario, self.clock, strategy)
        self.streams = [
            Stream(spec, scenario, seed, index) for index, spec in enumerate(scenario.arrivals)
        ]
        self.heap: list[tuple[float, int, int, Any]] = []
        self.seq = 0
        self.events: list[Event] = []
        self.customers: dict[str, _Customer] = {}
        self.waiting = 0  # counted customers not answered yet
        self.pools: dict[tuple[str, str], int] = {}
        self.waits: list[float] = []
        self.offered = self.abandoned = self.handled = self.breaches = self.max_queue = 0
        self.reopened = self.reopens_lost = 0
        self.progress = progress
        self.agents = self.router.agent_ids()
        self.busy = dict.fromkeys(self.agents, 0.0)
        self.handled_by = dict.fromkeys(self.agents, 0)
        self.ids = 0
        recorded = [*(scenario.recorded or ()), *scenario.trace_rows]
        self.trace = sorted(
            (row for row in recorded if row.arrival_s < scenario.duration_s),
            key=lambda row: row.arrival_s,
        )
        self.trace_rng = random.Random(f"agentroute.simulate:{seed}:trace")
        self.trace_draws: dict[str, Draws] = {}
        self.errors: list[float] = []  # estimated minus actual waits
        self.estimated: list[float] = []  # the actual waits of those estimates

    def push(self, at: float, kind: int, payload: Any) -> None:
        """Schedule an event of *kind* at *at* seconds into the run."""
        self.seq += 1
        heapq.heappush(self.heap, (at, self.seq, kind, payload))

    def run(self) -> Report:
        """Run the scenario to its end and return what it measured."""
        router = self.router
        router.subscribe(self.events.append, [ItemAssigned.kind, ItemQueued.kind, SlaBreached.kind])
        for agent in self.agents:
            self.settle(router.set_presence(agent, "online"))
        duration = self.scenario.duration_s
        for index, stream in enumerate(self.streams):
            at = stream.next_arrival(0.0, self.start)
            if at < duration:
                self.push(at, _ARRIVAL, index)
        if self.trace:
            self.push(self.trace[0].arrival_s, _RECORDED, 0)
        for index, pause in enumerate(self.scenario.breaks):
            first = (pause.offset_s - self.start) % 86400
            if first < duration:
                self.push(first, _BREAK, index)
        limit = 2 * duration
        heap = self.heap
        clock = self.clock
        mark = math.inf if self.progress is None else self.tick(0.0)
        start = self.start
        next_deadline = router.next_deadline
        heappop = heapq.heappop
        while True:
            due = next_deadline()
            upcoming = heap[0][0] if heap else math.inf
            if due is not None and due - start <= min(upcoming, limit) and (heap or self.waiting):
                clock.now = max(due, clock.now)
                self.settle(router.advance())
                continue
            if upcoming > limit:
                break
            at, _, kind, payload = heappop(heap)
            if at >= mark:
                mark = self.tick(at)
            clock.now = start + at
            if kind == _ARRIVAL:
                self.arrive(at, payload)
            elif kind == _RECORDED:
                self.replay(at, payload)
            elif kind == _DONE:
                self.finish(at, *payload)
            elif kind == _ABANDON:
                self.abandon(*payload)
            elif kind == _REOPEN:
                self.reopen(at, *payload)
            else:
                self.pause(at, payload)
        if self.progress is not None:
            self.progress(1.0)
        return self.report()

    def tick(self, at: float) -> float:
        """Tell the progress callback how far the run is; return when to tell it next."""
        duration = self.scenario.duration_s
        if at >= duration:
            return math.inf  # the rest of the run, after the arrivals, is told as the end
        self.progress(at / duration)  # type: ignore[misc]
        step = duration / 100
        return (math.floor(at / step) + 1) * step

    def arrive(self, at: float, index: int) -> None:
        """Let stream *index*'s next customer arrive, and draw the one after."""
        stream = self.streams[index]
        spec = stream.spec
        rng = stream.rng
        following = stream.next_arrival(at, self.start)
        if following < self.scenario.duration_s:
            self.push(following, _ARRIVAL, index)
        handle_s = stream.handle()
        patience_s = None if stream.patience is None else stream.patience()
        customer = None if spec.customers is None else f"customer{rng.randrange(spec.customers)}"
        group = spec.group
        if group is not None and spec.group_share < 1 and rng.random() >= spec.group_share:
            group = None
        reopens = () if stream.again is None else stream.again()
        item = Item(
            str(self.ids + 1),
            channel=spec.channel,
            department=spec.department,
            customer=customer,
            priority=spec.priority,
            sla_deadline=self.start + at + self.scenario.sla_target_s,
            group=group,
        )
        self.admit(at, item, handle_s, patience_s, reopens)

    def replay(self, at: float, index: int) -> None:
        """Let the trace's row *index* arrive, with its handling time and patience or drawn ones."""
        trace = self.trace
        if index + 1 < len(trace):
            self.push(trace[index + 1].arrival_s, _RECORDED, index + 1)
        row = trace[index]
        channel = row.channel
        handle, patience = self.trace_draws.get(channel) or self.draws_of(channel)
        handle_s = row.handling_s
        if handle_s is None:
            handle_s = handle()  # type: ignore[misc]  # check() saw handling.<channel>
        patience_s = row.patience_s
        if patience_s is None and patience is not None:
            patience_s = patience()
        reopens: tuple[Again, ...] = ()
        reopen = self.scenario.reopen.get(channel)
        if reopen is not None:
            again_s, again_patience_s = handle_s, row.patience_s
            reopens = reopen_draws(
                reopen,
                self.trace_rng,
                handle or (lambda: again_s),
                patience or (lambda: again_patience_s),
            )
        item = Item(
            str(self.ids + 1),
            channel=row.channel,
            department=row.department,
            customer=row.customer,
            priority=row.priority,
            sla_deadline=self.start + at + self.scenario.sla_target_s,
        )
        self.admit(at, item, handle_s, patience_s, reopens)

    def draws_of(self, channel: str) -> Draws:
        """
        Return the draws of *channel*'s handling time and patience for recorded rows, made once.

        Either is None when the scenario has none for the channel: rows then
        give their own (a reopened item takes its row's again).
        """
        scenario, rng = self.scenario, self.trace_rng
        handle = handling_draw(scenario, channel, rng) if channel in scenario.handling else None
        draws = handle, patience_draw(scenario, channel, rng)
        self.trace_draws[channel] = draws
        return draws

    def admit(
        self,
        at: float,
        item: Item,
        handle_s: float,
        patience_s: float | None,
        reopens: tuple[Again, ...],
    ) -> None:
        """Assign a new item and start its customer's patience."""
        self.ids += 1
        item_id = item.id
        counted = at >= self.scenario.warmup_s
        customer = _Customer(at, handle_s, counted, reopens)
        self.customers[item_id] = customer
        if counted:
            self.offered += 1
            self.waiting += 1
        self.settle([self.router.assign(item)])
        if patience_s is not None and not customer.answered:
            self.push(at + patience_s, _ABANDON, (item_id, customer))

    def finish(self, at: float, item_id: str, token: int) -> None:
        """Close an item its agent has handled, unless it moved since (a stale *token*)."""
        customer = self.customers[item_id]
        agent = customer.agent
        if agent is None or customer.token != token:
            return  # requeued or reassigned since: a later completion is due
        self.stop_busy(customer, at)
        del self.customers[item_id]
        if customer.counted:
            self.handled += 1
            self.handled_by[agent] += 1
        self.settle(self.router.close(item_id, reason="handled"))
        if customer.reopens:
            delay = customer.reopens[0][0]
            if at + delay < self.scenario.duration_s:
                self.push(at + delay, _REOPEN, (item_id, customer))

    def reopen(self, at: float, item_id: str, closed: _Customer) -> None:
        """Let the customer reopen a handled item: it is routed again, not counted as offered."""
        _, handle_s, patience_s = closed.reopens[0]
        customer = _Customer(at, handle_s, False, closed.reopens[1:])
        customer.tallied = closed.tallied
        customer.token = closed.token  # so no completion due to the closed one matches
        try:
            decision = self.router.reopen(item_id)
        except UnknownItemError:  # forgotten: over retain_closed items closed since
            self.reopens_lost += closed.tallied
            return
        self.customers[item_id] = customer
        self.reopened += closed.tallied
        self.settle([decision])
        if patience_s is not None and not customer.answered:
            self.push(at + patience_s, _ABANDON, (item_id, customer))

    def pause(self, at: float, index: int) -> None:
        """Start one of the scenario's breaks, and the same break the next day."""
        pause = self.scenario.breaks[index]
        if at + 86400 < self.scenario.duration_s:
            self.push(at + 86400, _BREAK, index)
        self.settle(self.router.start_break(pause.agent, pause.duration_s, reason=pause.reason))

    def abandon(self, item_id: str, waiting: _Customer) -> None:
        """Close an item whose customer gave up waiting, unless it was answered since."""
        customer = self.customers.get(item_id)
        if customer is not waiting or customer.answered:
            return  # answered since (and maybe handled, or reopened, already)
        del self.customers[item_id]
        self.leave_queue(customer)
        if customer.counted:
            self.abandoned += 1
            self.waiting -= 1
        self.settle(self.router.close(item_id, reason="abandoned"))

    def settle(self, decisions: list[Decision]) -> None:
        """Accept every offer (first agent rung), then follow the events the calls caused."""
        pending = [decision for decision in decisions if decision.status == "offered"]
        while pending:
            decision = pending.pop()
            more = self.router.accept(decision.item, decision.offered[0])
            pending.extend(later for later in more if later.status == "offered")
        events = self.events
        for event in events:  # the handlers call nothing that emits more
            if type(event) is ItemAssigned:
                self.started(event)
            elif type(event) is ItemQueued:
                self.queued(event)
            else:
                self.breached(event)  # type: ignore[arg-type]
        events.clear()

    def started(self, event: ItemAssigned) -> None:
        """Count an answer (once per customer) and schedule the end of its handling."""
        at = event.at - self.start
        customer = self.customers[event.item]
        if customer.estimate is not None:
            wait = at - customer.queued_at
            self.errors.append(customer.estimate - wait)
            self.estimated.append(wait)
            customer.estimate = None
        if not customer.answered:
            customer.answered = True
            self.leave_queue(customer)
            if customer.counted:
                # the clock read start + arrived at the arrival: an answer at once waited 0.0
                self.waits.append(event.at - (self.start + customer.arrived))
                self.waiting -= 1
        self.stop_busy(customer, at)  # moved from another agent, if it had one
        customer.agent = event.agent
        customer.since = at
        customer.token = token = customer.token + 1
        self.seq = seq = self.seq + 1
        heapq.heappush(self.heap, (at + customer.handle_s, seq, _DONE, (event.item, token)))

    def queued(self, event: ItemQueued) -> None:
        """Follow an item into line: its place, its estimated wait, the longest line."""
        customer = self.customers[event.item]
        self.stop_busy(customer, event.at - self.start)  # taken back from its agent, if any
        customer.agent = None
        self.leave_queue(customer)
        pool = (event.department, event.channel)
        customer.pool = pool
        customer.estimate = self.estimate(event.item) if customer.counted else None
        customer.queued_at = event.at - self.start
        length = self.pools.get(pool, 0) + 1
        self.pools[pool] = length
        if length > self.max_queue and event.at - self.start >= self.scenario.warmup_s:
            self.max_queue = length

    def estimate(self, item_id: str) -> float | None:
        """Return the router's estimated wait of a queued item (None if unknown or not queued)."""
        try:
            return self.router.estimated_wait(item_id).seconds
        except InvalidStateError:  # assigned again by the call that queued it
            return None

    def breached(self, event: SlaBreached) -> None:
        """Count a counted customer's missed deadline."""
        if self.customers[event.item].counted:
            self.breaches += 1

    def leave_queue(self, customer: _Customer) -> None:
        """Take the customer out of the line length the run keeps."""
        if customer.pool is not None:
            self.pools[customer.pool] -= 1
            customer.pool = None

    def stop_busy(self, customer: _Customer, at: float) -> None:
        """Add the time the customer spent with its agent (if any) within the observed time."""
        agent = customer.agent
        if agent is None:
            return
        begin = max(customer.since, self.scenario.warmup_s)
        end = min(at, self.scenario.duration_s)
        if end > begin:
            self.busy[agent] += end - begin

    def report(self) -> Report:
        """Return the run's `Report` from its tallies."""
        scenario = self.scenario
        for customer in self.customers.values():  # still with an agent at the end
            self.stop_busy(customer, math.inf)
        observed = scenario.duration_s - scenario.warmup_s
        slots = {agent: sum(self.router.agent(agent).capacity.values()) for agent in self.agents}
        occupancy = {
            agent: self.busy[agent] / (slots[agent] * observed) if slots[agent] else 0.0
            for agent in self.agents
        }
        total_slots = sum(slots.values())
        waits = sorted(self.waits)
        target = scenario.sla_target_s
        within = sum(1 for wait in waits if wait <= target)
        handled = list(self.handled_by.values())
        # counted customers not closed: waiting (self.waiting) or answered once (in service)
        in_service = sum(
            customer.counted and customer.answered for customer in self.customers.values()
        )
        return Report(
            strategy=self.strategy,
            seed=self.seed,
            offered=self.offered,
            handled=self.handled,
            abandoned=self.abandoned,
            unanswered=self.waiting,
            service_level=within / self.offered if self.offered else 0.0,
            sla_target_s=target,
            asa_s=math.fsum(waits) / len(waits) if waits else None,
            wait_p50_s=percentile(waits, 0.5),
            wait_p90_s=percentile(waits, 0.9),
            wait_p95_s=percentile(waits, 0.95),
            occupancy=math.fsum(self.busy.values()) / (total_slots * observed)
            if total_slots
            else 0.0,
            agent_occupancy=occupancy,
            handled_by=dict(self.handled_by),
            fairness_cv=coefficient_of_variation(handled),
            fairness_gini=gini(handled),
            max_queue_length=self.max_queue,
            sla_breaches=self.breaches,
            reopened=self.reopened,
            reopens_lost=self.reopens_lost,
            estimate_samples=len(self.errors),
            estimate_mae_s=math.fsum(map(abs, self.errors)) / len(self.errors)
            if self.errors
            else None,
            estimate_bias_s=math.fsum(self.errors) / len(self.errors) if self.errors else None,
            estimate_wait_s=math.fsum(self.estimated) / len(self.errors) if self.errors else None,
            in_service=in_service,
        )
