from __future__ import annotations
import __future__

import importlib.metadata
import inspect
import re
import types
import typing

import pytest

import agentroute
import agentroute.strategies

MODULES = [agentroute, agentroute.strategies]


def isort_key(name: str) -> tuple[int, list[str | int]]:
    """
    Sort like ruff's RUF022: CONSTANTS, then CamelCase, then the rest; naturally within each.
    """
    if len(name) > 1 and name.isupper():
        category = 0
    elif name[:1].isupper():
        category = 1
    else:
        category = 2
    natural = [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]
    return category, natural


def is_alias_or_constant(obj: object) -> bool:
    """Tell whether *obj* is a type alias (generic or Literal) or a plain constant."""
    return typing.get_origin(obj) is not None or isinstance(obj, str | int | float)


def public_names(module: types.ModuleType) -> list[str]:
    """
    Return the public names bound in *module*.

    Submodules the import system binds on the package (``agentroute.model`` on
    ``agentroute``) and ``from __future__`` features are bindings, not exports.
    """
    names = []
    for name, obj in vars(module).items():
        if name.startswith("_") or isinstance(obj, __future__._Feature):
            continue
        is_own_submodule = inspect.ismodule(obj) and obj.__name__ == f"{module.__name__}.{name}"
        if is_own_submodule and name not in module.__all__:
            continue
        names.append(name)
    return names


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_all_is_sorted(module: types.ModuleType) -> None:
    """__all__ is sorted isort-style (as ruff keeps it), so additions land in one place."""
    expected = sorted(module.__all__, key=isort_key)

    assert expected == module.__all__


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_all_imports_are_exported(module: types.ModuleType) -> None:
    """Every public name bound in the module is listed in __all__, and nothing else is."""
    expected = sorted(public_names(module))

    assert expected == sorted(module.__all__)


@pytest.mark.parametrize(
    "name", [*agentroute.__all__, *(f"strategies.{n}" for n in agentroute.strategies.__all__)]
)
def test_exported_members_are_documented(name: str) -> None:
    """Every exported name exists and has its own docstring, unless it is an alias or constant."""
    module = agentroute.strategies if name.startswith("strategies.") else agentroute
    obj = getattr(module, name.removeprefix("strategies."))

    documented = bool(getattr(obj, "__doc__", None)) and (
        inspect.isroutine(obj) or inspect.isclass(obj) or inspect.ismodule(obj)
    )

    assert documented or is_alias_or_constant(obj), f"{name} lacks a docstring"


def test_type_aliases_are_recognised() -> None:
    """The alias check accepts the exported aliases and refuses an undocumented function."""

    def undocumented() -> None:
        pass

    checks = [
        is_alias_or_constant(o) for o in (agentroute.Clock, agentroute.Presence, undocumented)
    ]

    assert [True, True, False] == checks


def test_isort_key_orders_constants_classes_then_the_rest() -> None:
    """The sort key puts CONSTANTS first, then classes, then functions and modules."""
    names = ["strategies", "Router", "CHAT", "item2", "item10", "Agent"]

    ordered = sorted(names, key=isort_key)

    assert ["CHAT", "Agent", "Router", "item2", "item10", "strategies"] == ordered


def test_version_matches_the_distribution() -> None:
    """__version__ (not in __all__) agrees with the installed distribution's metadata."""
    expected = importlib.metadata.version("agentroute-core")

    assert expected == agentroute.__version__
