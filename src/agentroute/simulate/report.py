"""
What a simulation run measured: waits, service level, occupancy, fairness.

Only items that arrived after the warm-up count, and occupancy is measured
over the time from the end of the warm-up to the end of the arrivals.

Added in 0.2.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import attrs

__all__ = ["Report", "coefficient_of_variation", "gini", "percentile"]


@attrs.frozen
class Report:
    """
    The figures of one simulation run.

    Attributes:
        strategy: The strategy that overrode the configuration's, or None.
        seed: The run's seed.
        offered: Items that arrived after the warm-up.
        handled: Of those, items an agent answered and finished.
        abandoned: Of those, items whose customer gave up waiting.
        unanswered: Of those, items still waiting, never answered, when the run ended.
        service_level: The share of *offered* answered within
            *sla_target_s*; abandoned and unanswered items count as misses.
        sla_target_s: The service-level threshold in seconds.
        asa_s: Average speed of answer: the mean wait of the answered items
            (None if none was answered).
        wait_p50_s: The median wait of the answered items (nearest rank).
        wait_p90_s: Its 90th percentile.
        wait_p95_s: Its 95th percentile.
        occupancy: Busy slot-seconds of all agents over their slot-seconds:
            the sum, over agents, of the time each of their items was assigned
            to them, within the observed time, divided by the sum of each
            agent's slots (its capacity limits added up over channels)
            times the observed time (``duration_s - warmup_s``).
        agent_occupancy: The same per agent, by agent id.
        handled_by: Items handled per agent (counted items only).
        fairness_cv: Coefficient of variation of *handled_by* (0 is perfectly even).
        fairness_gini: Gini coefficient of *handled_by* (0 is perfectly even).
        max_queue_length: The most items waiting at once in one queue
            (department and channel) after the warm-up.
        sla_breaches: ``sla_breach`` events of counted items.
        reopened: Reopens of counted items: times a customer reopened one
            after it was handled (``reopen`` in the scenario). A reopened
            item is routed again, and its agents' time counts in the
            occupancy, but it is not offered again: its second wait,
            handling or abandonment counts in no other figure.
        reopens_lost: Reopens of counted items the router refused because
            it had forgotten the item: more than its ``retain_closed``
            items closed between the close and the reopen. Raise
            ``router.retain_closed`` in the scenario when this is not 0.
        estimate_samples: Waits the router's `estimated_wait` was checked on:
            each time a counted item queued in a push line and the estimate
            had seconds, and the item was then assigned (not abandoned, not
            still waiting at the end).
        estimate_mae_s: The mean absolute error of those estimates against
            the waits that followed, from queuing to assignment (None
            without samples).
        estimate_bias_s: Their mean signed error, estimate minus wait:
            positive when the router promised longer waits than came.
        estimate_wait_s: The mean of the waits that followed, to set the
            error against (None without samples).
        variant: The name of the scenario variant the run is of, when
            `compare_variants` ran it; else None.
        in_service: Of *offered*, items an agent answered but nobody had
            closed when the run stopped (at twice ``duration_s``): still with
            an agent, or taken back from one and in line again. So
            ``offered == handled + abandoned + unanswered + in_service``.
            Reopened items are not counted again.

    Added in 0.2.
    """

    strategy: str | None
    seed: int
    offered: int
    handled: int
    abandoned: int
    unanswered: int
    service_level: float
    sla_target_s: float
    asa_s: float | None
    wait_p50_s: float | None
    wait_p90_s: float | None
    wait_p95_s: float | None
    occupancy: float
    agent_occupancy: dict[str, float]
    handled_by: dict[str, int]
    fairness_cv: float
    fairness_gini: float
    max_queue_length: int
    sla_breaches: int
    reopened: int = 0
    reopens_lost: int = 0
    estimate_samples: int = 0
    estimate_mae_s: float | None = None
    estimate_bias_s: float | None = None
    estimate_wait_s: float | None = None
    variant: str | None = None
    in_service: int = 0

    @property
    def abandon_rate(self) -> float:
        """The share of offered items abandoned (0 when nothing was offered)."""
        return self.abandoned / self.offered if self.offered else 0.0

    def to_dict(self) -> dict[str, Any]:
        """
        Return the figures as JSON-safe plain data.

        The keys are the attribute names; the per-agent figures are objects.
        """
        data = attrs.asdict(self)
        data["abandon_rate"] = self.abandon_rate
        return data

    def __str__(self) -> str:
        def seconds(value: float | None) -> str:
            return "-" if value is None else f"{value:.1f}"

        rows: list[tuple[str, str]] = [] if self.variant is None else [("Variant", self.variant)]
        rows += [
            ("Strategy", self.strategy or "as configured"),
            ("Seed", str(self.seed)),
            ("Offered", str(self.offered)),
            ("Handled", str(self.handled)),
            ("Abandoned", f"{self.abandoned} ({self.abandon_rate:.1%})"),
            ("Unanswered", str(self.unanswered)),
            *([("In service at the end", str(self.in_service))] if self.in_service else []),
            (f"Service level ({self.sla_target_s:g} s)", f"{self.service_level:.1%}"),
            ("ASA (s)", seconds(self.asa_s)),
            ("Wait p50/p90/p95 (s)", "/".join(map(seconds, self._percentiles()))),
            ("Occupancy", f"{self.occupancy:.1%}"),
            ("Fairness CV / Gini", f"{self.fairness_cv:.3f} / {self.fairness_gini:.3f}"),
            ("Max queue length", str(self.max_queue_length)),
            ("SLA breaches", str(self.sla_breaches)),
            ("Reopened", self._reopened()),
            ("Wait estimate error", self._estimate()),
        ]
        width = max(len(label) for label, _ in rows)
        lines = [f"{label:<{width}}  {value}" for label, value in rows]
        if self.handled_by:
            name = max(len("Agent"), *(len(agent) for agent in self.handled_by))
            lines.append("")
            lines.append(f"{'Agent':<{name}}  {'Handled':>7}  {'Occupancy':>9}")
            for agent, count in self.handled_by.items():
                share = self.agent_occupancy[agent]
                lines.append(f"{agent:<{name}}  {count:>7}  {share:>9.1%}")
        return "\n".join(lines)

    def _reopened(self) -> str:
        if self.reopens_lost:
            return f"{self.reopened} ({self.reopens_lost} lost: raise router.retain_closed)"
        return str(self.reopened)

    def _estimate(self) -> str:
        mae, bias, wait = self.estimate_mae_s, self.estimate_bias_s, self.estimate_wait_s
        if mae is None or bias is None or wait is None:
            return "- (no queued waits)"
        return (
            f"MAE {mae:.1f} s, bias {bias:+.1f} s"
            f" ({self.estimate_samples} waits, mean {wait:.1f} s)"
        )

    def _percentiles(self) -> tuple[float | None, float | None, float | None]:
        return self.wait_p50_s, self.wait_p90_s, self.wait_p95_s


def percentile(ordered: Sequence[float], share: float) -> float | None:
    """
    Return the nearest-rank percentile of sorted values, or None for no values.

    >>> percentile([1.0, 2.0, 3.0, 4.0], 0.5), percentile([], 0.9)
    (2.0, None)
    """
    if not ordered:
        return None
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def coefficient_of_variation(values: Sequence[float]) -> float:
    """
    Return the population standard deviation over the mean (0 for no values or a zero mean).

    >>> coefficient_of_variation([2, 2, 2]), coefficient_of_variation([1, 3])
    (0.0, 0.5)
    """
    if not values:
        return 0.0
    mean = math.fsum(values) / len(values)
    if mean == 0:
        return 0.0
    variance = math.fsum((value - mean) ** 2 for value in values) / len(values)
    return math.sqrt(variance) / mean


def gini(values: Sequence[float]) -> float:
    """
    Return the Gini coefficient: 0 when all are equal, towards 1 when one has everything.

    >>> gini([5, 5, 5, 5]), gini([0, 0, 0, 4])
    (0.0, 0.75)
    """
    ordered = sorted(values)
    total = math.fsum(ordered)
    if total == 0:
        return 0.0
    count = len(ordered)
    weighted = math.fsum(rank * value for rank, value in enumerate(ordered, start=1))
    return 2 * weighted / (count * total) - (count + 1) / count
