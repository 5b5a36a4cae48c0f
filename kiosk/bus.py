"""The event bus: named events, fired by anyone, delivered to every subscriber in order."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from kiosk.events import Event

Handler = Callable[..., None]

log = logging.getLogger(__name__)


class EventBus:
    """Synchronous publish/subscribe, safe to publish from device threads.

    Handlers run in the publishing thread; a UI that must act on its own thread wraps its handler
    (the Kivy app hands them to `Clock.schedule_once`). A failing handler is logged here and never
    stops the other handlers or the publisher: one broken screen must not stop a print job.
    """

    def __init__(self) -> None:
        self._handlers: dict[Event, list[Handler]] = defaultdict(list)
        self._lock = threading.Lock()

    def subscribe(self, event: Event, handler: Handler) -> Callable[[], None]:
        """Call `handler(**payload)` for every `event`; returns a function that unsubscribes."""
        with self._lock:
            self._handlers[event].append(handler)

        def unsubscribe() -> None:
            with self._lock:
                if handler in self._handlers[event]:
                    self._handlers[event].remove(handler)

        return unsubscribe

    def publish(self, event: Event, **payload: Any) -> None:
        """Deliver `event` with its payload to every subscriber, in subscription order."""
        with self._lock:
            handlers = list(self._handlers.get(event, ()))
        for handler in handlers:
            try:
                handler(**payload)
            except Exception:
                log.exception("handler %s failed on %s", getattr(handler, "__qualname__", handler), event)
