from __future__ import annotations

import math
from typing import Any

import pytest

from agentroute._core.queue import WaitingQueue, queue_key
from tests.generators import make_item


def test_queue_key_without_deadline_sorts_last() -> None:
    """An item without an SLA deadline gets +inf, so any deadline is served before it."""
    item = make_item("c1", priority=3)

    key = queue_key(item, 7)

    assert (3, math.inf, 7, "c1") == key


def test_queue_key_with_deadline() -> None:
    """A deadline is kept as float seconds in the key."""
    item = make_item("c1", priority=3, sla_deadline=120)

    key = queue_key(item, 7)

    assert (3, 120.0, 7, "c1") == key


def test_order_is_priority_then_deadline_then_arrival() -> None:
    """Lower priority numbers leave first, then earlier deadlines, then earlier arrivals."""
    queue = WaitingQueue()
    items = [
        make_item("late-arrival", priority=5),
        make_item("no-deadline", priority=5),
        make_item("late-deadline", priority=5, sla_deadline=200),
        make_item("early-deadline", priority=5, sla_deadline=100),
        make_item("urgent", priority=1),
    ]
    arrivals = [9, 1, 2, 3, 4]
    for item, arrival in zip(items, arrivals, strict=True):
        queue.push(queue_key(item, arrival), False, [])

    order = queue.item_ids()

    assert ("urgent", "early-deadline", "late-deadline", "no-deadline", "late-arrival") == order
    queue._check()


def test_empty_queue_is_falsy() -> None:
    """A new queue is empty and falsy."""
    queue = WaitingQueue()

    assert (0, False, ()) == (len(queue), bool(queue), queue.item_ids())


def test_first_work_peeks_and_pop_work_removes() -> None:
    """first_work() returns the head without removing it; pop_work() removes it."""
    queue = WaitingQueue()
    queue.push(queue_key(make_item("a"), 1), False, [])
    queue.push(queue_key(make_item("b"), 2), False, [])

    peeked = queue.first_work(False)
    popped = queue.pop_work(False, [])

    assert (peeked, ("b",)) == (popped, queue.item_ids())


def test_position_is_one_based() -> None:
    """position() is the 1-based place in line."""
    queue = WaitingQueue()
    keys = [queue_key(make_item(f"c{n}"), n) for n in range(3)]
    for key in reversed(keys):
        queue.push(key, False, [])

    positions = [queue.position(key) for key in keys]

    assert [1, 2, 3] == positions


def test_remove_takes_one_item_out_of_line() -> None:
    """remove() drops exactly that item; those behind it move up."""
    queue = WaitingQueue()
    keys = [queue_key(make_item(f"c{n}"), n) for n in range(3)]
    for key in keys:
        queue.push(key, False, [])

    queue.remove(keys[1], [])

    assert (("c0", "c2"), 2, 2) == (queue.item_ids(), queue.position(keys[2]), len(queue))


def test_remove_of_an_absent_key_raises() -> None:
    """Removing a key that is not waiting is a programming error, not a silent no-op."""
    queue = WaitingQueue()

    with pytest.raises(ValueError, match="not in list"):
        queue.remove(queue_key(make_item("c1"), 1), [])


def test_pull_items_are_pushed_only_when_asked() -> None:
    """Without pulled_too a pull item never leaves by pop_work(); with it, the best goes first."""
    queue = WaitingQueue()
    queue.push((5, math.inf, 1, "push"), False, [])
    queue.push((1, math.inf, 2, "pull"), True, [])

    without = (queue.has_work(False), queue.first_work(False))
    first = queue.pop_work(True, [])

    assert (True, (5, math.inf, 1, "push")) == without
    assert (1, math.inf, 2, "pull") == first


def test_every_change_logs_its_inverse() -> None:
    """Replaying the logged steps backwards puts both lines back exactly."""
    queue = WaitingQueue()
    queue.push(queue_key(make_item("a"), 1), False, [])
    queue.push(queue_key(make_item("p"), 2), True, [])
    before = (queue.item_ids(), queue.is_pull(queue_key(make_item("p"), 2)))
    undo: list[tuple[Any, ...]] = []

    queue.push(queue_key(make_item("b"), 3), False, undo)
    queue.pop_work(True, undo)
    queue.pop_work(False, undo)
    queue.remove(queue_key(make_item("p"), 2), undo)
    for step in reversed(undo):
        step[0](*step[1:])

    assert before == (queue.item_ids(), queue.is_pull(queue_key(make_item("p"), 2)))
    queue._check()


def test_first_compares_the_heads_of_both_lines() -> None:
    """With push and pull items waiting, first() is the more important of the two heads."""
    queue = WaitingQueue()
    queue.push(queue_key(make_item("push", priority=5), 1), False, [])
    queue.push(queue_key(make_item("pull", priority=2), 2), True, [])

    assert "pull" == queue.first()[3]
