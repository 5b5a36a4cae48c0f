"""Technician mode's screens: the PIN pad, then device status, tests, sync, log lines, restart, exit.

Both screens only show kiosk.technician's state (kiosk/technician/console.py) and pass touches to
it; the tests and the sync run on its worker threads and come back as TechnicianUpdated events.
"""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty
from kivy.utils import escape_markup, get_hex_from_color

from kiosk.doctor import Status
from kiosk.journey import View
from kiosk.records import CardKind
from kiosk.technician.console import TechnicianConsole
from kiosk.technician.device_tests import TestResult
from kiosk.technician.lockout import PinState
from screens.base import KioskScreen
from screens.face import face
from screens.i18n import _

#: Longest PIN the pad takes (hash_pin accepts any length from 6 digits up).
MAX_PIN_DIGITS = 12
#: Log lines shown, and how often they are read again while the screen shows.
LOG_LINES = 30
LOG_REFRESH_SECONDS = 2.0


def console() -> TechnicianConsole:
    """The running kiosk's technician console."""
    return face().technician


def result_text(result: TestResult) -> str:
    """A test result in the UI language; the device's own words (device, port, cause) after it."""
    values = {key: _(value) for key, value in result.values.items()}
    text = _(result.message).format(**values)
    return f"{text} ({result.detail})" if result.detail else text


class TechnicianPinScreen(KioskScreen):
    """Large digits, a masked entry, and what is wrong: a wrong PIN, a lock, no PIN set."""

    entered = StringProperty("")
    message = StringProperty("")
    #: The pad takes no digits (locked, or no PIN set on this kiosk).
    closed = BooleanProperty(False)

    def show(self, view: View) -> None:
        self.entered = ""
        self.refresh()

    def refresh(self) -> None:
        """Say what the last PIN came to, or why no PIN can be entered."""
        verdict = console().verdict
        self.closed = verdict.state in {PinState.NO_PIN, PinState.LOCKED}
        if verdict.state is PinState.NO_PIN:  # technician mode cannot be opened
            self.message = _("No technician PIN is set on this kiosk; set one with kiosk provision.")
        elif verdict.state is PinState.LOCKED and verdict.locked_until is not None:
            until = verdict.locked_until.astimezone()
            self.message = _("Too many wrong PINs. Technician mode is locked until {time}.").format(
                time=f"{until:%Y-%m-%d %H:%M}"
            )
        elif verdict.state is PinState.WRONG:
            self.message = _("Wrong PIN. {attempts} attempts left before technician mode locks.").format(
                attempts=verdict.attempts_left
            )
        else:
            self.message = ""

    def press(self, digit: str) -> None:
        """One digit key."""
        console().touch()
        if not self.closed and len(self.entered) < MAX_PIN_DIGITS:
            self.entered += digit

    def erase(self) -> None:
        """The clear key."""
        console().touch()
        self.entered = ""

    def submit(self) -> None:
        """The OK key: check the PIN (a right one moves on to technician mode)."""
        if self.closed or not self.entered:
            return
        pin, self.entered = self.entered, ""
        # scrypt takes ~0.1 s by design: short enough for the UI thread, and a pad gets no faster.
        console().submit_pin(pin)
        self.refresh()

    def leave(self) -> None:
        """Back to the attract screen."""
        self.entered = ""
        console().leave("PIN pad closed")


class TechnicianScreen(KioskScreen):
    """Device status, tests and their results, sync now, recent log lines, restart UI, exit."""

    checks_text = StringProperty("")
    results_text = StringProperty("")
    log_text = StringProperty("")
    #: Actions running now, as a space-separated list the buttons' `disabled` bindings read.
    running = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._log_timer: Any = None
        # The status colours are written into the markup: write them again when the theme changes.
        App.get_running_app().theme.bind(variant=lambda *_: self.refresh() if self.manager else None)

    def show(self, view: View) -> None:
        self.refresh()

    def on_enter(self, *_args: Any) -> None:
        self._log_timer = Clock.schedule_interval(lambda _dt: self._read_log(), LOG_REFRESH_SECONDS)

    def on_leave(self, *_args: Any) -> None:
        if self._log_timer is not None:
            self._log_timer.cancel()
            self._log_timer = None

    def refresh(self) -> None:
        """Show the console's state: checks, results, what runs, the log."""
        technician = console()
        self.running = " ".join(sorted(technician.running))
        if "status" in technician.running and not technician.checks:
            self.checks_text = _("Checking the devices…")
        else:
            theme = App.get_running_app().theme
            colours = {Status.OK: theme.success, Status.WARN: theme.accent, Status.FAIL: theme.danger}
            self.checks_text = "\n".join(
                f"[b]{escape_markup(check.name)}[/b]  [color={get_hex_from_color(colours[check.status])}]"
                f"{check.status.upper()}[/color]  {escape_markup(check.detail)}"
                for check in technician.checks
            )
        lines = []
        working = _("Working…")
        for name, label in self._actions().items():
            if name in technician.running:
                lines.append(f"{label}: {working}")
            elif name in technician.results:
                lines.append(f"{label}: {result_text(technician.results[name])}")
        self.results_text = "\n".join(lines) or _("Run a test: its result shows here.")
        self._read_log()

    def _read_log(self) -> None:
        text = "\n".join(console().log_lines(LOG_LINES)) or _("No log lines yet.")
        if text != self.log_text:
            self.log_text = text
            self.ids.log_scroll.scroll_y = 0  # the newest line in view

    @staticmethod
    def _actions() -> dict[str, str]:
        return {
            CardKind.ID_CARD: _("ID card reader"),
            CardKind.SSCARD: _("Social security card reader"),
            "print": _("Printer"),
            "scan": _("Scanner"),
            "sync": _("Sync"),
        }

    # -- touches --------------------------------------------------------------------------------

    def test_card(self, kind: CardKind) -> None:
        """Wait for a card on a reader and read it."""
        console().test_card(kind)

    def print_test_page(self) -> None:
        """Print the test page."""
        console().print_test_page()

    def test_scan(self) -> None:
        """Wait for the next code at the scanner."""
        console().test_scan()

    def sync_now(self) -> None:
        """Sync once, now."""
        console().sync_now()

    def check_devices(self) -> None:
        """Run the device checks again."""
        console().check_devices()

    def restart_ui(self) -> None:
        """Restart the UI (systemd starts it again)."""
        console().restart_ui()

    def leave(self) -> None:
        """Back to the attract screen."""
        console().leave()
