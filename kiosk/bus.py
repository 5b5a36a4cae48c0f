"""The event bus: typed events (kiosk.events), fired by anyone, delivered to every subscriber in order."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from kiosk.events import KioskEvent

E = TypeVar("E", bound=KioskEvent)

log = logging.getLogger(__name__)


class EventBus:
    """Synchronous publish/subscribe, safe to publish from device threads.

    Handlers run in the publishing thread; a UI that must act on its own thread wraps its handler
    (the Kivy app hands them to `Clock.schedule_once`). A failing handler is logged here and never
    stops the other handlers or the publisher: one broken screen must not stop a print job.
    """

    def __init__(self) -> None:
        self._handlers: dict[type[KioskEvent], list[Callable[[Any], None]]] = defaultdict(list)
        self._lock = threading.Lock()

    def subscribe(self, kind: type[E], handler: Callable[[E], None]) -> Callable[[], None]:
        """Call `handler(event)` for every event of `kind`; returns a function that unsubscribes."""
        with self._lock:
            self._handlers[kind].append(handler)

        def unsubscribe() -> None:
            with self._lock:
                if handler in self._handlers[kind]:
                    self._handlers[kind].remove(handler)

        return unsubscribe

    def publish(self, event: KioskEvent) -> None:
        """Deliver `event` to every subscriber of its kind, in subscription order."""
        with self._lock:
            handlers = list(self._handlers.get(type(event), ()))
        for handler in handlers:
            try:
                handler(event)
            except Exception:
                log.exception(
                    "handler %s failed on %s", getattr(handler, "__qualname__", handler), type(event).__name__
                )


class ChangeLock:
    """The lock of something that announces its changes (the journey): events announced while it
    is held are queued, and published once the announcing thread leaves its outermost hold, in the
    order they were announced (by that thread, or by the thread already publishing the queue).

    So a subscriber may call back into the changed object, from its own thread or from another one
    it waits for, without a deadlock. One thread publishes at a time: what another thread announces
    meanwhile is published by it, after the event it is delivering, never in the middle.
    """

    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self._lock = threading.RLock()
        #: How many times the holding thread has entered (it publishes when it leaves the last).
        self._depth = 0
        self._queued: deque[KioskEvent] = deque()
        #: Guards `_publishing`: whether a thread is publishing the queued events now.
        self._publishing_lock = threading.Lock()
        self._publishing = False

    def __enter__(self) -> None:
        self._lock.acquire()
        self._depth += 1

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._depth -= 1
        outermost = self._depth == 0
        self._lock.release()
        if outermost:
            self._publish_queued()

    def announce(self, event: KioskEvent) -> None:
        """Publish `event` once the lock is released (call holding it)."""
        assert self._depth, "announced without holding the lock: it would wait for the next change"
        self._queued.append(event)

    def _publish_queued(self) -> None:
        with self._publishing_lock:
            if self._publishing:
                return  # the thread publishing now publishes these too, in order
            self._publishing = True
        try:
            while True:
                with self._publishing_lock:
                    if not self._queued:
                        self._publishing = False
                        return
                    event = self._queued.popleft()
                self._bus.publish(event)
        except BaseException:
            with self._publishing_lock:
                self._publishing = False
            raise
