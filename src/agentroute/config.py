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

import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, TypeVar

import attrs

from agentroute import _plain
from agentroute._config_checks import (
    WHAT,
    agent_from,
    cross_check,
    department_kwargs,
    structure_field,
    unknown_key,
)
from agentroute._config_schema import default_of, document_schema
from agentroute.errors import InvalidDataError, InvalidValueError, UnsupportedVersionError
from agentroute.model import MODES, ROLES
from agentroute.router import (
    DEFAULT_HISTORY_LIMIT,
    DEFAULT_REMEMBER_CUSTOMERS,
    DEFAULT_RETAIN_CLOSED,
    Router,
)
from agentroute.rules import Rule
from agentroute.schedules import Schedule

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

T = TypeVar("T")


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
        raise InvalidDataError(WHAT, [("(top level)", f"expected an object, got {data!r}")])
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
        raise InvalidDataError(WHAT, [("(top level)", f"expected an object, got {data!r}")])
    _check_header(data)
    found: list[tuple[str, str]] = []

    def report(path: str, message: str) -> None:
        found.append((path, message))

    fields = {field.name: field for field in attrs.fields(ConfigFile)}
    for key in data:
        if key not in fields:
            report(str(key), unknown_key(key, fields))
    parts: dict[str, Any] = {}
    places: dict[str, list[int]] = {"duty": [], "rules": []}
    for name, field in fields.items():
        if (
            name in data
            and (entries := structure_field(data[name], field.type, name, report)) is not None
        ):
            parts[name] = entries
        if name in places and name in parts:
            places[name] = list(parts[name])
            parts[name] = list(parts[name].values())
    config = ConfigFile(**parts)
    named = {  # what a reference may name: an entry with problems of its own still exists
        name: set(data[name]) if isinstance(data.get(name), Mapping) else set()
        for name in ("departments", "agents")
    }
    cross_check(config, named["departments"], named["agents"], places, report)
    if found:
        raise InvalidDataError(WHAT, found)
    return config


def _check_header(data: Mapping[str, Any]) -> None:
    supported = f"format {FORMAT!r} version {VERSION}"
    if "format" in data and data["format"] != FORMAT:
        raise UnsupportedVersionError(WHAT, "format", data["format"], supported)
    version = data.get("version", VERSION)
    if type(version) is not int or version != VERSION:
        raise UnsupportedVersionError(WHAT, "version", version, supported)


# -- building and writing -------------------------------------------------------------------


def router_options(config: ConfigFile) -> dict[str, Any]:
    """Return `Router`'s keywords for *config*'s ``[router]`` table."""
    return attrs.asdict(config.router)


def build(config: ConfigFile, router: Router) -> None:
    """Make *router* configured as *config* says, through its public calls, in order."""
    for name, department in config.departments.items():
        kwargs = department_kwargs(department)
        router.add_department(name, **kwargs)
    for agent_id, agent in config.agents.items():
        router.add_agent(agent_from(agent_id, agent))
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
            if current != default_of(field):
                written[field.name] = _compact(current)
        return written
    if isinstance(value, dict):
        return {key: _compact(entry) for key, entry in value.items()}
    if isinstance(value, list):
        return [_compact(entry) for entry in value]
    return _plain.unstructure(value)


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
    return document_schema(
        ConfigFile,
        schema_id="https://agentroute.dev/config.schema.json",
        title="agentroute configuration",
    )
