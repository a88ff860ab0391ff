from __future__ import annotations

import itertools
from collections.abc import Callable

import attrs
import pytest

from agentroute import (
    HistoryEntry,
    ManualClock,
    Ownership,
    UnknownItemError,
)
from tests.generators import make_admin, make_agent, make_item, make_router, observe


def entry(
    action: str,
    to_department: str,
    to_agent: str | None,
    by: str,
    by_kind: str,
    *,
    item: str = "c1",
    at: float = 1000.0,
    from_department: str | None = "billing",
    from_agent: str | None = None,
    reason: str | None = None,
) -> HistoryEntry:
    """Build the history entry a test expects, with the common fields defaulted."""
    return HistoryEntry(
        at,
        item,
        action,  # type: ignore[arg-type]
        from_department,
        to_department,
        from_agent,
        to_agent,
        by,
        by_kind,  # type: ignore[arg-type]
        reason,
    )


CREATED = entry("created", "billing", None, "system", "system", from_department=None)
"""How the history of a billing item c1 routed at t=1000 starts."""


class TestOwner:
    def test_assigned_item_is_owned_by_department_and_agent(self) -> None:
        """An assigned item's owner is its department and the agent who holds it."""
        router = make_router("ana")
        router.assign(make_item("c1"))

        owner = router.owner("c1")

        assert Ownership("c1", "billing", "ana") == owner

    def test_waiting_item_is_owned_by_its_department_alone(self) -> None:
        """A queued item has a responsible department but no agent yet."""
        router = make_router("ana", online=False)
        router.assign(make_item("c1"))

        owner = router.owner("c1")

        assert Ownership("c1", "billing", None) == owner

    def test_closing_keeps_the_owner(self) -> None:
        """By default the agent stays responsible after a close."""
        router = make_router("ana")
        router.assign(make_item("c1"))

        router.close("c1")

        assert Ownership("c1", "billing", "ana") == router.owner("c1")

    def test_owner_follows_a_transfer(self) -> None:
        """After a transfer the new agent and department are responsible."""
        router = make_router(
            "ana",
            make_agent("bob", departments={"sales": ["chat"]}),
            departments=["billing", "sales"],
        )
        router.assign(make_item("c1"))

        router.transfer("c1", to_agent="bob", to_department="sales")

        assert Ownership("c1", "sales", "bob") == router.owner("c1")

    def test_unknown_item_has_no_owner(self) -> None:
        """owner() of an unknown id raises UnknownItemError naming it, and changes nothing."""
        router = make_router("ana")
        before = observe(router, ["c1"])

        with pytest.raises(UnknownItemError, match=r"Unknown item 'c1'; route it first") as info:
            router.owner("c1")

        assert "c1" == info.value.item
        assert before == observe(router, ["c1"])

    def test_forgotten_item_has_no_owner(self) -> None:
        """A forgotten item is unknown to owner() and history()."""
        router = make_router("ana")
        router.assign(make_item("c1"))
        router.close("c1")

        router.forget("c1")

        before = observe(router, ["c1"])
        with pytest.raises(UnknownItemError):
            router.owner("c1")
        with pytest.raises(UnknownItemError):
            router.history("c1")
        assert before == observe(router, ["c1"])

    def test_ownership_is_immutable(self) -> None:
        """Ownership values are frozen; the router's state cannot be changed through them."""
        router = make_router("ana")
        router.assign(make_item("c1"))
        owner = router.owner("c1")

        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            owner.agent = "bob"  # type: ignore[misc]

        assert Ownership("c1", "billing", "ana") == router.owner("c1")


class TestHistory:
    def test_history_starts_with_the_arrival(self) -> None:
        """The first entry is the item's creation in its department, by the system."""
        router = make_router("ana", online=False)
        router.assign(make_item("c1"))

        history = router.history("c1")

        assert (CREATED,) == history

    def test_strategy_assignment_is_recorded_by_strategy_name(self) -> None:
        """An assignment by a strategy names the strategy, with by_kind 'strategy'."""
        router = make_router("ana", strategy="round_robin")

        router.assign(make_item("c1"))

        assert (
            CREATED,
            entry("assigned", "billing", "ana", "round_robin", "strategy"),
        ) == router.history("c1")

    def test_dispatch_from_the_queue_is_recorded_when_it_happens(self, clock: ManualClock) -> None:
        """A queued item taken by a freed slot gets an 'assigned' entry at that time."""
        router = make_router("ana", clock=clock)
        router.assign(make_item("c0"))
        router.assign(make_item("c1"))
        clock.advance(30)

        router.close("c0")

        assert (
            CREATED,
            entry("assigned", "billing", "ana", "least_busy", "strategy", at=1030.0),
        ) == router.history("c1")

    def test_host_transfer_is_recorded_as_system(self, clock: ManualClock) -> None:
        """A transfer by the host (actor=None) is by 'system', with its reason and time."""
        router = make_router("ana", "bob", clock=clock)
        router.assign(make_item("c1"))
        clock.advance(5)

        router.transfer("c1", to_agent="bob", reason="speaks French")

        assert (
            entry(
                "transferred",
                "billing",
                "bob",
                "system",
                "system",
                at=1005.0,
                from_agent="ana",
                reason="speaks French",
            )
            == router.history("c1")[-1]
        )

    def test_agent_transfer_is_recorded_as_agent(self) -> None:
        """An agent transferring their own item is recorded by id with by_kind 'agent'."""
        router = make_router("ana", "bob")
        router.assign(make_item("c1"))

        router.transfer("c1", to_agent="bob", actor="ana")

        last = router.history("c1")[-1]
        assert ("ana", "agent") == (last.by, last.by_kind)

    @pytest.mark.parametrize("role", ["administrator", "owner"])
    def test_staff_transfer_is_recorded_with_their_role(self, role: str) -> None:
        """Owners and administrators are recorded by id, with their role as by_kind."""
        root = make_admin("root", role=role, departments={})  # type: ignore[arg-type]
        router = make_router("ana", "bob", root)
        router.assign(make_item("c1"))

        router.transfer("c1", to_agent="bob", actor="root")

        last = router.history("c1")[-1]
        assert ("root", role, "ana", "bob") == (
            last.by,
            last.by_kind,
            last.from_agent,
            last.to_agent,
        )

    def test_claim_is_recorded_by_the_claiming_agent(self) -> None:
        """A claim is an owner change by the agent who took the item."""
        router = make_router("ana", "bob")
        router.add_department("help", mode="pull")
        router.update_agent(make_agent("ana", departments={"billing": ["chat"], "help": ["chat"]}))
        router.assign(make_item("h1", department="help"))

        router.claim("h1", "ana")

        assert (
            entry("claimed", "help", "ana", "ana", "agent", item="h1", from_department="help")
            == router.history("h1")[-1]
        )

    def test_requeue_on_removal_is_recorded_as_system(self) -> None:
        """Work sent back to routing by remove_agent(requeue=True) is 'requeued' by the system."""
        router = make_router("ana")
        router.assign(make_item("c1"))

        router.remove_agent("ana", requeue=True)

        assert (
            entry(
                "requeued",
                "billing",
                None,
                "system",
                "system",
                from_agent="ana",
                reason="'ana' no longer serves 'chat' in 'billing'",
            )
            == router.history("c1")[-1]
        )

    def test_waiting_adds_no_entry_and_a_close_adds_one(self) -> None:
        """Queueing changes no owner, so it adds no entry; a close is always recorded."""
        router = make_router("ana", online=False)
        router.assign(make_item("c1"))
        assert (CREATED,) == router.history("c1")

        router.close("c1", reason="spam")

        assert ("closed", None, "system", "spam") == (
            router.history("c1")[-1].action,
            router.history("c1")[-1].to_agent,
            router.history("c1")[-1].by,
            router.history("c1")[-1].reason,
        )

    def test_entries_chain_from_one_owner_to_the_next(self, clock: ManualClock) -> None:
        """Each entry starts where the previous ended, in order, over an item's whole life."""
        router = make_router(
            make_agent("ana", departments={"billing": ["chat"], "sales": ["chat"]}),
            make_agent("bob", departments={"billing": ["chat"], "sales": ["chat"]}),
            departments=["billing", "sales"],
            clock=clock,
        )
        router.assign(make_item("c1"))
        steps: list[Callable[[], object]] = [
            lambda: router.transfer("c1", to_agent="bob"),
            lambda: router.transfer("c1", to_department="sales"),
            lambda: router.claim("c1", "ana"),
            lambda: router.close("c1"),
            lambda: router.reopen("c1"),
        ]
        for step in steps:
            clock.advance(1)
            step()

        history = router.history("c1")

        assert [
            ("created", None, "billing", None, None, 1000.0),
            ("assigned", "billing", "billing", None, "ana", 1000.0),
            ("transferred", "billing", "billing", "ana", "bob", 1001.0),
            ("transferred", "billing", "sales", "bob", None, 1002.0),
            ("claimed", "sales", "sales", None, "ana", 1003.0),
            ("closed", "sales", "sales", "ana", "ana", 1004.0),
            ("reopened", "sales", "sales", "ana", "ana", 1005.0),
        ] == [
            (e.action, e.from_department, e.to_department, e.from_agent, e.to_agent, e.at)
            for e in history
        ]
        assert all(
            (before.to_department, before.to_agent) == (after.from_department, after.from_agent)
            for before, after in itertools.pairwise(history)
        )

    def test_owner_is_the_last_entry_of_the_history(self) -> None:
        """owner() always agrees with where the history ends, in every state."""
        router = make_router("ana", "bob")
        router.add_department("sales")
        router.assign(make_item("c1"))
        router.assign(make_item("c2"))
        router.assign(make_item("c3"))
        router.transfer("c2", to_department="sales")
        router.close("c1")

        owners = [router.owner(item) for item in ["c1", "c2", "c3"]]

        assert [
            (router.history(item)[-1].to_department, router.history(item)[-1].to_agent)
            for item in ["c1", "c2", "c3"]
        ] == [(owner.department, owner.agent) for owner in owners]

    def test_returned_history_is_a_snapshot(self) -> None:
        """A history tuple already returned does not change when the owner changes later."""
        router = make_router("ana", "bob")
        router.assign(make_item("c1"))
        earlier = router.history("c1")

        router.transfer("c1", to_agent="bob")

        assert (2, 3) == (len(earlier), len(router.history("c1")))

    def test_reused_id_starts_a_fresh_history(self, clock: ManualClock) -> None:
        """After forget(), an item with the same id has only its own history."""
        router = make_router("ana", clock=clock)
        router.assign(make_item("c1"))
        router.close("c1")
        router.forget("c1")
        clock.advance(60)

        router.assign(make_item("c1"))

        assert (
            entry("created", "billing", None, "system", "system", at=1060.0, from_department=None),
            entry("assigned", "billing", "ana", "least_busy", "strategy", at=1060.0),
        ) == router.history("c1")

    def test_history_of_unknown_item_raises(self) -> None:
        """history() of an unknown id raises UnknownItemError and changes nothing."""
        router = make_router("ana")
        before = observe(router, ["zz"])

        with pytest.raises(UnknownItemError, match="'zz'") as info:
            router.history("zz")

        assert "zz" == info.value.item
        assert before == observe(router, ["zz"])
