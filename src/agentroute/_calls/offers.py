"""The Router's ring-all calls: answer or refuse an offer, and see what rings whom."""

from __future__ import annotations

from agentroute._calls._base import Calls
from agentroute.commands import Accept, Decline
from agentroute.model import Decision


class OfferCalls(Calls):
    """The ring-all calls; no state (the Router owns the lock and core)."""

    def accept(self, item_id: str, agent_id: str) -> list[Decision]:
        """
        Give an offered item to the agent who answers; the other offers are withdrawn.

        Returns the item's decision first, then what the slots freed by the
        withdrawn offers took (items offered or assigned to those agents).

        Raises:
            UnknownItemError, UnknownAgentError: An id is unknown.
            NotOfferedError: The item does not ring this agent (any more):
                someone else took it, it timed out, was declined or closed,
                or the agent became unable to take it (went away, on a
                break, off duty ...), which withdraws their offers at once.

        Examples:
            >>> router = Router()
            >>> router.add_department("support", strategies={"call": "ring_all"})
            >>> for name in ("ana", "bob"):
            ...     router.add_agent(
            ...         Agent(name, capacity={"call": 1}, departments={"support": {"call"}})
            ...     )
            ...     _ = router.set_presence(name, "online")
            >>> router.assign(Item("k1", channel="call", department="support")).offered
            ('ana', 'bob')
            >>> router.accept("k1", "bob")[0].agent
            'bob'

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            result: list[Decision] = self._run(Accept(self._now(), item_id, agent_id))
            return result

    def decline(self, item_id: str, agent_id: str) -> list[Decision]:
        """
        Stop an offer ringing one agent; the item keeps ringing the others.

        When the last offer is declined the item goes back in line and, as
        any waiting item, is offered again to whoever is free, the decliners
        included: to stop offers reaching an agent, set them away or switch
        the channel off.

        Returns what the freed slot took, or where the item went.

        Raises:
            UnknownItemError, UnknownAgentError: An id is unknown.
            NotOfferedError: The item does not ring this agent.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            result: list[Decision] = self._run(Decline(self._now(), item_id, agent_id))
            return result

    def offered_to(self, agent_id: str) -> tuple[str, ...]:
        """
        Return the items ringing an agent now, oldest offer first.

        Raises:
            UnknownAgentError: No agent has this id.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            return tuple(self._core.registry.get(agent_id).offers)

    def missed_offers(self, agent_id: str) -> int:
        """
        Return how many offers an agent let ring out since they were added.

        A host may react to a miss (event ``offer_missed``), e.g. by setting
        the agent away, as a phone system pauses a member who does not answer.

        Raises:
            UnknownAgentError: No agent has this id.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            return self._core.registry.get(agent_id).missed
