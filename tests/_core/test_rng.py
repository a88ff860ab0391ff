"""
The router's generator: the standard Random interface over a one-int state.
"""

from __future__ import annotations

from collections import Counter

import pytest

from agentroute._core.rng import SplitMix


def test_same_seed_same_draws_and_state_is_all_there_is() -> None:
    """Two generators with one seed agree; putting the state back replays the draws."""
    first, second = SplitMix(9), SplitMix(9)
    saved = first.getstate()

    drawn = [first.random(), first.randrange(7), first.getrandbits(100), first.choice("abc")]
    first.setstate(saved)

    assert drawn == [
        first.random(),
        first.randrange(7),
        first.getrandbits(100),
        first.choice("abc"),
    ]
    assert drawn == [
        second.random(),
        second.randrange(7),
        second.getrandbits(100),
        second.choice("abc"),
    ]


def test_draws_are_in_range_and_roughly_uniform() -> None:
    """randrange(n) covers range(n) evenly; random() is in [0, 1); other forms still work."""
    rng = SplitMix(1)

    counts = Counter(rng.randrange(4) for _ in range(40_000))
    floats = [rng.random() for _ in range(1000)]

    assert set(counts) == {0, 1, 2, 3}
    assert all(9_500 < count < 10_500 for count in counts.values())
    assert all(0.0 <= x < 1.0 for x in floats)
    assert rng.randrange(10, 20, 5) in (10, 15)
    assert 0 == rng.getrandbits(0)


def test_bad_arguments_are_refused() -> None:
    """Seeds are ints and bit counts are not negative."""
    with pytest.raises(TypeError, match="seed must be an int"):
        SplitMix("seed")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-negative"):
        SplitMix(0).getrandbits(-1)
