"""
Keep a router across restarts with nothing but the standard library: sqlite3 and json.

The recipe stores two things in one SQLite file:

- ``journal(seq, entry)``: one row per change, written by the router's
  journal callback (`SQLiteStore.__call__`) inside the call that made it;
- ``snapshots(seq, data)``: now and then the whole state, where ``seq`` is
  the last journal row the snapshot already includes.

`open_router` restores the latest snapshot and replays the journal rows
after it, so the router it returns is the one the last process had.

Acknowledged: a call has been acknowledged once it has returned to its
caller. The router hands the journal its entry before the call returns, and
the callback commits the row before it returns, so every acknowledged change
is on disk. A process killed during a call may or may not have journaled
it; either is consistent, because the router writes the journal before it
commits the change and undoes the call if the write fails: a change is never
kept without its row, and a row is never written for a call that failed.

Run it with ``python examples/persistence.py``: it routes a few chats,
"restarts" from the file, and shows that nothing was lost.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from agentroute import Agent, Item, ManualClock, Router
from agentroute.clock import Clock
from agentroute.journal import Entry

SCHEMA = """
CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY, entry TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots (seq INTEGER PRIMARY KEY, data TEXT NOT NULL);
"""


def _dumps(data: object) -> str:
    """Return *data* as compact JSON, refusing what JSON cannot hold (NaN, infinities)."""
    return json.dumps(data, separators=(",", ":"), allow_nan=False)


class SQLiteStore:
    """
    A router's journal and snapshots in one SQLite file.

    Pass the store as the router's ``journal``: the router calls it with each
    entry, under the router's lock, so inserts never overlap. After calls,
    the host calls `checkpoint` to write a snapshot every *snapshot_every*
    entries; it may do so from any thread.

    Args:
        path: The database file; created if missing.
        snapshot_every: How many journal entries may pile up before
            `checkpoint` writes a snapshot. Fewer means a faster restart and
            more writing.
    """

    def __init__(self, path: str | Path, *, snapshot_every: int = 1000) -> None:
        if snapshot_every < 1:
            raise ValueError(f"snapshot_every must be >= 1, got {snapshot_every!r}")
        self.snapshot_every = snapshot_every
        # isolation_level=None: autocommit, so each journal INSERT is its own
        # transaction, committed before execute() returns; a snapshot opens its
        # own. check_same_thread=False: the router may be called from any
        # thread; self._lock keeps one statement or transaction at a time.
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()
        try:
            # WAL with synchronous=FULL: a commit appends to the write-ahead log
            # and fsyncs it, one sequential write per journal entry instead of
            # the rollback journal's several, and with FULL that fsync happens
            # at every commit, so an acknowledged change survives a power cut,
            # not only a crash of the process (WAL's usual NORMAL may lose the
            # last commits on power loss).
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA)
            (last_entry,) = self._db.execute("SELECT max(seq) FROM journal").fetchone()
            (last_snapshot,) = self._db.execute("SELECT max(seq) FROM snapshots").fetchone()
        except BaseException:
            self._db.close()
            raise
        self.snapshot_seq: int | None = last_snapshot
        """The seq of the last entry the latest snapshot includes, None before the first."""
        self.last_seq: int = max(last_entry or 0, last_snapshot or 0)
        """The seq of the latest journal entry, 0 before the first."""

    # -- the journal callback ---------------------------------------------------------

    def __call__(self, entry: Entry) -> None:
        """Store one journal entry and commit it; if this raises, the router undoes the call."""
        seq, text = entry["seq"], _dumps(entry)
        with self._lock:
            self._db.execute("INSERT INTO journal (seq, entry) VALUES (?, ?)", (seq, text))
            self.last_seq = seq  # only once the row is committed

    # -- snapshots ---------------------------------------------------------------------

    def checkpoint(self, router: Router) -> bool:
        """
        Write a snapshot if *snapshot_every* entries were journaled since the last one.

        Call it after router calls, from any thread, never from the journal
        callback (a callback must not call the router). Returns whether a
        snapshot was written.
        """
        if (
            self.snapshot_seq is not None
            and self.last_seq - self.snapshot_seq < self.snapshot_every
        ):
            return False
        self.save_snapshot(router)
        return True

    def save_snapshot(self, router: Router) -> None:
        """
        Store a snapshot now, and prune what it makes unnecessary.

        A snapshot says how many calls it includes (``counters.entries``), the
        seq of the last entry it includes, so no care is needed about calls
        other threads make meanwhile. The previous snapshot and the rows after
        it are kept, so the file always holds two ways to rebuild the state.
        """
        data = router.snapshot()
        seq, text = data["counters"]["entries"], _dumps(data)
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute(
                    "INSERT OR REPLACE INTO snapshots (seq, data) VALUES (?, ?)", (seq, text)
                )
                (previous,) = db.execute(
                    "SELECT max(seq) FROM snapshots WHERE seq < ?", (seq,)
                ).fetchone()
                if previous is not None:
                    db.execute("DELETE FROM snapshots WHERE seq < ?", (previous,))
                    db.execute("DELETE FROM journal WHERE seq <= ?", (previous,))
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            self.snapshot_seq = max(seq, self.snapshot_seq or 0)

    # -- reading back ------------------------------------------------------------------

    def latest_snapshot(self) -> dict[str, Any] | None:
        """Return the latest snapshot, if any."""
        with self._lock:
            row = self._db.execute(
                "SELECT data FROM snapshots ORDER BY seq DESC LIMIT 1"
            ).fetchone()
        return None if row is None else json.loads(row[0])

    def entries(self, after: int = 0) -> Iterator[Entry]:
        """Yield each stored entry with a seq greater than *after*, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT entry FROM journal WHERE seq > ? ORDER BY seq", (after,)
            ).fetchall()
        for (text,) in rows:
            yield json.loads(text)

    def close(self) -> None:
        """Close the database; calls journaled to this store fail from now on."""
        self._db.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_router(
    path: str | Path,
    *,
    snapshot_every: int = 1000,
    clock: Clock | None = None,
    **router_options: Any,
) -> tuple[Router, SQLiteStore]:
    """
    Open the router kept in *path*, or start a new one there.

    A new database gets ``Router(**router_options)`` and, at once, a first
    snapshot, which records those options. An existing one is rebuilt from
    its latest snapshot and the journal rows after it; its options are the
    ones it was created with, and *router_options* are ignored. Register
    custom strategies before opening.

    Args:
        path: The database file.
        snapshot_every: As for `SQLiteStore`.
        clock: As for `Router`; the default is ``time.time``.
        router_options: ``seed``, ``retain_closed`` and the other options of `Router`.

    Returns:
        The router, journaling to the store, and the store: call
        ``store.checkpoint(router)`` after calls and ``store.close()`` at exit.
    """
    store = SQLiteStore(path, snapshot_every=snapshot_every)
    try:
        latest = store.latest_snapshot()
        if latest is None:
            clock = time.time if clock is None else clock
            router = Router(clock=clock, journal=store, **router_options)
            store.save_snapshot(router)
        else:
            # The replayed entries are not journaled again: the store hears
            # only the calls made after the restore.
            after = latest["counters"]["entries"]
            replay = store.entries(after)
            router = Router.restore(latest, clock=clock, journal=store, replay=replay)
    except BaseException:
        store.close()
        raise
    return router, store


def main() -> None:
    clock = ManualClock(start=1_700_000_000.0)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "router.sqlite"

        print("First run:")
        router, store = open_router(path, snapshot_every=3, clock=clock, seed=7)
        with store:
            router.add_department("support")
            router.add_agent(Agent("ana", capacity={"chat": 1}, departments={"support": {"chat"}}))
            router.add_agent(Agent("bob", capacity={"chat": 1}, departments={"support": {"chat"}}))
            for agent_id in ("ana", "bob"):
                router.set_presence(agent_id, "online")
                store.checkpoint(router)
            for chat in ("c1", "c2", "c3"):
                clock.advance(5)
                decision = router.assign(Item(chat, channel="chat", department="support"))
                print(f"  {chat} -> {decision.agent or 'waits'}")
                store.checkpoint(router)
            router.close("c1")
            print("  c1 closed; c3 goes to", router.status("c3").agent)
            before = router.snapshot()
            print(
                f"  {store.last_seq} calls journaled, the first {store.snapshot_seq} in a snapshot"
            )
        # The process "exits" here; everything acknowledged is in the file.

        print("After a restart:")
        router, store = open_router(path, clock=clock)
        with store:
            for chat in ("c1", "c2", "c3"):
                status = router.status(chat)
                print(f"  {chat}: {status.state} ({status.agent})")
            print("  same state as before:", router.snapshot() == before)


if __name__ == "__main__":
    main()
