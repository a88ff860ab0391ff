"""
Timing machinery for the benchmarks: nothing here knows what is measured.

- `isolated` runs a measurement in a fresh interpreter, so it starts from the
  same unfragmented heap whatever ran before it.
- `sized_rounds` and `windows` time a callable that runs *n* operations and
  returns the nanoseconds it took: several rounds, the fastest reported
  (other processes can only add time), the median kept.
- `percentiles` and `rss_bytes` serve the soak test; `machine`, `code_info`,
  `CpuWatch` and `write_json` describe and record a run.

Timings use the wall clock (``time.perf_counter_ns``), read by the workloads.
"""

from __future__ import annotations

import datetime
import gc
import hashlib
import json
import math
import multiprocessing
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

_P = ParamSpec("_P")
_T = TypeVar("_T")

Run = Callable[[int], int]
"""Run *n* operations and return the nanoseconds they took."""

_MAX_CHUNK = 1 << 24
"""Most operations in a chunk of `windows`, whatever the warm-up found."""


@dataclass(frozen=True)
class Settings:
    """
    How long and how often to measure.

    ``round_s`` sizes the rounds of the fixed-count measurements (the naive
    comparison, closes, pull); ``window_s`` is the length of a window of the
    host-shaped measurements.
    """

    rounds: int
    round_s: float
    window_s: float
    window_rounds: int
    min_cycles: int
    max_cycles: int
    quick: bool

    def with_rounds(self, rounds: int) -> Settings:
        """Return these settings with *rounds* rounds for every measurement."""
        return replace(self, rounds=rounds, window_rounds=rounds)


FULL = Settings(
    rounds=7,
    round_s=0.15,
    window_s=1.0,
    window_rounds=5,
    min_cycles=5,
    max_cycles=100_000,
    quick=False,
)
QUICK = Settings(
    rounds=3,
    round_s=0.02,
    window_s=0.1,
    window_rounds=2,
    min_cycles=2,
    max_cycles=10_000,
    quick=True,
)


@dataclass(frozen=True)
class Sample:
    """One measured operation: nanoseconds per operation in each round."""

    per_op_ns: tuple[float, ...]
    ops_per_round: int

    @property
    def us(self) -> float:
        """
        Microseconds per operation in the fastest round: the number tables and ratios use.

        Other processes on the machine can only add time, so the fastest round
        is the closest to the code's own cost and the most repeatable.
        """
        return min(self.per_op_ns) / 1_000

    @property
    def median_us(self) -> float:
        """Median microseconds per operation over the rounds."""
        return statistics.median(self.per_op_ns) / 1_000

    def to_json(self) -> dict[str, Any]:
        """Return the sample as plain data."""
        return {
            "us_best": round(self.us, 4),
            "us_median": round(self.median_us, 4),
            "per_s_best": round(1e6 / self.us),
            "ops_per_round": self.ops_per_round,
            "rounds_us": [round(ns / 1_000, 4) for ns in self.per_op_ns],
        }


def isolated(isolate: bool, function: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """
    Call *function* in a fresh interpreter, unless *isolate* is false.

    Each measurement then starts from an unfragmented heap, with the garbage
    collector's generations empty, so its result does not depend on what
    was measured before it.
    """
    if not isolate:
        return function(*args, **kwargs)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as executor:
        return executor.submit(function, *args, **kwargs).result()


def sized_rounds(run: Run, settings: Settings, reset: Callable[[int], None]) -> Sample:
    """
    Time rounds of a fixed number of operations, each lasting about ``settings.round_s``.

    Warm up while sizing the rounds, then run ``settings.rounds`` of them.
    The garbage collector stays on and is run to completion before each
    round; *reset(n)* runs after every batch, untimed.
    """
    round_ns = settings.round_s * 1e9
    count = 10
    while True:
        gc.collect()
        elapsed = run(count)
        reset(count)
        if elapsed >= round_ns / 10 or count >= settings.max_cycles:
            break
        count = min(count * 10, settings.max_cycles)
    wanted = math.ceil(round_ns / (elapsed / count))
    count = max(settings.min_cycles, min(settings.max_cycles, wanted))
    per_op = []
    for _ in range(settings.rounds):
        gc.collect()
        per_op.append(run(count) / count)
        reset(count)
    return Sample(tuple(per_op), count)


def windows(
    runs: Mapping[str, Run], settings: Settings, chunk_s: float = 0.01
) -> dict[str, Sample]:
    """
    Time each of *runs* in windows of about ``settings.window_s``, the subjects taking turns.

    A window runs chunks of about *chunk_s* until the time spent in them
    reaches the window, so nothing but a loop step separates the chunks.
    The garbage collector stays on and is never run by the harness: a
    collection falls in whichever window triggered it, as in a host.
    With several subjects, round *k* times each of them once, one after the
    other, so a drift of the machine or of the process's heap over the run
    touches them alike. A short warm-up of every subject sizes the chunks.
    """
    chunk_ns = chunk_s * 1e9
    chunks: dict[str, int] = {}
    for name, run in runs.items():
        count = 1
        while (elapsed := run(count)) < chunk_ns and count < _MAX_CHUNK:
            count *= 4
        chunks[name] = max(1, round(count * chunk_ns / max(elapsed, 1)))
    window_ns = settings.window_s * 1e9
    per_op: dict[str, list[float]] = {name: [] for name in runs}
    done: dict[str, int] = {}
    for _ in range(settings.window_rounds):
        for name, run in runs.items():
            elapsed = ops = 0
            while elapsed < window_ns:
                elapsed += run(chunks[name])
                ops += chunks[name]
            per_op[name].append(elapsed / ops)
            done[name] = ops
    return {name: Sample(tuple(values), done[name]) for name, values in per_op.items()}


def percentiles(values: Sequence[int], points: Sequence[float]) -> dict[str, int]:
    """
    Return the nearest-rank percentiles of sorted *values*, keyed ``p50``, ``p99.9``, ``max``.

    >>> percentiles(list(range(1, 1001)), (50, 99, 99.9))
    {'p50': 500, 'p99': 990, 'p99.9': 999, 'max': 1000}
    """
    result = {}
    for point in points:
        rank = max(1, math.ceil(round(point * len(values) / 100, 6)))
        result[f"p{point:g}"] = values[rank - 1]
    result["max"] = values[-1]
    return result


def rss_bytes() -> int:
    """Return this process's resident set size, ``VmRSS`` in ``/proc/self/status``."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    msg = "no VmRSS line in /proc/self/status"
    raise RuntimeError(msg)


class CpuWatch:
    """
    Measure how much CPU other processes took while the benchmark ran.

    It reads the machine's busy CPU time from ``/proc/stat`` and this
    process's own, with its finished children's, from `resource`; the
    difference is what other processes (or the host's hypervisor, as steal
    time) took from the benchmark's CPUs. None off Linux.
    """

    def __init__(self) -> None:
        self._start = (time.monotonic(), _busy_s(), _own_s())

    def report(self) -> dict[str, Any]:
        """Return the wall time, and the CPU seconds used by others, since construction."""
        wall0, busy0, own0 = self._start
        wall, busy, own = time.monotonic() - wall0, _busy_s(), _own_s() - own0
        others = None if busy is None or busy0 is None else max(0.0, busy - busy0 - own)
        return {
            "wall_s": round(wall, 1),
            "own_cpu_s": round(own, 1),
            "others_cpu_s": None if others is None else round(others, 1),
            "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        }


def _busy_s() -> float | None:
    """Return the CPU seconds the machine spent busy since boot (``/proc/stat``), or None."""
    try:
        fields = Path("/proc/stat").read_text(encoding="ascii").split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _own_s() -> float:
    """Return the CPU seconds used by this process and its finished children."""
    mine = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def machine() -> dict[str, Any]:
    """Describe the machine and software the numbers come from."""
    info: dict[str, Any] = {"cpu": platform.processor() or platform.machine()}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        cpuinfo = []
    fields = (
        ("model name", "cpu"),
        ("cpu family", "cpu_family"),
        ("model", "cpu_model"),
        ("cpu MHz", "cpu_mhz"),
        ("cache size", "cache"),
    )
    for key, name in fields:
        for line in cpuinfo:
            if line.split(":", 1)[0].strip() == key:
                info[name] = line.split(":", 1)[1].strip()
                break
    affinity = getattr(os, "sched_getaffinity", None)
    info.update(
        {
            "logical_cpus": os.cpu_count(),
            "usable_cpus": len(affinity(0)) if affinity else os.cpu_count(),
            "memory_gib": _memory_gib(),
            "machine": platform.machine(),
            "platform": platform.platform(),
            "python": f"{platform.python_implementation()} {platform.python_version()}",
            "agentroute": _version("agentroute-core"),
            "sortedcontainers": _version("sortedcontainers"),
        }
    )
    return info


def code_info(package: Path) -> dict[str, Any]:
    """
    Say which code of *package* ran: its directory, a digest of its source and, in git, the commit.

    ``modified`` tells whether tracked files under the package differ from the commit.
    ``source_sha256`` digests every ``.py`` file of the package (paths and
    contents), so two runs, or the start and end of one run, can be compared.
    """
    info: dict[str, Any] = {
        "path": str(package),
        "source_sha256": source_digest(package),
        "commit": None,
        "modified": None,
    }
    try:
        commit = _git(package, "rev-parse", "HEAD")
        changes = _git(package, "status", "--porcelain", "--untracked-files=no", "--", ".")
    except (OSError, subprocess.CalledProcessError):
        return info
    info.update(commit=commit, modified=bool(changes))
    return info


def source_digest(package: Path) -> str:
    """Return the SHA-256 of the package's ``.py`` files, their paths and contents."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Write *data* to *path* as indented JSON, creating the directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def progress(text: str) -> None:
    """Tell the person waiting how far the run is, on stderr."""
    print(text, file=sys.stderr, flush=True)


class RunRecord:
    """
    What every benchmark run records about itself, and how much CPU others took meanwhile.

    That is what ran, when, where, and which code. Build it just before
    measuring and call `finish` just after; ``record`` is the start of the
    run's JSON.
    """

    def __init__(
        self, benchmark: str, script: str, argv: Sequence[str], note: str | None, package: Path
    ) -> None:
        self.package = package
        self.record: dict[str, Any] = {
            "benchmark": benchmark,
            "started": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "command": " ".join([script, *argv]),
            "machine": machine(),
            "agentroute_source": code_info(package),
            "note": note,
        }
        self._watch = CpuWatch()

    def finish(self) -> None:
        """Record the wall time and others' CPU, and warn if the measured code changed meanwhile."""
        cpu = self.record["cpu"] = self._watch.report()
        self.record["duration_s"] = round(cpu["wall_s"])
        code = self.record["agentroute_source"]
        code["changed_during_run"] = source_digest(self.package) != code["source_sha256"]
        if code["changed_during_run"]:
            progress(f"WARNING: the agentroute source in {self.package} changed during the run")

    def banner(self, title: str, detail: str = "") -> str:
        """Return the table header: *title* on this machine, *detail*, duration and others' CPU."""
        info, duration = self.record["machine"], self.record["duration_s"]
        return (
            f"{title} on {info.get('cpu')}, {info.get('usable_cpus')} cpus, "
            f"{info.get('python')}; {detail}{duration // 60} min {duration % 60} s, "
            f"other processes used {self.record['cpu']['others_cpu_s']} CPU-s meanwhile"
        )


def _memory_gib() -> float | None:
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None
    return round(pages * size / 2**30, 1)


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _git(where: Path, *args: str) -> str:
    command = ["git", "-C", str(where), *args]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()
