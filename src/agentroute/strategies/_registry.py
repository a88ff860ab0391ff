"""
One registry of strategies by name, shared by the built-ins and the host's own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeAlias

from agentroute.errors import DuplicateStrategyError, InvalidValueError, UnknownStrategyError
from agentroute.strategies._protocol import Strategy

__all__ = ["StrategyFactory", "create", "names", "register", "unregister"]

StrategyFactory: TypeAlias = Callable[[], Strategy]

_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_factories: dict[str, StrategyFactory] = {}


def register(name: str, factory: StrategyFactory) -> None:
    """
    Make *factory* available under *name*.

    The router calls *factory* once per pool (department and channel) that
    uses the name, so a strategy may keep per-pool state.

    Args:
        name: A snake_case name, e.g. ``"longest_idle"``.
        factory: A zero-argument callable returning a `Strategy`.

    Raises:
        InvalidValueError: The name is not snake_case, or *factory* does not
            build an object with ``rank`` and ``choose``.
        DuplicateStrategyError: The name is taken.

    Examples:
        >>> from agentroute.strategies import LeastBusy
        >>> register("fewest_open", LeastBusy)
        >>> "fewest_open" in names()
        True
        >>> unregister("fewest_open")

    Added in 0.1.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        msg = f"must be snake_case (a-z, 0-9, _; starting with a letter), got {name!r}"
        raise InvalidValueError("strategy name", msg)
    if name in _factories:
        raise DuplicateStrategyError(name)
    if not callable(factory):
        raise InvalidValueError("factory", f"must be a zero-argument callable, got {factory!r}")
    try:
        sample = factory()
    except Exception as error:
        msg = f"must be callable with no arguments and build a strategy, but raised {error!r}"
        raise InvalidValueError("factory", msg) from error
    if not isinstance(sample, Strategy):
        msg = f"must build an object with rank() and choose() methods, built {sample!r}"
        raise InvalidValueError("factory", msg)
    _factories[name] = factory


def unregister(name: str) -> None:
    """
    Forget the strategy registered under *name*.

    Routers that already use it keep their instances.

    Raises:
        UnknownStrategyError: Nothing is registered under *name*.

    Added in 0.1.
    """
    factory(name)
    del _factories[name]


def create(name: str) -> Strategy:
    """
    Build a fresh strategy registered under *name*.

    Raises:
        UnknownStrategyError: Nothing is registered under *name*.

    Added in 0.1.
    """
    return factory(name)()


def factory(name: str) -> StrategyFactory:
    """
    Return the factory registered under *name*.

    Raises:
        UnknownStrategyError: Nothing is registered under *name*.
    """
    if not isinstance(name, str) or name not in _factories:
        raise UnknownStrategyError(name, _factories)
    return _factories[name]


def names() -> list[str]:
    """
    Return the registered names, sorted.

    Examples:
        >>> names()[:3]
        ['least_busy', 'most_busy', 'priority']

    Added in 0.1.
    """
    return sorted(_factories)
