"""
The same calls give the same decisions and histories in any process.

Set iteration order of strings changes with PYTHONHASHSEED; none may reach
a decision, a snapshot or a journal entry. A script routes a seeded mix of
calls and prints everything it saw; its output must be byte-identical under
several hash seeds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import random
from agentroute import Agent, AgentrouteError, Item, ManualClock, Router

clock = ManualClock(1000.0)
router = Router(seed=4, clock=clock, retain_closed=50)
for department in ("billing", "sales", "support"):
    router.add_department(department, default_strategy="random",
                          strategies={"chat": "least_busy", "call": "round_robin"})
names = [f"agent-{n}" for n in range(12)]
for n, name in enumerate(names):
    served = {d: {"chat", "call", "email"} for d in ("billing", "sales", "support")[: 1 + n % 3]}
    router.add_agent(Agent(name, priority=1 + n % 5,
                           capacity={"chat": 2, "call": 1, "email": 3}, departments=served))
    router.set_presence(name, "online")
rng = random.Random(9)
seen = []
open_items = []
for step in range(3000):
    clock.advance(1)
    roll = rng.random()
    try:
        if roll < 0.5 or not open_items:
            item = Item(f"i{step}", channel=rng.choice(["chat", "call", "email"]),
                        department=rng.choice(["billing", "sales", "support"]),
                        customer=f"c{rng.randrange(40)}", priority=rng.randint(1, 4))
            seen.append(router.assign(item))
            open_items.append(item.id)
        elif roll < 0.8:
            seen.append(router.close(open_items.pop(rng.randrange(len(open_items)))))
        elif roll < 0.85:
            seen.append(router.set_presence(rng.choice(names), rng.choice(["online", "away"])))
        elif roll < 0.9:
            seen.append(router.set_channel(rng.choice(names), "chat", enabled=rng.random() < 0.5,
                                           department=rng.choice(["billing", None])))
        elif roll < 0.95:
            seen.append(router.transfer(rng.choice(open_items), route=True,
                                        to_department=rng.choice(["billing", "sales"])))
        else:
            seen.append(router.requeue(rng.choice(open_items)))
    except AgentrouteError as error:
        seen.append(type(error).__name__)
for item_id in [f"i{n}" for n in range(3000)]:
    try:
        seen.append(router.history(item_id))
    except AgentrouteError:
        pass
print(repr(seen))
"""


SNAPSHOT_SCRIPT = """
import json
import random
from agentroute import Agent, AgentrouteError, Item, ManualClock, Router

clock = ManualClock(1000.0)
journal = []
router = Router(seed=11, clock=clock, retain_closed=40, history_limit=8, journal=journal.append)
departments = ["billing", "sales", "support", "triage"]
channels = ["chat", "call", "email", "sms"]
router.add_department("billing", strategies={"chat": "random", "call": "round_robin",
                                             "email": "least_busy", "sms": "random"})
router.add_department("sales", default_strategy="round_robin", unassign_on_close=True)
router.add_department("support", default_strategy="random", strategies={"email": "least_busy"})
router.add_department("triage", mode="pull", allow_claims=False)
names = [f"agent-{n}" for n in range(10)]


def definition(name, n):
    served = {d: set(channels[: 1 + (n + i) % 4]) for i, d in enumerate(departments) if (n + i) % 5}
    capacity = {c: 1 + (n + len(c)) % 3 for c in channels}
    return Agent(name, priority=1 + n % 4, capacity=capacity, departments=served)


for n, name in enumerate(names):
    router.add_agent(definition(name, n))
    router.set_presence(name, "online")
rng = random.Random(5)
open_items, closed_items = [], []
for step in range(2500):
    if step == 1200:  # a restart: what the router does next must not depend on it either
        data = json.loads(json.dumps(router.snapshot()))
        router = Router.restore(data, clock=clock, journal=journal.append)
    clock.advance(1)
    roll = rng.random()
    try:
        if roll < 0.3 or not open_items:
            item = Item(f"i{step}", channel=rng.choice(channels),
                        department=rng.choice(departments),
                        customer=f"c{rng.randrange(30)}", priority=rng.randint(1, 4))
            router.assign(item)
            open_items.append(item.id)
        elif roll < 0.56:
            item_id = open_items.pop(rng.randrange(len(open_items)))
            router.close(item_id, reason=rng.choice([None, "solved"]))
            closed_items.append(item_id)
        elif roll < 0.62:
            router.set_presence(rng.choice(names), rng.choice(["online", "online", "away"]))
        elif roll < 0.68:
            router.set_channel(rng.choice(names), rng.choice(channels),
                               enabled=rng.random() < 0.6,
                               department=rng.choice([None, *departments]))
        elif roll < 0.74:
            router.transfer(rng.choice(open_items), to_department=rng.choice(departments),
                            route=rng.random() < 0.7)
        elif roll < 0.78:
            router.transfer(rng.choice(open_items), to_agent=rng.choice(names),
                            force=rng.random() < 0.3)
        elif roll < 0.83 and closed_items:
            item_id = closed_items.pop(rng.randrange(len(closed_items)))
            if rng.random() < 0.5:
                router.reopen(item_id)
            else:
                router.reply(item_id)
            open_items.append(item_id)
        elif roll < 0.86:
            router.requeue(rng.choice(open_items))
        elif roll < 0.9:
            router.next_for(rng.choice(names))
        elif roll < 0.93:
            router.claim(rng.choice(open_items), rng.choice(names))
        elif roll < 0.97:
            router.set_capacity(rng.choice(names), rng.choice(channels), rng.randrange(4))
        else:
            n = rng.randrange(len(names))
            router.update_agent(definition(names[n], n + rng.randrange(5)), requeue=True)
    except AgentrouteError:
        pass
print(json.dumps(router.snapshot(), sort_keys=True))
print(json.dumps(journal, sort_keys=True))
"""


def run(hash_seed: str, script: str = SCRIPT) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, check=True, timeout=120
    )
    return done.stdout


def test_decisions_and_histories_do_not_depend_on_the_hash_seed() -> None:
    """Four hash seeds, one output, byte for byte."""
    outputs = {seed: run(seed) for seed in ("0", "1", "42", "31337")}

    assert 1 == len(set(outputs.values()))
    assert len(outputs["0"]) > 100_000


def test_snapshots_and_journals_do_not_depend_on_the_hash_seed() -> None:
    """
    Four hash seeds, one snapshot and one journal, byte for byte.

    The script mixes random, round-robin and least-busy departments with a
    pull one, agents serving sets of channels, presences, assigns, closes,
    transfers, reopens, replies and channel switches, and restarts from a
    snapshot halfway.
    """
    outputs = {seed: run(seed, SNAPSHOT_SCRIPT) for seed in ("0", "1", "2", "12345")}

    assert 1 == len(set(outputs.values()))
    snapshot_line, journal_line = outputs["0"].splitlines()
    snapshot, journal = json.loads(snapshot_line), json.loads(journal_line)
    states = {item["state"] for item in snapshot["items"]}
    assert {"queued", "assigned", "closed"} <= states
    ops = {entry["op"] for entry in journal}
    assert {"assign", "close", "transfer", "reopen", "reply", "set_channel"} <= ops
