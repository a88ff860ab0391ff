"""The ``agentroute`` command: erlang and staff, exit codes, JSON and the console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agentroute.cli import main

ERLANG = ["erlang", "--rate", "100", "--aht", "180", "--agents", "6", "--target", "20"]
STAFF = ["staff", "--rate", "100", "--aht", "180", "--target-sl", "0.8", "--target", "20"]


def test_erlang_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(ERLANG) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "Agents                  6",
        "Offered load (Erlangs)  5.00",
        "P(wait)                 0.5875",
        "Service level (20 s)    0.4743",
        "ASA (s)                 105.8",
        "Occupancy               0.8333",
    ]


def test_erlang_with_patience(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*ERLANG, "--patience", "120"]) == 0
    out = capsys.readouterr().out
    assert "P(abandon)              0.1123" in out
    assert "Service level (20 s)    0.7320" in out


def test_erlang_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*ERLANG, "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["model"] == "erlang_c"
    assert figures["agents"] == 6
    assert round(figures["p_wait"], 4) == 0.5875
    assert round(figures["service_level"], 4) == 0.4743
    assert round(figures["asa_s"], 1) == 105.8
    assert figures["patience_s"] is None
    assert "p_abandon" not in figures


def test_erlang_json_with_patience(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*ERLANG, "--patience", "120", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["model"] == "erlang_a"
    assert figures["patience_s"] == 120.0
    assert round(figures["p_abandon"], 4) == 0.1123


def test_erlang_unstable(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["erlang", "--rate", "100", "--aht", "180", "--agents", "5", "--target", "20"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Stable                  no: load >= agents" in out
    assert "ASA (s)                 inf" in out
    assert main([*args, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["asa_s"] is None


def test_staff(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(STAFF) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Agents                  8"
    assert "Service level (20 s)    0.8801 (target 0.8)" in out


def test_staff_with_patience_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*STAFF, "--patience", "120", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["agents"] == 7
    assert figures["service_level"] >= 0.8


def erlang_args(**changes: str) -> list[str]:
    options = {"--rate": "100", "--aht": "180", "--agents": "6", "--target": "20"}
    options.update({f"--{key}": value for key, value in changes.items()})
    return ["erlang", *(part for item in options.items() for part in item if item[1])]


def staff_args(**changes: str) -> list[str]:
    options = {"--rate": "100", "--aht": "180", "--target-sl": "0.8", "--target": "20"}
    options.update({f"--{key.replace('_', '-')}": value for key, value in changes.items()})
    return ["staff", *(part for item in options.items() for part in item)]


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (erlang_args(agents="0"), "--agents"),
        (erlang_args(rate="-1"), "--rate"),
        (erlang_args(aht="0"), "--aht"),
        (erlang_args(target="-2"), "--target"),
        ([*ERLANG, "--patience", "0"], "--patience"),
        (erlang_args(rate="x"), "--rate"),
        (erlang_args(agents="1.5"), "--agents"),
        (erlang_args(agents=""), "--agents"),
        (staff_args(target_sl="1"), "--target-sl"),
        (staff_args(rate="nan"), "--rate"),
    ],
)
def test_bad_input_exits_2(
    argv: list[str], option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    message = captured.err.strip().splitlines()[-1]
    assert message.startswith(f"agentroute {argv[0]}: error: ")
    assert option in message


def test_missing_command_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "agentroute: error:" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--help"], ["erlang", "--help"], ["staff", "--help"]])
def test_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 0
    assert capsys.readouterr().out.startswith("usage: agentroute")


def test_console_script() -> None:
    script = Path(sys.executable).parent / "agentroute"
    assert script.exists(), "reinstall: python -m pip install -e '.[dev]'"
    result = subprocess.run(
        [str(script), *ERLANG], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "P(wait)                 0.5875" in result.stdout
    bad = subprocess.run(
        [str(script), "staff", "--rate", "100"], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2
    assert "error:" in bad.stderr
