from __future__ import annotations

from collections.abc import Callable

import pytest

from agentroute import (
    Decision,
    InvalidStateError,
    InvalidValueError,
    ItemClosedError,
    NotEligibleError,
    Router,
    UnknownAgentError,
    UnknownDepartmentError,
    UnknownItemError,
)
from tests.generators import make_admin, make_agent, make_item, make_router, observe

ITEMS = ["c1", "c2", "c3", "s1", "s2"]


def two_departments() -> Router:
    """
    billing: ana and bob (one chat each); sales: cy (one chat), and root, an administrator.

    c1 -> ana, c2 -> bob; nobody else is routed yet.
    """
    router = make_router(
        "ana",
        "bob",
        make_agent("cy", departments={"sales": ["chat"]}),
        make_admin("root", departments={}),
        departments=["billing", "sales"],
    )
    router.assign(make_item("c1"))
    router.assign(make_item("c2"))
    return router


class TestToAgent:
    def test_item_and_slot_move_to_the_new_agent(self) -> None:
        """The item goes to the target, whose load rises, and the previous holder's slot frees."""
        router = two_departments()

        decisions = router.transfer("c1", to_agent="cy", to_department="sales")

        assert [Decision("c1", "assigned", "cy", "sales", "chat", "transfer")] == decisions
        assert (0, 1, ("c1",)) == (
            router.load("ana", "chat"),
            router.load("cy", "chat"),
            router.assigned_to("cy"),
        )
        router._check()

    def test_freed_slot_takes_waiting_work_after_the_item(self) -> None:
        """The transferred item's decision comes first, then the work the freed slot took."""
        router = two_departments()
        router.assign(make_item("c3"))

        decisions = router.transfer("c1", to_agent="cy", to_department="sales")

        assert [
            Decision("c1", "assigned", "cy", "sales", "chat", "transfer"),
            Decision("c3", "assigned", "ana", "billing", "chat", "least_busy"),
        ] == decisions
        assert ("ana", 0) == (router.status("c3").agent, router.queue_length("billing"))

    def test_within_the_department_keeps_the_department(self) -> None:
        """Without to_department the item stays in its department, with the new agent."""
        router = make_router(make_agent("ana"), make_agent("bob", capacity={"chat": 2}))
        router.assign(make_item("c1"))

        decisions = router.transfer("c1", to_agent="bob")

        assert [Decision("c1", "assigned", "bob", "billing", "chat", "transfer")] == decisions

    def test_same_agent_in_another_department_uses_the_same_slot(self) -> None:
        """Moving an item to its holder in another department frees and retakes the one slot."""
        router = make_router(
            make_agent("ana", departments={"billing": ["chat"], "sales": ["chat"]}),
            departments=["billing", "sales"],
        )
        router.assign(make_item("c1"))

        decisions = router.transfer("c1", to_agent="ana", to_department="sales")

        assert [Decision("c1", "assigned", "ana", "sales", "chat", "transfer")] == decisions
        assert (1, ("c1",)) == (router.load("ana", "chat"), router.assigned_to("ana"))

    def test_waiting_item_can_be_given_to_an_agent(self) -> None:
        """A queued item transferred to an agent leaves its queue and is assigned."""
        router = two_departments()
        router.assign(make_item("c3"))

        decisions = router.transfer("c3", to_agent="cy", to_department="sales")

        assert [Decision("c3", "assigned", "cy", "sales", "chat", "transfer")] == decisions
        assert ((), ()) == (router.queued("billing", "chat"), router.queued("sales", "chat"))

    def test_holder_in_the_same_department_is_refused(self) -> None:
        """Transferring to the agent who already holds the item there raises InvalidStateError."""
        router = two_departments()
        before = observe(router, ITEMS)

        with pytest.raises(InvalidStateError, match="'ana' already holds item 'c1' there"):
            router.transfer("c1", to_agent="ana", to_department="billing")

        assert before == observe(router, ITEMS)

    @pytest.mark.parametrize(
        ("prepare", "reasons"),
        [
            (lambda r: None, ("does not serve 'chat' in 'billing'",)),
            (
                lambda r: r.set_presence("cy", "away"),
                ("does not serve 'chat' in 'billing'", "is away"),
            ),
            (
                lambda r: r.set_channel("cy", "chat", enabled=False),
                ("does not serve 'chat' in 'billing'", "has 'chat' switched off"),
            ),
            (
                lambda r: r.assign(make_item("s1", department="sales")),
                ("does not serve 'chat' in 'billing'", "is full on 'chat' (1/1)"),
            ),
        ],
        ids=["not-a-member", "away", "channel-off", "full"],
    )
    def test_target_who_cannot_take_it_is_refused(
        self, prepare: Callable[[Router], object], reasons: tuple[str, ...]
    ) -> None:
        """Without force the target must serve the channel there, be online, have it on and room."""
        router = two_departments()
        prepare(router)
        before = observe(router, ITEMS)

        with pytest.raises(NotEligibleError, match="Agent 'cy' cannot take item 'c1'") as info:
            router.transfer("c1", to_agent="cy")

        assert ("cy", "c1", reasons) == (info.value.agent, info.value.item, info.value.reasons)
        assert before == observe(router, ITEMS)

    def test_target_without_capacity_on_the_channel_is_refused(self) -> None:
        """An agent with no limit on the item's channel can never take it, forced or not."""
        router = two_departments()
        router.add_agent(make_agent("dan", capacity={"ticket": 1}, departments={}))
        router.set_presence("dan", "online")
        before = observe(router, ITEMS)

        with pytest.raises(NotEligibleError) as info:
            router.transfer("c1", to_agent="dan", force=True)

        assert ("has no capacity on 'chat'",) == info.value.reasons
        assert before == observe(router, ITEMS)

    @pytest.mark.parametrize(
        ("target", "prepare"),
        [
            ("root", lambda r: None),
            ("cy", lambda r: r.set_presence("cy", "offline")),
            ("cy", lambda r: r.set_channel("cy", "chat", enabled=False)),
        ],
        ids=["not-a-member", "offline", "channel-off"],
    )
    def test_administrator_forces_past_membership_presence_and_channel(
        self, target: str, prepare: Callable[[Router], object]
    ) -> None:
        """force=True by an administrator skips every check but capacity."""
        router = two_departments()
        prepare(router)

        decisions = router.transfer("c1", to_agent=target, actor="root", force=True)

        assert [Decision("c1", "assigned", target, "billing", "chat", "transfer")] == decisions
        assert (1, "administrator") == (
            router.load(target, "chat"),
            router.history("c1")[-1].by_kind,
        )
        router._check()

    def test_forced_transfer_never_exceeds_a_limit(self) -> None:
        """A full target is refused even when forced; the limit holds."""
        router = two_departments()
        before = observe(router, ITEMS)

        with pytest.raises(NotEligibleError, match=r"never exceeded, even with force=True") as info:
            router.transfer("c1", to_agent="bob", actor="root", force=True)

        assert ("bob", ("is full on 'chat' (1/1)",)) == (info.value.agent, info.value.reasons)
        assert before == observe(router, ITEMS)
        assert 1 == router.load("bob", "chat")

    def test_swap_between_two_full_agents_is_refused(self) -> None:
        """Only the item's own slot is freed first, so a full agent cannot receive it."""
        router = two_departments()
        before = observe(router, ITEMS)

        with pytest.raises(NotEligibleError):
            router.transfer("c2", to_agent="ana")

        assert before == observe(router, ITEMS)


class TestToDepartment:
    def test_item_waits_unassigned_to_be_pulled(self) -> None:
        """A transfer to a department leaves the item unassigned there, waiting to be pulled."""
        router = two_departments()

        decisions = router.transfer("c1", to_department="sales")

        assert [
            Decision(
                "c1",
                "queued",
                None,
                "sales",
                "chat",
                "pull",
                position=1,
                reason="waits in 'sales' for an agent to claim it or take it as next",
            )
        ] == decisions
        status = router.status("c1")
        assert ("queued", None, "sales", True) == (
            status.state,
            status.agent,
            status.department,
            status.pull,
        )
        assert (0, 1) == (router.load("ana"), router.queue_length("sales"))

    def test_free_agents_of_the_department_are_not_pushed_the_item(self) -> None:
        """Even with a free agent there, the item waits until someone takes it."""
        router = two_departments()

        router.transfer("c1", to_department="sales")

        assert (0, "queued") == (router.load("cy"), router.status("c1").state)
        router._check()

    def test_transferred_item_can_be_claimed_there(self) -> None:
        """One of the department's agents claims the item it was transferred to."""
        router = two_departments()
        router.transfer("c1", to_department="sales")

        decision = router.claim("c1", "cy")

        assert Decision("c1", "assigned", "cy", "sales", "chat", "claim") == decision

    def test_same_department_transfer_unassigns(self) -> None:
        """Naming the item's own department puts it back in line there for anyone to take."""
        router = two_departments()

        decisions = router.transfer("c1", to_department="billing")

        assert [("queued", None)] == [(d.status, d.agent) for d in decisions]
        assert (True, ("c1",)) == (router.status("c1").pull, router.queued("billing", "chat"))

    def test_freed_slot_takes_pushed_work_but_not_the_item(self) -> None:
        """The holder's freed slot takes waiting pushed work, never the item just handed on."""
        router = two_departments()
        router.assign(make_item("c3"))

        decisions = router.transfer("c1", to_department="billing")

        assert [("c1", "queued", None), ("c3", "assigned", "ana")] == [
            (d.item, d.status, d.agent) for d in decisions
        ]

    def test_item_keeps_its_place_in_line(self) -> None:
        """A transferred item keeps its arrival, so it stands ahead of later arrivals there."""
        router = two_departments()
        router.set_presence("cy", "offline")
        router.assign(make_item("s1", department="sales"))
        router.assign(make_item("s2", department="sales"))

        decisions = router.transfer("c1", to_department="sales")

        assert 1 == decisions[0].position
        assert ("c1", "s1", "s2") == router.queued("sales", "chat")

    def test_waiting_item_keeps_its_place_and_priority(self) -> None:
        """A queued item moved between departments keeps both its priority and its arrival."""
        router = two_departments()
        router.set_presence("cy", "offline")
        router.assign(make_item("c3"))
        router.assign(make_item("s1", department="sales", priority=10))
        router.assign(make_item("s2", department="sales"))

        router.transfer("c3", to_department="sales")

        assert ((), ("s1", "c3", "s2")) == (
            router.queued("billing", "chat"),
            router.queued("sales", "chat"),
        )


class TestRefusals:
    @pytest.mark.parametrize(
        ("call", "error", "match", "context"),
        [
            (
                lambda r: r.transfer("zz", to_department="sales"),
                UnknownItemError,
                "'zz'",
                {"item": "zz"},
            ),
            (
                lambda r: r.transfer("c1", to_agent="zed"),
                UnknownAgentError,
                "'zed'",
                {"agent": "zed"},
            ),
            (
                lambda r: r.transfer("c1", to_department="support"),
                UnknownDepartmentError,
                "'support'; known: billing, sales",
                {"department": "support"},
            ),
            (
                lambda r: r.transfer("c1", to_agent="bob", actor="zed"),
                UnknownAgentError,
                "'zed'",
                {"agent": "zed"},
            ),
            (
                lambda r: r.transfer("c1"),
                InvalidValueError,
                "give to_agent, to_department, or both",
                {"path": "transfer"},
            ),
        ],
        ids=["unknown-item", "unknown-agent", "unknown-department", "unknown-actor", "no-target"],
    )
    def test_bad_arguments_raise_and_change_nothing(
        self,
        call: Callable[[Router], object],
        error: type[Exception],
        match: str,
        context: dict[str, object],
    ) -> None:
        """Unknown ids and a missing target raise typed errors naming the value."""
        router = two_departments()
        before = observe(router, ITEMS)

        with pytest.raises(error, match=match) as info:
            call(router)

        assert context == {key: getattr(info.value, key) for key in context}
        assert before == observe(router, ITEMS)

    def test_closed_item_cannot_be_transferred(self) -> None:
        """A closed item must be reopened before it can move."""
        router = two_departments()
        router.close("c1")
        before = observe(router, ITEMS)

        with pytest.raises(ItemClosedError, match="Cannot transfer item 'c1'") as info:
            router.transfer("c1", to_agent="cy", to_department="sales")

        assert "c1" == info.value.item
        assert before == observe(router, ITEMS)

    def test_force_must_be_a_bool(self) -> None:
        """The force flag is validated like every other flag: only True or False."""
        router = two_departments()
        before = observe(router, ITEMS)

        with pytest.raises(InvalidValueError):
            router.transfer("c1", to_agent="root", force="yes")  # type: ignore[arg-type]

        assert before == observe(router, ITEMS)

    def test_reason_must_be_a_string(self) -> None:
        """A reason is kept in the history as words, so anything but a string or None is refused."""
        router = two_departments()
        before = observe(router, ITEMS)

        with pytest.raises(InvalidValueError):
            router.transfer("c1", to_department="sales", reason=5)  # type: ignore[arg-type]

        assert before == observe(router, ITEMS)


def test_closing_a_force_transferred_item_finds_its_line_again() -> None:
    """An item forced into a department where its agent is no member still closes cleanly."""
    router = make_router("ana", make_admin("boss"), departments=["billing", "sales"])
    router.assign(make_item("c1"))
    router.transfer("c1", to_agent="ana", to_department="sales", actor="boss", force=True)

    router.close("c1")
    router.reopen("c1")

    assert ("sales", "queued") == (router.owner("c1").department, router.status("c1").state)
    router._check()
