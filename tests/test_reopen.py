from __future__ import annotations

from collections.abc import Callable

import pytest

from agentroute import (
    Decision,
    InvalidStateError,
    ManualClock,
    Ownership,
    Router,
    UnknownAgentError,
    UnknownItemError,
)
from tests.generators import make_agent, make_item, make_router, observe

ITEMS = ["c1", "c2", "c3"]


def closed_by_ana(*, unassign_on_close: bool = False, mode: str = "push") -> Router:
    """
    Department "billing" with ana and bob (one chat each, online); c1 went to ana and is closed.
    """
    router = Router(seed=7, clock=ManualClock(1000.0))
    router.add_department(
        "billing",
        default_strategy="priority",
        unassign_on_close=unassign_on_close,
        mode=mode,  # type: ignore[arg-type]
    )
    router.add_agent(make_agent("ana", priority=1))
    router.add_agent(make_agent("bob", priority=2))
    router.set_presence("ana", "online")
    router.assign(make_item("c1"))
    if mode == "pull":
        router.claim("c1", "ana")
    router.set_presence("bob", "online")
    router.close("c1")
    return router


class TestClose:
    def test_close_frees_the_slot_and_keeps_the_owner(self) -> None:
        """Closing frees the agent's slot; the agent stays responsible."""
        router = closed_by_ana()

        assert (0, Ownership("c1", "billing", "ana"), "ana") == (
            router.load("ana"),
            router.owner("c1"),
            router.status("c1").agent,
        )

    def test_unassign_on_close_clears_the_owner(self) -> None:
        """With unassign_on_close the department stays responsible, and the change is recorded."""
        router = closed_by_ana(unassign_on_close=True)

        last = router.history("c1")[-1]

        assert Ownership("c1", "billing", None) == router.owner("c1")
        assert ("closed", "ana", None, "system", "system", None) == (
            last.action,
            last.from_agent,
            last.to_agent,
            last.by,
            last.by_kind,
            last.reason,
        )

    def test_closing_a_waiting_item_records_the_close(self) -> None:
        """A queued item has no agent to clear; its close is still in the history."""
        router = make_router("ana", online=False)
        router.add_department("sales", unassign_on_close=True)
        router.assign(make_item("s1", department="sales"))

        router.close("s1")

        assert ["created", "closed"] == [e.action for e in router.history("s1")]


class TestReopen:
    def test_goes_back_to_the_owner(self) -> None:
        """A reopened item goes back to its owner when they can take it."""
        router = closed_by_ana()

        decision = router.reopen("c1")

        assert Decision("c1", "assigned", "ana", "billing", "chat", "reopen") == decision
        last = router.history("c1")[-1]
        assert ("reopened", "ana", "ana", "system", "system") == (
            last.action,
            last.from_agent,
            last.to_agent,
            last.by,
            last.by_kind,
        )

    def test_goes_back_to_the_owner_over_the_strategy(self) -> None:
        """The owner wins even when the strategy would pick someone else."""
        router = Router(seed=7, clock=ManualClock(1000.0))
        router.add_department("billing", default_strategy="priority")
        router.add_agent(make_agent("ana", priority=1))
        router.add_agent(make_agent("bob", priority=2))
        router.set_presence("bob", "online")
        router.assign(make_item("c1"))
        router.close("c1")
        router.set_presence("ana", "online")

        decision = router.reopen("c1")

        assert ("bob", "reopen") == (decision.agent, decision.strategy)

    def test_reopening_actor_is_recorded(self) -> None:
        """An agent who reopens is named in the history."""
        router = closed_by_ana()

        router.reopen("c1", actor="bob")

        last = router.history("c1")[-1]
        assert ("bob", "agent") == (last.by, last.by_kind)

    @pytest.mark.parametrize(
        "unavailable",
        [
            lambda r: r.set_presence("ana", "offline"),
            lambda r: r.set_channel("ana", "chat", enabled=False),
            lambda r: r.assign(make_item("c2")),
            lambda r: r.remove_agent("ana"),
            lambda r: r.update_agent(make_agent("ana", departments={})),
        ],
        ids=["offline", "channel-off", "full", "removed", "left-department"],
    )
    def test_goes_through_the_strategy_when_the_owner_cannot_take_it(
        self, unavailable: Callable[[Router], object]
    ) -> None:
        """When the owner cannot take it now, the department's strategy routes it."""
        router = closed_by_ana()
        unavailable(router)

        decision = router.reopen("c1")

        assert Decision("c1", "assigned", "bob", "billing", "chat", "priority") == decision
        last = router.history("c1")[-1]
        assert ("reopened", "ana", "bob", "priority", "strategy") == (
            last.action,
            last.from_agent,
            last.to_agent,
            last.by,
            last.by_kind,
        )

    def test_unassigned_item_goes_through_the_strategy(self) -> None:
        """After unassign_on_close there is no owner, so the strategy picks (ana, priority 1)."""
        router = closed_by_ana(unassign_on_close=True)

        decision = router.reopen("c1")

        assert Decision("c1", "assigned", "ana", "billing", "chat", "priority") == decision

    def test_queues_when_nobody_can_take_it(self) -> None:
        """With every agent busy, the reopened item waits to be pushed, and has no agent."""
        router = closed_by_ana()
        router.assign(make_item("c2"))
        router.assign(make_item("c3"))

        decision = router.reopen("c1")

        assert ("queued", None, 1) == (decision.status, decision.agent, decision.position)
        assert (False, Ownership("c1", "billing", None)) == (
            router.status("c1").pull,
            router.owner("c1"),
        )
        assert ("reopened", "ana", None) == (
            router.history("c1")[-1].action,
            router.history("c1")[-1].from_agent,
            router.history("c1")[-1].to_agent,
        )

    def test_waits_behind_work_already_waiting(self) -> None:
        """A reopened item arrives anew: it waits behind items of equal priority already queued."""
        router = closed_by_ana()
        for item_id in ["c2", "c3", "c4"]:
            router.assign(make_item(item_id))

        router.reopen("c1")

        assert ("c4", "c1") == router.queued("billing", "chat")

    def test_queued_reopened_item_is_dispatched_when_a_slot_frees(self) -> None:
        """A reopened item waiting to be pushed goes to the next freed slot."""
        router = closed_by_ana()
        router.assign(make_item("c2"))
        router.assign(make_item("c3"))
        router.reopen("c1")

        decisions = router.close("c3")

        assert [("c1", "assigned")] == [(d.item, d.status) for d in decisions]

    def test_pull_department_goes_back_to_the_owner(self) -> None:
        """In a pull department the owner still gets their reopened item back at once."""
        router = closed_by_ana(mode="pull")

        decision = router.reopen("c1")

        assert Decision("c1", "assigned", "ana", "billing", "chat", "reopen") == decision

    def test_pull_department_puts_it_in_the_pull_line(self) -> None:
        """In a pull department, if the owner cannot take it, it waits to be pulled."""
        router = closed_by_ana(mode="pull")
        router.set_presence("ana", "away")

        decision = router.reopen("c1")

        assert ("queued", True, 0) == (
            decision.status,
            router.status("c1").pull,
            router.load("bob"),
        )
        assert Decision("c1", "assigned", "bob", "billing", "chat", "next_for") == router.next_for(
            "bob"
        )

    def test_closing_again_frees_the_slot_again(self) -> None:
        """A reopened item is an ordinary open item: closing it frees the slot once more."""
        router = closed_by_ana()
        router.reopen("c1")

        router.close("c1")

        assert ("closed", 0) == (router.status("c1").state, router.load("ana"))

    @pytest.mark.parametrize("state", ["assigned", "queued"])
    def test_open_item_is_refused(self, state: str) -> None:
        """Only a closed item can be reopened; the message names its state."""
        router = closed_by_ana()
        router.assign(make_item("c2"))
        router.assign(make_item("c3"))
        router.assign(make_item("c4"))
        item = {"assigned": "c2", "queued": "c4"}[state]
        before = observe(router, [*ITEMS, "c4"])

        with pytest.raises(InvalidStateError, match=f"Cannot reopen item '{item}': it is {state}"):
            router.reopen(item)

        assert before == observe(router, [*ITEMS, "c4"])

    def test_unknown_item_is_refused(self) -> None:
        """reopen() of an unknown id raises UnknownItemError naming it."""
        router = closed_by_ana()
        before = observe(router, ITEMS)

        with pytest.raises(UnknownItemError) as info:
            router.reopen("zz")

        assert "zz" == info.value.item
        assert before == observe(router, ITEMS)

    def test_unknown_actor_is_refused_and_the_item_stays_closed(self) -> None:
        """An unknown actor raises UnknownAgentError before anything is reopened."""
        router = closed_by_ana()
        before = observe(router, ITEMS)

        with pytest.raises(UnknownAgentError) as info:
            router.reopen("c1", actor="zed")

        assert "zed" == info.value.agent
        assert before == observe(router, ITEMS)
        assert 3 == len(router.history("c1"))


class TestReply:
    def test_reply_on_an_open_item_only_counts_it(self) -> None:
        """A reply on an open item moves nothing and adds no history row; it is counted."""
        router = make_router("ana")
        router.assign(make_item("c1"))
        history = router.history("c1")

        decisions = router.reply("c1")

        assert [] == decisions
        assert ("assigned", "ana", 1, 1000.0) == (
            router.status("c1").state,
            router.status("c1").agent,
            router.status("c1").replies,
            router.status("c1").last_reply_at,
        )
        assert history == router.history("c1")

    def test_reply_on_a_closed_item_reopens_it(self) -> None:
        """A reply on a closed item reopens it, back to its owner, and returns that decision."""
        router = closed_by_ana()

        decisions = router.reply("c1")

        assert [Decision("c1", "assigned", "ana", "billing", "chat", "reopen")] == decisions
        assert "system" == router.history("c1")[-1].by

    def test_reply_on_an_unknown_item_is_refused(self) -> None:
        """reply() of an unknown id raises UnknownItemError."""
        router = closed_by_ana()
        before = observe(router, ITEMS)

        with pytest.raises(UnknownItemError, match="'zz'"):
            router.reply("zz")

        assert before == observe(router, ITEMS)
