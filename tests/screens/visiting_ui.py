"""`kiosk` for the fleet privacy test: the real command, in a process where signals play a resident.

SIGUSR1 is a resident's touch on the attract screen (the home screen shows); SIGUSR2 is the resident
leaving (the session ends). Both act on the UI thread, as touches do. The resident lives here, not in
the kiosk: nothing in production code, and no environment variable, can start a session from outside.
Run as `python tests/screens/visiting_ui.py run`.
"""

from __future__ import annotations

import signal
import sys
from typing import Any


def on_ui_thread(act: str) -> None:
    from kivy.app import App
    from kivy.clock import Clock

    def run(_dt: float) -> None:
        app: Any = App.get_running_app()
        if act == "visit":
            app.kiosk.journey.wake()
        else:
            app.kiosk.session.end("the resident left")

    Clock.schedule_once(run, 0)


if __name__ == "__main__":
    signal.signal(signal.SIGUSR1, lambda _signal, _frame: on_ui_thread("visit"))
    signal.signal(signal.SIGUSR2, lambda _signal, _frame: on_ui_thread("leave"))
    from kiosk.cli import main

    main(args=sys.argv[1:], prog_name="kiosk")
