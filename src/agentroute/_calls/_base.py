"""What the call groups use of the Router they are mixed into."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from agentroute._core.core import Core
from agentroute._core.pools import HostGuard
from agentroute.commands import Command
from agentroute.events import EventBus


class Calls:
    """Declares what the call groups use of the Router; annotations only, no state."""

    _lock: threading.RLock
    _bus: EventBus
    _core: Core
    _guard: HostGuard
    _enter: Callable[[], None]
    _now: Callable[[], float]
    _run: Callable[[Command], Any]
