"""
The journal: one plain entry per successful mutating call, replayed by ``apply``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest

from agentroute import (
    Agent,
    HostCodeError,
    InvalidDataError,
    InvalidValueError,
    ManualClock,
    ReentrantCallError,
    Router,
    Schedule,
    Shift,
    UnknownItemError,
    UnsupportedVersionError,
    commands,
    journal,
)
from agentroute.rules import (
    AddTag,
    AssignTo,
    Condition,
    RemoveTag,
    Rule,
    SetPriority,
    SetSla,
    Stop,
    TransferTo,
)
from tests.generators import make_agent, make_item, record_events

Entry = dict[str, Any]


def script(router: Router, clock: ManualClock) -> list[object]:
    """Make one call of every journaled kind; return what each returned."""
    both = {"billing": {"chat", "call"}, "support": {"chat"}}
    calls: list[Callable[[], object]] = [
        lambda: router.add_department("billing", strategies={"chat": "round_robin"}),
        lambda: router.add_department("support", mode="pull", allow_claims=True),
        lambda: router.add_agent(Agent("ana", capacity={"chat": 2, "call": 1}, departments=both)),
        lambda: router.add_agent(Agent("boss", role="owner", capacity={"chat": 1})),
        lambda: router.add_agent(make_agent("bob", capacity={"chat": 1, "call": 1})),
        lambda: router.set_presence("ana", "online"),
        lambda: router.set_presence("bob", "online"),
        lambda: router.assign(make_item("c1", sla_deadline=99.5)),
        lambda: router.assign(make_item("c2", priority=3)),
        lambda: router.assign(make_item("c3")),
        lambda: router.assign(make_item("s1", department="support")),
        lambda: router.set_channel("ana", "call", enabled=False, actor="boss"),
        lambda: router.set_self_service(True, actor="boss"),
        lambda: router.set_capacity("bob", "chat", 2),
        lambda: router.close("c1", actor="ana", reason="solved"),
        lambda: router.reply("c1"),
        lambda: router.requeue("c2", reason="lunch"),
        lambda: router.transfer("c3", to_department="support", actor="boss"),
        lambda: router.claim("c3", "ana"),
        lambda: router.next_for("ana"),
        lambda: router.close("c3"),
        lambda: router.reopen("c3"),
        lambda: router.close("c3"),
        lambda: router.forget("c3"),
        lambda: router.update_agent(make_agent("bob", capacity={"chat": 3}), requeue=True),
        lambda: router.remove_agent("bob", requeue=True),
        lambda: router.start_break("ana", 30, reason="lunch"),
        lambda: router.end_break("ana"),
        lambda: router.start_break("ana", 1.5),
        lambda: router.advance(),
        lambda: router.set_schedule("ana", Schedule("UTC", [Shift(["mon"], "00:00", "00:00")])),
        lambda: router.set_schedule("ana", None),
        lambda: router.set_forwarding("ana", "+4930123"),
        lambda: router.set_duty_rotation("billing", "call", ["ana"], period_s=60),
        lambda: router.add_department("desk", strategies={"chat": "ring_all"}, ring_timeout_s=9),
        lambda: router.add_agent(make_agent("dee", departments={"desk": ["chat"]})),
        lambda: router.add_agent(make_agent("eve", departments={"desk": ["chat"]})),
        lambda: router.set_presence("dee", "online"),
        lambda: router.set_presence("eve", "online"),
        lambda: router.assign(make_item("k1", department="desk")),
        lambda: router.decline("k1", "dee"),
        lambda: router.accept("k1", "eve"),
        lambda: router.add_rule(
            Rule(
                "vip",
                on=["created"],
                when=[[Condition("tags", "contains", "vip")]],
                then=[SetPriority(1), AssignTo("ana")],
            )
        ),
        lambda: router.set_rule_active("vip", False),
        lambda: router.remove_rule("vip"),
    ]
    results = []
    for call in calls:
        clock.advance(1.5)
        results.append(call())
    return results


def journaled() -> tuple[Router, list[Entry], list[object]]:
    entries: list[Entry] = []
    clock = ManualClock(100.0)
    router = Router(seed=5, clock=clock, journal=entries.append)
    return router, entries, script(router, clock)


def test_every_successful_call_writes_one_json_safe_entry() -> None:
    _, entries, results = journaled()

    assert len(entries) == len(results)
    assert set(journal.OPERATIONS) == {entry["op"] for entry in entries}
    for entry in entries:
        assert json.loads(json.dumps(entry)) == entry
        assert (entry["format"], entry["version"]) == ("agentroute.journal", 1)
    assert entries[7] == {
        "format": "agentroute.journal",
        "version": 1,
        "seq": 8,
        "op": "assign",
        "at": 112.0,
        "item": {
            "id": "c1",
            "channel": "chat",
            "department": "billing",
            "customer": None,
            "priority": 50,
            "sla_deadline": 99.5,
            "group": None,
            "source": None,
            "tags": [],
            "attributes": {},
        },
    }


def test_replaying_the_journal_returns_the_same_results_and_state() -> None:
    original, entries, results = journaled()
    replica_entries: list[Entry] = []
    replica = Router(seed=5, clock=ManualClock(0.0), journal=replica_entries.append)

    replayed = [replica.apply(json.loads(json.dumps(entry))) for entry in entries]

    assert results == replayed
    assert original.snapshot() == replica.snapshot()
    assert replica_entries == entries
    replica._check()


def test_apply_never_reads_the_clock() -> None:
    _, entries, _ = journaled()

    def broken() -> float:
        raise AssertionError("the clock was read")

    replica = Router(seed=5, clock=broken)
    for entry in entries:
        replica.apply(entry)
    with pytest.raises(HostCodeError, match="clock"):
        replica.assign(make_item("late"))


def test_a_call_that_changes_nothing_is_journaled_too() -> None:
    entries: list[Entry] = []
    router = Router(journal=entries.append)
    router.add_department("billing")
    router.add_agent(make_agent("ana"))
    router.set_presence("ana", "online")

    assert router.next_for("ana") is None
    assert entries[-1]["op"] == "next_for"


def test_a_failed_call_writes_nothing() -> None:
    router, entries, _ = journaled()
    count = len(entries)

    with pytest.raises(UnknownItemError):
        router.close("ghost")

    assert len(entries) == count


def test_a_failing_journal_undoes_the_call() -> None:
    router, _, _ = journaled()
    before = router.snapshot()
    events = record_events(router)

    def full_disk(entry: Entry) -> None:
        raise OSError("disk full")

    router._core.journal = full_disk
    with pytest.raises(HostCodeError, match="journal raised OSError") as caught:
        router.assign(make_item("lost"))

    assert isinstance(caught.value.__cause__, OSError)
    assert router.snapshot() == before
    assert events == []


def test_the_journal_may_not_call_the_router() -> None:
    router = Router()
    router.add_department("billing")

    def meddle(entry: Entry) -> None:
        router.add_department("meddled")

    router._core.journal = meddle
    with pytest.raises(HostCodeError) as caught:
        router.add_department("support")

    assert isinstance(caught.value.__cause__, ReentrantCallError)
    assert router.departments() == ["billing"]


def test_a_journal_must_be_callable() -> None:
    with pytest.raises(InvalidValueError, match="journal: must be a callable or None"):
        Router(journal="entries.log")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="journal: must be a callable or None"):
        Router.restore(Router().snapshot(), journal="entries.log")  # type: ignore[arg-type]


def test_every_command_survives_encode_and_decode() -> None:
    agent = Agent("ana", capacity={"chat": 1}, departments={"billing": {"chat"}})
    budget = Agent("bo", capacity={"chat": 2, "call": 1}, units=4, unit_costs={"call": 4})
    every: list[commands.Command] = [
        commands.AddDepartment(
            1.0,
            "billing",
            {"chat": "random"},
            None,
            "pull",
            True,
            False,
            90.0,
            60.0,
            2,
            True,
            9.0,
            15.0,
            30.0,
            {"vip": ("ana", "bob")},
            None,
        ),
        commands.AddAgent(1.0, agent),
        commands.AddAgent(1.0, budget),
        commands.UpdateAgent(1.0, agent, True),
        commands.RemoveAgent(1.0, "ana", False),
        commands.SetPresence(1.0, "ana", "away"),
        commands.SetChannel(1.0, "ana", "chat", False, "billing", "boss"),
        commands.SetSelfService(1.0, True, None),
        commands.SetCapacity(1.0, "ana", "chat", 3),
        commands.Assign(1.0, make_item("c1")),
        commands.Close(1.0, "c1", "ana", "done"),
        commands.Forget(1.0, "c1"),
        commands.Transfer(1.0, "c1", "bob", "sales", "boss", "why", True, False),
        commands.Claim(1.0, "c1", "ana", None),
        commands.NextFor(1.0, "ana", "boss"),
        commands.Reopen(1.0, "c1", None),
        commands.Reply(1.0, "c1"),
        commands.Requeue(1.0, "c1", None, None),
        commands.Accept(1.0, "c1", "ana"),
        commands.Decline(1.0, "c1", "ana"),
        commands.AddRule(
            1.0,
            Rule(
                "social",
                on=["created", "replied"],
                when=[
                    [Condition("source", "in", ["facebook", "twitter"])],
                    [Condition("attributes.seats", "greater_than", 10.5)],
                ],
                then=[TransferTo("marketing"), AssignTo("sona"), AddTag("social"), RemoveTag("x")],
            ),
        ),
        commands.AddRule(
            1.0, Rule("late", on=["sla_breach"], then=[SetSla(60.0), Stop()], active=False)
        ),
        commands.RemoveRule(1.0, "social"),
        commands.SetRuleActive(1.0, "late", True),
        commands.StartBreak(1.0, "ana", 300.0, "lunch"),
        commands.EndBreak(1.0, "ana"),
        commands.Advance(1.0),
        commands.SetSchedule(
            1.0, "ana", Schedule("Asia/Tokyo", [Shift(["sun"], "22:00", "06:00")])
        ),
        commands.SetSchedule(1.0, "ana", None),
        commands.SetForwarding(1.0, "ana", "sip:ana@example.org"),
        commands.SetDutyRotation(1.0, "billing", "call", ("ana", "bob"), 3600.0),
        commands.SetDutyRotation(1.0, "billing", "call", None, 3600.0),
    ]

    decoded = [journal.decode(json.loads(json.dumps(journal.encode(c, 9)))) for c in every]

    assert decoded == [(9, c) for c in every]
    assert {type(c) for c in every} == set(journal.OPERATIONS.values())


def _entry(**changes: object) -> Entry:
    entry: Entry = {
        "format": "agentroute.journal",
        "version": 1,
        "seq": 1,
        "op": "close",
        "at": 5.0,
        "item_id": "c1",
        "actor": None,
        "reason": None,
    }
    entry.update(changes)
    return {key: value for key, value in entry.items() if value is not ...}


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (_entry(item_id=...), "item_id: required key missing"),
        (_entry(item_id=7), "item_id: expected a string, got 7"),
        (_entry(mood="happy"), "(top level): unknown key(s): mood"),
        (_entry(at="noon"), "at: expected a finite number, got 'noon'"),
        (_entry(op=3), "op: unknown operation 3"),
        (_entry(op="explode"), "op: unknown operation 'explode' (known: accept, add_agent, "),
        (_entry(op="set_presence", agent_id="ana", presence="asleep"), "presence: "),
        (_entry(seq=0), "seq: expected an int >= 1, got 0"),
        (_entry(seq="1"), "seq: expected an int >= 1, got '1'"),
        (_entry(seq=2), "seq: is 2, but this router has taken 0 calls, so the next entry is 1"),
    ],
)
def test_a_bad_entry_is_refused_naming_the_key(entry: Entry, problem: str) -> None:
    router = Router()

    with pytest.raises(InvalidDataError) as caught:
        router.apply(entry)

    assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems
    assert str(caught.value).startswith("Refused journal entry")


@pytest.mark.parametrize(
    ("entry", "path"),
    [
        (_entry(version=2), "version"),
        (_entry(version=0), "version"),
        (_entry(format="agentroute.snapshot"), "format"),
    ],
)
def test_an_entry_of_another_format_or_newer_version_is_refused(entry: Entry, path: str) -> None:
    with pytest.raises(UnsupportedVersionError, match=r"reads format 'agentroute\.journal'") as e:
        Router().apply(entry)

    assert e.value.path == path


def test_an_entry_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(InvalidDataError, match="expected an object"):
        Router().apply(["close", "c1"])  # type: ignore[arg-type]


def test_an_entry_applied_twice_is_refused() -> None:
    _, entries, _ = journaled()
    replica = Router(seed=5)
    replica.apply(entries[0])

    with pytest.raises(InvalidDataError, match="an entry is missing or repeated"):
        replica.apply(entries[0])

    assert replica.departments() == ["billing"]


def test_restore_replays_entries_without_journaling_them() -> None:
    original, entries, _ = journaled()
    start = Router(seed=5).snapshot()
    heard: list[Entry] = []

    restored = Router.restore(start, journal=heard.append, replay=entries)
    replayed = restored.snapshot()
    restored.assign(make_item("after"))

    assert replayed == original.snapshot()
    assert replayed["counters"]["entries"] == len(entries)
    assert [entry["seq"] for entry in heard] == [len(entries) + 1]


def test_threads_journal_in_the_order_calls_took_effect() -> None:
    entries: list[Entry] = []
    router = Router(seed=3, journal=entries.append)
    router.add_department("billing", default_strategy="random")
    for n in range(6):
        router.add_agent(make_agent(f"a{n}", capacity={"chat": 2}))
        router.set_presence(f"a{n}", "online")
    snapshots: list[dict[str, Any]] = []

    def work(worker: int) -> None:
        for n in range(150):
            item_id = f"w{worker}-{n}"
            router.assign(make_item(item_id))
            if n % 3:
                router.close(item_id)
            if n % 50 == 0:
                snapshots.append(router.snapshot())

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    replica = Router(seed=3)
    for entry in entries:
        replica.apply(entry)

    assert replica.snapshot() == router.snapshot()
    assert len(snapshots) == 12
