"""
The undo log that makes every call all or nothing, even when host code fails.

Each primitive change pushes the step that reverses it; a call that raises
replays the steps backwards, and a call that succeeds drops them. Steps are
plain tuples ``(function, *args)``, so logging one costs a list append.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["UndoLog"]


class UndoLog:
    """
    Reversing steps of the call in progress, newest last.

    Examples:
        >>> log, box = UndoLog(), {"n": 1}
        >>> box["n"] = 2; log.push(box.__setitem__, "n", 1)
        >>> log.rollback(); box
        {'n': 1}
    """

    __slots__ = ("steps",)

    def __init__(self) -> None:
        self.steps: list[tuple[Any, ...]] = []

    def push(self, step: Callable[..., object], *args: object) -> None:
        """Remember to call ``step(*args)`` if the call fails."""
        self.steps.append((step, *args))

    def flag(self, flags: dict[Any, None], key: object, on: bool) -> None:
        """Put *key* in the set-like dict *flags* (*on*) or take it out, logging the inverse."""
        if on and key not in flags:
            flags[key] = None
            self.steps.append((dict.pop, flags, key))
        elif not on and key in flags:
            del flags[key]
            self.steps.append((dict.__setitem__, flags, key, None))

    def rollback(self) -> None:
        """Undo every logged step, newest first, and forget them."""
        steps = self.steps
        while steps:
            step = steps.pop()
            step[0](*step[1:])
