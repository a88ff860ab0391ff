"""
agentroute's explain benchmark: the cost of choice notes, explain(), candidates() and Item fields.

Run it with ``.venv/bin/python benchmarks/explain.py``; ``--quick`` is a
smoke run (3 short rounds per measurement, one repeat, writes only to
``--output``). The timing helpers are ``harness.py``'s, the targets use
``report.py``'s verdicts.

The router: one department (``billing``), *N* agents ``a000000``... online,
each with capacity ``{"chat": 2}``, chats routed ``least_busy``, on a
`ManualClock`. Items are built beforehand (untimed) except in ``item``.

- **cycle** (10 / 100 / 1 000 agents): ``assign()`` + ``close()`` of a chat,
  explain never asked. Since commit 8989052 every strategy choice leaves a
  note on the item (free count, chosen rank, runner-up rank); the same cycle
  is timed on the code of commit 00fe8e0 (before the note existed) and of
  8989052 (the note alone, without later commits), each exported
  with ``git archive`` into a temporary directory and put first on
  ``PYTHONPATH`` of its interpreter (``agentroute.__file__`` is checked and
  recorded). The three alternate, ``--repeats`` fresh interpreters each (3 in a
  full run), and the fastest round of each side is compared. Target: the
  note adds at most 5%.
- **explain** (same sizes): ``assign()``, ``explain()`` of the item, then
  ``close()``, each call timed apart; ``explain`` includes ``now``, the
  item's `candidates_for`, so it is expected to grow with *N*.
- **candidates** (10 / 100 / 1 000 members): ``candidates("billing",
  "chat")`` with half the members unavailable: a quarter offline, a quarter
  full (two chats each). Target: O(members), the cost per member growing at
  most 2x from 100 to 1 000.
- **item**: ``Item(id, channel=..., department=...)`` at HEAD, at 00fe8e0
  and at 42fb56f (before ``source``, ``tags`` and ``attributes`` existed),
  and at HEAD with ``tags=`` and ``attributes=`` given; ids are prebuilt, the
  loop's own cost is included.

Each measurement runs in a fresh interpreter (a subprocess of this script,
so that the older code can come first on its path): a warm-up sizes rounds
of about 0.15 s, then 7 rounds with a full collection before each (the
collector on), as ``harness.sized_rounds`` does. The fastest round is
reported, the median and every round kept in the JSON. A full run writes
``benchmarks/results/explain.json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from io import BytesIO
from pathlib import Path
from typing import Any

import _cli
from _setup import SEED, require
from harness import Settings, progress, sized_rounds
from offers import numbered_items, phased_rounds
from report import Target, Verdict, evaluate

import agentroute
from agentroute import Agent, Item, ManualClock, Router

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results" / "explain.json"

DEPARTMENT = "billing"
CHAT = "chat"
SIZES = (10, 100, 1_000)
BEFORE = "00fe8e0"
"""The commit before choice notes and explain(): candidates() exists, the note does not."""
NOTE = "8989052"
"""The commit that added the note (HEAD also has later commits)."""
BEFORE_FIELDS = "42fb56f"
"""The commit before Item gained source, tags and attributes."""
REPEATS = 3
MAX_ITEMS = 100_000
TIMES = "\N{MULTIPLICATION SIGN}"

TARGETS = (
    *(
        Target(
            f"note_overhead_{size}",
            f"cycle.ratio.{size}",
            "<=",
            1.05,
            "x",
            f"assign + close, HEAD / {BEFORE}, {size:,} agents",
        )
        for size in SIZES
    ),
    Target(
        "candidates_per_member_growth",
        "candidates.growth",
        "<=",
        2.0,
        "x",
        "candidates() per member, 1 000 / 100 members",
    ),
)
"""The note costs at most 5% on an assign + close; candidates() is linear in the members."""


# -- the routers -------------------------------------------------------------------------


def make_router(size: int, online: range | None = None) -> tuple[Router, ManualClock]:
    """
    Return a router with *size* idle agents, capacity ``{"chat": 2}``, and its clock.

    The agents numbered in *online* (all of them when None) are online.
    """
    clock = ManualClock(1_000_000.0)
    router = Router(seed=SEED, clock=clock)
    router.add_department(DEPARTMENT, strategies={CHAT: "least_busy"})
    for number in range(size):
        name = f"a{number:06d}"
        router.add_agent(Agent(name, capacity={CHAT: 2}, departments={DEPARTMENT: {CHAT}}))
    for number in range(size) if online is None else online:
        router.set_presence(f"a{number:06d}", "online")
    return router, clock


class Cycles:
    """assign + close of prebuilt chats ``i<n>``; with *explain*, ``explain()`` between them."""

    def __init__(self, router: Router, explain: bool) -> None:
        self.router = router
        self.explain = explain
        self.done = 0

    def items(self, count: int) -> list[Item]:
        """Return the next *count* items."""
        self.done += count
        return numbered_items(self.done - count, count, CHAT, DEPARTMENT)

    def __call__(self, count: int) -> dict[str, int]:
        """Run *count* cycles; return the nanoseconds of each call."""
        items = self.items(count)
        router = self.router
        assign, close = router.assign, router.close
        clock = time.perf_counter_ns
        assign_ns = explain_ns = close_ns = 0
        if self.explain:
            explain = router.explain
            for item in items:
                t0 = clock()
                assign(item)
                t1 = clock()
                explain(item.id)
                t2 = clock()
                close(item.id)
                t3 = clock()
                assign_ns += t1 - t0
                explain_ns += t2 - t1
                close_ns += t3 - t2
            return {"assign": assign_ns, "explain": explain_ns, "close": close_ns}
        for item in items:
            t0 = clock()
            assign(item)
            t1 = clock()
            close(item.id)
            t2 = clock()
            assign_ns += t1 - t0
            close_ns += t2 - t1
        return {"assign": assign_ns, "close": close_ns}

    def check(self, size: int) -> dict[str, Any]:
        """Run one cycle untimed and check it assigned (and, with explain, what explain says)."""
        item = self.items(1)[0]
        decision = self.router.assign(item)
        require(decision.status == "assigned", f"{item.id} was {decision.status}")
        result: dict[str, Any] = {"agent": decision.agent}
        if self.explain:
            why = self.router.explain(item.id)
            require(why.decided_by == "least_busy", f"{item.id} decided by {why.decided_by}")
            require(why.among == size, f"{item.id} chosen among {why.among}, not {size}")
            require(why.agent == decision.agent, f"explain names {why.agent}")
            result |= {"decided_by": why.decided_by, "among": why.among}
        self.router.close(item.id)
        return result


def measure_cycle(size: int, explain: bool, settings: Settings) -> dict[str, Any]:
    """Time assign + close (with *explain*, assign + explain + close) at *size* agents."""
    router, _clock = make_router(size)
    cycles = Cycles(router, explain)
    first = cycles.check(size)
    samples = phased_rounds(cycles, settings)
    result: dict[str, Any] = {name: sample.to_json() for name, sample in samples.items()}
    result["check"] = cycles.check(size) | {"first": first}
    return result


def measure_candidates(size: int, settings: Settings) -> dict[str, Any]:
    """Time ``candidates()`` on *size* members: a quarter offline, a quarter full."""
    quarter = size // 4
    # the second quarter comes online alone and is filled, then the second half joins
    router, _clock = make_router(size, range(quarter, 2 * quarter))
    held = 0
    for number in range(2 * quarter):
        decision = router.assign(Item(f"h{number}", channel=CHAT, department=DEPARTMENT))
        held += decision.status == "assigned"
    for number in range(2 * quarter, size):
        router.set_presence(f"a{number:06d}", "online")
    answer = router.candidates(DEPARTMENT, CHAT)
    ready, unavailable = len(answer.ready), len(answer.unavailable)
    require(held == 2 * quarter, f"{held} chats held, not {2 * quarter}")
    require(ready == size - 2 * quarter, f"{ready} ready, not {size - 2 * quarter}")
    require(ready + unavailable == size, f"{ready} + {unavailable} members, not {size}")
    candidates = router.candidates

    def run(count: int) -> int:
        t0 = time.perf_counter_ns()
        for _ in range(count):
            candidates(DEPARTMENT, CHAT)
        return time.perf_counter_ns() - t0

    sample = sized_rounds(run, settings, lambda _count: None)
    return {
        "call": sample.to_json(),
        "per_member_us": round(sample.us / size, 5),
        "check": {"ready": ready, "unavailable": unavailable},
    }


def measure_item(fields: bool, settings: Settings) -> dict[str, Any]:
    """Time ``Item(id, channel=, department=)``; *fields* adds ``tags=`` and ``attributes=``."""
    ids = [f"i{number}" for number in range(MAX_ITEMS)]
    tags = ("vip", "fr")
    attributes: dict[str, str | int | float | bool] = {"plan": "gold", "seats": 12}
    if fields:
        item = Item("x", channel=CHAT, department=DEPARTMENT, tags=tags, attributes=attributes)
        require(set(item.tags) == set(tags), "tags were not kept")

    def run(count: int) -> int:
        chosen = ids[:count]
        if fields:
            t0 = time.perf_counter_ns()
            for name in chosen:
                Item(name, channel=CHAT, department=DEPARTMENT, tags=tags, attributes=attributes)
            return time.perf_counter_ns() - t0
        t0 = time.perf_counter_ns()
        for name in chosen:
            Item(name, channel=CHAT, department=DEPARTMENT)
        return time.perf_counter_ns() - t0

    settings = Settings(**{**vars(settings), "max_cycles": MAX_ITEMS})
    sample = sized_rounds(run, settings, lambda _count: None)
    data = sample.to_json()
    data["ns_best"] = round(sample.us * 1_000, 1)
    return data


def worker(request: Mapping[str, Any]) -> dict[str, Any]:
    """Run one measurement named by *request*; say which agentroute ran it."""
    settings = Settings(**request["settings"])
    kind, size = request["kind"], request.get("size", 0)
    gc.collect()
    if kind == "cycle":
        result = measure_cycle(size, False, settings)
    elif kind == "explain":
        result = measure_cycle(size, True, settings)
    elif kind == "candidates":
        result = measure_candidates(size, settings)
    elif kind in ("item", "item_fields"):
        result = measure_item(kind == "item_fields", settings)
    else:
        msg = f"unknown kind {kind!r}"
        raise ValueError(msg)
    result["agentroute_file"] = agentroute.__file__
    return result


# -- running the measurements ------------------------------------------------------------


def export(commit: str, into: Path) -> Path:
    """Export ``src`` at *commit* into *into* with ``git archive``; return its ``src`` directory."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", commit, "src"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def spawn(request: Mapping[str, Any], source: Path | None) -> dict[str, Any]:
    """Run *request* in a fresh interpreter, *source* first on its path; check what it imported."""
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, __file__, "--worker", json.dumps(request)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.stderr.write(done.stderr)
        msg = f"measurement {request['kind']} failed"
        raise RuntimeError(msg)
    result: dict[str, Any] = json.loads(done.stdout)
    expected = (source or REPO / "src") / "agentroute" / "__init__.py"
    require(
        Path(result["agentroute_file"]).resolve() == expected.resolve(),
        f"the worker imported {result['agentroute_file']}, not {expected}",
    )
    return result


def run_all(
    settings: Settings, repeats: int, before: Path, note: Path, fields_before: Path
) -> dict[str, Any]:
    """Measure every case; return the results with the ratios the targets read."""
    base = {"settings": vars(settings)}
    cycle: dict[str, Any] = {"head": {}, "note": {}, "before": {}, "ratio": {}, "note_ratio": {}}
    for size in SIZES:
        runs: dict[str, list[dict[str, Any]]] = {"head": [], "note": [], "before": []}
        for _ in range(repeats):
            for side, source in (("before", before), ("note", note), ("head", None)):
                data = spawn({**base, "kind": "cycle", "size": size}, source)
                runs[side].append(data)
                progress(
                    f"cycle {side:>6} {size:>6,} agents {data['total']['us_best']:8.2f} µs/cycle"
                )
        for side, measured in runs.items():
            best = min(measured, key=lambda data: data["total"]["us_best"])
            cycle[side][str(size)] = best | {
                "repeats_us_best": [data["total"]["us_best"] for data in measured]
            }
        ratio = cycle["head"][str(size)]["total"]["us_best"]
        ratio /= cycle["before"][str(size)]["total"]["us_best"]
        cycle["ratio"][str(size)] = round(ratio, 4)
        ratio = cycle["note"][str(size)]["total"]["us_best"]
        ratio /= cycle["before"][str(size)]["total"]["us_best"]
        cycle["note_ratio"][str(size)] = round(ratio, 4)
    explain: dict[str, Any] = {}
    for size in SIZES:
        data = explain[str(size)] = spawn({**base, "kind": "explain", "size": size}, None)
        progress(f"explain      {size:>6,} agents {data['explain']['us_best']:8.2f} µs/call")
    candidates: dict[str, Any] = {}
    for size in SIZES:
        data = candidates[str(size)] = spawn({**base, "kind": "candidates", "size": size}, None)
        progress(f"candidates   {size:>6,} members {data['call']['us_best']:8.2f} µs/call")
    growth = candidates["1000"]["per_member_us"] / candidates["100"]["per_member_us"]
    item: dict[str, Any] = {"head": [], "before": [], "before_fields": [], "head_fields": []}
    for _ in range(repeats):
        for side, kind, source in (
            ("before_fields", "item", fields_before),
            ("before", "item", before),
            ("head", "item", None),
            ("head_fields", "item_fields", None),
        ):
            data = spawn({**base, "kind": kind}, source)
            item[side].append(data)
            progress(f"item {side:>13} {data['ns_best']:8.1f} ns/item")
    items = {
        side: min(measured, key=lambda data: data["ns_best"])
        | {"repeats_ns_best": [data["ns_best"] for data in measured]}
        for side, measured in item.items()
    }
    return {
        "cycle": cycle,
        "explain": explain,
        "candidates": {
            "members": candidates,
            "per_member_us": {size: data["per_member_us"] for size, data in candidates.items()},
            "growth": round(growth, 3),
        },
        "item": items,
    }


# -- the report --------------------------------------------------------------------------


def render(header: str, results: Mapping[str, Any], verdicts: Sequence[Verdict]) -> str:
    """Return the printed report: markdown tables, then the targets."""
    lines = [header, "", *_tables(results), "", *_cli.targets_section(verdicts)]
    return "\n".join(lines)


def _tables(results: Mapping[str, Any]) -> Iterator[str]:
    cycle, explain = results["cycle"], results["explain"]
    sizes = " | ".join(f"{size:,} agents" for size in SIZES)
    rule = " | ".join("---" for _ in SIZES)
    yield "µs per cycle or call, fastest of the rounds (median)"
    yield ""
    yield f"| case | {sizes} |"
    yield f"| --- | {rule} |"
    for side, label in ((BEFORE_LABEL, "before"), (NOTE_LABEL, "note"), (HEAD_LABEL, "head")):
        cells = " | ".join(_cli.us_cell(cycle[label][str(size)]["total"]) for size in SIZES)
        yield f"| (a) assign + close, {side} | {cells} |"
    cells = " | ".join(f"{cycle['ratio'][str(size)]:.3f}{TIMES}" for size in SIZES)
    yield f"| (a) HEAD / {BEFORE} | {cells} |"
    cells = " | ".join(f"{cycle['note_ratio'][str(size)]:.3f}{TIMES}" for size in SIZES)
    yield f"| (a) {NOTE} / {BEFORE} | {cells} |"
    for phase in ("assign", "explain", "close", "total"):
        cells = " | ".join(_cli.us_cell(explain[str(size)][phase]) for size in SIZES)
        yield f"| (b) `{phase}` | {cells} |"
    cells = " | ".join(f"{explain[str(size)]['explain']['us_best'] / size:.3f}" for size in SIZES)
    yield f"| (b) `explain` per agent | {cells} |"
    members = results["candidates"]["members"]
    yield ""
    yield "candidates('billing', 'chat'), half the members unavailable, µs per call (median)"
    yield ""
    yield f"| | {' | '.join(f'{size:,} members' for size in SIZES)} | 1 000 / 100 per member |"
    yield f"| --- | {rule} | --- |"
    cells = " | ".join(_cli.us_cell(members[str(size)]["call"]) for size in SIZES)
    yield f"| per call | {cells} | |"
    cells = " | ".join(f"{members[str(size)]['per_member_us']:.3f}" for size in SIZES)
    yield f"| per member | {cells} | {results['candidates']['growth']:.2f}{TIMES} |"
    item = results["item"]
    yield ""
    yield "Item construction, ns per item, fastest of the rounds (median)"
    yield ""
    yield "| code | call | ns per item | vs HEAD plain |"
    yield "| --- | --- | --- | --- |"
    head = item["head"]["ns_best"]
    for side, code, call in (
        ("before_fields", BEFORE_FIELDS, "`Item(id, channel=, department=)`"),
        ("before", BEFORE, "`Item(id, channel=, department=)`"),
        ("head", "HEAD", "`Item(id, channel=, department=)`"),
        ("head_fields", "HEAD", "with `tags=` (2) and `attributes=` (2)"),
    ):
        data = item[side]
        yield (
            f"| {code} | {call} | {data['ns_best']:.0f} ({data['us_median'] * 1000:.0f}) | "
            f"{data['ns_best'] / head:.2f}{TIMES} |"
        )


BEFORE_LABEL = f"{BEFORE} (no note)"
NOTE_LABEL = f"{NOTE} (note added)"
HEAD_LABEL = "HEAD (note)"


# -- the command -------------------------------------------------------------------------


def main(argv: Sequence[str]) -> int:
    command = _cli.parser(__doc__, "3 short rounds, one repeat")
    _cli.add_measure_options(command, "rounds per measurement", None)
    command.add_argument(
        "--repeats", type=int, help=f"fresh interpreters per side of a comparison ({REPEATS})"
    )
    _cli.add_record_options(command, RESULTS)
    command.add_argument("--worker", help=argparse.SUPPRESS)
    args = command.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return 0
    settings = _cli.settings_from(args)
    repeats = args.repeats or (1 if args.quick else REPEATS)
    run = _cli.start_run(
        "agentroute explain, candidates and choice notes",
        "benchmarks/explain.py",
        argv,
        args.note,
    )
    with tempfile.TemporaryDirectory(prefix="agentroute-explain-") as scratch:
        before = export(BEFORE, Path(scratch) / "before")
        note = export(NOTE, Path(scratch) / "note")
        fields_before = export(BEFORE_FIELDS, Path(scratch) / "fields")
        results = run_all(settings, repeats, before, note, fields_before)
    run.finish()
    verdicts = evaluate(results, TARGETS)
    print(render(run.banner("agentroute explain benchmark"), results, verdicts))
    complete = not (args.quick or args.rounds or args.repeats)
    _cli.write_results(
        args.output or (RESULTS if complete else None),
        run,
        {
            **vars(settings),
            "isolated": True,
            "repeats": repeats,
            "agents": list(SIZES),
            "before_commit": BEFORE,
            "note_commit": NOTE,
            "before_fields_commit": BEFORE_FIELDS,
            "statistic": "fastest round (median and every round also given); "
            "for comparisons, the fastest of the repeats",
        },
        results,
        verdicts,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
