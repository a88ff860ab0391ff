"""Erlang C and Erlang A: published values, limits, monotonicity, staffing and validation."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentroute import InvalidValueError
from agentroute.simulate import erlang
from agentroute.simulate.erlang import (
    ErlangA,
    ErlangC,
    average_speed_of_answer,
    erlang_a,
    erlang_b,
    erlang_c,
    occupancy,
    offered_load,
    service_level,
    staff,
)


def test_published_erlang_c_point() -> None:
    """100 calls/h, 180 s AHT, 6 agents, 20 s target: P(wait) 0.5875, SL 0.4743, ASA 105.8 s."""
    assert round(erlang_c(100, 180, 6), 4) == 0.5875
    assert round(service_level(100, 180, 6, 20), 4) == 0.4743
    assert round(average_speed_of_answer(100, 180, 6), 1) == 105.8
    assert occupancy(100, 180, 6) == pytest.approx(5 / 6)
    assert round(erlang_b(5.0, 6), 4) == 0.1918


@pytest.mark.parametrize("rho", [0.1, 0.5, 0.75, 0.95])
def test_mm2_closed_form(rho: float) -> None:
    """
    M/M/2 in closed form (Kleinrock, Queueing Systems Vol. 1, 1975, section 3.5).

    P(wait) = 2 rho^2 / (1 + rho) and W_q = rho^2 / (mu (1 - rho^2)).
    """
    aht = 300.0
    rate = 2 * rho * 3600 / aht
    assert erlang_c(rate, aht, 2) == pytest.approx(2 * rho**2 / (1 + rho), rel=1e-12)
    assert average_speed_of_answer(rate, aht, 2) == pytest.approx(
        rho**2 * aht / (1 - rho**2), rel=1e-12
    )


@pytest.mark.parametrize("rho", [0.2, 0.6, 0.9])
def test_mm1_closed_form(rho: float) -> None:
    """M/M/1: P(wait) = rho, W_q = rho / (mu - lambda), P(W > t) = rho exp(-(mu - lambda) t)."""
    aht = 120.0
    rate = rho * 3600 / aht
    assert erlang_c(rate, aht, 1) == pytest.approx(rho, rel=1e-12)
    assert average_speed_of_answer(rate, aht, 1) == pytest.approx(rho * aht / (1 - rho))
    assert service_level(rate, aht, 1, 30) == pytest.approx(
        1 - rho * math.exp(-(1 - rho) * 30 / aht)
    )


def test_unstable_erlang_c() -> None:
    model = ErlangC(100, 180, 5, 20)
    assert not model.stable
    assert (model.p_wait, model.service_level, model.asa_s, model.occupancy) == (
        1.0,
        0.0,
        math.inf,
        1.0,
    )
    assert ErlangC(200, 180, 5).occupancy == 1.0


def test_large_agent_counts() -> None:
    """A thousand agents: no factorial overflow, sensible figures."""
    rate = 990 * 3600 / 180  # 990 Erlangs
    model = ErlangC(rate, 180, 1000, 20)
    assert 0 < model.p_wait < 1
    assert 0 < model.service_level < 1
    assert math.isfinite(model.asa_s)
    assert model.occupancy == pytest.approx(0.99)
    # Far more agents than load: Erlang B underflows, nobody waits.
    idle = ErlangC(10, 180, 1000, 20)
    assert (idle.p_wait, idle.service_level, idle.asa_s) == (0.0, 1.0, 0.0)
    a = ErlangA(rate, 180, 1000, 20, 60)
    assert 0 < a.p_abandon < a.p_wait < 1
    assert a.p_wait < model.p_wait
    assert ErlangA(10, 180, 1000, 20, 60).p_wait == 0.0
    assert staff(rate, 180, 0.8, 20) == 1001


def test_erlang_a_tends_to_erlang_c() -> None:
    c = ErlangC(100, 180, 6, 20)
    a = erlang_a(100, 180, 6, 20, patience_s=1e9)
    assert a.p_wait == pytest.approx(c.p_wait, abs=1e-6)
    assert a.service_level == pytest.approx(c.service_level, abs=1e-6)
    assert a.occupancy == pytest.approx(c.occupancy, abs=1e-6)
    assert a.p_abandon == pytest.approx(0.0, abs=1e-6)
    # The ASA differs to first order in 1/patience: 2.4e-6 relative at 1e9 s.
    assert a.asa_s == pytest.approx(c.asa_s, rel=1e-5)
    assert erlang_a(100, 180, 6, 20, patience_s=1e11).asa_s == pytest.approx(c.asa_s, rel=1e-6)


def test_erlang_a_agrees_with_littles_law() -> None:
    """Abandonment rate = mean queue length / patience, so P(ab) = E[Q] / (lambda patience)."""
    model = ErlangA(100, 180, 6, 20, 120)
    lam = 100 / 3600
    # E[Q] from the ASA of everyone: answered wait plus abandoners' time in queue, via
    # an independent route: the stationary distribution summed by hand.
    c, mu, gamma = 6, 1 / 180, 1 / 120
    weights = [1.0]
    for n in range(1, 400):
        death = min(n, c) * mu + max(0, n - c) * gamma
        weights.append(weights[-1] * lam / death)
    total = sum(weights)
    mean_queue = sum(max(0, n - c) * w for n, w in enumerate(weights)) / total
    assert model.p_abandon == pytest.approx(mean_queue * gamma / lam, rel=1e-9)
    assert model.p_wait == pytest.approx(sum(weights[c:]) / total, rel=1e-9)
    assert model.occupancy == pytest.approx(
        sum(min(n, c) * w for n, w in enumerate(weights)) / total / c, rel=1e-9
    )


def test_erlang_a_matches_a_simulation_figure() -> None:
    """A 300 000-customer simulation of M/M/6+M (patience 120 s) gave 0.1129, 0.7314, 10.88 s."""
    model = ErlangA(100, 180, 6, 20, 120)
    assert model.p_abandon == pytest.approx(0.1129, abs=0.005)
    assert model.service_level == pytest.approx(0.7314, abs=0.005)
    assert model.asa_s == pytest.approx(10.88, rel=0.02)


def test_erlang_a_overloaded_is_stable() -> None:
    model = ErlangA(3600, 180, 150, 20, 300)  # 180 Erlangs on 150 agents
    assert model.p_wait == pytest.approx(1.0, abs=0.01)
    assert model.p_abandon == pytest.approx(30 / 180, rel=1e-3)
    assert 0.0 <= model.service_level < 0.05
    assert model.occupancy == pytest.approx(1.0, abs=1e-3)


def test_erlang_a_zero_target() -> None:
    model = ErlangA(100, 180, 6, 0, 120)
    assert model.service_level == pytest.approx(1 - model.p_wait)
    assert ErlangC(100, 180, 6, 0).service_level == pytest.approx(1 - erlang_c(100, 180, 6))
    tiny = ErlangA(1, 10, 1, 5e-324, 5)  # the target underflows: nobody waits within it
    assert tiny.service_level == pytest.approx(1 - tiny.p_wait)


def test_erlang_a_too_many_states(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(erlang, "MAX_STATES", 1000)
    with pytest.raises(InvalidValueError) as info:
        ErlangA(3600, 180, 1, 20, 1e9)
    assert info.value.path == "patience_s"


def test_erlang_a_huge_queue_stays_finite() -> None:
    """Weights beyond the float range are rescaled: 180 Erlangs on one agent, 1 h patience."""
    model = ErlangA(3600, 180, 1, 20, 3600)
    assert model.p_abandon == pytest.approx(1 - 1 / 180, rel=1e-6)
    assert math.isfinite(model.asa_s)
    assert 0.0 <= model.service_level <= 1.0


rates = st.floats(min_value=1.0, max_value=2000.0)
ahts = st.floats(min_value=10.0, max_value=1200.0)
agent_counts = st.integers(min_value=1, max_value=120)
targets = st.floats(min_value=0.0, max_value=300.0)
patiences = st.floats(min_value=5.0, max_value=3600.0)


@given(rates, ahts, agent_counts, targets)
def test_erlang_c_monotone_in_agents(rate: float, aht: float, agents: int, target: float) -> None:
    fewer, more = ErlangC(rate, aht, agents, target), ErlangC(rate, aht, agents + 1, target)
    for model in (fewer, more):
        assert 0.0 <= model.service_level <= 1.0
        assert 0.0 <= model.p_wait <= 1.0
        assert 0.0 <= model.occupancy <= 1.0
    assert more.p_wait <= fewer.p_wait
    assert more.service_level >= fewer.service_level
    assert more.asa_s <= fewer.asa_s
    if fewer.stable and fewer.p_wait > 0:
        assert more.p_wait < fewer.p_wait


@given(rates, ahts, st.integers(min_value=1, max_value=60), targets, patiences)
def test_erlang_a_monotone_in_agents(
    rate: float, aht: float, agents: int, target: float, patience: float
) -> None:
    fewer = ErlangA(rate, aht, agents, target, patience)
    more = ErlangA(rate, aht, agents + 1, target, patience)
    for model in (fewer, more):
        assert 0.0 <= model.service_level <= 1.0
        assert 0.0 <= model.p_abandon <= model.p_wait <= 1.0
    assert 0.0 < fewer.p_abandon < 1.0
    assert more.p_abandon < fewer.p_abandon
    assert more.p_wait <= fewer.p_wait + 1e-12
    assert more.service_level >= fewer.service_level - 1e-12


@given(
    st.floats(min_value=1.0, max_value=600.0),
    st.floats(min_value=30.0, max_value=600.0),
    st.floats(min_value=0.05, max_value=0.95),
    st.floats(min_value=0.0, max_value=120.0),
    st.none() | st.floats(min_value=10.0, max_value=1200.0),
)
def test_staff_is_smallest(
    rate: float, aht: float, target_sl: float, target: float, patience: float | None
) -> None:
    agents = staff(rate, aht, target_sl, target, patience_s=patience)

    def level(n: int) -> float:
        if patience is None:
            return ErlangC(rate, aht, n, target).service_level
        return ErlangA(rate, aht, n, target, patience).service_level

    assert level(agents) >= target_sl
    if agents > 1:
        assert level(agents - 1) < target_sl


def test_staff_examples() -> None:
    assert staff(100, 180, 0.8, 20) == 8
    assert ErlangC(100, 180, 7, 20).service_level < 0.8
    assert staff(100, 180, 0.8, 20, patience_s=120) == 7


def test_staff_unreachable() -> None:
    with pytest.raises(InvalidValueError) as info:
        staff(100, 180, 0.8, 20, max_agents=6)
    assert info.value.path == "target_sl"


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: ErlangC(0, 180, 6), "rate_per_hour"),
        (lambda: ErlangC(-1, 180, 6), "rate_per_hour"),
        (lambda: ErlangC(math.nan, 180, 6), "rate_per_hour"),
        (lambda: ErlangC(math.inf, 180, 6), "rate_per_hour"),
        (lambda: ErlangC("100", 180, 6), "rate_per_hour"),  # type: ignore[arg-type]
        (lambda: ErlangC(True, 180, 6), "rate_per_hour"),
        (lambda: ErlangC(100, 0, 6), "aht_s"),
        (lambda: ErlangC(100, 180, 0), "agents"),
        (lambda: ErlangC(100, 180, 2.5), "agents"),  # type: ignore[arg-type]
        (lambda: ErlangC(100, 180, True), "agents"),
        (lambda: ErlangC(100, 180, 6, -1), "target_s"),
        (lambda: ErlangC(100, 180, 6, math.inf), "target_s"),
        (lambda: ErlangC(100, 180, 6, "20"), "target_s"),  # type: ignore[arg-type]
        (lambda: ErlangA(100, 180, 6, 20, 0), "patience_s"),
        (lambda: erlang_b(0, 6), "load"),
        (lambda: offered_load(100, -5), "aht_s"),
        (lambda: staff(100, 180, 0, 20), "target_sl"),
        (lambda: staff(100, 180, 1, 20), "target_sl"),
        (lambda: staff(100, 180, 1.5, 20), "target_sl"),
        (lambda: staff(100, 180, "0.8", 20), "target_sl"),  # type: ignore[arg-type]
        (lambda: staff(100, 180, 0.8, -20), "target_s"),
        (lambda: staff(100, 180, 0.8, 20, patience_s=-1), "patience_s"),
        (lambda: staff(100, 180, 0.8, 20, max_agents=0), "max_agents"),
    ],
)
def test_validation(call: object, path: str) -> None:
    assert callable(call)
    with pytest.raises(InvalidValueError) as info:
        call()
    assert info.value.path == path
    assert str(info.value).startswith(f"{path}: ")


def test_values_are_frozen() -> None:
    model = ErlangC(100, 180, 6, 20)
    with pytest.raises(AttributeError):
        model.agents = 7  # type: ignore[misc]
    assert ErlangA(100, 180, 6, 20, 120) == ErlangA(100, 180, 6, 20, 120)
    assert "patience_s=120" in repr(ErlangA(100, 180, 6, 20, 120))
