"""
Cross-reference checks of a structured snapshot, kept apart from building a core from it.

`check` reports every problem with its key path, so a bad snapshot is refused in one go.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from agentroute._core.agents import memberships
from agentroute._core.availability import TIMER_KINDS
from agentroute._core.offers import OFFER
from agentroute._core.queue import queue_key
from agentroute._core.reservations import RESERVED
from agentroute._core.schema import AgentState, ItemEntry, Snapshot
from agentroute._core.sla import SLA_BREACH, SLA_WARNING, UNANSWERED
from agentroute._core.timers import BREAK, DUTY, OFFLINE, SHIFT
from agentroute.errors import InvalidValueError, UnknownStrategyError
from agentroute.model import Department
from agentroute.strategies import _registry as strategy_registry

__all__ = ["Report", "check"]

_RANDOM_STATES = range(1 << 64)

Report = Callable[[tuple[str, str]], None]


def check(snapshot: Snapshot) -> tuple[dict[str, Department], list[tuple[str, str]]]:
    """
    Return the departments of *snapshot* by name, and every problem found as (key path, problem).

    The settings and departments are checked first; the rest only if they are sound.
    """
    problems: list[tuple[str, str]] = []
    departments = _departments(snapshot, problems.append)
    if not problems:
        _check_agents(snapshot, departments, problems.append)
        entries = _check_items(snapshot, departments, problems.append)
        _check_queues(snapshot, entries, problems.append)
        _check_timers(snapshot, problems.append)
        _check_duties(snapshot, departments, problems.append)
    return departments, problems


def _departments(snapshot: Snapshot, report: Report) -> dict[str, Department]:
    """Validate the settings and departments; return the departments' settings by name."""
    settings = snapshot.settings
    if settings.retain_closed is not None and settings.retain_closed < 0:
        report(("settings.retain_closed", "must be >= 0 or null"))
    if settings.history_limit is not None and settings.history_limit < 1:
        report(("settings.history_limit", "must be >= 1 or null"))
    _check_customers(snapshot, report)
    for index, handled in enumerate(snapshot.handling):
        if handled.samples < 1 or handled.mean_s < 0:
            report((f"handling[{index}]", "needs samples >= 1 and mean_s >= 0"))
    names: set[str] = set()
    for index, rule in enumerate(snapshot.rules):
        if rule.name in names:
            report((f"rules[{index}].name", f"rule {rule.name!r} appears twice"))
        names.add(rule.name)
    _strategy_known("settings.default_strategy", settings.default_strategy, report)
    counters = snapshot.counters
    for name in ("tick", "arrivals", "closes", "entries", "timers", "customers"):
        if getattr(counters, name) < 0:
            report((f"counters.{name}", "must be >= 0"))
    if counters.random not in _RANDOM_STATES:
        report(("counters.random", "must be an int from 0 to 2**64 - 1"))
    found: dict[str, Department] = {}
    for index, state in enumerate(snapshot.departments):
        path = f"departments[{index}]"
        try:
            department = Department(
                state.name,
                strategies=state.strategies,
                default_strategy=state.default_strategy,
                mode=state.mode,
                unassign_on_close=state.unassign_on_close,
                allow_claims=state.allow_claims,
                requeue_offline_after_s=state.requeue_offline_after_s,
                sla_warning_s=state.sla_warning_s,
                sla_escalate_to=state.sla_escalate_to,
                sticky=state.sticky,
                sticky_max_age_s=state.sticky_max_age_s,
                ring_timeout_s=state.ring_timeout_s,
                sticky_wait_s=state.sticky_wait_s,
                dedicated=state.dedicated,
                dedicated_wait_s=state.dedicated_wait_s,
            )
        except InvalidValueError as error:
            report((path, str(error)))
            continue
        if department.name in found:
            report((f"{path}.name", f"department {department.name!r} appears twice"))
        found[department.name] = department
        for channel, strategy in department.strategies.items():
            _strategy_known(f"{path}.strategies.{channel}", strategy, report)
        _strategy_known(f"{path}.default_strategy", department.default_strategy, report)
    return found


def _strategy_known(path: str, name: str, report: Report) -> None:
    try:
        strategy_registry.factory(name)
    except UnknownStrategyError as error:
        hint = "register it with agentroute.strategies.register() before restoring"
        report((path, f"{error}; {hint}"))


def _check_agents(snapshot: Snapshot, departments: dict[str, Department], report: Report) -> None:
    seen: set[str] = set()
    owner: str | None = None
    tick = snapshot.counters.tick
    for index, state in enumerate(snapshot.agents):
        path = f"agents[{index}]"
        agent = state.agent
        if agent.id in seen:
            report((f"{path}.agent.id", f"agent {agent.id!r} appears twice"))
        seen.add(agent.id)
        if agent.role == "owner":
            if owner is not None:
                report((f"{path}.agent.role", f"a second owner; {owner!r} is the owner"))
            owner = agent.id
        for department in agent.departments:
            if department not in departments:
                report((f"{path}.agent.departments", f"unknown department {department!r}"))
        if sorted(state.seats) != sorted(agent.capacity):
            problem = (
                f"channels {sorted(state.seats)} differ from capacity {sorted(agent.capacity)}"
            )
            report((f"{path}.seats", problem))
        if state.forward_to == "":
            report((f"{path}.forward_to", "must be a device or null, not empty"))
        for channel in state.channels_off:
            if channel not in agent.capacity:
                report((f"{path}.channels_off", f"{channel!r} is not one of the agent's channels"))
        served = set(memberships(agent))
        for pair in state.departments_off:
            if pair not in served:
                problem = f"the agent does not serve {pair[1]!r} in {pair[0]!r}"
                report((f"{path}.departments_off", problem))
        for channel, seat in state.seats.items():
            for name in ("last_assigned", "idle_since"):
                if not 0 <= getattr(seat, name) <= tick:
                    report((f"{path}.seats.{channel}.{name}", f"must be from 0 to {tick}"))


def _check_items(
    snapshot: Snapshot, departments: dict[str, Department], report: Report
) -> dict[str, ItemEntry]:
    """Check every item on its own and against the agents; return the items by id."""
    agents = {state.agent.id: state for state in snapshot.agents}
    counters = snapshot.counters
    limit = snapshot.settings.history_limit
    seen: dict[str, ItemEntry] = {}
    arrivals: set[int] = set()
    bookings: set[int] = set()
    closes: set[int] = set()
    loads: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(snapshot.items):
        path = f"items[{index}]"
        item = entry.item
        if item.id in seen:
            report((f"{path}.item.id", f"item {item.id!r} appears twice"))
        seen[item.id] = entry
        if item.department not in departments or entry.department not in departments:
            for where, name in (
                (".item.department", item.department),
                (".department", entry.department),
            ):
                if name not in departments:
                    report((path + where, f"unknown department {name!r}"))
        _unique(path, ".arrival", entry.arrival, arrivals, counters.arrivals, report)
        rows = entry.history
        if (
            not rows
            or (limit is not None and len(rows) > limit)
            or ((rows[-1][3], rows[-1][5]) != (entry.department, entry.agent))
        ):
            _check_history(path, entry, limit, report)
        if entry.replies < 0:
            report((f"{path}.replies", "must be >= 0"))
        state = entry.state
        if (entry.booked is None) == (state == "assigned"):
            report((f"{path}.booked", "must be set exactly while the item is assigned"))
        elif entry.booked is not None:
            _unique(path, ".booked", entry.booked, bookings, counters.tick, report)
        if (entry.closed is None) == (state == "closed"):
            report((f"{path}.closed", "must be set exactly while the item is closed"))
        elif entry.closed is not None:
            _unique(path, ".closed", entry.closed, closes, counters.closes, report)
        if state == "assigned" and entry.assigned_at is None:
            report((f"{path}.assigned_at", "must be set while the item is assigned"))
        if state in ("queued", "offered") and entry.agent is not None:
            report((f"{path}.agent", "a waiting item has no agent"))
        if (not entry.offers) == (state == "offered"):
            report((f"{path}.offers", "must list agents exactly while the item is offered"))
        elif entry.offers:
            _check_offers(path, entry, agents, report)
        if entry.waiting_for:
            _check_waiting(path, entry, agents, report)
        if state == "assigned":
            holder = agents.get(entry.agent)  # type: ignore[arg-type]
            if holder is None:
                report((f"{path}.agent", f"unknown agent {entry.agent!r}"))
            elif item.channel not in holder.agent.capacity:
                problem = f"agent {entry.agent!r} has no capacity on {item.channel!r}"
                report((f"{path}.agent", problem))
            else:
                key = (holder.agent.id, item.channel)
                loads[key] = loads.get(key, 0) + 1
    retain = snapshot.settings.retain_closed
    if retain is not None and len(closes) > retain:
        report(("items", f"{len(closes)} closed items, more than retain_closed={retain}"))
    for index, agent_state in enumerate(snapshot.agents):
        for channel, seat in agent_state.seats.items():
            held = loads.get((agent_state.agent.id, channel), 0)
            if seat.load != held:
                problem = f"is {seat.load}, but {held} items are assigned to the agent there"
                report((f"agents[{index}].seats.{channel}.load", problem))
    return seen


def _check_offers(
    path: str, entry: ItemEntry, agents: dict[str, AgentState], report: Report
) -> None:
    """Check that an offered item rings distinct agents, each a member of its pool."""
    if len(set(entry.offers)) != len(entry.offers):
        report((f"{path}.offers", "lists an agent twice"))
    for agent in entry.offers:
        holder = agents.get(agent)
        if holder is None:
            report((f"{path}.offers", f"unknown agent {agent!r}"))
        elif not holder.agent.serves(entry.department, entry.item.channel):
            where = f"{entry.item.channel!r} in {entry.department!r}"
            report((f"{path}.offers", f"agent {agent!r} does not serve {where}"))


def _check_waiting(
    path: str, entry: ItemEntry, agents: dict[str, AgentState], report: Report
) -> None:
    """Check that an item waiting for particular agents is queued for distinct members."""
    where = f"{entry.item.channel!r} in {entry.department!r}"
    if entry.state != "queued":
        report((f"{path}.waiting_for", f"lists agents, but the item is {entry.state}"))
    if len(set(entry.waiting_for)) != len(entry.waiting_for):
        report((f"{path}.waiting_for", "lists an agent twice"))
    for agent in entry.waiting_for:
        holder = agents.get(agent)
        if holder is None or not holder.agent.serves(entry.department, entry.item.channel):
            report((f"{path}.waiting_for", f"{agent!r} is not an agent serving {where}"))


def _unique(path: str, field: str, number: int, seen: set[int], top: int, report: Report) -> None:
    """Report *number* unless it is a new one from 1 to *top* (paths are built only to report)."""
    if not 1 <= number <= top:
        report((path + field, f"{number} is not from 1 to {top}, the counter"))
    elif number in seen:
        report((path + field, f"{number} is used twice"))
    seen.add(number)


def _check_history(path: str, entry: ItemEntry, limit: int | None, report: Report) -> None:
    rows = entry.history
    if not rows:
        report((f"{path}.history", "must hold at least one row"))
        return
    if limit is not None and len(rows) > limit:
        report((f"{path}.history", f"{len(rows)} rows, more than history_limit={limit}"))
    last = rows[-1]
    if (last[3], last[5]) != (entry.department, entry.agent):
        problem = (
            f"its last row gives owner ({last[3]!r}, {last[5]!r}), "
            f"not ({entry.department!r}, {entry.agent!r})"
        )
        report((f"{path}.history", problem))


def _check_queues(snapshot: Snapshot, entries: dict[str, ItemEntry], report: Report) -> None:
    placed: set[str] = set()
    lines: set[tuple[str, str]] = set()
    for index, queue in enumerate(snapshot.queues):
        path = f"queues[{index}]"
        where = (queue.department, queue.channel)
        if where in lines:
            report((path, f"a second queue for {where}"))
        lines.add(where)
        for name, ids in (("push", queue.push), ("pull", queue.pull)):
            previous = None
            for position, item_id in enumerate(ids):
                at = f"{path}.{name}[{position}]"
                entry = entries.get(item_id)
                if entry is None:
                    report((at, f"unknown item {item_id!r}"))
                    continue
                if item_id in placed:
                    report((at, f"item {item_id!r} waits twice"))
                placed.add(item_id)
                if entry.state != "queued" or (entry.department, entry.item.channel) != where:
                    problem = f"item {item_id!r} does not wait in {where} (it is {entry.state})"
                    report((at, problem))
                key = queue_key(entry.item, entry.arrival)
                if previous is not None and not previous < key:
                    report((at, f"item {item_id!r} is out of queue order"))
                previous = key
    for index, entry in enumerate(snapshot.items):
        if entry.waiting_for:
            if entry.item.id in placed:
                report((f"items[{index}].waiting_for", "set, but the item is in a queue too"))
        elif entry.state == "queued" and entry.item.id not in placed:
            report((f"items[{index}].state", "queued, but in no queue"))


def _check_customers(snapshot: Snapshot, report: Report) -> None:
    """Check the customer memory: within its limit, each customer once, numbers in order."""
    limit = snapshot.settings.remember_customers
    if limit is not None and limit < 0:
        report(("settings.remember_customers", "must be >= 0 or null"))
    entries = snapshot.customers
    if limit is not None and len(entries) > limit:
        report(("customers", f"{len(entries)} customers, more than remember_customers={limit}"))
    seen: set[str] = set()
    previous = 0
    for index, entry in enumerate(entries):
        if entry.customer in seen:
            report((f"customers[{index}].customer", f"{entry.customer!r} appears twice"))
        seen.add(entry.customer)
        if not previous < entry.seq <= snapshot.counters.customers:
            problem = f"{entry.seq} is not after {previous} and at most the counter"
            report((f"customers[{index}].seq", problem))
        previous = entry.seq


def _check_duties(snapshot: Snapshot, departments: dict[str, Department], report: Report) -> None:
    """Check each duty rotation names a department, turns and the one on duty, once."""
    seen: set[tuple[str, str]] = set()
    for index, duty in enumerate(snapshot.duties):
        path = f"duties[{index}]"
        where = (duty.department, duty.channel)
        if duty.department not in departments:
            report((f"{path}.department", f"unknown department {duty.department!r}"))
        if where in seen:
            report((path, f"a second rotation for {where}"))
        seen.add(where)
        if duty.on_duty not in duty.agents:
            report((f"{path}.on_duty", f"{duty.on_duty!r} is not one of the rotation's agents"))
        if not duty.period_s > 0:
            report((f"{path}.period_s", "must be > 0"))


def _check_timers(snapshot: Snapshot, report: Report) -> None:
    """Check each timer names a known kind and a live subject, and each break has its timer."""
    breaks = {s.agent.id: s.on_break.until for s in snapshot.agents if s.on_break is not None}
    subjects = {
        SHIFT: ({s.agent.id for s in snapshot.agents if s.schedule is not None}, "with a schedule"),
        OFFLINE: ({s.agent.id for s in snapshot.agents if s.presence == "offline"}, "offline"),
    }
    timed_items = [e for e in snapshot.items if e.item.sla_deadline is not None]
    waiting = {e.item.id for e in timed_items if e.state in UNANSWERED}
    answered = {e.item.id for e in timed_items if e.state == "assigned"}
    for kind in (SLA_WARNING, SLA_BREACH):
        subjects[kind] = (waiting, "waiting with an SLA deadline")
    offered = {e.item.id for e in snapshot.items if e.state == "offered"}
    subjects[OFFER] = (offered, "offered")
    subjects[RESERVED] = ({e.item.id for e in snapshot.items if e.waiting_for}, "reserved")
    rotations = {json.dumps([d.department, d.channel]) for d in snapshot.duties}
    subjects[DUTY] = (rotations, "a duty rotation of")
    seen: set[int] = set()
    timed: set[tuple[str, str]] = set()
    for index, timer in enumerate(snapshot.timers):
        path = f"timers[{index}]"
        _unique(path, ".seq", timer.seq, seen, snapshot.counters.timers, report)
        name = (timer.kind, timer.key)
        if timer.kind not in TIMER_KINDS:
            known = ", ".join(sorted(TIMER_KINDS))
            report((f"{path}.kind", f"unknown timer kind {timer.kind!r} (known: {known})"))
        elif name in timed:
            report((path, f"a second {timer.kind!r} timer for {timer.key!r}"))
        elif timer.held:
            if timer.kind not in (SLA_WARNING, SLA_BREACH) or timer.key not in answered:
                report((f"{path}.held", "only the SLA timers of an assigned item are held"))
        elif timer.kind == BREAK and breaks.get(timer.key) != timer.due:
            problem = f"no agent {timer.key!r} whose break ends at {timer.due} waits for it"
            report((path, problem))
        elif timer.kind != BREAK and timer.key not in subjects[timer.kind][0]:
            items = (SLA_WARNING, SLA_BREACH, OFFER, RESERVED)
            noun = {**dict.fromkeys(items, "item"), DUTY: "channel"}.get(timer.kind, "agent")
            report((path, f"no {noun} {timer.key!r} {subjects[timer.kind][1]} waits for it"))
        timed.add(name)
    for item_id in sorted(offered - {key for kind, key in timed if kind == OFFER}):
        report(("timers", f"no timer ends the ring of offered item {item_id!r}"))
    for index, state in enumerate(snapshot.agents):
        path = f"agents[{index}]"
        if state.missed < 0:
            report((f"{path}.missed", "must be >= 0"))
        if state.on_break is not None and (BREAK, state.agent.id) not in timed:
            report((f"{path}.on_break", "no timer ends this break"))
        if state.offline_since is not None and state.presence != "offline":
            report((f"{path}.offline_since", "is set, but the agent is not offline"))
        if state.off_shift and state.schedule is None:
            report((f"{path}.off_shift", "an agent without a schedule is never off shift"))
