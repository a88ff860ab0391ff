"""
One router shared by threads, as a threaded web server shares it.

Each thread runs a bounded, seeded mix of calls; afterwards every internal
index must agree with the state and the public reads must add up.
"""

from __future__ import annotations

import random
import sys
import threading
from collections.abc import Iterator

import pytest

from agentroute import AgentrouteError, Router
from tests.generators import make_agent, make_item

THREADS = 8
CALLS_PER_THREAD = 600


@pytest.fixture
def fast_switching() -> Iterator[None]:
    """Make the interpreter switch threads very often, so interleavings really happen."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


def worker(router: Router, number: int, created: list[str], errors: list[BaseException]) -> None:
    rng = random.Random(number)
    mine: list[str] = []
    agents = [f"a{n}" for n in range(6)]
    try:
        for step in range(CALLS_PER_THREAD):
            roll = rng.random()
            try:
                if roll < 0.45 or not mine:
                    item_id = f"t{number}-{step}"
                    router.assign(make_item(item_id, priority=rng.randint(1, 3)))
                    mine.append(item_id)
                    created.append(item_id)
                elif roll < 0.8:
                    router.close(mine.pop(rng.randrange(len(mine))))
                elif roll < 0.85:
                    router.set_presence(rng.choice(agents), rng.choice(["online", "away"]))
                elif roll < 0.9:
                    router.set_capacity(rng.choice(agents), "chat", rng.randint(1, 3))
                elif roll < 0.95:
                    router.transfer(mine[-1], to_department="billing", route=True)
                else:
                    router.status(mine[-1])
                    router.queue_length("billing")
            except AgentrouteError as error:  # a call refused for this state is fine
                if not isinstance(error, LookupError | RuntimeError | ValueError):
                    raise
    except BaseException as error:  # reported to the main thread
        errors.append(error)


@pytest.mark.usefixtures("fast_switching")
def test_threads_keep_every_invariant() -> None:
    """Eight threads of mixed calls leave no broken index, lost item or exceeded limit."""
    router = Router(seed=1)
    router.add_department("billing", default_strategy="least_busy")
    for n in range(6):
        router.add_agent(make_agent(f"a{n}", capacity={"chat": 2}))
        router.set_presence(f"a{n}", "online")
    created: list[str] = []
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=worker, args=(router, n, created, errors)) for n in range(THREADS)
    ]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [] == errors
    router._check()
    holders = {item: agent for agent in router.agent_ids() for item in router.assigned_to(agent)}
    waiting = set(router.queued("billing", "chat"))
    states = {item: router.status(item).state for item in created}
    assert len(created) == len(set(created)) == len(states)
    assert {i for i, s in states.items() if s == "assigned"} == set(holders)
    assert {i for i, s in states.items() if s == "queued"} == waiting
    assert all(router.status(item).agent == agent for item, agent in holders.items())


def test_subscribing_from_another_thread_is_safe() -> None:
    """Subscriptions come and go while another thread routes; deliveries stay whole."""
    router = Router()
    router.add_department("billing")
    router.add_agent(make_agent("ana", capacity={"chat": 1000}))
    router.set_presence("ana", "online")
    seen: list[str] = []
    router.subscribe(lambda event: seen.append(event.item), ["assigned"])  # type: ignore[union-attr]
    stop = threading.Event()

    def churn() -> None:
        while not stop.is_set():
            router.subscribe(lambda event: None).cancel()

    thread = threading.Thread(target=churn)
    thread.start()
    for n in range(500):
        router.assign(make_item(f"c{n}"))
    stop.set()
    thread.join()

    assert [f"c{n}" for n in range(500)] == seen
