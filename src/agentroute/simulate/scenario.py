"""
A simulation scenario as plain data: the router, the traffic, the handling.

A scenario is a dict (or a TOML file's contents) with these keys:

- ``router``: a configuration document, exactly as `Router.from_config` reads it;
- ``arrivals`` (default none): a list of Poisson streams, each ``{department, channel,
  rate_per_hour}`` and optionally ``profile`` (hour of day ``"0"``..``"23"`` to
  a rate multiplier, 1 for hours not named), ``weekdays`` (day ``"mon"``..``"sun"``
  to a multiplier, 1 for days not named, on top of the profile),
  ``customers`` (the size of a pool
  of repeat customers), ``priority`` (the items' priority) and ``group`` with
  ``group_share`` (the share of arrivals whose customer is in that group);
- ``handling``: per channel, ``{distribution, mean_s, sigma}``, the handling
  time: ``"exponential"`` (the default) with mean ``mean_s``,
  ``"lognormal"`` with mean ``mean_s`` and ``sigma`` the standard deviation of
  its logarithm, or ``"empirical"``, drawn uniformly among the recorded
  ``handling_s`` of the channel's trace rows;
- ``patience``: per channel, optionally ``{distribution, mean_s}``: a waiting
  customer abandons after an exponential time with mean ``mean_s``;
- ``reopen``: per channel, optionally ``{probability, mean_delay_s}``: an
  item closed as handled is reopened by its customer with that probability,
  after an exponential delay with mean ``mean_delay_s``;
- ``breaks`` (default none): a list of ``{agent, at, duration_s, reason}``:
  the agent takes a break at ``"HH:MM"`` (UTC) every simulated day;
- ``duration_s``, ``warmup_s`` (default 0) and ``sla_target_s`` (default 20).
  Every item's SLA deadline is its arrival plus ``sla_target_s``; the service
  level counts the items answered within it;
- ``start`` (default 0): the POSIX time the run starts at, which sets the
  hour of day of the profiles (UTC) and of the agents' schedules;
- ``trace``: the path of a CSV file of recorded arrivals (see
  `agentroute.simulate.trace`), relative to the scenario file's folder when
  the scenario comes from `load`, else to *base* or the working directory;
- ``trace_rows``: recorded arrivals inline, each a table with the trace's
  columns as keys (``arrival_s``, ``channel`` and ``department`` required);
- ``extends`` (files only): the path of a base scenario file, relative to
  this file's folder, that `load` reads first and merges this file over
  (see `load`).

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
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import attrs

from agentroute import _plain, config
from agentroute.errors import InvalidDataError
from agentroute.simulate import trace
from agentroute.simulate.trace import TraceRow

__all__ = [
    "WEEKDAYS",
    "Arrivals",
    "Break",
    "Handling",
    "Patience",
    "Reopen",
    "Scenario",
    "TraceRow",
    "load",
    "merge",
    "parse",
]

_HOURS = frozenset(str(hour) for hour in range(24))

#: The ``weekdays`` keys, Monday first.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_CLOCK_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


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
        weekdays: Day of the week (``"mon"`` to ``"sun"``, UTC) to a
            multiplier of the rate, on top of *profile*; days not named
            have multiplier 1.
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
    weekdays: dict[str, float] = attrs.Factory(dict)
    customers: int | None = None
    priority: int = 50
    group: str | None = None
    group_share: float = 1.0


@attrs.frozen
class Handling:
    """
    How long an agent spends on one item of a channel.

    Attributes:
        mean_s: The mean handling time in seconds (exponential and
            lognormal; an empirical time takes none).
        distribution: ``"exponential"``, ``"lognormal"`` or ``"empirical"``:
            uniformly one of the ``handling_s`` of the channel's recorded
            rows (``trace`` and ``trace_rows``).
        sigma: For lognormal, the standard deviation of the time's logarithm.

    Added in 0.2.
    """

    mean_s: float | None = None
    distribution: Literal["exponential", "lognormal", "empirical"] = "exponential"
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
class Reopen:
    """
    How often a channel's customers reopen an item after it was handled.

    Attributes:
        probability: The chance, from 0 up to (not including) 1, that an
            item closed as handled is reopened; a reopened item handled
            again may be reopened again, with the same chance.
        mean_delay_s: The mean time from the close to the reopen, in
            seconds (exponential).

    Added in 0.2.
    """

    probability: float
    mean_delay_s: float


@attrs.frozen
class Break:
    """
    A break an agent takes at the same time every simulated day.

    Attributes:
        agent: The agent's id.
        at: The time of day the break starts, ``"HH:MM"`` (UTC).
        duration_s: The break's length in seconds.
        reason: Why, e.g. ``"coffee"``; told in the ``break_started`` event.

    Added in 0.2.
    """

    agent: str
    at: str
    duration_s: float
    reason: str | None = None

    @property
    def offset_s(self) -> int:
        """The seconds from midnight (UTC) the break starts at, for an ``at`` `parse` accepted."""
        hours, minutes = self.at.split(":")
        return int(hours) * 3600 + int(minutes) * 60


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
    reopen: dict[str, Reopen] = attrs.Factory(dict)
    breaks: list[Break] = attrs.Factory(list)
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
            That includes an ``extends`` key, which only `load` reads.

    Added in 0.2.
    """
    if not isinstance(data, Scenario) and "extends" in data:
        message = (
            f"names a base scenario file ({data['extends']!r}), which only load() reads; "
            "call agentroute.simulate.scenario.load() on the file, or merge the base in yourself"
        )
        raise InvalidDataError("scenario", [("extends", message)])
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
    problems += [f"{path}: {message}" for path, message in _unrecorded(scenario)]
    if problems:
        raise InvalidDataError("scenario", [problem.partition(": ")[::2] for problem in problems])
    return scenario


def load(path: str | Path) -> Scenario:
    """
    Read and parse a ``.toml`` or ``.json`` scenario file, and the files it extends.

    A relative ``trace`` path starts from the folder of the file that names it.

    A file with ``extends = "base.toml"`` (a path relative to its folder) is
    a variant: its base scenario is read first, and the file is merged over
    it. Tables merge key by key, at every depth; any other value, arrays
    included, replaces the base's. A base may extend another in turn, but
    not, at any remove, itself.

    Raises:
        InvalidDataError: As `parse`, or a file holds no table, or an
            ``extends`` is not a ``.toml`` or ``.json`` path or closes a
            cycle (the problem names the files).
        InvalidValueError: The suffix is neither, or a file does not parse
            (the error's ``path`` is the file's).
        OSError: A file cannot be read (the error's ``filename`` is the file's;
            for a base, a note, in ``__notes__``, names the file extending it:
            ``extended by variant.toml``).

    Added in 0.2.
    """
    return parse(_read(Path(path), ()), base=Path(path).parent)


def _read(path: Path, within: tuple[Path, ...]) -> dict[str, Any]:
    """
    Return the plain data of the scenario file *path* merged over the files it extends.

    *within* holds the files that extend this one, the first named first;
    a relative ``trace`` of an extended file is made absolute, since the
    merged scenario is parsed from the first file's folder.
    """
    try:
        data = config.read(path)
    except OSError as error:
        if within:
            error.add_note(f"extended by {within[-1]}")
        raise
    except InvalidDataError as error:
        if not within:
            raise
        problems = [(*problem.partition(": ")[::2],) for problem in error.problems]
        raise InvalidDataError(
            "scenario", [(where, f"{message} (in {path})") for where, message in problems]
        ) from error
    if within and isinstance(data.get("trace"), str):
        data["trace"] = str((path.parent / data["trace"]).absolute())
    if "extends" not in data:
        return data
    named = data.pop("extends")
    if not isinstance(named, str) or Path(named).suffix.lower() not in (".toml", ".json"):
        message = f"must be the path of a .toml or .json scenario file, got {named!r} (in {path})"
        raise InvalidDataError("scenario", [("extends", message)])
    base = path.parent / named
    chain = (*within, path)
    if any(base.resolve() == seen.resolve() for seen in chain):
        files = " extends ".join(map(str, (*chain, base)))
        message = f"a cycle: {files}; a scenario cannot extend itself, at any remove"
        raise InvalidDataError("scenario", [("extends", message)])
    return merge(_read(base, chain), data)


def merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """
    Return *base* with *over* merged in: tables key by key, at every depth; other values replaced.

    Neither argument is changed. This is how `load` merges a file over the
    scenario it ``extends``.

    >>> merge({"router": {"agents": {"ana": {}}}, "breaks": [1, 2]},
    ...       {"router": {"agents": {"bob": {}}}, "breaks": [3]})
    {'router': {'agents': {'ana': {}, 'bob': {}}}, 'breaks': [3]}

    Added in 0.2.
    """
    merged = dict(base)
    for key, value in over.items():
        below = merged.get(key)
        if isinstance(value, Mapping) and isinstance(below, Mapping):
            merged[key] = merge(below, value)
        else:
            merged[key] = value
    return merged


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
        for day, factor in stream.weekdays.items():
            if day not in WEEKDAYS:
                found.append((f"{where}.weekdays.{day}", "days are 'mon' to 'sun'"))
            elif factor < 0:
                found.append((f"{where}.weekdays.{day}", f"must be >= 0, got {factor!r}"))
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
        if handling.distribution == "empirical":
            if handling.mean_s is not None:
                message = "an empirical time takes no mean_s; it draws from the trace"
                found.append((f"handling.{channel}.mean_s", message))
        elif handling.mean_s is None:
            message = f"required for an {handling.distribution} time (or use 'empirical')"
            found.append((f"handling.{channel}.mean_s", message))
        else:
            positive(f"handling.{channel}.mean_s", handling.mean_s)
        lognormal = handling.distribution == "lognormal"
        if lognormal and (handling.sigma is None or handling.sigma <= 0):
            found.append((f"handling.{channel}.sigma", "lognormal needs a sigma > 0"))
        if not lognormal and handling.sigma is not None:
            found.append((f"handling.{channel}.sigma", "only a lognormal takes a sigma"))
    for channel, patience in scenario.patience.items():
        positive(f"patience.{channel}.mean_s", patience.mean_s)
    for channel, reopen in scenario.reopen.items():
        if not 0 <= reopen.probability < 1:
            message = f"must be >= 0 and < 1, got {reopen.probability!r}"
            found.append((f"reopen.{channel}.probability", message))
        positive(f"reopen.{channel}.mean_delay_s", reopen.mean_delay_s)
    for index, pause in enumerate(scenario.breaks):
        if _CLOCK_TIME.fullmatch(pause.at) is None:
            message = f"expected a UTC time of day 'HH:MM' (00:00 to 23:59), got {pause.at!r}"
            found.append((f"breaks[{index}].at", message))
        positive(f"breaks[{index}].duration_s", pause.duration_s)
    positive("duration_s", scenario.duration_s)
    if not 0 <= scenario.warmup_s < scenario.duration_s:
        message = f"must be >= 0 and below duration_s, got {scenario.warmup_s!r}"
        found.append(("warmup_s", message))
    if scenario.sla_target_s < 0:
        found.append(("sla_target_s", f"must be >= 0, got {scenario.sla_target_s!r}"))
    return found


def _unrecorded(scenario: Scenario) -> list[tuple[str, str]]:
    """Return a problem for each empirical channel no recorded row gives a handling time for."""
    return [
        (
            f"handling.{channel}.distribution",
            f"empirical needs recorded rows of channel {channel!r} with a handling_s "
            "(in trace or trace_rows)",
        )
        for channel, handling in scenario.handling.items()
        if handling.distribution == "empirical" and not recorded_times(scenario, channel)
    ]


def recorded_times(scenario: Scenario, channel: str) -> list[float]:
    """Return the ``handling_s`` of *channel*'s recorded rows: the trace's, then ``trace_rows``."""
    return [
        row.handling_s
        for row in (*(scenario.recorded or ()), *scenario.trace_rows)
        if row.channel == channel and row.handling_s is not None
    ]


def lognormal_mu(mean_s: float, sigma: float) -> float:
    """Return the mean of the logarithm of a lognormal time with mean *mean_s*."""
    return math.log(mean_s) - sigma * sigma / 2
