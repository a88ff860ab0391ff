from __future__ import annotations

import json
import math
from pathlib import Path

import attrs
import pytest

from agentroute import InvalidDataError, Item
from agentroute.simulate import simulate
from agentroute.simulate.engine import Run
from agentroute.simulate.scenario import load, parse
from agentroute.simulate.trace import TraceRow, read
from tests.generators import chat_desk

HEADER = "arrival_s,channel,department,customer,priority,handling_s,patience_s\n"


def write(folder: Path, text: str, name: str = "trace.csv") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_a_good_trace(tmp_path: Path) -> None:
    """Every column is read; empty optional fields are None (priority 50), spaces are trimmed."""
    path = write(
        tmp_path,
        HEADER + "0,chat,support,c1,10,120,30\n 12.5 ,chat,support,,,,\n",
    )

    rows, problems = read(path, {"chat"})

    assert [] == problems
    assert [
        TraceRow(0.0, "chat", "support", "c1", 10, 120.0, 30.0),
        TraceRow(12.5, "chat", "support", None, 50, None, None),
    ] == rows


def test_read_reports_every_bad_row_with_its_number_and_line(tmp_path: Path) -> None:
    """Each bad field is named by row and column, with the file's line."""
    path = write(
        tmp_path,
        HEADER
        + "0,chat,support,,,,\n"
        + "x,,support,,high,0,-1\n"
        + "inf,chat,,,0,,\n"
        + "-1,mail,support,,101,nan,\n"
        + "5,chat\n"
        + ",chat,support,,,,\n",
    )

    rows, problems = read(path, {"chat"})

    assert 1 == len(rows)
    assert [
        "trace[1].arrival_s: expected a finite number, got 'x' (line 3)",
        "trace[1].channel: required, got an empty field (line 3)",
        "trace[1].priority: expected an int, got 'high' (line 3)",
        "trace[2].arrival_s: expected a finite number, got 'inf' (line 4)",
        "trace[2].department: required, got an empty field (line 4)",
        "trace[3].handling_s: expected a finite number, got 'nan' (line 5)",
        "trace[4]: expected 7 fields, got 2 (line 6)",
        "trace[5].arrival_s: required, got an empty field (line 7)",
    ] == problems


def test_read_reports_values_out_of_range(tmp_path: Path) -> None:
    """Values that parse but do not fit are reported, all of them."""
    path = write(tmp_path, HEADER + "-1,mail,support,,0,0,0\n")

    _, problems = read(path, {"chat"})

    assert [
        "trace[0].arrival_s: must be >= 0, got -1.0 (line 2)",
        "trace[0].priority: must be 1 to 100, got 0 (line 2)",
        "trace[0].handling_s: must be > 0, got 0.0 (line 2)",
        "trace[0].patience_s: must be > 0, got 0.0 (line 2)",
    ] == problems
    _, problems = read(write(tmp_path, HEADER + "1,mail,support,,,,\n"), {"chat"})
    assert [
        "trace[0].channel: no handling_s and no handling time for channel 'mail'; "
        "add handling.mail (line 2)"
    ] == problems


def test_read_reports_bad_headers_and_files(tmp_path: Path) -> None:
    """Unknown, missing and repeated columns, empty, missing and undecodable files."""
    _, problems = read(write(tmp_path, "arrival_s,chanel,arrival_s\n"), {"chat"})
    assert [
        "trace: unknown column 'chanel'; known: arrival_s, channel, department, customer, "
        "priority, handling_s, patience_s",
        "trace: missing column 'channel'",
        "trace: missing column 'department'",
        "trace: column 'arrival_s' twice",
    ] == problems

    assert ([], ["trace: the file is empty; it needs a header row"]) == read(
        write(tmp_path, ""), {"chat"}
    )
    rows, problems = read(tmp_path / "absent.csv", {"chat"})
    assert [] == rows
    assert problems[0].startswith("trace: cannot read ")
    (tmp_path / "latin.csv").write_bytes(b"arrival_s,channel,department\n0,caf\xe9,support\n")
    assert "cannot read" in read(tmp_path / "latin.csv", {"chat"})[1][0]


def test_scenario_trace_paths_are_relative_to_the_file_or_base(tmp_path: Path) -> None:
    """load() starts from the scenario file's folder, parse() from base or the working directory."""
    (tmp_path / "data").mkdir()
    write(tmp_path / "data", HEADER + "0,chat,support,,,60,\n")
    (tmp_path / "scenario.toml").write_text(
        """
trace = "data/trace.csv"
duration_s = 3600
[handling.chat]
mean_s = 300
[router.departments.support]
[router.agents.ana]
capacity = {chat = 1}
departments = {support = ["chat"]}
""",
        encoding="utf-8",
    )

    loaded = load(tmp_path / "scenario.toml")
    assert (TraceRow(0.0, "chat", "support", handling_s=60.0),) == loaded.recorded
    assert loaded is parse(loaded)  # read once

    based = parse(chat_desk(trace="data/trace.csv"), base=tmp_path)
    assert loaded.recorded == based.recorded
    with pytest.raises(InvalidDataError) as caught:
        parse(chat_desk(trace="data/trace.csv"))  # from the working directory: not there
    assert caught.value.path == "trace"

    unread = attrs.evolve(based)  # as if built by hand: the trace is not read yet
    assert unread.recorded is None
    with pytest.raises(InvalidDataError):
        simulate(unread)  # read when it runs, here from the working directory


def test_scenario_problems_name_trace_rows_and_departments(tmp_path: Path) -> None:
    """Inline rows are checked like the file's; unknown departments are named by their row."""
    with pytest.raises(InvalidDataError) as caught:
        parse(
            chat_desk(
                trace_rows=[
                    {"arrival_s": 0, "channel": "chat", "department": "support"},
                    {"arrival_s": 1, "channel": "chat", "priority": 0},
                ]
            )
        )
    assert "trace_rows[1].department: required key missing" in caught.value.problems

    with pytest.raises(InvalidDataError) as caught:
        parse(chat_desk(trace_rows=[{"arrival_s": -2, "channel": "chat", "department": "x"}]))
    assert ("trace_rows[0].arrival_s: must be >= 0, got -2.0",) == caught.value.problems

    with pytest.raises(InvalidDataError) as caught:
        parse(chat_desk())
    assert ("arrivals: no arrivals: give arrivals, a trace or trace_rows",) == caught.value.problems

    write(tmp_path, HEADER + "0,chat,sales,,,,\n")
    scenario = chat_desk(
        trace=str(tmp_path / "trace.csv"),
        trace_rows=[{"arrival_s": 0, "channel": "chat", "department": "billing"}],
    )
    with pytest.raises(InvalidDataError) as caught:
        simulate(scenario)
    assert (
        "trace[0].department: unknown department 'sales'",
        "trace_rows[0].department: unknown department 'billing'",
    ) == caught.value.problems


def test_trace_handling_and_patience_are_honoured() -> None:
    """One agent, one slot: waits, abandonment and the estimate follow the trace exactly."""
    rows = [
        {"arrival_s": 1, "channel": "chat", "department": "support", "handling_s": 100},
        {"arrival_s": 0, "channel": "chat", "department": "support", "handling_s": 100},
        {"arrival_s": 150, "channel": "chat", "department": "support", "handling_s": 100},
        {"arrival_s": 160, "channel": "chat", "department": "support", "patience_s": 20},
        {"arrival_s": 3600, "channel": "chat", "department": "support"},  # after the arrivals
    ]

    report = simulate(chat_desk(trace_rows=rows, sla_target_s=60), seed=1)

    assert (4, 3, 1, 0) == (report.offered, report.handled, report.abandoned, report.unanswered)
    assert report.asa_s == pytest.approx((0 + 99 + 50) / 3)
    assert 99.0 == report.wait_p95_s
    # c2 queues at 150 behind nobody, 100 s of handling observed, 1 slot: 100 s; it waits 50 s.
    # The customer of 160 abandons at 180: its estimate (200 s) is not checked.
    assert (1, 50.0, 50.0, 50.0) == (
        report.estimate_samples,
        report.estimate_mae_s,
        report.estimate_bias_s,
        report.estimate_wait_s,
    )
    assert "MAE 50.0 s, bias +50.0 s (1 waits, mean 50.0 s)" in str(report)
    assert 300 / 3600 == pytest.approx(report.occupancy)


def test_a_channel_needs_no_handling_when_every_row_has_its_time() -> None:
    """Rows with handling_s of a channel without a handling distribution replay as they are."""
    rows = [{"arrival_s": 0, "channel": "call", "department": "support", "handling_s": 60}]
    scenario = chat_desk(trace_rows=rows)
    scenario["router"]["agents"]["a0"] = {
        "capacity": {"call": 1},
        "departments": {"support": ["call"]},
    }

    report = simulate(scenario, seed=0)

    assert (1, 1) == (report.offered, report.handled)
    assert 60 / 3600 == pytest.approx(report.occupancy)


def test_trace_draws_missing_times_and_adds_to_poisson_streams(tmp_path: Path) -> None:
    """Rows without times draw them from the channel's distributions; seeds repeat exactly."""
    lines = "".join(f"{n * 37.5},chat,support,c{n % 5},,,\n" for n in range(60))
    write(tmp_path, HEADER + lines)
    scenario = chat_desk(
        trace="trace.csv",
        arrivals=[{"department": "support", "channel": "chat", "rate_per_hour": 20}],
        patience={"chat": {"mean_s": 60}},
        handling={"chat": {"mean_s": 200, "distribution": "lognormal", "sigma": 0.5}},
    )
    parsed = parse(scenario, base=tmp_path)

    first = json.dumps(simulate(parsed, seed=3).to_dict(), sort_keys=True)
    again = json.dumps(simulate(parse(scenario, base=tmp_path), seed=3).to_dict(), sort_keys=True)
    other = simulate(parsed, seed=4)

    assert first == again
    assert first != json.dumps(other.to_dict(), sort_keys=True)
    assert other.offered > 60
    assert other.abandoned > 0


def test_estimate_accuracy_on_a_busy_queue() -> None:
    """A queue near saturation gives many samples with a finite, non-negative error."""
    scenario = chat_desk(
        agents=3,
        arrivals=[{"department": "support", "channel": "chat", "rate_per_hour": 32}],
        duration_s=20 * 3600,
        warmup_s=3600,
    )

    report = simulate(scenario, seed=0)
    data = report.to_dict()

    assert report.estimate_samples > 50
    assert report.estimate_mae_s is not None
    assert report.estimate_bias_s is not None
    assert report.estimate_wait_s is not None
    assert 0 <= report.estimate_mae_s < math.inf
    assert abs(report.estimate_bias_s) <= report.estimate_mae_s
    assert report.estimate_wait_s > 0
    assert data["estimate_samples"] == report.estimate_samples
    assert data["estimate_mae_s"] == report.estimate_mae_s


def test_no_estimates_when_nobody_queues() -> None:
    """With agents to spare nobody queues: no samples and no figures."""
    scenario = chat_desk(
        agents=5,
        slots=5,
        arrivals=[{"department": "support", "channel": "chat", "rate_per_hour": 5}],
    )

    report = simulate(scenario, seed=0)

    assert (0, None, None, None) == (
        report.estimate_samples,
        report.estimate_mae_s,
        report.estimate_bias_s,
        report.estimate_wait_s,
    )
    assert "- (no queued waits)" in str(report)
    assert report.to_dict()["estimate_mae_s"] is None


def test_estimate_of_an_item_assigned_again_at_once_is_skipped() -> None:
    """An item the same call queued and assigned has no estimate to check."""
    scenario = parse(
        chat_desk(trace_rows=[{"arrival_s": 0, "channel": "chat", "department": "support"}])
    )
    run = Run(scenario, 0, None)
    for agent in run.agents:
        run.router.set_presence(agent, "online")
    run.router.assign(Item("x", channel="chat", department="support"))

    assert run.estimate("x") is None  # assigned, not queued
