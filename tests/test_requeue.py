"""
requeue() and transfer(route=True): putting work back into routing.
"""

from __future__ import annotations

import pytest

from agentroute import (
    Decision,
    InvalidStateError,
    InvalidValueError,
    ItemClosedError,
    ManualClock,
    PermissionDeniedError,
    Router,
)
from tests.generators import make_admin, make_agent, make_item, make_router, record_events


def three_agents() -> Router:
    return make_router("ana", "bob", "cy")


class TestRequeue:
    def test_goes_to_another_free_agent(self) -> None:
        """The strategy picks again, leaving out the agent who had it."""
        router = three_agents()
        router.assign(make_item("c1"))

        decisions = router.requeue("c1", reason="needs Spanish")

        assert [Decision("c1", "assigned", "bob", "billing", "chat", "least_busy")] == decisions
        last = router.history("c1")[-1]
        assert ("requeued", "ana", "bob", "least_busy", "needs Spanish") == (
            last.action,
            last.from_agent,
            last.to_agent,
            last.by,
            last.reason,
        )

    def test_waits_in_line_when_nobody_else_is_free_and_the_slot_takes_older_work(self) -> None:
        """With no one else free it waits by its original arrival; the freed slot drains."""
        router = make_router("ana", "bob")
        for n in range(4):
            router.assign(make_item(f"c{n}", priority=1 if n == 2 else 50))

        decisions = router.requeue("c0")

        assert [("c0", "queued"), ("c2", "assigned")] == [(d.item, d.status) for d in decisions]
        assert ("queued", None) == (router.status("c0").state, router.owner("c0").agent)
        assert ["c0", "c3"] == list(router.queued("billing", "chat"))

    def test_comes_straight_back_when_it_is_next_in_line(self) -> None:
        """When nobody else can take it and nothing older waits, the slot takes it back."""
        router = make_router("ana")
        router.assign(make_item("c1"))

        decisions = router.requeue("c1")

        assert [Decision("c1", "assigned", "ana", "billing", "chat", "least_busy")] == decisions
        assert ["requeued", "assigned"] == [e.action for e in router.history("c1")[-2:]]

    def test_in_a_pull_department_it_waits_for_a_claim(self) -> None:
        """A pull department's item goes back to the pull line, unassigned."""
        router = Router(clock=ManualClock(0.0))
        router.add_department("desk", mode="pull")
        for name in ("ana", "bob"):
            router.add_agent(make_agent(name, departments={"desk": ["chat"]}))
            router.set_presence(name, "online")
        router.assign(make_item("t1", department="desk"))
        router.claim("t1", "ana")

        decisions = router.requeue("t1")

        assert [("t1", "queued", "pull")] == [(d.item, d.status, d.strategy) for d in decisions]
        assert router.status("t1").pull

    @pytest.mark.parametrize(
        ("state", "error"), [("queued", InvalidStateError), ("closed", ItemClosedError)]
    )
    def test_only_assigned_items(self, state: str, error: type[Exception]) -> None:
        """A waiting or closed item cannot be requeued."""
        router = make_router("ana", online=False)
        router.assign(make_item("c1"))
        if state == "closed":
            router.close("c1")

        with pytest.raises(error, match="requeue"):
            router.requeue("c1")

    def test_an_agent_may_requeue_only_their_own(self) -> None:
        """A plain agent requeues items they hold; an administrator any."""
        router = make_router("ana", "bob", make_admin("boss"))
        router.assign(make_item("c1"))

        with pytest.raises(PermissionDeniedError, match="'bob' may not requeue an item of 'ana'"):
            router.requeue("c1", actor="bob")
        router.requeue("c1", actor="boss")

        assert ("boss", "administrator") == (
            router.history("c1")[-1].by,
            router.history("c1")[-1].by_kind,
        )

    def test_a_reason_must_be_text(self) -> None:
        """reason= is a string or None."""
        router = three_agents()
        router.assign(make_item("c1"))

        with pytest.raises(InvalidValueError, match="reason"):
            router.requeue("c1", reason=7)  # type: ignore[arg-type]


class TestRouteOnTransfer:
    def test_a_transfer_to_a_department_is_routed_at_once(self) -> None:
        """route=True lets the department's strategy pick a free member now."""
        router = make_router(
            "ana",
            make_agent("sam", departments={"sales": ["chat"]}),
            departments=["billing", "sales"],
        )
        router.assign(make_item("c1"))
        events = record_events(router, ["transferred", "assigned"])

        decisions = router.transfer("c1", to_department="sales", route=True, actor="ana")

        assert [Decision("c1", "assigned", "sam", "sales", "chat", "least_busy")] == decisions
        assert ["transferred", "assigned"] == [e.kind for e in events]
        last = router.history("c1")[-1]
        assert ("transferred", "billing", "sales", "ana", "sam") == (
            last.action,
            last.from_department,
            last.to_department,
            last.from_agent,
            last.to_agent,
        )

    def test_with_nobody_free_it_waits_as_pushed_work(self) -> None:
        """Routed work that finds no free member waits to be pushed, not pulled."""
        router = make_router("ana", departments=["billing", "sales"])
        router.assign(make_item("c1"))

        decisions = router.transfer("c1", to_department="sales", route=True)

        assert ("queued", "least_busy") == (decisions[0].status, decisions[0].strategy)
        assert not router.status("c1").pull

    def test_route_and_to_agent_do_not_mix(self) -> None:
        """route=True is for department transfers."""
        router = make_router("ana", "bob")
        router.assign(make_item("c1"))

        with pytest.raises(InvalidValueError, match="omit to_agent"):
            router.transfer("c1", to_agent="bob", route=True)
        with pytest.raises(InvalidValueError, match="route"):
            router.transfer("c1", to_department="billing", route=1)  # type: ignore[arg-type]

    def test_a_sole_agent_gets_a_department_transfer_at_once(self) -> None:
        """With one agent, a department transfer is theirs at once: one decision, none stale."""
        router = make_router(
            make_agent("ana", departments={"billing": ["chat"], "sales": ["chat"]}),
            departments=["billing", "sales"],
        )
        router.assign(make_item("c1"))

        decisions = router.transfer("c1", to_department="sales")

        assert [Decision("c1", "assigned", "ana", "sales", "chat", "transfer")] == decisions


def test_requeue_from_an_agent_who_went_away() -> None:
    """An away agent's item goes to someone free; their slot takes nothing (they are away)."""
    router = three_agents()
    router.assign(make_item("c1"))
    router.set_presence("ana", "away")

    decisions = router.requeue("c1")

    assert [("c1", "bob")] == [(d.item, d.agent) for d in decisions]
