from __future__ import annotations

import math
from typing import Any

import attrs
import pytest

from agentroute import (
    CALL,
    CHAT,
    TICKET,
    Agent,
    Decision,
    Department,
    InvalidValueError,
    Item,
    ItemStatus,
)


class TestChannels:
    def test_channel_constants_are_plain_strings(self) -> None:
        """The channel constants are the lower-case strings the API takes."""
        expected = ("chat", "ticket", "call")

        actual = (CHAT, TICKET, CALL)

        assert expected == actual


class TestAgent:
    def test_defaults(self) -> None:
        """An agent needs only an id: name = id, priority 50, role agent, no channels."""
        agent = Agent("ana")

        assert ("ana", 50, "agent", {}, {}) == (
            agent.name,
            agent.priority,
            agent.role,
            dict(agent.capacity),
            dict(agent.departments),
        )

    def test_explicit_name_is_kept(self) -> None:
        """A display name other than the id is kept."""
        agent = Agent("ana", name="Ana Lopez")

        assert "Ana Lopez" == agent.name

    @pytest.mark.parametrize("priority", [1, 100])
    def test_priority_bounds_are_accepted(self, priority: int) -> None:
        """1 and 100 are valid routing priorities."""
        agent = Agent("ana", priority=priority)

        assert priority == agent.priority

    @pytest.mark.parametrize("role", ["owner", "administrator", "agent"])
    def test_roles_are_accepted(self, role: Any) -> None:
        """The three roles are valid."""
        agent = Agent("ana", role=role)

        assert role == agent.role

    def test_capacity_is_a_read_only_sorted_copy(self) -> None:
        """Capacity is copied, sorted by channel and cannot be changed in place."""
        limits = {"ticket": 10, "chat": 3}

        agent = Agent("ana", capacity=limits)
        limits["chat"] = 99

        assert ["chat", "ticket"] == list(agent.capacity)
        assert 3 == agent.capacity["chat"]
        with pytest.raises(TypeError):
            agent.capacity["chat"] = 4  # type: ignore[index]

    def test_departments_become_frozensets(self) -> None:
        """Channels per department may be given as a set, list or tuple; they are frozen."""
        agent = Agent(
            "ana",
            capacity={"chat": 1, "ticket": 1},
            departments={"sales": ["chat"], "billing": ("chat", "ticket")},
        )

        assert {"billing": frozenset({"chat", "ticket"}), "sales": frozenset({"chat"})} == dict(
            agent.departments
        )
        assert ["billing", "sales"] == list(agent.departments)

    def test_zero_capacity_is_valid(self) -> None:
        """A limit of 0 is allowed: the agent serves the channel but takes nothing for now."""
        agent = Agent("ana", capacity={"chat": 0}, departments={"billing": {"chat"}})

        assert 0 == agent.capacity["chat"]

    def test_repr_is_readable_and_stable(self) -> None:
        """The repr shows mappings as literals, with each department's channels sorted."""
        agent = Agent(
            "ana", capacity={"ticket": 2, "chat": 1}, departments={"billing": {"ticket", "chat"}}
        )

        assert (
            "Agent(id='ana', name='ana', priority=50, role='agent', "
            "capacity={'chat': 1, 'ticket': 2}, departments={'billing': {'chat', 'ticket'}})"
        ) == repr(agent)

    def test_equal_definitions_are_equal(self) -> None:
        """Two agents built from the same data compare and hash equal."""
        first = Agent("ana", capacity={"chat": 1, "ticket": 2}, departments={"b": {"chat"}})
        second = Agent("ana", capacity={"ticket": 2, "chat": 1}, departments={"b": ["chat"]})

        assert first == second
        assert hash(first) == hash(second)

    def test_frozen(self) -> None:
        """An agent cannot be changed in place."""
        agent = Agent("ana")

        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            agent.priority = 1  # type: ignore[misc]

    def test_evolve_revalidates(self) -> None:
        """attrs.evolve builds a new, validated agent."""
        agent = Agent("ana", priority=10)

        changed = attrs.evolve(agent, priority=5)

        assert (10, 5) == (agent.priority, changed.priority)
        with pytest.raises(InvalidValueError, match=r"Agent\.priority"):
            attrs.evolve(agent, priority=0)

    def test_serves(self) -> None:
        """serves() is true only for a channel listed under that department."""
        agent = Agent("ana", capacity={"chat": 1, "ticket": 1}, departments={"billing": {"chat"}})

        assert (True, False, False) == (
            agent.serves("billing", "chat"),
            agent.serves("billing", "ticket"),
            agent.serves("sales", "chat"),
        )

    @pytest.mark.parametrize(
        ("kwargs", "path", "hint"),
        [
            pytest.param({"id": ""}, "Agent.id", "non-empty string", id="empty-id"),
            pytest.param({"id": 7}, "Agent.id", "non-empty string", id="int-id"),
            pytest.param({"name": 7}, "Agent.name", "must be a string", id="name"),
            pytest.param({"priority": 0}, "Agent.priority", "from 1", id="priority-0"),
            pytest.param({"priority": 101}, "Agent.priority", "to 100", id="priority-101"),
            pytest.param({"priority": True}, "Agent.priority", "int", id="priority-bool"),
            pytest.param({"priority": 5.0}, "Agent.priority", "int", id="priority-float"),
            pytest.param({"role": "boss"}, "Agent.role", "owner, administrator", id="role"),
            pytest.param({"capacity": [("chat", 1)]}, "Agent.capacity", "mapping", id="cap"),
            pytest.param({"capacity": {"": 1}}, "Agent.capacity key", "non-empty", id="cap-key"),
            pytest.param(
                {"capacity": {"chat": -1}}, "Agent.capacity['chat']", ">= 0", id="cap-negative"
            ),
            pytest.param(
                {"capacity": {"chat": True}}, "Agent.capacity['chat']", ">= 0", id="cap-bool"
            ),
            pytest.param(
                {"capacity": {"chat": 1.5}}, "Agent.capacity['chat']", ">= 0", id="cap-float"
            ),
            pytest.param(
                {"departments": ["billing"]}, "Agent.departments", "mapping", id="departments"
            ),
            pytest.param(
                {"departments": {"": {"chat"}}},
                "Agent.departments key",
                "non-empty",
                id="department-key",
            ),
            pytest.param(
                {"capacity": {"chat": 1}, "departments": {"billing": "chat"}},
                "Agent.departments['billing']",
                "set of channel names",
                id="channels-as-string",
            ),
            pytest.param(
                {"departments": {"billing": {""}}},
                "Agent.departments['billing'] channel",
                "non-empty",
                id="empty-channel",
            ),
            pytest.param(
                {"capacity": {"chat": 1}, "departments": {"billing": {"chat", "call"}}},
                "Agent.departments['billing']",
                r"no 'call' limit; add capacity=\{'call': n\}",
                id="served-without-capacity",
            ),
        ],
    )
    def test_invalid_values_name_the_field(
        self, kwargs: dict[str, Any], path: str, hint: str
    ) -> None:
        """A bad field raises InvalidValueError whose path names it and whose message helps."""
        arguments = {"id": "ana", **kwargs}

        with pytest.raises(InvalidValueError, match=hint) as info:
            Agent(**arguments)

        assert path == info.value.path
        assert str(info.value).startswith(f"{path}: ")

    def test_mixed_type_department_keys_raise_invalid_value(self) -> None:
        """A non-string department key raises InvalidValueError even among string keys."""
        departments: Any = {1: {"chat"}, "billing": {"chat"}}

        with pytest.raises(InvalidValueError) as info:
            Agent("ana", capacity={"chat": 1}, departments=departments)

        assert "Agent.departments key" == info.value.path


class TestItem:
    def test_defaults(self) -> None:
        """An item needs an id, channel and department; priority 50, no customer or deadline."""
        item = Item("c1", channel="chat", department="billing")

        assert (None, 50, None) == (item.customer, item.priority, item.sla_deadline)

    @pytest.mark.parametrize("deadline", [0, 1_700_000_000, 12.5])
    def test_finite_deadlines_are_accepted(self, deadline: float) -> None:
        """An SLA deadline may be any finite int or float."""
        item = Item("c1", channel="chat", department="billing", sla_deadline=deadline)

        assert deadline == item.sla_deadline

    @pytest.mark.parametrize(
        ("kwargs", "path"),
        [
            pytest.param({"id": ""}, "Item.id", id="id"),
            pytest.param({"channel": ""}, "Item.channel", id="channel"),
            pytest.param({"channel": None}, "Item.channel", id="channel-none"),
            pytest.param({"department": 3}, "Item.department", id="department"),
            pytest.param({"customer": ""}, "Item.customer", id="customer"),
            pytest.param({"priority": 0}, "Item.priority", id="priority"),
            pytest.param({"priority": "1"}, "Item.priority", id="priority-str"),
            pytest.param({"sla_deadline": math.inf}, "Item.sla_deadline", id="deadline-inf"),
            pytest.param({"sla_deadline": math.nan}, "Item.sla_deadline", id="deadline-nan"),
            pytest.param({"sla_deadline": True}, "Item.sla_deadline", id="deadline-bool"),
            pytest.param({"sla_deadline": "soon"}, "Item.sla_deadline", id="deadline-str"),
            pytest.param({"source": ""}, "Item.source", id="source"),
            pytest.param({"tags": "urgent"}, "Item.tags", id="tags-str"),
            pytest.param({"tags": 3}, "Item.tags", id="tags-int"),
            pytest.param({"tags": ["ok", ""]}, "Item.tags tag", id="tags-empty"),
            pytest.param({"attributes": ["plan"]}, "Item.attributes", id="attributes-list"),
            pytest.param({"attributes": {"": 1}}, "Item.attributes key", id="attributes-key"),
            pytest.param(
                {"attributes": {"seats": math.nan}}, "Item.attributes['seats']", id="attr-nan"
            ),
            pytest.param({"attributes": {"who": None}}, "Item.attributes['who']", id="attr-none"),
        ],
    )
    def test_invalid_values_name_the_field(self, kwargs: dict[str, Any], path: str) -> None:
        """A bad field raises InvalidValueError whose path names it."""
        arguments = {"id": "c1", "channel": "chat", "department": "billing", **kwargs}

        with pytest.raises(InvalidValueError, match="must be") as info:
            Item(**arguments)

        assert path == info.value.path

    def test_what_rules_look_at_is_frozen_and_shown_only_when_set(self) -> None:
        """Source, tags and attributes are read-only; the repr shows them sorted, when set."""
        item = Item(
            "t1",
            channel="ticket",
            department="billing",
            source="facebook",
            tags=["vip", "refund"],
            attributes={"seats": 40, "plan": "gold", "trial": False, "score": 0.5},
        )

        assert item.tags == frozenset({"vip", "refund"})
        assert list(item.attributes) == ["plan", "score", "seats", "trial"]
        assert repr(item).endswith(
            "source='facebook', tags={'refund', 'vip'}, "
            "attributes={'plan': 'gold', 'score': 0.5, 'seats': 40, 'trial': False})"
        )
        assert "tags" not in repr(Item("c1", channel="chat", department="billing"))
        with pytest.raises(TypeError):
            item.attributes["plan"] = "free"  # type: ignore[index]

    def test_frozen(self) -> None:
        """An item cannot be changed in place."""
        item = Item("c1", channel="chat", department="billing")

        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            item.priority = 1  # type: ignore[misc]


class TestResults:
    def test_decision_position_and_reason_default_to_none(self) -> None:
        """An assigned decision carries no queue position or reason."""
        decision = Decision("c1", "assigned", "ana", "billing", "chat", "least_busy")

        assert (None, None) == (decision.position, decision.reason)

    def test_results_are_frozen(self) -> None:
        """Decisions and statuses cannot be changed in place."""
        decision = Decision("c1", "assigned", "ana", "billing", "chat", "least_busy")
        status = ItemStatus("c1", "assigned", "ana", "billing", "chat", None, 0.0)

        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            decision.agent = "bob"  # type: ignore[misc]
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            status.agent = "bob"  # type: ignore[misc]


class TestDepartmentValidation:
    def test_strategies_default_to_none_and_must_be_a_mapping(self) -> None:
        """Department(strategies=None) has none; anything but a mapping is refused."""
        assert {} == dict(Department("billing", strategies=None).strategies)
        with pytest.raises(InvalidValueError, match=r"Department\.strategies"):
            Department("billing", strategies=["chat"])

    @pytest.mark.parametrize(
        ("field", "value"), [("unassign_on_close", "yes"), ("allow_claims", 1), ("mode", "both")]
    )
    def test_flags_and_mode_are_checked(self, field: str, value: object) -> None:
        """Booleans must be bools and the mode push or pull."""
        with pytest.raises(InvalidValueError, match=f"Department.{field}"):
            Department("billing", **{field: value})  # type: ignore[arg-type]
