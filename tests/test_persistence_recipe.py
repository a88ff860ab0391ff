"""
The SQLite persistence recipe (examples/sqlite_persistence.py) loses nothing acknowledged.

Restart equivalence runs a seeded mix of calls through the recipe, restarting
on the way, and compares with a router that never stopped. The kill test runs
the same mix in a child process, kills it with SIGKILL at seeded points, and
checks that every call the child acknowledged survived. A journal write that
fails must fail the call and change nothing.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import random
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from agentroute import AgentrouteError, HostCodeError, ManualClock, Router
from tests.generators import make_agent, make_item

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "sqlite_persistence.py"

# mypy checks examples/ as a source root, so it knows the recipe as `sqlite_persistence`;
# at run time examples/ is not on the path (nor a package), so load it by file.
if TYPE_CHECKING:
    import sqlite_persistence as recipe
else:
    _spec = importlib.util.spec_from_file_location("persistence_recipe", EXAMPLE)
    recipe = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(recipe)

START = 1_700_000_000.0
OPTIONS: dict[str, Any] = {"seed": 13, "retain_closed": 40, "history_limit": 6}
"""Small bounds, so the mix also drops closed items and history rows."""

DEPARTMENTS = ("billing", "support", "desk")
DEPARTMENT_OPTIONS: dict[str, dict[str, Any]] = {
    "billing": {"strategies": {"ticket": "round_robin"}},
    "support": {"default_strategy": "random"},  # draws from the router's generator
    "desk": {"mode": "pull"},
}
AGENTS = ("ana", "bob", "cleo", "dan")
CHANNELS = ("chat", "ticket")


class Workload:
    """
    A seeded mix of router calls, made one at a time by `step`.

    The first steps set up departments and agents; every later one is a
    random call, which the router may refuse (a refused call changes nothing
    and is not journaled). The same seed gives the same calls at the same
    clock readings, so two routers stepped alike end equal.
    """

    def __init__(self, seed: int, clock: ManualClock) -> None:
        self.rng = random.Random(seed)
        self.clock = clock
        self.items: list[str] = []
        self.set_up = 0

    def step(self, router: Router) -> str:
        """Make one call and say what it was, e.g. ``"assign i7"`` or ``"refused close i3"``."""
        if self.set_up < len(DEPARTMENTS) + len(AGENTS):
            return self._set_up(router)
        rng = self.rng
        self.clock.advance(rng.choice((0.0, 0.5, 7.0)))
        operations = ("assign", "close", "presence", "transfer", "reopen", "requeue", "claim")
        op = rng.choices(operations, weights=(6, 4, 2, 2, 1, 1, 1))[0]
        if op == "assign" or not self.items:
            item_id = f"i{len(self.items)}"
            self.items.append(item_id)
            item = make_item(
                item_id,
                channel=rng.choice(CHANNELS),
                department=rng.choice(DEPARTMENTS),
                priority=rng.randint(1, 100),
            )
            return self._call(f"assign {item_id}", router.assign, item)
        item_id = rng.choice(self.items)
        agent = rng.choice(AGENTS)
        if op == "close":
            return self._call(f"close {item_id}", router.close, item_id)
        if op == "presence":
            presence = rng.choice(("online", "online", "away", "offline"))
            return self._call(f"presence {agent}", router.set_presence, agent, presence)
        if op == "transfer":
            to: dict[str, Any]
            if rng.random() < 0.5:
                to = {"to_department": rng.choice(DEPARTMENTS)}
            else:
                to = {"to_agent": agent, "force": True}
            return self._call(f"transfer {item_id}", router.transfer, item_id, **to)
        if op == "reopen":
            return self._call(f"reopen {item_id}", router.reopen, item_id)
        if op == "requeue":
            return self._call(f"requeue {item_id}", router.requeue, item_id)
        return self._call(f"claim {item_id}", router.claim, item_id, agent)

    def _set_up(self, router: Router) -> str:
        """Add the next department, then the next agent, serving everything."""
        index = self.set_up
        self.set_up += 1
        if index < len(DEPARTMENTS):
            name = DEPARTMENTS[index]
            router.add_department(name, **DEPARTMENT_OPTIONS[name])
            return f"add_department {name}"
        agent = make_agent(
            AGENTS[index - len(DEPARTMENTS)],
            capacity={"chat": 2, "ticket": 3},
            departments=dict.fromkeys(DEPARTMENTS, CHANNELS),
        )
        router.add_agent(agent)
        return f"add_agent {agent.id}"

    @staticmethod
    def _call(what: str, method: Callable[..., object], *args: Any, **kwargs: Any) -> str:
        try:
            method(*args, **kwargs)
        except HostCodeError:
            raise
        except AgentrouteError:
            return f"refused {what}"
        return what


def reference(seed: int, steps: int) -> dict[str, Any]:
    """Return the snapshot of a plain router, never stopped, after *steps* steps of the mix."""
    clock = ManualClock(START)
    router = Router(clock=clock, **OPTIONS)
    work = Workload(seed, clock)
    for _ in range(steps):
        work.step(router)
    return router.snapshot()


def count_rows(path: Path, table: str) -> int:
    with contextlib.closing(sqlite3.connect(path)) as db:
        (count,) = db.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert isinstance(count, int)
    return count


# -- restart equivalence ---------------------------------------------------------------


def test_a_router_restarted_along_the_way_ends_equal_to_one_that_never_stopped(
    tmp_path: Path,
) -> None:
    path = tmp_path / "router.sqlite"
    clock = ManualClock(START)
    work = Workload(seed=11, clock=clock)
    router, store = recipe.open_router(path, snapshot_every=7, clock=clock, **OPTIONS)
    for step in range(1, 401):
        work.step(router)
        store.checkpoint(router)
        if step % 90 == 0:  # a restart, wherever the last snapshot happens to be
            store.close()
            router, store = recipe.open_router(path, snapshot_every=7, clock=clock)
    with store:
        first = router.snapshot()
        router._check()
    assert first == reference(seed=11, steps=400)

    second, store = recipe.open_router(path, clock=ManualClock(0.0))
    with store:
        assert second.snapshot() == first
        second._check()


def test_the_file_keeps_two_snapshots_and_the_rows_after_the_older(tmp_path: Path) -> None:
    path = tmp_path / "router.sqlite"
    clock = ManualClock(START)
    work = Workload(seed=5, clock=clock)
    router, store = recipe.open_router(path, snapshot_every=7, clock=clock, **OPTIONS)
    with store:
        for _ in range(200):
            work.step(router)
            store.checkpoint(router)
        assert store.snapshot_seq is not None
        assert store.last_seq - store.snapshot_seq < 7
    assert count_rows(path, "snapshots") == 2
    assert count_rows(path, "journal") < 2 * 7


def test_a_new_file_records_the_options_at_once(tmp_path: Path) -> None:
    """Options live in the snapshot written at creation: a reopen needs none."""
    path = tmp_path / "router.sqlite"
    router, store = recipe.open_router(path, snapshot_every=1000, retain_closed=1, seed=99)
    with store:
        router.add_department("billing")
        router.add_agent(make_agent("ana"))
        router.set_presence("ana", "online")
        for item_id in ("c1", "c2"):
            router.assign(make_item(item_id))
            router.close(item_id)
        before = router.snapshot()
    assert count_rows(path, "snapshots") == 1

    again, store = recipe.open_router(path, seed=0)  # options of an existing file are ignored
    with store:
        assert again.snapshot() == before
        assert before["settings"]["retain_closed"] == 1


def test_the_demo_restarts_and_finds_everything(capsys: pytest.CaptureFixture[str]) -> None:
    recipe.main()
    lines = [line.strip() for line in capsys.readouterr().out.splitlines()]
    assert "c3 -> waits" in lines
    assert "c1: closed (ana)" in lines
    assert "c3: assigned (ana)" in lines
    assert "same state as before: True" in lines


# -- kill -9 ---------------------------------------------------------------------------

KILL_SEED = 3
KILL_POINTS = [3, *sorted(random.Random(2026).sample(range(10, 400), 4))]
"""
After how many acknowledgements the parent sends SIGKILL: once while setting up, then at
seeded points, the same each run. The child keeps going while the parent reads, so where
in a call (or in a checkpoint) the kill lands varies from run to run.
"""


def drive(path: str, steps: int = 100_000) -> None:
    """
    The child: run the mix through the recipe, acknowledging each call on stdout.

    A line is printed (and flushed) only after the call returned, so every
    line the parent reads is a change the recipe promised to keep.
    """
    clock = ManualClock(START)
    router, store = recipe.open_router(path, snapshot_every=5, clock=clock, **OPTIONS)
    work = Workload(KILL_SEED, clock)
    with store:
        for _ in range(steps):
            print(work.step(router), flush=True)
            store.checkpoint(router)


@pytest.mark.parametrize("kill_after", KILL_POINTS)
def test_every_acknowledged_call_survives_kill_9(tmp_path: Path, kill_after: int) -> None:
    path = tmp_path / "router.sqlite"
    script = "import sys; from tests.test_persistence_recipe import drive; drive(sys.argv[1])"
    with subprocess.Popen(
        [sys.executable, "-c", script, str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None
        assert child.stderr is not None
        acknowledged: list[str] = []
        try:
            while len(acknowledged) < kill_after:
                line = child.stdout.readline()
                if not line:
                    break
                acknowledged.append(line)
            os.kill(child.pid, signal.SIGKILL)
        finally:
            if child.poll() is None:
                child.kill()
        # Lines written before the kill were acknowledged too; a torn last line was not.
        acknowledged += child.stdout.readlines()
        errors = child.stderr.read()
    assert child.returncode == -signal.SIGKILL, errors
    calls = [line.rstrip("\n") for line in acknowledged if line.endswith("\n")]
    assert len(calls) >= kill_after, errors

    router, store = recipe.open_router(path, clock=ManualClock(0.0))
    with store:
        recovered = router.snapshot()
        router._check()
        for call in calls:
            if call.startswith("assign "):
                router.status(call.removeprefix("assign "))  # known, or raises
    # Exactly the acknowledged calls, plus perhaps the one under way at the kill.
    acknowledged_only = reference(KILL_SEED, len(calls))
    with_one_more = reference(KILL_SEED, len(calls) + 1)
    assert recovered in (acknowledged_only, with_one_more)

    again, store = recipe.open_router(path, clock=ManualClock(0.0))
    with store:
        assert again.snapshot() == recovered  # recovery is idempotent


# -- a failed journal write ------------------------------------------------------------


def opened(path: Path) -> tuple[Router, recipe.SQLiteStore]:
    """Open *path* with one online agent holding c1, and c2 waiting."""
    router, store = recipe.open_router(path, clock=ManualClock(START), seed=1)
    router.add_department("billing")
    router.add_agent(make_agent("ana"))
    router.set_presence("ana", "online")
    router.assign(make_item("c1"))
    router.assign(make_item("c2"))
    return router, store


def test_a_closed_store_fails_the_call_and_the_router_keeps_its_state(tmp_path: Path) -> None:
    path = tmp_path / "router.sqlite"
    router, store = opened(path)
    before = router.snapshot()
    store.close()

    with pytest.raises(HostCodeError) as info:
        router.close("c1")

    assert info.value.culprit == "journal"
    assert isinstance(info.value.__cause__, sqlite3.ProgrammingError)
    assert router.snapshot() == before
    assert router.status("c1").state == "assigned"
    again, store = recipe.open_router(path)
    with store:
        assert again.snapshot() == before


def test_a_refused_insert_fails_the_call_and_the_next_one_journals_normally(
    tmp_path: Path,
) -> None:
    path = tmp_path / "router.sqlite"
    router, store = opened(path)
    with store:
        before = router.snapshot()
        seq = store.last_seq
        with contextlib.closing(sqlite3.connect(path)) as other:
            other.execute(
                "CREATE TRIGGER full BEFORE INSERT ON journal"
                " BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )
            other.commit()

            with pytest.raises(HostCodeError, match="disk full"):
                router.close("c1")
            assert router.snapshot() == before
            assert store.last_seq == seq

            other.execute("DROP TRIGGER full")
            other.commit()
        router.close("c1")
        assert router.status("c2").agent == "ana"
        assert store.last_seq == seq + 1
        after = router.snapshot()

    again, store = recipe.open_router(path)
    with store:
        assert again.snapshot() == after
