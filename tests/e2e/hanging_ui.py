"""`kiosk` for the watchdog test: the real command, in a process that SIGUSR2 hangs on purpose.

The hang lives here, not in the kiosk: nothing in production code, and no environment variable,
can freeze a kiosk's UI. Run as `python tests/e2e/hanging_ui.py run --windowed`.
"""

from __future__ import annotations

import signal
import sys
import time


def hang(_signal: int, _frame: object) -> None:
    """Freeze the main thread, and with it the UI's main loop, while the process lives on."""
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    # Python runs signal handlers on the main thread, the one Kivy's main loop runs on.
    signal.signal(signal.SIGUSR2, hang)
    from kiosk.cli import main

    main(args=sys.argv[1:], prog_name="kiosk")
