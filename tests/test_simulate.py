from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentroute import InvalidDataError, InvalidValueError
from agentroute.simulate import Report, Scenario, compare, simulate, table
from agentroute.simulate.engine import Run, with_strategy
from agentroute.simulate.report import coefficient_of_variation, gini, percentile
from agentroute.simulate.scenario import parse
from tests.generators import chat_desk


def helpdesk(**changes: Any) -> dict[str, Any]:
    """Return a small scenario: two chat agents of two slots each, 30 chats an hour for 4 hours."""
    scenario: dict[str, Any] = {
        "router": {
            "departments": {"support": {"strategies": {"chat": "least_busy"}}},
            "agents": {
                name: {"capacity": {"chat": 2}, "departments": {"support": ["chat"]}}
                for name in ("ana", "bob")
            },
        },
        "arrivals": [{"department": "support", "channel": "chat", "rate_per_hour": 30}],
        "handling": {"chat": {"mean_s": 300}},
        "duration_s": 4 * 3600,
        "warmup_s": 1800,
    }
    scenario.update(changes)
    return scenario


def test_every_offered_item_is_accounted_for() -> None:
    """Offered items end handled, abandoned or unanswered; a calm queue answers all."""
    report = simulate(helpdesk(), seed=3)

    assert report.offered > 80
    assert report.offered == report.handled + report.abandoned + report.unanswered
    assert 0 == report.unanswered
    assert 0 == report.in_service
    assert "In service" not in str(report)
    assert report.offered == sum(report.handled_by.values())
    assert 0.0 < report.occupancy < 1.0
    assert 0.0 < report.service_level <= 1.0


def test_same_seed_same_report_bit_for_bit() -> None:
    """One scenario and seed give identical JSON; another seed gives another run."""
    scenario = helpdesk(patience={"chat": {"mean_s": 60}}, sla_target_s=5)

    first = json.dumps(simulate(scenario, seed=11).to_dict(), sort_keys=True)
    second = json.dumps(simulate(scenario, seed=11).to_dict(), sort_keys=True)
    other = json.dumps(simulate(scenario, seed=12).to_dict(), sort_keys=True)

    assert first == second
    assert first != other


def test_same_report_in_another_process() -> None:
    """Another process, with another string hash seed, gives the same report."""
    scenario = helpdesk(
        arrivals=[
            {"department": "support", "channel": "chat", "rate_per_hour": 40, "customers": 9}
        ],
        patience={"chat": {"mean_s": 90}},
    )
    scenario["router"]["departments"]["support"]["sticky"] = True
    code = (
        "import json, sys; from agentroute.simulate import simulate; "
        "report = simulate(json.loads(sys.stdin.read()), seed=4); "
        "print(json.dumps(report.to_dict(), sort_keys=True))"
    )
    environment = {**os.environ, "PYTHONHASHSEED": "12345"}

    here = json.dumps(simulate(scenario, seed=4).to_dict(), sort_keys=True)
    there = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(scenario),
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    ).stdout.strip()

    assert here == there


def test_compare_runs_each_strategy_on_the_same_customers() -> None:
    """compare() gives one report per strategy; they see the same arrivals."""
    reports = compare(helpdesk(), ["least_busy", "round_robin", "ring_all"], seed=5)

    assert ["least_busy", "round_robin", "ring_all"] == list(reports)
    assert 1 == len({report.offered for report in reports.values()})
    assert "ring_all" == reports["ring_all"].strategy
    assert reports["ring_all"].offered == reports["ring_all"].handled


def test_ring_all_offers_go_to_the_first_agent_rung() -> None:
    """With ring_all the first offered agent accepts at once, also for items that queued."""
    scenario = helpdesk(
        arrivals=[{"department": "support", "channel": "chat", "rate_per_hour": 60}]
    )
    scenario["router"]["departments"]["support"]["strategies"] = {"chat": "ring_all"}

    report = simulate(scenario, seed=2)

    assert report.offered == report.handled
    assert report.max_queue_length > 0


def test_strategy_override_rewrites_every_department() -> None:
    """The override sets each department's named channels and defaults, and the router's."""
    config = {
        "router": {"seed": 3},
        "departments": {"a": {"strategies": {"chat": "random"}}, "b": {}, "c": "bad"},
    }

    changed = with_strategy(config, "round_robin")

    assert {"seed": 3, "default_strategy": "round_robin"} == changed["router"]
    assert {
        "a": {"strategies": {"chat": "round_robin"}, "default_strategy": "round_robin"},
        "b": {"strategies": {}, "default_strategy": "round_robin"},
        "c": "bad",
    } == changed["departments"]
    assert {"router": "bad", "departments": "bad"} == with_strategy(
        {"router": "bad", "departments": "bad"}, "random"
    )
    assert {"router": {"default_strategy": "random"}} == with_strategy({}, "random")


def test_bad_router_section_is_reported_under_router() -> None:
    """Router.from_config's problems come back with their path under 'router.'."""
    scenario = helpdesk()
    scenario["router"]["agents"]["ana"]["capacity"] = {"chat": "2"}

    with pytest.raises(InvalidDataError) as caught:
        simulate(scenario, strategy="least_busy")

    assert ("router.agents.ana.capacity.chat: expected an int, got '2'",) == caught.value.problems


def test_unknown_department_is_reported() -> None:
    """An arrival stream must name a department of the router."""
    scenario = helpdesk()
    scenario["arrivals"][0]["department"] = "sales"

    with pytest.raises(InvalidDataError) as caught:
        simulate(scenario)

    assert ("arrivals[0].department: unknown department 'sales'",) == caught.value.problems


def test_structure_problems_name_their_key_paths() -> None:
    """Wrong types, unknown and missing keys are all reported with their paths."""
    scenario = helpdesk(duration_s="4h", extra=1)
    del scenario["handling"]

    with pytest.raises(InvalidDataError) as caught:
        parse(scenario)

    problems = "\n".join(caught.value.problems)
    assert "duration_s: expected a finite number, got '4h'" in problems
    assert "handling: required key missing" in problems
    assert "extra" in problems


def test_value_problems_are_all_reported() -> None:
    """Every out-of-range value is reported at once."""
    scenario = helpdesk(
        arrivals=[
            {
                "department": "support",
                "channel": "call",
                "rate_per_hour": 0,
                "profile": {"24": 1.0, "3": -1.0},
                "customers": 0,
                "priority": 0,
                "group_share": 0,
            }
        ],
        handling={
            "chat": {"mean_s": 0, "distribution": "lognormal"},
            "mail": {"mean_s": 60, "sigma": 1.0},
        },
        patience={"chat": {"mean_s": -1}},
        duration_s=-1,
        warmup_s=5,
        sla_target_s=-1,
    )

    with pytest.raises(InvalidDataError) as caught:
        parse(scenario)

    assert (
        "arrivals[0].rate_per_hour: must be > 0, got 0.0",
        "arrivals[0].profile.24: hours are '0' to '23'",
        "arrivals[0].profile.3: must be >= 0, got -1.0",
        "arrivals[0].customers: must be at least 1, got 0",
        "arrivals[0].priority: must be 1 to 100, got 0",
        "arrivals[0].group_share: must be in (0, 1], got 0.0",
        "arrivals[0].channel: no handling time for channel 'call'; add handling.call",
        "handling.chat.mean_s: must be > 0, got 0.0",
        "handling.chat.sigma: lognormal needs a sigma > 0",
        "handling.mail.sigma: only a lognormal takes a sigma",
        "patience.chat.mean_s: must be > 0, got -1.0",
        "duration_s: must be > 0, got -1.0",
        "warmup_s: must be >= 0 and below duration_s, got 5.0",
        "sla_target_s: must be >= 0, got -1.0",
    ) == caught.value.problems


def test_bad_arguments_are_refused() -> None:
    """The seed must be an int and the strategy a registered one."""
    with pytest.raises(InvalidValueError, match="seed: must be an int"):
        simulate(helpdesk(), seed="1")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="unknown strategy 'rr'; known: least_busy"):
        simulate(helpdesk(), strategy="rr")


def test_parse_keeps_a_parsed_scenario() -> None:
    """A Scenario passes through parse() unchanged."""
    scenario = parse(helpdesk())

    assert scenario is parse(scenario)
    assert isinstance(scenario, Scenario)


def test_profile_shapes_the_arrivals_by_hour() -> None:
    """Hours with multiplier 0 get no arrivals, and a zero profile none at all."""
    busy = helpdesk(
        arrivals=[
            {
                "department": "support",
                "channel": "chat",
                "rate_per_hour": 60,
                "profile": {"0": 0.0, "1": 0.0, "2": 0.5, "3": 2.0},
            }
        ],
        warmup_s=0,
    )
    silent = helpdesk(
        arrivals=[
            {
                "department": "support",
                "channel": "chat",
                "rate_per_hour": 60,
                "profile": {str(hour): 0.0 for hour in range(24)},
            }
        ]
    )

    shaped = simulate(busy, seed=4)
    nothing = simulate(silent)

    assert 60 < shaped.offered < 200
    assert 0 == nothing.offered
    assert 0.0 == nothing.service_level
    assert None is nothing.asa_s
    assert 0.0 == nothing.occupancy


def test_patience_lognormal_customers_and_groups() -> None:
    """An overloaded queue with impatient customers abandons; warm-up items do not count."""
    scenario = helpdesk(
        arrivals=[
            {
                "department": "support",
                "channel": "chat",
                "rate_per_hour": 90,
                "customers": 20,
                "group": "vip",
                "group_share": 0.2,
            },
            {"department": "support", "channel": "chat", "rate_per_hour": 10, "group": "vip"},
        ],
        handling={"chat": {"mean_s": 300, "distribution": "lognormal", "sigma": 0.8}},
        patience={"chat": {"mean_s": 120}},
    )
    scenario["router"]["departments"]["support"].update(
        {"sticky": True, "dedicated": {"vip": ["ana"]}, "dedicated_wait_s": 30}
    )

    report = simulate(scenario, seed=8)

    assert report.abandoned > 20
    assert report.offered == report.handled + report.abandoned
    assert report.sla_breaches > 0
    assert report.max_queue_length > 2
    assert report.service_level < 1.0


def test_agents_without_slots_leave_items_unanswered() -> None:
    """Items nobody can take stay unanswered; occupancy of an agent without slots is 0."""
    scenario = helpdesk(duration_s=600, warmup_s=0)
    scenario["router"]["agents"] = {
        "ana": {"capacity": {"chat": 0}, "departments": {"support": ["chat"]}}
    }

    report = simulate(scenario, seed=1)

    assert report.offered == report.unanswered > 0
    assert report.offered == report.sla_breaches
    assert {"ana": 0.0} == report.agent_occupancy
    assert 0.0 == report.occupancy


def test_run_stops_after_twice_the_duration() -> None:
    """Handling still going at twice the duration is cut off; its agent stays busy to the end."""
    scenario = helpdesk(handling={"chat": {"mean_s": 1e7}}, duration_s=3600, warmup_s=0)

    report = simulate(scenario, seed=1)

    assert report.handled < report.offered
    assert report.occupancy > 0.9


def test_items_still_in_service_at_the_end_are_accounted_for() -> None:
    """Items answered but unfinished when the run stops are in_service, so the identity holds."""
    scenario = chat_desk(
        1,
        2,
        arrivals=[{"department": "support", "channel": "chat", "rate_per_hour": 4}],
        handling={"chat": {"mean_s": 7200}},
    )

    report = simulate(scenario, seed=1)

    assert (6, 1, 0, 3, 2) == (
        report.offered,
        report.handled,
        report.abandoned,
        report.unanswered,
        report.in_service,
    )
    assert 2 == report.to_dict()["in_service"]
    assert "In service at the end  2" in str(report)


def test_the_in_service_row_shows_when_any_run_has_such_items() -> None:
    """The table's "In service at the end" row is there, for every column, if any run needs it."""
    finished = simulate(helpdesk(), seed=3)
    cut_off = attrs.evolve(finished, in_service=2)

    alone = table.plain({"a": finished})
    both = table.plain({"a": finished, "b": cut_off})

    assert "In service" not in alone
    assert [["In", "service", "at", "the", "end", "0", "2"]] == [
        line.split() for line in both.splitlines() if line.startswith("In service")
    ]


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    agents=st.integers(0, 3),
    slots=st.integers(0, 2),
    rate_per_hour=st.floats(1, 40),
    mean_s=st.floats(30, 20_000),
    patience_s=st.none() | st.floats(10, 3000),
    reopen=st.booleans(),
    warmup_s=st.sampled_from([0, 600]),
)
def test_every_offered_item_ends_in_exactly_one_figure(
    seed: int,
    agents: int,
    slots: int,
    rate_per_hour: float,
    mean_s: float,
    patience_s: float | None,
    reopen: bool,
    warmup_s: int,
) -> None:
    """Whatever the load, offered == handled + abandoned + unanswered + in_service."""
    scenario = chat_desk(
        agents,
        slots,
        arrivals=[{"department": "support", "channel": "chat", "rate_per_hour": rate_per_hour}],
        handling={"chat": {"mean_s": mean_s}},
        warmup_s=warmup_s,
    )
    if patience_s is not None:
        scenario["patience"] = {"chat": {"mean_s": patience_s}}
    if reopen:
        scenario["reopen"] = {"chat": {"probability": 0.5, "mean_delay_s": 300}}

    report = simulate(scenario, seed=seed)

    assert report.offered == (
        report.handled + report.abandoned + report.unanswered + report.in_service
    )
    assert report.handled == sum(report.handled_by.values())


def _offline_requeue_run() -> Run:
    """A run of the helpdesk whose support requeues an offline agent's work after 60 s; ana on."""
    scenario = helpdesk(duration_s=10_000, warmup_s=0)
    scenario["router"]["departments"]["support"]["requeue_offline_after_s"] = 60
    run = Run(parse(scenario), 0, None)
    run.router.subscribe(run.events.append, ["assigned", "queued", "sla_breach"])
    run.settle(run.router.set_presence("ana", "online"))
    return run


def test_requeued_and_reassigned_items_restart_handling() -> None:
    """An item taken back from an offline agent is handled again by its next agent, once."""
    run = _offline_requeue_run()
    router = run.router
    run.arrive(0.0, 0)
    run.settle(router.set_presence("ana", "offline"))
    run.clock.set(60.0)
    run.settle(router.advance())  # queued: nobody is online
    run.settle(router.set_presence("bob", "online"))  # bob takes it

    stale = [entry for entry in run.heap if entry[2] == 1]
    for at, _, _, payload in sorted(stale):
        run.clock.set(max(at, run.clock()))
        run.finish(at, *payload)

    assert 1 == run.handled
    assert {"ana": 0, "bob": 1} == run.handled_by
    assert run.busy["ana"] == pytest.approx(60.0)


def test_an_answered_item_back_in_line_is_in_service() -> None:
    """An item taken back from its agent and waiting again counts as in service, not unanswered."""
    run = _offline_requeue_run()
    router = run.router
    run.arrive(0.0, 0)
    run.settle(router.set_presence("ana", "offline"))
    run.clock.set(60.0)
    run.settle(router.advance())  # queued again: nobody is online

    report = run.report()

    assert (1, 0, 0, 1) == (report.offered, report.handled, report.unanswered, report.in_service)
    assert run.customers["1"].agent is None


def test_reassignment_without_queueing_stops_the_first_agents_clock() -> None:
    """An item moved straight to another agent ends the first agent's busy time."""
    run = _offline_requeue_run()
    router = run.router
    run.arrive(0.0, 0)
    run.settle(router.set_presence("bob", "online"))
    run.settle(router.set_presence("ana", "offline"))
    run.clock.set(60.0)
    run.settle(router.advance())

    assert "bob" == run.customers["1"].agent
    assert run.busy["ana"] == pytest.approx(60.0)


def test_report_text_and_plain_data() -> None:
    """The table names the figures and each agent; to_dict() is JSON-safe."""
    report = simulate(helpdesk(), seed=1)

    text = str(report)
    data = json.loads(json.dumps(report.to_dict()))

    assert "Service level (20 s)" in text
    assert text.splitlines()[-1].startswith("bob")
    assert report.offered == data["offered"]
    assert report.abandon_rate == data["abandon_rate"]


def test_report_of_an_empty_run() -> None:
    """A run without agents or arrivals prints dashes and no agent table."""
    report = Report(
        strategy=None,
        seed=0,
        offered=0,
        handled=0,
        abandoned=0,
        unanswered=0,
        service_level=0.0,
        sla_target_s=20.0,
        asa_s=None,
        wait_p50_s=None,
        wait_p90_s=None,
        wait_p95_s=None,
        occupancy=0.0,
        agent_occupancy={},
        handled_by={},
        fairness_cv=0.0,
        fairness_gini=0.0,
        max_queue_length=0,
        sla_breaches=0,
    )

    text = str(report)

    assert 0.0 == report.abandon_rate
    assert "ASA (s)               -" in text
    assert "Agent" not in text


def test_statistics_helpers() -> None:
    """Percentiles are nearest-rank; CV and Gini are 0 for no or zero values."""
    assert 1.0 == percentile([1.0, 2.0], 0.0)
    assert 2.0 == percentile([1.0, 2.0], 0.95)
    assert 0.0 == coefficient_of_variation([])
    assert 0.0 == coefficient_of_variation([0, 0])
    assert 0.0 == gini([])
    assert gini([1, 2, 3]) == pytest.approx(2 / 9)
