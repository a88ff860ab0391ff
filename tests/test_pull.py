from __future__ import annotations

import pytest

from agentroute import (
    Decision,
    InvalidStateError,
    ItemClosedError,
    ManualClock,
    NotEligibleError,
    Router,
    UnknownAgentError,
    UnknownItemError,
)
from tests.generators import make_admin, make_agent, make_item, make_router, observe

ITEMS = ["h1", "h2", "h3", "s1", "s2", "t1", "v1"]


def help_desk(*, allow_claims: bool = True) -> Router:
    """
    Pull-only departments "help" and "vip", and a push department "sales".

    ana serves chat and ticket in help, and chat in vip and sales (one slot each);
    bob serves chat in help; both online. Nothing is routed yet.
    """
    router = make_router(departments=["sales"])
    router.add_department("help", mode="pull", allow_claims=allow_claims)
    router.add_department("vip", mode="pull")
    router.add_agent(
        make_agent(
            "ana",
            capacity={"chat": 1, "ticket": 1},
            departments={"help": ["chat", "ticket"], "vip": ["chat"], "sales": ["chat"]},
        )
    )
    router.add_agent(make_agent("bob", departments={"help": ["chat"]}))
    router.set_presence("ana", "online")
    router.set_presence("bob", "online")
    return router


def solo_desk() -> Router:
    """A pull-only department "help" whose only agent, ana (one chat slot), is offline."""
    router = Router(clock=ManualClock(1000.0))
    router.add_department("help", mode="pull")
    router.add_agent(make_agent("ana", departments={"help": ["chat"]}))
    return router


class TestPullDepartment:
    def test_arrivals_wait_to_be_pulled_even_with_free_agents(self) -> None:
        """In a pull-only department an item waits, unassigned and marked pull, to be taken."""
        router = help_desk()

        decision = router.assign(make_item("h1", department="help"))

        assert (
            Decision(
                "h1",
                "queued",
                None,
                "help",
                "chat",
                "pull",
                position=1,
                reason="waits in 'help' for an agent to claim it or take it as next",
            )
            == decision
        )
        assert (True, 0, 0) == (router.status("h1").pull, router.load("ana"), router.load("bob"))

    def test_freed_slot_does_not_push_pull_work(self) -> None:
        """Closing work frees a slot, but waiting pull items still wait for a pull."""
        router = help_desk()
        router.assign(make_item("h1", department="help"))
        router.claim("h1", "bob")
        router.assign(make_item("h2", department="help"))

        decisions = router.close("h1")

        assert ([], "queued") == (decisions, router.status("h2").state)

    def test_sole_agent_gets_arrivals_at_once(self) -> None:
        """With a single agent in the router, pull arrivals go to that agent when free."""
        router = solo_desk()
        router.set_presence("ana", "online")

        decision = router.assign(make_item("h1", department="help"))

        assert Decision("h1", "assigned", "ana", "help", "chat", "least_busy") == decision

    def test_sole_agent_who_is_full_leaves_arrivals_waiting(self) -> None:
        """The single agent's limit holds: an arrival while they are full waits to be pulled."""
        router = solo_desk()
        router.set_presence("ana", "online")
        router.assign(make_item("h1", department="help"))

        decision = router.assign(make_item("h2", department="help"))

        assert ("queued", 1) == (decision.status, router.load("ana"))
        assert router.status("h2").pull

    def test_single_agent_rule_counts_every_agent_in_the_router(self) -> None:
        """A second agent anywhere in the router turns the single-agent rule off."""
        router = Router(clock=ManualClock(1000.0))
        router.add_department("help", mode="pull")
        router.add_department("sales")
        router.add_agent(make_agent("ana", departments={"help": ["chat"]}))
        router.add_agent(make_agent("bob", departments={"sales": ["chat"]}))
        router.set_presence("ana", "online")

        decision = router.assign(make_item("h1", department="help"))

        assert ("queued", 0) == (decision.status, router.load("ana"))

    def test_sole_agent_coming_online_takes_waiting_work(self) -> None:
        """Everything goes to the single agent: work that waited while they were offline too."""
        router = solo_desk()
        router.assign(make_item("h1", department="help"))

        decisions = router.set_presence("ana", "online")

        assert [Decision("h1", "assigned", "ana", "help", "chat", "least_busy")] == decisions

    def test_sole_agent_freed_slot_takes_waiting_work(self) -> None:
        """Everything goes to the single agent: work that waited while they were full too."""
        router = solo_desk()
        router.set_presence("ana", "online")
        router.assign(make_item("h1", department="help"))
        router.assign(make_item("h2", department="help"))

        decisions = router.close("h1")

        assert [Decision("h2", "assigned", "ana", "help", "chat", "least_busy")] == decisions

    def test_sole_agent_gets_earlier_arrivals_first(self) -> None:
        """A later arrival never jumps the line: the single agent gets the oldest item first."""
        router = solo_desk()
        router.assign(make_item("h1", department="help"))
        router.set_presence("ana", "online")

        router.assign(make_item("h2", department="help"))

        assert (("h1",), ("h2",)) == (router.assigned_to("ana"), router.queued("help", "chat"))


class TestNextFor:
    def test_takes_the_most_important_across_departments_and_channels(self) -> None:
        """The most urgent item of every pool the agent serves is given first, wherever it waits."""
        router = help_desk()
        router.assign(make_item("h1", department="help", priority=30))
        router.assign(make_item("t1", channel="ticket", department="help", priority=40))
        router.assign(make_item("v1", department="vip", priority=20))

        taken = [router.next_for("ana"), router.next_for("ana")]

        assert [
            Decision("v1", "assigned", "ana", "vip", "chat", "next_for"),
            Decision("t1", "assigned", "ana", "help", "ticket", "next_for"),
        ] == taken
        assert ("h1",) == router.queued("help", "chat")

    def test_takes_an_item_transferred_to_a_push_department(self) -> None:
        """Work handed to a push department waits to be pulled, and next_for takes it."""
        router = help_desk()
        router.assign(make_item("s1", department="sales"))
        router.transfer("s1", to_department="sales")

        decision = router.next_for("ana")

        assert Decision("s1", "assigned", "ana", "sales", "chat", "next_for") == decision

    def test_equal_priority_goes_by_sla_deadline(self) -> None:
        """Among equal priorities the earliest SLA deadline comes first, then no deadline."""
        router = help_desk()
        router.assign(make_item("h1", department="help"))
        router.assign(make_item("h2", department="help", sla_deadline=2000.0))
        router.assign(make_item("h3", department="help", sla_deadline=1500.0))

        taken = [router.next_for(agent) for agent in ["ana", "bob"]]

        assert ["h3", "h2"] == [d.item for d in taken if d is not None]

    @pytest.mark.parametrize("first", ["t1", "h1"])
    def test_equal_priority_and_deadline_go_by_arrival(self, first: str) -> None:
        """With nothing else to tell them apart, the earliest arrival comes first."""
        router = help_desk()
        items = [
            make_item("t1", channel="ticket", department="help"),
            make_item("h1", department="help"),
        ]
        for item in sorted(items, key=lambda item: item.id != first):
            router.assign(item)

        decision = router.next_for("ana")

        assert first == (decision.item if decision else None)

    def test_skips_pools_where_the_agent_is_full(self) -> None:
        """A more important item on a channel where the agent is full is passed over."""
        router = help_desk()
        router.assign(make_item("h1", department="help"))
        router.next_for("ana")
        router.assign(make_item("h2", department="help", priority=1))
        router.assign(make_item("t1", channel="ticket", department="help", priority=90))

        decision = router.next_for("ana")

        assert Decision("t1", "assigned", "ana", "help", "ticket", "next_for") == decision
        assert ("h2",) == router.queued("help", "chat")

    def test_skips_a_channel_switched_off(self) -> None:
        """A channel the agent switched off is not pulled from."""
        router = help_desk()
        router.assign(make_item("h1", department="help", priority=1))
        router.assign(make_item("t1", channel="ticket", department="help"))
        router.set_channel("ana", "chat", enabled=False)

        decision = router.next_for("ana")

        assert "t1" == (decision.item if decision else None)

    def test_none_when_nothing_waits(self) -> None:
        """With every line empty, next_for returns None and changes nothing."""
        router = help_desk()
        before = observe(router, ITEMS)

        decision = router.next_for("ana")

        assert decision is None
        assert before == observe(router, ITEMS)

    def test_none_when_the_agent_has_no_room(self) -> None:
        """Work waiting only where the agent is full gives None and stays in line."""
        router = help_desk()
        router.assign(make_item("h1", department="help"))
        router.next_for("bob")
        router.assign(make_item("h2", department="help"))
        before = observe(router, ITEMS)

        decision = router.next_for("bob")

        assert decision is None
        assert before == observe(router, ITEMS)

    def test_none_for_work_the_agent_does_not_serve(self) -> None:
        """Items in pools the agent is not a member of are never given to them."""
        router = help_desk()
        router.assign(make_item("t1", channel="ticket", department="help"))

        decision = router.next_for("bob")

        assert (None, ("t1",)) == (decision, router.queued("help", "ticket"))

    @pytest.mark.parametrize("presence", ["away", "offline"])
    def test_agent_not_online_is_refused(self, presence: str) -> None:
        """An agent who is away or offline cannot pull work; nothing changes."""
        router = help_desk()
        router.assign(make_item("h1", department="help"))
        router.set_presence("ana", presence)  # type: ignore[arg-type]
        before = observe(router, ITEMS)

        with pytest.raises(NotEligibleError, match=f"is {presence}. Set them online") as info:
            router.next_for("ana")

        assert ("ana", (f"is {presence}",)) == (info.value.agent, info.value.reasons)
        assert before == observe(router, ITEMS)

    def test_unknown_agent_is_refused(self) -> None:
        """next_for() of an unknown agent raises UnknownAgentError naming it."""
        router = help_desk()
        before = observe(router, ITEMS)

        with pytest.raises(UnknownAgentError) as info:
            router.next_for("zed")

        assert "zed" == info.value.agent
        assert before == observe(router, ITEMS)

    def test_is_recorded_as_a_claim_by_the_agent(self) -> None:
        """The pulled item's history shows a claim by the agent themselves."""
        router = help_desk()
        router.assign(make_item("h1", department="help"))

        router.next_for("bob")

        last = router.history("h1")[-1]
        assert ("claimed", None, "bob", "bob", "agent") == (
            last.action,
            last.from_agent,
            last.to_agent,
            last.by,
            last.by_kind,
        )

    def test_administrator_pulls_on_an_agents_behalf(self) -> None:
        """An administrator may press "next" for an agent; the history names the administrator."""
        router = help_desk()
        router.add_agent(make_admin("root", departments={}))
        router.assign(make_item("h1", department="help"))

        decision = router.next_for("bob", actor="root")

        last = router.history("h1")[-1]
        assert ("bob", "root", "administrator") == (
            decision.agent if decision else None,
            last.by,
            last.by_kind,
        )


class TestClaim:
    def test_claims_a_waiting_item(self) -> None:
        """claim() assigns the chosen waiting item to the agent and takes it out of line."""
        router = help_desk()
        router.assign(make_item("h1", department="help"))
        router.assign(make_item("h2", department="help"))

        decision = router.claim("h2", "bob")

        assert Decision("h2", "assigned", "bob", "help", "chat", "claim") == decision
        assert (("h1",), 1) == (router.queued("help", "chat"), router.status("h1").position)

    def test_in_order_claim_is_allowed_where_claims_are_off(self) -> None:
        """Taking the item next_for would give is always allowed, even with allow_claims=False."""
        router = help_desk(allow_claims=False)
        router.assign(make_item("h1", department="help"))
        router.assign(make_item("h2", department="help"))

        decision = router.claim("h1", "bob")

        assert ("assigned", "bob") == (decision.status, decision.agent)

    def test_out_of_order_claim_is_allowed_where_claims_are_on(self) -> None:
        """With allow_claims (the default) an agent may pick any waiting item."""
        router = help_desk()
        router.assign(make_item("h1", department="help", priority=1))
        router.assign(make_item("h2", department="help"))

        decision = router.claim("h2", "bob")

        assert ("assigned", "bob") == (decision.status, decision.agent)

    def test_agent_who_does_not_serve_it_is_refused(self) -> None:
        """An agent cannot claim work of a pool they are not a member of."""
        router = help_desk()
        router.assign(make_item("t1", channel="ticket", department="help"))
        router.set_capacity("bob", "ticket", 1)
        before = observe(router, ITEMS)

        with pytest.raises(NotEligibleError, match="Agent 'bob' cannot take item 't1'") as info:
            router.claim("t1", "bob")

        assert ("does not serve 'ticket' in 'help'",) == info.value.reasons
        assert before == observe(router, ITEMS)

    def test_offline_agent_is_refused(self) -> None:
        """An offline agent cannot claim, even in line order."""
        router = help_desk()
        router.assign(make_item("h1", department="help"))
        router.set_presence("bob", "offline")
        before = observe(router, ITEMS)

        with pytest.raises(NotEligibleError) as info:
            router.claim("h1", "bob")

        assert ("bob", "h1", ("is offline",)) == (
            info.value.agent,
            info.value.item,
            info.value.reasons,
        )
        assert before == observe(router, ITEMS)

    def test_assigned_item_is_refused(self) -> None:
        """An assigned item cannot be claimed; the message says to transfer it."""
        router = help_desk()
        router.assign(make_item("h1", department="help"))
        router.claim("h1", "bob")
        before = observe(router, ITEMS)

        with pytest.raises(InvalidStateError, match="assigned to 'bob'; transfer it instead"):
            router.claim("h1", "ana")

        assert before == observe(router, ITEMS)

    def test_closed_item_is_refused(self) -> None:
        """A closed item cannot be claimed."""
        router = help_desk()
        router.assign(make_item("h1", department="help"))
        router.close("h1")
        before = observe(router, ITEMS)

        with pytest.raises(ItemClosedError, match="Cannot claim item 'h1'") as info:
            router.claim("h1", "bob")

        assert "h1" == info.value.item
        assert before == observe(router, ITEMS)

    @pytest.mark.parametrize(
        ("item", "agent", "error", "attribute", "value"),
        [
            ("zz", "bob", UnknownItemError, "item", "zz"),
            ("h1", "zed", UnknownAgentError, "agent", "zed"),
        ],
    )
    def test_unknown_ids_are_refused(
        self, item: str, agent: str, error: type[Exception], attribute: str, value: str
    ) -> None:
        """Unknown item or agent ids raise their NotFound error, naming the id."""
        router = help_desk()
        router.assign(make_item("h1", department="help"))
        before = observe(router, ITEMS)

        with pytest.raises(error) as info:
            router.claim(item, agent)

        assert value == getattr(info.value, attribute)
        assert before == observe(router, ITEMS)


class TestWaitingFor:
    def test_counts_push_and_pull_work_in_every_pool_served(self) -> None:
        """The badge counts waiting items of every (department, channel) the agent serves."""
        router = help_desk()
        router.assign(make_item("h1", department="help"))
        router.assign(make_item("t1", channel="ticket", department="help"))
        router.assign(make_item("s1", department="sales"))
        router.assign(make_item("s2", department="sales"))

        counts = (router.waiting_for("ana"), router.waiting_for("bob"))

        assert (False, True) == (router.status("s2").pull, router.status("h1").pull)
        assert (3, 1) == counts

    def test_counts_work_the_agent_has_no_room_for(self) -> None:
        """Items wait for a full agent too; the badge still shows them."""
        router = help_desk()
        router.assign(make_item("h1", department="help"))
        router.claim("h1", "bob")
        router.assign(make_item("h2", department="help"))

        count = router.waiting_for("bob")

        assert 1 == count

    def test_drops_when_an_item_is_taken(self) -> None:
        """Claiming an item lowers the badge of everyone who could have taken it."""
        router = help_desk()
        router.assign(make_item("h1", department="help"))
        router.assign(make_item("h2", department="help"))

        router.next_for("ana")

        assert (1, 1) == (router.waiting_for("ana"), router.waiting_for("bob"))

    def test_zero_for_an_agent_in_no_department(self) -> None:
        """An agent who serves nowhere has nothing waiting for them."""
        router = help_desk()
        router.add_agent(make_agent("cy", departments={}))
        router.assign(make_item("h1", department="help"))

        assert 0 == router.waiting_for("cy")

    def test_unknown_agent_is_refused(self) -> None:
        """waiting_for() of an unknown agent raises UnknownAgentError."""
        router = help_desk()
        router.assign(make_item("h1", department="help"))
        before = observe(router, ITEMS)

        with pytest.raises(UnknownAgentError, match="'zed'") as info:
            router.waiting_for("zed")

        assert "zed" == info.value.agent
        assert before == observe(router, ITEMS)
