from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parent.parent / "examples"


def test_quickstart_routes_the_burst_and_tells_the_story(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The demo scenario runs end to end: queueing, draining, a transfer and its history."""
    runpy.run_path(str(EXAMPLES / "quickstart.py"), run_name="__main__")

    lines = [line.strip() for line in capsys.readouterr().out.splitlines()]

    assert "c6   -> ana   (least_busy)" in lines
    assert "c7   -> bob   (least_busy)" in lines
    assert "Still waiting: 0 in billing, 0 in support" in lines
    assert "c5   -> cleo  (next_for)" in lines
    assert "owner now: Ownership(item='c5', department='support', agent='cleo')" in lines
    assert "57s  claimed         - -> cleo  in support  by cleo (agent)" in lines
