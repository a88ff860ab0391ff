r"""
Recorded traffic: arrivals read from a CSV file exported from a helpdesk.

The file has a header row naming its columns, in any order:

- ``arrival_s`` (required): seconds from the start of the run (the
  scenario's ``start``), a number >= 0; rows need not be sorted;
- ``channel`` and ``department`` (required): the item's;
- ``customer``: the customer id (empty for none);
- ``priority``: an int from 1 (most urgent) to 100 (empty for 50);
- ``handling_s``: the handling time in seconds, replacing the one drawn from
  ``handling.<channel>`` (empty to draw it);
- ``patience_s``: seconds the customer waits before abandoning, replacing
  the one drawn from ``patience.<channel>`` (empty to draw it, or to wait
  forever when the channel has no patience).

`read` checks every row and reports every problem at once, as
``trace[3].priority: must be 1 to 100, got 0 (line 5)``: rows are numbered
from 0 after the header, and the line is the file's (the header is line 1).

Examples:
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "trace.csv").write_text(
    ...     "arrival_s,channel,department,handling_s\n0,chat,support,300\n12.5,chat,support,\n"
    ... )
    >>> rows, problems = read(folder / "trace.csv", {"chat"})
    >>> [(row.arrival_s, row.handling_s) for row in rows], problems
    ([(0.0, 300.0), (12.5, None)], [])

Added in 0.2.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Collection
from pathlib import Path
from typing import Any

import attrs

__all__ = ["COLUMNS", "TraceRow", "check", "read"]

#: The columns a trace may have; the first three are required.
COLUMNS = ("arrival_s", "channel", "department", "customer", "priority", "handling_s", "patience_s")
_REQUIRED = COLUMNS[:3]


@attrs.frozen
class TraceRow:
    """
    One recorded arrival.

    Attributes:
        arrival_s: Seconds from the start of the run.
        channel: The item's channel.
        department: The item's department.
        customer: The item's customer, or None.
        priority: The item's priority, 1 (most urgent) to 100.
        handling_s: The handling time, or None to draw it from ``handling``.
        patience_s: The patience, or None to draw it from ``patience``.

    Added in 0.2.
    """

    arrival_s: float
    channel: str
    department: str
    customer: str | None = None
    priority: int = 50
    handling_s: float | None = None
    patience_s: float | None = None


def check(path: str, row: TraceRow, channels: Collection[str], line: str = "") -> list[str]:
    """Return the problems of *row*'s values as ``path.key: message`` texts ending in *line*."""
    found: list[tuple[str, str]] = []
    if row.arrival_s < 0:
        found.append(("arrival_s", f"must be >= 0, got {row.arrival_s!r}"))
    if not 1 <= row.priority <= 100:
        found.append(("priority", f"must be 1 to 100, got {row.priority}"))
    if row.handling_s is not None and row.handling_s <= 0:
        found.append(("handling_s", f"must be > 0, got {row.handling_s!r}"))
    if row.patience_s is not None and row.patience_s <= 0:
        found.append(("patience_s", f"must be > 0, got {row.patience_s!r}"))
    if row.handling_s is None and row.channel not in channels:
        message = (
            f"no handling_s and no handling time for channel {row.channel!r}; "
            f"add handling.{row.channel}"
        )
        found.append(("channel", message))
    return [f"{path}.{key}: {message}{line}" for key, message in found]


def read(file: str | Path, channels: Collection[str]) -> tuple[list[TraceRow], list[str]]:
    """
    Read a trace CSV file (UTF-8) and check it.

    Args:
        file: The file's path.
        channels: The channels with a handling-time distribution.

    Returns:
        The rows, in the file's order, and the problems as
        ``trace[N].column: message (line L)`` texts (``trace: ...`` for the
        whole file); the rows mean nothing unless the problems are none.

    Added in 0.2.
    """
    try:
        with Path(file).open(newline="", encoding="utf-8") as handle:
            return _rows(csv.reader(handle), channels)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        return [], [f"trace: cannot read {str(file)!r}: {error}"]


def _rows(reader: Any, channels: Collection[str]) -> tuple[list[TraceRow], list[str]]:
    header = next(reader, None)
    if header is None:
        return [], ["trace: the file is empty; it needs a header row"]
    names = [name.strip() for name in header]
    problems = [
        f"trace: unknown column {name!r}; known: {', '.join(COLUMNS)}"
        for name in names
        if name not in COLUMNS
    ]
    problems += [f"trace: missing column {name!r}" for name in _REQUIRED if name not in names]
    problems += [f"trace: column {name!r} twice" for name in set(names) if names.count(name) > 1]
    if problems:
        return [], problems
    rows: list[TraceRow] = []
    for index, fields in enumerate(reader):
        where = f"trace[{index}]"
        line = f" (line {reader.line_num})"
        if len(fields) != len(names):
            problems.append(f"{where}: expected {len(names)} fields, got {len(fields)}{line}")
            continue
        values = dict(zip(names, (field.strip() for field in fields), strict=True))
        mistakes: list[str] = []
        row = _row(values, mistakes)
        if row is None:
            problems += [f"{where}.{mistake}{line}" for mistake in mistakes]
        else:
            problems += check(where, row, channels, line)
            rows.append(row)
    return rows, problems


def _row(values: dict[str, str], mistakes: list[str]) -> TraceRow | None:
    """Convert one row's texts, adding ``column: message`` to *mistakes* for each bad one."""

    def number(key: str) -> float | None:
        text = values.get(key, "")
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            mistakes.append(f"{key}: expected a finite number, got {text!r}")
        return value

    def text(key: str) -> str:
        value = values[key]
        if not value:
            mistakes.append(f"{key}: required, got an empty field")
        return value

    arrival = number("arrival_s")
    if arrival is None:
        mistakes.append("arrival_s: required, got an empty field")
    channel, department = text("channel"), text("department")
    priority = 50
    written = values.get("priority", "")
    if written:
        try:
            priority = int(written)
        except ValueError:
            mistakes.append(f"priority: expected an int, got {written!r}")
    handling, patience = number("handling_s"), number("patience_s")
    if mistakes:
        return None
    return TraceRow(
        arrival_s=arrival,  # type: ignore[arg-type]
        channel=channel,
        department=department,
        customer=values.get("customer") or None,
        priority=priority,
        handling_s=handling,
        patience_s=patience,
    )
