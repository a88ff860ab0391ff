"""
Snapshots: the whole state as plain data, restored exactly, and bad data refused by key path.
"""

from __future__ import annotations

import copy
import gc
import json
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest

from agentroute import (
    Agent,
    HostCodeError,
    InvalidDataError,
    Item,
    ManualClock,
    ReentrantCallError,
    Router,
    UnsupportedVersionError,
    strategies,
)
from agentroute.rules import Condition, Rule, SetPriority
from agentroute.strategies import LeastBusy, Strategy
from tests.generators import make_agent, make_item

Data = dict[str, Any]


def busy_router() -> Router:
    """A router with work in every state, switches flipped, a dropped pool and draws made."""
    clock = ManualClock(1000.0)
    router = Router(seed=11, clock=clock, retain_closed=3, history_limit=4)
    router.add_department("billing", strategies={"chat": "random", "call": "round_robin"})
    router.add_department("support", mode="pull", unassign_on_close=True)
    router.add_department("sales", default_strategy="most_busy")
    both = {"billing": {"chat", "call"}, "support": {"chat"}}
    router.add_agent(Agent("ana", capacity={"chat": 2, "call": 1}, departments=both))
    router.add_agent(Agent("bob", role="owner", capacity={"chat": 2, "call": 1}, departments=both))
    router.add_agent(Agent("cy", capacity={"chat": 1}, departments={"billing": {"chat"}}))
    router.add_agent(make_agent("dee", departments={"sales": {"chat"}}))
    for agent in ("ana", "bob", "cy"):
        router.set_presence(agent, "online")
    router.set_channel("cy", "chat", enabled=False, department="billing")
    router.set_channel("bob", "call", enabled=False)
    for n in range(8):
        clock.advance(5)
        router.assign(make_item(f"c{n}", priority=1 + n % 3, sla_deadline=2000.0 + n))
    router.assign(make_item("p1", department="support"))
    router.assign(make_item("call1", channel="call"))
    router.assign(make_item("s1", department="sales"))
    router.close("c0", reason="solved")
    router.close("c1")
    router.reopen("c0")
    router.reply("c0")
    router.transfer("c2", to_department="support", actor="bob", reason="wrong desk")
    router.transfer("c5", to_department="sales", to_agent="dee", actor="bob", force=True)
    # Forced into support, where nobody takes calls: its pool is dropped at once.
    router.transfer("call1", to_department="support", to_agent="ana", actor="bob", force=True)
    for n in range(3):
        router.assign(make_item(f"x{n}", department="sales"))
        router.close(f"x{n}")
    router.add_department("vip", default_strategy="random", sticky=True)
    for agent in ("eve", "fay", "gus"):
        router.add_agent(Agent(agent, capacity={"chat": 2}, departments={"vip": {"chat"}}))
        router.set_presence(agent, "online")
    router.assign(make_item("v1", department="vip"))
    router.assign(Item("v2", channel="chat", department="vip", customer="acme"))
    router.add_agent(Agent("hal", capacity={"chat": 1}, departments={"vip": {"chat"}}))
    router.set_presence("hal", "online")
    router.start_break("hal", 120, reason="lunch")
    router.add_department("phones", strategies={"call": "ring_all"}, ring_timeout_s=3000)
    calls = {"phones": {"call"}}
    router.add_agent(
        Agent(
            "ivy",
            capacity={"call": 1, "chat": 1},
            departments=calls,
            units=4,
            unit_costs={"call": 4},
        )
    )
    router.add_agent(Agent("jo", capacity={"call": 1}, departments=calls))
    router.set_presence("ivy", "online")
    router.set_presence("jo", "online")
    router.assign(Item("ring1", channel="call", department="phones"))
    router.add_department("gold", dedicated={"gold": ["kim"]}, dedicated_wait_s=600)
    router.add_agent(Agent("kim", capacity={"chat": 1}, departments={"gold": {"chat"}}))
    router.add_rule(
        Rule(
            "gold first",
            on=["created"],
            when=[[Condition("tags", "contains", "vip")]],
            then=[SetPriority(2)],
        )
    )
    router.assign(
        Item(
            "g1",
            channel="chat",
            department="gold",
            group="gold",
            source="facebook",
            tags={"vip", "refund"},
            attributes={"plan": "gold", "seats": 40, "trial": False},
        )
    )
    return router


def plain(router: Router) -> Data:
    """The router's snapshot after a round trip through JSON."""
    data: Data = json.loads(json.dumps(router.snapshot()))
    return data


def test_a_snapshot_is_json_safe_and_restores_to_the_same_data() -> None:
    router = busy_router()
    data = router.snapshot()

    restored = Router.restore(plain(router))

    assert json.loads(json.dumps(data)) == data
    assert data == restored.snapshot()
    restored._check()


def test_a_snapshot_holds_every_state_the_router_keeps() -> None:
    data = busy_router().snapshot()

    states = {entry["item"]["id"]: entry["state"] for entry in data["items"]}

    assert {"queued", "offered", "assigned", "closed"} == set(states.values())
    assert "c1" not in states  # dropped by retain_closed=3
    assert [q["department"] for q in data["queues"]] == ["billing", "sales", "support"]
    assert data["queues"][2]["pull"] == ["c2", "p1"]
    [order] = data["draw_orders"]
    assert (order["department"], sorted(order["agents"])) == ("vip", ["eve", "fay", "gus"])
    assert data["settings"] == {
        "default_strategy": "least_busy",
        "self_service": False,
        "retain_closed": 3,
        "history_limit": 4,
        "remember_customers": 100_000,
    }
    assert [a["agent"]["id"] for a in data["agents"]][:4] == ["ana", "bob", "cy", "dee"]


def test_a_restored_router_answers_and_decides_like_the_original() -> None:
    original = busy_router()
    restored = Router.restore(plain(original), clock=ManualClock(5000.0))
    original._clock = ManualClock(5000.0)

    for router in (original, restored):
        router.set_presence("dee", "online")

    def script(router: Router) -> list[object]:
        calls: list[Callable[[], object]] = [
            *(partial(router.status, i) for i in ("c0", "c3", "c5", "p1", "x2")),
            lambda: router.history("c0"),
            lambda: router.owner("c2"),
            lambda: router.assigned_to("ana"),
            lambda: router.queued("support", "chat"),
        ]
        for n in range(6):
            calls.append(partial(router.assign, make_item(f"n{n}")))
            calls.append(partial(router.assign, make_item(f"v{n + 2}", department="vip")))
            calls.append(partial(router.close, f"c{n % 5 + 3}"))
            calls.append(partial(router.requeue, f"n{n}"))
        calls += [
            lambda: router.next_for("ana"),
            lambda: router.reopen("x2"),
            lambda: router.close("c5"),
            lambda: router.reopen("c5"),
            lambda: router.claim("c2", "bob"),
            lambda: router.set_presence("gus", "away"),
            lambda: router.assign(make_item("v9", department="vip")),
        ]
        return [_outcome(call) for call in calls]

    assert script(original) == script(restored)
    assert original.snapshot() == restored.snapshot()


def test_restore_takes_the_clock_and_journal_given() -> None:
    entries: list[dict[str, Any]] = []
    restored = Router.restore(plain(busy_router()), clock=ManualClock(42.0), journal=entries.append)

    restored.assign(make_item("late"))

    assert [(e["op"], e["at"]) for e in entries] == [("assign", 42.0)]


def test_a_custom_strategy_is_restored_by_its_registered_name() -> None:
    strategies.register("snapshot_custom", LeastBusy)
    try:
        router = Router()
        router.add_department("billing", default_strategy="snapshot_custom")
        router.add_agent(make_agent("ana"))
        data = plain(router)
    finally:
        strategies.unregister("snapshot_custom")

    with pytest.raises(InvalidDataError) as caught:
        Router.restore(data)

    assert caught.value.path == "departments[0].default_strategy"
    assert "'snapshot_custom'" in str(caught.value)
    assert "register it with agentroute.strategies.register()" in str(caught.value)
    strategies.register("snapshot_custom", LeastBusy)
    try:
        assert Router.restore(data).snapshot() == data
    finally:
        strategies.unregister("snapshot_custom")


def test_a_failing_strategy_factory_fails_the_restore() -> None:
    calls: list[int] = []

    def broken() -> Strategy:
        calls.append(1)
        if len(calls) > 1:  # the registry tries it once
            raise RuntimeError("no licence")
        return LeastBusy()

    router = Router()
    router.add_department("billing")
    router.add_agent(make_agent("ana"))
    data = plain(router)
    data["departments"][0]["default_strategy"] = "snapshot_broken"
    strategies.register("snapshot_broken", broken)
    try:
        with pytest.raises(HostCodeError, match="no licence"):
            Router.restore(data)
    finally:
        strategies.unregister("snapshot_broken")


def test_a_strategy_may_not_take_a_snapshot() -> None:
    router = Router()

    class Spy(LeastBusy):
        def rank(self, candidate: Any) -> tuple[Any, ...]:
            router.snapshot()
            return super().rank(candidate)

    strategies.register("snapshot_spy", Spy)
    try:
        router.add_department("billing", default_strategy="snapshot_spy")
        router.add_agent(make_agent("ana"))
        with pytest.raises(HostCodeError) as caught:
            router.set_presence("ana", "online")
    finally:
        strategies.unregister("snapshot_spy")

    assert isinstance(caught.value.__cause__, ReentrantCallError)


def _outcome(call: Callable[[], object]) -> object:
    """Return what *call* returned, or its error's type and message."""
    try:
        return call()
    except Exception as error:
        return (type(error), str(error))


# -- bad snapshots ---------------------------------------------------------------


def _item(data: Data, item_id: str) -> Data:
    found: Data = next(e for e in data["items"] if e["item"]["id"] == item_id)
    return found


def _index(data: Data, item_id: str) -> int:
    return next(i for i, e in enumerate(data["items"]) if e["item"]["id"] == item_id)


Mutation = Callable[[Data], object]


def _set(path: str, value: object) -> Mutation:
    """Return a mutation that sets the value at a dotted path (ints index lists)."""

    def mutate(data: Data) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value

    return mutate


def _delete(path: str) -> Mutation:
    def mutate(data: Data) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        del target[last]

    return mutate


def _assigned_to_zoe(data: Data) -> None:
    _item(data, "c3")["agent"] = "zoe"


def _more_load(data: Data) -> None:
    data["agents"][0]["seats"]["chat"]["load"] += 1


def _ghost_in_queue(data: Data) -> None:
    data["queues"][0]["push"].append("ghost")


def _history_disagrees(data: Data) -> None:
    _item(data, "c3")["history"][-1][5] = "cy"


def _swap_queue(data: Data) -> None:
    line = data["queues"][2]["pull"]
    line[0], line[1] = line[1], line[0]


def _queued_twice(data: Data) -> None:
    data["queues"][2]["pull"].append(data["queues"][0]["push"][0])


def _second_queue(data: Data) -> None:
    data["queues"].append(copy.deepcopy(data["queues"][2]))


def _unqueued(data: Data) -> None:
    data["queues"][2]["pull"].clear()


def _queued_item_with_agent(data: Data) -> None:
    entry = _item(data, "p1")
    entry["agent"] = "ana"
    entry["history"][-1][5] = "ana"


def _duplicate_item(data: Data) -> None:
    data["items"].append(copy.deepcopy(_item(data, "x2")))


def _duplicate_agent(data: Data) -> None:
    data["agents"].append(copy.deepcopy(data["agents"][3]))


def _second_owner(data: Data) -> None:
    data["agents"][0]["agent"]["role"] = "owner"


def _wrong_free_agents(data: Data) -> None:
    data["draw_orders"][0]["agents"] = ["dee"]


def _draw_order_of_ordered_pool(data: Data) -> None:
    data["draw_orders"].append({"department": "sales", "channel": "chat", "agents": []})


def _work_beside_free_agent(data: Data) -> None:
    data["agents"][2]["departments_off"] = []


def _booked_twice(data: Data) -> None:
    _item(data, "c4")["booked"] = _item(data, "c3")["booked"]


def _assigned_without_capacity(data: Data) -> None:
    entry = _item(data, "c3")
    entry["agent"] = "dee"
    entry["history"][-1][5] = "dee"
    entry["item"]["channel"] = "call"


def _too_many_closed(data: Data) -> None:
    data["settings"]["retain_closed"] = 1


def _closed_twice(data: Data) -> None:
    _item(data, "x2")["closed"] = _item(data, "x1")["closed"]


def _agent(data: Data, agent_id: str) -> Data:
    [state] = [s for s in data["agents"] if s["agent"]["id"] == agent_id]
    return state  # type: ignore[no-any-return]


def _waiting_and_queued(data: Data) -> None:
    data["queues"].append({"department": "gold", "channel": "chat", "push": ["g1"], "pull": []})


def _no_ring_timer(data: Data) -> None:
    data["timers"] = [t for t in data["timers"] if t["kind"] != "offer"]


def _ring_timer_of_waiting_item(data: Data) -> None:
    [timer] = [t for t in data["timers"] if t["kind"] == "offer"]
    data["timers"].append({**timer, "key": "p1", "seq": timer["seq"] - 1})


BAD: dict[str, tuple[Mutation, str, str]] = {
    "missing key": (_delete("counters"), "counters", "required key missing"),
    "wrong type": (_set("counters.tick", "3"), "counters.tick", "expected an int, got '3'"),
    "bool for int": (_set("counters.arrivals", True), "counters.arrivals", "expected an int"),
    "unknown key": (_set("agents.0.mood", "happy"), "agents[0]", "unknown key(s): mood"),
    "bad literal": (_set("departments.0.mode", "sideways"), "departments[0].mode", "sideways"),
    "bad agent": (_set("agents.0.agent.priority", 300), "agents[0].agent", "Agent.priority"),
    "infinite time": (_set("items.0.arrived_at", float("inf")), "items[0].arrived_at", "finite"),
    "negative retain": (_set("settings.retain_closed", -1), "settings.retain_closed", ">= 0"),
    "zero history": (_set("settings.history_limit", 0), "settings.history_limit", ">= 1"),
    "unknown default": (
        _set("settings.default_strategy", "fifo"),
        "settings.default_strategy",
        "'fifo'",
    ),
    "negative counter": (_set("counters.closes", -1), "counters.closes", ">= 0"),
    "random out of range": (_set("counters.random", 1 << 64), "counters.random", "2**64"),
    "bad department": (_set("departments.0.name", ""), "departments[0]", "non-empty"),
    "twice department": (
        _set("departments.1.name", "billing"),
        "departments[1].name",
        "appears twice",
    ),
    "unknown strategy": (
        _set("departments.0.strategies.chat", "leastbusy"),
        "departments[0].strategies.chat",
        "'leastbusy'",
    ),
    "twice agent": (_duplicate_agent, "agents[11].agent.id", "appears twice"),
    "second owner": (_second_owner, "agents[1].agent.role", "a second owner"),
    "unknown agent department": (
        _set("agents.3.agent.departments", {"marketing": ["chat"]}),
        "agents[3].agent.departments",
        "unknown department 'marketing'",
    ),
    "seats differ": (_set("agents.3.seats", {}), "agents[3].seats", "differ from capacity"),
    "unknown channel off": (
        _set("agents.0.channels_off", ["fax"]),
        "agents[0].channels_off",
        "'fax' is not one of",
    ),
    "department off not served": (
        _set("agents.3.departments_off", [["billing", "chat"]]),
        "agents[3].departments_off",
        "does not serve 'chat' in 'billing'",
    ),
    "tick ahead": (
        _set("agents.0.seats.chat.last_assigned", 10**6),
        "agents[0].seats.chat.last_assigned",
        "must be from 0",
    ),
    "held by unknown agent": (_assigned_to_zoe, "items[", "unknown agent 'zoe'"),
    "load disagrees": (_more_load, "agents[0].seats.chat.load", "items are assigned"),
    "queue names unknown item": (_ghost_in_queue, "queues[0].push[", "unknown item 'ghost'"),
    "history disagrees": (_history_disagrees, "items[", "its last row gives owner"),
    "history not a list": (_set("items.0.history", "none"), "items[0].history", "list"),
    "row not a list": (_set("items.0.history.0", "created"), "items[0].history[0]", "9 values"),
    "row too short": (_set("items.0.history.0", [1.0]), "items[0].history[0]", "9 values"),
    "row time": (_set("items.0.history.0.0", "noon"), "items[0].history[0]", "a finite time"),
    "row action": (_set("items.0.history.0.1", "ate"), "items[0].history[0]", "action 'ate'"),
    "row kind": (_set("items.0.history.0.7", "cat"), "items[0].history[0]", "kind 'cat'"),
    "row department": (
        _set("items.0.history.0.3", None),
        "items[0].history[0]",
        "expected a string, got None",
    ),
    "row reason": (_set("items.0.history.0.8", 7), "items[0].history[0]", "string or null"),
    "item not an object": (_set("items.0.item", "c2"), "items[0].item", "expected an object"),
    "item key missing": (
        _delete("items.0.item.channel"),
        "items[0].item",
        "missing 1 required keyword-only argument: 'channel'",
    ),
    "item key unknown": (
        _set("items.0.item.colour", "red"),
        "items[0].item",
        "unexpected keyword argument 'colour'",
    ),
    "item bad value": (_set("items.0.item.priority", 0), "items[0].item", "Item.priority"),
    "unknown timer kind": (_set("timers.0.kind", "alarm"), "timers[0].kind", "'alarm'"),
    "timer for no break": (_set("timers.0.key", "ana"), "timers[0]", "no agent 'ana'"),
    "timer at another time": (_set("timers.0.due", 1.0), "timers[0]", "whose break ends at 1.0"),
    "break without timer": (
        lambda d: d["timers"].clear(),
        "agents[7].on_break",
        "no timer ends this break",
    ),
    "timer twice": (
        lambda d: d["timers"].append({**d["timers"][0], "seq": 0}),
        "timers[",
        "not from 1 to",
    ),
    "shift timer without schedule": (
        lambda d: d["timers"].append({**d["timers"][0], "kind": "shift", "seq": 2}),
        "timers[",
        "no agent 'hal' with a schedule",
    ),
    "a second timer": (
        lambda d: d["timers"].append({**d["timers"][0], "seq": 2}),
        "timers[",
        "a second 'break' timer",
    ),
    "offline timer for an online agent": (
        lambda d: d["timers"].append({**d["timers"][0], "kind": "offline", "key": "ana", "seq": 2}),
        "timers[",
        "no agent 'ana' offline",
    ),
    "offline since while online": (
        _set("agents.0.offline_since", 5.0),
        "agents[0].offline_since",
        "not offline",
    ),
    "bad department wait": (
        _set("departments.0.requeue_offline_after_s", -1.0),
        "departments[0]",
        "requeue_offline_after_s",
    ),
    "held timer that is not an sla timer": (
        lambda d: d["timers"][0].update(held=True),
        "timers[0].held",
        "only the SLA timers of an assigned item are held",
    ),
    "sla timer for a closed item": (
        lambda d: d["timers"].append(
            {**d["timers"][0], "kind": "sla_breach", "key": "x2", "seq": 2}
        ),
        "timers[",
        "no item 'x2' waiting with an SLA deadline",
    ),
    "duty of unknown department": (
        lambda d: d["duties"].append(
            {
                "department": "x",
                "channel": "c",
                "agents": ["a"],
                "period_s": 1.0,
                "started_at": 0.0,
                "on_duty": "b",
            }
        ),
        "duties[0]",
        "unknown department 'x'",
    ),
    "second duty": (
        lambda d: d["duties"].extend(
            [
                {
                    "department": "vip",
                    "channel": "chat",
                    "agents": ["eve"],
                    "period_s": 0.0,
                    "started_at": 0.0,
                    "on_duty": "eve",
                }
            ]
            * 2
        ),
        "duties[",
        "a second rotation",
    ),
    "duty period": (
        lambda d: d["duties"].append(
            {
                "department": "vip",
                "channel": "chat",
                "agents": ["eve"],
                "period_s": 0.0,
                "started_at": 0.0,
                "on_duty": "eve",
            }
        ),
        "duties[0].period_s",
        "> 0",
    ),
    "duty timer without rotation": (
        lambda d: d["timers"].append({**d["timers"][0], "kind": "duty", "key": "[]", "seq": 2}),
        "timers[",
        "no channel '[]' a duty rotation of waits for it",
    ),
    "too many customers": (
        _set("settings.remember_customers", 0),
        "customers",
        "more than remember_customers=0",
    ),
    "negative customer memory": (
        _set("settings.remember_customers", -1),
        "settings.remember_customers",
        ">= 0",
    ),
    "customer twice": (
        lambda d: d["customers"].append({**d["customers"][0], "seq": 99}),
        "customers[",
        "appears twice",
    ),
    "customer out of order": (
        lambda d: d["customers"].append({**d["customers"][0], "customer": "new", "seq": 0}),
        "customers[",
        "is not after",
    ),
    "empty forwarding": (_set("agents.0.forward_to", ""), "agents[0].forward_to", "not empty"),
    "off shift without schedule": (
        _set("agents.0.off_shift", True),
        "agents[0].off_shift",
        "never off shift",
    ),
    "empty history": (_set("items.0.history", []), "items[0].history", "at least one row"),
    "long history": (
        lambda d: d["items"][0]["history"].extend(d["items"][0]["history"] * 4),
        "items[0].history",
        "more than history_limit=4",
    ),
    "twice item": (_duplicate_item, "items[", "appears twice"),
    "unknown item department": (
        _set("items.0.item.department", "marketing"),
        "items[0].item.department",
        "unknown department",
    ),
    "arrival ahead": (_set("items.0.arrival", 10**6), "items[0].arrival", "the counter"),
    "arrival twice": (
        lambda d: d["items"][1].update(arrival=d["items"][0]["arrival"]),
        "items[1].arrival",
        "used twice",
    ),
    "negative replies": (_set("items.0.replies", -1), "items[0].replies", ">= 0"),
    "booked while queued": (
        lambda d: _item(d, "p1").update(booked=1),
        "items[",
        "exactly while the item is assigned",
    ),
    "booked twice": (_booked_twice, "items[", "used twice"),
    "closed while open": (
        lambda d: _item(d, "p1").update(closed=1),
        "items[",
        "exactly while the item is closed",
    ),
    "closed twice": (_closed_twice, "items[", "used twice"),
    "waiting with agent": (_queued_item_with_agent, "items[", "a waiting item has no agent"),
    "no capacity": (_assigned_without_capacity, "items[", "has no capacity on 'call'"),
    "too many closed": (_too_many_closed, "items", "more than retain_closed=1"),
    "out of order": (_swap_queue, "queues[2].pull[1]", "out of queue order"),
    "waits twice": (_queued_twice, "queues[2].pull[", "waits twice"),
    "not waiting there": (_queued_twice, "queues[2].pull[", "does not wait in"),
    "second queue": (_second_queue, "queues[3]", "a second queue"),
    "in no queue": (_unqueued, "items[", "queued, but in no queue"),
    "wrong draw order": (_wrong_free_agents, "draw_orders[0]", "are not the free agents"),
    "draw order of ordered pool": (
        _draw_order_of_ordered_pool,
        "draw_orders[1]",
        "unordered pool",
    ),
    "work beside free agent": (_work_beside_free_agent, "queues", "while 'cy' is free"),
    "offered to nobody": (
        lambda d: _item(d, "ring1").update(offers=[]),
        "items[",
        "must list agents exactly while the item is offered",
    ),
    "offers while queued": (
        lambda d: _item(d, "p1").update(offers=["ana"]),
        "items[",
        "must list agents exactly while the item is offered",
    ),
    "offered with agent": (
        lambda d: _item(d, "ring1").update(agent="ivy"),
        "items[",
        "a waiting item has no agent",
    ),
    "offered twice": (
        lambda d: _item(d, "ring1").update(offers=["ivy", "ivy"]),
        "items[",
        "lists an agent twice",
    ),
    "offered to a stranger": (
        lambda d: _item(d, "ring1").update(offers=["zoe"]),
        "items[",
        "unknown agent 'zoe'",
    ),
    "offered to a non-member": (
        lambda d: _item(d, "ring1").update(offers=["ana"]),
        "items[",
        "agent 'ana' does not serve 'call' in 'phones'",
    ),
    "ring without timer": (_no_ring_timer, "timers", "no timer ends the ring of offered item"),
    "ring timer of a waiting item": (
        _ring_timer_of_waiting_item,
        "timers[",
        "no item 'p1' offered waits for it",
    ),
    "negative misses": (_set("agents.8.missed", -1), "agents[8].missed", ">= 0"),
    "waiting while queued too": (
        _waiting_and_queued,
        "items[",
        "set, but the item is in a queue too",
    ),
    "waiting while assigned": (
        lambda d: _item(d, "c3").update(waiting_for=["ana"]),
        "items[",
        "lists agents, but the item is assigned",
    ),
    "waiting twice": (
        lambda d: _item(d, "g1").update(waiting_for=["kim", "kim"]),
        "items[",
        "lists an agent twice",
    ),
    "waiting for a stranger": (
        lambda d: _item(d, "g1").update(waiting_for=["zoe"]),
        "items[",
        "'zoe' is not an agent serving 'chat' in 'gold'",
    ),
    "waiting for a free agent": (
        lambda d: _agent(d, "kim").update(presence="online", offline_since=None),
        "items",
        "item 'g1' waits for 'kim', who is free",
    ),
    "negative sticky wait": (
        _set("departments.5.sticky_wait_s", -1),
        "departments[5]",
        "sticky_wait_s: must be seconds >= 0",
    ),
    "assigned without booking time": (
        lambda d: _item(d, "c3").update(assigned_at=None),
        "items[",
        "must be set while the item is assigned",
    ),
    "twice rule": (
        lambda d: d["rules"].append(d["rules"][0]),
        "rules[1].name",
        "rule 'gold first' appears twice",
    ),
    "bad rule": (
        _set("rules.0.then", [{"do": "explode"}]),
        "rules[0]",
        "then[0]: unknown action 'explode'",
    ),
    "zero ring timeout": (
        _set("departments.4.ring_timeout_s", 0),
        "departments[4]",
        "ring_timeout_s: must be seconds > 0",
    ),
}


@pytest.fixture(scope="module")
def good() -> Data:
    return plain(busy_router())


@pytest.mark.parametrize("name", list(BAD))
def test_a_bad_snapshot_is_refused_naming_the_key_path(good: Data, name: str) -> None:
    mutate, path, message = BAD[name]
    data = copy.deepcopy(good)
    mutate(data)

    with pytest.raises(InvalidDataError) as caught:
        Router.restore(data)

    matching = [p for p in caught.value.problems if p.startswith(path) and message in p]
    assert matching, caught.value.problems
    assert str(caught.value).startswith("Refused snapshot (")


def test_every_problem_is_reported_at_once(good: Data) -> None:
    data = copy.deepcopy(good)
    data["counters"]["tick"] = "3"
    data["agents"][0]["mood"] = "happy"

    with pytest.raises(InvalidDataError) as caught:
        Router.restore(data)

    assert len(caught.value.problems) == 2
    assert "(2 problems)" in str(caught.value)


@pytest.mark.parametrize(
    ("data", "path", "found"),
    [
        ({"format": "agentroute.journal", "version": 1}, "format", "agentroute.journal"),
        ({"format": "agentroute.snapshot", "version": 2}, "version", 2),
        ({"format": "agentroute.snapshot", "version": "1"}, "version", "1"),
        ({"version": 1}, "format", None),
    ],
)
def test_another_format_or_a_newer_version_is_refused(data: Data, path: str, found: object) -> None:
    with pytest.raises(UnsupportedVersionError) as caught:
        Router.restore(data)

    assert (caught.value.path, caught.value.found) == (path, found)
    assert caught.value.supported == "format 'agentroute.snapshot' up to version 1"


def test_a_snapshot_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(InvalidDataError, match=r"\(top level\): expected an object"):
        Router.restore([1, 2])  # type: ignore[arg-type]


def test_two_routers_that_took_the_same_calls_give_equal_snapshots() -> None:
    assert busy_router().snapshot() == busy_router().snapshot()


def _all_keys(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _all_keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _all_keys(inner)


def test_a_snapshot_names_no_wall_clock_or_host_object() -> None:
    keys = set(_all_keys(busy_router().snapshot()))

    assert not keys & {"clock", "journal", "subscriptions", "now", "taken_at"}


@pytest.mark.parametrize("enabled", [True, False])
def test_snapshot_and_restore_leave_the_collector_as_they_found_it(enabled: bool) -> None:
    router = busy_router()
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        Router.restore(router.snapshot())
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
