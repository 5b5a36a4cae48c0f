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
