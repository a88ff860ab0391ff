"""
Routing rules as data: when something happens to an item that matches, do these things.

A rule is named, can be switched off, and runs in the order rules were
added. It has triggers (``on``), conditions (``when``: any of several
groups, each true when all its conditions are) and actions (``then``).
Rules are plain values: nothing is ever evaluated as code.

Examples:
    >>> social = Rule(
    ...     "social to marketing",
    ...     on=("created",),
    ...     when=((Condition("source", "in", ("facebook", "twitter")),),),
    ...     then=(TransferTo("marketing"), AssignTo("sona")),
    ... )
    >>> social.matches(Item("t1", channel="ticket", department="support", source="twitter"))
    True

Added in 0.2.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final, Literal, TypeAlias, get_args

import attrs

from agentroute.errors import InvalidValueError
from agentroute.model import Item, _validator, check_id, check_priority, is_finite_number

__all__ = [
    "ACTIONS",
    "FIELDS",
    "OPERATORS",
    "TRIGGERS",
    "Action",
    "AddTag",
    "AssignTo",
    "Condition",
    "Operator",
    "RemoveTag",
    "Rule",
    "SetPriority",
    "SetSla",
    "Stop",
    "TransferTo",
    "Trigger",
    "rule_from_plain",
    "rule_to_plain",
]

Trigger: TypeAlias = Literal[
    "created", "replied", "reopened", "transferred", "closed", "sla_warning", "sla_breach"
]
TRIGGERS: Final[tuple[Trigger, ...]] = get_args(Trigger)

Operator: TypeAlias = Literal[
    "equals", "in", "not_in", "contains", "greater_than", "less_than", "matches"
]
OPERATORS: Final[tuple[Operator, ...]] = get_args(Operator)

FIELDS: Final = ("id", "channel", "department", "customer", "group", "source", "priority", "tags")
"""The item fields a condition may test; ``attributes.<name>`` tests a host attribute."""

Value: TypeAlias = str | int | float | bool
_VALUE_TYPES: Final = (str, int, float, bool)


def _field_of(item: Item, field: str) -> Any:
    """Return what *field* names on *item* (None for an attribute it does not have)."""
    if field.startswith("attributes."):
        return item.attributes.get(field[11:])
    return getattr(item, field)


def _freeze_value(value: Value | Sequence[Value]) -> Value | tuple[Value, ...]:
    """Keep a list of values as a tuple, so a condition stays immutable and hashable."""
    return tuple(value) if isinstance(value, list | tuple) else value  # type: ignore[return-value]


def _is_number(value: object) -> bool:
    return type(value) is not bool and is_finite_number(value)


@attrs.frozen
class Condition:
    """
    One test on an item: ``field op value``.

    *field* is one of `FIELDS` or ``attributes.<name>``. Operators:
    ``equals``; ``in`` / ``not_in`` a list of values; ``contains`` (a tag
    among the tags, or a substring of a text field); ``greater_than`` /
    ``less_than`` a number; ``matches`` a glob pattern (``*@acme.com``).
    A field the item does not have (None) satisfies only ``not_in``.

    Added in 0.2.
    """

    field: str
    op: Operator
    value: Value | tuple[Value, ...] = attrs.field(converter=_freeze_value)

    def __attrs_post_init__(self) -> None:
        field, op, value = self.field, self.op, self.value
        if not isinstance(field, str) or (
            field not in FIELDS and not (field.startswith("attributes.") and len(field) > 11)
        ):
            known = ", ".join(FIELDS)
            msg = f"must be one of {known}, or attributes.<name>; got {field!r}"
            raise InvalidValueError("Condition.field", msg)
        if op not in OPERATORS:
            msg = f"must be one of {', '.join(OPERATORS)}; got {op!r}"
            raise InvalidValueError("Condition.op", msg)
        if op in ("in", "not_in"):
            if not isinstance(value, tuple) or not all(isinstance(v, _VALUE_TYPES) for v in value):
                msg = f"{op!r} needs a list of strings, numbers or bools; got {value!r}"
                raise InvalidValueError("Condition.value", msg)
        elif op in ("greater_than", "less_than"):
            if not _is_number(value):
                raise InvalidValueError("Condition.value", f"{op!r} needs a number; got {value!r}")
        elif op in ("contains", "matches"):
            if not isinstance(value, str):
                raise InvalidValueError("Condition.value", f"{op!r} needs a string; got {value!r}")
        elif not isinstance(value, _VALUE_TYPES) or (
            isinstance(value, float) and not _is_number(value)
        ):
            msg = f"'equals' needs a string, a number or a bool; got {value!r}"
            raise InvalidValueError("Condition.value", msg)

    def holds(self, item: Item) -> bool:
        """Tell whether *item* passes this test."""
        found = _field_of(item, self.field)
        op, value = self.op, self.value
        if found is None:
            return op == "not_in"
        if op == "equals":
            return _equal(found, value)
        if op == "in":
            return any(_equal(found, v) for v in value)  # type: ignore[union-attr]
        if op == "not_in":
            return not any(_equal(found, v) for v in value)  # type: ignore[union-attr]
        if op == "contains":
            return value in found if isinstance(found, str | frozenset) else False
        if op == "matches":
            return isinstance(found, str) and fnmatch.fnmatchcase(found, str(value))
        if not _is_number(found):
            return False
        number, limit = float(found), float(value)  # type: ignore[arg-type]
        return number > limit if op == "greater_than" else number < limit


def _same_number(found: object, value: object) -> bool:
    return _is_number(found) and _is_number(value) and found == value


def _equal(found: object, value: object) -> bool:
    """Equal as values of the same kind: ``1`` equals ``1.0``, but not ``True`` or ``"1"``."""
    return (found == value and type(found) is type(value)) or _same_number(found, value)


@attrs.frozen
class TransferTo:
    """Move the item to *department* (routed there, unless an `AssignTo` follows)."""

    do: ClassVar[str] = "transfer"
    department: str = attrs.field(validator=_validator(check_id))


@attrs.frozen
class AssignTo:
    """Give the item to *agent*, if they can take it now; otherwise record why not."""

    do: ClassVar[str] = "assign"
    agent: str = attrs.field(validator=_validator(check_id))


@attrs.frozen
class SetPriority:
    """Give the item *priority* (1 = most urgent); a waiting item moves in its line."""

    do: ClassVar[str] = "set_priority"
    priority: int = attrs.field(validator=_validator(check_priority))


@attrs.frozen
class AddTag:
    """Add *tag* to the item's tags."""

    do: ClassVar[str] = "add_tag"
    tag: str = attrs.field(validator=_validator(check_id))


@attrs.frozen
class RemoveTag:
    """Remove *tag* from the item's tags, if there."""

    do: ClassVar[str] = "remove_tag"
    tag: str = attrs.field(validator=_validator(check_id))


def _check_seconds(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not _is_number(value) or value <= 0:
        raise InvalidValueError("SetSla.seconds", f"must be seconds > 0, got {value!r}")


@attrs.frozen
class SetSla:
    """Give the item an SLA deadline *seconds* after the trigger."""

    do: ClassVar[str] = "set_sla"
    seconds: float = attrs.field(validator=_check_seconds)


@attrs.frozen
class Stop:
    """Run no further rules for this trigger."""

    do: ClassVar[str] = "stop"


Action: TypeAlias = TransferTo | AssignTo | SetPriority | AddTag | RemoveTag | SetSla | Stop
ACTIONS: Final[Mapping[str, type[Action]]] = {
    cls.do: cls for cls in (TransferTo, AssignTo, SetPriority, AddTag, RemoveTag, SetSla, Stop)
}
"""Every action class by the name configuration gives it (``do``)."""


def _freeze_triggers(value: object) -> tuple[Trigger, ...]:
    if isinstance(value, str) or not isinstance(value, tuple | list) or not value:
        msg = f"must be a non-empty list of triggers ({', '.join(TRIGGERS)}); got {value!r}"
        raise InvalidValueError("Rule.on", msg)
    for trigger in value:
        if trigger not in TRIGGERS:
            msg = f"unknown trigger {trigger!r}; known: {', '.join(TRIGGERS)}"
            raise InvalidValueError("Rule.on", msg)
    return tuple(dict.fromkeys(value))


def _freeze_when(value: object) -> tuple[tuple[Condition, ...], ...]:
    if not isinstance(value, tuple | list):
        raise InvalidValueError("Rule.when", f"must be a list of condition groups; got {value!r}")
    groups = []
    for group in value:
        if not isinstance(group, tuple | list) or not group:
            msg = f"each group must be a non-empty list of conditions; got {group!r}"
            raise InvalidValueError("Rule.when", msg)
        for condition in group:
            if not isinstance(condition, Condition):
                raise InvalidValueError("Rule.when", f"not a Condition: {condition!r}")
        groups.append(tuple(group))
    return tuple(groups)


def _freeze_then(value: object) -> tuple[Action, ...]:
    if not isinstance(value, tuple | list) or not value:
        raise InvalidValueError("Rule.then", f"must be a non-empty list of actions; got {value!r}")
    for action in value:
        if type(action) not in ACTIONS.values():
            raise InvalidValueError("Rule.then", f"not an action: {action!r}")
    return tuple(value)


@attrs.frozen
class Rule:
    """
    A named rule: on these triggers, when the item matches, do these actions.

    Attributes:
        name: Unique among the router's rules; the history names it as the actor.
        on: The triggers that run it: ``created``, ``replied``, ``reopened``,
            ``transferred``, ``closed``, ``sla_warning``, ``sla_breach``.
        when: Groups of conditions; the rule matches when all conditions of
            any one group hold. No groups: it always matches.
        then: The actions, in order.
        active: A switched-off rule is kept but never runs.

    Added in 0.2.
    """

    name: str = attrs.field(validator=_validator(check_id))
    on: tuple[Trigger, ...] = attrs.field(converter=_freeze_triggers)
    when: tuple[tuple[Condition, ...], ...] = attrs.field(default=(), converter=_freeze_when)
    then: tuple[Action, ...] = attrs.field(default=(), converter=_freeze_then)
    active: bool = attrs.field(default=True)

    @active.validator
    def _check_active(self, attribute: object, value: object) -> None:
        if type(value) is not bool:
            raise InvalidValueError("Rule.active", f"must be True or False, got {value!r}")

    def matches(self, item: Item) -> bool:
        """Tell whether *item* satisfies every condition of some group (or there are none)."""
        return not self.when or any(
            all(condition.holds(item) for condition in group) for group in self.when
        )


def rule_to_plain(rule: Rule) -> dict[str, Any]:
    """
    Return *rule* as plain, JSON-safe data (configuration, snapshots, the journal).

    Examples:
        >>> rule_to_plain(Rule("vip", on=["created"], then=[SetPriority(1)]))
        {'name': 'vip', 'on': ['created'], 'when': [],
         'then': [{'do': 'set_priority', 'priority': 1}], 'active': True}
    """
    return {
        "name": rule.name,
        "on": list(rule.on),
        "when": [
            [
                {
                    "field": c.field,
                    "op": c.op,
                    "value": list(c.value) if isinstance(c.value, tuple) else c.value,
                }
                for c in group
            ]
            for group in rule.when
        ],
        "then": [{"do": a.do, **attrs.asdict(a)} for a in rule.then],
        "active": rule.active,
    }


def rule_from_plain(data: object) -> Rule:
    """
    Build a `Rule` from plain data as `rule_to_plain` writes it.

    Raises:
        InvalidValueError: Not a rule; the path names the part (``then[1]``, ``when[0][2]`` ...).
    """
    fields = _mapping(data, "rule", {"name", "on", "when", "then", "active"}, {"name", "on"})
    when = _list(fields.get("when", []), "when")
    groups = []
    for index, group in enumerate(when):
        conditions = []
        for position, condition in enumerate(_list(group, f"when[{index}]")):
            path = f"when[{index}][{position}]"
            parts = _mapping(condition, path, {"field", "op", "value"}, {"field", "op", "value"})
            conditions.append(_built(path, Condition, parts))
        groups.append(conditions)
    actions = []
    for index, action in enumerate(_list(fields.get("then", []), "then")):
        path = f"then[{index}]"
        if not isinstance(action, Mapping) or action.get("do") not in ACTIONS:
            known = ", ".join(ACTIONS)
            found = action.get("do") if isinstance(action, Mapping) else action
            msg = f"unknown action {found!r}; known: {known}"
            raise InvalidValueError(path, msg)
        cls = ACTIONS[action["do"]]
        wanted = {field.name for field in attrs.fields(cls)}
        parts = _mapping(action, path, wanted | {"do"}, wanted)
        actions.append(_built(path, cls, {k: v for k, v in parts.items() if k != "do"}))
    rest = {k: fields[k] for k in ("name", "on", "active") if k in fields}
    rule: Rule = _built("rule", Rule, {**rest, "when": groups, "then": actions})
    return rule


def _mapping(data: object, path: str, allowed: set[str], required: set[str]) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise InvalidValueError(path, f"must be an object, got {data!r}")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InvalidValueError(path, f"unknown key(s): {', '.join(map(str, unknown))}")
    missing = sorted(required - set(data))
    if missing:
        raise InvalidValueError(path, f"required key(s) missing: {', '.join(missing)}")
    return data


def _list(data: object, path: str) -> list[Any]:
    if not isinstance(data, list | tuple):
        raise InvalidValueError(path, f"must be a list, got {data!r}")
    return list(data)


def _built(path: str, cls: Any, fields: Mapping[str, Any]) -> Any:
    """Build *cls*, putting *path* before the path of a value it refuses."""
    try:
        return cls(**fields)
    except InvalidValueError as error:
        raise InvalidValueError(f"{path}: {error.path}", str(error).split(": ", 1)[-1]) from None
