"""The Router's read-only questions about routing: who could take work now, and why not."""

from __future__ import annotations

from agentroute._calls._base import Calls
from agentroute._core import lookup
from agentroute.candidates import Candidates
from agentroute.model import check_id


class LookupCalls(Calls):
    """The read-only routing questions; no state (the Router owns the lock and core)."""

    def candidates(self, department: str, channel: str) -> Candidates:
        """
        Tell who could take an item of *channel* in *department* now, and why not the others.

        One pass over the department's agents serving the channel, with no
        effect on routing: cheap enough for a transfer picker. The ready
        agents come in the strategy's order; everyone else who serves the
        channel there is listed with every reason (offline, on a break,
        full, over their unit budget, switched off, off duty ...).

        Raises:
            UnknownDepartmentError: No such department.
            InvalidValueError: *channel* is not a non-empty string.

        Examples:
            >>> router = Router()
            >>> router.add_department("billing", strategies={"chat": "priority"})
            >>> chat = {"billing": {"chat"}}
            >>> router.add_agent(Agent("ana", priority=5, capacity={"chat": 1}, departments=chat))
            >>> router.add_agent(Agent("bob", capacity={"chat": 1}, departments=chat))
            >>> router.set_presence("ana", "online"), router.set_presence("bob", "online")
            ([], [])
            >>> router.candidates("billing", "chat").ready
            ('ana', 'bob')

        Added in 0.2.
        """
        check_id("channel", channel)
        with self._lock:
            self._enter()
            return lookup.candidates(self._core, department, channel)

    def candidates_for(self, item_id: str) -> Candidates:
        """
        Tell who could take this item now, and why not the others.

        The answer is `candidates` for the item's department and channel, with
        ``preferred`` listing the agents it goes to first (those dedicated to
        its group, or its customer's last agent in a sticky department).

        Raises:
            UnknownItemError: No item has this id, or it was dropped.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            record = self._core.items.get(item_id)
            return lookup.candidates_for(self._core, record, self._now())
