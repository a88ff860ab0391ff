from __future__ import annotations

from collections.abc import Callable

import attrs

from agentroute import Decision
from tests.generators import make_agent, make_item, make_router


def assigned(item: str, agent: str, channel: str = "chat", department: str = "billing") -> Decision:
    """Return the decision for *item* given to *agent* by least_busy."""
    return Decision(item, "assigned", agent, department, channel, "least_busy")


class TestOrder:
    def test_queue_order_is_priority_then_deadline_then_arrival(self) -> None:
        """Waiting items line up by priority, then SLA deadline (none last), then arrival."""
        router = make_router()
        for item in [
            make_item("plain-1"),
            make_item("late-deadline", sla_deadline=2000.0),
            make_item("urgent", priority=10),
            make_item("early-deadline", sla_deadline=1500.0),
            make_item("plain-2"),
            make_item("least-urgent", priority=90, sla_deadline=1.0),
        ]:
            router.assign(item)

        order = router.queued("billing", "chat")

        assert (
            "urgent",
            "early-deadline",
            "late-deadline",
            "plain-1",
            "plain-2",
            "least-urgent",
        ) == order

    def test_dispatch_follows_the_queue_order(self) -> None:
        """An agent coming online takes waiting work most important first, up to its limit."""
        router = make_router(make_agent("ana", capacity={"chat": 3}), online=False)
        for item in [
            make_item("plain"),
            make_item("deadline", sla_deadline=1500.0),
            make_item("urgent", priority=1),
            make_item("later"),
        ]:
            router.assign(item)

        decisions = router.set_presence("ana", "online")

        assert [
            assigned("urgent", "ana"),
            assigned("deadline", "ana"),
            assigned("plain", "ana"),
        ] == (decisions)
        assert ("later",) == router.queued("billing", "chat")

    def test_freed_slot_takes_the_head_of_the_line(self) -> None:
        """Closing takes the most important waiting item, not the oldest."""
        router = make_router("ana")
        router.assign(make_item("c1"))
        router.assign(make_item("old"))
        router.assign(make_item("vip", priority=1))

        decisions = router.close("c1")

        assert [assigned("vip", "ana")] == decisions

    def test_across_departments_the_most_important_goes_first(self) -> None:
        """An agent freed in two departments takes the better item of either queue."""
        router = make_router(
            make_agent("ana", departments={"billing": ["chat"], "sales": ["chat"]}),
            departments=["billing", "sales"],
        )
        router.assign(make_item("c1"))
        router.assign(make_item("b-first"))
        router.assign(make_item("s-second", department="sales"))
        router.assign(make_item("b-urgent", priority=5))
        router.assign(make_item("s-urgent-earlier", priority=5, department="sales", sla_deadline=1))

        first = router.close("c1")
        second = router.close("s-urgent-earlier")
        third = router.close("b-urgent")

        assert [
            [assigned("s-urgent-earlier", "ana", department="sales")],
            [assigned("b-urgent", "ana")],
            [assigned("b-first", "ana")],
        ] == [first, second, third]


class TestTriggers:
    def test_close_dispatches_waiting_work(self) -> None:
        """Closing an item hands the freed slot to the head of the queue."""
        router = make_router("ana")
        router.assign(make_item("c1"))
        router.assign(make_item("c2"))

        decisions = router.close("c1")

        assert ([assigned("c2", "ana")], ("c2",), ()) == (
            decisions,
            router.assigned_to("ana"),
            router.queued("billing", "chat"),
        )

    def test_close_by_an_away_agent_dispatches_nothing(self) -> None:
        """A slot freed by an away agent stays empty; the work keeps waiting."""
        router = make_router("ana")
        router.assign(make_item("c1"))
        router.assign(make_item("c2"))
        router.set_presence("ana", "away")

        decisions = router.close("c1")

        assert ([], "queued") == (decisions, router.status("c2").state)

    def test_close_on_a_switched_off_channel_dispatches_nothing(self) -> None:
        """A slot freed on a channel switched off stays empty."""
        router = make_router("ana")
        router.assign(make_item("c1"))
        router.assign(make_item("c2"))
        router.set_channel("ana", "chat", enabled=False)

        decisions = router.close("c1")

        assert ([], "queued") == (decisions, router.status("c2").state)

    def test_close_frees_only_its_own_channel(self) -> None:
        """Closing a ticket does not move waiting chats."""
        router = make_router(make_agent("ana", capacity={"chat": 1, "ticket": 1}))
        router.assign(make_item("c1"))
        router.assign(make_item("t1", channel="ticket"))
        router.assign(make_item("c2"))

        decisions = router.close("t1")

        assert ([], "queued") == (decisions, router.status("c2").state)

    def test_close_in_one_department_serves_another(self) -> None:
        """A slot freed by a sales item takes waiting billing work of the same channel."""
        router = make_router(
            make_agent("ana", departments={"billing": ["chat"], "sales": ["chat"]}),
            departments=["billing", "sales"],
        )
        router.assign(make_item("s1", department="sales"))
        router.assign(make_item("b1"))

        decisions = router.close("s1")

        assert [assigned("b1", "ana")] == decisions

    def test_online_dispatches_on_every_channel(self) -> None:
        """Coming online fills free slots on each channel the agent serves."""
        router = make_router(make_agent("ana", capacity={"chat": 1, "ticket": 2}), online=False)
        for item in [
            make_item("t1", channel="ticket"),
            make_item("c1"),
            make_item("c2"),
            make_item("t2", channel="ticket"),
        ]:
            router.assign(item)

        decisions = router.set_presence("ana", "online")

        assert [
            assigned("t1", "ana", channel="ticket"),
            assigned("c1", "ana"),
            assigned("t2", "ana", channel="ticket"),
        ] == decisions
        assert ("c2",) == router.queued("billing", "chat")

    def test_channel_on_dispatches(self) -> None:
        """Switching a channel back on takes waiting work at once."""
        router = make_router("ana")
        router.set_channel("ana", "chat", enabled=False)
        router.assign(make_item("c1"))

        decisions = router.set_channel("ana", "chat", enabled=True)

        assert [assigned("c1", "ana")] == decisions

    def test_channel_on_while_away_dispatches_nothing(self) -> None:
        """Switching a channel on does not override presence."""
        router = make_router("ana")
        router.set_presence("ana", "away")
        router.set_channel("ana", "chat", enabled=False)
        router.assign(make_item("c1"))

        decisions = router.set_channel("ana", "chat", enabled=True)

        assert ([], "queued") == (decisions, router.status("c1").state)

    def test_raised_limit_dispatches_immediately(self) -> None:
        """Raising a limit fills the new slots at once and returns those decisions."""
        router = make_router("ana")
        for n in range(4):
            router.assign(make_item(f"c{n}"))

        decisions = router.set_capacity("ana", "chat", 3)

        assert ([assigned("c1", "ana"), assigned("c2", "ana")], ("c3",)) == (
            decisions,
            router.queued("billing", "chat"),
        )

    def test_update_agent_joining_a_department_dispatches(self) -> None:
        """An agent added to a department by update_agent takes its waiting work."""
        router = make_router("ana", departments=["billing", "sales"])
        router.assign(make_item("s1", department="sales"))

        decisions = router.update_agent(
            make_agent("ana", departments={"billing": ["chat"], "sales": ["chat"]})
        )

        assert [assigned("s1", "ana", department="sales")] == decisions

    def test_work_conservation_after_each_call(self) -> None:
        """After every call, no item waits while an eligible agent has a free slot."""
        router = make_router(make_agent("ana", capacity={"chat": 2}), "bob", online=False)
        calls: list[Callable[[], object]] = [
            lambda: router.assign(make_item("c1")),
            lambda: router.assign(make_item("c2")),
            lambda: router.set_presence("ana", "online"),
            lambda: router.assign(make_item("c3")),
            lambda: router.set_presence("bob", "online"),
            lambda: router.close("c1"),
            lambda: router.set_capacity("ana", "chat", 1),
            lambda: router.assign(make_item("c4")),
            lambda: router.close("c2"),
        ]

        for call in calls:
            call()
            router._check()

        assert (("c3",), ("c4",)) == (router.assigned_to("bob"), router.assigned_to("ana"))


class TestRequeue:
    def test_remove_agent_requeues_ahead_of_later_arrivals(self) -> None:
        """Work taken from a removed agent goes back in line at its original arrival."""
        router = make_router("ana", "bob")
        router.assign(make_item("c1"))
        router.assign(make_item("c2"))
        router.assign(make_item("c3"))
        router.assign(make_item("c4"))

        decisions = router.remove_agent("bob", requeue=True)

        reason = (
            "the one agent serving 'chat' in 'billing' is full, away, offline or off that channel"
        )
        assert [
            Decision("c2", "queued", None, "billing", "chat", "least_busy", 1, reason)
        ] == decisions
        assert ("c2", "c3", "c4") == router.queued("billing", "chat")

    def test_requeued_work_is_next_for_a_freed_slot(self) -> None:
        """A requeued item leaves the queue before items that arrived after it."""
        router = make_router("ana", "bob")
        for n in range(1, 5):
            router.assign(make_item(f"c{n}"))
        router.remove_agent("bob", requeue=True)

        decisions = router.close("c1")

        assert [assigned("c2", "ana")] == decisions

    def test_remove_agent_requeue_dispatches_to_a_free_agent(self) -> None:
        """Requeued work goes straight to a free agent when there is one."""
        router = make_router("ana", make_agent("bob", capacity={"chat": 2}))
        router.assign(make_item("c1"))
        router.assign(make_item("c2"))

        decisions = router.remove_agent("ana", requeue=True)

        assert [assigned("c1", "bob")] == decisions
        assert (("c2", "c1"), 2) == (router.assigned_to("bob"), router.load("bob"))

    def test_requeue_keeps_arrival_time_and_order_of_several_items(self) -> None:
        """Several requeued items keep their relative order and their arrival stamps."""
        router = make_router(make_agent("ana", capacity={"chat": 3}))
        for n in range(1, 6):
            router.assign(make_item(f"c{n}"))
        arrivals = {f"c{n}": router.status(f"c{n}").arrived_at for n in range(1, 6)}

        decisions = router.remove_agent("ana", requeue=True)

        assert [("c1", 1), ("c2", 2), ("c3", 3)] == [(d.item, d.position) for d in decisions]
        assert ("c1", "c2", "c3", "c4", "c5") == router.queued("billing", "chat")
        assert arrivals == {f"c{n}": router.status(f"c{n}").arrived_at for n in range(1, 6)}

    def test_update_agent_requeue_moves_only_stranded_work(self) -> None:
        """update_agent(requeue=True) requeues work it takes away and keeps the rest."""
        router = make_router(
            make_agent("ana", capacity={"chat": 1, "ticket": 1}),
            make_agent("bob", capacity={"ticket": 1}),
        )
        router.set_presence("bob", "away")
        router.assign(make_item("c1"))
        router.assign(make_item("t1", channel="ticket"))
        router.set_presence("bob", "online")

        decisions = router.update_agent(make_agent("ana", capacity={"chat": 1}), requeue=True)

        assert [assigned("t1", "bob", channel="ticket")] == decisions
        assert (("c1",), ("t1",)) == (router.assigned_to("ana"), router.assigned_to("bob"))

    def test_update_agent_requeue_reports_work_still_waiting(self) -> None:
        """Requeued work nobody can take comes back as a queued decision with its place."""
        router = make_router(
            make_agent("ana", capacity={"chat": 1}, departments={"billing": ["chat"]}),
            departments=["billing", "sales"],
        )
        router.assign(make_item("c1"))
        router.assign(make_item("c2"))

        decisions = router.update_agent(
            make_agent("ana", capacity={"chat": 1}, departments={"sales": ["chat"]}),
            requeue=True,
        )

        assert [("c1", "queued", 1)] == [(d.item, d.status, d.position) for d in decisions]
        assert ("c1", "c2") == router.queued("billing", "chat")
        router._check()

    def test_update_agent_requeue_keeps_arrival_order(self) -> None:
        """Work taken away by update_agent goes back ahead of later arrivals."""
        router = make_router(make_agent("ana", capacity={"chat": 1, "ticket": 1}), "bob")
        router.assign(make_item("c1"))
        router.assign(make_item("c2"))
        router.assign(make_item("c3"))
        first = router.assigned_to("ana")

        router.update_agent(make_agent("ana", capacity={"ticket": 1}), requeue=True)
        decisions = router.close("c2")

        assert (("c1",), [assigned("c1", "bob")]) == (first, decisions)
        assert ("c3",) == router.queued("billing", "chat")

    def test_changed_priority_reranks_without_moving_work(self) -> None:
        """A priority change moves nothing already assigned and returns no decisions."""
        router = make_router("ana", "bob", strategy="priority")
        router.assign(make_item("c1"))

        decisions = router.update_agent(attrs.evolve(router.agent("bob"), priority=1))

        assert ([], ("c1",)) == (decisions, router.assigned_to("ana"))


def test_a_drain_skips_a_line_whose_only_free_agent_was_just_booked() -> None:
    """One agent serving two departments takes the more important item; the other waits."""
    both = {"sales": ["chat"], "support": ["chat"]}
    router = make_router(
        make_agent("ana", departments=both), departments=["sales", "support"], online=False
    )
    router.assign(make_item("s1", department="sales", priority=2))
    router.assign(make_item("h1", department="support", priority=1))

    decisions = router.set_presence("ana", "online")

    assert [("h1", "ana")] == [(d.item, d.agent) for d in decisions]
    assert ("s1",) == router.queued("sales", "chat")
