"""
Plain data in and out: the strict cattrs converter behind snapshots and the journal.

Strict means JSON's types are taken at their word: a string is not a
number, a bool is not an int, a float must be finite, and an unknown key is
refused. A value that does not fit becomes an `InvalidDataError` naming
every offending key path, e.g. ``items[3].arrival: expected an int, got '3'``.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import cattrs
from cattrs.cols import (
    is_namedtuple,
    namedtuple_dict_structure_factory,
    namedtuple_dict_unstructure_factory,
)

from agentroute.errors import InvalidDataError, InvalidValueError, UnsupportedVersionError
from agentroute.model import Agent, Item
from agentroute.rules import Rule, rule_from_plain, rule_to_plain

__all__ = [
    "check_header",
    "collector_paused",
    "hook",
    "problems",
    "structure",
    "unstructure",
    "unstructure_hook",
]

T = TypeVar("T")


def _exact(kind: type[Any], noun: str) -> Any:
    def structure_exactly(value: object, _: object) -> Any:
        if type(value) is not kind:
            raise TypeError(f"expected {noun}, got {value!r}")
        return value

    return structure_exactly


def _is(wanted: object) -> Callable[[object], bool]:
    """Return a predicate that matches the type *wanted* exactly (also a union or a generic)."""
    return lambda kind: kind == wanted


def _or_none(structure: Any) -> Any:
    """Return a hook for ``T | None`` that calls *structure* (T's hook) directly."""

    def structure_optional(value: object, kind: object) -> Any:
        return None if value is None else structure(value, kind)

    return structure_optional


def _finite_number(value: object, _: object) -> float:
    if type(value) not in (int, float) or not math.isfinite(value):  # type: ignore[arg-type]
        raise TypeError(f"expected a finite number, got {value!r}")
    return float(value)  # type: ignore[arg-type]


def _agent_to_plain(agent: Agent) -> dict[str, Any]:
    return {
        "id": agent.id,
        "name": agent.name,
        "priority": agent.priority,
        "role": agent.role,
        "capacity": dict(agent.capacity),
        "departments": {d: sorted(channels) for d, channels in agent.departments.items()},
        "units": agent.units,
        "unit_costs": dict(agent.unit_costs),
    }


def _item_to_plain(item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "channel": item.channel,
        "department": item.department,
        "customer": item.customer,
        "priority": item.priority,
        "sla_deadline": item.sla_deadline,
        "group": item.group,
        "source": item.source,
        "tags": sorted(item.tags),
        "attributes": dict(item.attributes),
    }


def _rule_from_plain(value: object, _: object) -> Rule:
    try:
        return rule_from_plain(value)
    except InvalidValueError as error:
        raise ValueError(str(error)) from None


def _strict_namedtuple(cls: Any, converter: cattrs.Converter) -> Any:
    """Structure a named tuple (a command) from a dict with exactly its fields."""
    return namedtuple_dict_structure_factory(cls, converter, "from_converter", True)


def _item_from_plain(value: object, _: object) -> Item:
    """Build an `Item` by its own checks; its keyword-only constructor defeats cattrs' default."""
    if not isinstance(value, Mapping):
        raise TypeError(f"expected an object, got {value!r}")
    try:
        return Item(**value)
    except TypeError as error:  # a missing or unknown key
        raise TypeError(str(error).replace("Item.__init__() ", "")) from None


def hook(cls: Any, function: Any, *, fast_only: bool = False) -> None:
    """
    Register *function* to structure values of type *cls*.

    With *fast_only*, only good data takes it: bad data goes to the detailed
    converter's own way, which names the key path of each problem.
    """
    for converter in (_FAST,) if fast_only else (_DETAILED, _FAST):
        converter.register_structure_hook_func(_is(cls), function)


def _converter(*, detailed: bool) -> cattrs.Converter:
    converter = cattrs.Converter(
        forbid_extra_keys=True,
        detailed_validation=detailed,
        unstruct_collection_overrides={tuple: list},  # JSON has no tuples: equal after a round trip
    )
    converter.register_structure_hook(str, _exact(str, "a string"))
    converter.register_structure_hook(int, _exact(int, "an int"))
    converter.register_structure_hook(bool, _exact(bool, "true or false"))
    converter.register_structure_hook(float, _finite_number)
    # Optional plain values are most of a snapshot's fields: skip cattrs' generic dispatch.
    for kind in (str, int, float):
        exact = converter.get_structure_hook(kind)
        converter.register_structure_hook_func(_is(kind | None), _or_none(exact))
    converter.register_structure_hook_factory(is_namedtuple, _strict_namedtuple)
    converter.register_unstructure_hook_factory(
        is_namedtuple, lambda cls, conv: namedtuple_dict_unstructure_factory(cls, conv)
    )
    converter.register_unstructure_hook(Agent, _agent_to_plain)
    converter.register_structure_hook(Item, _item_from_plain)
    converter.register_unstructure_hook(Item, _item_to_plain)
    converter.register_unstructure_hook(Rule, rule_to_plain)
    converter.register_structure_hook(Rule, _rule_from_plain)
    return converter


_DETAILED = _converter(detailed=True)
_FAST = _converter(detailed=False)


def unstructure(value: object) -> Any:
    """Return *value* as plain JSON-safe data."""
    return _FAST.unstructure(value)


def unstructure_hook(cls: type[Any]) -> Any:
    """Return the function that turns a *cls* value into plain data, for hot paths."""
    return _FAST.get_unstructure_hook(cls)


def structure(data: object, cls: type[T], what: str) -> T:
    """
    Build a *cls* from plain *data*, or raise `InvalidDataError` naming every bad key path.

    Good data takes the fast converter; only bad data pays for the detailed
    one, which collects all the problems with their paths.
    """
    try:
        return _FAST.structure(data, cls)
    except Exception:
        pass
    try:
        return _DETAILED.structure(data, cls)
    except Exception as error:
        raise InvalidDataError(what, problems(error)) from error


def problems(error: BaseException) -> list[tuple[str, str]]:
    """Return (key path, message) for every leaf error inside a cattrs error."""
    found: list[tuple[str, str]] = []
    for line in cattrs.transform_error(error, path="$", format_exception=_message):
        message, _, where = line.rpartition(" @ ")
        found.append((where.removeprefix("$").removeprefix(".") or "(top level)", message))
    return found


def _message(error: BaseException, cls: type[Any] | None) -> str:
    if isinstance(error, KeyError):
        return "required key missing"
    if isinstance(error, cattrs.ForbiddenExtraKeysError):
        return f"unknown key(s): {', '.join(sorted(error.extra_fields))}"
    return str(error) or type(error).__name__


@contextmanager
def collector_paused() -> Iterator[None]:
    """
    Keep the cyclic garbage collector off while a large state is built or written.

    Building a snapshot or a router allocates millions of objects that all
    survive; a collection in the middle would walk them for nothing, and
    those walks made restore's cost grow faster than its size.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_header(data: object, what: str, format_name: str, version: int) -> Mapping[str, Any]:
    """
    Return *data* if it is a mapping of format *format_name* at a version this release reads.

    Raises:
        InvalidDataError: *data* is not a mapping.
        UnsupportedVersionError: Another format, or a version other than 1..*version*.
    """
    if not isinstance(data, Mapping):
        raise InvalidDataError(what, [("(top level)", f"expected an object, got {data!r}")])
    supported = f"format {format_name!r} up to version {version}"
    found = data.get("format")
    if found != format_name:
        raise UnsupportedVersionError(what, "format", found, supported)
    number = data.get("version")
    if type(number) is not int or not 1 <= number <= version:
        raise UnsupportedVersionError(what, "version", number, supported)
    return data
