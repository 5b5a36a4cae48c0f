"""Long-lived device threads that outlive what goes wrong in them: logged, counted, and on they go.

A reader's thread that dies on one strange frame leaves the kiosk unable to read cards until it is
restarted, with nothing on screen to say so. Each pass of such a thread's loop runs inside its
`ThreadGuard`: an exception nobody expected is logged with the device's name and how many there
have been, and the loop goes on after a pause. Expected failures (a card that cannot be read, a
reader unplugged) stay with the loop, which knows what to tell the resident.

The log line names the kind of error and the code it came from, never the error's text: an
exception raised over a card's data may quote the card's fields, and log lines carry no personal
data (kiosk.log masks ID numbers, but not names).
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

log = logging.getLogger(__name__)


class ThreadGuard:
    """Keeps one device's thread alive through any exception; use around each pass of its loop.

    `pause` is how long to wait after a failure (so a fault that repeats does not spin the CPU),
    cut short when `stop` is set. `on_failure` runs after the failure is logged (to tell the
    resident, to reset the loop's state). Failures 1, 2, 4, 8, ... are logged, so one that repeats
    forever costs a log line now and then, not a line per pass; the count in each line says how
    many there were.
    """

    def __init__(
        self,
        device: str,
        *,
        pause: Callable[[], float] = lambda: 1.0,
        stop: threading.Event | None = None,
        on_failure: Callable[[], None] | None = None,
    ) -> None:
        self.device = device
        self._pause = pause
        self._stop = stop or threading.Event()
        self._on_failure = on_failure
        self._count_lock = threading.Lock()
        #: Exceptions nobody expected, since the process started.
        self.failures = 0

    def __enter__(self) -> ThreadGuard:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> bool:
        # KeyboardInterrupt and SystemExit are meant to end the thread; so is the end of the loop.
        if not isinstance(error, Exception):
            return False
        with self._count_lock:
            self.failures += 1
            count = self.failures
        if count & (count - 1) == 0:
            log.error(
                "%s: unexpected %s on thread %s, which goes on (%d unexpected %s since start)%s",
                self.device,
                describe(error),
                threading.current_thread().name,
                count,
                "failure" if count == 1 else "failures",
                stack(trace),
            )
        if self._on_failure is not None:
            try:
                self._on_failure()
            except Exception as hook_error:  # the guard itself must not be what ends the thread
                log.error("%s: after an unexpected failure: %s", self.device, describe(hook_error))
        self._stop.wait(self._pause())
        return True


def describe(error: BaseException) -> str:
    """The kind of an error and where it was raised, without its text: "ValueError at protocol.py:12"."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f" at {_place(frames[-1])}" if frames else ""
    return f"{type(error).__name__}{where}"


def stack(trace: TracebackType | None) -> str:
    """The code an error came through, innermost last, one frame a line; no values, no error text."""
    return "".join(f"\n  {_place(frame)}" for frame in traceback.extract_tb(trace))


def _place(frame: traceback.FrameSummary) -> str:
    path = Path(frame.filename)
    return f"{path.parent.name}/{path.name}:{frame.lineno} in {frame.name}"
