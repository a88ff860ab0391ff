"""
The same calls give the same decisions and histories in any process.

Set iteration order of strings changes with PYTHONHASHSEED; none may reach
a decision. A script routes a seeded mix of calls and prints everything it
saw; its output must be byte-identical under several hash seeds.
"""

from __future__ import annotations

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


def run(hash_seed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, check=True, timeout=120
    )
    return done.stdout


def test_decisions_and_histories_do_not_depend_on_the_hash_seed() -> None:
    """Four hash seeds, one output, byte for byte."""
    outputs = {seed: run(seed) for seed in ("0", "1", "42", "31337")}

    assert 1 == len(set(outputs.values()))
    assert len(outputs["0"]) > 100_000
