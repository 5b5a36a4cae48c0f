"""Work that must not run on the UI thread (printing, card reads, sync), started one way everywhere."""

from __future__ import annotations

import threading
from collections.abc import Callable

from kiosk.thread_guard import ThreadGuard

#: Starts a piece of work off the caller's thread; tests pass one that runs it in place.
Background = Callable[[Callable[[], None]], None]

#: Background work that failed in a way nobody expected: logged without its text, and counted.
_WORKER_GUARD = ThreadGuard("background work", pause=lambda: 0.0)


def run_in_thread(work: Callable[[], None]) -> None:
    """Run device work off the UI thread."""

    def guarded() -> None:
        with _WORKER_GUARD:
            work()

    threading.Thread(target=guarded, name="kiosk-worker", daemon=True).start()


class PeriodicWork:
    """Work run now and then on a thread of its own (the sync, the rating sender): first after
    `first_delay`, then after what `next_delay()` says once each run is done (its back-off);
    `wake()` runs it sooner, `stop()` ends the loop after the run in progress."""

    def __init__(self, name: str, run: Callable[[], object], next_delay: Callable[[], float]) -> None:
        self._name = name
        self._run = run
        self._next_delay = next_delay
        self._stop = threading.Event()
        self._wake = threading.Event()
        #: The loop's thread while it runs.
        self.thread: threading.Thread | None = None

    @property
    def stopping(self) -> bool:
        """Whether stop() was asked: a long run checks it between its steps."""
        return self._stop.is_set()

    def start(self, first_delay: float) -> None:
        self.thread = threading.Thread(target=self._loop, args=(first_delay,), name=self._name, daemon=True)
        self.thread.start()

    def wake(self) -> None:
        """Run as soon as the run in progress (if any) is done."""
        self._wake.set()

    def stop(self, timeout: float) -> bool:
        """Ask the loop to end and wait at most `timeout` seconds; whether it has ended."""
        self._stop.set()
        self._wake.set()
        if self.thread is None:
            return True
        self.thread.join(timeout=timeout)
        return not self.thread.is_alive()

    def _loop(self, first_delay: float) -> None:
        delay = first_delay
        while not self._stop.is_set():
            self._wake.wait(delay)
            self._wake.clear()
            if self._stop.is_set():
                return
            self._run()
            delay = self._next_delay()
