"""
Bounded memory: closed items, idle pools and history rows do not pile up.
"""

from __future__ import annotations

import pytest

from agentroute import InvalidValueError, ManualClock, Router, UnknownItemError
from agentroute.router import DEFAULT_HISTORY_LIMIT, DEFAULT_RETAIN_CLOSED
from tests.generators import make_item, make_router


def router_keeping(retain_closed: int | None, history_limit: int | None = 1000) -> Router:
    router = Router(
        clock=ManualClock(0.0), retain_closed=retain_closed, history_limit=history_limit
    )
    router.add_department("billing")
    return router


def test_defaults_are_documented_bounds() -> None:
    """A router keeps 20 000 closed items and 1 000 history rows per item unless told."""
    assert (20_000, 1_000) == (DEFAULT_RETAIN_CLOSED, DEFAULT_HISTORY_LIMIT)


def test_the_oldest_closed_item_is_dropped_at_the_close_that_exceeds_the_bound() -> None:
    """With retain_closed=2, the third close drops the first closed item."""
    router = router_keeping(2)
    for n in range(3):
        router.assign(make_item(f"c{n}"))

    router.close("c1")
    router.close("c0")
    router.close("c2")

    with pytest.raises(UnknownItemError):
        router.status("c1")
    assert ["closed", "closed"] == [router.status(i).state for i in ("c0", "c2")]


def test_a_dropped_id_can_be_used_again() -> None:
    """Once dropped, an id is free, as after forget()."""
    router = router_keeping(0)
    router.assign(make_item("c1"))
    router.close("c1")

    decision = router.assign(make_item("c1"))

    assert ("queued", ["created"]) == (decision.status, [e.action for e in router.history("c1")])


def test_a_reopened_item_leaves_the_drop_order_until_closed_again() -> None:
    """Reopening takes an item out of the closed count; its next close puts it last in line."""
    router = router_keeping(2)
    for n in range(3):
        router.assign(make_item(f"c{n}"))
    router.close("c0")
    router.close("c1")
    router.reopen("c0")

    router.close("c2")
    router.close("c0")

    with pytest.raises(UnknownItemError):
        router.status("c1")
    assert ["closed", "closed"] == [router.status(i).state for i in ("c2", "c0")]


def test_forgotten_items_do_not_count() -> None:
    """forget() drops an item at once, and the bound counts only what is kept."""
    router = router_keeping(2)
    for n in range(3):
        router.assign(make_item(f"c{n}"))
    router.close("c0")
    router.forget("c0")

    router.close("c1")
    router.close("c2")

    assert ["closed", "closed"] == [router.status(i).state for i in ("c1", "c2")]


def test_none_keeps_every_closed_item() -> None:
    """retain_closed=None keeps everything, as before there was a bound."""
    router = router_keeping(None)
    for n in range(50):
        router.assign(make_item(f"c{n}"))
        router.close(f"c{n}")

    assert all(router.status(f"c{n}").state == "closed" for n in range(50))


def test_history_keeps_its_latest_rows() -> None:
    """An item reopened and closed many times keeps only history_limit rows, newest last."""
    router = router_keeping(10, history_limit=4)
    router.assign(make_item("c1"))
    for _ in range(5):
        router.close("c1")
        router.reopen("c1")

    actions = [entry.action for entry in router.history("c1")]

    assert ["reopened", "closed", "reopened", "closed", "reopened"][-4:] == actions


@pytest.mark.parametrize(
    ("option", "value"),
    [("retain_closed", -1), ("retain_closed", 1.5), ("history_limit", 0), ("history_limit", "9")],
)
def test_bad_bounds_are_refused(option: str, value: object) -> None:
    """Bounds are ints: retain_closed >= 0, history_limit >= 1, or None."""
    with pytest.raises(InvalidValueError, match=option):
        Router(**{option: value})  # type: ignore[arg-type]


def test_lines_for_one_off_channels_are_freed() -> None:
    """A (department, channel) line with no members and no work is not kept."""
    router = make_router("ana")
    for n in range(100):
        router.assign(make_item(f"x{n}", channel=f"fax-{n}"))
        router.close(f"x{n}")

    assert 1 == len(router._core.pools)
    router._check()


def test_lines_are_freed_when_their_last_member_leaves() -> None:
    """Removing the only member of a line with nothing waiting frees it."""
    router = make_router("ana")

    router.remove_agent("ana")

    assert 0 == len(router._core.pools)
