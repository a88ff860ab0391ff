"""Argument checks the Router and its call groups share."""

from __future__ import annotations

from agentroute.errors import InvalidValueError


def _check_bool(path: str, value: object) -> None:
    if type(value) is not bool:
        raise InvalidValueError(path, f"must be True or False, got {value!r}")
