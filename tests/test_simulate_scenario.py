"""The scenario's calendar and customers: weekdays, reopens, breaks, empirical times, progress."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import attrs
import pytest

from agentroute import InvalidDataError, InvalidValueError
from agentroute.simulate import compare, simulate, table
from agentroute.simulate.draws import Stream, handling_draw
from agentroute.simulate.engine import Run
from agentroute.simulate.scenario import (
    Arrivals,
    Break,
    Handling,
    Patience,
    Reopen,
    Scenario,
    parse,
)
from tests.generators import chat_desk

GUIDE = Path(__file__).parent.parent / "docs" / "guides" / "capacity.md"

#: Monday 5 January 2026, 00:00 UTC.
MONDAY = 1_767_571_200


def chats(rate_per_hour: float, **changes: Any) -> list[dict[str, Any]]:
    """Return one stream of support chats."""
    return [{"department": "support", "channel": "chat", "rate_per_hour": rate_per_hour, **changes}]


def problems_of(scenario: dict[str, Any]) -> tuple[str, ...]:
    with pytest.raises(InvalidDataError) as caught:
        simulate(scenario)
    return caught.value.problems


# -- weekdays ---------------------------------------------------------------------


def test_weekdays_multiply_the_hourly_profile() -> None:
    """Arrivals per weekday and hour follow profile times weekday, in UTC from the start."""
    scenario = parse(
        chat_desk(
            arrivals=chats(60, profile={"12": 3.0}, weekdays={"mon": 2.0, "sat": 0.5, "sun": 0.0}),
            start=MONDAY,
            duration_s=8 * 7 * 86400,
        )
    )
    stream = Stream(scenario.arrivals[0], scenario, seed=5, index=0)
    days: Counter[int] = Counter()
    hours: Counter[tuple[int, int]] = Counter()

    at = stream.next_arrival(0.0, MONDAY)
    while at < scenario.duration_s:
        day, hour = int(at // 86400) % 7, int(at % 86400 // 3600)
        days[day] += 1
        hours[day, hour] += 1
        at = stream.next_arrival(at, MONDAY)

    weeks = 8
    assert 0 == days[6]  # Sunday
    assert days[0] / weeks == pytest.approx(2 * 60 * 26, rel=0.05)  # Monday: 23 h at 1, 1 h at 3
    assert days[1] / weeks == pytest.approx(60 * 26, rel=0.05)
    assert days[5] / weeks == pytest.approx(0.5 * 60 * 26, rel=0.07)
    assert hours[0, 12] / weeks == pytest.approx(2 * 3 * 60, rel=0.1)


def test_weekdays_move_the_run_within_the_week() -> None:
    """A weekend-less stream offers nothing from a Saturday, and as ever on a Friday."""
    weekend_off = chats(20, weekdays={"sat": 0, "sun": 0})

    saturday = simulate(chat_desk(arrivals=weekend_off, start=MONDAY + 5 * 86400, duration_s=86400))
    friday = simulate(chat_desk(arrivals=weekend_off, start=MONDAY + 4 * 86400, duration_s=86400))
    plain = simulate(chat_desk(arrivals=chats(20), start=MONDAY + 4 * 86400, duration_s=86400))

    assert 0 == saturday.offered
    assert plain.to_dict() == friday.to_dict()


def test_bad_weekdays_name_their_key_paths() -> None:
    """Unknown days and negative multipliers are reported under arrivals[i].weekdays."""
    scenario = chat_desk(arrivals=chats(5, weekdays={"monday": 1.0, "tue": -1.0}))

    assert (
        "arrivals[0].weekdays.monday: days are 'mon' to 'sun'",
        "arrivals[0].weekdays.tue: must be >= 0, got -1.0",
    ) == problems_of(scenario)


# -- reopens ----------------------------------------------------------------------


def test_reopens_come_at_the_probability_and_add_work() -> None:
    """About p / (1 - p) reopens per first handling, and the agents' occupancy rises with them."""
    base = chat_desk(
        agents=4,
        arrivals=chats(20),
        handling={"chat": {"mean_s": 300}},
        duration_s=200 * 3600,
        warmup_s=3600,
    )
    reopening = {**base, "reopen": {"chat": {"probability": 0.2, "mean_delay_s": 600}}}

    without = simulate(base, seed=2)
    with_reopens = simulate(reopening, seed=2)

    assert 0 == without.reopened
    assert with_reopens.offered == with_reopens.handled  # reopens are not offered again
    assert with_reopens.reopened / with_reopens.handled == pytest.approx(0.25, rel=0.06)
    assert with_reopens.occupancy > 1.15 * without.occupancy
    assert 0 == with_reopens.reopens_lost
    assert with_reopens.handled == sum(with_reopens.handled_by.values())


def test_reopens_are_drawn_at_arrival_so_strategies_see_the_same_customers() -> None:
    """With reopens, compared strategies still see the same arrivals; the run is reproducible."""
    scenario = chat_desk(
        agents=3,
        slots=2,
        arrivals=chats(30, customers=20),
        reopen={"chat": {"probability": 0.3, "mean_delay_s": 300}},
        patience={"chat": {"mean_s": 120}},
        duration_s=6 * 3600,
    )

    runs = compare(scenario, ["least_busy", "round_robin"], seed=4)
    again = simulate(scenario, seed=4, strategy="least_busy")

    assert runs["least_busy"].offered == runs["round_robin"].offered
    assert runs["least_busy"].reopened > 0
    assert json.dumps(runs["least_busy"].to_dict()) == json.dumps(again.to_dict())


def test_forgotten_items_count_as_lost_reopens() -> None:
    """When the router keeps no closed item, every reopen is lost and the report says so."""
    scenario = chat_desk(
        agents=2,
        arrivals=chats(20),
        reopen={"chat": {"probability": 0.5, "mean_delay_s": 60}},
        duration_s=4 * 3600,
    )
    scenario["router"]["router"] = {"retain_closed": 0}

    report = simulate(scenario, seed=1)

    assert 0 == report.reopened
    assert report.reopens_lost > 10
    assert f"Reopened              0 ({report.reopens_lost} lost: " in str(report)
    assert f"Reopened               0 ({report.reopens_lost} lost)" in table.plain({"x": report})


def test_a_reopened_item_waits_again_with_its_own_patience() -> None:
    """A reopened item queues again, and its new patience, not its first, ends the wait."""
    rows = [
        {
            "arrival_s": 0,
            "channel": "chat",
            "department": "support",
            "handling_s": 10,
            "patience_s": 2000,
        },
        {"arrival_s": 5, "channel": "chat", "department": "support", "handling_s": 3000},
    ]
    scenario = chat_desk(
        trace_rows=rows, reopen={"chat": {"probability": 0.5, "mean_delay_s": 100}}
    )
    run = Run(parse(scenario), 0, None)

    report = run.run()

    history = run.router.history("1")
    assert ["created", "assigned", "closed", "reopened", "closed"] == [
        entry.action for entry in history
    ]
    reopened, closed = history[3:]
    assert "abandoned" == closed.reason
    assert closed.at == pytest.approx(reopened.at + 2000)  # not at 2000, the first patience
    assert (2, 2, 0) == (report.offered, report.handled, report.abandoned)
    assert report.reopened >= 1


def test_recorded_rows_reopen_with_their_own_times_when_the_channel_has_none() -> None:
    """A recorded row whose channel has no handling or patience reopens with the row's own."""
    rows = [
        {
            "arrival_s": 60.0 * n,
            "channel": "mail",
            "department": "support",
            "handling_s": 20,
            "patience_s": 500,
        }
        for n in range(40)
    ]
    scenario = chat_desk(trace_rows=rows, reopen={"mail": {"probability": 0.5, "mean_delay_s": 30}})
    scenario["router"]["agents"]["a0"]["capacity"]["mail"] = 1
    scenario["router"]["agents"]["a0"]["departments"]["support"].append("mail")

    report = simulate(scenario, seed=3)

    assert report.reopened > 5
    busy_s = report.occupancy * 2 * 3600  # two slots, one hour observed
    assert busy_s == pytest.approx(20 * (40 + report.reopened))


def test_bad_reopens_name_their_key_paths() -> None:
    """The probability is in [0, 1) and the delay positive."""
    scenario = chat_desk(
        arrivals=chats(5),
        reopen={
            "chat": {"probability": 1.0, "mean_delay_s": 0},
            "mail": {"probability": -0.1, "mean_delay_s": 10},
        },
    )

    assert (
        "reopen.chat.probability: must be >= 0 and < 1, got 1.0",
        "reopen.chat.mean_delay_s: must be > 0, got 0.0",
        "reopen.mail.probability: must be >= 0 and < 1, got -0.1",
    ) == problems_of(scenario)


# -- breaks -----------------------------------------------------------------------


def test_a_break_keeps_new_work_away_until_it_ends() -> None:
    """Work arriving during the daily 01:00 break waits for its end, on every day."""
    rows = [
        {"arrival_s": at, "channel": "chat", "department": "support", "handling_s": 10}
        for at in (3000, 3660, 86400 + 3660, 86400 + 5000)
    ]
    scenario = chat_desk(
        trace_rows=rows,
        breaks=[{"agent": "a0", "at": "01:00", "duration_s": 900, "reason": "coffee"}],
        duration_s=2 * 86400,
        sla_target_s=60,
    )
    without = {**scenario, "breaks": []}

    report = simulate(scenario)
    unbroken = simulate(without)

    assert (0.0, 840.0) == (report.wait_p50_s, report.wait_p95_s)
    assert 0.5 == report.service_level
    assert 1.0 == unbroken.service_level


def test_a_break_before_the_start_comes_the_next_day() -> None:
    """A run starting after the break's time of day meets it the next day, if the run lasts."""
    scenario = chat_desk(
        trace_rows=[{"arrival_s": 82800 + 60, "channel": "chat", "department": "support"}],
        breaks=[{"agent": "a0", "at": "00:00", "duration_s": 300}],
        handling={"chat": {"mean_s": 1}},
        start=3600,
        duration_s=86400,
    )

    report = simulate(scenario)

    assert 240.0 == report.asa_s


def test_a_break_after_the_arrivals_never_starts() -> None:
    """Breaks, like arrivals, stop at duration_s: one due later leaves the run as it was."""
    scenario = chat_desk(arrivals=chats(20), duration_s=3 * 3600)
    late = {**scenario, "breaks": [{"agent": "a0", "at": "05:00", "duration_s": 3600}]}

    assert simulate(scenario, seed=2).to_dict() == simulate(late, seed=2).to_dict()


def test_bad_breaks_name_their_key_paths() -> None:
    """Unknown agents, bad times of day and lengths are reported under breaks[i]."""
    bad_times = chat_desk(
        arrivals=chats(5),
        breaks=[
            {"agent": "a0", "at": "9:00", "duration_s": 60},
            {"agent": "a0", "at": "24:00", "duration_s": 0},
        ],
    )
    unknown = chat_desk(
        arrivals=chats(5), breaks=[{"agent": "zoe", "at": "09:00", "duration_s": 60}]
    )

    assert (
        "breaks[0].at: expected a UTC time of day 'HH:MM' (00:00 to 23:59), got '9:00'",
        "breaks[1].at: expected a UTC time of day 'HH:MM' (00:00 to 23:59), got '24:00'",
        "breaks[1].duration_s: must be > 0, got 0.0",
    ) == problems_of(bad_times)
    assert ("breaks[0].agent: unknown agent 'zoe'; known: a0",) == problems_of(unknown)


# -- empirical handling times -----------------------------------------------------


def test_problems_come_in_three_rounds_as_the_guide_says() -> None:
    """The keys are checked first, then the router section, then the names referring to it."""
    scenario = chat_desk(
        arrivals=chats(0, department="sales"),
        breaks=[{"agent": "zoe", "at": "09:00", "duration_s": 60}],
    )
    scenario["router"]["departments"]["support"]["strategies"]["chat"] = "fastest"

    keys = problems_of(scenario)
    scenario["arrivals"][0]["rate_per_hour"] = 5
    router = problems_of(scenario)
    scenario["router"]["departments"]["support"]["strategies"]["chat"] = "least_busy"
    names = problems_of(scenario)

    assert ("arrivals[0].rate_per_hour: must be > 0, got 0.0",) == keys
    assert ("router.departments.support.strategies.chat: unknown strategy 'fastest'",) == router
    assert (
        "arrivals[0].department: unknown department 'sales'",
        "breaks[0].agent: unknown agent 'zoe'; known: a0",
    ) == names
    assert "The checks go in three rounds" in GUIDE.read_text(encoding="utf-8")


def test_empirical_times_are_drawn_among_the_recorded_ones() -> None:
    """An empirical channel draws uniformly among its rows' handling_s, file and inline."""
    rows = [
        {"arrival_s": 10, "channel": "chat", "department": "support", "handling_s": 100},
        {"arrival_s": 20, "channel": "chat", "department": "support", "handling_s": 200},
        {"arrival_s": 30, "channel": "chat", "department": "support"},
    ]
    scenario = parse(
        chat_desk(
            trace_rows=rows, arrivals=chats(2), handling={"chat": {"distribution": "empirical"}}
        )
    )
    draw = handling_draw(scenario, "chat", random.Random(1))

    drawn = Counter(draw() for _ in range(2000))
    report = simulate(scenario, seed=2)

    assert {100.0, 200.0} == set(drawn)
    assert drawn[100.0] == pytest.approx(1000, abs=100)
    busy_s = report.occupancy * 3600
    assert 0 < busy_s == 100 * round(busy_s / 100)  # every time is 100 or 200 s


def test_empirical_needs_recorded_times() -> None:
    """Without a recorded row with handling_s of its channel an empirical time is refused."""
    rows = [{"arrival_s": 10, "channel": "chat", "department": "support", "handling_s": 60}]
    scenario = chat_desk(
        arrivals=chats(2),
        trace_rows=rows,
        handling={
            "chat": {"distribution": "empirical", "mean_s": 60},
            "mail": {"distribution": "empirical"},
            "call": {"distribution": "lognormal", "sigma": 1.0},
        },
    )

    assert (
        "handling.chat.mean_s: an empirical time takes no mean_s; it draws from the trace",
        "handling.call.mean_s: required for an lognormal time (or use 'empirical')",
        "handling.mail.distribution: empirical needs recorded rows of channel 'mail' "
        "with a handling_s (in trace or trace_rows)",
    ) == problems_of(scenario)


# -- progress ---------------------------------------------------------------------


def test_progress_is_told_about_every_percent_and_changes_nothing() -> None:
    """The callback hears 0.0, a share per percent, then 1.0; the report is the same."""
    scenario = chat_desk(agents=2, arrivals=chats(60), duration_s=10 * 3600)
    heard: list[float] = []

    report = simulate(scenario, seed=1, progress=heard.append)

    assert report.to_dict() == simulate(scenario, seed=1).to_dict()
    assert 0.0 == heard[0]
    assert 1.0 == heard[-1]
    assert heard == sorted(heard)
    assert 90 <= len(heard) <= 102
    percents = [int(share * 100) for share in heard[1:-1]]
    assert sorted(set(percents)) == percents  # one call per percent at most


def test_compare_reports_progress_over_all_runs() -> None:
    """Two runs share the bar: the first ends at 0.5."""
    heard: list[float] = []

    compare(chat_desk(arrivals=chats(30)), ["least_busy", "round_robin"], progress=heard.append)

    assert 0.0 == heard[0]
    assert 0.5 in heard
    assert 1.0 == heard[-1]
    assert heard == sorted(heard)


def test_progress_must_be_callable() -> None:
    """A progress that cannot be called is refused."""
    with pytest.raises(InvalidValueError, match="progress: must be a callable or None, got 1"):
        simulate(chat_desk(arrivals=chats(5)), progress=1)  # type: ignore[arg-type]


def test_simulating_imports_neither_rich_nor_matplotlib() -> None:
    """The simulator and the library need neither drawing library."""
    code = (
        "import sys, agentroute, agentroute.simulate, agentroute.simulate.engine; "
        "print(sorted(n for n in ('rich', 'matplotlib') if n in sys.modules))"
    )

    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout

    assert "[]" == out.strip()


# -- the guide ----------------------------------------------------------------------


def test_the_guide_names_every_key_of_the_scenario() -> None:
    """The capacity guide's key reference has a row for every key: the classes' fields, extends."""
    text = GUIDE.read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `([^`]+)` \|", text, re.M))
    expected = {field.name for field in attrs.fields(Scenario) if field.init} | {"extends"}
    for prefix, cls in (
        ("arrivals[].", Arrivals),
        ("handling.<channel>.", Handling),
        ("patience.<channel>.", Patience),
        ("reopen.<channel>.", Reopen),
        ("breaks[].", Break),
    ):
        expected |= {prefix + field.name for field in attrs.fields(cls)}

    assert expected - {"handling", "patience", "reopen"} <= rows
