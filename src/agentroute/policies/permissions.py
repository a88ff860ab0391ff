"""
Who may do what: roles, self-service channel switches, claims, transfers, closes.

Every permission check of the router lives here, so the rules can be read
in one place. An ``actor`` of None is the host itself, which may do
anything; otherwise the actor is an agent whose role decides.
"""

from __future__ import annotations

from typing import Final

from agentroute.errors import PermissionDeniedError
from agentroute.model import Agent, Role

__all__ = [
    "ADMIN_ROLES",
    "check_administrator",
    "check_channel_change",
    "check_claim",
    "check_own_item",
    "check_transfer",
    "is_administrator",
]

ADMIN_ROLES: Final[tuple[Role, ...]] = ("owner", "administrator")


def is_administrator(actor: Agent | None) -> bool:
    """Tell whether *actor* (None = the host) may administer the router."""
    return actor is None or actor.role in ADMIN_ROLES


def check_administrator(actor: Agent | None, action: str) -> None:
    """
    Allow only the host, owners and administrators.

    Raises:
        PermissionDeniedError: *actor* is a plain agent.
    """
    if not is_administrator(actor):
        assert actor is not None
        raise PermissionDeniedError(actor.id, action, "only an owner or administrator may")


def check_channel_change(actor: Agent | None, agent_id: str, *, self_service: bool) -> None:
    """
    Allow administrators, and an agent switching their own channels when self-service is on.

    Raises:
        PermissionDeniedError: The actor may not change *agent_id*'s channels.
    """
    if is_administrator(actor):
        return
    assert actor is not None
    action = f"change the channel status of {agent_id!r}"
    if actor.id != agent_id:
        raise PermissionDeniedError(actor.id, action, "an agent may change only their own")
    if not self_service:
        reason = (
            "self-service is off; an administrator can turn it on with Router.set_self_service()"
        )
        raise PermissionDeniedError(actor.id, action, reason)


def check_transfer(actor: Agent | None, owner: str | None, *, force: bool) -> None:
    """
    Allow administrators, and an agent transferring an item they own, without force.

    Raises:
        PermissionDeniedError: The actor may not transfer this item this way.
    """
    if is_administrator(actor):
        return
    assert actor is not None
    if force:
        raise PermissionDeniedError(
            actor.id, "force a transfer", "only an owner or administrator may"
        )
    if owner != actor.id:
        whose = f"an item held by {owner!r}" if owner else "an unassigned item"
        reason = "an agent may transfer only items they hold"
        raise PermissionDeniedError(actor.id, f"transfer {whose}", reason)


def check_own_item(actor: Agent | None, holder: str | None, action: str) -> None:
    """
    Allow administrators, and an agent acting on an item they are responsible for.

    Raises:
        PermissionDeniedError: A plain agent acts on someone else's item.
    """
    if is_administrator(actor):
        return
    assert actor is not None
    if holder != actor.id:
        whose = f"an item of {holder!r}" if holder else "an unassigned item"
        reason = f"an agent may {action} only items they are responsible for"
        raise PermissionDeniedError(actor.id, f"{action} {whose}", reason)


def check_claim(actor: Agent | None, agent_id: str, *, in_order: bool, allowed: bool) -> None:
    """
    Allow an agent to claim for themselves: in queue order always, out of order if allowed.

    Administrators may claim for anyone, in any order.

    Raises:
        PermissionDeniedError: The claim is for someone else, or out of order where forbidden.
    """
    if is_administrator(actor):
        return
    assert actor is not None
    if actor.id != agent_id:
        raise PermissionDeniedError(
            actor.id, f"claim for {agent_id!r}", "an agent may claim only for themselves"
        )
    if not in_order and not allowed:
        reason = (
            "this department lets agents take only the next item in line; "
            "use Router.next_for(), or ask an administrator to allow claims"
        )
        raise PermissionDeniedError(actor.id, "claim an item out of order", reason)
