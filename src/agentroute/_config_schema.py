"""
The JSON Schema of `agentroute.config`'s format, built from its attrs classes.

Each field's type gives its schema, and its ``doc`` metadata the description
and any extra keywords; `Rule` and `Schedule`, which have plain forms of
their own, are written by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, Union, get_args, get_origin

import attrs

from agentroute import _plain
from agentroute.rules import ACTIONS, OPERATORS, TRIGGERS, Rule
from agentroute.schedules import DAYS, Schedule, Shift

__all__ = ["default_of", "document_schema"]


def document_schema(root: type[Any], *, schema_id: str, title: str) -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of the attrs class *root*, its parts in ``$defs``."""
    definitions: dict[str, Any] = {}
    schema = _object_schema(root, definitions)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id,
        "title": title,
        **schema,
        "$defs": dict(sorted(definitions.items())),
    }


def default_of(field: attrs.Attribute[Any]) -> Any:
    """Return the value *field* defaults to, calling its factory if it has one."""
    default: Any = field.default
    return default.factory() if isinstance(default, attrs.Factory) else default  # type: ignore[arg-type]


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
            schema["default"] = _plain.unstructure(default_of(field))
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
