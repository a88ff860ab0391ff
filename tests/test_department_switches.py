"""
Per-department channel switches, the single owner, and closes in the history.
"""

from __future__ import annotations

import attrs
import pytest

from agentroute import (
    Agent,
    DuplicateOwnerError,
    InvalidValueError,
    PermissionDeniedError,
    Router,
    UnknownDepartmentError,
)
from tests.generators import make_admin, make_agent, make_item, make_router

BOTH = {"sales": ["chat"], "support": ["chat"]}


def two_departments() -> Router:
    return make_router(
        make_agent("ana", capacity={"chat": 2}, departments=BOTH), departments=["sales", "support"]
    )


class TestDepartmentSwitch:
    def test_off_in_one_department_only(self) -> None:
        """Chat off for sales keeps support's chats coming."""
        router = two_departments()

        router.set_channel("ana", "chat", enabled=False, department="sales")

        assert "queued" == router.assign(make_item("s1", department="sales")).status
        assert "ana" == router.assign(make_item("h1", department="support")).agent
        assert (True, False, True) == (
            router.channel_enabled("ana", "chat"),
            router.channel_enabled("ana", "chat", department="sales"),
            router.channel_enabled("ana", "chat", department="support"),
        )

    def test_back_on_takes_waiting_work(self) -> None:
        """Switching the department's channel back on dispatches what waits there."""
        router = two_departments()
        router.set_channel("ana", "chat", enabled=False, department="sales")
        router.assign(make_item("s1", department="sales"))

        decisions = router.set_channel("ana", "chat", enabled=True, department="sales")

        assert [("s1", "ana")] == [(d.item, d.agent) for d in decisions]

    def test_both_switches_must_be_on(self) -> None:
        """The switch for all departments overrides a department's own."""
        router = two_departments()
        router.set_channel("ana", "chat", enabled=False)

        router.set_channel("ana", "chat", enabled=True, department="sales")

        assert "queued" == router.assign(make_item("s1", department="sales")).status
        assert not router.channel_enabled("ana", "chat", department="sales")

    def test_switching_twice_is_harmless(self) -> None:
        """Switching off (or on) what already is off (or on) changes nothing."""
        router = two_departments()
        router.set_channel("ana", "chat", enabled=False, department="sales")
        router.set_channel("ana", "chat", enabled=False, department="sales")
        router.set_channel("ana", "chat", enabled=True, department="support")

        assert (False, True) == (
            router.channel_enabled("ana", "chat", department="sales"),
            router.channel_enabled("ana", "chat", department="support"),
        )
        router._check()

    def test_the_switch_goes_when_the_membership_does(self) -> None:
        """Leaving a department forgets its switch; rejoining starts with the channel on."""
        router = two_departments()
        router.set_channel("ana", "chat", enabled=False, department="sales")
        ana = router.agent("ana")
        router.update_agent(attrs.evolve(ana, departments={"support": {"chat"}}))

        router.update_agent(ana)

        assert router.channel_enabled("ana", "chat", department="sales")
        router._check()

    def test_next_and_badge_skip_switched_off_departments(self) -> None:
        """The Resolve button and its badge leave out departments with the channel off."""
        router = Router()
        router.add_department("sales", mode="pull")
        router.add_department("support", mode="pull")
        for name in ("ana", "bob"):
            router.add_agent(make_agent(name, departments=BOTH))
            router.set_presence(name, "online")
        router.assign(make_item("s1", department="sales", priority=1))
        router.assign(make_item("h1", department="support"))
        router.set_channel("ana", "chat", enabled=False, department="sales")

        assert (1, 2) == (router.waiting_for("ana"), router.waiting_for("bob"))
        assert "h1" == router.next_for("ana").item  # type: ignore[union-attr]

    def test_a_claim_names_the_department_switch(self) -> None:
        """Why an agent cannot take work says which switch is off."""
        router = Router()
        router.add_department("sales", mode="pull")
        router.add_department("support")
        router.add_agent(make_agent("ana", departments=BOTH))
        router.add_agent(make_agent("bob", departments=BOTH))
        router.set_presence("ana", "online")
        router.assign(make_item("s1", department="sales"))
        router.set_channel("ana", "chat", enabled=False, department="sales")

        with pytest.raises(Exception, match="has 'chat' switched off in 'sales'"):
            router.claim("s1", "ana")

    def test_the_department_must_be_served(self) -> None:
        """Switching a department the agent does not serve the channel in is refused."""
        router = make_router("ana", departments=["billing", "sales"])

        with pytest.raises(InvalidValueError, match="does not serve 'chat' in 'sales'"):
            router.set_channel("ana", "chat", enabled=False, department="sales")
        with pytest.raises(UnknownDepartmentError):
            router.set_channel("ana", "chat", enabled=False, department="nope")
        with pytest.raises(UnknownDepartmentError):
            router.channel_enabled("ana", "chat", department="nope")

    def test_self_service_applies(self) -> None:
        """An agent switches their own department channel only with self-service on."""
        router = two_departments()

        with pytest.raises(PermissionDeniedError, match="self-service is off"):
            router.set_channel("ana", "chat", enabled=False, department="sales", actor="ana")
        router.set_self_service(True)
        router.set_channel("ana", "chat", enabled=False, department="sales", actor="ana")

        assert not router.channel_enabled("ana", "chat", department="sales")


class TestSingleOwner:
    def test_a_second_owner_is_refused(self) -> None:
        """A router has at most one owner; the error names the current one."""
        router = make_router(make_admin("olga", role="owner"))

        with pytest.raises(DuplicateOwnerError, match="'olga' already is") as info:
            router.add_agent(make_admin("otto", role="owner"))

        assert ("otto", "olga") == (info.value.agent, info.value.owner)
        assert ["olga"] == router.agent_ids()

    def test_ownership_can_be_handed_on(self) -> None:
        """Demote the owner, then another may become one; removing the owner frees the role."""
        router = make_router(make_admin("olga", role="owner"), "otto")
        otto = router.agent("otto")

        with pytest.raises(DuplicateOwnerError):
            router.update_agent(attrs.evolve(otto, role="owner"))
        router.update_agent(attrs.evolve(router.agent("olga"), role="administrator"))
        router.update_agent(attrs.evolve(otto, role="owner"))
        router.update_agent(attrs.evolve(router.agent("otto"), role="owner"))
        router.remove_agent("otto")
        router.add_agent(Agent("pia", role="owner"))

        assert "owner" == router.agent("pia").role
        router._check()


class TestCloseInHistory:
    def test_close_records_actor_and_reason(self) -> None:
        """A close is a history row: who closed, why, and who stays responsible."""
        router = make_router("ana")
        router.assign(make_item("c1"))

        router.close("c1", actor="ana", reason="solved")

        last = router.history("c1")[-1]
        assert ("closed", "ana", "ana", "ana", "agent", "solved") == (
            last.action,
            last.from_agent,
            last.to_agent,
            last.by,
            last.by_kind,
            last.reason,
        )

    def test_an_agent_closes_only_their_own(self) -> None:
        """A plain agent may not close someone else's item; an administrator may."""
        router = make_router("ana", "bob", make_admin("boss"))
        router.assign(make_item("c1"))

        with pytest.raises(PermissionDeniedError, match="'bob' may not close an item of 'ana'"):
            router.close("c1", actor="bob")
        with pytest.raises(InvalidValueError, match="reason"):
            router.close("c1", reason=3)  # type: ignore[arg-type]
        router.close("c1", actor="boss")

        assert "boss" == router.history("c1")[-1].by

    def test_nobody_may_close_unassigned_work_but_administrators(self) -> None:
        """A waiting item has no responsible agent: only administrators (or the host) close it."""
        router = make_router("ana", make_admin("boss"), online=False)
        router.assign(make_item("c1"))

        with pytest.raises(PermissionDeniedError, match="an unassigned item"):
            router.close("c1", actor="ana")
        router.close("c1", actor="boss")


def test_the_badge_skips_a_channel_switched_off_everywhere() -> None:
    """waiting_for() counts only what next_for() could take: not a channel switched off."""
    router = Router()
    router.add_department("sales", mode="pull")
    router.add_agent(
        make_agent(
            "ana", capacity={"chat": 1, "email": 1}, departments={"sales": ["chat", "email"]}
        )
    )
    router.add_agent(make_agent("bob", departments={"sales": ["chat"]}))
    router.set_presence("ana", "online")
    router.assign(make_item("s1", department="sales"))
    router.assign(make_item("e1", channel="email", department="sales"))

    router.set_channel("ana", "chat", enabled=False)

    assert (1, "e1") == (router.waiting_for("ana"), router.next_for("ana").item)  # type: ignore[union-attr]
