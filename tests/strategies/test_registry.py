from __future__ import annotations

from collections.abc import Sequence
from random import Random
from typing import Any

import pytest

from agentroute import (
    Decision,
    DuplicateStrategyError,
    HostCodeError,
    InvalidValueError,
    Router,
    UnknownStrategyError,
    strategies,
)
from agentroute.strategies import (
    Candidate,
    LeastBusy,
    MostBusy,
    Priority,
    RandomChoice,
    Rank,
    RoundRobin,
    choose_first,
)
from tests.conftest import Register
from tests.generators import make_agent, make_item, make_router, observe

BUILTINS = ["least_busy", "most_busy", "priority", "random", "round_robin"]


class MostFree:
    """The agent with the most free slots first; ties go to the smallest id."""

    def rank(self, candidate: Candidate) -> Rank:
        return (candidate.load - candidate.limit, candidate.agent)

    choose = staticmethod(choose_first)


class Stranger:
    """Chooses something that is not one of the ranked candidates."""

    def rank(self, candidate: Candidate) -> Rank:
        return (candidate.agent,)

    def choose(self, ranked: Sequence[Candidate], rng: Random) -> Candidate:
        return "nobody"  # type: ignore[return-value]


class Counting:
    """A factory that counts its calls and numbers the strategies it builds."""

    def __init__(self) -> None:
        self.built: list[LeastBusy] = []

    def __call__(self) -> LeastBusy:
        strategy = LeastBusy()
        self.built.append(strategy)
        return strategy


def test_builtins_are_registered_and_sorted() -> None:
    """names() lists the five built-ins, sorted."""
    names = [name for name in strategies.names() if name in BUILTINS]

    assert BUILTINS == names
    assert sorted(strategies.names()) == strategies.names()


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("least_busy", LeastBusy),
        ("most_busy", MostBusy),
        ("priority", Priority),
        ("random", RandomChoice),
        ("round_robin", RoundRobin),
    ],
)
def test_create_builds_a_fresh_builtin(name: str, cls: Any) -> None:
    """create() builds a new instance of the class registered under the name."""
    first = strategies.create(name)

    second = strategies.create(name)

    assert (cls, cls, name) == (type(first), type(second), cls.name)
    assert first is not second


def test_create_unknown_lists_the_known_names() -> None:
    """An unknown name raises UnknownStrategyError listing what is registered."""
    with pytest.raises(
        UnknownStrategyError,
        match=r"Unknown strategy 'rr'; known: least_busy, most_busy, priority, random, ring_all, "
        r"round_robin"
        r"\. Register it with agentroute\.strategies\.register\(\)\.",
    ) as info:
        strategies.create("rr")

    assert "rr" == info.value.strategy


def test_register_create_unregister(register_strategy: Register) -> None:
    """A registered name is listed and built by its factory; unregister() removes it."""
    register_strategy("most_free", MostFree)

    listed = "most_free" in strategies.names()
    built = strategies.create("most_free")
    strategies.unregister("most_free")

    assert (True, MostFree, False) == (listed, type(built), "most_free" in strategies.names())


@pytest.mark.parametrize("name", ["MostFree", "1st", "", "most-free", "_private", "a b", 7, None])
def test_register_refuses_names_that_are_not_snake_case(name: Any) -> None:
    """Names must be snake_case strings; the registry is unchanged after a refusal."""
    before = strategies.names()

    with pytest.raises(InvalidValueError, match="must be snake_case") as info:
        strategies.register(name, MostFree)

    assert ("strategy name", before) == (info.value.path, strategies.names())


def test_register_refuses_a_duplicate_and_keeps_the_first(register_strategy: Register) -> None:
    """A taken name raises DuplicateStrategyError; the first factory stays."""
    register_strategy("most_free", MostFree)

    with pytest.raises(DuplicateStrategyError, match="'most_free' is already registered") as e:
        strategies.register("most_free", LeastBusy)

    assert ("most_free", MostFree) == (e.value.strategy, type(strategies.create("most_free")))


def test_register_refuses_to_replace_a_builtin() -> None:
    """Built-in names are taken like any other."""
    with pytest.raises(DuplicateStrategyError, match="pick another name"):
        strategies.register("round_robin", MostFree)

    assert isinstance(strategies.create("round_robin"), RoundRobin)


def test_register_refuses_a_non_callable_factory() -> None:
    """The factory must be callable."""
    before = strategies.names()

    with pytest.raises(InvalidValueError, match=r"zero-argument callable, got LeastBusy\(\)") as e:
        strategies.register("least_busier", LeastBusy())  # type: ignore[arg-type]

    assert ("factory", before) == (e.value.path, strategies.names())


def test_register_refuses_a_factory_building_a_non_strategy() -> None:
    """The factory must build something with rank() and choose()."""
    before = strategies.names()

    with pytest.raises(
        InvalidValueError, match=r"must build an object with rank\(\) and choose\(\)"
    ):
        strategies.register("not_one", object)  # type: ignore[arg-type]

    assert before == strategies.names()


def test_unregister_unknown_raises() -> None:
    """Unregistering a name never registered raises UnknownStrategyError."""
    with pytest.raises(UnknownStrategyError, match="'nothing'; known: ") as info:
        strategies.unregister("nothing")

    assert "nothing" == info.value.strategy


def test_custom_strategy_routes_end_to_end(register_strategy: Register) -> None:
    """A host's strategy is named in add_department like a built-in and decides assignments."""
    register_strategy("most_free", MostFree)
    router = make_router(
        make_agent("ana", capacity={"chat": 1}),
        make_agent("bob", capacity={"chat": 3}),
        strategy="most_free",
    )

    decisions = [router.assign(make_item(f"c{n}")) for n in range(4)]

    assert [
        Decision("c0", "assigned", "bob", "billing", "chat", "most_free"),
        Decision("c1", "assigned", "bob", "billing", "chat", "most_free"),
        Decision("c2", "assigned", "ana", "billing", "chat", "most_free"),
        Decision("c3", "assigned", "bob", "billing", "chat", "most_free"),
    ] == decisions


def test_factory_is_called_once_per_pool(register_strategy: Register) -> None:
    """The router builds one strategy per (department, channel), so strategies may keep state."""
    factory = Counting()
    register_strategy("counting", factory)
    router = make_router(
        make_agent("ana", capacity={"chat": 2, "call": 1}, departments={"billing": ["chat"]}),
        strategy="counting",
        departments=["billing", "sales"],
    )

    router.assign(make_item("c1"))
    router.assign(make_item("c2"))
    router.assign(make_item("k1", channel="call"))
    router.assign(make_item("s1", department="sales"))

    assert 1 + 3 == len(factory.built)


def test_router_keeps_its_instance_after_unregister(register_strategy: Register) -> None:
    """Routers that already use a strategy keep it after it is unregistered."""
    register_strategy("most_free", MostFree)
    router = make_router(make_agent("ana", capacity={"chat": 2}), strategy="most_free")
    router.assign(make_item("c1"))
    strategies.unregister("most_free")

    decision = router.assign(make_item("c2"))

    assert ("ana", "most_free") == (decision.agent, decision.strategy)


def test_department_naming_an_unknown_strategy_is_refused() -> None:
    """add_department refuses a strategy name nobody registered, and adds nothing."""
    router = Router()

    with pytest.raises(UnknownStrategyError, match="'most_free'"):
        router.add_department("billing", strategies={"chat": "most_free"})

    assert [] == router.departments()


def test_choice_outside_the_candidates_is_refused(register_strategy: Register) -> None:
    """A choose() returning a non-candidate raises HostCodeError; assign changes nothing."""
    register_strategy("stranger", Stranger)
    router = make_router("ana", strategy="stranger")
    before = observe(router, ["c1"])

    with pytest.raises(
        HostCodeError, match=r"strategy 'stranger' of \('billing', 'chat'\) chose 'nobody'"
    ) as info:
        router.assign(make_item("c1"))

    assert "strategy 'stranger' of ('billing', 'chat')" == info.value.culprit
    assert before == observe(router, ["c1"])


def test_choice_outside_the_candidates_during_a_drain_undoes_the_whole_call(
    register_strategy: Register,
) -> None:
    """A bad choose() while draining raises, and the presence change is undone with the rest."""
    register_strategy("stranger", Stranger)
    router = make_router("ana", strategy="stranger", online=False)
    router.assign(make_item("c1"))
    before = observe(router, ["c1"])

    with pytest.raises(HostCodeError, match="must return an element"):
        router.set_presence("ana", "online")

    assert before == observe(router, ["c1"])
    assert "offline" == router.presence("ana")


def test_add_agent_after_unregister_uses_the_configured_strategy(
    register_strategy: Register,
) -> None:
    """A department keeps the strategy it was configured with, even after unregister()."""
    register_strategy("most_free", MostFree)
    router = make_router(strategy="most_free")
    strategies.unregister("most_free")

    router.add_agent(make_agent("ana"))
    router.set_presence("ana", "online")
    decision = router.assign(make_item("c1"))

    assert ("ana", "most_free") == (decision.agent, decision.strategy)


def test_update_agent_after_unregister_uses_the_configured_strategy(
    register_strategy: Register,
) -> None:
    """Joining a department whose strategy was unregistered since works with the configured one."""
    register_strategy("most_free", MostFree)
    router = make_router("ana")
    router.add_department("sales", default_strategy="most_free")
    strategies.unregister("most_free")

    router.update_agent(make_agent("ana", departments={"sales": ["chat"]}))
    decision = router.assign(make_item("c1", department="sales"))

    assert ("ana", "most_free") == (decision.agent, decision.strategy)


def test_a_department_keeps_its_factory_when_the_name_is_registered_again(
    register_strategy: Register,
) -> None:
    """A department added before a name was registered again keeps the old factory for new pools."""
    register_strategy("house", LeastBusy)
    router = make_router(strategy="house")
    strategies.unregister("house")
    register_strategy("house", MostBusy)
    router.add_department("sales", default_strategy="house")
    for agent_id in ["ana", "bob"]:
        router.add_agent(make_agent(agent_id, capacity={"ticket": 3}))
        router.set_presence(agent_id, "online")

    chosen = [router.assign(make_item(i, channel="ticket")).agent for i in ["t1", "t2", "t3"]]

    assert ["ana", "bob", "ana"] == chosen
