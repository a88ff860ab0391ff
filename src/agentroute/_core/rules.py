"""
Running routing rules inside the call that triggers them.

A trigger (an item created, a reply, a reopen, a transfer, a close, an SLA
warning or breach) runs the active rules that name it, in the order they
were added, on the item as it is then; each matching rule's actions run in
order, and ``Stop`` ends the run. Every action is recorded in the item's
history with the rule's name as the actor; one that cannot be carried out
(an unknown department, an agent who cannot take the item) is recorded
with why, and the rest go on. Actions trigger no further rules, so a rule
can never loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from agentroute._core import sla
from agentroute._core.eligibility import barriers
from agentroute._core.items import ItemRecord
from agentroute._core.transfers import move
from agentroute.commands import AddRule, RemoveRule, SetRuleActive
from agentroute.errors import DuplicateRuleError, UnknownRuleError
from agentroute.events import NewItemInDepartment
from agentroute.model import Decision
from agentroute.rules import (
    Action,
    AddTag,
    RemoveTag,
    Rule,
    SetPriority,
    SetSla,
    Stop,
    TransferTo,
    Trigger,
)

if TYPE_CHECKING:
    from agentroute._core.core import Core

__all__ = ["add_rule", "fire", "remove_rule", "set_rule_active", "sla_breach", "sla_warning"]


def add_rule(core: Core, command: AddRule) -> None:
    """Add a rule after the others."""
    rule = command.rule
    if rule.name in core.rules:
        raise DuplicateRuleError(rule.name)
    core.rules[rule.name] = rule
    core.undo.push(core.rules.pop, rule.name)


def remove_rule(core: Core, command: RemoveRule) -> None:
    """Remove a rule; the others keep their order."""
    rule = _rule(core, command.name)
    rules = core.rules
    core.undo.push(_put_back, rules, dict(rules))
    del rules[rule.name]


def set_rule_active(core: Core, command: SetRuleActive) -> None:
    """Switch a rule on or off, keeping its place."""
    rule = _rule(core, command.name)
    core.undo.push(core.rules.__setitem__, rule.name, rule)
    core.rules[rule.name] = attrs.evolve(rule, active=command.active)


def _rule(core: Core, name: str) -> Rule:
    rule = core.rules.get(name) if isinstance(name, str) else None
    if rule is None:
        raise UnknownRuleError(name, core.rules)
    return rule


def _put_back(rules: dict[str, Rule], before: dict[str, Rule]) -> None:
    rules.clear()
    rules.update(before)


class Run:
    """One trigger's run of the rules on one item: what it decided, and where the item went."""

    __slots__ = ("assign_to", "core", "decisions", "placed", "record", "rule", "trigger")

    def __init__(self, core: Core, record: ItemRecord, trigger: Trigger, placed: bool) -> None:
        self.core = core
        self.record = record
        self.trigger = trigger
        self.placed = placed
        """The item is where routing put it (not a new item the rules see before routing)."""
        self.decisions: list[Decision] = []
        self.assign_to: tuple[str, str] | None = None
        """For a new item: (rule, agent) of the last assign action, done after the rules."""
        self.rule = ""


def fire(
    core: Core, trigger: Trigger, record: ItemRecord, at: float, *, placed: bool = True
) -> Run:
    """Run the active rules that *trigger* names on *record*; return what they did."""
    run = Run(core, record, trigger, placed)
    for rule in list(core.rules.values()):
        if not rule.active or trigger not in rule.on or not rule.matches(record.item):
            continue
        run.rule = rule.name
        for action in rule.then:
            if type(action) is Stop:
                _note(run, at, "stop: no further rules")
                return run
            _do(run, action, at)
    return run


def _do(run: Run, action: Action, at: float) -> None:
    """Carry out one action, or record why it could not be."""
    record = run.record
    kind = type(action)
    if kind is SetPriority or kind is AddTag or kind is RemoveTag or kind is SetSla:
        _change_item(run, action, at)
    elif record.state == "closed":
        _note(run, at, f"{action.do}: not done, the item is closed")
    elif kind is TransferTo:
        _transfer(run, action.department, at)  # type: ignore[union-attr]
    else:
        _assign(run, action.agent, at)  # type: ignore[union-attr]


def _note(run: Run, at: float, outcome: str) -> None:
    """Record in the item's history what a rule did, or why it did not."""
    record = run.record
    run.core.ledger.change(
        record.item.id, at, "rule", record.department, record.agent, run.rule, "rule", outcome
    )


def _change_item(run: Run, action: Action, at: float) -> None:
    """Set a field of the item: priority, tags or SLA deadline, keeping its place consistent."""
    record = run.record
    item = record.item
    if type(action) is SetPriority:
        new = attrs.evolve(item, priority=action.priority)
        outcome = f"set priority {action.priority}"
    elif type(action) is AddTag:
        new = attrs.evolve(item, tags=item.tags | {action.tag})
        outcome = f"added tag {action.tag!r}"
    elif type(action) is RemoveTag:
        new = attrs.evolve(item, tags=item.tags - {action.tag})
        outcome = f"removed tag {action.tag!r}"
    else:
        deadline = at + action.seconds  # type: ignore[union-attr]
        new, outcome = attrs.evolve(item, sla_deadline=deadline), f"set SLA deadline {deadline}"
    core = run.core
    core.dispatch.replace_item(record, new, placed=run.placed)
    if type(action) is SetSla and record.state != "closed":
        sla.disarm(core, record)
        sla.arm(core, record, at)
        if record.state in sla.UNANSWERED:  # it waits already: its deadline counts
            sla.waits_again(core.timers, record.item.id, at)
    _note(run, at, outcome)


def _transfer(run: Run, department: str, at: float) -> None:
    """Move the item to *department*: routed there, or (a new item) routed after the rules."""
    core, record = run.core, run.record
    if department not in core.departments:
        _note(run, at, f"transfer: not done, no department {department!r}")
        return
    if department == record.department:
        _note(run, at, f"transfer: not done, the item is in {department!r} already")
        return
    pool = core.pool(department, record.item.channel)
    reason = f"rule {run.rule!r}"
    if not run.placed:  # a new item: it is routed in its new department after the rules
        if run.assign_to is not None:  # an earlier assign was checked for the old department
            _, agent = run.assign_to
            run.assign_to = None
            _note(run, at, f"assign to {agent!r}: undone, the item moved to {department!r}")
        origin = record.pool
        core.dispatch.move_item(record, pool)
        core.pools.discard_if_idle(origin)
        core.ledger.change(
            record.item.id, at, "transferred", department, None, run.rule, "rule", reason
        )
        if NewItemInDepartment.kind in core.bus.wanted:
            core.bus.emit(NewItemInDepartment(at, record.item.id, department, record.item.channel))
        return
    run.decisions.extend(move(core, record, pool, None, run.rule, "rule", reason, True, at))


def _assign(run: Run, agent: str, at: float) -> None:
    """Give the item to *agent* if they can take it now; otherwise record why not."""
    core, record = run.core, run.record
    holder = core.registry.find(agent)
    if holder is None:
        _note(run, at, f"assign: not done, no agent {agent!r}")
        return
    if record.state == "assigned" and record.agent == agent:
        _note(run, at, f"assign: not done, {agent!r} holds it already")
        return
    pool = core.home(record) if run.placed else record.pool
    reasons = barriers(holder, pool, freeing=int(agent in record.offers))
    if reasons:
        _note(run, at, f"assign: not done, {agent!r} {'; '.join(reasons)}")
        return
    if not run.placed:
        run.assign_to = (run.rule, agent)
        return
    seat = holder.seats[pool.channel]
    reason = f"rule {run.rule!r}"
    run.decisions.extend(move(core, record, pool, seat, run.rule, "rule", reason, False, at))


def sla_warning(core: Core, item_id: str, at: float) -> list[Decision]:
    """Warn that an item's deadline is near, then run the ``sla_warning`` rules on it."""
    decisions = sla.warn(core, item_id, at)
    return decisions + _after_sla(core, "sla_warning", item_id, at)


def sla_breach(core: Core, item_id: str, at: float) -> list[Decision]:
    """Tell (and escalate) an item's missed deadline, then run the ``sla_breach`` rules."""
    decisions = sla.breach(core, item_id, at)
    return decisions + _after_sla(core, "sla_breach", item_id, at)


def _after_sla(core: Core, trigger: Trigger, item_id: str, at: float) -> list[Decision]:
    if not core.rules:
        return []
    return fire(core, trigger, core.items.records[item_id], at).decisions
