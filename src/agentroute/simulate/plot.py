"""
A picture of reports side by side, through ``matplotlib`` (the ``sim`` extra).

`save` draws three panels, one bar group or bar per strategy: the waits of the
answered customers (ASA and the 50th, 90th and 95th percentiles), the service
level against its target, and the occupancy (all agents, with each agent's as
a dot). Nothing here is needed to simulate; `matplotlib` is imported only
when `save` runs, with the non-interactive ``Agg`` backend.

Added in 0.2.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from agentroute.simulate.report import Report

__all__ = ["MISSING", "available", "save"]

MISSING = "--plot needs matplotlib: pip install 'agentroute-core[sim]'"
"""The message for a missing ``matplotlib``."""


def available() -> bool:
    """Return whether ``matplotlib`` can be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def save(reports: Mapping[str, Report], path: str | Path, *, title: str | None = None) -> None:
    """
    Draw *reports* into an image file at *path* (PNG, or as its suffix says).

    Raises:
        ImportError: ``matplotlib`` is not installed.
        OSError: The file cannot be written.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    names = list(reports)
    runs = list(reports.values())
    places = list(range(len(names)))
    figure, (waits, levels, busy) = pyplot.subplots(
        1, 3, figsize=(13, 4.2), dpi=90, layout="constrained"
    )
    try:
        if title is not None:
            figure.suptitle(title)
        figures = [
            ("ASA", [run.asa_s for run in runs]),
            ("p50", [run.wait_p50_s for run in runs]),
            ("p90", [run.wait_p90_s for run in runs]),
            ("p95", [run.wait_p95_s for run in runs]),
        ]
        width = 0.8 / len(figures)
        for rank, (label, values) in enumerate(figures):
            offset = (rank - (len(figures) - 1) / 2) * width
            heights = [0.0 if value is None else value for value in values]
            waits.bar([place + offset for place in places], heights, width, label=label)
        waits.set_title("Wait of answered customers")
        waits.set_ylabel("seconds")
        waits.legend(fontsize="small", loc="upper left")

        levels.bar(places, [100 * run.service_level for run in runs], color="tab:green")
        target = runs[0].sla_target_s
        levels.set_title(f"Service level (answered within {target:g} s)")
        levels.set_ylabel("% of offered")
        levels.set_ylim(0, 100)

        busy.bar(places, [100 * run.occupancy for run in runs], color="tab:orange", alpha=0.7)
        for place, run in zip(places, runs, strict=True):
            shares = [100 * share for share in run.agent_occupancy.values()]
            busy.scatter([place] * len(shares), shares, s=12, color="black", zorder=3)
        busy.set_title("Occupancy (bar: all agents, dots: each)")
        busy.set_ylabel("% of slot time")
        busy.set_ylim(0, 100)

        for axes in (waits, levels, busy):
            axes.set_xticks(places, names, rotation=20, ha="right", fontsize="small")
            axes.grid(axis="y", alpha=0.3)
        figure.savefig(path)
    finally:
        pyplot.close(figure)
