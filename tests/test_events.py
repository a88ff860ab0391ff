from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest

from agentroute import (
    AgentrouteError,
    Decision,
    Event,
    HandlerError,
    InvalidValueError,
    ManualClock,
    NotEligibleError,
    Router,
    Subscription,
)
from agentroute.events import (
    EVENT_KINDS,
    AgentPresenceChanged,
    CustomerReplied,
    ItemAssigned,
    ItemClaimed,
    ItemClosed,
    ItemQueued,
    ItemReopened,
    ItemTransferred,
    NewItemInDepartment,
)
from tests.generators import make_agent, make_item, make_router, observe, record_events

AT = 1010.0
"""Clock time of every call under test: desk() starts at 1000, tests advance 10 s."""


def desk(clock: ManualClock) -> Router:
    """
    Build billing (push) with ana and bob, sales (push) with bob, help (pull) with ana.

    Everyone has one chat slot.

    c1 went to ana at t=1000; bob is free.
    """
    router = make_router(departments=["billing", "sales"], clock=clock)
    router.add_department("help", mode="pull")
    for agent in [
        make_agent("ana", departments={"billing": ["chat"], "help": ["chat"]}),
        make_agent("bob", departments={"billing": ["chat"], "sales": ["chat"]}),
    ]:
        router.add_agent(agent)
        router.set_presence(agent.id, "online")
    router.assign(make_item("c1"))
    return router


def nothing(router: Router) -> None:
    """Leave desk() as it is."""


def fill_billing(router: Router) -> None:
    """Give bob c2 and queue c3, so billing is full with one item waiting."""
    router.assign(make_item("c2"))
    router.assign(make_item("c3"))


def close_c1(router: Router) -> None:
    """Close ana's c1; she stays its owner."""
    router.close("c1")


def ana_away_and_free(router: Router) -> None:
    """Fill billing, then set ana away and close her c1, so c3 waits for her return."""
    fill_billing(router)
    router.set_presence("ana", "away")
    router.close("c1")


def closed_and_full(router: Router) -> None:
    """Close ana's c1, then fill billing again, so a reopened c1 has to wait."""
    close_c1(router)
    fill_billing(router)
    router.assign(make_item("c4"))


def queue_h1(router: Router) -> None:
    """Close c1 and put h1 in help's pull line, so ana is free to pull it."""
    router.close("c1")
    router.assign(make_item("h1", department="help"))


Case = tuple[Callable[[Router], object], Callable[[Router], object], list[Event]]

CASES: dict[str, Case] = {
    "assign-assigned": (
        nothing,
        lambda r: r.assign(make_item("c2")),
        [
            NewItemInDepartment(AT, "c2", "billing", "chat"),
            ItemAssigned(AT, "c2", "bob", "billing", "chat", "least_busy"),
        ],
    ),
    "assign-queued": (
        fill_billing,
        lambda r: r.assign(make_item("c4")),
        [
            NewItemInDepartment(AT, "c4", "billing", "chat"),
            ItemQueued(AT, "c4", "billing", "chat", pull=False),
        ],
    ),
    "assign-pull": (
        nothing,
        lambda r: r.assign(make_item("h1", department="help")),
        [
            NewItemInDepartment(AT, "h1", "help", "chat"),
            ItemQueued(AT, "h1", "help", "chat", pull=True),
        ],
    ),
    "close": (
        nothing,
        lambda r: r.close("c1"),
        [ItemClosed(AT, "c1", "ana", "billing")],
    ),
    "close-dispatches": (
        fill_billing,
        lambda r: r.close("c1"),
        [
            ItemClosed(AT, "c1", "ana", "billing"),
            ItemAssigned(AT, "c3", "ana", "billing", "chat", "least_busy"),
        ],
    ),
    "set_capacity-dispatches": (
        fill_billing,
        lambda r: r.set_capacity("ana", "chat", 2),
        [ItemAssigned(AT, "c3", "ana", "billing", "chat", "least_busy")],
    ),
    "set_presence-dispatches": (
        ana_away_and_free,
        lambda r: r.set_presence("ana", "online"),
        [
            AgentPresenceChanged(AT, "ana", "online", "away"),
            ItemAssigned(AT, "c3", "ana", "billing", "chat", "least_busy"),
        ],
    ),
    "transfer-to-agent": (
        nothing,
        lambda r: r.transfer("c1", to_agent="bob", reason="knows billing"),
        [
            ItemTransferred(
                AT, "c1", "ana", "bob", "billing", "billing", "system", "knows billing"
            ),
            ItemAssigned(AT, "c1", "bob", "billing", "chat", "system"),
        ],
    ),
    "transfer-by-agent": (
        nothing,
        lambda r: r.transfer("c1", to_agent="bob", to_department="sales", actor="ana"),
        [
            ItemTransferred(AT, "c1", "ana", "bob", "billing", "sales", "ana", None),
            ItemAssigned(AT, "c1", "bob", "sales", "chat", "ana"),
        ],
    ),
    "claim": (
        queue_h1,
        lambda r: r.claim("h1", "ana"),
        [
            ItemAssigned(AT, "h1", "ana", "help", "chat", "ana"),
            ItemClaimed(AT, "h1", "ana", "help"),
        ],
    ),
    "next_for": (
        queue_h1,
        lambda r: r.next_for("ana"),
        [
            ItemAssigned(AT, "h1", "ana", "help", "chat", "ana"),
            ItemClaimed(AT, "h1", "ana", "help"),
        ],
    ),
    "reopen": (
        close_c1,
        lambda r: r.reopen("c1"),
        [
            ItemReopened(AT, "c1", "billing"),
            ItemAssigned(AT, "c1", "ana", "billing", "chat", "system"),
        ],
    ),
    "reopen-queued": (
        closed_and_full,
        lambda r: r.reopen("c1"),
        [
            ItemReopened(AT, "c1", "billing"),
            ItemQueued(AT, "c1", "billing", "chat", pull=False),
        ],
    ),
    "reply-open": (
        nothing,
        lambda r: r.reply("c1"),
        [CustomerReplied(AT, "c1", "ana", "billing")],
    ),
    "reply-closed": (
        close_c1,
        lambda r: r.reply("c1"),
        [
            ItemReopened(AT, "c1", "billing"),
            ItemAssigned(AT, "c1", "ana", "billing", "chat", "system"),
            CustomerReplied(AT, "c1", "ana", "billing"),
        ],
    ),
    "reply-waiting": (
        fill_billing,
        lambda r: r.reply("c3"),
        [CustomerReplied(AT, "c3", None, "billing")],
    ),
}


def run_case(name: str, clock: ManualClock, kinds: list[str] | None = None) -> list[Event]:
    """Prepare desk() for case *name*, subscribe, advance 10 s, make the call; return its events."""
    prepare, call, _ = CASES[name]
    router = desk(clock)
    prepare(router)
    events = record_events(router, kinds)
    clock.advance(10)
    call(router)
    return events


class TestEmitted:
    @pytest.mark.parametrize("name", list(CASES))
    def test_each_call_emits_what_happened_in_order(self, name: str, clock: ManualClock) -> None:
        """Every call delivers the events of its change, in the order they happened."""
        events = run_case(name, clock)

        assert CASES[name][2] == events

    def test_transfer_to_department_announces_the_item_there(self, clock: ManualClock) -> None:
        """A transfer to a department says it was transferred, queued to pull, and is new there."""
        router = desk(clock)
        events = record_events(router)
        clock.advance(10)

        router.transfer("c1", to_department="sales", reason="wrong team")

        assert [
            ItemQueued(AT, "c1", "sales", "chat", pull=True),
            ItemTransferred(AT, "c1", "ana", None, "billing", "sales", "system", "wrong team"),
            NewItemInDepartment(AT, "c1", "sales", "chat"),
        ] == sorted(
            events, key=lambda event: ["queued", "transferred", "new_item"].index(event.kind)
        )

    def test_close_with_unassign_reports_no_agent(self, clock: ManualClock) -> None:
        """With unassign_on_close, the closed event names no owner."""
        router = Router(clock=clock)
        router.add_department("billing", unassign_on_close=True)
        router.add_agent(make_agent("ana"))
        router.set_presence("ana", "online")
        router.assign(make_item("c1"))
        events = record_events(router)

        router.close("c1")

        assert [ItemClosed(1000.0, "c1", None, "billing")] == events

    def test_new_item_is_announced_before_it_queues(self, clock: ManualClock) -> None:
        """As with assign(), 'new_item' in a department comes before the item queues there."""
        router = desk(clock)
        events = record_events(router, ["new_item", "queued"])

        router.transfer("c1", to_department="sales")

        assert ["new_item", "queued"] == [event.kind for event in events]

    @pytest.mark.parametrize(
        "call",
        [
            lambda r: r.remove_agent("ana", requeue=True),
            lambda r: r.update_agent(make_agent("ana", departments={}), requeue=True),
        ],
        ids=["remove_agent", "update_agent"],
    )
    def test_requeued_work_is_announced(
        self, call: Callable[[Router], object], clock: ManualClock
    ) -> None:
        """Work put back in line when its agent leaves is reported like any other queued item."""
        router = desk(clock)
        fill_billing(router)
        events = record_events(router)

        call(router)

        assert ItemQueued(1000.0, "c1", "billing", "chat", pull=False) in events

    def test_failing_call_emits_nothing(self, clock: ManualClock) -> None:
        """A refused call delivers no events, now or with the next call."""
        router = desk(clock)
        events = record_events(router)
        before = observe(router, ["c1"])

        with pytest.raises(NotEligibleError):
            router.transfer("c1", to_agent="bob", to_department="help")

        assert ([], before) == (events, observe(router, ["c1"]))
        router.close("c1")
        assert [ItemClosed(1000.0, "c1", "ana", "billing")] == events

    def test_handler_sees_the_router_after_the_whole_call(self, clock: ManualClock) -> None:
        """Events are delivered once the change is complete, so even the first sees the outcome."""
        router = desk(clock)
        seen: list[tuple[str, str]] = []
        router.subscribe(
            lambda event: seen.append((event.kind, router.status(event.item).state)),  # type: ignore[union-attr]
            ["new_item", "assigned"],
        )

        router.assign(make_item("c2"))

        assert [("new_item", "assigned"), ("assigned", "assigned")] == seen


class TestSubscribe:
    def test_kinds_filter_what_a_handler_gets(self, clock: ManualClock) -> None:
        """A handler subscribed to some kinds gets only those."""
        events = run_case("reply-closed", clock, kinds=["reopened", "customer_replied"])

        assert [
            ItemReopened(AT, "c1", "billing"),
            CustomerReplied(AT, "c1", "ana", "billing"),
        ] == events

    def test_a_single_kind_may_be_a_string(self, clock: ManualClock) -> None:
        """kinds="assigned" means the one kind, not its letters."""
        router = desk(clock)
        events: list[Event] = []
        subscription = router.subscribe(events.append, "assigned")

        router.assign(make_item("c2"))

        assert frozenset({"assigned"}) == subscription.kinds
        assert ["assigned"] == [event.kind for event in events]

    def test_no_kinds_means_every_kind(self, clock: ManualClock) -> None:
        """Without kinds a subscription covers every event kind."""
        router = desk(clock)

        subscription = router.subscribe(print)

        assert frozenset(EVENT_KINDS) == subscription.kinds

    def test_empty_kinds_means_nothing(self, clock: ManualClock) -> None:
        """An empty list of kinds subscribes to nothing."""
        router = desk(clock)
        events = record_events(router, [])

        router.assign(make_item("c2"))

        assert [] == events

    def test_every_subscriber_gets_every_event(self, clock: ManualClock) -> None:
        """Two subscribers both get the call's events, each in order."""
        router = desk(clock)
        first, second = record_events(router), record_events(router)

        router.reply("c1")

        assert [CustomerReplied(1000.0, "c1", "ana", "billing")] * 2 == [*first, *second]

    def test_cancel_stops_deliveries(self, clock: ManualClock) -> None:
        """After cancel() a handler gets nothing more; cancelling twice is harmless."""
        router = desk(clock)
        events: list[Event] = []
        subscription = router.subscribe(events.append)
        router.reply("c1")

        subscription.cancel()
        subscription.cancel()
        router.reply("c1")

        assert 1 == len(events)

    def test_cancel_leaves_other_subscribers(self, clock: ManualClock) -> None:
        """Cancelling one subscription keeps the others, even for the same handler."""
        router = desk(clock)
        events: list[Event] = []
        router.subscribe(events.append, ["customer_replied"])
        router.subscribe(events.append, ["closed"]).cancel()

        router.reply("c1")
        router.close("c1")

        assert ["customer_replied"] == [event.kind for event in events]

    def test_cancel_inside_a_handler_stops_the_rest_of_the_call(self, clock: ManualClock) -> None:
        """A handler that cancels itself gets none of the call's later events."""
        router = desk(clock)
        kinds: list[str] = []
        subscription: list[Subscription] = []

        def once(event: Event) -> None:
            kinds.append(event.kind)
            subscription[0].cancel()

        subscription.append(router.subscribe(once))

        router.assign(make_item("c2"))

        assert ["new_item"] == kinds

    def test_subscription_repr_names_handler_and_kinds(self) -> None:
        """A subscription shows its handler and its sorted kinds."""
        router = Router(clock=ManualClock())

        subscription = router.subscribe(print, ["queued", "assigned"])

        assert "Subscription(<built-in function print>, kinds=['assigned', 'queued'])" == repr(
            subscription
        )

    def test_handler_must_be_callable(self, clock: ManualClock) -> None:
        """A handler that cannot be called is refused with InvalidValueError on 'handler'."""
        router = desk(clock)
        before = observe(router, ["c1"])

        with pytest.raises(InvalidValueError, match="must be callable, got 'log'") as info:
            router.subscribe("log")  # type: ignore[arg-type]

        assert "handler" == info.value.path
        assert before == observe(router, ["c1"])

    @pytest.mark.parametrize("kinds", [[5, "asigned"], 5, [["assigned"]]], ids=str)
    def test_kinds_of_the_wrong_type_are_refused(self, kinds: object) -> None:
        """Kinds that are not strings raise InvalidValueError, not an internal TypeError."""
        router = Router(clock=ManualClock())

        with pytest.raises(InvalidValueError):
            router.subscribe(print, kinds)  # type: ignore[arg-type]

    def test_event_kinds_name_their_classes(self) -> None:
        """EVENT_KINDS maps each kind string to the event class that carries it."""
        kinds = {kind: cls.kind for kind, cls in EVENT_KINDS.items()}

        assert {
            "new_item": "new_item",
            "queued": "queued",
            "offered": "offered",
            "offer_withdrawn": "offer_withdrawn",
            "offer_missed": "offer_missed",
            "assigned": "assigned",
            "transferred": "transferred",
            "claimed": "claimed",
            "closed": "closed",
            "reopened": "reopened",
            "customer_replied": "customer_replied",
            "presence": "presence",
            "break_started": "break_started",
            "break_ended": "break_ended",
            "shift": "shift",
            "sla_warning": "sla_warning",
            "sla_breach": "sla_breach",
            "duty": "duty",
        } == kinds

    def test_events_are_immutable(self, clock: ManualClock) -> None:
        """Events are frozen; a handler cannot change what others receive."""
        event = ItemClosed(1000.0, "c1", "ana", "billing")

        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            event.agent = "bob"  # type: ignore[misc]


def boom(event: Event) -> None:
    """A handler that always fails, naming the event."""
    raise RuntimeError(f"{event.kind} {getattr(event, 'item', None)}")


class TestHandlerErrors:
    def test_error_holds_the_result_and_the_change_stands(self, clock: ManualClock) -> None:
        """A raising handler makes the call raise HandlerError; the change and result stand."""
        router = desk(clock)
        router.subscribe(boom, ["assigned"])

        with pytest.raises(HandlerError, match="the call completed") as info:
            router.assign(make_item("c2"))

        assert (
            Decision("c2", "assigned", "bob", "billing", "chat", "least_busy") == info.value.result
        )
        assert ("assigned", "bob") == (router.status("c2").state, router.status("c2").agent)
        assert ["assigned c2"] == [str(error) for error in info.value.exceptions]

    def test_every_handler_still_gets_every_event(self, clock: ManualClock) -> None:
        """Handlers after a failing one, and later events, are all still delivered."""
        router = desk(clock)
        fill_billing(router)
        failing: list[str] = []

        def fail(event: Event) -> None:
            failing.append(event.kind)
            raise ValueError(event.kind)

        router.subscribe(fail)
        events = record_events(router)

        with pytest.raises(HandlerError) as info:
            router.close("c1")

        assert 2 == len(events)
        assert [event.kind for event in events] == failing
        assert [ValueError] * 2 == [type(error) for error in info.value.exceptions]

    def test_list_results_are_kept(self, clock: ManualClock) -> None:
        """A call returning decisions keeps the whole list in .result."""
        router = desk(clock)
        fill_billing(router)
        router.subscribe(boom)

        with pytest.raises(HandlerError) as info:
            router.close("c1")

        assert [Decision("c3", "assigned", "ana", "billing", "chat", "least_busy")] == (
            info.value.result
        )
        assert ("closed", ("c3",)) == (router.status("c1").state, router.assigned_to("ana"))

    def test_error_is_an_agentroute_error_and_an_exception_group(self, clock: ManualClock) -> None:
        """HandlerError can be caught as AgentrouteError or split like an ExceptionGroup."""
        router = desk(clock)
        router.subscribe(boom)

        with pytest.raises(AgentrouteError) as info:
            router.reply("c1")

        error = info.value
        assert (True, True) == (isinstance(error, HandlerError), isinstance(error, ExceptionGroup))
        assert isinstance(error, HandlerError)
        matched, rest = error.split(RuntimeError)
        assert (HandlerError, None) == (type(matched), rest)
        assert [] == getattr(matched, "result", None)

    def test_next_call_is_not_affected(self, clock: ManualClock) -> None:
        """After a HandlerError, the next call delivers only its own events."""
        router = desk(clock)
        subscription = router.subscribe(boom)
        with pytest.raises(HandlerError):
            router.reply("c1")
        subscription.cancel()
        events = record_events(router)

        router.close("c1")

        assert [ItemClosed(1000.0, "c1", "ana", "billing")] == events


class TestReentrantHandlers:
    def test_handler_may_call_back_into_the_router(self, clock: ManualClock) -> None:
        """A handler that pulls new work for an agent takes effect, and its events are delivered."""
        router = desk(clock)
        router.close("c1")

        def pull_at_once(event: Event) -> None:
            if isinstance(event, ItemQueued) and event.pull:
                router.next_for("ana")

        router.subscribe(pull_at_once, ["queued"])
        events = record_events(router)

        decision = router.assign(make_item("h1", department="help"))

        assert ("queued", "assigned", "ana") == (
            decision.status,
            router.status("h1").state,
            router.status("h1").agent,
        )
        assert {"new_item", "queued", "assigned", "claimed"} == {event.kind for event in events}

    def test_other_subscribers_still_get_events_in_order(self, clock: ManualClock) -> None:
        """Events of a call made by a handler come after the events of the call that caused it."""
        router = desk(clock)
        router.close("c1")

        def pull_at_once(event: Event) -> None:
            if isinstance(event, ItemQueued) and event.pull:
                router.next_for("ana")

        router.subscribe(pull_at_once)
        events = record_events(router)

        router.assign(make_item("h1", department="help"))

        assert ["new_item", "queued", "assigned", "claimed"] == [event.kind for event in events]

    def test_handler_errors_of_a_nested_call_surface_from_the_outer_call(
        self, clock: ManualClock
    ) -> None:
        """A handler's call into the router queues its events; the outer call reports all errors."""
        router = desk(clock)
        nested: list[BaseException] = []

        def reply_to_new(event: Event) -> None:
            if isinstance(event, NewItemInDepartment) and event.item == "c2":
                try:
                    router.reply("c1")
                except HandlerError as error:
                    nested.extend(error.exceptions)

        router.subscribe(reply_to_new, ["new_item"])
        router.subscribe(boom, ["assigned", "customer_replied"])
        outer: list[BaseException] = []

        try:
            router.assign(make_item("c2"))
        except HandlerError as error:
            outer.extend(error.exceptions)

        assert ([], ["assigned c2", "customer_replied c1"]) == (
            [str(error) for error in nested],
            [str(error) for error in outer],
        )
