"""
agentroute's persistence benchmarks: snapshot, restore, the journal and apply.

Run them all with ``.venv/bin/python benchmarks/persistence.py``; ``--only
journal apply`` runs some workloads, ``--quick`` is a smoke run, and
``--profile`` prints where ``Router.restore`` spends its time at the larger
size instead of timing anything. The timing helpers are ``harness.py``'s,
the small router is ``_setup.py``'s, the targets use ``report.py``'s table.

- **snapshot**: a router with five departments (one of them pull-only),
  three channels and every built-in strategy, at 1 000 agents with 10 000
  open items and at 10 000 agents with 100 000 (100 and 1 000 agents with
  ``--quick``). Most agents are online; a good share of the items is
  assigned and the rest waits; one closed item is kept for every five open,
  and one item in twenty was transferred, requeued, reopened or replied to.
  Each round times each step alone, the collector run before it:
  ``router.snapshot()`` and ``json.dumps`` of it while the router lives;
  then, the router dropped as in a host starting up, ``json.loads`` of the
  text and ``Router.restore`` of the parsed data. Snapshot, loads and
  restore are timed with the collector on, then again with it disabled
  during the call. Once per size, untimed, ``Router.restore(data).snapshot()
  == data`` is checked, and that the parsed data restores to the same JSON.
- **journal**: ``assign(item)`` + ``close(item.id)`` of items built
  beforehand on ``_setup``'s 10-agent ``least_busy`` router (throughput's
  smallest ``cycles`` cell), restored with no journal, with
  ``journal=entries.append`` (a list that keeps every entry), and with a
  Python function that drops them; the list and no journal also with the
  collector disabled for the whole measurement. Windows of about 1 s, the
  collector otherwise on and never run by the benchmark, closed items
  forgotten between chunks, untimed. One fresh interpreter per subject, so
  one subject's garbage never falls in another's windows.
- **apply**: a journal of 20 000 assign + close cycles (2 000 with
  ``--quick``) recorded on that router, replayed entry by entry with
  ``apply`` into a router restored from the same starting snapshot, against
  the same calls made directly on another such router whose clock returns
  the journal's times. Both end equal to the recording router (checked).

Every measurement runs in a fresh interpreter and reports the fastest round
or window (other processes can only add time), keeping the median and every
round in the JSON. A full run writes ``benchmarks/results/persistence.json``;
a run limited with ``--quick`` or ``--only`` writes only to the file
``--output`` names.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pstats
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from random import Random
from typing import Any, TypeVar

import _cli
from _setup import SEED, ItemSource, check_cycle, load_router, make_workload, require
from harness import Sample, Settings, isolated, progress, rss_bytes, windows
from report import Target, Verdict, evaluate
from workloads import Plan

from agentroute import Agent, Item, ManualClock, Mode, Router
from agentroute.journal import Entry

_T = TypeVar("_T")

RESULTS = Path(__file__).resolve().parent / "results" / "persistence.json"

SIZES = (1_000, 10_000)
"""Agents of the smaller and the larger router; each has ten open items per agent."""
QUICK_SIZES = (100, 1_000)
LABELS = ("small", "large")
ITEMS_PER_AGENT = 10
OPEN_PER_CLOSED = 5
"""One closed item kept for every five open ones."""
TOUCHED_EVERY = 20
"""One item in twenty gets a transfer, a requeue, a reopen or a reply."""
START = 1_767_225_600.0
"""Where the snapshot workload's `ManualClock` starts: 2026-01-01, POSIX seconds."""
DEPARTMENTS: dict[str, tuple[Mode, dict[str, str]]] = {
    "sales": ("push", {"chat": "least_busy", "email": "round_robin"}),
    "support": ("push", {"chat": "priority", "email": "least_busy", "voice": "least_busy"}),
    "billing": ("push", {"chat": "random", "email": "most_busy"}),
    "tech": ("push", {"chat": "least_busy", "email": "least_busy", "voice": "round_robin"}),
    "returns": ("pull", {"email": "least_busy"}),
}
"""Each department's mode and strategy per channel."""
CAPACITY = {"chat": 4, "email": 10, "voice": 1}
ARRIVAL_WEIGHTS = {"chat": 5, "email": 3, "voice": 1}
PRIORITIES = (1, 2, 3, 3, 5, 5, 5, 10, 50)
STEPS = (
    "snapshot",
    "snapshot_gc_off",
    "dumps",
    "loads",
    "loads_gc_off",
    "restore",
    "restore_gc_off",
)
STEP_NAMES = {
    "snapshot": "router.snapshot()",
    "snapshot_gc_off": "  the same, GC disabled",
    "dumps": "json.dumps(data)",
    "loads": "json.loads(text)",
    "loads_gc_off": "  the same, GC disabled",
    "restore": "Router.restore(parsed)",
    "restore_gc_off": "  the same, GC disabled",
}

JOURNAL_AGENTS = 10
JOURNAL_STRATEGY = "least_busy"
GC_OFF = "_gc_off"
JOURNAL_SUBJECTS = ("none", "list", "discard", "list_gc_off", "none_gc_off")
JOURNAL_NAMES = {
    "none": "no journal",
    "list": "journal=entries.append",
    "discard": "journal=discard (a def)",
    "list_gc_off": "entries.append, GC disabled",
    "none_gc_off": "no journal, GC disabled",
}
APPLY_CYCLES = 20_000
APPLY_CYCLES_QUICK = 2_000

TARGETS = (
    Target(
        "restore_large",
        "snapshot.large.restore.us_best / 1000000",
        "<",
        2,
        "s",
        "Router.restore() of the larger router",
    ),
    Target(
        "restore_linear",
        "snapshot.large.restore_us_per_open_item / snapshot.small.restore_us_per_open_item",
        "<=",
        1.3,
        "x",
        "restore µs per open item, larger / smaller",
    ),
    Target(
        "journal_overhead",
        "journal.list.us_best / journal.none.us_best",
        "<=",
        1.15,
        "x",
        "assign + close with journal=list.append / none",
    ),
)
"""The issue's targets for persistence, in the order they are printed."""


# -- snapshot and restore: a realistic router at two sizes ---------------------------------


def build_mixed(agents: int, seed: int = SEED) -> Router:
    """
    Return a router of *agents* agents holding ``ITEMS_PER_AGENT`` open items per agent.

    Agents serve one or two of `DEPARTMENTS`, some of their channels each; 85%
    are online, 10% away, 5% offline, and 3% have switched a channel off.
    Items arrive on the pairs agents serve, weighted by channel; members of
    the pull department pull a few. Then one assigned item in six closes
    (its slot takes waiting work), and one item in twenty is transferred to
    another department, requeued, reopened and closed again, or replied to.
    The clock is a `ManualClock`, moved by up to a second before every call.
    """
    rng = Random(seed + agents)
    clock = ManualClock(START)
    router = Router(seed=seed, clock=clock)
    for name, (mode, strategies) in DEPARTMENTS.items():
        router.add_department(name, strategies=strategies, mode=mode)
    names = list(DEPARTMENTS)
    for number in range(agents):
        served = {}
        for department in rng.sample(names, rng.choice((1, 1, 2))):
            channels = list(DEPARTMENTS[department][1])
            served[department] = set(rng.sample(channels, rng.randint(1, len(channels))))
        capacity = {channel: CAPACITY[channel] for channel in sorted(set().union(*served.values()))}
        agent = Agent(
            f"agent-{number:06d}",
            name=f"Agent {number}",
            priority=rng.randint(1, 100),
            capacity=capacity,
            departments=served,
        )
        router.add_agent(agent)
        draw = rng.random()
        router.set_presence(
            agent.id, "online" if draw < 0.85 else "away" if draw < 0.95 else "offline"
        )
        if rng.random() < 0.03:
            router.set_channel(agent.id, rng.choice(sorted(capacity)), enabled=False)
    pairs = [
        (name, channel) for name, (_, strategies) in DEPARTMENTS.items() for channel in strategies
    ]
    weights = [ARRIVAL_WEIGHTS[channel] for _, channel in pairs]
    open_items = agents * ITEMS_PER_AGENT
    closed = open_items // OPEN_PER_CLOSED
    total = open_items + closed
    ids = []
    for number in range(total):
        department, channel = rng.choices(pairs, weights)[0]
        now = clock.advance(rng.random())
        item = Item(
            f"item-{number:07d}",
            channel=channel,
            department=department,
            customer=f"customer-{rng.randrange(total):07d}",
            priority=rng.choice(PRIORITIES),
            sla_deadline=now + 3_600.0 if rng.random() < 0.3 else None,
        )
        router.assign(item)
        ids.append(item.id)
    for agent_id in router.agent_ids():
        member = "returns" in router.agent(agent_id).departments
        if member and router.presence(agent_id) == "online":
            for _ in range(rng.randint(0, 6)):
                clock.advance(rng.random())
                if router.next_for(agent_id) is None:
                    break
    _close_some(router, clock, rng, ids, closed)
    _touch_some(router, clock, rng, ids, pairs)
    return router


def _close_some(
    router: Router, clock: ManualClock, rng: Random, ids: list[str], count: int
) -> None:
    """Close *count* assigned items, picked at random."""
    closed = 0
    for item_id in rng.sample(ids, len(ids)):
        if closed == count:
            break
        if router.status(item_id).state == "assigned":
            clock.advance(rng.random())
            router.close(item_id, reason="solved")
            closed += 1
    require(closed == count, f"only {closed} of {count} items could be closed")


def _touch_some(
    router: Router,
    clock: ManualClock,
    rng: Random,
    ids: list[str],
    pairs: list[tuple[str, str]],
) -> None:
    """Give one item in twenty more history: a transfer, requeue, reopen + close, or reply."""
    for item_id in rng.sample(ids, len(ids) // TOUCHED_EVERY):
        status = router.status(item_id)
        clock.advance(rng.random())
        if status.state == "assigned":
            others = [
                department
                for department, channel in pairs
                if channel == status.channel
                and department != status.department
                and DEPARTMENTS[department][0] == "push"
            ]
            if others and rng.random() < 0.6:
                target = rng.choice(others)
                router.transfer(item_id, to_department=target, route=True, reason="wrong team")
            else:
                router.requeue(item_id, reason="agent stepped away")
        elif status.state == "closed":
            router.reopen(item_id)
            clock.advance(rng.random())
            router.close(item_id, reason="solved again")
        else:
            router.reply(item_id)


def describe(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return what a snapshot holds: agents by presence, items by state, history rows."""
    states = Counter(entry["state"] for entry in data["items"])
    presences = Counter(entry["presence"] for entry in data["agents"])
    return {
        "agents": len(data["agents"]),
        "agents_online": presences["online"],
        "open_items": states["assigned"] + states["queued"],
        "assigned": states["assigned"],
        "queued": states["queued"],
        "closed": states["closed"],
        "history_rows": sum(len(entry["history"]) for entry in data["items"]),
        "departments": len(data["departments"]),
        "queues": len(data["queues"]),
    }


def _timed(function: Callable[[], _T]) -> tuple[_T, int]:
    """Run the collector to completion, then call *function*; return its result and its ns."""
    gc.collect()
    start = time.perf_counter_ns()
    result = function()
    return result, time.perf_counter_ns() - start


def _timed_gc_off(function: Callable[[], _T]) -> tuple[_T, int]:
    """Do what `_timed` does, with the collector disabled during the call."""
    gc.disable()
    try:
        return _timed(function)
    finally:
        gc.enable()


def measure_snapshot(agents: int, rounds: int) -> dict[str, Any]:
    """
    Time snapshot, json.dumps, json.loads and restore of the mixed router, *rounds* times each.

    Snapshot and dumps run while the router lives. Then it is dropped, so
    that loads and restore run in a process holding only the JSON text, as
    in a host starting up. The steps that build many objects (snapshot,
    loads, restore) are timed with the collector on, as in a host, and
    again with it disabled during the call.
    """
    started = time.perf_counter()
    router = build_mixed(agents)
    build_s = time.perf_counter() - started
    rss_mib = round(rss_bytes() / 2**20, 1)
    data = router.snapshot()
    mix = describe(data)
    require(mix["open_items"] == agents * ITEMS_PER_AGENT, f"{mix['open_items']} items open")
    require(Router.restore(data).snapshot() == data, "restore(data).snapshot() != data")
    del data
    timings: dict[str, list[float]] = {step: [] for step in STEPS}
    text = ""
    for _ in range(rounds):
        data, elapsed = _timed(router.snapshot)
        timings["snapshot"].append(elapsed)
        del data
        data, elapsed = _timed_gc_off(router.snapshot)
        timings["snapshot_gc_off"].append(elapsed)
        text, elapsed = _timed(partial(json.dumps, data))
        timings["dumps"].append(elapsed)
        del data
    size = len(text.encode("utf-8"))
    del router
    for number in range(rounds):
        parsed, elapsed = _timed(partial(json.loads, text))
        timings["loads"].append(elapsed)
        del parsed
        parsed, elapsed = _timed_gc_off(partial(json.loads, text))
        timings["loads_gc_off"].append(elapsed)
        restored, elapsed = _timed(partial(Router.restore, parsed))
        timings["restore"].append(elapsed)
        if number == 0:
            same = json.dumps(restored.snapshot()) == text
            require(same, "restore(json.loads(text)) snapshots to other JSON")
        del restored
        restored, elapsed = _timed_gc_off(partial(Router.restore, parsed))
        timings["restore_gc_off"].append(elapsed)
        del parsed, restored
    samples = {step: Sample(tuple(values), 1) for step, values in timings.items()}
    return {
        **mix,
        "build_s": round(build_s, 1),
        "rss_mib_router": rss_mib,
        "json_bytes": size,
        "json_bytes_per_open_item": round(size / mix["open_items"], 1),
        "roundtrip_equal": True,
        **{step: sample.to_json() for step, sample in samples.items()},
        "restore_us_per_open_item": round(samples["restore"].us / mix["open_items"], 3),
    }


def run_snapshot(plan: Plan) -> dict[str, Any]:
    result = {}
    for label, agents in zip(LABELS, plan.sizes, strict=True):
        rounds = plan.settings.window_rounds
        figures = isolated(plan.isolate, measure_snapshot, agents, rounds)
        result[label] = figures
        progress(
            f"snapshot {agents:>7,} agents: restore {figures['restore']['us_best'] / 1e3:,.0f} ms, "
            f"{figures['json_bytes'] / 1e6:.1f} MB of JSON"
        )
    return result


# -- journal: what keeping entries costs an assign + close ---------------------------------


def _discard(entry: Entry) -> None:
    """Take a journal entry and drop it: what the call itself costs."""


def measure_journal(subject: str, settings: Settings) -> dict[str, Any]:
    """
    Time assign + close on the 10-agent router, restored with *subject*'s journal.

    Closed items are forgotten after each chunk, untimed (the forget calls
    are journaled too). With ``_gc_off`` the collector is disabled for the
    whole measurement.
    """
    workload = make_workload(JOURNAL_AGENTS)
    entries: list[Entry] = []
    sinks: dict[str, Callable[[Entry], object] | None] = {
        "none": None,
        "list": entries.append,
        "discard": _discard,
    }
    start_state = load_router(JOURNAL_STRATEGY, workload).snapshot()
    router = Router.restore(start_state, journal=sinks[subject.removesuffix(GC_OFF)])
    items = ItemSource("t", SEED + 3)
    check_cycle(JOURNAL_STRATEGY, router, workload, items.first(1)[0])
    router.forget(items.first(1)[0].id)
    assign, close, forget = router.assign, router.close, router.forget

    def run(count: int) -> int:
        batch = items.first(count)
        start = time.perf_counter_ns()
        for item in batch:
            assign(item)
            close(item.id)
        elapsed = time.perf_counter_ns() - start
        for item in batch:
            forget(item.id)
        return elapsed

    tracked = {entry["op"]: gc.is_tracked(entry) for entry in entries}
    before = [generation["collections"] for generation in gc.get_stats()]
    if subject.endswith(GC_OFF):
        gc.disable()
    try:
        sample = windows({subject: run}, settings)[subject]
    finally:
        gc.enable()
    after = [generation["collections"] for generation in gc.get_stats()]
    return {
        **sample.to_json(),
        "collections": [late - early for early, late in zip(before, after, strict=True)],
        "entries_kept": len(entries),
        "entry_gc_tracked": tracked,
        "rss_mib": round(rss_bytes() / 2**20, 1),
    }


def run_journal(plan: Plan) -> dict[str, Any]:
    result = {}
    for subject in JOURNAL_SUBJECTS:
        result[subject] = isolated(plan.isolate, measure_journal, subject, plan.settings)
        progress(f"journal {JOURNAL_NAMES[subject]:<30} {result[subject]['us_best']:8.2f} µs/cycle")
    none, none_off = result["none"]["us_best"], result["none_gc_off"]["us_best"]
    for subject in JOURNAL_SUBJECTS:
        reference = none_off if subject.endswith(GC_OFF) else none
        result[subject]["overhead_pct"] = round(
            (result[subject]["us_best"] / reference - 1) * 100, 1
        )
    return result


# -- apply: replaying a journal against making the calls -----------------------------------


def measure_apply(cycles: int, rounds: int) -> dict[str, Any]:
    """
    Record *cycles* assign + close on the 10-agent router; time replaying them against direct calls.

    Both subjects start, each round, from a router restored from the same
    snapshot, with no journal; the direct one's clock returns the journal's
    times, so both must end equal to the recording router.
    """
    start_state = load_router(JOURNAL_STRATEGY, make_workload(JOURNAL_AGENTS)).snapshot()
    clock = ManualClock(START)
    entries: list[Entry] = []
    recorder = Router.restore(start_state, clock=clock, journal=entries.append)
    items = ItemSource("r", SEED + 5).first(cycles)
    for item in items:
        clock.advance(0.5)
        recorder.assign(item)
        clock.advance(0.5)
        recorder.close(item.id)
    final = recorder.snapshot()
    del recorder
    times = [float(entry["at"]) for entry in entries]
    calls = len(entries)
    timings: dict[str, list[float]] = {"direct": [], "apply": []}
    for number in range(rounds):
        replica = Router.restore(start_state)
        apply = replica.apply
        gc.collect()
        start = time.perf_counter_ns()
        for entry in entries:
            apply(entry)
        timings["apply"].append((time.perf_counter_ns() - start) / calls)
        direct = Router.restore(start_state, clock=iter(times).__next__)
        assign, close = direct.assign, direct.close
        gc.collect()
        start = time.perf_counter_ns()
        for item in items:
            assign(item)
            close(item.id)
        timings["direct"].append((time.perf_counter_ns() - start) / calls)
        if number == 0:
            require(replica.snapshot() == final, "the replayed router differs from the original")
            require(direct.snapshot() == final, "the direct calls led elsewhere than the journal")
        del replica, direct
    samples = {name: Sample(tuple(values), calls) for name, values in timings.items()}
    return {
        "cycles": cycles,
        "entries": calls,
        **{name: sample.to_json() for name, sample in samples.items()},
        "ratio": round(samples["apply"].us / samples["direct"].us, 2),
    }


def run_apply(plan: Plan) -> dict[str, Any]:
    cycles = APPLY_CYCLES_QUICK if plan.settings.quick else APPLY_CYCLES
    result = isolated(plan.isolate, measure_apply, cycles, plan.settings.rounds)
    progress(
        f"apply: {result['apply']['us_best']:.2f} µs per entry, "
        f"{result['direct']['us_best']:.2f} µs per direct call"
    )
    return result


WORKLOADS: dict[str, Callable[[Plan], dict[str, Any]]] = {
    "snapshot": run_snapshot,
    "journal": run_journal,
    "apply": run_apply,
}
"""Every workload by the name ``--only`` takes, in the order a full run runs them."""


# -- the report ----------------------------------------------------------------------------


def render(header: str, results: Mapping[str, Any], verdicts: Sequence[Verdict]) -> str:
    """Return the printed report: a table per workload that ran, then the targets."""
    lines = [header]
    for name, table in (("snapshot", _snapshot), ("journal", _journal), ("apply", _apply)):
        if name in results:
            lines += ["", *table(results[name])]
    lines += ["", *_cli.targets_section(verdicts)]
    return "\n".join(lines)


def _snapshot(data: Mapping[str, Any]) -> Iterator[str]:
    small, large = data["small"], data["large"]
    sizes = (small, large)
    yield "snapshot and restore: ms, fastest round (median), and µs per open item"
    heads = [f"{size['agents']:,} agents, {size['open_items']:,} open" for size in sizes]
    yield f"{'':<24}" + "".join(f"{head:>30}" for head in heads) + f"{'per item':>14}"
    yield f"{'':<24}" + f"{'ms (median)':>20}{'µs/item':>10}" * 2 + f"{'large/small':>14}"
    for step in STEPS:
        cells = ""
        for size in sizes:
            sample = size[step]
            timing = f"{sample['us_best'] / 1e3:,.1f} ({sample['us_median'] / 1e3:,.1f})"
            cells += f"{timing:>20}{sample['us_best'] / size['open_items']:>10.2f}"
        ratio = (large[step]["us_best"] / large["open_items"]) / (
            small[step]["us_best"] / small["open_items"]
        )
        yield f"{STEP_NAMES[step]:<24}{cells}{ratio:>13.2f}x"
    megabytes = "".join(f"{size['json_bytes'] / 1e6:>17.1f} MB{'':>10}" for size in sizes)
    yield f"{'JSON size':<24}{megabytes}".rstrip()
    per_item = "".join(f"{size['json_bytes_per_open_item']:>30,.0f}" for size in sizes)
    yield f"{'JSON bytes per open item':<24}{per_item}"
    for size in sizes:
        yield (
            f"  {size['agents']:,} agents ({size['agents_online']:,} online), "
            f"{size['assigned']:,} assigned + {size['queued']:,} queued, "
            f"{size['closed']:,} closed kept, {size['history_rows']:,} history rows; "
            f"restore(data).snapshot() == data: {size['roundtrip_equal']}"
        )


def _journal(data: Mapping[str, Any]) -> Iterator[str]:
    yield (
        f"journal: assign + close at {JOURNAL_AGENTS} agents, µs per cycle, "
        "fastest window (median); overhead against the same GC setting"
    )
    yield (
        f"  {'':<30}{'µs':>8}{'median':>9}{'overhead':>10}{'gen0/1/2 collections':>24}"
        f"{'entries kept':>14}"
    )
    for subject in JOURNAL_SUBJECTS:
        figures = data[subject]
        collections = "/".join(str(count) for count in figures["collections"])
        yield (
            f"  {JOURNAL_NAMES[subject]:<30}{figures['us_best']:>8.2f}{figures['us_median']:>9.2f}"
            f"{figures['overhead_pct']:>+9.1f}%{collections:>24}{figures['entries_kept']:>14,}"
        )
    tracked = data["list"]["entry_gc_tracked"]
    yield "  entries the collector tracks: " + ", ".join(
        f"{op} {'yes' if is_tracked else 'no'}" for op, is_tracked in tracked.items()
    )


def _apply(data: Mapping[str, Any]) -> Iterator[str]:
    yield (
        f"apply: {data['entries']:,} entries ({data['cycles']:,} assign + close), "
        "µs per call, fastest round (median)"
    )
    for name, text in (("direct", "direct calls"), ("apply", "router.apply(entry)")):
        yield f"  {text:<22}{data[name]['us_best']:>8.2f}{data[name]['us_median']:>9.2f}"
    yield f"  apply / direct: {data['ratio']:.2f}x"


# -- profile: where restore spends its time ------------------------------------------------


def profile_restore(agents: int, top: int) -> None:
    """Print the *top* functions of ``Router.restore`` by cumulative and by own time."""
    parsed = json.loads(json.dumps(build_mixed(agents).snapshot()))
    gc.collect()
    profiler = cProfile.Profile()
    profiler.enable()
    Router.restore(parsed)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


# -- the command ---------------------------------------------------------------------------


def parse(argv: Sequence[str]) -> argparse.Namespace:
    command = _cli.parser(__doc__, "a short smoke run")
    _cli.add_only_option(command, WORKLOADS)
    _cli.add_measure_options(
        command, "rounds or windows per measurement", _cli.LONG_IN_PROCESS_HELP
    )
    command.add_argument(
        "--profile",
        type=int,
        nargs="?",
        const=15,
        metavar="TOP",
        help="profile Router.restore at the larger size and print the TOP functions; no timing",
    )
    _cli.add_record_options(command, RESULTS, long=True)
    return command.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    args = parse(argv)
    settings = _cli.settings_from(args)
    plan = Plan(
        sizes=QUICK_SIZES if args.quick else SIZES,
        strategies=(JOURNAL_STRATEGY,),
        settings=settings,
        isolate=not args.in_process,
    )
    if args.profile:
        profile_restore(plan.sizes[-1], args.profile)
        return 0
    run = _cli.start_run(
        "agentroute snapshot, restore, journal and apply",
        "benchmarks/persistence.py",
        argv,
        args.note,
    )
    results = _cli.run_workloads(WORKLOADS, args.only, plan)
    run.finish()
    verdicts = evaluate(results, TARGETS)
    print(render(run.banner("agentroute persistence benchmarks"), results, verdicts))
    _cli.write_results(
        args.output or (None if args.quick or args.only else RESULTS),
        run,
        {
            **vars(settings),
            "isolated": plan.isolate,
            "agents": list(plan.sizes),
            "open_items": [agents * ITEMS_PER_AGENT for agents in plan.sizes],
            "statistic": "fastest round or window (median and every round also given)",
        },
        results,
        verdicts,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
