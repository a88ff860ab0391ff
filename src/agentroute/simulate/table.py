"""
Reports side by side: one column per strategy, one row per figure.

`rows` gives the figures as text, `plain` lays them out with spaces, and
`show` prints them through ``rich`` when it is installed (the ``sim`` extra),
else as `plain` does. Nothing here is needed to simulate.

Added in 0.2.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping
from typing import TextIO

from agentroute.simulate.report import Report

__all__ = ["plain", "rows", "show"]


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _reopened(run: Report) -> str:
    return f"{run.reopened} ({run.reopens_lost} lost)" if run.reopens_lost else str(run.reopened)


def rows(reports: Mapping[str, Report]) -> list[tuple[str, list[str]]]:
    """
    Return ``(label, one value per report)`` rows, in the reports' order.

    The ``In service at the end`` row (`Report.in_service`) is there only
    when some report has such items, so that it shows when it matters.
    """
    runs = list(reports.values())
    targets = sorted({run.sla_target_s for run in runs})
    level = "Service level" + (f" ({targets[0]:g} s)" if len(targets) == 1 else "")
    figures: list[tuple[str, list[str]]] = [
        ("Offered", [str(run.offered) for run in runs]),
        ("Handled", [str(run.handled) for run in runs]),
        ("Abandoned", [f"{run.abandoned} ({run.abandon_rate:.1%})" for run in runs]),
        ("Unanswered", [str(run.unanswered) for run in runs]),
        *(
            [("In service at the end", [str(run.in_service) for run in runs])]
            if any(run.in_service for run in runs)
            else []
        ),
        (level, [f"{run.service_level:.1%}" for run in runs]),
        ("ASA (s)", [_seconds(run.asa_s) for run in runs]),
        ("Wait p50 (s)", [_seconds(run.wait_p50_s) for run in runs]),
        ("Wait p90 (s)", [_seconds(run.wait_p90_s) for run in runs]),
        ("Wait p95 (s)", [_seconds(run.wait_p95_s) for run in runs]),
        ("Occupancy", [f"{run.occupancy:.1%}" for run in runs]),
        ("Fairness CV", [f"{run.fairness_cv:.3f}" for run in runs]),
        ("Fairness Gini", [f"{run.fairness_gini:.3f}" for run in runs]),
        ("Max queue length", [str(run.max_queue_length) for run in runs]),
        ("SLA breaches", [str(run.sla_breaches) for run in runs]),
        ("Reopened", [_reopened(run) for run in runs]),
        ("Wait estimate MAE (s)", [_seconds(run.estimate_mae_s) for run in runs]),
    ]
    return figures


def plain(reports: Mapping[str, Report]) -> str:
    """
    Return the reports as a plain-text table, strategies as columns.

    >>> from agentroute.simulate import simulate
    >>> scenario = {
    ...     "router": {"departments": {"help": {}}, "agents": {
    ...         "ana": {"capacity": {"chat": 1}, "departments": {"help": ["chat"]}}}},
    ...     "arrivals": [{"department": "help", "channel": "chat", "rate_per_hour": 1}],
    ...     "handling": {"chat": {"mean_s": 60}},
    ...     "duration_s": 3600,
    ... }
    >>> print(plain({"least_busy": simulate(scenario, strategy="least_busy")}))
                          least_busy
    Offered                        1
    ...
    SLA breaches                   0
    Reopened                       0
    Wait estimate MAE (s)          -
    """
    table = rows(reports)
    names = list(reports)
    label = max(len(name) for name, _ in table)
    widths = [
        max(len(name), *(len(values[column]) for _, values in table))
        for column, name in enumerate(names)
    ]
    lines = ["  ".join([" " * label, *(f"{n:>{w}}" for n, w in zip(names, widths, strict=True))])]
    for name, values in table:
        cells = (f"{value:>{width}}" for value, width in zip(values, widths, strict=True))
        lines.append("  ".join([f"{name:<{label}}", *cells]))
    return "\n".join(line.rstrip() for line in lines)


def show(reports: Mapping[str, Report], stream: TextIO, *, title: str | None = None) -> None:
    """
    Print the reports to *stream*: a ``rich`` table if ``rich`` is installed, else `plain`.

    Raises:
        BrokenPipeError: *stream* is a pipe its reader closed; it is raised
            with ``rich`` too (whose console would exit the program), so the
            caller decides what to do.
    """
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        if title is not None:
            print(title, file=stream)
        print(plain(reports), file=stream)
        return
    table = Table(title=title, title_justify="left")
    table.add_column("")
    for name in reports:
        table.add_column(name, justify="right")
    for name, values in rows(reports):
        table.add_row(name, *values)

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

    console = _Console(file=stream)
    needed = len(plain(reports).splitlines()[0]) + 4 * len(reports) + 6
    console.width = max(console.width, needed)
    console.print(table)
