"""
All or nothing: a call that raises changes nothing, whatever code raised.

Host code (a custom strategy, its factory, the clock) runs inside calls; when
it fails or returns garbage the call raises HostCodeError naming it, and a
fingerprint of every public read, and the next decisions, are as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from random import Random
from typing import Any

import pytest

from agentroute import (
    Agent,
    Decision,
    HostCodeError,
    Item,
    ManualClock,
    ReentrantCallError,
    Router,
    strategies,
)
from agentroute._core.items import ItemStore
from agentroute._core.ledger import Ledger
from agentroute.strategies import Candidate, LeastBusy, Rank
from tests.generators import make_agent, make_item, observe, record_events

ITEMS = [f"c{n}" for n in range(8)]


def fingerprint(router: Router) -> dict[str, object]:
    """Every public read of *router* over the items these tests use."""
    known: list[object] = []
    for item_id in ITEMS:
        try:
            known.append((router.owner(item_id), router.history(item_id)))
        except LookupError:
            known.append(None)
    return {
        "observed": observe(router, ITEMS),
        "responsibility": known,
        "badges": [router.waiting_for(agent_id) for agent_id in router.agent_ids()],
    }


class Switch:
    """Host code that behaves until told to fail."""

    def __init__(self) -> None:
        self.on = False


SWITCH = Switch()


class Flaky:
    """Least busy, except that it fails in the way ``SWITCH.mode`` says while ``SWITCH.on``."""

    mode = "raise"

    def __init__(self) -> None:
        self.inner = LeastBusy()

    def rank(self, candidate: Candidate) -> Rank:
        if SWITCH.on and Flaky.mode == "rank":
            raise RuntimeError("rank exploded")
        if SWITCH.on and Flaky.mode == "rank-garbage":
            return "not a tuple"  # type: ignore[return-value]
        if SWITCH.on and Flaky.mode == "rank-incomparable":
            return (object(),)
        return self.inner.rank(candidate)

    def choose(self, ranked: Sequence[Candidate], rng: Random) -> Candidate:
        rng.random()  # draws, so a failed call must put the generator back
        if SWITCH.on and Flaky.mode == "raise":
            raise RuntimeError("choose exploded")
        if SWITCH.on and Flaky.mode == "garbage":
            return "ana"  # type: ignore[return-value]
        return ranked[0]


@pytest.fixture(autouse=True)
def flaky_strategy() -> Iterator[None]:
    strategies.register("flaky", Flaky)
    yield
    SWITCH.on = False
    strategies.unregister("flaky")


def busy_router(strategy: str = "flaky", clock: Callable[[], float] | None = None) -> Router:
    """Two agents with two chat slots each in billing, one chat queued, ana full."""
    router = Router(seed=5, clock=clock or ManualClock(1000.0))
    router.add_department("billing", strategies={"chat": strategy}, default_strategy="random")
    for name in ("ana", "bob"):
        router.add_agent(make_agent(name, capacity={"chat": 2}))
    router.set_presence("ana", "online")
    for item_id in ("c0", "c1", "c2"):
        router.assign(make_item(item_id))
    return router


def twin_decisions(router: Router) -> list[list[Decision]]:
    """What the next calls decide: compared between a router that failed and one that did not."""
    return [
        router.set_presence("bob", "online"),
        [router.assign(make_item("c6"))],
        router.close("c0"),
        [router.assign(make_item("c7"))],
    ]


CALLS: dict[str, Callable[[Router], object]] = {
    "assign": lambda r: r.assign(make_item("c5")),
    "set_presence": lambda r: r.set_presence("bob", "online"),
    "set_capacity": lambda r: r.set_capacity("ana", "chat", 4),
    "close": lambda r: r.close("c0"),
    "transfer": lambda r: r.transfer("c0", to_department="billing", route=True),
    "requeue": lambda r: r.requeue("c0"),
    "reopen": lambda r: (r.close("c0"), r.reopen("c0")),
}


@pytest.mark.parametrize("mode", ["raise", "garbage", "rank", "rank-garbage", "rank-incomparable"])
@pytest.mark.parametrize("call", sorted(CALLS))
def test_a_failing_strategy_changes_nothing(call: str, mode: str) -> None:
    """Whatever the call and however the strategy fails, the router is as before it."""
    router, twin = busy_router(), busy_router()
    events = record_events(router)
    before = fingerprint(router)
    Flaky.mode = mode
    SWITCH.on = True

    culprit = None
    try:
        CALLS[call](router)
    except HostCodeError as error:
        culprit = error.culprit
    # Without an error the call never consulted the strategy in this way.
    raised = culprit is not None
    SWITCH.on = False

    if raised:
        assert "strategy 'flaky' of ('billing', 'chat')" == culprit
        assert before == fingerprint(router)
        assert [] == events
        assert twin_decisions(twin) == twin_decisions(router)
        router._check()


def test_the_cause_is_kept() -> None:
    """The strategy's own exception is the HostCodeError's __cause__."""
    router = busy_router()
    Flaky.mode = "raise"
    SWITCH.on = True

    with pytest.raises(HostCodeError, match="raised RuntimeError\\('choose exploded'\\)") as info:
        router.set_presence("bob", "online")

    assert isinstance(info.value.__cause__, RuntimeError)


def test_a_failure_mid_drain_undoes_the_items_already_assigned() -> None:
    """A drain that assigned items before the strategy failed gives them all back."""
    router = Router(seed=1, clock=ManualClock(0.0))
    router.add_department("billing", strategies={"chat": "flaky"})
    router.add_agent(make_agent("ana", capacity={"chat": 3}))
    for n in range(3):
        router.assign(make_item(f"c{n}"))
    before = fingerprint(router)
    calls = 0

    def fail_on_second(ranked: Sequence[Candidate], rng: Random) -> Candidate:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("second pick")
        return ranked[0]

    router._core.pools.get("billing", "chat").strategy.choose = fail_on_second  # type: ignore[union-attr, method-assign]
    router._core.pools.get("billing", "chat")._choose = fail_on_second  # type: ignore[union-attr]

    with pytest.raises(HostCodeError):
        router.set_presence("ana", "online")

    assert 2 == calls
    assert before == fingerprint(router)
    router._check()


def test_a_failing_factory_is_named_and_changes_nothing() -> None:
    """A strategy factory that raises or builds junk when a pool is first used is named."""
    built: list[object] = []

    def factory() -> Any:
        if built:
            raise RuntimeError("no more")
        built.append(LeastBusy())
        return built[-1]

    strategies.register("once", factory)
    try:
        router = Router()
        router.add_department("billing", default_strategy="once")
        before = fingerprint(router)

        with pytest.raises(HostCodeError, match="strategy factory 'once' for") as info:
            router.add_agent(make_agent("ana"))

        assert before == fingerprint(router)
        assert isinstance(info.value.__cause__, RuntimeError)
        assert [] == router.agent_ids()
    finally:
        strategies.unregister("once")


def test_a_factory_building_junk_is_named() -> None:
    """A factory whose product has no rank()/choose() once a pool needs it is a HostCodeError."""
    products: list[Any] = [LeastBusy(), object()]
    strategies.register("fickle", lambda: products.pop(0))
    try:
        router = Router()
        router.add_department("billing", default_strategy="fickle")

        with pytest.raises(HostCodeError, match="which has no rank\\(\\) and choose\\(\\)"):
            router.assign(make_item("c1"))

        assert 0 == router.queue_length("billing")
    finally:
        strategies.unregister("fickle")


class Clock:
    """A clock that fails on demand."""

    def __init__(self) -> None:
        self.now: object = 1000.0
        self.error: Exception | None = None

    def __call__(self) -> float:
        if self.error is not None:
            raise self.error
        return self.now  # type: ignore[return-value]


@pytest.mark.parametrize("call", sorted(CALLS))
def test_a_raising_clock_changes_nothing(call: str) -> None:
    """The clock is read before anything changes, and its failure is named."""
    clock = Clock()
    router = busy_router("least_busy", clock)
    before = fingerprint(router)
    clock.error = OSError("no time")

    with pytest.raises(HostCodeError, match="clock raised OSError") as info:
        CALLS[call](router)

    assert ("clock", OSError) == (info.value.culprit, type(info.value.__cause__))
    clock.error = None
    assert before == fingerprint(router)


@pytest.mark.parametrize("call", ["assign", "close", "set_presence"])
@pytest.mark.parametrize("now", [None, "noon", float("nan"), float("inf"), 10**400, True])
def test_a_clock_returning_garbage_is_refused(now: object, call: str) -> None:
    """Anything but finite seconds from the clock is a HostCodeError, never a raw error."""
    clock = Clock()
    router = busy_router("least_busy", clock)
    before = fingerprint(router)
    clock.now = now

    with pytest.raises(HostCodeError, match="it must return finite POSIX seconds"):
        CALLS[call](router)

    clock.now = 1000.0
    assert before == fingerprint(router)


def test_an_int_clock_is_read_as_seconds() -> None:
    """A clock returning whole seconds as an int is fine."""
    router = Router(clock=lambda: 1700000000)
    router.add_department("billing")

    router.assign(make_item("c1"))

    assert 1700000000.0 == router.status("c1").arrived_at


class CallsBack:
    """A strategy that calls its router back: refused."""

    router: Router | None = None

    def rank(self, candidate: Candidate) -> Rank:
        return (candidate.agent,)

    def choose(self, ranked: Sequence[Candidate], rng: Random) -> Candidate:
        assert CallsBack.router is not None
        CallsBack.router.queue_length("billing")
        return ranked[0]


def test_a_strategy_calling_the_router_is_refused() -> None:
    """A re-entrant call from a strategy raises ReentrantCallError, and the call changes nothing."""
    strategies.register("calls_back", CallsBack)
    try:
        router = Router()
        CallsBack.router = router
        router.add_department("billing", default_strategy="calls_back")
        router.add_agent(make_agent("ana"))
        router.set_presence("ana", "online")
        before = fingerprint(router)

        with pytest.raises(HostCodeError) as info:
            router.assign(make_item("c1"))

        assert isinstance(info.value.__cause__, ReentrantCallError)
        assert "strategy 'calls_back' of ('billing', 'chat')" == info.value.__cause__.culprit
        assert before == fingerprint(router)
    finally:
        strategies.unregister("calls_back")


class Meddler:
    """A strategy that tries to raise a limit through its candidates."""

    def rank(self, candidate: Candidate) -> Rank:
        return (candidate.agent,)

    def choose(self, ranked: Sequence[Candidate], rng: Random) -> Candidate:
        ranked[0].limit = 99  # type: ignore[misc]
        return ranked[0]


def test_strategies_get_read_only_candidates() -> None:
    """A host strategy cannot write to what it is given; the failure is named."""
    strategies.register("meddler", Meddler)
    try:
        router = Router()
        router.add_department("billing", default_strategy="meddler")
        router.add_agent(make_agent("ana"))
        router.set_presence("ana", "online")

        with pytest.raises(HostCodeError, match="raised AttributeError") as info:
            router.assign(make_item("c1"))

        assert isinstance(info.value.__cause__, AttributeError)
        assert (1, 0) == (router.agent("ana").capacity["chat"], router.load("ana"))
    finally:
        strategies.unregister("meddler")


def test_candidates_read_like_seats() -> None:
    """A host strategy's candidates show every field a strategy may rank by."""
    seen: list[tuple[object, ...]] = []

    class Spy:
        def rank(self, candidate: Candidate) -> Rank:
            fields = ("agent", "channel", "priority", "load", "limit")
            seen.append(tuple(getattr(candidate, name) for name in fields))
            seen.append((candidate.last_assigned, candidate.idle_since, repr(candidate)))
            return (candidate.agent,)

        def choose(self, ranked: Sequence[Candidate], rng: Random) -> Candidate:
            return ranked[0:1][0]

    strategies.register("spy", Spy)
    try:
        router = Router()
        router.add_department("billing", default_strategy="spy")
        router.add_agent(
            Agent("ana", priority=3, capacity={"chat": 2}, departments={"billing": {"chat"}})
        )
        router.set_presence("ana", "online")

        router.assign(make_item("c1"))

        assert ("ana", "chat", 3, 0, 2) == seen[0]
        assert (0, 0, "Candidate('ana', 'chat', load=0/2)") == seen[1]
        assert ("ana", "chat", 3, 1, 2) == seen[2]
    finally:
        strategies.unregister("spy")


def test_handlers_may_call_the_router() -> None:
    """An event handler runs after the change and may call the router; its events follow."""
    router = Router(clock=ManualClock(0.0))
    router.add_department("billing")
    router.add_agent(make_agent("ana"))
    router.set_presence("ana", "online")
    seen: list[str] = []

    def on_event(event: Any) -> None:
        seen.append(f"{event.kind}:{event.item}")
        if event.kind == "assigned" and event.item == "c1":
            router.close("c1")

    router.subscribe(on_event)

    router.assign(Item("c1", channel="chat", department="billing"))

    assert ["new_item:c1", "assigned:c1", "closed:c1"] == seen
    assert "closed" == router.status("c1").state


def test_a_failed_call_delivers_no_events_later() -> None:
    """Events of a failed call are dropped, not delivered during the next call."""
    router = busy_router()
    events = record_events(router)
    Flaky.mode = "raise"
    SWITCH.on = True
    with pytest.raises(HostCodeError):
        router.set_presence("bob", "online")
    SWITCH.on = False

    router.assign(make_item("c5"))

    assert ["c5", "c5"] == [getattr(event, "item", None) for event in events]


def test_random_picks_replay_after_a_rollback() -> None:
    """With a host strategy in the router, a failed call puts the generator back too."""

    def build() -> Router:
        router = Router(seed=11, clock=ManualClock(0.0))
        router.add_department("billing", strategies={"chat": "random", "call": "flaky"})
        for name in "abcdef":
            router.add_agent(make_agent(name, capacity={"chat": 1, "call": 1}))
        router.assign(make_item("urgent", priority=1))
        router.assign(make_item("later", channel="call", priority=2))
        return router

    failed, clean = build(), build()
    Flaky.mode = "raise"
    SWITCH.on = True
    with pytest.raises(HostCodeError):
        failed.set_presence("a", "online")  # random takes "urgent", then flaky fails on "later"
    SWITCH.on = False
    for router in (failed, clean):
        for name in "bcdef":
            router.set_presence(name, "online")

    assert [failed.assign(make_item(f"c{n}")).agent for n in range(4)] == [
        clean.assign(make_item(f"c{n}")).agent for n in range(4)
    ]


class BoomError(Exception):
    """An error raised inside the core on purpose, standing for any bug or MemoryError."""


def fail_on(router: Router, monkeypatch: pytest.MonkeyPatch, action: str) -> None:
    """Make the ledger raise when it records *action*: late in a call, after everything moved."""
    if action == "dropping":

        def forget(ledger: Ledger, item_id: str) -> None:
            raise BoomError(action)

        monkeypatch.setattr(Ledger, "forget", forget)
        return
    if action == "retention":

        def closed(store: ItemStore, record: Any) -> None:
            raise BoomError(action)

        monkeypatch.setattr(ItemStore, "closed", closed)
        return
    record = Ledger.change

    def change(ledger: Ledger, item_id: str, at: float, what: str, *args: Any) -> None:
        record(ledger, item_id, at, what, *args)  # type: ignore[arg-type]
        if what == action:
            raise BoomError(what)

    monkeypatch.setattr(Ledger, "change", change)


SCENARIOS: dict[str, tuple[str, str, Callable[[Router], object]]] = {
    # name: (strategy, action that fails, the call)
    "hand-over on close": ("least_busy", "assigned", lambda r: r.close("c0")),
    "random pick fills a seat": ("random", "assigned", lambda r: r.set_capacity("ana", "chat", 3)),
    "close frees a one-off line": ("least_busy", "retention", lambda r: r.close("x1")),
    "close of a held item": ("least_busy", "retention", lambda r: r.close("c1")),
    "reply reopens": ("least_busy", "reopened", lambda r: r.reply("c4")),
    "retention drops the oldest": ("least_busy", "closed", lambda r: r.close("c1")),
    "dropping the oldest fails": ("least_busy", "dropping", lambda r: r.close("c1")),
    "requeue": ("random", "requeued", lambda r: r.requeue("c0")),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_an_error_late_in_a_call_undoes_everything(
    scenario: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any exception, not only host code's, leaves the router as it was."""
    strategy, action, call = SCENARIOS[scenario]
    router = Router(seed=3, clock=ManualClock(0.0), retain_closed=1)
    router.add_department("billing", default_strategy=strategy)
    for name in ("ana", "bob"):
        router.add_agent(make_agent(name, capacity={"chat": 2}))
        router.set_presence(name, "online")
    for n in range(5):
        router.assign(make_item(f"c{n}"))
    router.assign(make_item("x1", channel="fax"))
    router.close("c4")
    router.assign(make_item("c4b"))
    before = fingerprint(router), router.queued("billing", "chat"), router.status("c4")
    fail_on(router, monkeypatch, action)

    with pytest.raises(BoomError):
        call(router)

    monkeypatch.undo()
    assert before == (fingerprint(router), router.queued("billing", "chat"), router.status("c4"))
    router._check()


def test_ranks_that_do_not_compare_are_named() -> None:
    """A host rank that cannot be compared with the others is a HostCodeError."""
    router = busy_router()
    router.set_presence("bob", "online")
    Flaky.mode = "rank-incomparable"
    before = fingerprint(router)
    SWITCH.on = True

    with pytest.raises(HostCodeError, match="does not compare with the others"):
        router.set_capacity("ana", "chat", 4)

    SWITCH.on = False
    assert before == fingerprint(router)


@pytest.mark.parametrize("method", ["assign", "close", "status"])
def test_every_call_is_refused_from_inside_a_strategy(method: str) -> None:
    """The hot calls check for re-entry as every other call does."""
    router = busy_router("least_busy")
    calls: dict[str, Callable[[], object]] = {
        "assign": lambda: router.assign(make_item("c9")),
        "close": lambda: router.close("c1"),
        "status": lambda: router.status("c1"),
    }
    router._core.guard.running = "strategy 'x' of ('billing', 'chat')"

    with pytest.raises(ReentrantCallError, match="strategy 'x'"):
        calls[method]()

    router._core.guard.running = None


def test_a_random_pick_from_the_middle_is_put_back_in_place() -> None:
    """The unordered index of random restores its exact order, so later draws agree."""

    def build() -> Router:
        router = Router(seed=8, clock=ManualClock(0.0))
        router.add_department("billing", default_strategy="random")
        for name in ("ana", "bob", "cy", "dan"):
            router.add_agent(make_agent(name))
            router.set_presence(name, "online")
        return router

    failed, clean = build(), build()
    with pytest.MonkeyPatch.context() as patch:
        fail_on(failed, patch, "assigned")
        with pytest.raises(BoomError):
            failed.assign(make_item("c0"))

    assert "dan" != build().assign(make_item("c0")).agent  # picked from the middle: the case

    assert [failed.assign(make_item(f"c{n}")).agent for n in range(4)] == [
        clean.assign(make_item(f"c{n}")).agent for n in range(4)
    ]


def test_a_strategy_factory_calling_the_router_is_refused() -> None:
    """A factory runs inside a call too: its call back is refused and nothing changes."""
    router = Router()
    built: list[LeastBusy] = []

    def factory() -> LeastBusy:
        if built:  # register() builds one to check it; the router's own call calls back
            router.add_department("sneaky")
        built.append(LeastBusy())
        return built[-1]

    strategies.register("sneaky_factory", factory)
    try:
        router.add_department("billing", default_strategy="least_busy")
        router.add_department("sales", default_strategy="sneaky_factory")

        with pytest.raises(HostCodeError, match="strategy factory 'sneaky_factory'") as info:
            router.add_agent(make_agent("ana", departments={"sales": ["chat"]}))

        assert isinstance(info.value.__cause__, ReentrantCallError)
        assert (["billing", "sales"], []) == (router.departments(), router.agent_ids())
    finally:
        strategies.unregister("sneaky_factory")


def test_the_core_refuses_a_command_while_applying_one() -> None:
    """Should host code ever slip past the guard, the core still refuses to nest commands."""
    router = Router()
    router._core._applying = True

    with pytest.raises(ReentrantCallError, match="host code"):
        router.add_department("billing")

    router._core._applying = False
    assert [] == router.departments()


def test_stale_closes_are_compacted_and_the_compaction_undone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Close/reopen cycles cannot grow the list of closes; a failed call restores it exactly."""
    router = Router(clock=ManualClock(0.0), retain_closed=5)
    router.add_department("billing")
    router.assign(make_item("c1"))
    for _ in range(64):
        router.close("c1")
        router.reopen("c1")
    router.close("c1")
    store = router._core.items
    before = (list(store._closes), fingerprint(router))
    fail_on(router, monkeypatch, "reopened")

    with pytest.raises(BoomError):
        router.reopen("c1")

    monkeypatch.undo()
    assert before == (list(store._closes), fingerprint(router))
    router.reopen("c1")
    for _ in range(10_000):
        router.close("c1")
        router.reopen("c1")
    assert len(store._closes) <= 2 * store.closed_count + 65
