from __future__ import annotations

from collections.abc import Callable

import pytest

from agentroute import Agent, PermissionDeniedError, Router, UnknownAgentError
from agentroute.policies import permissions
from tests.generators import make_admin, make_agent, make_item, make_router, observe

ITEMS = ["c1", "c2", "c3", "h1", "h2"]

ANA = Agent("ana")
ROOT = Agent("root", role="administrator")
BOSS = Agent("boss", role="owner")
STAFF = [None, ROOT, BOSS]
"""Who may administer: the host (None), an administrator and an owner."""


def allows(check: Callable[[], None]) -> bool:
    """Tell whether *check* passes, False when it raises PermissionDeniedError."""
    try:
        check()
    except PermissionDeniedError:
        return False
    return True


def office(*, self_service: bool = False) -> Router:
    """
    Build billing (push) with ana and bob, one chat each, and help (pull, claims off) with both.

    root is an administrator and boss an owner, both in no department.
    c1 -> ana, c2 -> bob, c3 waits in billing; ana gets a ticket slot in help where
    h1 then h2 wait to be pulled.
    """
    router = make_router(departments=["billing"])
    router.add_department("help", mode="pull", allow_claims=False)
    router.add_agent(
        make_agent(
            "ana",
            capacity={"chat": 1, "ticket": 1},
            departments={"billing": ["chat"], "help": ["ticket"]},
        )
    )
    router.add_agent(
        make_agent(
            "bob",
            capacity={"chat": 1, "ticket": 1},
            departments={"billing": ["chat"], "help": ["ticket"]},
        )
    )
    router.add_agent(make_admin("root", departments={}))
    router.add_agent(make_admin("boss", role="owner", departments={}))
    for agent_id in router.agent_ids():
        router.set_presence(agent_id, "online")
    for item in ["c1", "c2", "c3"]:
        router.assign(make_item(item))
    for item in ["h1", "h2"]:
        router.assign(make_item(item, channel="ticket", department="help"))
    if self_service:
        router.set_self_service(True)
    return router


class TestUnit:
    @pytest.mark.parametrize(
        ("actor", "expected"), [(None, True), (ROOT, True), (BOSS, True), (ANA, False)]
    )
    def test_is_administrator(self, actor: Agent | None, expected: bool) -> None:
        """The host, owners and administrators administer; plain agents do not."""
        assert expected == permissions.is_administrator(actor)

    @pytest.mark.parametrize("actor", STAFF)
    def test_check_administrator_allows_staff(self, actor: Agent | None) -> None:
        """check_administrator passes for the host, owners and administrators."""
        assert allows(lambda: permissions.check_administrator(actor, "change self-service"))

    def test_check_administrator_refuses_an_agent(self) -> None:
        """A plain agent is refused, with the actor and action kept on the error."""
        with pytest.raises(PermissionDeniedError, match="only an owner or administrator may") as e:
            permissions.check_administrator(ANA, "change self-service")

        assert ("ana", "change self-service") == (e.value.actor, e.value.action)

    @pytest.mark.parametrize("actor", STAFF)
    def test_staff_change_anyones_channels(self, actor: Agent | None) -> None:
        """Administrators switch anyone's channels, whatever self-service says."""
        assert allows(lambda: permissions.check_channel_change(actor, "bob", self_service=False))

    def test_agent_changes_own_channel_with_self_service(self) -> None:
        """With self-service on, an agent may switch their own channels."""
        assert allows(lambda: permissions.check_channel_change(ANA, "ana", self_service=True))

    @pytest.mark.parametrize("self_service", [False, True])
    def test_agent_may_not_change_someone_elses_channel(self, self_service: bool) -> None:
        """Another agent's channels are off limits, even with self-service on."""
        with pytest.raises(PermissionDeniedError, match="an agent may change only their own") as e:
            permissions.check_channel_change(ANA, "bob", self_service=self_service)

        assert ("ana", "change the channel status of 'bob'") == (e.value.actor, e.value.action)

    def test_agent_may_not_change_own_channel_without_self_service(self) -> None:
        """Without self-service, even an agent's own channels are the administrator's."""
        with pytest.raises(
            PermissionDeniedError, match=r"self-service is off.*set_self_service"
        ) as e:
            permissions.check_channel_change(ANA, "ana", self_service=False)

        assert ("ana", "change the channel status of 'ana'") == (e.value.actor, e.value.action)

    @pytest.mark.parametrize("force", [False, True])
    @pytest.mark.parametrize("holder", [None, "ana", "bob"])
    @pytest.mark.parametrize("actor", STAFF)
    def test_staff_transfer_anything(
        self, actor: Agent | None, holder: str | None, force: bool
    ) -> None:
        """Administrators transfer any item, held or not, forced or not."""
        assert allows(lambda: permissions.check_transfer(actor, holder, force=force))

    def test_agent_transfers_own_item(self) -> None:
        """An agent may hand on an item they hold."""
        assert allows(lambda: permissions.check_transfer(ANA, "ana", force=False))

    @pytest.mark.parametrize(
        ("holder", "action"),
        [("bob", "transfer an item held by 'bob'"), (None, "transfer an unassigned item")],
    )
    def test_agent_may_not_transfer_what_they_do_not_hold(
        self, holder: str | None, action: str
    ) -> None:
        """An agent may not transfer someone else's item, nor one nobody holds."""
        with pytest.raises(PermissionDeniedError, match="only items they hold") as e:
            permissions.check_transfer(ANA, holder, force=False)

        assert ("ana", action) == (e.value.actor, e.value.action)

    @pytest.mark.parametrize("holder", ["ana", "bob", None])
    def test_agent_may_not_force(self, holder: str | None) -> None:
        """Forcing is for administrators, even on an agent's own item."""
        with pytest.raises(PermissionDeniedError, match="only an owner or administrator may") as e:
            permissions.check_transfer(ANA, holder, force=True)

        assert ("ana", "force a transfer") == (e.value.actor, e.value.action)

    @pytest.mark.parametrize("in_order", [False, True])
    @pytest.mark.parametrize("actor", STAFF)
    def test_staff_claim_for_anyone_in_any_order(self, actor: Agent | None, in_order: bool) -> None:
        """Administrators claim for any agent, out of order even where claims are off."""
        assert allows(
            lambda: permissions.check_claim(actor, "bob", in_order=in_order, allowed=False)
        )

    @pytest.mark.parametrize(("in_order", "allowed"), [(True, False), (True, True), (False, True)])
    def test_agent_claims_for_themselves(self, in_order: bool, allowed: bool) -> None:
        """An agent claims for themselves in order always, out of order where allowed."""
        assert allows(
            lambda: permissions.check_claim(ANA, "ana", in_order=in_order, allowed=allowed)
        )

    def test_agent_may_not_claim_for_someone_else(self) -> None:
        """An agent may not claim on another agent's behalf, even in order."""
        with pytest.raises(PermissionDeniedError, match="may claim only for themselves") as e:
            permissions.check_claim(ANA, "bob", in_order=True, allowed=True)

        assert ("ana", "claim for 'bob'") == (e.value.actor, e.value.action)

    def test_agent_may_not_claim_out_of_order_where_forbidden(self) -> None:
        """Out of order claims are refused where the department does not allow them."""
        with pytest.raises(
            PermissionDeniedError, match=r"only the next item in line.*next_for"
        ) as e:
            permissions.check_claim(ANA, "ana", in_order=False, allowed=False)

        assert ("ana", "claim an item out of order") == (e.value.actor, e.value.action)

    def test_message_names_actor_action_and_reason(self) -> None:
        """The error reads: who may not do what, and why."""
        with pytest.raises(PermissionDeniedError) as e:
            permissions.check_transfer(ANA, "bob", force=False)

        assert (
            "'ana' may not transfer an item held by 'bob': "
            "an agent may transfer only items they hold." == str(e.value)
        )


REFUSALS: dict[str, tuple[Callable[[Router], object], str, str]] = {
    "transfer-someone-elses-item": (
        lambda r: r.transfer("c2", to_department="help", actor="ana"),
        "ana",
        "transfer an item held by 'bob'",
    ),
    "transfer-a-waiting-item": (
        lambda r: r.transfer("c3", to_agent="ana", actor="ana"),
        "ana",
        "transfer an unassigned item",
    ),
    "force-own-item": (
        lambda r: r.transfer("c1", to_agent="root", actor="ana", force=True),
        "ana",
        "force a transfer",
    ),
    "channel-of-someone-else": (
        lambda r: r.set_channel("bob", "chat", enabled=False, actor="ana"),
        "ana",
        "change the channel status of 'bob'",
    ),
    "own-channel-without-self-service": (
        lambda r: r.set_channel("ana", "chat", enabled=False, actor="ana"),
        "ana",
        "change the channel status of 'ana'",
    ),
    "set-self-service": (
        lambda r: r.set_self_service(True, actor="ana"),
        "ana",
        "change self-service",
    ),
    "claim-for-someone-else": (
        lambda r: r.claim("h1", "bob", actor="ana"),
        "ana",
        "claim for 'bob'",
    ),
    "next-for-someone-else": (
        lambda r: r.next_for("bob", actor="ana"),
        "ana",
        "claim for 'bob'",
    ),
    "claim-out-of-order": (
        lambda r: r.claim("h2", "ana"),
        "ana",
        "claim an item out of order",
    ),
    "claim-out-of-order-as-self": (
        lambda r: r.claim("h2", "bob", actor="bob"),
        "bob",
        "claim an item out of order",
    ),
}


class TestThroughTheRouter:
    @pytest.mark.parametrize("name", list(REFUSALS))
    def test_refusal_raises_and_changes_nothing(self, name: str) -> None:
        """Each refusal raises PermissionDeniedError naming actor and action; nothing changes."""
        call, actor, action = REFUSALS[name]
        router = office()
        before = observe(router, ITEMS)

        with pytest.raises(PermissionDeniedError, match=f"'{actor}' may not ") as info:
            call(router)

        assert (actor, action) == (info.value.actor, info.value.action)
        assert before == observe(router, ITEMS)
        assert not router.self_service

    @pytest.mark.parametrize("actor", [None, "root", "boss"])
    def test_staff_transfer_someone_elses_item(self, actor: str | None) -> None:
        """The host, administrators and owners move any agent's item."""
        router = office()

        decisions = router.transfer("c2", to_department="help", actor=actor)

        assert ("queued", "help") == (decisions[0].status, router.owner("c2").department)

    @pytest.mark.parametrize("actor", [None, "root", "boss"])
    def test_staff_force_a_transfer(self, actor: str | None) -> None:
        """The host, administrators and owners may force past membership."""
        router = office()

        router.transfer("c1", to_agent="root", actor=actor, force=True)

        assert ("root", "c1") == (router.owner("c1").agent, router.assigned_to("root")[0])

    def test_agent_transfers_own_item(self) -> None:
        """An agent hands on an item they hold, to a colleague or a department."""
        router = office()
        router.close("c2")
        router.close("c3")

        router.transfer("c1", to_agent="bob", actor="ana")
        router.transfer("c1", to_department="help", actor="bob")

        assert (None, "help") == (router.owner("c1").agent, router.owner("c1").department)

    @pytest.mark.parametrize("actor", [None, "root", "boss"])
    def test_staff_switch_anyones_channel(self, actor: str | None) -> None:
        """Administrators switch another agent's channel without self-service."""
        router = office()

        router.set_channel("bob", "chat", enabled=False, actor=actor)

        assert not router.channel_enabled("bob", "chat")

    def test_agent_switches_own_channel_with_self_service(self) -> None:
        """With self-service on, an agent switches their own channel."""
        router = office(self_service=True)

        router.set_channel("ana", "chat", enabled=False, actor="ana")

        assert not router.channel_enabled("ana", "chat")

    def test_self_service_still_keeps_others_channels_off_limits(self) -> None:
        """Self-service is for one's own channels only."""
        router = office(self_service=True)
        before = observe(router, ITEMS)

        with pytest.raises(PermissionDeniedError, match="only their own"):
            router.set_channel("bob", "chat", enabled=False, actor="ana")

        assert before == observe(router, ITEMS)

    @pytest.mark.parametrize("actor", [None, "root", "boss"])
    def test_staff_set_self_service(self, actor: str | None) -> None:
        """The host, administrators and owners turn self-service on and off."""
        router = office()

        router.set_self_service(True, actor=actor)
        on = router.self_service
        router.set_self_service(False, actor=actor)

        assert (True, False) == (on, router.self_service)

    def test_in_order_claim_is_always_allowed(self) -> None:
        """Where claims are off, the next item in line may still be claimed."""
        router = office()

        decision = router.claim("h1", "ana")

        assert ("assigned", "ana", "claim") == (decision.status, decision.agent, decision.strategy)

    @pytest.mark.parametrize("actor", ["root", "boss"])
    def test_staff_claim_out_of_order_for_an_agent(self, actor: str) -> None:
        """An administrator or owner may claim out of order on an agent's behalf."""
        router = office()

        decision = router.claim("h2", "ana", actor=actor)

        last = router.history("h2")[-1]
        assert ("assigned", "ana") == (decision.status, decision.agent)
        assert (actor, {"root": "administrator", "boss": "owner"}[actor]) == (last.by, last.by_kind)

    def test_unknown_actor_is_refused(self) -> None:
        """An actor id the router does not know raises UnknownAgentError, changing nothing."""
        router = office()
        before = observe(router, ITEMS)

        with pytest.raises(UnknownAgentError) as info:
            router.set_self_service(True, actor="zed")

        assert "zed" == info.value.agent
        assert before == observe(router, ITEMS)
        assert not router.self_service
