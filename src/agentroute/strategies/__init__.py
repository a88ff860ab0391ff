"""
Routing strategies: how a pool's free agents are ordered and one is chosen.

Built-ins are registered under the names below; a host registers its own
with `register` and names it in ``Router.add_department`` the same way.

| name | picks |
| --- | --- |
| `random` | uniform among free agents (seeded) |
| `least_busy` | fewest active items on the channel |
| `most_busy` | most active items, still with a free slot |
| `priority` | best routing priority, next one when full |
| `round_robin` | take turns, skipping offline and full agents |
| `ring_all` | nobody: offers to every free agent, the first to accept gets it |
"""

from __future__ import annotations

from agentroute.strategies._protocol import Candidate, Rank, Strategy, choose_first
from agentroute.strategies._registry import (
    StrategyFactory,
    create,
    names,
    register,
    unregister,
)
from agentroute.strategies.least_busy import LeastBusy
from agentroute.strategies.most_busy import MostBusy
from agentroute.strategies.priority import Priority
from agentroute.strategies.random import RandomChoice
from agentroute.strategies.ring_all import RingAll
from agentroute.strategies.round_robin import RoundRobin

__all__ = [
    "Candidate",
    "LeastBusy",
    "MostBusy",
    "Priority",
    "RandomChoice",
    "Rank",
    "RingAll",
    "RoundRobin",
    "Strategy",
    "StrategyFactory",
    "choose_first",
    "create",
    "is_builtin",
    "names",
    "register",
    "unregister",
]

_BUILTINS = (RandomChoice, LeastBusy, MostBusy, Priority, RoundRobin, RingAll)

for _builtin in _BUILTINS:
    register(_builtin.name, _builtin)


def is_builtin(strategy: object) -> bool:
    """
    Tell whether *strategy* is one the library ships, so it needs no guarding.

    The router hands built-ins its own seats and skips the checks it runs
    on a host's strategy (read-only candidates, wrapped errors).

    Examples:
        >>> is_builtin(LeastBusy()), is_builtin(object())
        (True, False)
    """
    return type(strategy) in _BUILTINS
