"""
Capacity planning: queueing formulas for staffing.

`agentroute.simulate.erlang` holds Erlang C (M/M/c) and Erlang A (M/M/c+M)
and `staff()`, the smallest agent count meeting a service-level target. They
need nothing beyond the standard library.

`simulate()` runs a scenario (`agentroute.simulate.scenario`) through a real
`Router` and returns a `Report`; `compare()` runs it once per strategy, and
`compare_variants()` runs variants of a scenario (more agents, other shifts)
with the same customers.
"""

from __future__ import annotations

from agentroute.simulate import erlang
from agentroute.simulate.report import Report
from agentroute.simulate.runs import compare, compare_variants, simulate
from agentroute.simulate.scenario import Scenario

__all__ = ["Report", "Scenario", "compare", "compare_variants", "erlang", "simulate"]
