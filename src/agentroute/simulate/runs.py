"""
Run scenarios: once (`simulate`), once per strategy (`compare`), or variants side by side.

The runs themselves are `agentroute.simulate.engine`'s; this module checks
the arguments, parses the scenarios and names the reports.

Added in 0.2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from agentroute import strategies
from agentroute.errors import InvalidDataError, InvalidValueError
from agentroute.simulate.engine import Clock, Progress, Run, build_router
from agentroute.simulate.report import Report
from agentroute.simulate.scenario import Scenario, parse

__all__ = ["compare", "compare_variants", "simulate"]


def simulate(
    scenario: Mapping[str, Any] | Scenario,
    *,
    seed: int = 0,
    strategy: str | None = None,
    progress: Progress | None = None,
) -> Report:
    """
    Run a scenario once and return what it measured.

    Args:
        scenario: The scenario as plain data (see `agentroute.simulate.scenario`)
            or a parsed `Scenario`.
        seed: Seeds every random draw; the same seed gives the same report.
        strategy: A strategy name that replaces every department's
            strategies (and the defaults), to compare strategies on one scenario.
        progress: Called with the share of ``duration_s`` simulated so far,
            from 0.0 to 1.0: at the start, about every 1% of it, and with
            1.0 at the end (for a progress bar); it does not change the run.

    Returns:
        The run's `Report`.

    Raises:
        InvalidDataError: The scenario is invalid, including its ``router``
            section (problems are named ``router.departments...``), or an
            arrival stream names a department the router lacks. The problems
            are those of one round of checks: the scenario's keys, then
            (once they are valid) the router section, then the names that
            refer to the router (departments, the agents of breaks).
        InvalidValueError: *seed* is not an int, *strategy* is not a
            registered strategy name, or *progress* is not callable.

    Examples:
        >>> scenario = {
        ...     "router": {
        ...         "departments": {"support": {}},
        ...         "agents": {
        ...             "ana": {"capacity": {"chat": 2}, "departments": {"support": ["chat"]}},
        ...         },
        ...     },
        ...     "arrivals": [{"department": "support", "channel": "chat", "rate_per_hour": 20}],
        ...     "handling": {"chat": {"mean_s": 180}},
        ...     "duration_s": 8 * 3600,
        ... }
        >>> report = simulate(scenario, seed=1)
        >>> report.offered == report.handled
        True

    Added in 0.2.
    """
    if type(seed) is not int:
        raise InvalidValueError("seed", f"must be an int, got {seed!r}")
    if strategy is not None:
        _check_strategy(strategy)
    if progress is not None and not callable(progress):
        raise InvalidValueError("progress", f"must be a callable or None, got {progress!r}")
    parsed = parse(scenario)
    return Run(parsed, seed, strategy, progress).run()


def compare(
    scenario: Mapping[str, Any] | Scenario,
    strategies: list[str],
    *,
    seed: int = 0,
    progress: Progress | None = None,
) -> dict[str, Report]:
    """
    Run a scenario once per strategy, with the same seed, and return the reports by strategy.

    The runs see the same arrivals, handling times and patience, so their
    differences come from routing alone.

    Args:
        scenario: As for `simulate`.
        strategies: The strategy names, one run each, in this order.
        seed: As for `simulate`.
        progress: As for `simulate`, over all the runs: the first of two
            runs goes from 0.0 to 0.5.

    Raises:
        As `simulate`.

    Added in 0.2.
    """
    parsed = parse(scenario)
    reports: dict[str, Report] = {}
    for index, name in enumerate(strategies):
        share = None if progress is None else _share(progress, index, len(strategies))
        reports[name] = simulate(parsed, seed=seed, strategy=name, progress=share)
    return reports


def compare_variants(
    variants: Mapping[str, Mapping[str, Any] | Scenario],
    *,
    seed: int = 0,
    strategies: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> dict[str, Report]:
    """
    Run variants of a scenario with the same seed, and return the reports by variant.

    Variants that differ only in their ``router`` (more agents, other
    shifts, other strategies) see the same customers, so their differences
    come from the change alone (common random numbers). Every variant is
    parsed, and its router built, before anything runs.

    Args:
        variants: Each variant's name, and the variant as for `simulate`.
        seed: As for `simulate`, for every run.
        strategies: With strategy names, each variant runs once per strategy
            (as `compare`), and its reports are named ``"variant/strategy"``;
            without, each runs once as configured, named as the variant.
        progress: As for `simulate`, over all the runs.

    Returns:
        The reports, variant by variant (and strategy by strategy within
        one), each with its `Report.variant` set.

    Raises:
        InvalidDataError: A variant is invalid; the error's ``what`` is
            ``"scenario 'NAME'"``, naming it, and its problems are as `simulate`'s.
        InvalidValueError: As `simulate`, or *variants* is empty.

    Examples:
        >>> base = {
        ...     "router": {"departments": {"help": {}}, "agents": {
        ...         "ana": {"capacity": {"chat": 1}, "departments": {"help": ["chat"]}}}},
        ...     "arrivals": [{"department": "help", "channel": "chat", "rate_per_hour": 20}],
        ...     "handling": {"chat": {"mean_s": 150}},
        ...     "duration_s": 8 * 3600,
        ... }
        >>> bigger = {**base, "router": {"departments": {"help": {}}, "agents": {
        ...     "ana": {"capacity": {"chat": 2}, "departments": {"help": ["chat"]}}}}}
        >>> runs = compare_variants({"one slot": base, "two slots": bigger}, seed=3)
        >>> runs["one slot"].offered == runs["two slots"].offered
        True
        >>> runs["one slot"].asa_s > runs["two slots"].asa_s
        True

    Added in 0.2.
    """
    if not variants:
        raise InvalidValueError("variants", "no variants: name at least one scenario")
    if strategies is not None:
        for name in strategies:
            _check_strategy(name)
    runs = [
        (name, _parse_variant(name, scenario), strategy)
        for name, scenario in variants.items()
        for strategy in (strategies if strategies is not None else [None])
    ]
    reports: dict[str, Report] = {}
    for index, (name, parsed, strategy) in enumerate(runs):
        share = None if progress is None else _share(progress, index, len(runs))
        report = simulate(parsed, seed=seed, strategy=strategy, progress=share)
        label = name if strategy is None else f"{name}/{strategy}"
        reports[label] = attrs.evolve(report, variant=name)
    return reports


def _parse_variant(name: str, scenario: Mapping[str, Any] | Scenario) -> Scenario:
    """Parse *scenario* and build its router once, naming the variant in any `InvalidDataError`."""
    try:
        parsed = parse(scenario)
        build_router(parsed, Clock(parsed.start), None)
    except InvalidDataError as error:
        problems = [problem.partition(": ")[::2] for problem in error.problems]
        raise InvalidDataError(f"scenario {name!r}", problems) from error
    return parsed


def _check_strategy(strategy: str) -> None:
    if strategy not in strategies.names():
        known = ", ".join(strategies.names())
        raise InvalidValueError("strategy", f"unknown strategy {strategy!r}; known: {known}")


def _share(progress: Progress, index: int, runs: int) -> Progress:
    """Return a callback that reports run *index*'s progress as its share of all *runs*."""
    return lambda done: progress((index + done) / runs)
