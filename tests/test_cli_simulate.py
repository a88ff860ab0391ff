"""``agentroute simulate``: the table, JSON, the plot, exit codes and the console script."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

from agentroute import cli
from agentroute.cli import main
from agentroute.simulate import plot, simulate, table
from agentroute.simulate.scenario import load

SCENARIO = """
duration_s = 7200
sla_target_s = 30

[router.departments.help]
strategies = { chat = "least_busy" }

[router.agents.ana]
capacity = { chat = 2 }
departments = { help = ["chat"] }

[router.agents.bob]
capacity = { chat = 1 }
departments = { help = ["chat"] }

[[arrivals]]
department = "help"
channel = "chat"
rate_per_hour = 20

[handling.chat]
mean_s = 300
"""

EXAMPLE = Path(__file__).parent.parent / "examples" / "scenarios" / "helpdesk.toml"


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "scenario.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


@pytest.fixture
def no_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rich", None)
    monkeypatch.setitem(sys.modules, "rich.console", None)
    monkeypatch.setitem(sys.modules, "rich.table", None)


@pytest.mark.usefixtures("no_rich")
def test_plain_table_of_the_configuration(
    scenario: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["simulate", str(scenario), "--seed", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{scenario} (seed 3)"
    assert lines[1].split() == ["as", "configured"]
    report = simulate(load(scenario), seed=3)
    assert lines[2].split() == ["Offered", str(report.offered)]
    assert any(line.startswith("Service level (30 s)") for line in lines)
    assert lines[-3].split() == ["SLA", "breaches", str(report.sla_breaches)]
    assert lines[-2].split() == ["Reopened", "0"]
    assert lines[-1].startswith("Wait estimate MAE (s)")


def test_rich_table_json_and_plot(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_json = tmp_path / "out" / "run.json"
    out_png = tmp_path / "out" / "run.png"
    argv = ["simulate", str(scenario), "--strategies", "least_busy, round_robin,least_busy"]
    assert main([*argv, "--json", str(out_json), "--plot", str(out_png)]) == 0
    out = capsys.readouterr().out
    assert "least_busy" in out
    assert "round_robin" in out
    assert "┃" in out  # drawn by rich
    assert f"Wrote {out_json}" in out
    assert f"Wrote {out_png}" in out
    document = json.loads(out_json.read_text(encoding="utf-8"))
    assert document["seed"] == 0
    assert document["scenario"] == str(scenario)
    assert list(document["reports"]) == ["least_busy", "round_robin"]
    assert document["reports"]["round_robin"]["strategy"] == "round_robin"
    assert out_png.read_bytes().startswith(b"\x89PNG")


def test_same_seed_same_json(scenario: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "1.json", tmp_path / "2.json"
    assert main(["simulate", str(scenario), "--json", str(first), "--seed", "5"]) == 0
    assert main(["simulate", str(scenario), "--json", str(second), "--seed", "5"]) == 0
    assert first.read_bytes() == second.read_bytes()


def test_bad_scenario_names_every_key_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(SCENARIO.replace("rate_per_hour = 20", "rate_per_hour = 0"), encoding="utf-8")
    assert main(["simulate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path} is not a valid scenario" in err
    assert "  arrivals[0].rate_per_hour: must be > 0, got 0.0" in err
    assert "(1 problem)" in err


def test_bad_router_section_names_the_key_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.json"
    data: dict[str, Any] = {
        "router": {"departments": {"help": {"strategies": {"chat": "fastest"}}}},
        "arrivals": [{"department": "nowhere", "channel": "chat", "rate_per_hour": 1}],
        "handling": {"chat": {"mean_s": 60}},
        "duration_s": 60,
        "warmup_s": 60,
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["simulate", str(path)]) == 2
    assert "warmup_s: must be >= 0 and below duration_s" in capsys.readouterr().err
    data["warmup_s"] = 0
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["simulate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "router.departments.help.strategies.chat" in err


def test_unreadable_scenarios_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("duration_s = ", encoding="utf-8")
    assert main(["simulate", str(broken)]) == 2
    assert f"argument SCENARIO: {broken} is not valid TOML" in capsys.readouterr().err
    assert main(["simulate", str(tmp_path / "scenario.yaml")]) == 2
    assert "must end in .toml or .json" in capsys.readouterr().err
    assert main(["simulate", str(tmp_path / "missing.toml")]) == 2
    assert "cannot read" in capsys.readouterr().err
    listed = tmp_path / "list.json"
    listed.write_text("[1]", encoding="utf-8")
    assert main(["simulate", str(listed)]) == 2
    assert "(top level): expected an object" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("names", "message"),
    [("least_busy,fastest", "unknown strategy 'fastest'"), (" , ", "expected strategy names")],
)
def test_bad_strategies_exit_2(
    scenario: Path, names: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["simulate", str(scenario), "--strategies", names]) == 2
    err = capsys.readouterr().err
    assert "argument --strategies" in err
    assert message in err


def test_failed_run_exits_1(
    scenario: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "compare", explode)
    assert main(["simulate", str(scenario), "--strategies", "random"]) == 1
    assert "the run failed: RuntimeError: boom" in capsys.readouterr().err


def test_unwritable_output_exits_1(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["simulate", str(scenario), "--json", str(tmp_path)]) == 1
    assert f"cannot write {tmp_path}" in capsys.readouterr().err


def test_a_reader_that_stops_early_ends_the_output_quietly(scenario: Path, tmp_path: Path) -> None:
    """A closed stdout (``| head``) is no error message: the JSON is still written, status 1."""
    script = Path(sys.executable).parent / "agentroute"
    out_json = tmp_path / "out" / "run.json"
    read, write = os.pipe()
    os.close(read)  # the reader has gone before anything is printed

    with os.fdopen(write, "wb") as closed:
        result = subprocess.run(
            [str(script), "simulate", str(scenario), "--json", str(out_json)],
            stdout=closed,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            timeout=120,
        )

    assert (1, "") == (result.returncode, result.stderr)
    assert "as configured" in json.loads(out_json.read_text(encoding="utf-8"))["reports"]


class _ClosedPipe(io.StringIO):
    """A stdout whose reader has gone: writing raises `BrokenPipeError`; it has a descriptor."""

    def __init__(self, descriptor: int) -> None:
        super().__init__()
        self.descriptor = descriptor

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def fileno(self) -> int:
        return self.descriptor


@pytest.mark.parametrize(
    "argv",
    [
        ["erlang", "--agents", "3", "--rate", "10", "--aht", "300", "--target", "20"],
        ["simulate", "SCENARIO", "--json", "OUT", "--plot", "PLOT"],
    ],
)
def test_a_closed_stdout_is_no_failure_to_write_a_file(
    argv: list[str],
    scenario: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Output to a closed stdout goes to the null device from then on; the files are written."""
    out_json, out_plot = tmp_path / "run.json", tmp_path / "run.png"
    names = {"SCENARIO": str(scenario), "OUT": str(out_json), "PLOT": str(out_plot)}
    descriptor = os.open(tmp_path / "stdout", os.O_WRONLY | os.O_CREAT)
    monkeypatch.setattr(sys, "stdout", _ClosedPipe(descriptor))
    monkeypatch.setattr(plot, "save", lambda reports, path, title: path.write_bytes(b"png"))

    status = main([names.get(arg, arg) for arg in argv])
    os.write(descriptor, b"gone")
    os.close(descriptor)

    assert 1 == status
    assert "" == capsys.readouterr().err
    assert "" == (tmp_path / "stdout").read_text(encoding="utf-8")
    if argv[0] == "simulate":
        assert out_json.exists()
        assert b"png" == out_plot.read_bytes()


def test_plot_without_matplotlib_exits_1_before_running(
    scenario: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert not plot.available()
    assert main(["simulate", str(scenario), "--plot", str(tmp_path / "x.png")]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == (
        "agentroute simulate: error: --plot needs matplotlib: pip install 'agentroute-core[sim]'"
    )


def test_table_and_plot_of_unlike_reports(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = simulate(load(scenario))
    idle = attrs.evolve(
        report, sla_target_s=60.0, asa_s=None, wait_p50_s=None, wait_p90_s=None, wait_p95_s=None
    )
    reports = {"a": report, "b": idle}
    text = table.plain(reports)
    assert "\nService level  " in text  # two targets: none named
    assert text.splitlines()[6].split() == ["ASA", "(s)", f"{report.asa_s:.1f}", "-"]
    table.show(reports, sys.stdout)
    assert "Service level " in capsys.readouterr().out
    plot.save(reports, tmp_path / "plain.png")
    assert (tmp_path / "plain.png").stat().st_size > 0


@pytest.mark.usefixtures("no_rich")
def test_plain_show_without_title(scenario: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = simulate(load(scenario))
    table.show({"x": report}, sys.stdout)
    assert capsys.readouterr().out == table.plain({"x": report}) + "\n"


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--strategies", "--seed", "--json", "--plot", "SCENARIO"):
        assert option in out


def test_example_scenario_parses() -> None:
    parsed = load(EXAMPLE)
    assert {stream.department for stream in parsed.arrivals} == {"support", "sales"}


def test_console_script(scenario: Path, tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "agentroute"
    assert script.exists(), "reinstall: python -m pip install -e '.[dev]'"
    out_json = tmp_path / "run.json"
    argv = ["simulate", str(scenario), "--strategies", "least_busy,most_busy"]
    result = subprocess.run(
        [str(script), *argv, "--json", str(out_json)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "most_busy" in result.stdout
    assert list(json.loads(out_json.read_text(encoding="utf-8"))["reports"]) == [
        "least_busy",
        "most_busy",
    ]


def test_trace_next_to_the_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "recorded"
    folder.mkdir()
    (folder / "calls.csv").write_text(
        "arrival_s,channel,department,handling_s\n0,chat,help,600\n1,chat,help,600\n"
        "2,chat,help,600\n3,chat,help,600\n",
        encoding="utf-8",
    )
    lines = SCENARIO.splitlines()
    start = lines.index("[[arrivals]]")
    text = "\n".join(['trace = "calls.csv"', *lines[:start], *lines[start + 5 :]])
    (folder / "replay.toml").write_text(text, encoding="utf-8")
    assert main(["simulate", str(folder / "replay.toml"), "--json", str(tmp_path / "r.json")]) == 0
    capsys.readouterr()
    document = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    report = document["reports"]["as configured"]
    assert (report["offered"], report["handled"]) == (4, 4)
    assert report["wait_p95_s"] > 500  # three slots: the fourth waits for the first to finish


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_only(
    scenario: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A terminal stderr gets a progress bar, unless --no-progress; stdout stays the table."""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)

    assert main(["simulate", str(scenario), "--strategies", "least_busy,round_robin"]) == 0
    drawn = terminal.getvalue()
    table_out = capsys.readouterr().out
    terminal.seek(0)
    terminal.truncate()
    assert main(["simulate", str(scenario), "--no-progress"]) == 0

    assert "Simulating" in drawn
    assert "Simulating" not in table_out
    assert "" == terminal.getvalue()


@pytest.mark.usefixtures("no_rich")
def test_no_progress_bar_without_rich(scenario: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without rich a terminal gets no bar, and the run goes on."""
    monkeypatch.setitem(sys.modules, "rich.progress", None)
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)

    assert main(["simulate", str(scenario)]) == 0

    assert "" == terminal.getvalue()


def test_no_progress_bar_when_stderr_is_not_a_terminal(
    scenario: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Captured stderr, as in tests and pipes, gets nothing."""
    assert main(["simulate", str(scenario)]) == 0

    assert "" == capsys.readouterr().err
