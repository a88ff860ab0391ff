"""Tests for agentroute.config, Router.from_config and Router.to_config."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentroute import (
    InvalidDataError,
    InvalidValueError,
    Item,
    ManualClock,
    Router,
    Schedule,
    Shift,
    UnsupportedVersionError,
    config,
    strategies,
)
from agentroute.rules import TRIGGERS
from agentroute.strategies import LeastBusy

ROOT = Path(__file__).parent.parent
GUIDE = ROOT / "docs" / "guides" / "configuration.md"

EXAMPLE: dict[str, Any] = {
    "format": "agentroute.config",
    "version": 1,
    "router": {"seed": 7, "default_strategy": "least_busy", "retain_closed": None},
    "departments": {
        "billing": {
            "strategies": {"chat": "least_busy", "call": "ring_all"},
            "default_strategy": "priority",
            "sla_warning_s": 60,
            "sticky": True,
            "sticky_wait_s": 30,
            "dedicated": {"vip": ["ana"]},
        },
        "marketing": {"mode": "pull"},
    },
    "agents": {
        "ana": {
            "name": "Ana",
            "priority": 10,
            "capacity": {"chat": 3, "call": 1},
            "departments": {"billing": ["chat", "call"]},
            "units": 4,
            "unit_costs": {"call": 4},
            "forward_to": "+4930123456",
            "schedule": {
                "timezone": "Europe/Berlin",
                "shifts": [{"days": ["mon", "tue"], "start": "09:00", "end": "17:00"}],
            },
        },
        "bob": {"capacity": {"call": 1}, "departments": {"billing": ["call"]}},
        "sona": {"capacity": {"ticket": 5}, "departments": {"marketing": ["ticket"]}},
    },
    "duty": [{"department": "billing", "channel": "call", "agents": ["ana", "bob"]}],
    "rules": [
        {
            "name": "social",
            "on": ["created"],
            "when": [[{"field": "source", "op": "in", "value": ["facebook", "twitter"]}]],
            "then": [
                {"do": "transfer", "department": "marketing"},
                {"do": "assign", "agent": "sona"},
            ],
        }
    ],
}


def problems_of(data: object) -> list[str]:
    """Return the problems `from_config` reports for *data*."""
    with pytest.raises(InvalidDataError) as caught:
        Router.from_config(data)  # type: ignore[arg-type]
    return list(caught.value.problems)


@pytest.fixture
def custom_strategy() -> Iterator[str]:
    strategies.register("least_recently_assigned", LeastBusy)
    yield "least_recently_assigned"
    strategies.unregister("least_recently_assigned")


# -- building ---------------------------------------------------------------------------------


def test_from_config_builds_everything() -> None:
    """Departments, agents, schedules, forwarding, duty and rules all take effect."""
    router = Router.from_config(EXAMPLE, clock=ManualClock(0.0))

    assert ["billing", "marketing"] == router.departments()
    billing = router.department("billing")
    assert ("priority", 60.0, True, {"vip": ("ana",)}) == (
        billing.default_strategy,
        billing.sla_warning_s,
        billing.sticky,
        dict(billing.dedicated),
    )
    assert "pull" == router.department("marketing").mode
    assert Schedule("Europe/Berlin", [Shift(["mon", "tue"], "09:00", "17:00")]) == router.schedule(
        "ana"
    )
    assert "+4930123456" == router.forwarding("ana")
    assert "ana" == router.on_duty("billing", "call")
    assert ["social"] == [rule.name for rule in router.rules()]


def test_agents_start_offline_and_rules_route() -> None:
    """A configured router routes as one built by hand: the rule sends social posts to sona."""
    router = Router.from_config(EXAMPLE)
    router.set_presence("sona", "online")

    decision = router.assign(Item("t1", channel="ticket", department="billing", source="twitter"))

    assert ("sona", "marketing") == (decision.agent, decision.department)
    assert "offline" == router.presence("ana")


def test_the_journal_hears_each_call_in_order() -> None:
    """from_config goes through the public calls, so a journal records the build."""
    entries: list[dict[str, Any]] = []

    original = Router.from_config(EXAMPLE, clock=ManualClock(5.0), journal=entries.append)
    replica = Router(seed=7, retain_closed=None, clock=ManualClock(5.0))
    for entry in entries:
        replica.apply(entry)

    expected = ["add_department"] * 2 + ["add_agent"] * 3
    expected += ["set_schedule", "set_forwarding", "set_duty_rotation", "add_rule"]
    assert expected == [entry["op"] for entry in entries]
    assert original.snapshot() == replica.snapshot()


def test_an_empty_config_is_a_default_router() -> None:
    """Every key is optional: {} gives what Router() gives."""
    clock = ManualClock(0.0)

    assert Router(clock=clock).snapshot() == Router.from_config({}, clock=clock).snapshot()


def test_custom_strategies_are_named_like_built_ins(custom_strategy: str) -> None:
    """A registered strategy's name is valid wherever a built-in's is."""
    data = {"departments": {"billing": {"strategies": {"chat": custom_strategy}}}}

    router = Router.from_config(data)

    assert {"chat": custom_strategy} == dict(router.department("billing").strategies)


# -- writing ----------------------------------------------------------------------------------


def test_to_config_leaves_defaults_out() -> None:
    """A default router writes only the header."""
    assert {"format": "agentroute.config", "version": 1} == Router().to_config()


def test_to_config_writes_the_example_back() -> None:
    """What comes back is the example, in its written form (seconds as floats, sorted lists)."""
    written = Router.from_config(EXAMPLE).to_config()

    assert 60.0 == written["departments"]["billing"]["sla_warning_s"]
    assert ["call", "chat"] == written["agents"]["ana"]["departments"]["billing"]
    assert EXAMPLE["rules"][0] | {"active": True} == written["rules"][0]
    assert written == Router.from_config(written).to_config()


names = st.sampled_from(["billing", "support", "sales"])
agent_ids = st.sampled_from(["ana", "bob", "cy", "dee"])
channels = st.sampled_from(["chat", "call", "ticket"])
seconds = st.one_of(st.none(), st.integers(0, 10_000), st.floats(0, 1e6, allow_nan=False))


@st.composite
def configs(draw: st.DrawFn) -> dict[str, Any]:
    """Draw a valid configuration, leaving out keys at random."""

    def coin() -> bool:
        """Draw heads or tails."""
        return draw(st.booleans())

    def some(**fields: Any) -> dict[str, Any]:
        """Keep a random subset of *fields*, each drawn from its strategy."""
        return {k: draw(v) for k, v in fields.items() if coin()}

    department_names = draw(st.lists(names, unique=True))
    ids = draw(st.lists(agent_ids, unique=True))
    strategy = st.sampled_from(strategies.names())
    departments = {
        name: some(
            strategies=st.dictionaries(channels, strategy),
            default_strategy=strategy,
            mode=st.sampled_from(["push", "pull"]),
            unassign_on_close=st.booleans(),
            allow_claims=st.booleans(),
            requeue_offline_after_s=seconds,
            sla_warning_s=seconds,
            sla_escalate_to=st.one_of(st.none(), st.integers(1, 100)),
            sticky=st.booleans(),
            sticky_max_age_s=seconds,
            sticky_wait_s=st.integers(0, 100),
            ring_timeout_s=st.floats(0.5, 100),
            dedicated=st.dictionaries(
                st.sampled_from(["vip", "gold"]),
                st.lists(st.sampled_from(ids), min_size=1, unique=True),
            )
            if ids
            else st.just({}),
            dedicated_wait_s=seconds,
        )
        for name in department_names
    }
    shift = st.builds(
        lambda days, start, end: {"days": days, "start": start, "end": end},
        st.lists(st.sampled_from(["mon", "tue", "sat"]), min_size=1, unique=True),
        st.sampled_from(["00:00", "09:30", "22:00"]),
        st.sampled_from(["00:00", "17:00", "06:15"]),
    )
    schedule = st.builds(
        lambda zone, shifts: {"timezone": zone, "shifts": shifts},
        st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"]),
        st.lists(shift, max_size=2),
    )
    agents = {}
    owner = False
    for agent_id in ids:
        capacity = draw(st.dictionaries(channels, st.integers(0, 5)))
        served = {
            d: draw(st.lists(st.sampled_from(sorted(capacity)), min_size=1, unique=True))
            for d in department_names
            if capacity and coin()
        }
        agent = some(
            name=st.text(max_size=5),
            priority=st.integers(1, 100),
            role=st.sampled_from(["agent", "administrator"] + ([] if owner else ["owner"])),
            forward_to=st.text(min_size=1, max_size=5),
            schedule=schedule,
        )
        owner = owner or agent.get("role") == "owner"
        agent |= {"capacity": capacity, "departments": served}
        if capacity and coin():
            agent |= {"units": draw(st.integers(0, 9))}
            agent |= {
                "unit_costs": draw(
                    st.dictionaries(st.sampled_from(sorted(capacity)), st.integers(0, 9))
                )
            }
        agents[agent_id] = agent
    duty = []
    if department_names and ids:
        places = draw(
            st.lists(
                st.tuples(st.sampled_from(department_names), channels), unique=True, max_size=2
            )
        )
        for department, channel in places:
            rotation: dict[str, Any] = {"department": department, "channel": channel}
            rotation["agents"] = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3))
            duty.append(rotation | some(period_s=st.floats(1, 1e5)))
    actions = [
        st.just({"do": "stop"}),
        st.builds(lambda p: {"do": "set_priority", "priority": p}, st.integers(1, 100)),
    ]
    if department_names:
        actions.append(
            st.builds(
                lambda d: {"do": "transfer", "department": d}, st.sampled_from(department_names)
            )
        )
    if ids:
        actions.append(st.builds(lambda a: {"do": "assign", "agent": a}, st.sampled_from(ids)))
    condition = st.builds(
        lambda f, v: {"field": f, "op": "in", "value": v},
        st.sampled_from(["source", "channel"]),
        st.lists(st.text(max_size=3), max_size=2),
    )
    rules = [
        {
            "name": name,
            "on": draw(st.lists(st.sampled_from(TRIGGERS), min_size=1, unique=True)),
            "then": draw(st.lists(st.one_of(actions), min_size=1, max_size=3)),
        }
        | some(
            when=st.lists(st.lists(condition, min_size=1, max_size=2), max_size=2),
            active=st.booleans(),
        )
        for name in draw(st.lists(st.sampled_from(["r1", "r2", "r3"]), unique=True))
    ]
    router = some(
        seed=st.integers(0, 2**64 - 1),
        default_strategy=strategy,
        self_service=st.booleans(),
        retain_closed=st.one_of(st.none(), st.integers(0, 10**6)),
        history_limit=st.one_of(st.none(), st.integers(1, 10**6)),
        remember_customers=st.one_of(st.none(), st.integers(0, 10**6)),
    )
    whole = {
        "router": router,
        "departments": departments,
        "agents": agents,
        "duty": duty,
        "rules": rules,
    }
    return some(format=st.just("agentroute.config"), version=st.just(1)) | {
        k: v for k, v in whole.items() if v or coin()
    }


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_config_router_config_is_the_identity(data: dict[str, Any]) -> None:
    """Written, read and written again, a configuration is unchanged; the routers are equal."""
    clock = ManualClock(1_772_438_400.0)

    router = Router.from_config(data, clock=clock)
    written = router.to_config()
    again = Router.from_config(written, clock=clock)

    assert written == again.to_config()
    assert written == json.loads(json.dumps(written))
    assert router.snapshot() == again.snapshot()
    assert [] == schema_errors(written, config.json_schema())


# -- validation -------------------------------------------------------------------------------


def test_every_problem_is_reported_at_once_with_its_key_path() -> None:
    """Shape, type, reference and value problems come together, each under its key path."""
    data = {
        "departments": {
            "billing": {"strategies": {"chat": "leastbusy"}, "ring_timeout_s": 0},
            "support": {"stickyy": True, "colour": "red"},
        },
        "agents": {
            "ana": {"capacity": {"chat": "3"}},
            "bob": {"capacity": {"chat": 1}, "departments": {"biling": ["chat"]}},
            "cy": {"priority": 500},
        },
        "duty": [{"department": "billing", "channel": "call", "agents": ["zed"], "period_s": 0}],
        "rules": [
            {"name": "x", "on": ["created"], "then": [{"do": "stop"}, {"do": "jump"}]},
            {"name": "y", "on": ["created"], "then": [{"do": "assign", "agent": "anna"}]},
        ],
        "routr": {},
    }

    found = problems_of(data)

    assert [
        "routr: unknown key (did you mean 'router'?)",
        "departments.support.colour: unknown key",
        "departments.support.stickyy: unknown key (did you mean 'sticky'?)",
        "agents.ana.capacity.chat: expected an int, got '3'",
        "rules[0].then[1]: unknown action 'jump'; known: transfer, assign, set_priority, "
        "add_tag, remove_tag, set_sla, stop",
        "departments.billing.ring_timeout_s: must be seconds > 0, got 0.0",
        "departments.billing.strategies.chat: unknown strategy 'leastbusy' "
        "(did you mean 'least_busy'?)",
        "agents.bob.departments: unknown department 'biling' (did you mean 'billing'?)",
        "agents.cy.priority: must be an int from 1 (most important) to 100, got 500",
        "duty[0].agents: unknown agent 'zed'",
        "duty[0].period_s: must be seconds > 0, got 0.0",
        "rules[1].then[0].agent: unknown agent 'anna' (did you mean 'ana'?)",
    ] == found


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (
            {"router": {"retain_closed": -1}},
            "router.retain_closed: must be an int >= 0 or null, got -1",
        ),
        (
            {"router": {"history_limit": 0}},
            "router.history_limit: must be an int >= 1 or null, got 0",
        ),
        ({"router": {"seed": "7"}}, "router.seed: expected an int, got '7'"),
        (
            {"router": {"default_strategy": "robin"}},
            "router.default_strategy: unknown strategy 'robin' (did you mean 'round_robin'?)",
        ),
        (
            {"departments": {"b": {"default_strategy": "nope"}}},
            "departments.b.default_strategy: unknown strategy 'nope'",
        ),
        ({"departments": 3}, "departments: expected an object, got 3"),
        ({"duty": {}}, "duty: expected a list, got {}"),
        ({"departments": {"": {}}}, "departments.: must be a non-empty string, got ''"),
        (
            {"departments": {"b": {"dedicated": {"vip": ["zed"]}}}},
            "departments.b.dedicated.vip: unknown agent 'zed'",
        ),
        (
            {"agents": {"a": {"schedule": {"timezone": "Mars/Base", "shifts": []}}}},
            "agents.a.schedule.timezone: must be an IANA time zone such as 'Europe/Berlin', "
            "got 'Mars/Base'",
        ),
        (
            {"agents": {"a": {"schedule": {"timezone": "UTC", "shifts": [{"days": ["mo"]}]}}}},
            "agents.a.schedule.shifts[0].start: required key missing",
        ),
        (
            {
                "agents": {
                    "a": {
                        "schedule": {
                            "timezone": "UTC",
                            "shifts": [{"days": ["mo"], "start": "09:00", "end": "10:00"}],
                        }
                    }
                }
            },
            "agents.a.schedule.shifts[0].days: must name one or more of mon, tue, wed, thu, fri, "
            "sat, sun, got ['mo']",
        ),
        ({"agents": {"a": {"forward_to": ""}}}, "agents.a.forward_to: must be a non-empty string"),
        (
            {"agents": {"a": {"role": "owner"}, "b": {"role": "owner"}}},
            "agents.b.role: a router has one owner, and 'a' is it",
        ),
        (
            {"agents": {"a": {"role": "boss"}}},
            "agents.a.role: must be one of owner, administrator, agent, got 'boss'",
        ),
        (
            {"duty": [{"department": "b", "channel": "", "agents": []}], "departments": {"b": {}}},
            "duty[0].channel: must be a non-empty string",
        ),
        (
            {"duty": [{"department": "b", "channel": "c", "agents": []}], "departments": {"b": {}}},
            "duty[0].agents: must list one agent or more",
        ),
        ({"duty": [{"department": "b"}]}, "duty[0].channel: required key missing"),
        (
            {
                "agents": {"a": {}},
                "departments": {"b": {}},
                "duty": [
                    {"department": "b", "channel": "c", "agents": ["a"]},
                    {"department": "b", "channel": "c", "agents": ["a"]},
                ],
            },
            "duty[1]: a second rotation for 'c' in 'b'",
        ),
        (
            {
                "rules": [
                    {"name": "r", "on": ["created"], "then": [{"do": "stop"}]},
                    {"name": "r", "on": ["closed"], "then": [{"do": "stop"}]},
                ]
            },
            "rules[1].name: a second rule named 'r'",
        ),
        (
            {"rules": [{"name": "", "on": ["created"], "then": [{"do": "stop"}]}]},
            "rules[0].name: must be a non-empty string, got ''",
        ),
        (
            {
                "rules": [
                    {
                        "name": "r",
                        "on": ["created"],
                        "then": [{"do": "transfer", "department": "x"}],
                    }
                ]
            },
            "rules[0].then[0].department: unknown department 'x'",
        ),
        (
            {
                "rules": [
                    {
                        "name": "r",
                        "on": ["created"],
                        "when": [[{"field": "source", "op": "like", "value": 1}]],
                    }
                ]
            },
            "rules[0].when[0][0].op: must be one of equals, in, not_in, contains, greater_than, "
            "less_than, matches; got 'like'",
        ),
    ],
)
def test_each_kind_of_problem(data: dict[str, Any], problem: str) -> None:
    """Each check names the key path and what is wrong."""
    assert problem in problems_of(data)


def test_a_problem_in_one_entry_does_not_hide_references_to_it() -> None:
    """An agent with problems of its own still counts as existing for the references to it."""
    data = {
        "agents": {"ana": {"priority": "high"}},
        "duty": [],
        "departments": {"b": {"dedicated": {"vip": ["ana"]}}},
    }

    assert ["agents.ana.priority: expected an int, got 'high'"] == problems_of(data)


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"format": "agentroute.snapshot"}, "format"),
        ({"version": 2}, "version"),
        ({"version": "1"}, "version"),
    ],
)
def test_another_format_or_version_is_refused(data: dict[str, Any], path: str) -> None:
    """A header, when present, must be this format's."""
    with pytest.raises(UnsupportedVersionError) as caught:
        Router.from_config(data)

    assert path == caught.value.path


def test_a_document_that_is_not_an_object_is_refused() -> None:
    """The top level must be a mapping."""
    assert ["(top level): expected an object, got [1]"] == problems_of([1])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["router", "departments", "agents", "duty", "rules", "name", "on", "b", "a"]
            )
            | st.text(max_size=6),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


def check_refusal(data: object) -> None:
    """
    Assert *data* builds a router or is refused, before anything is built, naming key paths.

    Anything but an `InvalidDataError` (an `AgentrouteError`) would be a problem the checks
    missed, or an internal error leaking.
    """
    problems: tuple[str, ...] = ("(none): built",)
    try:
        Router.from_config(data)  # type: ignore[arg-type]
    except InvalidDataError as error:
        problems = error.problems

    assert problems
    for problem in problems:
        assert ": " in problem, problem


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_random_documents_are_refused_cleanly(data: object) -> None:
    """Whatever the document, only an AgentrouteError comes out, with key paths."""
    check_refusal(data)


def mutate(data: Any, path: list[int], replacement: object) -> Any:
    """Return *data* with the node *path* leads to replaced, or deleted when it is a marker."""
    if not path or not isinstance(data, dict | list) or not data:
        return replacement
    keys = list(data) if isinstance(data, dict) else list(range(len(data)))
    key = keys[path[0] % len(keys)]
    copy: Any = dict(data) if isinstance(data, dict) else list(data)
    changed = mutate(copy[key], path[1:], replacement)
    if changed is DELETE:
        del copy[key]
    else:
        copy[key] = changed
    return copy


DELETE = object()


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(configs(), st.lists(st.integers(0, 20), max_size=6), st.one_of(st.just(DELETE), json_values))
def test_damaged_configs_are_refused_cleanly(
    data: dict[str, Any], path: list[int], new: object
) -> None:
    """A valid configuration with a key deleted or retyped builds, or is refused with paths."""
    check_refusal(mutate(data, path, new))


# -- files ------------------------------------------------------------------------------------


def test_load_reads_toml(tmp_path: Path) -> None:
    """A .toml file loads, with the router's keywords passed through."""
    path = tmp_path / "router.toml"
    path.write_text(
        '[departments.billing]\nstrategies = { chat = "least_busy" }\n\n'
        '[agents.ana]\ncapacity = { chat = 2 }\ndepartments = { billing = ["chat"] }\n'
    )
    clock = ManualClock(3.0)

    router = config.load(path, clock=clock)

    assert {"ana": {"capacity": {"chat": 2}, "departments": {"billing": ["chat"]}}} == (
        router.to_config()["agents"]
    )


def test_read_reads_json(tmp_path: Path) -> None:
    """A .json file reads to its plain data, unchecked."""
    path = tmp_path / "router.JSON"
    path.write_text(json.dumps({"departments": {"b": {"bad": 1}}}))

    assert {"departments": {"b": {"bad": 1}}} == config.read(str(path))


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("router.yaml", "", "path: must end in .toml or .json"),
        ("router.json", "{", "is not valid JSON"),
        ("router.toml", "a = ", "is not valid TOML"),
        ("router.json", "[]", "expected an object, got []"),
    ],
)
def test_unreadable_files_are_refused(tmp_path: Path, name: str, text: str, message: str) -> None:
    """A wrong suffix, a syntax error or a non-object says so, as an InvalidValueError."""
    path = tmp_path / name
    path.write_text(text)

    with pytest.raises(InvalidValueError, match=re.escape(message)):
        config.read(path)


# -- the schema -------------------------------------------------------------------------------


def schema_errors(
    value: Any, schema: dict[str, Any], root: dict[str, Any] | None = None, at: str = "$"
) -> list[str]:
    """Check *value* against the subset of JSON Schema that `json_schema` writes."""
    root = schema if root is None else root
    if "$ref" in schema:
        schema = {
            **root["$defs"][schema["$ref"].rpartition("/")[2]],
            **{k: v for k, v in schema.items() if k != "$ref"},
        }
    errors: list[str] = []
    kinds = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}
    if "type" in schema:
        wanted = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        fits = any(
            (
                type(value) in (int, float)
                if w == "number"
                else type(value) is int
                if w == "integer"
                else isinstance(value, kinds[w])
            )
            for w in wanted
        )
        if not fits:
            return [f"{at}: not {wanted}"]
    if "anyOf" in schema and all(schema_errors(value, s, root, at) for s in schema["anyOf"]):
        errors.append(f"{at}: fits no anyOf")
    if (
        "oneOf" in schema
        and sum(not schema_errors(value, s, root, at) for s in schema["oneOf"]) != 1
    ):
        errors.append(f"{at}: fits not exactly one oneOf")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{at}: not in enum")
    if "const" in schema and value != schema["const"]:
        errors.append(f"{at}: not the const")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append(f"{at}: does not match")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{at}: too short")
        for index, entry in enumerate(value):
            errors += schema_errors(entry, schema.get("items", {}), root, f"{at}[{index}]")
    if isinstance(value, dict):
        errors += [f"{at}.{key}: missing" for key in schema.get("required", []) if key not in value]
        for key, entry in value.items():
            sub = schema.get("properties", {}).get(key, schema.get("additionalProperties", {}))
            if sub is False:
                errors.append(f"{at}.{key}: not allowed")
            else:
                errors += schema_errors(entry, sub, root, f"{at}.{key}")
    return errors


def test_the_shipped_schema_is_json_schema() -> None:
    """config.schema.json is what json_schema() returns (regenerate it if this fails)."""
    shipped = Path(config.__file__).with_name("config.schema.json")

    assert config.json_schema() == json.loads(shipped.read_text())


def test_the_schema_catches_shape_problems() -> None:
    """The tiny validator above agrees the schema refuses a wrong type and an unknown key."""
    schema = config.json_schema()

    found = schema_errors({"agents": {"a": {"capacity": {"chat": "3"}, "x": 1}}}, schema)

    assert ["$.agents.a.capacity.chat: not ['integer']", "$.agents.a.x: not allowed"] == found


def guide_examples() -> list[Any]:
    """Return the guide's TOML and JSON examples, parsed."""
    import tomllib

    text = GUIDE.read_text()
    found: list[Any] = [
        tomllib.loads(block) for block in re.findall(r"```toml\n(.*?)```", text, re.S)
    ]
    found += [json.loads(block) for block in re.findall(r"```json\n(.*?)```", text, re.S)]
    return found


def test_the_guide_examples_fit_the_schema_and_build() -> None:
    """Every example in the guide passes the schema and builds a router."""
    examples = guide_examples()

    assert examples
    for example in examples:
        assert [] == schema_errors(example, config.json_schema())
        Router.from_config(example)


SECTIONS = (
    ("router", "RouterSection"),
    ("departments.*", "DepartmentSection"),
    ("agents.*", "AgentSection"),
    ("duty[]", "DutySection"),
)


def schema_keys(schema: dict[str, Any]) -> list[str]:
    """Return every key of the format as ``section.key``, from the schema."""
    defs = schema["$defs"]
    keys = [f"{key}" for key in schema["properties"]]
    for section, definition in SECTIONS:
        keys += [f"{section}.{key}" for key in defs[definition]["properties"]]
    return keys


def schema_descriptions(schema: dict[str, Any]) -> dict[str, str]:
    """Return each key's description in the schema, by ``section.key``."""
    defs = schema["$defs"]
    found = {key: entry["description"] for key, entry in schema["properties"].items()}
    for section, definition in SECTIONS:
        for key, entry in defs[definition]["properties"].items():
            found[f"{section}.{key}"] = entry["description"]
    return found


def test_the_reference_table_lists_every_key() -> None:
    """The guide's reference table has one row per key of the schema, with its description."""
    schema = config.json_schema()
    text = GUIDE.read_text()
    rows = dict(re.findall(r"^\| `([^`]+)` \| .* \| ([^|]*) \|$", text, re.M))

    assert set(schema_keys(schema)) == set(rows)
    for key, description in schema_descriptions(schema).items():
        assert description == rows[key], key
