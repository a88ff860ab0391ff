"""
agentroute's simulator benchmark: simulated customers per second, with ciw as the reference.

Run it with ``.venv/bin/python benchmarks/simulator.py``; ``--quick`` is a
smoke run (10 000 arrivals, 2 rounds, writes only to ``--output``). The
timing records are ``harness.py``'s, the target uses ``report.py``'s verdicts.

Two M/M/c models, each simulated by three programs with the same arrival
rate, handling rate, number of servers and simulated duration:

- **M/M/50**: 50 agents of capacity 1 on one channel (``call``) in one
  department (``support``, ``least_busy``), Poisson arrivals at 850 an hour,
  exponential handling with mean 180 s: load 42.5 Erlangs, 85% per agent.
  The duration gives 100 000 arrivals on average.
- **M/M/6**: 6 agents, 100 arrivals an hour, 180 s (83% per agent), over
  the duration that gives 100 000 arrivals: the model ciw was first measured on.

The programs:

- **agentroute**: ``agentroute.simulate.simulate(scenario, seed=...)``, the
  real `Router` on a clock the engine sets (SLA timers armed at ``sla_target_s`` = 20 s,
  no patience), timed from the scenario as plain data to the report; it
  drains the queue after the last arrival. Customers are the report's
  ``offered``.
- **ciw** (a development-only dependency): ``create_network``, a
  ``Simulation``, ``simulate_until_max_time(duration)`` and
  ``get_all_records()``, timed together; customers are the records, the
  customers served by the end (ciw stops at the duration, without draining).
- **floor**: `floor_mmc`, a bare ``heapq`` event loop of the same model with
  a FIFO line, written here: what an event loop in Python costs at the least.

Customers per second is customers over the wall-clock time of the call;
the process's own CPU time over the same call is recorded too, so a round
the machine's other work slowed shows (own CPU well under the wall time).
Each round runs each program once, in turn, each in a fresh interpreter
(``--in-process`` runs them here), the collector on; every round uses the
same seed, so it does the same work, and the fastest round is reported,
the median and every round kept in the JSON. Each program's service level
(answered within 20 s), mean wait and occupancy are printed next to
Erlang C's, so a reader sees the three simulate the same model.

The target: agentroute at least 1.5 times ciw's customers per
second on the same model. A cProfile run of the M/M/50 model (one more
fresh interpreter) says where agentroute's time goes per arrival. A full run
writes ``benchmarks/results/simulator.json``.
"""

from __future__ import annotations

import cProfile
import gc
import heapq
import inspect
import math
import pstats
import random
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import _cli
from _setup import SEED
from harness import RunRecord, Sample, isolated, progress
from report import Target, Verdict, evaluate

from agentroute import Item, Router
from agentroute.simulate import engine, simulate
from agentroute.simulate.erlang import ErlangC

RESULTS = Path(__file__).resolve().parent / "results" / "simulator.json"

ARRIVALS = 100_000
"""Arrivals a run expects: the duration is this over the arrival rate."""
QUICK_ARRIVALS = 10_000
ROUNDS = 5
QUICK_ROUNDS = 2
AHT_S = 180.0
SLA_TARGET_S = 20.0
DEPARTMENT, CHANNEL = "support", "call"
PROGRAMS = ("agentroute", "ciw", "floor")
TIMES = "\N{MULTIPLICATION SIGN}"


@dataclass(frozen=True)
class Model:
    """An M/M/c model: *agents* servers, arrivals an hour, mean handling seconds."""

    name: str
    label: str
    agents: int
    rate_per_hour: float
    aht_s: float = AHT_S

    def duration_s(self, arrivals: int) -> float:
        """Return the simulated seconds in which *arrivals* arrive on average."""
        return arrivals / self.rate_per_hour * 3_600

    @property
    def erlang(self) -> ErlangC:
        """Return the model's Erlang C figures."""
        return ErlangC(self.rate_per_hour, self.aht_s, self.agents, target_s=SLA_TARGET_S)


MODELS = (
    Model("mmc50", "M/M/50, load 85%", 50, 850.0),
    Model("mmc6", "M/M/6, load 83%", 6, 100.0),
)
BY_NAME = {model.name: model for model in MODELS}

TARGETS = tuple(
    Target(
        f"ciw_ratio_{model.name}",
        f"{model.name}.ratio",
        ">=",
        1.5,
        "x",
        f"agentroute / ciw customers per second, {model.label.split(',')[0]}",
    )
    for model in MODELS
)
"""The target, on each model."""


# -- the three programs ------------------------------------------------------------------


def scenario(model: Model, arrivals: int) -> dict[str, Any]:
    """Return the model as an agentroute scenario: one queue, *agents* agents of one slot."""
    return {
        "router": {
            "departments": {DEPARTMENT: {"strategies": {CHANNEL: "least_busy"}}},
            "agents": {
                f"agent{index:02d}": {
                    "capacity": {CHANNEL: 1},
                    "departments": {DEPARTMENT: [CHANNEL]},
                }
                for index in range(model.agents)
            },
        },
        "arrivals": [
            {"department": DEPARTMENT, "channel": CHANNEL, "rate_per_hour": model.rate_per_hour}
        ],
        "handling": {CHANNEL: {"mean_s": model.aht_s}},
        "duration_s": model.duration_s(arrivals),
        "sla_target_s": SLA_TARGET_S,
    }


@dataclass(frozen=True)
class Outcome:
    """One timed run: wall and own CPU time, customers, and what the run simulated."""

    wall_ns: int
    cpu_ns: int
    customers: int
    service_level: float
    asa_s: float
    occupancy: float


def run_agentroute(model: Model, arrivals: int, seed: int) -> Outcome:
    """Time ``simulate()`` of the model; customers are the items offered."""
    data = scenario(model, arrivals)
    gc.collect()
    cpu_start, start = time.process_time_ns(), time.perf_counter_ns()
    report = simulate(data, seed=seed)
    wall = time.perf_counter_ns() - start
    cpu = time.process_time_ns() - cpu_start
    asa_s = report.asa_s or 0.0
    return Outcome(wall, cpu, report.offered, report.service_level, asa_s, report.occupancy)


def run_ciw(model: Model, arrivals: int, seed: int) -> Outcome:
    """Time ciw on the model up to the same duration; customers are the records (served)."""
    import ciw  # only this program's interpreter loads ciw

    duration = model.duration_s(arrivals)
    ciw.seed(seed)
    gc.collect()
    cpu_start, start = time.process_time_ns(), time.perf_counter_ns()
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=model.rate_per_hour / 3_600)],
        service_distributions=[ciw.dists.Exponential(rate=1 / model.aht_s)],
        number_of_servers=[model.agents],
    )
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(duration)
    records = simulation.get_all_records()
    wall = time.perf_counter_ns() - start
    cpu = time.process_time_ns() - cpu_start
    waits = [record.waiting_time for record in records]
    busy = math.fsum(
        max(0.0, min(record.service_end_date, duration) - record.service_start_date)
        for record in records
    )
    return Outcome(
        wall,
        cpu,
        len(records),
        sum(wait <= SLA_TARGET_S for wait in waits) / len(waits),
        math.fsum(waits) / len(waits),
        busy / (model.agents * duration),
    )


def floor_mmc(model: Model, arrivals: int, seed: int) -> tuple[int, list[float], float]:
    """
    Simulate the model with a bare heapq event loop: the floor, not a simulator.

    Returns the customers served (the line drains after the last arrival),
    their waits, and the busy seconds before the duration.
    """
    rng = random.Random(seed)
    rate, service = model.rate_per_hour / 3_600, 1 / model.aht_s
    duration = model.duration_s(arrivals)
    events: list[tuple[float, bool]] = [(rng.expovariate(rate), True)]  # (time, is an arrival)
    line: deque[float] = deque()
    free, served, busy, waits = model.agents, 0, 0.0, []
    while events:
        now, arrival = heapq.heappop(events)
        if arrival:
            following = now + rng.expovariate(rate)
            if following < duration:
                heapq.heappush(events, (following, True))
            if not free:
                line.append(now)
                continue
            free -= 1
            waits.append(0.0)
        else:
            served += 1
            if not line:
                free += 1
                continue
            waits.append(now - line.popleft())
        handle = rng.expovariate(service)
        busy += max(0.0, min(now + handle, duration) - now)
        heapq.heappush(events, (now + handle, False))
    return served, waits, busy


def run_floor(model: Model, arrivals: int, seed: int) -> Outcome:
    """Time `floor_mmc`; customers are those it served."""
    gc.collect()
    cpu_start, start = time.process_time_ns(), time.perf_counter_ns()
    served, waits, busy = floor_mmc(model, arrivals, seed)
    wall = time.perf_counter_ns() - start
    cpu = time.process_time_ns() - cpu_start
    return Outcome(
        wall,
        cpu,
        served,
        sum(wait <= SLA_TARGET_S for wait in waits) / len(waits),
        math.fsum(waits) / len(waits),
        busy / (model.agents * model.duration_s(arrivals)),
    )


RUNS: dict[str, Callable[[Model, int, int], Outcome]] = {
    "agentroute": run_agentroute,
    "ciw": run_ciw,
    "floor": run_floor,
}


def measure_round(program: str, model_name: str, arrivals: int, seed: int) -> dict[str, Any]:
    """Run *program* once on the model named *model_name*; return its `Outcome` as plain data."""
    return asdict(RUNS[program](BY_NAME[model_name], arrivals, seed))


# -- the profile -------------------------------------------------------------------------


def _key(function: Callable[..., Any]) -> tuple[str, int, str]:
    """Return cProfile's key of a Python *function*: file, first line, name."""
    code = inspect.unwrap(function).__code__
    return code.co_filename, code.co_firstlineno, code.co_name


PROFILED: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("Router.assign()", Router.assign),
    ("Router.close()", Router.close),
    ("Router.advance() (SLA timers)", Router.advance),
    ("Router.next_deadline()", Router.next_deadline),
    ("Router.estimated_wait()", Router.estimated_wait),
)
"""The calls the simulator makes whose cumulative time the profile reports."""


def profile_run(model_name: str, arrivals: int, seed: int) -> dict[str, Any]:
    """
    Profile one ``simulate()`` of the model with cProfile; return seconds by part.

    Each router call counts with everything it calls. ``Item()`` counts the
    items the engine builds; the event loop is the own time of the engine's
    function with the most own time (``Run.run``); ``heapq`` its pushes and
    pops; the rest is the engine's other bookkeeping (``settle``, ``started``,
    draws, tallies, the report).
    """
    data = scenario(BY_NAME[model_name], arrivals)
    profiler = cProfile.Profile()
    gc.collect()
    profiler.enable()
    report = simulate(data, seed=seed)
    profiler.disable()
    raw: dict[Any, Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = raw[_key(simulate)][3]
    parts: list[dict[str, Any]] = []
    for label, function in PROFILED:
        entry = raw.get(_key(function))
        parts.append(
            {"part": label, "s": entry[3] if entry else 0.0, "calls": entry[1] if entry else 0}
        )
    engine_file = engine.__file__
    item = raw.get(_key(Item.__init__))
    from_engine = [v for k, v in (item[4] if item else {}).items() if k[0] == engine_file]
    parts.append(
        {
            "part": "Item() built by the engine",
            "s": sum(v[3] for v in from_engine),
            "calls": sum(v[1] for v in from_engine),
        }
    )
    loop_key = max((k for k in raw if k[0] == engine_file), key=lambda k: raw[k][2])
    parts.append(
        {
            "part": f"event loop, own time ({loop_key[2]})",
            "s": raw[loop_key][2],
            "calls": raw[loop_key][1],
        }
    )
    heap = [v for k, v in raw.items() if k[0] == "~" and "_heapq.heap" in k[2]]
    parts.append(
        {
            "part": "heapq push and pop",
            "s": sum(v[2] for v in heap),
            "calls": sum(v[1] for v in heap),
        }
    )
    rest = total - sum(part["s"] for part in parts)
    parts.append({"part": "rest of the engine (settle, started, draws, tallies)", "s": rest})
    return {"arrivals": report.offered, "total_s": total, "parts": parts}


# -- measuring ---------------------------------------------------------------------------


def summarize(outcomes: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Return a program's sample (ns per customer by round) and what it simulated."""
    per_customer = tuple(outcome["wall_ns"] / outcome["customers"] for outcome in outcomes)
    sample = Sample(per_customer, outcomes[0]["customers"]).to_json()
    last = outcomes[-1]
    best = min(outcomes, key=lambda outcome: outcome["wall_ns"])
    return {
        **sample,
        "per_s_median": round(1e6 / sample["us_median"]),
        "customers": last["customers"],
        "wall_s_best": round(best["wall_ns"] / 1e9, 3),
        "cpu_of_wall_best": round(best["cpu_ns"] / best["wall_ns"], 3),
        "per_cpu_s_best": round(max(o["customers"] / o["cpu_ns"] for o in outcomes) * 1e9),
        "cpu_of_wall_rounds": [round(o["cpu_ns"] / o["wall_ns"], 3) for o in outcomes],
        "service_level": round(last["service_level"], 4),
        "asa_s": round(last["asa_s"], 2),
        "occupancy": round(last["occupancy"], 4),
    }


def run_all(arrivals: int, rounds: int, isolate: bool) -> dict[str, Any]:
    """Measure every program on every model, round by round, then profile agentroute."""
    outcomes: dict[str, dict[str, list[dict[str, Any]]]] = {
        model.name: {program: [] for program in PROGRAMS} for model in MODELS
    }
    for number in range(rounds):
        for model in MODELS:
            for program in PROGRAMS:
                outcome = isolated(isolate, measure_round, program, model.name, arrivals, SEED)
                outcomes[model.name][program].append(outcome)
                rate = outcome["customers"] / (outcome["wall_ns"] / 1e9)
                progress(
                    f"round {number + 1}/{rounds} {model.name:>6} {program:>10} "
                    f"{outcome['customers']:>8,} customers {rate:>10,.0f} /s, "
                    f"own CPU {outcome['cpu_ns'] / outcome['wall_ns']:.0%} of wall"
                )
    results: dict[str, Any] = {}
    for model in MODELS:
        programs = {name: summarize(data) for name, data in outcomes[model.name].items()}
        erlang = model.erlang
        results[model.name] = {
            "model": {
                **asdict(model),
                "duration_s": round(model.duration_s(arrivals), 1),
                "load": round(erlang.load / model.agents, 4),
            },
            **programs,
            "erlang_c": {
                "service_level": round(erlang.service_level, 4),
                "asa_s": round(erlang.asa_s, 2),
                "occupancy": round(erlang.occupancy, 4),
            },
            "ratio": round(programs["agentroute"]["per_s_best"] / programs["ciw"]["per_s_best"], 3),
            "cpu_ratio": round(
                programs["agentroute"]["per_cpu_s_best"] / programs["ciw"]["per_cpu_s_best"], 3
            ),
            "floor_ratio": round(
                programs["floor"]["per_s_best"] / programs["agentroute"]["per_s_best"], 1
            ),
        }
    progress("-- profile")
    profile = isolated(isolate, profile_run, MODELS[0].name, arrivals, SEED)
    unprofiled_us = results[MODELS[0].name]["agentroute"]["us_best"]
    for part in profile["parts"]:
        part["us_per_arrival"] = round(part["s"] * 1e6 / profile["arrivals"], 2)
        part["share"] = round(part["s"] / profile["total_s"], 4)
        part["us_unprofiled"] = round(part["share"] * unprofiled_us, 2)
        part["s"] = round(part["s"], 3)
    profile["total_s"] = round(profile["total_s"], 3)
    profile["us_per_arrival"] = round(profile["total_s"] * 1e6 / profile["arrivals"], 2)
    profile["model"] = MODELS[0].name
    results["profile"] = profile
    return results


# -- the report --------------------------------------------------------------------------


def _n(value: float, digits: int = 0) -> str:
    """Return *value* with a space between thousands, as the docs write numbers."""
    return f"{value:,.{digits}f}".replace(",", " ")


def render(
    header: str, results: Mapping[str, Any], rounds: int, verdicts: Sequence[Verdict]
) -> str:
    """Return the printed report: the paragraph, the tables and the targets, in Markdown."""
    lines = [header, "", *_table(results, rounds), "", *_verdicts(verdicts)]
    lines += ["", *_profile(results["profile"], rounds), ""]
    lines += _cli.targets_section(verdicts)
    return "\n".join(lines)


def _table(results: Mapping[str, Any], rounds: int) -> Iterator[str]:
    names = {
        "agentroute": "agentroute `simulate()`",
        "ciw": f"ciw {_version('ciw')}",
        "floor": "bare `heapq` loop (floor)",
    }
    yield (
        f"Customers per second, fastest of {rounds} rounds (median); "
        f"simulated figures from seed {SEED}, service level within {SLA_TARGET_S:g} s:"
    )
    yield ""
    yield (
        "| model | program | customers | customers/s | µs per customer "
        "| service level | mean wait | occupancy |"
    )
    yield "| --- | --- | --- | --- | --- | --- | --- | --- |"
    for model in MODELS:
        data = results[model.name]
        for program in PROGRAMS:
            row = data[program]
            yield (
                f"| {model.label} | {names[program]} | {_n(row['customers'])} "
                f"| {_n(row['per_s_best'])} ({_n(row['per_s_median'])}) "
                f"| {row['us_best']:.2f} | {row['service_level']:.1%} "
                f"| {row['asa_s']:.1f} s | {row['occupancy']:.1%} |"
            )
        erlang = data["erlang_c"]
        yield (
            f"| {model.label} | Erlang C | | | | {erlang['service_level']:.1%} "
            f"| {erlang['asa_s']:.1f} s | {erlang['occupancy']:.1%} |"
        )
    yield ""
    shares = ", ".join(
        f"{model.name} {program} {results[model.name][program]['cpu_of_wall_best']:.0%}"
        for model in MODELS
        for program in PROGRAMS
    )
    yield f"Own CPU time over wall time in the fastest rounds (under 100%: CPU taken): {shares}."
    yield ""
    yield "| model | agentroute / ciw | the same by own CPU time | floor / agentroute |"
    yield "| --- | --- | --- | --- |"
    for model in MODELS:
        data = results[model.name]
        yield (
            f"| {model.label} | {data['ratio']:.2f}{TIMES} | {data['cpu_ratio']:.2f}{TIMES} "
            f"| {data['floor_ratio']:.0f}{TIMES} |"
        )


def _verdicts(verdicts: Sequence[Verdict]) -> Iterator[str]:
    yield "| target | measured | verdict |"
    yield "| --- | --- | --- |"
    for verdict in verdicts:
        measured = "not measured" if verdict.measured is None else f"{verdict.measured:.2f}{TIMES}"
        passed = {True: "PASS", False: "**FAIL**", None: "N/A"}[verdict.passed]
        threshold = f"{verdict.target.threshold:g}{TIMES}"
        yield f"| {verdict.target.description}, at least {threshold} | {measured} | {passed} |"


def _profile(profile: Mapping[str, Any], rounds: int) -> Iterator[str]:
    model = BY_NAME[profile["model"]]
    yield (
        f"Where agentroute's time goes, cProfile of one {model.label.split(',')[0]} run "
        f"({_n(profile['arrivals'])} arrivals, {profile['total_s']:.1f} s profiled, "
        f"{profile['us_per_arrival']:.1f} µs per arrival); the last column scales each share "
        f"to the fastest unprofiled round:"
    )
    yield ""
    yield "| part | calls per arrival | µs per arrival, profiled | share | ≈ µs unprofiled |"
    yield "| --- | --- | --- | --- | --- |"
    arrivals = profile["arrivals"]
    for part in profile["parts"]:
        calls = f"{part['calls'] / arrivals:.2f}" if "calls" in part else ""
        yield (
            f"| {part['part']} | {calls} | {part['us_per_arrival']:.2f} "
            f"| {part['share']:.1%} | {part['us_unprofiled']:.2f} |"
        )


def describe(run: RunRecord) -> str:
    """Return the paragraph the docs give the run: when, where, which code, how busy the machine."""
    record, info = run.record, run.record["machine"]
    code = record["agentroute_source"]
    commit = f"commit `{code['commit'][:7]}`" if code["commit"] else f"`{code['path']}`, no git"
    cpu = record["cpu"]
    return (
        f"Run on {record['started'][:10]} at {record['started'][11:16]} UTC on {info.get('cpu')} "
        f"(family {info.get('cpu_family')}, model {info.get('cpu_model')}), "
        f"{info.get('usable_cpus')} vCPUs, {info.get('memory_gib')} GiB RAM, "
        f"{info.get('python')}, ciw {_version('ciw')}, measuring {commit}"
        f"{' with local changes' if code['modified'] else ''}, "
        f"agentroute source SHA-256 `{code['source_sha256'][:8]}…`"
        f"{' (changed during the run)' if code.get('changed_during_run') else ''}.\n"
        f"It took {record['duration_s']} s; other processes used {cpu['others_cpu_s']} "
        f"CPU-seconds meanwhile (load average "
        f"{', '.join(f'{x:.2f}' for x in cpu['load_average'] or ())})."
    )


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "?"


# -- the command -------------------------------------------------------------------------


def main(argv: Sequence[str]) -> int:
    command = _cli.parser(__doc__, f"{QUICK_ARRIVALS:,} arrivals, {QUICK_ROUNDS} rounds")
    _cli.add_measure_options(
        command, f"rounds (default {ROUNDS}, {QUICK_ROUNDS} with --quick)", _cli.IN_PROCESS_HELP
    )
    _cli.add_record_options(command, RESULTS)
    args = command.parse_args(argv)
    arrivals = QUICK_ARRIVALS if args.quick else ARRIVALS
    rounds = args.rounds or (QUICK_ROUNDS if args.quick else ROUNDS)
    run = _cli.start_run(
        "agentroute simulator against ciw, M/M/c", "benchmarks/simulator.py", argv, args.note
    )
    results = run_all(arrivals, rounds, isolate=not args.in_process)
    run.finish()
    verdicts = evaluate(results, TARGETS)
    print(render(describe(run), results, rounds, verdicts))
    _cli.write_results(
        args.output or (None if args.quick else RESULTS),
        run,
        {
            "rounds": rounds,
            "arrivals": arrivals,
            "quick": args.quick,
            "isolated": not args.in_process,
            "seed": SEED,
            "sla_target_s": SLA_TARGET_S,
            "ciw": _version("ciw"),
            "statistic": "fastest round (median and every round also given)",
        },
        results,
        verdicts,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
