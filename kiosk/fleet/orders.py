"""Carrying out the administrators' signed commands, on the channel's worker thread.

Each command is admitted by kiosk.fleet.commands.CommandGate (signed by a command key, live, never
seen before, known) or refused with its reason; either way one audit row (Action.FLEET_COMMAND,
`req=<req> <command>: <outcome or reason>`) and one result. What the commands do:

- `sync_now`: one sync at once (kiosk.sync_now); the result names the versions in force.
- `restart_ui`: the result first, then the UI exits non-zero (UiRestartRequested): systemd starts it.
- `screenshot`: a PNG of the screen through the UI's ScreenCapture, never while a resident is in a
  session or technician mode is open (`busy: a resident is using the kiosk`); the UI itself takes it
  only once the attract screen is drawn at rest (ScreenBusy otherwise).
- `blank` / `unblank`: ScreenBlankRequested; blank is refused while a resident is in a session or
  technician mode is open.
- `logs`: the newest N (1..200) masked lines of kiosk.log.recent_log.
- `reboot`: fleet.reboot_command (empty: refused); the result is published and acknowledged, the
  channel stops cleanly (`offline`), then the command runs. When it fails (the machine stays up) the
  channel comes back, a `failed` audit row and a `reboot_failed` event say so.

A command is admitted against the time it arrived (`receive`'s `arrived`), not the time the worker
reaches it: one waiting behind a long `sync_now` is not refused as expired. Whatever admitting
raises is a refusal with its result and audit row.
"""

from __future__ import annotations

import base64
import logging
import subprocess
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from kiosk.events import ScreenBlankRequested, UiRestartRequested
from kiosk.fleet.commands import Command, CommandGate, CommandName, CommandRefused
from kiosk.fleet.forms import EventType, event_payload, result_error, result_ok
from kiosk.log import recent_log
from kiosk.sync import SyncError
from kiosk.technician.audit import Action, TechnicianRecords
from kiosk.technician.console import Mode

if TYPE_CHECKING:
    from kiosk.appliance import Kiosk

log = logging.getLogger(__name__)

#: The error of a command that would show or disturb a resident.
BUSY = "busy: a resident is using the kiosk"
#: How long a screenshot may take on the UI thread.
SCREENSHOT_SECONDS = 10.0
#: How long the broker has to acknowledge a result that must arrive before the kiosk acts.
ACK_SECONDS = 10.0
#: `logs`: the lines given when `args.lines` is not said, and the most.
LOG_LINES_DEFAULT = 50
LOG_LINES_MAX = 200
#: How long the reboot command may take to return (systemctl reboot returns at once).
REBOOT_SECONDS = 60.0


class ScreenBusy(Exception):
    """The screen shows, or may still show, a resident's or a technician's work: no picture."""


@runtime_checkable
class ScreenCapture(Protocol):
    """The UI's picture of its window (screens.app registers one as `kiosk.screen_capture`)."""

    def capture_png(self, timeout: float) -> bytes:
        """The window as PNG bytes. The UI thread decides: only the attract screen at rest (no
        session, technician mode closed, no transition, a frame drawn so) is read, else ScreenBusy;
        TimeoutError when no picture came in `timeout` seconds."""
        ...


class ResultSink(Protocol):
    """Where results (and the events of what a command did later) go: the kiosk's FleetLink."""

    def publish_result(self, req: str, payload: dict[str, Any], timeout: float | None = None) -> bool: ...

    def raise_event(self, event: dict[str, Any]) -> None: ...


class Orders:
    """Admits and carries out commands; one audit row and one result for each."""

    def __init__(
        self,
        kiosk: Kiosk,
        gate: CommandGate,
        results: ResultSink,
        records: Callable[[], TechnicianRecords],
        *,
        stop_channel: Callable[[], None],
        resume_channel: Callable[[], None],
        run: Callable[[Sequence[str]], int] | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._kiosk = kiosk
        self._gate = gate
        self._results = results
        #: The audit records, opened on the worker thread (its own connection).
        self._records = records
        self._stop_channel = stop_channel
        self._resume_channel = resume_channel
        self._run = run or _run_command
        self._now = now
        #: The events' clock (epoch seconds).
        self._clock = clock or (lambda: now().timestamp())

    def receive(self, topic_req: str, raw: bytes, arrived: float | None = None) -> None:
        """One command as it came from the broker at `arrived` (epoch seconds; None: now): admitted
        and carried out, or refused."""
        try:
            command = self._gate.admit(raw, topic_req, now=arrived)
        except Exception as error:  # whatever admitting raises, the console gets a refusal
            if isinstance(error, CommandRefused):
                reason = str(error)
            else:
                log.warning("fleet command (req %s) could not be read: %r", topic_req, error)
                reason = f"malformed: the command cannot be read ({type(error).__name__})"
            name = _claimed_name(raw)
            self._finish(topic_req, name, result_error(topic_req, reason), "refused", reason)
            return
        try:
            self._carry_out(command)
        except Exception as error:
            log.exception("fleet command %s (req %s) failed", command.name.value, command.req)
            reason = f"failed: {type(error).__name__}"
            self._finish(command.req, command.name.value, result_error(command.req, reason), "failed", reason)

    # -- the commands ------------------------------------------------------------------------------

    def _carry_out(self, command: Command) -> None:
        handlers: dict[CommandName, Callable[[Command], None]] = {
            CommandName.SYNC_NOW: self._sync_now,
            CommandName.RESTART_UI: self._restart_ui,
            CommandName.SCREENSHOT: self._screenshot,
            CommandName.BLANK: self._blank,
            CommandName.UNBLANK: self._blank,
            CommandName.LOGS: self._logs,
            CommandName.REBOOT: self._reboot,
        }
        handlers[command.name](command)

    def _ok(
        self, command: Command, result: dict[str, Any], outcome: str = "done", *, ack: bool = False
    ) -> bool:
        return self._finish(
            command.req, command.name.value, result_ok(command.req, result), "accepted", outcome, ack=ack
        )

    def _refuse(self, command: Command, error: str, outcome: str = "refused") -> None:
        self._finish(command.req, command.name.value, result_error(command.req, error), outcome, error)

    def _finish(
        self, req: str, name: str, payload: dict[str, Any], outcome: str, detail: str, *, ack: bool = False
    ) -> bool:
        """Audit, then publish the result (waiting for the broker's acknowledgement when `ack`)."""
        self._records().record(self._now(), Action.FLEET_COMMAND, outcome, f"req={req} {name}: {detail}")
        log.info("fleet command %s (req %s): %s: %s", name, req, outcome, detail)
        return self._results.publish_result(req, payload, timeout=ACK_SECONDS if ack else None)

    def _busy(self) -> bool:
        return self._kiosk.session.active or self._kiosk.technician.mode is not Mode.CLOSED

    def _sync_now(self, command: Command) -> None:
        try:
            report = self._kiosk.sync_now()
        except SyncError as error:
            self._refuse(command, f"sync failed: {error}", "failed")
            return
        result = {
            "catalogue": {"version": report.catalogue_version, "updated": report.catalogue_updated},
            "config": {"scopes": dict(sorted(report.config.items())), "updated": report.config_updated},
            "bytes_downloaded": report.bytes_downloaded,
        }
        self._ok(command, result, "synced")

    def _restart_ui(self, command: Command) -> None:
        self._ok(command, {"restarting": True}, "the UI exits with a non-zero status", ack=True)
        # As technician mode's restart: the UI exits non-zero and systemd starts it afresh.
        self._kiosk.technician.restart_requested = True
        self._kiosk.bus.publish(UiRestartRequested())

    def _screenshot(self, command: Command) -> None:
        if self._busy():
            self._refuse(command, BUSY)
            return
        capture = self._kiosk.screen_capture
        if capture is None:
            self._refuse(command, "unavailable: no screen to capture (the UI is not running)", "failed")
            return
        try:
            png = capture.capture_png(SCREENSHOT_SECONDS)
        except ScreenBusy:  # the UI saw a resident's or a technician's screen: nothing is sent
            self._refuse(command, BUSY)
            return
        except TimeoutError:
            self._refuse(
                command, f"unavailable: the screen did not answer in {SCREENSHOT_SECONDS:.0f} s", "failed"
            )
            return
        if self._busy():  # a resident came while it was taken: their screen is not sent
            self._refuse(command, BUSY)
            return
        self._ok(command, {"png_base64": base64.b64encode(png).decode("ascii")}, f"{len(png)} bytes of PNG")

    def _blank(self, command: Command) -> None:
        blank = command.name is CommandName.BLANK
        if blank and self._busy():
            self._refuse(command, BUSY)
            return
        self._kiosk.bus.publish(ScreenBlankRequested(blank))
        self._ok(command, {"blank": blank}, "blank" if blank else "unblank")

    def _logs(self, command: Command) -> None:
        lines = command.args.get("lines", LOG_LINES_DEFAULT)
        if not isinstance(lines, int) or isinstance(lines, bool) or not 1 <= lines <= LOG_LINES_MAX:
            self._refuse(command, f"malformed: args.lines must be a whole number from 1 to {LOG_LINES_MAX}")
            return
        self._ok(command, {"lines": recent_log.lines(lines)}, f"{lines} lines asked")

    def _reboot(self, command: Command) -> None:
        argv = list(self._kiosk.settings.fleet.reboot_command)
        if not argv:
            self._refuse(
                command, "refused: this kiosk does not reboot on command (fleet.reboot_command is empty)"
            )
            return
        if not self._ok(command, {"rebooting": True}, f"running {' '.join(argv)}", ack=True):
            log.warning(
                "the broker did not acknowledge the reboot's result in %.0f s: rebooting anyway", ACK_SECONDS
            )
        self._stop_channel()
        status = self._run(argv)
        if status != 0:
            log.error("reboot command %s ended with status %d: the kiosk did not reboot", argv, status)
            self._resume_channel()
            detail = f"req={command.req} reboot: {' '.join(argv)} ended with status {status}, no reboot"
            self._records().record(self._now(), Action.FLEET_COMMAND, "failed", detail)
            # Into the durable outbox: sent once the channel is back.
            self._results.raise_event(
                event_payload(EventType.REBOOT_FAILED, self._clock(), req=command.req, status=status)
            )


def _run_command(argv: Sequence[str]) -> int:
    try:
        return subprocess.run(list(argv), check=False, timeout=REBOOT_SECONDS).returncode
    except (OSError, subprocess.TimeoutExpired) as error:
        log.error("reboot command %s failed: %s", list(argv), error)
        return -1


def _claimed_name(raw: bytes) -> str:
    """The command a refused message claims to be, for the audit row (short, whatever it is)."""
    import json

    try:
        fields = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return "?"
    name = fields.get("command") if isinstance(fields, dict) else None
    if not isinstance(name, str):
        return "?"
    # A lone surrogate cannot be stored or sent: replaced.
    return name[:40].encode("utf-8", "replace").decode("utf-8")
