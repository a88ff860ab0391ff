"""
Capacity planning: queueing formulas for staffing.

`agentroute.simulate.erlang` holds Erlang C (M/M/c) and Erlang A (M/M/c+M)
and `staff()`, the smallest agent count meeting a service-level target. They
need nothing beyond the standard library.
"""

from __future__ import annotations

from agentroute.simulate import erlang

__all__ = ["erlang"]
