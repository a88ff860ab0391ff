"""
Queueing formulas for staffing: Erlang C (M/M/c) and Erlang A (M/M/c+M).

Customers arrive at random (a Poisson process) at ``rate_per_hour``, an agent
handles one customer at a time for an exponentially distributed time with mean
``aht_s`` seconds, and ``agents`` agents serve one first-come, first-served
queue. The offered load is ``rate_per_hour * aht_s / 3600`` Erlangs: how many
agents would be busy on average if nobody ever had to wait.

**Erlang C** assumes customers wait as long as it takes. It is computed with
the Erlang B recursion ``B(k) = A B(k-1) / (k + A B(k-1))`` (in its inverse
form), never with factorials, so a thousand agents or more are fine. When the
load is at least the number of agents the queue grows without bound: the
functions then report P(wait) 1, service level 0, ASA infinity and occupancy 1
rather than raising.

**Erlang A** adds impatience: each waiting customer abandons after an
exponentially distributed time with mean ``patience_s`` seconds. Abandonment
keeps the queue finite at any load. It is computed from the stationary
distribution of the birth-death process on the number of customers present
(arrival rate ``lambda``; departure rate ``n mu`` below ``c`` agents and
``c mu + (n - c) / patience`` above). The infinite sum over queue lengths is
cut once the terms are decreasing and a geometric bound on everything left is
below ``TOLERANCE`` (1e-12) of the mass summed so far, so each result is within
about 1e-12 of the exact value. A state space of more than ``MAX_STATES``
queue lengths (an overloaded queue with very long patience) raises
`agentroute.InvalidValueError` naming ``patience_s``.

The service level is the share of all arriving customers answered within
``target_s`` seconds; with Erlang A, customers who abandon count as not
answered. The average speed of answer (ASA) is the mean wait of the customers
who are answered. Occupancy is the share of agent time spent handling.

Examples:
    >>> from agentroute.simulate.erlang import ErlangC, staff
    >>> model = ErlangC(rate_per_hour=100, aht_s=180, agents=6, target_s=20)
    >>> round(model.p_wait, 4), round(model.service_level, 4), round(model.asa_s, 1)
    (0.5875, 0.4743, 105.8)
    >>> staff(100, 180, target_sl=0.8, target_s=20)
    8
"""

from __future__ import annotations

import math
from typing import NamedTuple

import attrs

from agentroute.errors import InvalidValueError

__all__ = [
    "MAX_STATES",
    "TOLERANCE",
    "ErlangA",
    "ErlangC",
    "average_speed_of_answer",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "offered_load",
    "service_level",
    "staff",
]

TOLERANCE = 1e-12
"""Erlang A: the neglected tail of the queue-length distribution, relative to the mass summed."""

MAX_STATES = 1_000_000
"""Erlang A: the most queue lengths summed before giving up."""

_SECONDS_PER_HOUR = 3600.0
_RESCALE = 1e250


def _check_positive(path: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidValueError(path, f"must be a number, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise InvalidValueError(path, f"must be a positive finite number, got {value!r}")
    return float(value)


def _check_target(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidValueError("target_s", f"must be a number, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise InvalidValueError("target_s", f"must be a finite number >= 0, got {value!r}")
    return float(value)


def _check_count(path: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValueError(path, f"must be an integer, got {value!r}")
    if value < 1:
        raise InvalidValueError(path, f"must be at least 1, got {value!r}")
    return value


def _check_share(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidValueError("target_sl", f"must be a number, got {value!r}")
    if not 0 < value < 1:
        raise InvalidValueError("target_sl", f"must be between 0 and 1 (exclusive), got {value!r}")
    return float(value)


def offered_load(rate_per_hour: float, aht_s: float) -> float:
    """
    Return the offered load in Erlangs: arrivals per hour times handling hours.

    Examples:
        >>> offered_load(100, 180)
        5.0
    """
    rate = _check_positive("rate_per_hour", rate_per_hour)
    aht = _check_positive("aht_s", aht_s)
    return rate * aht / _SECONDS_PER_HOUR


def _inverse_erlang_b(load: float, agents: int) -> float:
    """Return 1 / B(agents, load) by the stable recursion; may be ``inf`` (B underflows)."""
    inverse = 1.0
    for k in range(1, agents + 1):
        inverse = 1.0 + inverse * k / load
    return inverse


def erlang_b(load: float, agents: int) -> float:
    """
    Return the Erlang B blocking probability for ``load`` Erlangs offered to ``agents`` servers.

    This is the share of customers who would find every agent busy if there
    were no queue. It is the building block of Erlang C and A.

    Examples:
        >>> round(erlang_b(5.0, 6), 4)
        0.1918
    """
    load = _check_positive("load", load)
    agents = _check_count("agents", agents)
    return 1.0 / _inverse_erlang_b(load, agents)


def _erlang_c_p_wait(load: float, agents: int) -> float:
    if load >= agents:
        return 1.0
    rho = load / agents
    # C = B / (1 - rho (1 - B)) = 1 / (I (1 - rho) + rho) with I = 1 / B.
    return 1.0 / (_inverse_erlang_b(load, agents) * (1.0 - rho) + rho)


def erlang_c(rate_per_hour: float, aht_s: float, agents: int) -> float:
    """
    Return the probability that a customer has to wait (Erlang C, M/M/c).

    Returns 1.0 when the offered load is at least ``agents`` (the queue grows
    without bound).

    Examples:
        >>> round(erlang_c(100, 180, 6), 4)
        0.5875
    """
    return ErlangC(rate_per_hour, aht_s, agents).p_wait


def service_level(rate_per_hour: float, aht_s: float, agents: int, target_s: float) -> float:
    """
    Return the share of customers answered within ``target_s`` seconds (Erlang C).

    ``SL = 1 - C exp(-(agents - load) target_s / aht_s)``; 0.0 when the load is
    at least ``agents``.

    Examples:
        >>> round(service_level(100, 180, 6, 20), 4)
        0.4743
    """
    return ErlangC(rate_per_hour, aht_s, agents, target_s).service_level


def average_speed_of_answer(rate_per_hour: float, aht_s: float, agents: int) -> float:
    """
    Return the mean wait in seconds (Erlang C): ``C aht_s / (agents - load)``.

    ``math.inf`` when the load is at least ``agents``.

    Examples:
        >>> round(average_speed_of_answer(100, 180, 6), 1)
        105.8
    """
    return ErlangC(rate_per_hour, aht_s, agents).asa_s


def occupancy(rate_per_hour: float, aht_s: float, agents: int) -> float:
    """
    Return the share of agent time spent handling (Erlang C): ``load / agents``, at most 1.

    Examples:
        >>> round(occupancy(100, 180, 6), 4)
        0.8333
    """
    return ErlangC(rate_per_hour, aht_s, agents).occupancy


@attrs.frozen
class ErlangC:
    """
    An M/M/c queue (no abandonment) and its figures, computed from the Erlang C formula.

    Arguments are validated when the value is built; a bad one raises
    `agentroute.InvalidValueError` whose ``path`` is the argument's name.

    Examples:
        >>> model = ErlangC(rate_per_hour=100, aht_s=180, agents=6, target_s=20)
        >>> model.load, model.stable, round(model.occupancy, 4)
        (5.0, True, 0.8333)
        >>> ErlangC(100, 180, 5).stable, ErlangC(100, 180, 5).asa_s
        (False, inf)
    """

    rate_per_hour: float
    """Arrivals per hour."""
    aht_s: float
    """Mean handling time, seconds."""
    agents: int
    """Number of agents."""
    target_s: float = 20.0
    """Answer-time target of the service level, seconds."""

    def __attrs_post_init__(self) -> None:
        _check_positive("rate_per_hour", self.rate_per_hour)
        _check_positive("aht_s", self.aht_s)
        _check_count("agents", self.agents)
        _check_target(self.target_s)

    @property
    def load(self) -> float:
        """Offered load in Erlangs."""
        return self.rate_per_hour * self.aht_s / _SECONDS_PER_HOUR

    @property
    def stable(self) -> bool:
        """Whether the load is below the number of agents, so the queue stays finite."""
        return self.load < self.agents

    @property
    def p_wait(self) -> float:
        """Probability that a customer has to wait (1.0 when unstable)."""
        return _erlang_c_p_wait(self.load, self.agents)

    @property
    def service_level(self) -> float:
        """Share of customers answered within ``target_s`` (0.0 when unstable)."""
        if not self.stable:
            return 0.0
        decay = math.exp(-(self.agents - self.load) * self.target_s / self.aht_s)
        return 1.0 - self.p_wait * decay

    @property
    def asa_s(self) -> float:
        """Average speed of answer: mean wait in seconds (``math.inf`` when unstable)."""
        if not self.stable:
            return math.inf
        return self.p_wait * self.aht_s / (self.agents - self.load)

    @property
    def occupancy(self) -> float:
        """Share of agent time spent handling (1.0 when unstable)."""
        return min(1.0, self.load / self.agents)


class _ErlangAFigures(NamedTuple):
    p_wait: float
    p_abandon: float
    service_level: float
    asa_s: float


def _erlang_a_figures(
    rate_per_hour: float, aht_s: float, agents: int, target_s: float, patience_s: float
) -> _ErlangAFigures:
    arrival = rate_per_hour / _SECONDS_PER_HOUR
    service = agents / aht_s  # c mu: the rate at which busy agents finish
    abandon = 1.0 / patience_s  # gamma: each waiting customer's abandonment rate
    load = arrival * aht_s
    # Stationary weights relative to pi_c. Below c: I - 1 with I = 1 / Erlang B.
    below = _inverse_erlang_b(load, agents) - 1.0
    # At and above c: pi_{c+j} / pi_c = prod_{k=1..j} lambda / (c mu + k gamma).
    queue = [1.0]
    queue_total = 1.0
    term = 1.0
    j = 0
    while True:
        j += 1
        ratio = arrival / (service + j * abandon)
        term *= ratio
        queue.append(term)
        queue_total += term
        if term > _RESCALE:  # keep the weights finite; only their ratios matter
            queue = [weight / _RESCALE for weight in queue]
            term /= _RESCALE
            queue_total /= _RESCALE
            below /= _RESCALE
        if ratio < 1.0 and term * ratio / (1.0 - ratio) <= TOLERANCE * queue_total:
            break
        if j >= MAX_STATES:
            raise InvalidValueError(
                "patience_s",
                f"too long for this load: more than {MAX_STATES} queue lengths to sum",
            )
    total = below + queue_total
    p_wait = queue_total / total
    # A customer arriving to c + j present is at position k = j + 1 of the queue.
    # At position i it leaves at rate c mu + i gamma, moving up (or being answered
    # from i = 1) at rate c mu + (i - 1) gamma, so it is answered with probability
    # c mu / (c mu + k gamma), after a wait T_k = sum of Exp(c mu + i gamma), i = 1..k,
    # and P(T_k > t) = I_u(b + 1, k) with u = exp(-gamma t), b = c mu / gamma
    # (a regularized incomplete beta with integer k, summed term by term).
    p_abandon = 0.0
    answered_late = 0.0
    wait_answered = 0.0
    mean_wait = 0.0
    over = 0.0
    log_step = log_term = 0.0
    # 1 - u; zero for a target of 0 (or so small it underflows): nobody waits "within" it.
    step = -math.expm1(-abandon * target_s)
    timed = step > 0.0
    if timed:
        log_step = math.log(step)
        log_term = -(service + abandon) * target_s
    b = service / abandon
    for j, weight in enumerate(queue):
        k = j + 1
        share = weight / total
        answered = service / (service + k * abandon)
        mean_wait += 1.0 / (service + k * abandon)
        if timed:
            over += math.exp(log_term)
            log_term += math.log((b + k) / k) + log_step
            within = max(0.0, 1.0 - over)
        else:
            within = 0.0
        p_abandon += share * (1.0 - answered)
        answered_late += share * answered * (1.0 - within)
        wait_answered += share * answered * mean_wait
    answered_total = 1.0 - p_abandon
    return _ErlangAFigures(
        p_wait=p_wait,
        p_abandon=p_abandon,
        service_level=max(0.0, answered_total - answered_late),
        asa_s=wait_answered / answered_total,
    )


@attrs.frozen
class ErlangA:
    """
    An M/M/c+M queue (exponential patience) and its figures, computed as Erlang A.

    Always stable: abandonment keeps the queue finite at any load. Arguments
    are validated when the value is built; a bad one raises
    `agentroute.InvalidValueError` whose ``path`` is the argument's name.

    Examples:
        >>> model = ErlangA(rate_per_hour=100, aht_s=180, agents=6, target_s=20, patience_s=120)
        >>> round(model.p_abandon, 4), round(model.service_level, 4)
        (0.1123, 0.732)
    """

    rate_per_hour: float
    """Arrivals per hour."""
    aht_s: float
    """Mean handling time, seconds."""
    agents: int
    """Number of agents."""
    target_s: float
    """Answer-time target of the service level, seconds."""
    patience_s: float
    """Mean time a waiting customer waits before abandoning, seconds."""
    _figures: _ErlangAFigures = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        _check_positive("rate_per_hour", self.rate_per_hour)
        _check_positive("aht_s", self.aht_s)
        _check_count("agents", self.agents)
        _check_target(self.target_s)
        _check_positive("patience_s", self.patience_s)
        figures = _erlang_a_figures(
            self.rate_per_hour, self.aht_s, self.agents, self.target_s, self.patience_s
        )
        object.__setattr__(self, "_figures", figures)

    @property
    def load(self) -> float:
        """Offered load in Erlangs."""
        return self.rate_per_hour * self.aht_s / _SECONDS_PER_HOUR

    @property
    def p_wait(self) -> float:
        """Probability that a customer finds every agent busy and has to wait."""
        return self._figures.p_wait

    @property
    def p_abandon(self) -> float:
        """Probability that a customer abandons before being answered."""
        return self._figures.p_abandon

    @property
    def service_level(self) -> float:
        """Share of all customers answered within ``target_s`` (abandoned ones count as missed)."""
        return self._figures.service_level

    @property
    def asa_s(self) -> float:
        """Average speed of answer: mean wait in seconds of the customers who are answered."""
        return self._figures.asa_s

    @property
    def occupancy(self) -> float:
        """Share of agent time spent handling: ``load (1 - p_abandon) / agents``."""
        return min(1.0, self.load * (1.0 - self.p_abandon) / self.agents)


def erlang_a(
    rate_per_hour: float, aht_s: float, agents: int, target_s: float, patience_s: float
) -> ErlangA:
    """
    Return the Erlang A figures for customers with mean patience ``patience_s`` seconds.

    Examples:
        >>> round(erlang_a(100, 180, 6, 20, patience_s=120).p_abandon, 4)
        0.1123
    """
    return ErlangA(rate_per_hour, aht_s, agents, target_s, patience_s)


def staff(
    rate_per_hour: float,
    aht_s: float,
    target_sl: float,
    target_s: float,
    *,
    patience_s: float | None = None,
    max_agents: int = 10_000,
) -> int:
    """
    Return the smallest number of agents whose service level reaches ``target_sl``.

    The service level is Erlang C's, or Erlang A's when ``patience_s`` is
    given. Raises `agentroute.InvalidValueError` (path ``target_sl``) when even
    ``max_agents`` agents fall short.

    Examples:
        >>> staff(100, 180, target_sl=0.8, target_s=20)
        8
        >>> staff(100, 180, target_sl=0.8, target_s=20, patience_s=120)
        7
    """
    load = offered_load(rate_per_hour, aht_s)
    _check_share(target_sl)
    _check_target(target_s)
    _check_count("max_agents", max_agents)
    if patience_s is None:
        # Fewer agents than the load never reach a service level above 0.
        first = math.floor(load) + 1
    else:
        _check_positive("patience_s", patience_s)
        # At most agents / load of the customers can be answered at all.
        first = max(1, math.floor(load * target_sl))
    for agents in range(first, max_agents + 1):
        model: ErlangA | ErlangC
        if patience_s is None:
            model = ErlangC(rate_per_hour, aht_s, agents, target_s)
        else:
            model = ErlangA(rate_per_hour, aht_s, agents, target_s, patience_s)
        if model.service_level >= target_sl:
            return agents
    raise InvalidValueError(
        "target_sl", f"{target_sl!r} is not reached with max_agents={max_agents} agents"
    )
