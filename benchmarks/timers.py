"""
agentroute's timer benchmark: ``advance()`` with many timers pending, ``next_deadline()``, breaks.

Run it with ``.venv/bin/python benchmarks/timers.py``; ``--quick`` is a smoke
run at 1 000 and 10 000 pending timers. The timing helpers are ``harness.py``'s,
the targets use ``report.py``'s table and verdicts.

The router at *N* pending timers, on a `ManualClock` from Monday
2026-03-02 00:00 UTC: *N* / 10 agents online in a push department
(``team``, chat), each with a weekly `Schedule` (six shift patterns, four
time zones: New York, Berlin, Kolkata, Sydney), so one ``shift`` timer
each, and ``BATCH`` more without a schedule, always on shift, who take the
breaks; the rest are the ``sla_warning`` and ``sla_breach`` timers of items
waiting in a department nobody serves (``backlog``, email, warning an hour
before, escalating to priority 1), deadlines spread over days 1 to 8. At
100 000 pending that is the issue's 10 000 scheduled agents.

- **advance**: per kind, a batch of ``BATCH`` timers of that kind is armed
  (untimed), due within the minute before a chosen instant; the clock
  moves there and one ``advance()`` is timed, which fires exactly the
  batch (checked after every batch). The background is sized so that *N*
  timers are pending when the timed call starts. ``break``: start_break of
  the unscheduled agents; ``shift``: set_schedule of the first ``BATCH``
  scheduled agents to a five-day schedule in the agent's zone whose shift
  starts (half of them) or ends (the others) then, so the timer recomputes
  the schedule as any shift timer does; ``sla_breach``: items arrive with
  deadlines in that minute (too close for a warning), the breach escalates
  them; ``sla_warning``: items whose warnings fall in that minute (no
  subscriber, so the timer itself is nearly all the work). Batch items are
  closed and forgotten after the call, untimed. A round is ``BATCHES``
  such calls; µs per fired timer is the round's time over the timers it
  fired. A full collection runs once, then an untimed batch; before each
  round only the young generations are collected (``gc.collect(1)``): a
  full collection untracks the timers' index by name, and the next timer
  set makes the next young collection walk all of it (see **gc**), which
  a full collection before every round would charge to every round.
- **calls**: ``next_deadline()``, and ``start_break`` + ``end_break`` (set a
  timer and cancel it), on the router with *N* pending, timed with
  ``harness.sized_rounds`` (a full collection before each round of about
  0.15 s).
- **gc**: the first young collection (``gc.collect(0)``) after a full
  one, with a break started and ended in between, against a call that
  sets no timer.

Every measurement runs in a fresh interpreter; the fastest round is
reported, the median and every round kept in the JSON. A full run writes
``benchmarks/results/timers.json``; ``--quick`` writes only to ``--output``.
"""

from __future__ import annotations

import datetime
import gc
import math
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import cycle, islice
from pathlib import Path
from random import Random
from typing import Any
from zoneinfo import ZoneInfo

import _cli
from _setup import SEED, require
from harness import Sample, Settings, isolated, progress, sized_rounds
from report import Target, Verdict, evaluate

from agentroute import Agent, Item, ManualClock, Router, Schedule, Shift
from agentroute.schedules import DAYS

RESULTS = Path(__file__).resolve().parent / "results" / "timers.json"

SIZES = (1_000, 10_000, 100_000)
"""Timers pending when each timed call starts."""
QUICK_SIZES = (1_000, 10_000)
TIMERS_PER_AGENT = 10
"""One agent, so one shift timer, per ten pending timers."""
BATCH = 100
"""Timers one timed ``advance()`` fires: a tenth of the smallest size."""
BATCHES = 10
"""Timed calls per round: 1 000 fired timers."""
QUICK_BATCHES = 3
START = 1_772_409_600.0
"""Monday 2026-03-02 00:00 UTC, POSIX seconds."""
FIRST_BATCH = START + 3_600.0
BATCH_STEP = 120.0
"""Each batch is armed at ``FIRST_BATCH + k * BATCH_STEP`` and fires a minute later."""
LEAD = 60.0
DAY = 86_400.0
SHIFT_HOURS = 8
ZONES = ("America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Sydney")
"""Whole- and half-hour offsets: every roster boundary is on :00 or :30 UTC, never in a batch."""
WEEKDAYS = DAYS[:5]
PATTERNS: tuple[tuple[Shift, ...], ...] = (
    (Shift(WEEKDAYS, "08:00", "16:00"),),
    (Shift(WEEKDAYS, "09:00", "17:30"),),
    (Shift(WEEKDAYS, "12:00", "20:00"),),
    (Shift(DAYS[:4], "07:00", "17:00"),),
    (Shift(DAYS[2:5], "14:00", "22:00"), Shift(DAYS[5:], "10:00", "18:00")),
    (Shift(("sun", "mon", "tue", "wed", "thu"), "22:00", "06:00"),),
)
"""Weekly shift patterns of the roster: days, evenings, four tens, weekends, nights."""
TEAM, BACKLOG = "team", "backlog"
SLA_WARNING_S = 3_600.0
KINDS = ("break", "shift", "sla_breach", "sla_warning")
ADDED = {"break": BATCH, "shift": 0, "sla_breach": BATCH, "sla_warning": 2 * BATCH}
"""Timers a batch adds to the router: the background leaves room for them."""
CALLS = ("next_deadline", "break_set_cancel")
CALL_NAMES = {
    "next_deadline": "next_deadline()",
    "break_set_cancel": "start_break + end_break",
}

TARGETS = (
    Target(
        "advance_log_growth",
        "advance.{strategy}.growth",
        "<=",
        2.0,
        "x",
        "advance() µs per fired timer, most / fewest pending",
    ),
    Target(
        "next_deadline_flat",
        "calls.next_deadline.growth",
        "<=",
        1.5,
        "x",
        "next_deadline(), most / fewest pending",
    ),
    Target(
        "break_log_growth",
        "calls.break_set_cancel.growth",
        "<=",
        2.0,
        "x",
        "start_break + end_break, most / fewest pending",
    ),
)
"""
The issue's target and two of ours, as growth from the fewest to the most pending timers.

O(log n) from 1 000 to 100 000 pending allows log(100 000) / log(1 000) = 1.67 times
the cost; 2.0 leaves room for noise. next_deadline() should not grow at all.
"""


# -- the router ----------------------------------------------------------------------------


class Timed:
    """A router holding *pending* timers less the room a batch needs, and what built it."""

    def __init__(self, pending: int, room: int) -> None:
        rng = Random(SEED + pending)
        self.clock = ManualClock(START)
        self.router = router = Router(seed=SEED, clock=self.clock)
        router.add_department(TEAM, strategies={"chat": "least_busy"})
        router.add_department(BACKLOG, sla_warning_s=SLA_WARNING_S, sla_escalate_to=1)
        schedules = [Schedule(zone, pattern) for zone in ZONES for pattern in PATTERNS]
        self.agents: list[str] = []
        self.zones: dict[str, str] = {}
        self.unscheduled = [f"u{number:03d}" for number in range(BATCH)]
        for number in range(pending // TIMERS_PER_AGENT + BATCH):
            agent = Agent(
                f"a{number:06d}" if number >= BATCH else self.unscheduled[number],
                priority=rng.randint(1, 100),
                capacity={"chat": 4},
                departments={TEAM: {"chat"}},
            )
            router.add_agent(agent)
            router.set_presence(agent.id, "online")
            if number >= BATCH:
                schedule = rng.choice(schedules)
                router.set_schedule(agent.id, schedule)
                self.agents.append(agent.id)
                self.zones[agent.id] = schedule.timezone
        waiting, odd = divmod(pending - len(self.agents) - room, 2)
        require(waiting > 0 and not odd, f"{pending} pending leave no even room for items")
        for number in range(waiting):
            item = Item(
                f"s{number:07d}",
                channel="email",
                department=BACKLOG,
                priority=rng.randint(2, 5),
                sla_deadline=START + DAY + rng.random() * 7 * DAY,
            )
            require(router.assign(item).status == "queued", f"{item.id} was not queued")
        self.turns = cycle(self.unscheduled)
        self.batches = 0
        self.items = 0
        require(len(timers(router)) == pending - room, "the roster has the wrong timer count")


def timers(router: Router) -> list[dict[str, Any]]:
    """Return the router's pending timers from its snapshot (untimed checks only)."""
    pending: list[dict[str, Any]] = router.snapshot()["timers"]
    return pending


def five_days_from(start: float, zone: str) -> Schedule:
    """
    Return a schedule in *zone* whose shift starts at *start* and lasts ``SHIFT_HOURS``.

    It starts on five days in a row, from *start*'s weekday, like the
    roster's weekday patterns.
    """
    first = datetime.datetime.fromtimestamp(start, ZoneInfo(zone))
    end = datetime.datetime.fromtimestamp(start + SHIFT_HOURS * 3_600, ZoneInfo(zone))
    days = [DAYS[(first.weekday() + offset) % 7] for offset in range(5)]
    return Schedule(zone, [Shift(days, f"{first:%H:%M}", f"{end:%H:%M}")])


# -- arming a batch: each returns the check to run once the batch fired ---------------------


Check = Callable[[], None]


def arm_break(timed: Timed, due: float) -> Check:
    """Start a break of each unscheduled agent, ending in the minute up to *due*."""
    agents = timed.unscheduled
    for number, agent in enumerate(agents):
        timed.router.start_break(agent, LEAD * (number + 0.5) / BATCH)

    def check() -> None:
        require(all(timed.router.break_until(a) is None for a in agents), "a break did not end")

    return check


def arm_shift(timed: Timed, due: float) -> Check:
    """Give the first ``BATCH`` scheduled agents a shift starting (half) or ending at *due*."""
    agents = timed.agents[:BATCH]
    starting = {zone: five_days_from(due, zone) for zone in ZONES}
    ending = {zone: five_days_from(due - SHIFT_HOURS * 3_600, zone) for zone in ZONES}
    for number, agent in enumerate(agents):
        zone = timed.zones[agent]
        timed.router.set_schedule(agent, (starting if number % 2 else ending)[zone])
    expected = [timed.router.on_shift(agent) for agent in agents]
    require(expected.count(True) == BATCH // 2, "half the batch should be on shift before")

    def check() -> None:
        turned = [
            timed.router.on_shift(agent) != was for agent, was in zip(agents, expected, strict=True)
        ]
        require(all(turned), "a shift did not change")

    return check


def _arrive(timed: Timed, deadlines: list[float]) -> list[str]:
    ids = []
    for deadline in deadlines:
        timed.items += 1
        item = Item(
            f"b{timed.items:07d}",
            channel="email",
            department=BACKLOG,
            priority=3,
            sla_deadline=deadline,
        )
        require(timed.router.assign(item).status == "queued", f"{item.id} was not queued")
        ids.append(item.id)
    return ids


def _leave(timed: Timed, ids: list[str]) -> None:
    for item_id in ids:
        timed.router.close(item_id)
        timed.router.forget(item_id)


def arm_sla_breach(timed: Timed, due: float) -> Check:
    """Queue ``BATCH`` items whose deadlines pass in the minute up to *due*."""
    start = due - LEAD
    ids = _arrive(timed, [start + LEAD * (number + 0.5) / BATCH for number in range(BATCH)])

    def check() -> None:
        first = timed.router.queued(BACKLOG, "email")[:BATCH]
        require(first == tuple(ids), "the breaches did not put the batch first in line")
        _leave(timed, ids)

    return check


def arm_sla_warning(timed: Timed, due: float) -> Check:
    """Queue ``BATCH`` items whose warnings fall in the minute up to *due*."""
    start = due - LEAD + SLA_WARNING_S
    ids = _arrive(timed, [start + LEAD * (number + 0.5) / BATCH for number in range(BATCH)])

    def check() -> None:
        _leave(timed, ids)

    return check


ARM: dict[str, Callable[[Timed, float], Check]] = {
    "break": arm_break,
    "shift": arm_shift,
    "sla_breach": arm_sla_breach,
    "sla_warning": arm_sla_warning,
}


# -- measurements --------------------------------------------------------------------------


def fire_batch(timed: Timed, kind: str, pending: int, verify: bool) -> int:
    """
    Arm the next batch of *kind*, move the clock to it, and time the ``advance()`` that fires it.

    Whatever else fell due since the last batch (a roster shift boundary on
    the hour or half hour) fires first, untimed. With *verify*, the
    snapshot shows exactly the batch due and *pending* timers in all.
    """
    due = FIRST_BATCH + timed.batches * BATCH_STEP + LEAD
    timed.batches += 1
    timed.clock.set(due - LEAD)
    timed.router.advance()
    check = ARM[kind](timed, due)
    if verify:
        now = timers(timed.router)
        due_kinds = Counter(timer["kind"] for timer in now if timer["due"] <= due)
        require(len(now) == pending, f"{len(now)} timers pending, not {pending}")
        require(due_kinds == Counter({kind: BATCH}), f"due at the batch: {dict(due_kinds)}")
    timed.clock.set(due)
    advance = timed.router.advance
    start = time.perf_counter_ns()
    advance()
    elapsed = time.perf_counter_ns() - start
    check()
    if verify:
        left = [timer for timer in timers(timed.router) if timer["due"] <= due]
        require(not left, f"{len(left)} timers due were left pending")
    return elapsed


def measure_advance(kind: str, pending: int, settings: Settings) -> dict[str, Any]:
    """Time ``advance()`` firing batches of *kind* with *pending* timers; µs per fired timer."""
    started = time.perf_counter()
    timed = Timed(pending, ADDED[kind])
    build_s = time.perf_counter() - started
    fire_batch(timed, kind, pending, verify=True)
    gc.collect()
    fire_batch(timed, kind, pending, verify=False)
    batches = QUICK_BATCHES if settings.quick else BATCHES
    per_timer = []
    for _ in range(settings.rounds):
        gc.collect(1)
        elapsed = sum(fire_batch(timed, kind, pending, verify=False) for _ in range(batches))
        per_timer.append(elapsed / (batches * BATCH))
    fire_batch(timed, kind, pending, verify=True)
    return {
        **Sample(tuple(per_timer), batches * BATCH).to_json(),
        "agents": len(timed.agents),
        "build_s": round(build_s, 1),
    }


def measure_call(call: str, pending: int, settings: Settings) -> dict[str, Any]:
    """Time *call* with *pending* timers: ``next_deadline()``, or a break set and cancelled."""
    started = time.perf_counter()
    timed = Timed(pending, 0)
    build_s = time.perf_counter() - started
    router = timed.router
    if call == "next_deadline":
        soonest = min(timer["due"] for timer in timers(router))
        require(router.next_deadline() == soonest, "next_deadline() is not the soonest timer")
        next_deadline = router.next_deadline

        def run(count: int) -> int:
            start = time.perf_counter_ns()
            for _ in range(count):
                next_deadline()
            return time.perf_counter_ns() - start

    else:
        start_break, end_break = router.start_break, router.end_break

        def run(count: int) -> int:
            agents = list(islice(timed.turns, count))
            start = time.perf_counter_ns()
            for agent in agents:
                start_break(agent, 900.0)
                end_break(agent)
            return time.perf_counter_ns() - start

    sample = sized_rounds(run, settings, reset=lambda count: None)
    require(len(timers(router)) == pending, "the calls changed the pending timers")
    return {**sample.to_json(), "build_s": round(build_s, 1)}


def measure_gc(name: str, pending: int, settings: Settings) -> dict[str, Any]:
    """
    Time the first young collection after a full one, *name* ``after_timer_set``.

    Between the two, one break is started and ended, which sets a timer and
    cancels it; the control (``control``) makes a call that sets none,
    ``set_presence`` to online again.
    """
    timed = Timed(pending, 0)
    agent = timed.unscheduled[0]

    def set_and_cancel() -> None:
        timed.router.start_break(agent, 900.0)
        timed.router.end_break(agent)

    calls: dict[str, Callable[[], object]] = {
        name: set_and_cancel,
        "control": lambda: timed.router.set_presence(agent, "online"),
    }
    walks: dict[str, list[float]] = {label: [] for label in calls}
    for _ in range(settings.rounds):
        for label, call in calls.items():
            gc.collect()
            call()
            start = time.perf_counter_ns()
            gc.collect(0)
            walks[label].append(time.perf_counter_ns() - start)
    control = Sample(tuple(walks["control"]), 1).to_json()
    return {**Sample(tuple(walks[name]), 1).to_json(), "control": control}


def growth(by_size: dict[str, Any], sizes: Sequence[int]) -> float:
    """Return the cost at the largest size over the cost at the smallest."""
    return round(float(by_size[str(sizes[-1])]["us_best"] / by_size[str(sizes[0])]["us_best"]), 3)


def run_all(sizes: Sequence[int], settings: Settings, isolate: bool) -> dict[str, Any]:
    """Measure every kind of ``advance()`` and every call at every size, each in its own process."""
    jobs: dict[str, tuple[Callable[[str, int, Settings], dict[str, Any]], Sequence[str]]] = {
        "advance": (measure_advance, KINDS),
        "calls": (measure_call, CALLS),
        "gc": (measure_gc, ("after_timer_set",)),
    }
    results: dict[str, Any] = {}
    for workload, (measure, names) in jobs.items():
        results[workload] = {}
        for name in names:
            by_size: dict[str, Any] = {}
            for size in sizes:
                sample = by_size[str(size)] = isolated(isolate, measure, name, size, settings)
                progress(f"{workload} {name:<16} {size:>8,} pending: {sample['us_best']:8.3f} µs")
            by_size["growth"] = growth(by_size, sizes)
            results[workload][name] = by_size
    return results


# -- the report ----------------------------------------------------------------------------


def render(
    header: str, results: Mapping[str, Any], sizes: Sequence[int], verdicts: Sequence[Verdict]
) -> str:
    """Return the printed report: the three tables, then the targets."""
    bound = math.log(sizes[-1]) / math.log(sizes[0])
    first = results["advance"][KINDS[0]][str(sizes[0])]
    walk = results["gc"]["after_timer_set"]
    control = {str(size): walk[str(size)]["control"] for size in sizes}
    control["growth"] = growth(control, sizes)
    lines = [
        header,
        "",
        f"advance(): µs per fired timer, fastest round (median); {BATCH} timers per call, "
        f"{first['ops_per_round']:,} per round",
        *_table("kind", results["advance"], sizes),
        "",
        "calls: µs per call, fastest round (median)",
        *_table("call", {CALL_NAMES[name]: data for name, data in results["calls"].items()}, sizes),
        "",
        "gc: µs of the first young collection after a full one, fastest round (median)",
        *_table(
            "between the two",
            {"a timer set and cancelled": walk, "a call that sets none": control},
            sizes,
        ),
        "",
        *_cli.targets_section(
            verdicts,
            f"targets (O(log n) from {sizes[0]:,} to {sizes[-1]:,} pending: log ratio {bound:.2f})",
        ),
    ]
    return "\n".join(lines)


def _table(title: str, data: Mapping[str, Any], sizes: Sequence[int]) -> Iterator[str]:
    yield (
        f"  {title:<26}"
        + "".join(f"{f'{size:,} pending':>22}" for size in sizes)
        + f"{'growth':>9}"
    )
    for name, by_size in data.items():
        cells = ""
        for size in sizes:
            sample = by_size[str(size)]
            cells += f"{_cli.us_cell(sample, 3):>22}"
        yield f"  {name:<26}{cells}{by_size['growth']:>8.2f}x"


# -- the command ---------------------------------------------------------------------------


def main(argv: Sequence[str]) -> int:
    command = _cli.parser(__doc__, "1 000 and 10 000 pending, few rounds")
    _cli.add_measure_options(command, "rounds per measurement", _cli.IN_PROCESS_HELP)
    _cli.add_record_options(command, RESULTS)
    args = command.parse_args(argv)
    settings = _cli.settings_from(args)
    sizes = QUICK_SIZES if args.quick else SIZES
    run = _cli.start_run(
        "agentroute timers: advance(), next_deadline(), breaks",
        "benchmarks/timers.py",
        argv,
        args.note,
    )
    results = run_all(sizes, settings, isolate=not args.in_process)
    run.finish()
    verdicts = evaluate(results, TARGETS)
    print(render(run.banner("agentroute timer benchmarks"), results, sizes, verdicts))
    _cli.write_results(
        args.output or (None if args.quick else RESULTS),
        run,
        {
            **vars(settings),
            "isolated": not args.in_process,
            "pending": list(sizes),
            "agents": [size // TIMERS_PER_AGENT for size in sizes],
            "timers_per_call": BATCH,
            "calls_per_round": QUICK_BATCHES if args.quick else BATCHES,
            "log_bound": round(math.log(sizes[-1]) / math.log(sizes[0]), 3),
            "statistic": "fastest round (median and every round also given)",
        },
        results,
        verdicts,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
