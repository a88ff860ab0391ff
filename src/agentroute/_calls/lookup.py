"""The Router's read-only questions about routing: who could take work now, and why."""

from __future__ import annotations

from agentroute._calls._base import Calls
from agentroute._core import lookup
from agentroute.candidates import Candidates
from agentroute.estimates import WaitEstimate
from agentroute.explanation import Explanation
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

    def explain(self, item_id: str) -> Explanation:
        """
        Tell why an item is where it is: who decided, what the strategy compared, who else could.

        Built on demand from the item's history and a small note each
        strategy choice leaves (how many agents were free, the chosen one's
        rank and the best other's), so routing pays almost nothing for it.
        ``now`` is `candidates_for` the item at this moment. A choice made
        before the router was restored from a snapshot has no note.

        Raises:
            UnknownItemError: No item has this id, or it was dropped.

        Examples:
            >>> router = Router()
            >>> router.add_department("billing")
            >>> chat = {"billing": {"chat"}}
            >>> for name in ("ana", "bob"):
            ...     router.add_agent(Agent(name, capacity={"chat": 2}, departments=chat))
            ...     _ = router.set_presence(name, "online")
            >>> _ = router.assign(Item("c1", channel="chat", department="billing"))
            >>> print(router.explain("c1"))
            Item 'c1' ('chat' in 'billing') is assigned to 'ana'.
            Decided by least_busy (strategy) at ....
            The strategy chose among 2 free agents:
              chosen 'ana' (load 0, idle since 0, id 'ana')
              next   'bob' (load 0, idle since 0, id 'bob')
            Now: 'chat' in 'billing' (least_busy): 2 ready, 0 unavailable
              ready: 'bob', 'ana'

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            record = self._core.items.get(item_id)
            return lookup.explain(self._core, record, self._now())

    def estimated_wait(self, item_id: str) -> WaitEstimate:
        """
        Tell a waiting item's place in line and how long it should still wait.

        The estimate is ``position * mean handling time / slots``: the slots
        of the available agents serving its line free up at about
        ``slots / handling time`` per second, and the item waits for as
        many of them as its position (as in an M/M/c queue). The handling
        time is the mean of the department's observed closes on that
        channel (plain over the first 20, then a moving average). It is None
        before the first close, with nobody available, or for an item
        waiting to be pulled.

        Raises:
            UnknownItemError: No item has this id, or it was dropped.
            InvalidStateError: The item is not queued.

        Examples:
            >>> from agentroute import ManualClock
            >>> clock = ManualClock(0.0)
            >>> router = Router(clock=clock)
            >>> router.add_department("billing")
            >>> chat = {"billing": {"chat"}}
            >>> router.add_agent(Agent("ana", capacity={"chat": 2}, departments=chat))
            >>> router.set_presence("ana", "online")
            []
            >>> for n in range(4):
            ...     _ = router.assign(Item(f"c{n}", channel="chat", department="billing"))
            >>> clock.advance(300)
            300.0
            >>> router.close("c0")[0].item  # c2 takes the slot: 300 s observed
            'c2'
            >>> router.estimated_wait("c3")
            WaitEstimate(item='c3', position=1, slots=2, handling_s=300.0, seconds=150.0)

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            return lookup.estimated_wait(self._core, self._core.items.get(item_id))
