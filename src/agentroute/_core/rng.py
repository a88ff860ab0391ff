"""
The router's seeded random generator, whose whole state is one integer.

It is SplitMix64 behind the `random.Random` interface strategies expect.
Its state being one int makes it cheap to put back when a call fails (a
Mersenne Twister's ``getstate()`` costs microseconds) and trivial to store.
"""

from __future__ import annotations

import random

__all__ = ["SplitMix"]

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


class SplitMix(random.Random):
    """
    A `random.Random` drawing from SplitMix64; ``state`` is all there is to it.

    ``randrange(n)`` maps one 64-bit draw onto ``range(n)`` by multiply and
    shift (bias below n / 2**64); every other method is the standard
    library's, built on `getrandbits` and `random`.

    Examples:
        >>> rng = SplitMix(7)
        >>> first = [rng.randrange(10) for _ in range(5)]
        >>> rng.state = SplitMix(7).state
        >>> first == [rng.randrange(10) for _ in range(5)]
        True
    """

    state: int

    def __init__(self, seed: int = 0) -> None:
        super().__init__(seed)

    def seed(self, a: object = None, version: int = 2) -> None:
        """Start over from integer seed *a*."""
        if type(a) is not int:
            raise TypeError(f"seed must be an int, got {a!r}")
        self.state = a & _MASK
        self.gauss_next = None

    def _next(self) -> int:
        state = self.state = (self.state + _GOLDEN) & _MASK
        z = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    def getrandbits(self, k: int) -> int:
        """Return an int with *k* random bits."""
        if k < 0:
            raise ValueError("number of bits must be non-negative")
        bits = 0
        filled = 0
        while filled < k:
            bits = (bits << 64) | self._next()
            filled += 64
        return bits >> (filled - k)

    def random(self) -> float:
        """Return a float in [0.0, 1.0)."""
        return (self._next() >> 11) * (1.0 / (1 << 53))

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        """Return a random int from ``range(start, stop, step)``; one draw for ``range(n)``."""
        if stop is None and step == 1 and type(start) is int and 0 < start <= _MASK:
            state = self.state = (self.state + _GOLDEN) & _MASK
            z = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
            return ((z ^ (z >> 31)) * start) >> 64
        return super().randrange(start, stop, step)

    def getstate(self) -> int:  # type: ignore[override]
        """Return the state: one int."""
        return self.state

    def setstate(self, state: int) -> None:  # type: ignore[override]
        """Go back to a state from `getstate`."""
        self.state = state
