"""
A router's configuration as plain data: departments, agents, schedules, duty and rules.

A configuration is what a host writes once and keeps in version control (a
TOML or JSON file, or a dict); `agentroute.Router.from_config` builds a
router from it and `agentroute.Router.to_config` writes one back. It is not
state: it holds no presence and no items, so every agent starts offline.

The format is declared once, as the attrs classes below. They give the
shape and type checks (through the project's strict cattrs converter), the
defaults, the JSON Schema (`json_schema`) and what `to_config` writes.
Validation happens before anything is built and reports every problem with
its key path, e.g. ``agents.ana.capacity.chat: expected an int, got '3'``.

Examples:
    >>> router = Router.from_config({
    ...     "departments": {"billing": {"strategies": {"chat": "least_busy"}}},
    ...     "agents": {"ana": {"capacity": {"chat": 2}, "departments": {"billing": ["chat"]}}},
    ... })
    >>> router.departments(), router.to_config()["agents"]
    (['billing'], {'ana': {'capacity': {'chat': 2}, 'departments': {'billing': ['chat']}}})

Added in 0.2.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any, Final, TypeVar, Union, get_args, get_origin

import attrs
import cattrs

from agentroute import _plain
from agentroute.errors import InvalidDataError, InvalidValueError, UnsupportedVersionError
from agentroute.model import MODES, ROLES, Agent, Department
from agentroute.router import (
    DEFAULT_HISTORY_LIMIT,
    DEFAULT_REMEMBER_CUSTOMERS,
    DEFAULT_RETAIN_CLOSED,
    Router,
)
from agentroute.rules import ACTIONS, OPERATORS, TRIGGERS, AssignTo, Rule, TransferTo
from agentroute.schedules import DAYS, Schedule, Shift
from agentroute.strategies import _registry as strategy_registry

__all__ = [
    "FORMAT",
    "VERSION",
    "AgentSection",
    "ConfigFile",
    "DepartmentSection",
    "DutySection",
    "RouterSection",
    "json_schema",
    "load",
    "read",
]

FORMAT: Final = "agentroute.config"
VERSION: Final = 1
_WHAT: Final = "configuration"

T = TypeVar("T")
Report = Callable[[str, str], None]


def _key(doc: str, **extra: Any) -> dict[str, Any]:
    """Field metadata: the reference text, and extra JSON Schema keywords (``enum``, ...)."""
    return {"doc": doc, "schema": extra}


@attrs.define
class RouterSection:
    """The ``[router]`` table: `agentroute.Router`'s options."""

    seed: int = attrs.field(default=0, metadata=_key("Seeds the router's random generator."))
    default_strategy: str = attrs.field(
        default="least_busy", metadata=_key("Strategy of every channel a department does not name.")
    )
    self_service: bool = attrs.field(
        default=False, metadata=_key("Agents may switch their own channels on and off.")
    )
    retain_closed: int | None = attrs.field(
        default=DEFAULT_RETAIN_CLOSED, metadata=_key("Closed items kept; null keeps all.")
    )
    history_limit: int | None = attrs.field(
        default=DEFAULT_HISTORY_LIMIT, metadata=_key("History rows kept per item; null keeps all.")
    )
    remember_customers: int | None = attrs.field(
        default=DEFAULT_REMEMBER_CUSTOMERS,
        metadata=_key("Customers whose latest agent is remembered; null remembers all."),
    )


@attrs.define
class DepartmentSection:
    """A ``[departments.<name>]`` table: `agentroute.Router.add_department`'s keywords."""

    strategies: dict[str, str] = attrs.field(
        factory=dict, metadata=_key("Strategy name per channel.")
    )
    default_strategy: str | None = attrs.field(
        default=None, metadata=_key("Strategy of the other channels; the router's when omitted.")
    )
    mode: str = attrs.field(default="push", metadata=_key("`push` or `pull`.", enum=list(MODES)))
    unassign_on_close: bool = attrs.field(
        default=False, metadata=_key("Closing an item also clears its responsible agent.")
    )
    allow_claims: bool = attrs.field(
        default=True, metadata=_key("Agents may claim waiting items out of queue order.")
    )
    requeue_offline_after_s: float | None = attrs.field(
        default=None, metadata=_key("Seconds offline before an agent's items go back to routing.")
    )
    sla_warning_s: float | None = attrs.field(
        default=None, metadata=_key("Seconds before an SLA deadline to warn.")
    )
    sla_escalate_to: int | None = attrs.field(
        default=None, metadata=_key("Priority (1-100) of a waiting item past its deadline.")
    )
    sticky: bool = attrs.field(
        default=False, metadata=_key("A customer's new item goes to their last agent.")
    )
    sticky_max_age_s: float | None = attrs.field(
        default=None, metadata=_key("With sticky: only if that was at most this long ago.")
    )
    sticky_wait_s: float = attrs.field(
        default=0.0, metadata=_key("With sticky: seconds an item waits for that agent.")
    )
    ring_timeout_s: float = attrs.field(
        default=20.0, metadata=_key("Seconds a `ring_all` offer rings.")
    )
    dedicated: dict[str, list[str]] = attrs.field(
        factory=dict, metadata=_key("Per customer group, its agents, first choice first.")
    )
    dedicated_wait_s: float | None = attrs.field(
        default=None, metadata=_key("Seconds an item waits for its group's agents; null: ever.")
    )


@attrs.define
class AgentSection:
    """An ``[agents.<id>]`` table: an `agentroute.Agent`, its schedule and forwarding."""

    name: str | None = attrs.field(default=None, metadata=_key("Display name; the id if omitted."))
    priority: int = attrs.field(
        default=50, metadata=_key("Routing priority, 1 (first choice) to 100.")
    )
    role: str = attrs.field(
        default="agent", metadata=_key("`owner`, `administrator` or `agent`.", enum=list(ROLES))
    )
    capacity: dict[str, int] = attrs.field(
        factory=dict, metadata=_key("Concurrent items per channel.")
    )
    departments: dict[str, list[str]] = attrs.field(
        factory=dict, metadata=_key("Per department, the channels served there.")
    )
    units: int | None = attrs.field(default=None, metadata=_key("A unit budget for all channels."))
    unit_costs: dict[str, int] = attrs.field(
        factory=dict, metadata=_key("Units an item of each channel costs (1 if omitted).")
    )
    forward_to: str | None = attrs.field(
        default=None, metadata=_key("Device the agent's calls ring on.")
    )
    schedule: Schedule | None = attrs.field(
        default=None, metadata=_key("Working week: `timezone` and `shifts`.")
    )


@attrs.define
class DutySection:
    """A ``[[duty]]`` entry: `agentroute.Router.set_duty_rotation`'s arguments."""

    department: str = attrs.field(metadata=_key("The department."))
    channel: str = attrs.field(metadata=_key("The channel, e.g. `call`."))
    agents: list[str] = attrs.field(metadata=_key("Agent ids in turn order."))
    period_s: float = attrs.field(default=3600.0, metadata=_key("Seconds each turn lasts."))


@attrs.define
class ConfigFile:
    """A whole configuration document."""

    format: str = attrs.field(default=FORMAT, metadata=_key("The format's name.", const=FORMAT))
    version: int = attrs.field(
        default=VERSION, metadata=_key("The format's version.", const=VERSION)
    )
    router: RouterSection = attrs.field(
        factory=RouterSection, metadata=_key("The router's options.")
    )
    departments: dict[str, DepartmentSection] = attrs.field(
        factory=dict, metadata=_key("Departments by name, in the order they are added.")
    )
    agents: dict[str, AgentSection] = attrs.field(
        factory=dict, metadata=_key("Agents by id, in the order they are added.")
    )
    duty: list[DutySection] = attrs.field(factory=list, metadata=_key("Duty rotations."))
    rules: list[Rule] = attrs.field(
        factory=list, metadata=_key("Routing rules, in order; see `agentroute.rules`.")
    )


for _section in (RouterSection, DepartmentSection, AgentSection, DutySection, ConfigFile):
    attrs.resolve_types(_section)  # the annotations are strings until then


# -- reading and validating -----------------------------------------------------------------


def read(path: str | Path) -> dict[str, Any]:
    """
    Return the plain data of a ``.toml`` or ``.json`` configuration file, unchecked.

    Raises:
        InvalidValueError: The suffix is neither, or the file does not parse.
        OSError: The file cannot be read.

    Added in 0.2.
    """
    where = Path(path)
    suffix = where.suffix.lower()
    if suffix not in (".toml", ".json"):
        msg = f"must end in .toml or .json, got {str(where)!r}"
        raise InvalidValueError("path", msg)
    text = where.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text) if suffix == ".toml" else json.loads(text)
    except ValueError as error:  # both decoders' errors are ValueErrors
        raise InvalidValueError(str(where), f"is not valid {suffix[1:].upper()}: {error}") from None
    if not isinstance(data, dict):
        raise InvalidDataError(_WHAT, [("(top level)", f"expected an object, got {data!r}")])
    return data


def load(path: str | Path, **router_kwargs: Any) -> Router:
    """
    Build a router from a ``.toml`` or ``.json`` configuration file.

    Args:
        path: The file; its suffix chooses the parser.
        router_kwargs: Passed to `agentroute.Router.from_config` (``clock``, ``journal``).

    Raises:
        InvalidValueError: The suffix is neither, or the file does not parse.
        InvalidDataError: The configuration is invalid; the message lists every problem.
        OSError: The file cannot be read.

    Added in 0.2.
    """
    return Router.from_config(read(path), **router_kwargs)


def parse(data: object) -> ConfigFile:
    """
    Return *data* as a checked `ConfigFile`, or raise `InvalidDataError` listing every problem.

    Shape and types are checked per entry, so one bad department does not
    hide another's problems; the references between entries (an agent's
    departments, duty agents, dedicated agents, rules' targets, strategy
    names) are checked once the entries are read.
    """
    if not isinstance(data, Mapping):
        raise InvalidDataError(_WHAT, [("(top level)", f"expected an object, got {data!r}")])
    _check_header(data)
    found: list[tuple[str, str]] = []

    def report(path: str, message: str) -> None:
        found.append((path, message))

    fields = {field.name: field for field in attrs.fields(ConfigFile)}
    for key in data:
        if key not in fields:
            report(str(key), _unknown(key, fields))
    parts: dict[str, Any] = {}
    places: dict[str, list[int]] = {"duty": [], "rules": []}
    for name, field in fields.items():
        if name in data and (entries := _entries(data[name], field.type, name, report)) is not None:
            parts[name] = entries
        if name in places and name in parts:
            places[name] = list(parts[name])
            parts[name] = list(parts[name].values())
    config = ConfigFile(**parts)
    named = {  # what a reference may name: an entry with problems of its own still exists
        name: set(data[name]) if isinstance(data.get(name), Mapping) else set()
        for name in ("departments", "agents")
    }
    _cross_check(config, named["departments"], named["agents"], places, report)
    if found:
        raise InvalidDataError(_WHAT, found)
    return config


def _check_header(data: Mapping[str, Any]) -> None:
    supported = f"format {FORMAT!r} version {VERSION}"
    if "format" in data and data["format"] != FORMAT:
        raise UnsupportedVersionError(_WHAT, "format", data["format"], supported)
    version = data.get("version", VERSION)
    if type(version) is not int or version != VERSION:
        raise UnsupportedVersionError(_WHAT, "version", version, supported)


def _entries(value: object, kind: Any, path: str, report: Report) -> Any:
    """Structure a top-level field, entry by entry for a table of tables or a list."""
    origin = get_origin(kind)
    if origin is dict:
        if not isinstance(value, Mapping):
            report(path, f"expected an object, got {value!r}")
            return None
        item = get_args(kind)[1]
        return {
            key: entry
            for key, raw in value.items()
            if (entry := _structure(raw, item, f"{path}.{key}", report)) is not None
        }
    if origin is list:
        if not isinstance(value, list | tuple):
            report(path, f"expected a list, got {value!r}")
            return None
        item = get_args(kind)[0]
        return {  # by index: the references name entries by their place in the document
            index: entry
            for index, raw in enumerate(value)
            if (entry := _structure(raw, item, f"{path}[{index}]", report)) is not None
        }
    return _structure(value, kind, path, report)


def _structure(value: object, kind: Any, path: str, report: Report) -> Any:
    """Return *value* as a *kind*, or None after reporting each problem under *path*."""
    try:
        return _plain.structure(value, kind, _WHAT)
    except InvalidDataError as error:
        unknown: list[tuple[type[Any], frozenset[str]]] = []

        def message(exc: BaseException, cls: type[Any] | None) -> str:
            if isinstance(exc, cattrs.ForbiddenExtraKeysError):
                unknown.append((exc.cl, frozenset(exc.extra_fields)))
                return f"\0{len(unknown) - 1}"
            return _plain._message(exc, cls)

        for line in cattrs.transform_error(
            error.__cause__ or error, path="", format_exception=message
        ):
            text, _, where = line.rpartition(" @ ")
            where = _join(path, _dotted(where))
            if text.startswith("\0"):
                cls, keys = unknown[int(text[1:])]
                names = {field.name: field for field in attrs.fields(cls)}
                for key in sorted(keys):
                    report(f"{where}.{key}", _unknown(key, names))
            else:
                _report_nested(where, text, report)
        return None


def _dotted(where: str) -> str:
    """Write cattrs' ``['key']`` steps as ``.key``."""
    return re.sub(r"\['((?:[^'\\]|\\.)*)'\]", r".\1", where).removeprefix(".")


def _join(path: str, rest: str) -> str:
    if not rest:
        return path
    return f"{path}{rest}" if rest.startswith("[") else f"{path}.{rest}"


_STEP = re.compile(r"(rule|when|then|[A-Z]\w*\.\w+)((?:\[\d+\])*)(?:\[(['\"])(.*?)\3\])?")


def _report_nested(where: str, message: str, report: Report) -> None:
    """
    Report *message* at *where*, moving the paths the library's own errors start with into it.

    ``rules[0]`` with ``then[1]: unknown action`` becomes ``rules[0].then[1]``;
    ``agents.ana`` with ``Agent.capacity['chat']: must be ...`` becomes
    ``agents.ana.capacity.chat``.
    """
    while True:
        head, colon, rest = message.partition(": ")
        step = _STEP.fullmatch(head)
        if not colon or step is None:
            break
        name, indexes, _, key = step.groups()
        if name not in ("rule", "Department.name", "Agent.id"):  # the entry itself
            name = name.rpartition(".")[2]
            where = _join(where, name + indexes + ("" if key is None else f".{key}"))
        message = rest
    report(where, message)


def _unknown(key: object, known: Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(str(key), list(known), n=1)
    return "unknown key" + (f" (did you mean {close[0]!r}?)" if close else "")


def _missing(kind: str, name: str, known: Any) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"unknown {kind} {name!r}" + (f" (did you mean {close[0]!r}?)" if close else "")


def _cross_check(
    config: ConfigFile,
    departments: set[str],
    agents: set[str],
    places: Mapping[str, list[int]],
    report: Report,
) -> None:
    """
    Check each entry's values, and what it names against *departments* and *agents*.

    *places* has the index in the document of each ``duty`` and ``rules`` entry.
    """
    strategies = strategy_registry.names()

    def strategy(path: str, name: str | None) -> None:
        if name is not None and name not in strategies:
            report(path, _missing("strategy", name, strategies))

    def agent_named(path: str, agent_id: str) -> None:
        if agent_id not in agents:
            report(path, _missing("agent", agent_id, agents))

    def department_named(path: str, name: str) -> None:
        if name not in departments:
            report(path, _missing("department", name, departments))

    _check_router(config.router, report)
    strategy("router.default_strategy", config.router.default_strategy)
    for name, section in config.departments.items():
        path = f"departments.{name}"
        _built(path, partial(Department, name, **_department_kwargs(section)), report)
        for channel, chosen in section.strategies.items():
            strategy(f"{path}.strategies.{channel}", chosen)
        strategy(f"{path}.default_strategy", section.default_strategy)
        for group, members in section.dedicated.items():
            for member in members:
                agent_named(f"{path}.dedicated.{group}", member)
    owners = []
    for agent_id, agent in config.agents.items():
        path = f"agents.{agent_id}"
        _built(path, partial(_agent, agent_id, agent), report)
        for department in agent.departments:
            department_named(f"{path}.departments", department)
        if agent.forward_to == "":
            report(f"{path}.forward_to", "must be a non-empty string")
        if agent.role == "owner":
            owners.append(agent_id)
    for agent_id in owners[1:]:
        report(f"agents.{agent_id}.role", f"a router has one owner, and {owners[0]!r} is it")
    for index, duty in zip(places["duty"], config.duty, strict=True):
        path = f"duty[{index}]"
        department_named(f"{path}.department", duty.department)
        for member in duty.agents:
            agent_named(f"{path}.agents", member)
    _check_duty(config.duty, places["duty"], report)
    for index, rule in zip(places["rules"], config.rules, strict=True):
        for position, action in enumerate(rule.then):
            where = f"rules[{index}].then[{position}]"
            if isinstance(action, TransferTo):
                department_named(f"{where}.department", action.department)
            if isinstance(action, AssignTo):
                agent_named(f"{where}.agent", action.agent)
    _check_rule_names(config.rules, places["rules"], report)


def _check_router(section: RouterSection, report: Report) -> None:
    for name, least in (("retain_closed", 0), ("history_limit", 1), ("remember_customers", 0)):
        value = getattr(section, name)
        if value is not None and value < least:
            report(f"router.{name}", f"must be an int >= {least} or null, got {value}")


def _check_duty(rotations: list[DutySection], places: list[int], report: Report) -> None:
    seen: set[tuple[str, str]] = set()
    for index, duty in zip(places, rotations, strict=True):
        path = f"duty[{index}]"
        if not duty.channel:
            report(f"{path}.channel", "must be a non-empty string")
        if not duty.agents:
            report(f"{path}.agents", "must list one agent or more")
        if not duty.period_s > 0:
            report(f"{path}.period_s", f"must be seconds > 0, got {duty.period_s}")
        if (duty.department, duty.channel) in seen:
            report(path, f"a second rotation for {duty.channel!r} in {duty.department!r}")
        seen.add((duty.department, duty.channel))


def _check_rule_names(rules: list[Rule], places: list[int], report: Report) -> None:
    names: set[str] = set()
    for index, rule in zip(places, rules, strict=True):
        if rule.name in names:
            report(f"rules[{index}].name", f"a second rule named {rule.name!r}")
        names.add(rule.name)


def _built(path: str, build: Callable[[], object], report: Report) -> None:
    """Run a constructor for its checks, reporting what it refuses under *path*."""
    try:
        build()
    except InvalidValueError as error:
        _report_nested(path, str(error), report)


def _department_kwargs(section: DepartmentSection) -> dict[str, Any]:
    """Return `Router.add_department`'s keywords for *section* (and `Department`'s)."""
    kwargs = attrs.asdict(section, recurse=False)
    if kwargs["default_strategy"] is None:
        del kwargs["default_strategy"]  # the router's: `Department` wants a name
    return kwargs


def _agent(agent_id: str, section: AgentSection) -> Agent:
    return Agent(
        agent_id,
        name=agent_id if section.name is None else section.name,
        priority=section.priority,
        role=section.role,  # type: ignore[arg-type]  # checked by Agent
        capacity=section.capacity,
        departments=section.departments,
        units=section.units,
        unit_costs=section.unit_costs,
    )


# -- building and writing -------------------------------------------------------------------


def router_options(config: ConfigFile) -> dict[str, Any]:
    """Return `Router`'s keywords for *config*'s ``[router]`` table."""
    return attrs.asdict(config.router)


def build(config: ConfigFile, router: Router) -> None:
    """Make *router* configured as *config* says, through its public calls, in order."""
    for name, department in config.departments.items():
        kwargs = _department_kwargs(department)
        router.add_department(name, **kwargs)
    for agent_id, agent in config.agents.items():
        router.add_agent(_agent(agent_id, agent))
    for agent_id, agent in config.agents.items():
        if agent.schedule is not None:
            router.set_schedule(agent_id, agent.schedule)
    for agent_id, agent in config.agents.items():
        if agent.forward_to is not None:
            router.set_forwarding(agent_id, agent.forward_to)
    for duty in config.duty:
        router.set_duty_rotation(duty.department, duty.channel, duty.agents, period_s=duty.period_s)
    for rule in config.rules:
        router.add_rule(rule)


def to_plain(config: ConfigFile) -> dict[str, Any]:
    """Return *config* as plain, JSON-safe data, leaving out every value that is the default."""
    return {"format": config.format, "version": config.version, **_compact(config)}


def _compact(value: Any) -> Any:
    if attrs.has(type(value)) and type(value) is not Rule and type(value) is not Schedule:
        written = {}
        for field in attrs.fields(type(value)):
            current = getattr(value, field.name)
            if current != _default(field):
                written[field.name] = _compact(current)
        return written
    if isinstance(value, dict):
        return {key: _compact(entry) for key, entry in value.items()}
    if isinstance(value, list):
        return [_compact(entry) for entry in value]
    return _plain.unstructure(value)


def _default(field: attrs.Attribute[Any]) -> Any:
    default: Any = field.default
    return default.factory() if isinstance(default, attrs.Factory) else default  # type: ignore[arg-type]


# -- the JSON Schema ------------------------------------------------------------------------


def json_schema() -> dict[str, Any]:
    """
    Return the JSON Schema (draft 2020-12) of the configuration format, for editors and CI.

    It is built from the same declarations as the checks, and shipped as
    ``agentroute/config.schema.json``. It checks shape and types; references
    between entries and strategy names are for `agentroute.Router.from_config`.

    Examples:
        >>> schema = json_schema()
        >>> schema["properties"]["departments"]["additionalProperties"]
        {'$ref': '#/$defs/DepartmentSection'}

    Added in 0.2.
    """
    definitions: dict[str, Any] = {}
    root = _object_schema(ConfigFile, definitions)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://agentroute.dev/config.schema.json",
        "title": "agentroute configuration",
        **root,
        "$defs": dict(sorted(definitions.items())),
    }


def _object_schema(cls: type[Any], definitions: dict[str, Any]) -> dict[str, Any]:
    attrs.resolve_types(cls)  # for the rules' actions
    properties = {}
    required = []
    for field in attrs.fields(cls):
        schema = _type_schema(field.type, definitions)
        meta = field.metadata
        if "doc" in meta:
            schema = {"description": meta["doc"], **schema, **meta["schema"]}
        if field.default is attrs.NOTHING:
            required.append(field.name)
        else:
            schema["default"] = _plain.unstructure(_default(field))
        properties[field.name] = schema
    found: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        found["required"] = required
    found["additionalProperties"] = False
    return found


def _ref(
    name: str, definitions: dict[str, Any], make: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    definitions[name] = make()  # the same each time it is named
    return {"$ref": f"#/$defs/{name}"}


_SCALARS: Final[Mapping[Any, str]] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
}


def _type_schema(kind: Any, definitions: dict[str, Any]) -> dict[str, Any]:
    if kind in _SCALARS:
        return {"type": _SCALARS[kind]}
    origin, args = get_origin(kind), get_args(kind)
    if origin is dict:
        return {"type": "object", "additionalProperties": _type_schema(args[1], definitions)}
    if origin in (list, tuple):
        return {"type": "array", "items": _type_schema(args[0], definitions)}
    if kind is Rule:
        return _ref("Rule", definitions, lambda: _rule_schema(definitions))
    if kind is Schedule:
        return _ref("Schedule", definitions, _schedule_schema)
    if origin is Union or type(kind).__name__ == "UnionType":
        options = [_type_schema(arg, definitions) for arg in args if arg is not type(None)]
        return {"anyOf": [*options, {"type": "null"}]}
    return _ref(kind.__name__, definitions, lambda: _object_schema(kind, definitions))


def _schedule_schema() -> dict[str, Any]:
    shift = {
        "type": "object",
        "properties": {
            "days": {"type": "array", "items": {"enum": list(DAYS)}, "minItems": 1},
            "start": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"},
            "end": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"},
        },
        "required": [field.name for field in attrs.fields(Shift)],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {
            "timezone": {"type": "string", "description": "IANA time zone, e.g. Europe/Berlin."},
            "shifts": {"type": "array", "items": shift},
        },
        "required": [field.name for field in attrs.fields(Schedule)],
        "additionalProperties": False,
    }


def _rule_schema(definitions: dict[str, Any]) -> dict[str, Any]:
    scalar = {"type": ["string", "number", "boolean"]}
    condition = {
        "type": "object",
        "properties": {
            "field": {"type": "string"},
            "op": {"enum": list(OPERATORS)},
            "value": {"anyOf": [scalar, {"type": "array", "items": scalar}]},
        },
        "required": ["field", "op", "value"],
        "additionalProperties": False,
    }
    actions = []
    for do, cls in ACTIONS.items():
        action = _object_schema(cls, definitions)
        action["properties"] = {"do": {"const": do}, **action["properties"]}
        action["required"] = ["do", *action.get("required", [])]
        actions.append(action)
    return {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "on": {"type": "array", "items": {"enum": list(TRIGGERS)}, "minItems": 1},
            "when": {
                "type": "array",
                "items": {"type": "array", "items": condition, "minItems": 1},
            },
            "then": {"type": "array", "items": {"oneOf": actions}, "minItems": 1},
            "active": {"type": "boolean", "default": True},
        },
        "required": ["name", "on", "then"],
        "additionalProperties": False,
    }
