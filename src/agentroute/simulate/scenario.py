"""
A simulation scenario as plain data: the router, the traffic, the handling.

A scenario is a dict (or a TOML file's contents) with these keys:

- ``router``: a configuration document, exactly as `Router.from_config` reads it;
- ``arrivals`` (default none): a list of Poisson streams, each ``{department, channel,
  rate_per_hour}`` and optionally ``profile`` (hour of day ``"0"``..``"23"`` to
  a rate multiplier, 1 for hours not named), ``customers`` (the size of a pool
  of repeat customers), ``priority`` (the items' priority) and ``group`` with
  ``group_share`` (the share of arrivals whose customer is in that group);
- ``handling``: per channel, ``{distribution, mean_s, sigma}``, the handling
  time: ``"exponential"`` (the default) with mean ``mean_s``, or
  ``"lognormal"`` with mean ``mean_s`` and ``sigma`` the standard deviation of
  its logarithm;
- ``patience``: per channel, optionally ``{distribution, mean_s}``: a waiting
  customer abandons after an exponential time with mean ``mean_s``;
- ``duration_s``, ``warmup_s`` (default 0) and ``sla_target_s`` (default 20).
  Every item's SLA deadline is its arrival plus ``sla_target_s``; the service
  level counts the items answered within it;
- ``start`` (default 0): the POSIX time the run starts at, which sets the
  hour of day of the profiles (UTC) and of the agents' schedules;
- ``trace``: the path of a CSV file of recorded arrivals (see
  `agentroute.simulate.trace`), relative to the scenario file's folder when
  the scenario comes from `load`, else to *base* or the working directory;
- ``trace_rows``: recorded arrivals inline, each a table with the trace's
  columns as keys (``arrival_s``, ``channel`` and ``department`` required).

Recorded arrivals come on top of the Poisson streams; a scenario needs
one or the other, or both. `parse` checks all of it and reports every
problem at once with its key path (``trace[12].channel: ... (line 14)`` for
a row of the trace file).

Examples:
    >>> scenario = parse({
    ...     "router": {"departments": {"support": {}}},
    ...     "arrivals": [{"department": "support", "channel": "chat", "rate_per_hour": 10}],
    ...     "handling": {"chat": {"mean_s": 120}},
    ...     "duration_s": 3600,
    ... })
    >>> scenario.arrivals[0].rate_per_hour, scenario.handling["chat"].distribution
    (10.0, 'exponential')

Added in 0.2.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import attrs

from agentroute import _plain, config
from agentroute.errors import InvalidDataError
from agentroute.simulate import trace
from agentroute.simulate.trace import TraceRow

__all__ = ["Arrivals", "Handling", "Patience", "Scenario", "TraceRow", "load", "parse"]

_HOURS = frozenset(str(hour) for hour in range(24))


@attrs.frozen
class Arrivals:
    """
    A stream of arrivals: a Poisson process whose rate may vary by hour of day.

    Attributes:
        department: The items' department.
        channel: The items' channel.
        rate_per_hour: The mean number of arrivals per hour (times the profile).
        profile: Hour of day (``"0"`` to ``"23"``, UTC) to a multiplier of
            the rate; hours not named have multiplier 1.
        customers: With a number, each item's customer is drawn uniformly
            from ``customer0`` to ``customer{n-1}`` (names streams share); without,
            items have no customer.
        priority: The items' priority, 1 (most urgent) to 100.
        group: A customer group (``Item.group``), for dedicated agents.
        group_share: The share of the stream's items in *group*.

    Added in 0.2.
    """

    department: str
    channel: str
    rate_per_hour: float
    profile: dict[str, float] = attrs.Factory(dict)
    customers: int | None = None
    priority: int = 50
    group: str | None = None
    group_share: float = 1.0


@attrs.frozen
class Handling:
    """
    How long an agent spends on one item of a channel.

    Attributes:
        mean_s: The mean handling time in seconds.
        distribution: ``"exponential"`` or ``"lognormal"``.
        sigma: For lognormal, the standard deviation of the time's logarithm.

    Added in 0.2.
    """

    mean_s: float
    distribution: Literal["exponential", "lognormal"] = "exponential"
    sigma: float | None = None


@attrs.frozen
class Patience:
    """
    How long a waiting customer of a channel waits before abandoning.

    Attributes:
        mean_s: The mean patience in seconds.
        distribution: ``"exponential"``.

    Added in 0.2.
    """

    mean_s: float
    distribution: Literal["exponential"] = "exponential"


@attrs.frozen
class Scenario:
    """
    A whole scenario; build one from plain data with `parse`.

    ``recorded`` holds the rows `parse` read from the ``trace`` file.

    Added in 0.2.
    """

    router: dict[str, Any]
    handling: dict[str, Handling]
    duration_s: float
    arrivals: list[Arrivals] = attrs.Factory(list)
    patience: dict[str, Patience] = attrs.Factory(dict)
    warmup_s: float = 0.0
    sla_target_s: float = 20.0
    start: float = 0.0
    trace: str | None = None
    trace_rows: list[TraceRow] = attrs.Factory(list)
    recorded: tuple[TraceRow, ...] | None = attrs.field(default=None, init=False)


def parse(data: Mapping[str, Any] | Scenario, *, base: str | Path | None = None) -> Scenario:
    """
    Build a `Scenario` from plain data, checking every key, and read its trace file.

    The ``router`` section is checked when the router is built (by
    `Router.from_config`), since that is the only way to check it completely.

    Args:
        data: The scenario's plain data, or a `Scenario` (returned as it
            is once its trace file, if any, is read).
        base: The folder a relative ``trace`` path starts from; the working
            directory by default.

    Raises:
        InvalidDataError: The scenario is invalid; ``problems`` lists every
            problem with its key path (``arrivals[0].rate_per_hour: ...``).

    Added in 0.2.
    """
    if isinstance(data, Scenario):
        scenario = data
        if scenario.recorded is not None or scenario.trace is None:
            return scenario
    else:
        scenario = _plain.structure(data, Scenario, "scenario")
    problems = [f"{path}: {message}" for path, message in _problems(scenario)]
    if scenario.trace is not None:
        file = Path(base if base is not None else ".") / scenario.trace
        rows, mistakes = trace.read(file, scenario.handling)
        problems += mistakes
        object.__setattr__(scenario, "recorded", tuple(rows))  # read once, at parsing
    if problems:
        raise InvalidDataError("scenario", [problem.partition(": ")[::2] for problem in problems])
    return scenario


def load(path: str | Path) -> Scenario:
    """
    Read and parse a ``.toml`` or ``.json`` scenario file.

    A relative ``trace`` path starts from the file's folder.

    Raises:
        InvalidDataError: As `parse`, or the file holds no table.
        InvalidValueError: The suffix is neither, or the file does not parse.
        OSError: The file cannot be read.

    Added in 0.2.
    """
    return parse(config.read(path), base=Path(path).parent)


def _problems(scenario: Scenario) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    def positive(path: str, value: float) -> None:
        if value <= 0:
            found.append((path, f"must be > 0, got {value!r}"))

    for index, stream in enumerate(scenario.arrivals):
        where = f"arrivals[{index}]"
        positive(f"{where}.rate_per_hour", stream.rate_per_hour)
        for hour, factor in stream.profile.items():
            if hour not in _HOURS:
                found.append((f"{where}.profile.{hour}", "hours are '0' to '23'"))
            elif factor < 0:
                found.append((f"{where}.profile.{hour}", f"must be >= 0, got {factor!r}"))
        if stream.customers is not None and stream.customers < 1:
            found.append((f"{where}.customers", f"must be at least 1, got {stream.customers}"))
        if not 1 <= stream.priority <= 100:
            found.append((f"{where}.priority", f"must be 1 to 100, got {stream.priority}"))
        if not 0 < stream.group_share <= 1:
            found.append((f"{where}.group_share", f"must be in (0, 1], got {stream.group_share}"))
        if stream.channel not in scenario.handling:
            message = (
                f"no handling time for channel {stream.channel!r}; add handling.{stream.channel}"
            )
            found.append((f"{where}.channel", message))
    for index, row in enumerate(scenario.trace_rows):
        for problem in trace.check(f"trace_rows[{index}]", row, scenario.handling):
            found.append(problem.partition(": ")[::2])
    if not scenario.arrivals and scenario.trace is None and not scenario.trace_rows:
        found.append(("arrivals", "no arrivals: give arrivals, a trace or trace_rows"))
    for channel, handling in scenario.handling.items():
        positive(f"handling.{channel}.mean_s", handling.mean_s)
        lognormal = handling.distribution == "lognormal"
        if lognormal and (handling.sigma is None or handling.sigma <= 0):
            found.append((f"handling.{channel}.sigma", "lognormal needs a sigma > 0"))
        if not lognormal and handling.sigma is not None:
            found.append((f"handling.{channel}.sigma", "only a lognormal takes a sigma"))
    for channel, patience in scenario.patience.items():
        positive(f"patience.{channel}.mean_s", patience.mean_s)
    positive("duration_s", scenario.duration_s)
    if not 0 <= scenario.warmup_s < scenario.duration_s:
        message = f"must be >= 0 and below duration_s, got {scenario.warmup_s!r}"
        found.append(("warmup_s", message))
    if scenario.sla_target_s < 0:
        found.append(("sla_target_s", f"must be >= 0, got {scenario.sla_target_s!r}"))
    return found


def lognormal_mu(mean_s: float, sigma: float) -> float:
    """Return the mean of the logarithm of a lognormal time with mean *mean_s*."""
    return math.log(mean_s) - sigma * sigma / 2
