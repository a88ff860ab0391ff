"""
The checks behind `agentroute.config.parse`: every problem under its key path.

A key the format does not have, or a name no entry has, is reported with the
closest known one ("did you mean ..."); the library's own errors about a
value have their paths moved into the key path of the entry that holds it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, Final, get_args, get_origin

import attrs
import cattrs

from agentroute import _plain
from agentroute.errors import InvalidDataError, InvalidValueError
from agentroute.model import Agent, Department
from agentroute.rules import AssignTo, Rule, TransferTo
from agentroute.strategies import _registry as strategy_registry

if TYPE_CHECKING:  # agentroute.config imports this module
    from agentroute.config import (
        AgentSection,
        ConfigFile,
        DepartmentSection,
        DutySection,
        RouterSection,
    )

__all__ = [
    "WHAT",
    "Report",
    "agent_from",
    "cross_check",
    "department_kwargs",
    "structure_field",
    "unknown_key",
]

WHAT: Final = "configuration"  # what the errors call the document
Report = Callable[[str, str], None]  # (key path, message) -> None


def structure_field(value: object, kind: Any, path: str, report: Report) -> Any:
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
        return _plain.structure(value, kind, WHAT)
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
                    report(f"{where}.{key}", unknown_key(key, names))
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


def unknown_key(key: object, known: Mapping[str, Any]) -> str:
    """Return the message for an unknown *key*, naming the closest of the *known* keys."""
    close = difflib.get_close_matches(str(key), list(known), n=1)
    return "unknown key" + (f" (did you mean {close[0]!r}?)" if close else "")


def _missing(kind: str, name: str, known: Any) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"unknown {kind} {name!r}" + (f" (did you mean {close[0]!r}?)" if close else "")


def cross_check(
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
        _built(path, partial(Department, name, **department_kwargs(section)), report)
        for channel, chosen in section.strategies.items():
            strategy(f"{path}.strategies.{channel}", chosen)
        strategy(f"{path}.default_strategy", section.default_strategy)
        for group, members in section.dedicated.items():
            for member in members:
                agent_named(f"{path}.dedicated.{group}", member)
    owners = []
    for agent_id, agent in config.agents.items():
        path = f"agents.{agent_id}"
        _built(path, partial(agent_from, agent_id, agent), report)
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


def department_kwargs(section: DepartmentSection) -> dict[str, Any]:
    """Return `Router.add_department`'s keywords for *section* (and `Department`'s)."""
    kwargs = attrs.asdict(section, recurse=False)
    if kwargs["default_strategy"] is None:
        del kwargs["default_strategy"]  # the router's: `Department` wants a name
    return kwargs


def agent_from(agent_id: str, section: AgentSection) -> Agent:
    """Return the `Agent` *section* describes, checked by its constructor."""
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
