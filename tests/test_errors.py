from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs
import pytest

from agentroute import (
    AgentBusyError,
    AgentrouteError,
    DuplicateAgentError,
    DuplicateDepartmentError,
    DuplicateError,
    DuplicateItemError,
    DuplicateOwnerError,
    DuplicateRuleError,
    DuplicateStrategyError,
    HostCodeError,
    InvalidDataError,
    InvalidStateError,
    InvalidValueError,
    ItemClosedError,
    ManualClock,
    NotEligibleError,
    NotFoundError,
    NotOfferedError,
    PermissionDeniedError,
    ReentrantCallError,
    Router,
    Rule,
    UnknownAgentError,
    UnknownDepartmentError,
    UnknownItemError,
    UnknownRuleError,
    UnknownStrategyError,
    UnsupportedVersionError,
    errors,
    strategies,
)
from agentroute.rules import Stop
from tests.generators import make_agent, make_item, make_router, observe

ITEMS = ("c1", "c2", "c3", "t1", "s1", "x1", "new")


def scenario() -> Router:
    """
    Build a router with work in every state.

    billing: ana (chat 1, ticket 2) and bob (chat 1, also in sales), both online.
    sales: bob and cy (offline). c1 -> ana, c2 -> bob, c3 queued, t1 -> ana,
    s1 queued in sales, x1 closed.
    """
    router = Router(seed=7, clock=ManualClock(1000.0))
    router.add_department("billing", strategies={"ticket": "round_robin"})
    router.add_department("sales")
    router.add_agent(make_agent("ana", capacity={"chat": 1, "ticket": 2}))
    router.add_agent(make_agent("bob", departments={"billing": ["chat"], "sales": ["chat"]}))
    router.add_agent(make_agent("cy", departments={"sales": ["chat"]}))
    router.set_presence("ana", "online")
    router.set_presence("bob", "online")
    for item in [
        make_item("c1"),
        make_item("c2"),
        make_item("c3"),
        make_item("t1", channel="ticket"),
        make_item("s1", department="sales"),
        make_item("x1", channel="ticket"),
    ]:
        router.assign(item)
    router.close("x1")
    return router


@attrs.frozen
class Failure:
    """A public call on scenario() that must raise, and what it must say."""

    call: Callable[[Router], object]
    error: type[AgentrouteError]
    match: str
    context: Mapping[str, object] = attrs.field(factory=dict)


def _add_rule_twice(router: Router) -> None:
    router.add_rule(Rule("x", on=["closed"], then=[Stop()]))
    router.add_rule(Rule("x", on=["closed"], then=[Stop()]))


FAILURES: dict[str, Failure] = {
    "apply-not-an-entry": Failure(
        lambda r: r.apply({"format": "agentroute.snapshot", "version": 1}),
        UnsupportedVersionError,
        "format: found 'agentroute.snapshot'; this release reads format 'agentroute.journal'",
        {"path": "format", "found": "agentroute.snapshot"},
    ),
    "apply-unknown-operation": Failure(
        lambda r: r.apply(
            {"format": "agentroute.journal", "version": 1, "op": "explode", "at": 1.0, "args": {}}
        ),
        InvalidDataError,
        "op: unknown operation 'explode'",
        {"path": "op"},
    ),
    "add_department-duplicate": Failure(
        lambda r: r.add_department("billing"),
        DuplicateDepartmentError,
        "Department 'billing' already exists",
        {"department": "billing"},
    ),
    "add_department-empty-name": Failure(
        lambda r: r.add_department(""), InvalidValueError, "non-empty", {"path": "department"}
    ),
    "add_department-unknown-strategy": Failure(
        lambda r: r.add_department("support", strategies={"chat": "rr"}),
        UnknownStrategyError,
        r"'rr'; known: least_busy, .*round_robin.*Register it with agentroute\.strategies",
        {"strategy": "rr"},
    ),
    "add_department-bad-channel": Failure(
        lambda r: r.add_department("support", strategies={"": "random"}),
        InvalidValueError,
        "non-empty string",
        {"path": "Department.strategies key"},
    ),
    "add_department-unknown-default": Failure(
        lambda r: r.add_department("support", default_strategy="fifo"),
        UnknownStrategyError,
        "'fifo'; known: ",
        {"strategy": "fifo"},
    ),
    "add_agent-duplicate": Failure(
        lambda r: r.add_agent(make_agent("ana")),
        DuplicateAgentError,
        r"Agent 'ana' already exists; change it with Router\.update_agent\(\)",
        {"agent": "ana"},
    ),
    "add_agent-unknown-department": Failure(
        lambda r: r.add_agent(make_agent("dan", departments={"support": ["chat"]})),
        UnknownDepartmentError,
        r"'support'; known: billing, sales\. Add it first with Router\.add_department\(\)",
        {"department": "support"},
    ),
    "add_agent-not-an-agent": Failure(
        lambda r: r.add_agent("dan"),  # type: ignore[arg-type]
        InvalidValueError,
        "must be an agentroute.Agent",
        {"path": "agent"},
    ),
    "update_agent-unknown": Failure(
        lambda r: r.update_agent(make_agent("zed")),
        UnknownAgentError,
        r"Unknown agent 'zed'; add it first with Router\.add_agent\(\)",
        {"agent": "zed"},
    ),
    "update_agent-strands-work": Failure(
        lambda r: r.update_agent(make_agent("ana", capacity={"ticket": 2})),
        AgentBusyError,
        r"take that channel or department away: agent 'ana' holds 'c1'.*requeue=True",
        {"agent": "ana", "items": ("c1",)},
    ),
    "update_agent-strands-department": Failure(
        lambda r: r.update_agent(make_agent("bob", departments={"sales": ["chat"]})),
        AgentBusyError,
        "agent 'bob' holds 'c2'",
        {"agent": "bob", "items": ("c2",)},
    ),
    "update_agent-unknown-department": Failure(
        lambda r: r.update_agent(make_agent("ana", departments={"support": ["chat"]})),
        UnknownDepartmentError,
        "'support'",
        {"department": "support"},
    ),
    "update_agent-not-an-agent": Failure(
        lambda r: r.update_agent(None),  # type: ignore[arg-type]
        InvalidValueError,
        "must be an agentroute.Agent",
        {"path": "agent"},
    ),
    "remove_agent-unknown": Failure(
        lambda r: r.remove_agent("zed"), UnknownAgentError, "'zed'", {"agent": "zed"}
    ),
    "remove_agent-busy": Failure(
        lambda r: r.remove_agent("ana"),
        AgentBusyError,
        r"Cannot remove the agent: agent 'ana' holds 'c1', 't1'\. Close that work first",
        {"agent": "ana", "items": ("c1", "t1")},
    ),
    "set_presence-unknown": Failure(
        lambda r: r.set_presence("zed", "online"), UnknownAgentError, "'zed'", {"agent": "zed"}
    ),
    "set_presence-bad": Failure(
        lambda r: r.set_presence("cy", "busy"),  # type: ignore[arg-type]
        InvalidValueError,
        "must be one of online, away, offline, got 'busy'",
        {"path": "presence"},
    ),
    "set_channel-unknown-agent": Failure(
        lambda r: r.set_channel("zed", "chat", enabled=False),
        UnknownAgentError,
        "'zed'",
        {"agent": "zed"},
    ),
    "set_channel-no-capacity": Failure(
        lambda r: r.set_channel("ana", "call", enabled=True),
        InvalidValueError,
        r"no capacity on 'call' \(has: chat, ticket\); give it one with set_capacity\(\)",
        {"path": "channel"},
    ),
    "set_channel-not-bool": Failure(
        lambda r: r.set_channel("ana", "chat", enabled=0),  # type: ignore[arg-type]
        InvalidValueError,
        "must be True or False, got 0",
        {"path": "enabled"},
    ),
    "set_capacity-unknown-agent": Failure(
        lambda r: r.set_capacity("zed", "chat", 2), UnknownAgentError, "'zed'", {"agent": "zed"}
    ),
    "set_capacity-negative": Failure(
        lambda r: r.set_capacity("cy", "chat", -1),
        InvalidValueError,
        "must be an int >= 0, got -1",
        {"path": "limit"},
    ),
    "set_capacity-empty-channel": Failure(
        lambda r: r.set_capacity("cy", "", 1),
        InvalidValueError,
        "non-empty string",
        {"path": "channel"},
    ),
    "agent-unknown": Failure(
        lambda r: r.agent("zed"), UnknownAgentError, "'zed'", {"agent": "zed"}
    ),
    "presence-unknown": Failure(
        lambda r: r.presence("zed"), UnknownAgentError, "'zed'", {"agent": "zed"}
    ),
    "load-unknown": Failure(lambda r: r.load("zed"), UnknownAgentError, "'zed'", {"agent": "zed"}),
    "assigned_to-unknown": Failure(
        lambda r: r.assigned_to("zed"), UnknownAgentError, "'zed'", {"agent": "zed"}
    ),
    "channel_enabled-unknown": Failure(
        lambda r: r.channel_enabled("zed", "chat"), UnknownAgentError, "'zed'", {"agent": "zed"}
    ),
    "channel_enabled-no-capacity": Failure(
        lambda r: r.channel_enabled("cy", "ticket"),
        InvalidValueError,
        "set_capacity",
        {"path": "channel"},
    ),
    "assign-duplicate-assigned": Failure(
        lambda r: r.assign(make_item("c1")),
        DuplicateItemError,
        r"Item 'c1' is already known; item ids must be unique \(Router\.forget\(\)",
        {"item": "c1"},
    ),
    "assign-duplicate-queued": Failure(
        lambda r: r.assign(make_item("c3")), DuplicateItemError, "'c3'", {"item": "c3"}
    ),
    "assign-duplicate-closed": Failure(
        lambda r: r.assign(make_item("x1")), DuplicateItemError, "'x1'", {"item": "x1"}
    ),
    "assign-unknown-department": Failure(
        lambda r: r.assign(make_item("new", department="support")),
        UnknownDepartmentError,
        "'support'; known: billing, sales",
        {"department": "support"},
    ),
    "assign-not-an-item": Failure(
        lambda r: r.assign("new"),  # type: ignore[arg-type]
        InvalidValueError,
        "must be an agentroute.Item, got 'new'",
        {"path": "item"},
    ),
    "close-unknown": Failure(
        lambda r: r.close("new"),
        UnknownItemError,
        r"Unknown item 'new'; route it first with Router\.assign\(\)",
        {"item": "new"},
    ),
    "close-closed": Failure(
        lambda r: r.close("x1"),
        ItemClosedError,
        "Cannot close item 'x1': it is already closed",
        {"item": "x1"},
    ),
    "forget-assigned": Failure(
        lambda r: r.forget("c1"),
        InvalidStateError,
        "Cannot forget item 'c1': it is assigned to 'ana'; close it first",
    ),
    "forget-queued": Failure(
        lambda r: r.forget("c3"), InvalidStateError, "it is queued; close it first"
    ),
    "forget-unknown": Failure(
        lambda r: r.forget("new"), UnknownItemError, "'new'", {"item": "new"}
    ),
    "status-unknown": Failure(
        lambda r: r.status("new"), UnknownItemError, "'new'", {"item": "new"}
    ),
    "queue_length-unknown": Failure(
        lambda r: r.queue_length("support"),
        UnknownDepartmentError,
        "'support'",
        {"department": "support"},
    ),
    "queued-unknown": Failure(
        lambda r: r.queued("support", "chat"),
        UnknownDepartmentError,
        "'support'",
        {"department": "support"},
    ),
    "transfer-someone-elses-item": Failure(
        lambda r: r.transfer("c2", to_agent="ana", actor="ana"),
        PermissionDeniedError,
        "'ana' may not transfer an item held by 'bob': an agent may transfer only items they hold",
        {"actor": "ana"},
    ),
    "transfer-forced-by-an-agent": Failure(
        lambda r: r.transfer("c1", to_agent="bob", actor="ana", force=True),
        PermissionDeniedError,
        "only an owner or administrator may",
        {"actor": "ana", "action": "force a transfer"},
    ),
    "transfer-to-a-non-member": Failure(
        lambda r: r.transfer("c1", to_agent="cy"),
        NotEligibleError,
        "Agent 'cy' cannot take item 'c1': does not serve 'chat' in 'billing'",
        {"agent": "cy", "item": "c1"},
    ),
    "transfer-forced-to-a-full-agent": Failure(
        lambda r: r.transfer("c1", to_agent="bob", force=True),
        NotEligibleError,
        r"is full on 'chat' \(1/1\).*never exceeded",
        {"agent": "bob", "item": "c1"},
    ),
    "transfer-without-target": Failure(
        lambda r: r.transfer("c1"),
        InvalidValueError,
        "give to_agent, to_department, or both",
        {"path": "transfer"},
    ),
    "transfer-closed": Failure(
        lambda r: r.transfer("x1", to_department="sales"),
        ItemClosedError,
        "Cannot transfer item 'x1': it is already closed",
        {"item": "x1"},
    ),
    "set-channel-of-someone-else": Failure(
        lambda r: r.set_channel("bob", "chat", enabled=False, actor="ana"),
        PermissionDeniedError,
        "an agent may change only their own",
        {"actor": "ana"},
    ),
    "set-own-channel-without-self-service": Failure(
        lambda r: r.set_channel("ana", "chat", enabled=False, actor="ana"),
        PermissionDeniedError,
        "self-service is off; an administrator can turn it on",
        {"actor": "ana"},
    ),
    "set-self-service-as-an-agent": Failure(
        lambda r: r.set_self_service(True, actor="ana"),
        PermissionDeniedError,
        "only an owner or administrator may",
        {"actor": "ana"},
    ),
    "remove-an-unknown-rule": Failure(
        lambda r: r.remove_rule("nope"),
        UnknownRuleError,
        "Unknown rule 'nope'; known: none yet",
        {"rule": "nope"},
    ),
    "add-a-rule-twice": Failure(
        _add_rule_twice,
        DuplicateRuleError,
        "A rule named 'x' exists already",
        {"rule": "x"},
    ),
    "accept-an-item-not-offered": Failure(
        lambda r: r.accept("c1", "bob"),
        NotOfferedError,
        "Item 'c1' is not offered to 'bob': it was taken by 'ana'",
        {"item": "c1", "agent": "bob"},
    ),
    "claim-an-assigned-item": Failure(
        lambda r: r.claim("c1", "bob"),
        InvalidStateError,
        "it is assigned to 'ana'; transfer it instead",
    ),
    "claim-for-someone-else": Failure(
        lambda r: r.claim("c3", "ana", actor="bob"),
        PermissionDeniedError,
        "an agent may claim only for themselves",
        {"actor": "bob"},
    ),
    "claim-while-full": Failure(
        lambda r: r.claim("c3", "ana"),
        NotEligibleError,
        r"Agent 'ana' cannot take item 'c3': is full on 'chat' \(1/1\)",
        {"agent": "ana", "item": "c3"},
    ),
    "next-for-an-offline-agent": Failure(
        lambda r: r.next_for("cy"),
        NotEligibleError,
        "is offline. Set them online",
        {"agent": "cy"},
    ),
    "reopen-an-open-item": Failure(
        lambda r: r.reopen("c1"),
        InvalidStateError,
        "Cannot reopen item 'c1': it is assigned to 'ana'; only a closed item can be reopened",
    ),
    "subscribe-to-an-unknown-kind": Failure(
        lambda r: r.subscribe(print, kinds=["asigned"]),
        InvalidValueError,
        r"unknown event kind\(s\) \['asigned'\]",
        {"path": "kinds"},
    ),
    "remove-agent-with-a-non-bool-requeue": Failure(
        lambda r: r.remove_agent("ana", requeue="yes"),  # type: ignore[arg-type]
        InvalidValueError,
        "requeue: must be True or False, got 'yes'",
        {"path": "requeue"},
    ),
    "update-agent-with-a-non-bool-requeue": Failure(
        lambda r: r.update_agent(r.agent("ana"), requeue=1),  # type: ignore[arg-type]
        InvalidValueError,
        "requeue: must be True or False, got 1",
        {"path": "requeue"},
    ),
}


@pytest.mark.parametrize(
    ("base", "builtin", "error"),
    [
        (NotFoundError, LookupError, UnknownAgentError),
        (NotFoundError, LookupError, UnknownItemError),
        (NotFoundError, LookupError, UnknownDepartmentError),
        (NotFoundError, LookupError, UnknownStrategyError),
        (DuplicateError, ValueError, DuplicateAgentError),
        (DuplicateError, ValueError, DuplicateItemError),
        (DuplicateError, ValueError, DuplicateDepartmentError),
        (DuplicateError, ValueError, DuplicateStrategyError),
        (AgentrouteError, ValueError, InvalidValueError),
        (AgentrouteError, RuntimeError, InvalidStateError),
        (InvalidStateError, RuntimeError, AgentBusyError),
        (InvalidStateError, RuntimeError, ItemClosedError),
    ],
)
def test_hierarchy(base: type[Exception], builtin: type[Exception], error: type[Exception]) -> None:
    """Every error derives from its family, AgentrouteError, and the matching builtin."""
    families = (issubclass(error, base), issubclass(error, AgentrouteError))

    assert (True, True, True) == (*families, issubclass(error, builtin))


@pytest.mark.parametrize("name", list(FAILURES))
def test_failing_call_raises_with_context(name: str) -> None:
    """Each failing call raises its specific error, which keeps the value and says what to do."""
    failure = FAILURES[name]
    router = scenario()

    with pytest.raises(failure.error, match=failure.match) as info:
        failure.call(router)

    assert failure.error is type(info.value)
    assert dict(failure.context) == {key: getattr(info.value, key) for key in failure.context}


@pytest.mark.parametrize("name", list(FAILURES))
def test_failing_call_changes_nothing(name: str) -> None:
    """A call that raises leaves every observable part of the router as it was."""
    router = scenario()
    before = observe(router, ITEMS)

    with pytest.raises(AgentrouteError):
        FAILURES[name].call(router)

    assert before == observe(router, ITEMS)
    router._check()


def test_scenario_is_what_the_table_assumes() -> None:
    """The scenario holds work in every state the failure table relies on."""
    router = scenario()

    states = {item: router.status(item).state for item in ITEMS[:-1]}

    assert {
        "c1": "assigned",
        "c2": "assigned",
        "c3": "queued",
        "t1": "assigned",
        "s1": "queued",
        "x1": "closed",
    } == states
    assert (("c1", "t1"), ("c2",)) == (router.assigned_to("ana"), router.assigned_to("bob"))


def test_every_error_class_is_raised_by_the_table() -> None:
    """Each concrete class of agentroute.errors is raised by a call in the table (or below)."""
    families = {AgentrouteError, NotFoundError, DuplicateError}
    concrete = {getattr(errors, name) for name in errors.__all__} - families
    raised = {failure.error for failure in FAILURES.values()}
    raised_below = {DuplicateStrategyError, DuplicateOwnerError, HostCodeError, ReentrantCallError}

    missing = concrete - raised - raised_below

    assert set() == missing


def test_duplicate_strategy_keeps_the_first() -> None:
    """Registering a taken name raises DuplicateStrategyError and keeps the original."""
    before = strategies.names()

    with pytest.raises(DuplicateStrategyError, match=r"'priority' is already .*pick another") as e:
        strategies.register("priority", strategies.LeastBusy)

    assert "priority" == e.value.strategy
    assert before == strategies.names()
    assert strategies.Priority() == strategies.create("priority")


def test_unknown_department_message_when_none_exist() -> None:
    """With no departments yet, the message says so instead of listing nothing."""
    router = Router()

    with pytest.raises(UnknownDepartmentError, match="known: none yet"):
        router.queue_length("billing")


def test_agent_busy_lists_at_most_five_items() -> None:
    """AgentBusyError keeps every item but shows five and counts the rest."""
    router = make_router(make_agent("ana", capacity={"chat": 7}))
    for n in range(7):
        router.assign(make_item(f"c{n}"))

    with pytest.raises(AgentBusyError, match=r"'c0', 'c1', 'c2', 'c3', 'c4' and 2 more\.") as e:
        router.remove_agent("ana")

    assert tuple(f"c{n}" for n in range(7)) == e.value.items


@pytest.mark.parametrize(
    ("kwargs", "error", "path_or_value"),
    [
        ({"seed": "7"}, InvalidValueError, "seed"),
        ({"seed": True}, InvalidValueError, "seed"),
        ({"clock": 5.0}, InvalidValueError, "clock"),
        ({"default_strategy": "fifo"}, UnknownStrategyError, "fifo"),
    ],
)
def test_router_constructor_validates(
    kwargs: dict[str, object], error: type[AgentrouteError], path_or_value: str
) -> None:
    """Bad constructor options raise typed errors naming the option or value."""
    with pytest.raises(error) as info:
        Router(**kwargs)  # type: ignore[arg-type]

    context = getattr(info.value, "path", None) or getattr(info.value, "strategy", None)
    assert path_or_value == context


def test_duplicate_department_says_what_to_do() -> None:
    """Like every other error, DuplicateDepartmentError ends with a hint after naming the value."""
    router = make_router()

    with pytest.raises(DuplicateDepartmentError, match=r"already exists; +\S"):
        router.add_department("billing")


def test_add_department_refuses_non_mapping_strategies() -> None:
    """A non-mapping strategies argument is an InvalidValueError, not dict()'s ValueError."""
    router = make_router()

    with pytest.raises(InvalidValueError) as info:
        router.add_department("support", strategies="chat")  # type: ignore[arg-type]

    assert "Department.strategies" == info.value.path


def test_unhashable_strategy_name_is_a_typed_error() -> None:
    """A strategy name that is not a string raises an AgentrouteError, not TypeError."""
    with pytest.raises(AgentrouteError):
        Router(default_strategy=["least_busy"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "query",
    [
        lambda r: r.load("ana", ["chat"]),
        lambda r: r.queue_length("billing", ["chat"]),
        lambda r: r.queued("billing", ["chat"]),
    ],
    ids=["load", "queue_length", "queued"],
)
def test_queries_refuse_a_non_string_channel(query: Callable[[Router], object]) -> None:
    """A channel that is not a string raises InvalidValueError instead of leaking TypeError."""
    router = make_router("ana")

    with pytest.raises(InvalidValueError):
        query(router)
