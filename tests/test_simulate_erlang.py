"""
The simulator against queueing theory: M/M/c runs of the real router match Erlang C and A.

The full check is the one the simulator promises: per model, 10 seeds of
100 000 customers each after a 10% warm-up; the mean of the seeds' figures is
within 1 point of Erlang's service level, 7% of its ASA, 1 point of its
occupancy, and (Erlang A) 1.5 points of its abandonment share. It simulates
3.3 million arrivals (about 3.5 minutes on a 2-core machine), so it runs only
with ``AGENTROUTE_FULL_VALIDATION=1``.

By default the same checks run on 10 000 customers per seed, a tenth of the
sample (about 20 seconds, 45 under coverage). The standard error of a mean
grows as one over the square root of the sample, so the tolerances are
widened by the square root of 10 (about 3.16): 3.2 points, 22%, 3.2 points
and 4.7 points. That still fails for,
say, a router that leaves a free agent idle while customers wait, or a
simulator that mismeasures waits or busy time. The seeds are fixed, so the
outcome never flickers. (Figures of both sizes: docs/guides/capacity.md.)
"""

from __future__ import annotations

import math
import os
import statistics
from typing import Any

import pytest

from agentroute.simulate import simulate
from agentroute.simulate.erlang import ErlangA, ErlangC

FULL = os.environ.get("AGENTROUTE_FULL_VALIDATION") == "1"
CUSTOMERS = 100_000 if FULL else 10_000
SEEDS = range(10)
WARMUP = 0.1
WIDEN = math.sqrt(100_000 / CUSTOMERS)

SL_POINTS = 0.01 * WIDEN
ASA_SHARE = 0.07 * WIDEN
OCCUPANCY_POINTS = 0.01 * WIDEN
ABANDON_POINTS = 0.015 * WIDEN


def mmc(
    agents: int, rate_per_hour: float, aht_s: float, patience_s: float | None = None
) -> dict[str, Any]:
    """Return an M/M/c(+M) scenario: one queue, *agents* agents of one slot, least_busy."""
    duration = CUSTOMERS / (1 - WARMUP) / rate_per_hour * 3600
    scenario: dict[str, Any] = {
        "router": {
            "departments": {"support": {"strategies": {"call": "least_busy"}}},
            "agents": {
                f"agent{index}": {"capacity": {"call": 1}, "departments": {"support": ["call"]}}
                for index in range(agents)
            },
        },
        "arrivals": [{"department": "support", "channel": "call", "rate_per_hour": rate_per_hour}],
        "handling": {"call": {"mean_s": aht_s}},
        "duration_s": duration,
        "warmup_s": WARMUP * duration,
        "sla_target_s": 20,
    }
    if patience_s is not None:
        scenario["patience"] = {"call": {"mean_s": patience_s}}
    return scenario


@pytest.mark.parametrize(
    ("agents", "rate_per_hour"),
    [(6, 100), (10, 180)],
    ids=["load-0.83", "load-0.90"],
)
def test_simulated_mmc_matches_erlang_c(agents: int, rate_per_hour: float) -> None:
    """Service level, ASA and occupancy of the mean of 10 seeds are within tolerance of Erlang C."""
    model = ErlangC(rate_per_hour, 180, agents, target_s=20)
    scenario = mmc(agents, rate_per_hour, 180)

    reports = [simulate(scenario, seed=seed) for seed in SEEDS]

    service_level = statistics.fmean(report.service_level for report in reports)
    asa = statistics.fmean(report.asa_s or 0.0 for report in reports)
    occupancy = statistics.fmean(report.occupancy for report in reports)
    assert abs(model.service_level - service_level) <= SL_POINTS
    assert abs(model.asa_s - asa) <= ASA_SHARE * model.asa_s
    assert abs(model.occupancy - occupancy) <= OCCUPANCY_POINTS
    assert all(report.offered >= 0.95 * CUSTOMERS for report in reports)


def test_simulated_abandonment_matches_erlang_a() -> None:
    """With exponential patience, the mean abandonment share of 10 seeds matches Erlang A."""
    model = ErlangA(100, 180, 6, target_s=20, patience_s=120)

    reports = [simulate(mmc(6, 100, 180, patience_s=120), seed=seed) for seed in SEEDS]

    abandon_rate = statistics.fmean(report.abandon_rate for report in reports)
    service_level = statistics.fmean(report.service_level for report in reports)
    assert abs(model.p_abandon - abandon_rate) <= ABANDON_POINTS
    assert abs(model.service_level - service_level) <= SL_POINTS
