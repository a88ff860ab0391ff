from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest

from agentroute import (
    Decision,
    ItemStatus,
    ManualClock,
    Router,
    UnknownAgentError,
    UnknownItemError,
)
from tests.generators import make_agent, make_item, make_router, observe


class TestDepartments:
    def test_departments_in_the_order_added(self) -> None:
        """departments() lists names in the order they were added."""
        router = Router()
        for name in ["sales", "billing", "support"]:
            router.add_department(name)

        names = router.departments()

        assert ["sales", "billing", "support"] == names

    def test_strategy_per_channel_with_fallbacks(self) -> None:
        """A channel uses its named strategy, else the department's default, else the router's."""
        router = Router(default_strategy="priority")
        router.add_department(
            "billing", strategies={"chat": "round_robin"}, default_strategy="most_busy"
        )
        router.add_department("sales")

        used = [
            router.assign(make_item(f"i{n}", channel=channel, department=department)).strategy
            for n, (department, channel) in enumerate(
                [("billing", "chat"), ("billing", "call"), ("sales", "chat")]
            )
        ]

        assert ["round_robin", "most_busy", "priority"] == used

    def test_router_default_is_least_busy(self) -> None:
        """Without options, every channel uses least_busy."""
        router = Router()
        router.add_department("billing")

        decision = router.assign(make_item("c1"))

        assert "least_busy" == decision.strategy


class TestAgents:
    def test_new_agent_is_offline_and_gets_no_work(self) -> None:
        """An added agent is offline until the host sets presence, so work waits."""
        router = make_router("ana", online=False)

        decision = router.assign(make_item("c1"))

        assert ("offline", "queued") == (router.presence("ana"), decision.status)

    def test_agent_returns_the_current_definition(self) -> None:
        """agent() returns exactly the definition last given."""
        router = make_router()
        ana = make_agent("ana", capacity={"chat": 2, "ticket": 1}, priority=3)
        router.add_agent(ana)

        assert ana == router.agent("ana")

    def test_agent_ids_in_the_order_added(self) -> None:
        """agent_ids() lists agents in the order they were added."""
        router = make_router("zoe", "ana", "max")

        assert ["zoe", "ana", "max"] == router.agent_ids()

    def test_update_agent_replaces_the_definition(self) -> None:
        """update_agent() swaps the definition; with nothing waiting it returns no decisions."""
        router = make_router("ana")
        changed = attrs.evolve(router.agent("ana"), name="Ana L.", priority=2)

        decisions = router.update_agent(changed)

        assert ([], changed) == (decisions, router.agent("ana"))

    def test_update_agent_adds_a_channel_and_department(self) -> None:
        """A channel added by update_agent takes work there, with presence kept."""
        router = make_router("ana", departments=["billing", "sales"])

        router.update_agent(
            make_agent(
                "ana",
                capacity={"chat": 1, "ticket": 1},
                departments={"billing": ["chat"], "sales": ["ticket"]},
            )
        )
        decision = router.assign(make_item("t1", channel="ticket", department="sales"))

        assert ("online", "ana", True) == (
            router.presence("ana"),
            decision.agent,
            router.channel_enabled("ana", "ticket"),
        )

    def test_update_agent_keeps_work_it_still_serves(self) -> None:
        """Work on channels the agent keeps stays with it."""
        router = make_router(make_agent("ana", capacity={"chat": 2, "ticket": 1}))
        router.assign(make_item("c1"))
        router.assign(make_item("t1", channel="ticket"))

        router.update_agent(make_agent("ana", capacity={"chat": 2}), requeue=True)

        assert (("c1",), "assigned", "queued") == (
            router.assigned_to("ana"),
            router.status("c1").state,
            router.status("t1").state,
        )

    def test_removed_channel_loses_its_off_switch(self) -> None:
        """A channel removed and given back later starts switched on."""
        router = make_router(make_agent("ana", capacity={"chat": 1, "ticket": 1}))
        router.set_channel("ana", "ticket", enabled=False)

        router.update_agent(make_agent("ana", capacity={"chat": 1}))
        router.update_agent(make_agent("ana", capacity={"chat": 1, "ticket": 1}))

        assert router.channel_enabled("ana", "ticket")

    def test_remove_idle_agent(self) -> None:
        """An agent holding nothing is removed; its id is then unknown and no decisions result."""
        router = make_router("ana", "bob")

        decisions = router.remove_agent("ana")

        assert ([], ["bob"]) == (decisions, router.agent_ids())
        with pytest.raises(UnknownAgentError):
            router.presence("ana")

    def test_removed_agent_gets_no_more_work(self) -> None:
        """Work after a removal goes to the remaining agents only."""
        router = make_router("ana", "bob")
        router.remove_agent("ana")

        decisions = [router.assign(make_item(f"c{n}")) for n in range(2)]

        assert [("assigned", "bob"), ("queued", None)] == [(d.status, d.agent) for d in decisions]
        router._check()

    def test_closed_item_remembers_a_removed_agent(self) -> None:
        """A closed item still names who held it last after that agent is removed."""
        router = make_router("ana")
        router.assign(make_item("c1"))
        router.close("c1")

        router.remove_agent("ana")

        assert ("closed", "ana") == (router.status("c1").state, router.status("c1").agent)

    def test_removed_id_can_be_added_again_fresh(self) -> None:
        """A removed id can be added again; the new agent starts offline."""
        router = make_router("ana")
        router.remove_agent("ana")

        router.add_agent(make_agent("ana", capacity={"chat": 3}))

        assert ("offline", 3, 0) == (
            router.presence("ana"),
            router.agent("ana").capacity["chat"],
            router.load("ana"),
        )


class TestPresence:
    @pytest.mark.parametrize("presence", ["away", "offline"])
    def test_leaving_keeps_work_but_gets_no_new_work(self, presence: str) -> None:
        """Away or offline agents keep what they hold and get nothing new."""
        router = make_router(make_agent("ana", capacity={"chat": 2}))
        router.assign(make_item("c1"))

        decisions = router.set_presence("ana", presence)  # type: ignore[arg-type]
        new = router.assign(make_item("c2"))

        assert ([], presence, ("c1",), "queued") == (
            decisions,
            router.presence("ana"),
            router.assigned_to("ana"),
            new.status,
        )

    def test_online_again_takes_work(self) -> None:
        """Coming back online makes the agent eligible again."""
        router = make_router("ana")
        router.set_presence("ana", "away")
        router.set_presence("ana", "online")

        decision = router.assign(make_item("c1"))

        assert "ana" == decision.agent


class TestChannelStatus:
    def test_channels_start_on(self) -> None:
        """Every channel with capacity starts switched on, even while offline."""
        router = make_router(make_agent("ana", capacity={"chat": 1, "call": 1}), online=False)

        assert (True, True) == (
            router.channel_enabled("ana", "chat"),
            router.channel_enabled("ana", "call"),
        )

    def test_off_channel_gets_no_work_other_channels_do(self) -> None:
        """Switching chat off stops chats only; tickets still come."""
        router = make_router(make_agent("ana", capacity={"chat": 1, "ticket": 1}))

        decisions = router.set_channel("ana", "chat", enabled=False)
        chat = router.assign(make_item("c1"))
        ticket = router.assign(make_item("t1", channel="ticket"))

        assert ([], False, "queued", "ana") == (
            decisions,
            router.channel_enabled("ana", "chat"),
            chat.status,
            ticket.agent,
        )

    def test_off_keeps_current_work(self) -> None:
        """Switching a channel off keeps the work already held on it."""
        router = make_router("ana")
        router.assign(make_item("c1"))

        router.set_channel("ana", "chat", enabled=False)

        assert (("c1",), 1) == (router.assigned_to("ana"), router.load("ana", "chat"))

    def test_offline_with_channel_on_gets_nothing(self) -> None:
        """A switched-on channel gives no work while the agent is offline."""
        router = make_router("ana", online=False)
        router.set_channel("ana", "chat", enabled=True)

        decision = router.assign(make_item("c1"))

        assert "queued" == decision.status

    def test_channel_setting_survives_presence_changes(self) -> None:
        """A channel switched off stays off through going offline and back online."""
        router = make_router(make_agent("ana", capacity={"chat": 1, "ticket": 1}))
        router.set_channel("ana", "chat", enabled=False)
        router.set_presence("ana", "offline")
        router.set_presence("ana", "online")

        decision = router.assign(make_item("c1"))

        assert (False, "queued") == (router.channel_enabled("ana", "chat"), decision.status)


class TestCapacity:
    def test_limit_is_never_exceeded(self) -> None:
        """With limit 2, the third and later items wait."""
        router = make_router(make_agent("ana", capacity={"chat": 2}))

        decisions = [router.assign(make_item(f"c{n}")) for n in range(5)]

        assert ["assigned"] * 2 + ["queued"] * 3 == [d.status for d in decisions]
        assert 2 == router.load("ana", "chat")

    def test_limits_are_per_channel(self) -> None:
        """A full chat limit does not stop tickets."""
        router = make_router(make_agent("ana", capacity={"chat": 1, "ticket": 1}))
        router.assign(make_item("c1"))

        decision = router.assign(make_item("t1", channel="ticket"))

        assert ("ana", 2, 1, 1) == (
            decision.agent,
            router.load("ana"),
            router.load("ana", "chat"),
            router.load("ana", "ticket"),
        )

    def test_zero_limit_serves_nothing(self) -> None:
        """A limit of 0 makes the agent a member who never gets that channel's work."""
        router = make_router(make_agent("ana", capacity={"chat": 0}))

        decision = router.assign(make_item("c1"))

        assert "queued" == decision.status

    def test_set_capacity_updates_the_definition(self) -> None:
        """set_capacity() changes one channel's limit and keeps the rest of the agent."""
        router = make_router(make_agent("ana", capacity={"chat": 1, "ticket": 4}, priority=9))

        router.set_capacity("ana", "chat", 3)

        agent = router.agent("ana")
        assert ({"chat": 3, "ticket": 4}, 9) == (dict(agent.capacity), agent.priority)

    def test_set_capacity_can_add_a_channel(self) -> None:
        """A limit on a new channel adds it to the agent's capacity, switched on."""
        router = make_router("ana")

        router.set_capacity("ana", "email", 2)

        assert (2, True) == (
            router.agent("ana").capacity["email"],
            router.channel_enabled("ana", "email"),
        )

    def test_lowering_below_load_keeps_work_and_blocks_new_work(self) -> None:
        """Work above a lowered limit stays; new work waits until load drops below the limit."""
        router = make_router(make_agent("ana", capacity={"chat": 3}))
        for n in range(3):
            router.assign(make_item(f"c{n}"))

        lowered = router.set_capacity("ana", "chat", 1)
        waiting = router.assign(make_item("w1"))
        first_close = router.close("c0")
        second_close = router.close("c1")

        assert ([], "queued", [], []) == (lowered, waiting.status, first_close, second_close)
        assert (("c2",), "queued") == (router.assigned_to("ana"), router.status("w1").state)

    def test_work_flows_again_below_a_lowered_limit(self) -> None:
        """Once load is below the lowered limit, the freed slot takes waiting work."""
        router = make_router(make_agent("ana", capacity={"chat": 2}))
        router.assign(make_item("c0"))
        router.assign(make_item("c1"))
        router.set_capacity("ana", "chat", 1)
        router.assign(make_item("w1"))
        router.close("c0")

        decisions = router.close("c1")

        assert [Decision("w1", "assigned", "ana", "billing", "chat", "least_busy")] == decisions


class TestEligibility:
    @pytest.mark.parametrize(
        "setup",
        [
            pytest.param(
                lambda r: r.add_agent(make_agent("aaa", departments={"sales": ["chat"]})),
                id="other-department",
            ),
            pytest.param(
                lambda r: r.add_agent(
                    make_agent(
                        "aaa",
                        capacity={"chat": 1, "ticket": 1},
                        departments={"billing": ["ticket"]},
                    )
                ),
                id="not-serving-the-channel",
            ),
            pytest.param(lambda r: r.add_agent(make_agent("aaa")), id="offline"),
            pytest.param(
                lambda r: (r.add_agent(make_agent("aaa")), r.set_presence("aaa", "away")),
                id="away",
            ),
            pytest.param(
                lambda r: (
                    r.add_agent(make_agent("aaa")),
                    r.set_presence("aaa", "online"),
                    r.set_channel("aaa", "chat", enabled=False),
                ),
                id="channel-off",
            ),
            pytest.param(
                lambda r: (
                    r.add_agent(make_agent("aaa", capacity={"chat": 0})),
                    r.set_presence("aaa", "online"),
                ),
                id="no-free-slot",
            ),
        ],
    )
    def test_only_eligible_agents_get_work(self, setup: Callable[[Router], object]) -> None:
        """Only billing members serving chat, online, with chat on and a free slot get a chat."""
        router = make_router(departments=["billing", "sales"])
        setup(router)
        router.add_agent(make_agent("zed"))
        router.set_presence("zed", "online")

        first = router.assign(make_item("c1"))
        second = router.assign(make_item("c2"))

        assert (("assigned", "zed"), ("queued", None)) == (
            (first.status, first.agent),
            (second.status, second.agent),
        )

    def test_the_reference_agent_wins_when_eligible(self) -> None:
        """Control for the test above: an eligible 'aaa' is chosen before 'zed'."""
        router = make_router("aaa", "zed")

        decision = router.assign(make_item("c1"))

        assert "aaa" == decision.agent

    def test_agent_shared_by_departments_has_one_load(self) -> None:
        """Load is per agent and channel, shared by every department the agent serves it in."""
        router = make_router(
            make_agent(
                "ana", capacity={"chat": 1}, departments={"billing": ["chat"], "sales": ["chat"]}
            ),
            departments=["billing", "sales"],
        )
        router.assign(make_item("c1", department="sales"))

        decision = router.assign(make_item("c2"))

        assert ("queued", 1) == (decision.status, router.load("ana", "chat"))


class TestAssign:
    def test_assigned_decision(self) -> None:
        """An assigned item's decision names the agent, department, channel and strategy."""
        router = make_router("ana")

        decision = router.assign(make_item("c1"))

        assert Decision("c1", "assigned", "ana", "billing", "chat", "least_busy") == decision

    def test_queued_decision_without_members(self) -> None:
        """With nobody serving the channel, the decision says so."""
        router = make_router("ana")

        decision = router.assign(make_item("t1", channel="ticket"))

        assert (
            Decision(
                "t1",
                "queued",
                None,
                "billing",
                "ticket",
                "least_busy",
                position=1,
                reason="no agent serves 'ticket' in 'billing' yet",
            )
            == decision
        )

    def test_queued_decision_with_busy_members(self) -> None:
        """With members but no free slot, the decision counts them and gives the place in line."""
        router = make_router("ana", "bob")
        for n in range(2):
            router.assign(make_item(f"c{n}"))
        router.assign(make_item("w1"))

        decision = router.assign(make_item("w2"))

        assert (
            2,
            "all 2 agents serving 'chat' in 'billing' are full, away, offline or off that channel",
        ) == (
            decision.position,
            decision.reason,
        )

    def test_departments_do_not_share_queues(self) -> None:
        """The same channel in two departments has two queues."""
        router = make_router(departments=["billing", "sales"])
        router.assign(make_item("b1"))

        decision = router.assign(make_item("s1", department="sales"))

        assert (1, ("b1",), ("s1",)) == (
            decision.position,
            router.queued("billing", "chat"),
            router.queued("sales", "chat"),
        )


class TestItems:
    def test_status_of_assigned_item(self, clock: ManualClock) -> None:
        """status() of an assigned item names its agent and has no position."""
        router = make_router("ana", clock=clock)
        router.assign(make_item("c1"))

        status = router.status("c1")

        assert ItemStatus("c1", "assigned", "ana", "billing", "chat", None, 1000.0) == status

    def test_status_of_queued_item(self, clock: ManualClock) -> None:
        """status() of a waiting item gives its place in line."""
        router = make_router(clock=clock)
        router.assign(make_item("c1"))
        router.assign(make_item("c2"))

        status = router.status("c2")

        assert ItemStatus("c2", "queued", None, "billing", "chat", 2, 1000.0) == status

    def test_close_assigned_frees_the_slot_and_keeps_the_owner(self) -> None:
        """Closing an assigned item frees the slot; status still names who held it."""
        router = make_router("ana")
        router.assign(make_item("c1"))

        decisions = router.close("c1")

        status = router.status("c1")
        assert ([], "closed", "ana", None) == (
            decisions,
            status.state,
            status.agent,
            status.position,
        )
        assert ((), 0) == (router.assigned_to("ana"), router.load("ana"))

    def test_close_queued_takes_it_out_of_line(self) -> None:
        """Closing a waiting item removes it from its queue; those behind move up."""
        router = make_router()
        for n in range(3):
            router.assign(make_item(f"c{n}"))

        decisions = router.close("c1")

        assert ([], ("c0", "c2"), 2, None) == (
            decisions,
            router.queued("billing", "chat"),
            router.status("c2").position,
            router.status("c1").agent,
        )

    def test_forget_frees_the_id(self) -> None:
        """After close and forget, the id is unknown and can be routed again."""
        router = make_router("ana")
        router.assign(make_item("c1"))
        router.close("c1")

        router.forget("c1")

        with pytest.raises(UnknownItemError):
            router.status("c1")
        assert "assigned" == router.assign(make_item("c1")).status

    def test_forget_changes_nothing_else(self) -> None:
        """Forgetting a closed item leaves agents and queues as they were."""
        router = make_router("ana")
        router.assign(make_item("c1"))
        router.assign(make_item("c2"))
        router.close("c1")
        router.assign(make_item("c3"))
        before = observe(router, ["c2", "c3"])

        router.forget("c1")

        assert before == observe(router, ["c2", "c3"])


class TestQueries:
    def test_queue_length_per_channel_and_total(self) -> None:
        """queue_length() counts one channel, or all channels of the department."""
        router = make_router(departments=["billing", "sales"])
        for n in range(2):
            router.assign(make_item(f"c{n}"))
        router.assign(make_item("t1", channel="ticket"))
        router.assign(make_item("s1", department="sales"))

        lengths = (
            router.queue_length("billing", "chat"),
            router.queue_length("billing", "ticket"),
            router.queue_length("billing"),
            router.queue_length("billing", "call"),
        )

        assert (2, 1, 3, 0) == lengths

    def test_queued_of_an_unused_channel_is_empty(self) -> None:
        """A channel nobody used has an empty queue."""
        router = make_router()

        assert () == router.queued("billing", "call")

    def test_load_of_a_channel_without_capacity_is_zero(self) -> None:
        """load() of a channel the agent has no capacity on is 0."""
        router = make_router("ana")

        assert 0 == router.load("ana", "call")

    def test_assigned_to_oldest_first(self) -> None:
        """assigned_to() lists held items in the order they were assigned."""
        router = make_router(make_agent("ana", capacity={"chat": 3, "ticket": 1}))
        router.assign(make_item("c1"))
        router.assign(make_item("t1", channel="ticket"))
        router.assign(make_item("c2"))
        router.close("c1")
        router.assign(make_item("c3"))

        assert ("t1", "c2", "c3") == router.assigned_to("ana")


def test_agent_definition_round_trips_through_update() -> None:
    """Updating with the current definition changes nothing observable."""
    router = make_router(make_agent("ana", capacity={"chat": 2}), "bob")
    router.assign(make_item("c1"))
    router.assign(make_item("c2"))
    before = observe(router, ["c1", "c2"])

    decisions = router.update_agent(router.agent("ana"))

    assert ([], before) == (decisions, observe(router, ["c1", "c2"]))
