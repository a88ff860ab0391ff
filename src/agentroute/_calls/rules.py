"""The Router's rule calls: add, remove, switch and list routing rules."""

from __future__ import annotations

from agentroute._calls._base import Calls
from agentroute.commands import AddRule, RemoveRule, SetRuleActive
from agentroute.errors import InvalidValueError
from agentroute.rules import Rule


class RuleCalls(Calls):
    """The rule calls; no state (the Router owns the lock and core)."""

    def add_rule(self, rule: Rule) -> None:
        """
        Add a routing rule; it runs after the rules added before it.

        From then on, each trigger the rule names runs it inside the call
        that caused the trigger (``assign``, ``reply``, ``reopen``,
        ``transfer``, ``close``, or ``advance`` for SLA timers), and what it
        does is in the item's history with its name as the actor.

        Raises:
            InvalidValueError: *rule* is not a `Rule`.
            DuplicateRuleError: A rule has that name.

        Examples:
            >>> from agentroute.rules import AssignTo, Condition, Rule, TransferTo
            >>> router = Router()
            >>> router.add_department("support")
            >>> router.add_department("marketing")
            >>> sona = Agent("sona", capacity={"ticket": 5}, departments={"marketing": {"ticket"}})
            >>> router.add_agent(sona)
            >>> router.set_presence("sona", "online")
            []
            >>> router.add_rule(Rule(
            ...     "social",
            ...     on=["created"],
            ...     when=[[Condition("source", "in", ["facebook", "twitter"])]],
            ...     then=[TransferTo("marketing"), AssignTo("sona")],
            ... ))
            >>> ticket = Item("t1", channel="ticket", department="support", source="twitter")
            >>> router.assign(ticket)
            Decision(item='t1', status='assigned', agent='sona', department='marketing',
                     channel='ticket', strategy='social', position=None, reason=None)

        Added in 0.2.
        """
        if not isinstance(rule, Rule):
            raise InvalidValueError("rule", f"must be a Rule, got {rule!r}")
        with self._lock:
            self._enter()
            self._run(AddRule(self._now(), rule))

    def remove_rule(self, name: str) -> None:
        """
        Remove a rule; the others keep their order.

        Raises:
            UnknownRuleError: No rule has that name.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            self._run(RemoveRule(self._now(), name))

    def set_rule_active(self, name: str, active: bool) -> None:
        """
        Switch a rule on or off; a switched-off rule keeps its place but never runs.

        Raises:
            UnknownRuleError: No rule has that name.
            InvalidValueError: *active* is not a bool.

        Added in 0.2.
        """
        if type(active) is not bool:
            raise InvalidValueError("active", f"must be True or False, got {active!r}")
        with self._lock:
            self._enter()
            self._run(SetRuleActive(self._now(), name, active))

    def rules(self) -> tuple[Rule, ...]:
        """
        Return the routing rules in the order they run.

        Added in 0.2.
        """
        with self._lock:
            self._enter()
            return tuple(self._core.rules.values())
