"""
The simulator's random draws: arrival times, handling times, patience and reopens.

Each arrival stream draws from its own `random.Random`, seeded from the run's
seed and the stream's place in ``arrivals``, and draws everything about an
item when it arrives; so strategies and variants compared with one seed see
the same customers.

Added in 0.2.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from agentroute.simulate.scenario import Arrivals, Reopen, Scenario, lognormal_mu, recorded_times

__all__ = [
    "Again",
    "Draws",
    "Stream",
    "handling_draw",
    "patience_draw",
    "reopen_draws",
    "week_factors",
]

_WEEK_S = 7 * 86400

#: A reopen drawn at arrival: the delay after the close, the handling time, the patience.
Again = tuple[float, float, float | None]

#: A channel's draws of handling time and patience for recorded rows (None: the rows give them).
Draws = tuple[Callable[[], float] | None, Callable[[], float] | None]


def handling_draw(scenario: Scenario, channel: str, rng: random.Random) -> Callable[[], float]:
    """Return the draw of *channel*'s handling time."""
    handling = scenario.handling[channel]
    if handling.distribution == "empirical":
        times = recorded_times(scenario, channel)
        return lambda: rng.choice(times)
    mean_s: float = handling.mean_s  # type: ignore[assignment]
    if handling.distribution == "lognormal":
        sigma: float = handling.sigma  # type: ignore[assignment]
        mu = lognormal_mu(mean_s, sigma)
        return lambda: rng.lognormvariate(mu, sigma)
    rate = 1 / mean_s
    return lambda: rng.expovariate(rate)


def patience_draw(
    scenario: Scenario, channel: str, rng: random.Random
) -> Callable[[], float] | None:
    """Return the draw of *channel*'s patience, or None when its customers wait forever."""
    patience = scenario.patience.get(channel)
    if patience is None:
        return None
    leave = 1 / patience.mean_s
    return lambda: rng.expovariate(leave)


def reopen_draws(
    reopen: Reopen,
    rng: random.Random,
    handle: Callable[[], float],
    patience: Callable[[], float | None],
) -> tuple[Again, ...]:
    """Draw an item's reopens: each handled close is reopened with the probability."""
    chain: list[Again] = []
    rate = 1 / reopen.mean_delay_s
    while rng.random() < reopen.probability:
        delay = rng.expovariate(rate)
        handle_s = handle()
        chain.append((delay, handle_s, patience()))
    return tuple(chain)


def week_factors(spec: Arrivals) -> list[float]:
    """
    Return the stream's rate multiplier for each hour of the week, profile times weekday.

    Hour 0 is Thursday 00:00 UTC, as the POSIX epoch was a Thursday.
    """
    days = [
        spec.weekdays.get(day, 1.0) for day in ("thu", "fri", "sat", "sun", "mon", "tue", "wed")
    ]
    hours = [spec.profile.get(str(hour), 1.0) for hour in range(24)]
    return [hours[hour % 24] * days[hour // 24] for hour in range(168)]


def _no_patience() -> None:
    return None


class Stream:
    """An arrival stream's draws: times by thinning a Poisson process, then each item's marks."""

    __slots__ = ("again", "factors", "handle", "patience", "peak", "rng", "spec")

    def __init__(self, spec: Arrivals, scenario: Scenario, seed: int, index: int) -> None:
        self.spec = spec
        self.rng = random.Random(f"agentroute.simulate:{seed}:{index}")
        self.factors = week_factors(spec)
        self.peak = max(self.factors)
        self.handle = handling_draw(scenario, spec.channel, self.rng)
        self.patience = patience_draw(scenario, spec.channel, self.rng)
        reopen = scenario.reopen.get(spec.channel)
        self.again: Callable[[], tuple[Again, ...]] | None = None
        if reopen is not None:
            rng, handle, patience = self.rng, self.handle, self.patience or _no_patience
            self.again = lambda: reopen_draws(reopen, rng, handle, patience)

    def next_arrival(self, after: float, start: float) -> float:
        """Return the next arrival time after *after* (infinite when the rate is zero)."""
        if self.peak == 0:
            return math.inf
        rate = self.spec.rate_per_hour * self.peak / 3600
        rng = self.rng
        factors = self.factors
        at = after
        while True:
            at += rng.expovariate(rate)
            factor = factors[int((start + at) % _WEEK_S // 3600)]
            if factor == self.peak or rng.random() * self.peak < factor:
                return at
