"""
The plain, immutable data the router takes and gives: agents, items, decisions.

Everything here is a frozen ``attrs`` class validated on construction, so a
value that exists is a valid value. Change one with ``attrs.evolve``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Set
from types import MappingProxyType
from typing import Any, Final, Literal, TypeAlias

import attrs

from agentroute.errors import InvalidValueError

__all__ = [
    "CALL",
    "CHAT",
    "PRESENCES",
    "ROLES",
    "TICKET",
    "Agent",
    "Decision",
    "Department",
    "Item",
    "ItemState",
    "ItemStatus",
    "Mode",
    "Presence",
    "Role",
]

CHAT: Final = "chat"
TICKET: Final = "ticket"
CALL: Final = "call"

Presence: TypeAlias = Literal["online", "away", "offline"]
PRESENCES: Final[tuple[Presence, ...]] = ("online", "away", "offline")

Role: TypeAlias = Literal["owner", "administrator", "agent"]
ROLES: Final[tuple[Role, ...]] = ("owner", "administrator", "agent")

ItemState: TypeAlias = Literal["queued", "offered", "assigned", "closed"]

Mode: TypeAlias = Literal["push", "pull"]
MODES: Final[tuple[Mode, ...]] = ("push", "pull")

PRIORITY_RANGE: Final = range(1, 101)


def check_id(path: str, value: object) -> str:
    """Return *value* if it is a non-empty string, else raise InvalidValueError."""
    if not isinstance(value, str) or not value:
        msg = f"must be a non-empty string, got {value!r}"
        raise InvalidValueError(path, msg)
    return value


def check_priority(path: str, value: object) -> int:
    """Return *value* if it is an int in 1..100 (1 = most important)."""
    if type(value) is not int or value not in PRIORITY_RANGE:
        msg = f"must be an int from 1 (most important) to 100, got {value!r}"
        raise InvalidValueError(path, msg)
    return value


def check_limit(path: str, value: object) -> int:
    """Return *value* if it is an int >= 0 (a per-channel capacity)."""
    if type(value) is not int or value < 0:
        msg = f"must be an int >= 0, got {value!r}"
        raise InvalidValueError(path, msg)
    return value


def _validator(check: Any) -> Any:
    def validate(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        check(f"{type(instance).__name__}.{attribute.name}", value)

    return validate


def _freeze_capacity(value: object) -> Mapping[str, int]:
    if not isinstance(value, Mapping):
        msg = f"must be a mapping of channel to limit, got {value!r}"
        raise InvalidValueError("Agent.capacity", msg)
    copied = dict(value.items())  # read once: a mapping that changes cannot slip past the checks
    for channel, limit in copied.items():
        check_id("Agent.capacity key", channel)
        check_limit(f"Agent.capacity[{channel!r}]", limit)
    return MappingProxyType(dict(sorted(copied.items())))


def _freeze_departments(value: object) -> Mapping[str, frozenset[str]]:
    if not isinstance(value, Mapping):
        msg = f"must be a mapping of department to a set of channels, got {value!r}"
        raise InvalidValueError("Agent.departments", msg)
    copied = dict(value.items())  # read once, as for the capacity
    for department in copied:
        check_id("Agent.departments key", department)
    frozen: dict[str, frozenset[str]] = {}
    for department, channels in sorted(copied.items()):
        path = f"Agent.departments[{department!r}]"
        if isinstance(channels, str) or not isinstance(channels, Set | list | tuple):
            msg = f"must be a set of channel names, got {channels!r}"
            raise InvalidValueError(path, msg)
        members = frozenset(channels)
        for channel in members:
            check_id(f"{path} channel", channel)
        frozen[department] = members
    return MappingProxyType(frozen)


def _freeze_unit_costs(value: object) -> Mapping[str, int]:
    if not isinstance(value, Mapping):
        msg = f"must be a mapping of channel to units, got {value!r}"
        raise InvalidValueError("Agent.unit_costs", msg)
    copied = dict(value.items())
    for channel, units in copied.items():
        check_id("Agent.unit_costs key", channel)
        check_limit(f"Agent.unit_costs[{channel!r}]", units)
    return MappingProxyType(dict(sorted(copied.items())))


def _mapping_repr(value: Mapping[str, Any]) -> str:
    parts = []
    for key, val in value.items():
        shown = (
            "{" + ", ".join(repr(v) for v in sorted(val)) + "}"
            if isinstance(val, frozenset)
            else repr(val)
        )
        parts.append(f"{key!r}: {shown}")
    return "{" + ", ".join(parts) + "}"


@attrs.frozen
class Agent:
    """
    A human who handles work.

    Attributes:
        id: The host's id for the agent.
        name: Display name; defaults to the id.
        priority: Routing priority, 1 (first choice) to 100 (last).
        role: ``"owner"``, ``"administrator"`` or ``"agent"``.
        capacity: Concurrent items the agent may hold, per channel.
            A channel missing here is a channel the agent never gets.
        departments: Per department, the channels the agent serves there.
            Every channel served must have a capacity.
        units: A budget of units shared by all channels, or None (no
            budget, the default). Each item held or offer ringing costs
            its channel's units, and the agent gets nothing that would
            take them over budget, whatever the channel limits allow.
        unit_costs: Units an item of each channel costs; a channel not
            listed costs 1. Only used with *units*.

    Examples:
        >>> Agent(id="ana", capacity={"chat": 3}, departments={"billing": {"chat"}})
        Agent(id='ana', name='ana', priority=50, role='agent', capacity={'chat': 3},
              departments={'billing': {'chat'}})

    Added in 0.1. *units* and *unit_costs* added in 0.2.
    """

    id: str = attrs.field(validator=_validator(check_id))
    name: str = attrs.field(kw_only=True)
    priority: int = attrs.field(default=50, kw_only=True, validator=_validator(check_priority))
    role: Role = attrs.field(default="agent", kw_only=True)
    capacity: Mapping[str, int] = attrs.field(
        factory=dict, kw_only=True, converter=_freeze_capacity, repr=_mapping_repr, hash=False
    )
    departments: Mapping[str, frozenset[str]] = attrs.field(
        factory=dict, kw_only=True, converter=_freeze_departments, repr=_mapping_repr, hash=False
    )
    units: int | None = attrs.field(default=None, kw_only=True, repr=False)
    unit_costs: Mapping[str, int] = attrs.field(
        factory=dict, kw_only=True, converter=_freeze_unit_costs, repr=False, hash=False
    )

    @name.default
    def _name_defaults_to_id(self) -> str:
        return self.id

    @name.validator
    def _check_name(self, attribute: attrs.Attribute[str], value: object) -> None:
        if not isinstance(value, str):
            raise InvalidValueError("Agent.name", f"must be a string, got {value!r}")

    @role.validator
    def _check_role(self, attribute: attrs.Attribute[str], value: object) -> None:
        if value not in ROLES:
            msg = f"must be one of {', '.join(ROLES)}, got {value!r}"
            raise InvalidValueError("Agent.role", msg)

    @units.validator
    def _check_units(self, attribute: attrs.Attribute[int | None], value: object) -> None:
        if value is not None:
            check_limit("Agent.units", value)

    def __attrs_post_init__(self) -> None:
        if self.unit_costs and self.units is None:
            msg = "has costs but Agent.units is None, so they would count for nothing; set units"
            raise InvalidValueError("Agent.unit_costs", msg)
        for channel in self.unit_costs:
            if channel not in self.capacity:
                msg = f"has a cost for {channel!r}, which Agent.capacity does not list"
                raise InvalidValueError("Agent.unit_costs", msg)
        for department, channels in self.departments.items():
            for channel in sorted(channels - self.capacity.keys()):
                msg = (
                    f"serves {channel!r} but Agent.capacity has no {channel!r} limit; "
                    f"add capacity={{{channel!r}: n}}"
                )
                raise InvalidValueError(f"Agent.departments[{department!r}]", msg)

    def serves(self, department: str, channel: str) -> bool:
        """
        Tell whether the agent serves *channel* in *department*.

        Examples:
            >>> ana = Agent(id="ana", capacity={"chat": 1}, departments={"b": {"chat"}})
            >>> ana.serves("b", "chat")
            True
        """
        return channel in self.departments.get(department, ())

    def cost(self, channel: str) -> int:
        """
        Return the units an item of *channel* costs this agent (1 unless listed).

        Examples:
            >>> Agent(id="ana", units=4, unit_costs={"call": 4}, capacity={"call": 1}).cost("call")
            4
        """
        return self.unit_costs.get(channel, 1)


def is_finite_number(value: object) -> bool:
    """Tell whether *value* is an int or float that converts to a finite float."""
    if type(value) not in (int, float):
        return False
    try:
        return math.isfinite(value)  # type: ignore[arg-type]
    except OverflowError:  # an int too large for a float
        return False


def _check_strategies(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    for channel, strategy in value.items():  # type: ignore[attr-defined]
        check_id("Department.strategies key", channel)
        check_id(f"Department.strategies[{channel!r}]", strategy)


def _freeze_strategies(value: object) -> Mapping[str, str]:
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, Mapping):
        msg = f"must be a mapping of channel to strategy name, got {value!r}"
        raise InvalidValueError("Department.strategies", msg)
    return MappingProxyType(dict(value))


def _freeze_dedicated(value: object) -> Mapping[str, tuple[str, ...]]:
    if not isinstance(value, Mapping):
        msg = f"must be a mapping of customer group to a list of agent ids, got {value!r}"
        raise InvalidValueError("Department.dedicated", msg)
    frozen: dict[str, tuple[str, ...]] = {}
    for group, agents in dict(value.items()).items():
        check_id("Department.dedicated key", group)
        path = f"Department.dedicated[{group!r}]"
        if isinstance(agents, str) or not isinstance(agents, list | tuple) or not agents:
            msg = f"must be a non-empty list of agent ids, first choice first, got {agents!r}"
            raise InvalidValueError(path, msg)
        for agent in agents:
            check_id(f"{path} agent", agent)
        if len(set(agents)) != len(agents):
            raise InvalidValueError(path, f"lists an agent twice: {list(agents)!r}")
        frozen[group] = tuple(agents)
    return MappingProxyType(frozen)


def _check_bool(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not bool:
        raise InvalidValueError(
            f"Department.{attribute.name}", f"must be True or False, got {value!r}"
        )


@attrs.frozen
class Department:
    """
    A department's routing settings, from ``Router.department()``.

    Attributes:
        name: The department's name.
        strategies: Strategy name per channel.
        default_strategy: Strategy for every other channel.
        mode: ``"push"``: a strategy assigns arrivals to free agents;
            ``"pull"``: arrivals wait until an agent claims them or asks
            for the next one (``Router.next_for()``).
        unassign_on_close: Closing an item also clears its responsible agent.
        allow_claims: Agents may claim waiting items out of queue order.
        requeue_offline_after_s: When an agent goes offline holding this
            department's items, they go back to routing after this many
            seconds if the agent is still offline; None keeps them with the
            agent (the default).
        sla_warning_s: Seconds before a waiting item's SLA deadline when
            ``advance()`` warns (event ``sla_warning``); None: no warning.
        sla_escalate_to: The priority a waiting item gets when its SLA
            deadline passes (if more urgent than its own); None keeps it.
        sticky: A new item of a customer goes to the agent who last handled
            that customer, when they are free and eligible.
        sticky_max_age_s: With *sticky*, only if that was at most this many
            seconds ago; None: however long ago, within the router's memory.
        sticky_wait_s: With *sticky*, when that agent cannot take the item
            now, how long it waits for them before the strategy chooses;
            0 (the default) does not wait.
        dedicated: Per customer group (``Item.group``), the agents its items
            go to, first choice first: the first of them who can take the
            item gets it, whatever the strategy.
        dedicated_wait_s: When none of a group's agents can take its item,
            how long it waits for them before the strategy chooses; None
            (the default) waits for them however long, 0 does not wait.
        ring_timeout_s: How long an offer of a ``ring_all`` pool rings
            before it counts as missed and the item goes back to routing.

    Added in 0.2.
    """

    name: str = attrs.field(validator=_validator(check_id))
    strategies: Mapping[str, str] = attrs.field(
        factory=dict,
        kw_only=True,
        converter=_freeze_strategies,
        validator=_check_strategies,
        repr=_mapping_repr,
        hash=False,
    )
    default_strategy: str = attrs.field(
        default="least_busy", kw_only=True, validator=_validator(check_id)
    )
    mode: Mode = attrs.field(default="push", kw_only=True)
    unassign_on_close: bool = attrs.field(default=False, kw_only=True, validator=_check_bool)
    allow_claims: bool = attrs.field(default=True, kw_only=True, validator=_check_bool)
    requeue_offline_after_s: float | None = attrs.field(default=None, kw_only=True)
    sla_warning_s: float | None = attrs.field(default=None, kw_only=True)
    sla_escalate_to: int | None = attrs.field(default=None, kw_only=True)
    sticky: bool = attrs.field(default=False, kw_only=True, validator=_check_bool)
    sticky_max_age_s: float | None = attrs.field(default=None, kw_only=True)
    ring_timeout_s: float = attrs.field(default=20.0, kw_only=True)
    sticky_wait_s: float = attrs.field(default=0.0, kw_only=True)
    dedicated: Mapping[str, tuple[str, ...]] = attrs.field(
        factory=dict, kw_only=True, converter=_freeze_dedicated, repr=_mapping_repr, hash=False
    )
    dedicated_wait_s: float | None = attrs.field(default=None, kw_only=True)

    @requeue_offline_after_s.validator
    @sla_warning_s.validator
    @sticky_max_age_s.validator
    @dedicated_wait_s.validator
    def _check_seconds(self, attribute: attrs.Attribute[float | None], value: object) -> None:
        if value is not None and (not is_finite_number(value) or value < 0):  # type: ignore[operator]
            msg = f"must be None or seconds >= 0, got {value!r}"
            raise InvalidValueError(f"Department.{attribute.name}", msg)

    @sticky_wait_s.validator
    def _check_sticky_wait(self, attribute: attrs.Attribute[float], value: object) -> None:
        if not is_finite_number(value) or value < 0:  # type: ignore[operator]
            msg = f"must be seconds >= 0, got {value!r}"
            raise InvalidValueError("Department.sticky_wait_s", msg)

    @ring_timeout_s.validator
    def _check_ring_timeout(self, attribute: attrs.Attribute[float], value: object) -> None:
        if not is_finite_number(value) or value <= 0:  # type: ignore[operator]
            msg = f"must be seconds > 0, got {value!r}"
            raise InvalidValueError("Department.ring_timeout_s", msg)

    @sla_escalate_to.validator
    def _check_escalation(self, attribute: attrs.Attribute[int | None], value: object) -> None:
        if value is not None:
            check_priority("Department.sla_escalate_to", value)

    @mode.validator
    def _check_mode(self, attribute: attrs.Attribute[str], value: object) -> None:
        if value not in MODES:
            raise InvalidValueError("Department.mode", f"must be 'push' or 'pull', got {value!r}")

    def strategy_for(self, channel: str) -> str:
        """Return the strategy name used for *channel*."""
        return self.strategies.get(channel, self.default_strategy)


_NO_TAGS: Final[frozenset[str]] = frozenset()
_NO_ATTRIBUTES: Final[Mapping[str, str | int | float | bool]] = MappingProxyType({})


def _freeze_tags(value: object) -> frozenset[str]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidValueError("Item.tags", f"must be a set of strings, got {value!r}")
    tags = frozenset(value)
    for tag in tags:
        check_id("Item.tags tag", tag)
    return tags


def _freeze_attributes(value: object) -> Mapping[str, str | int | float | bool]:
    if not isinstance(value, Mapping):
        msg = f"must be a mapping of names to strings, numbers or bools, got {value!r}"
        raise InvalidValueError("Item.attributes", msg)
    copied = dict(value.items())
    for name, field in copied.items():
        check_id("Item.attributes key", name)
        if type(field) not in (str, bool) and not is_finite_number(field):
            msg = f"must be a string, an int, a finite float or a bool, got {field!r}"
            raise InvalidValueError(f"Item.attributes[{name!r}]", msg)
    return MappingProxyType(dict(sorted(copied.items())))


@attrs.frozen(init=False)
class Item:
    """
    A piece of work to route: a ticket, a chat, a call.

    Attributes:
        id: The host's id for the item; unique within a router.
        channel: The channel it arrived on, e.g. ``"chat"``.
        department: The department responsible for it.
        customer: The host's id for the customer, if any.
        priority: 1 (most urgent) to 100; the queue serves lower numbers first.
        sla_deadline: POSIX seconds by which it should be answered;
            among equal priorities, earlier deadlines wait less.
        group: The customer's group (e.g. ``"vip"``), for departments that
            dedicate agents to groups (``Department.dedicated``).
        source: Where it came from, e.g. ``"facebook"``, ``"support@acme.com"``
            or a chat button's name; for rules to look at.
        tags: Labels, e.g. ``{"urgent", "refund"}``; any iterable of strings
            becomes a frozenset.
        attributes: The host's own fields, e.g. ``{"plan": "gold", "seats": 40}``:
            a read-only mapping of string keys to strings, ints, finite
            floats or bools.

    Examples:
        >>> Item(id="c1", channel="chat", department="billing", priority=2)
        Item(id='c1', channel='chat', department='billing', customer=None, priority=2,
             sla_deadline=None)

    Added in 0.1. *group*, *source*, *tags* and *attributes* added in 0.2.
    """

    id: str
    channel: str
    department: str
    customer: str | None
    priority: int
    sla_deadline: float | None
    group: str | None = attrs.field(repr=False)
    source: str | None = attrs.field(repr=False)
    tags: frozenset[str] = attrs.field(repr=False)
    attributes: Mapping[str, str | int | float | bool] = attrs.field(repr=False, hash=False)

    def __init__(
        self,
        id: str,
        *,
        channel: str,
        department: str,
        customer: str | None = None,
        priority: int = 50,
        sla_deadline: float | None = None,
        group: str | None = None,
        source: str | None = None,
        tags: Iterable[str] = (),
        attributes: Mapping[str, str | int | float | bool] | None = None,
    ) -> None:
        # Written by hand, not generated: items are built on the host's hot path, and
        # checking the common case first makes this three times cheaper.
        if type(id) is not str or not id:
            check_id("Item.id", id)
        if type(channel) is not str or not channel:
            check_id("Item.channel", channel)
        if type(department) is not str or not department:
            check_id("Item.department", department)
        if customer is not None and (type(customer) is not str or not customer):
            check_id("Item.customer", customer)
        if type(priority) is not int or not 0 < priority <= 100:
            check_priority("Item.priority", priority)
        if sla_deadline is not None and not is_finite_number(sla_deadline):
            msg = f"must be None or finite POSIX seconds, got {sla_deadline!r}"
            raise InvalidValueError("Item.sla_deadline", msg)
        if group is not None and (type(group) is not str or not group):
            check_id("Item.group", group)
        if source is not None and (type(source) is not str or not source):
            check_id("Item.source", source)
        labels = _NO_TAGS if tags == () else _freeze_tags(tags)
        fields = _NO_ATTRIBUTES if attributes is None else _freeze_attributes(attributes)
        _set = object.__setattr__
        _set(self, "id", id)
        _set(self, "channel", channel)
        _set(self, "department", department)
        _set(self, "customer", customer)
        _set(self, "priority", priority)
        _set(self, "sla_deadline", sla_deadline)
        _set(self, "group", group)
        _set(self, "source", source)
        _set(self, "tags", labels)
        _set(self, "attributes", fields)


@attrs.frozen
class Decision:
    """
    What the router did with an item, returned by every call that routes work.

    Attributes:
        item: The item's id.
        status: ``"assigned"``, ``"queued"``, or ``"offered"`` (ringing
            the agents in *offered* until one accepts; ``Router.accept()``).
        agent: The agent who got it, when assigned.
        department: The item's responsible department.
        channel: The item's channel.
        strategy: What chose the agent: the pool's strategy name, or
            ``"claim"``, ``"next_for"``, ``"transfer"`` or ``"reopen"``
            when a person or the item's history did. For a queued item,
            the strategy that will choose, or ``"pull"`` when it waits for
            an agent to take it.
        position: 1-based place in its queue, when queued.
        reason: Why it queued, in words a person can read.
        ring: For a call given to an agent who forwards calls, the device
            to ring (``Router.set_forwarding()``); the host dials it.
        offered: When offered, the agents it rings, in the strategy's order.

    Added in 0.1. *ring* and *offered* added in 0.2.
    """

    item: str
    status: Literal["assigned", "queued", "offered"]
    agent: str | None
    department: str
    channel: str
    strategy: str
    position: int | None = None
    reason: str | None = None
    ring: str | None = attrs.field(default=None, repr=False)
    offered: tuple[str, ...] = attrs.field(default=(), repr=False)


@attrs.frozen
class ItemStatus:
    """
    Where an item stands now, from ``Router.status()``.

    Attributes:
        item: The item's id.
        state: ``"queued"``, ``"offered"``, ``"assigned"`` or ``"closed"``.
        agent: The agent holding it (assigned), or who held it last (closed).
        department: The department responsible for it.
        channel: Its channel.
        position: 1-based place in its queue, when queued.
        arrived_at: Clock time when it was first routed.
        pull: True while it waits to be pulled (claimed or taken with
            ``Router.next_for()``) rather than pushed to the next free agent.
        replies: How many times the customer replied (``Router.reply()``).
        last_reply_at: Clock time of the latest reply, if any.
        offered: While offered, the agents it rings.
        waiting_for: While queued for particular agents (dedicated to its
            group, or waiting for its customer's last agent), those agents.

    Added in 0.1. *replies*, *last_reply_at*, *offered* and *waiting_for* added in 0.2.
    """

    item: str
    state: ItemState
    agent: str | None
    department: str
    channel: str
    position: int | None
    arrived_at: float
    pull: bool = False
    replies: int = 0
    last_reply_at: float | None = None
    offered: tuple[str, ...] = attrs.field(default=(), repr=False)
    waiting_for: tuple[str, ...] = attrs.field(default=(), repr=False)


def _show_when_set(cls: type[Any], *names: str) -> None:
    """
    Make *cls*'s repr end with the fields *names* only when they are set.

    Fields added in 0.2 stay out of the repr of values that do not use
    them, so reprs (and doctests) written for 0.1 still read the same.
    """
    plain: Callable[[object], str] = cls.__repr__  # type: ignore[assignment]

    def shown_when_set(self: object) -> str:
        shown = plain(self)
        for name in names:
            value = getattr(self, name)
            if value is not None and (value or value == 0):
                shown = f"{shown[:-1]}, {name}={_shown(value)})"
        return shown

    cls.__repr__ = shown_when_set  # type: ignore[assignment]


def _shown(value: object) -> str:
    """Return *value*'s repr, a mapping as a dict and a set sorted (the same in every run)."""
    if isinstance(value, Mapping):
        return repr(dict(value))
    if isinstance(value, frozenset):
        return "{" + ", ".join(repr(member) for member in sorted(value)) + "}"
    return repr(value)


_show_when_set(Agent, "units", "unit_costs")
_show_when_set(Item, "group", "source", "tags", "attributes")
_show_when_set(Decision, "ring", "offered")
_show_when_set(ItemStatus, "offered", "waiting_for")
