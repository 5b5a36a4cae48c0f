"""What a kiosk tells its fleet without being asked: `reported` (on change), telemetry (on a timer)
and events (printer out of paper or jammed, a reader lost or back, a failed sync, technician mode).

The pure parts, `reported_payload`, `printer_entry`, `printer_events` and `telemetry_payload`, make
the messages from plain values: the fleet simulator builds its kiosks' messages with them too.
`Reporter` gathers the values of a running kiosk: bus events as they come (device lost/back,
sessions, technician mode, the screen's blanking, prints, syncs) and the printer's status, polled
on the reporter's own thread every few seconds, since CUPS does not call back. Nothing personal is
in any of it: device names, states, CUPS reasons, versions and counts.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Mapping
from datetime import date, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from kiosk.events import (
    DeviceBack,
    DeviceLost,
    KioskEvent,
    PrintCompleted,
    PrintFailed,
    PrintProgress,
    PrintSubmitted,
    RatingSubmitted,
    ScreenBlanked,
    SessionEnded,
    SessionStarted,
    SyncCompleted,
    SyncFailed,
    TechnicianUpdated,
)
from kiosk.fleet.forms import EventType, ScreenState, event_payload
from kiosk.fleet.tally import DailyTally
from kiosk.guides import Catalogue
from kiosk.out_of_service import OUT_OF_SERVICE_REASON
from kiosk.paths import catalogue_path, state_path
from kiosk.ports import DeviceError
from kiosk.records import PrinterStatus
from kiosk.sync import SyncState
from kiosk.sync.state import SyncStatus
from kiosk.technician.console import Mode

if TYPE_CHECKING:
    from kiosk.appliance import Kiosk

log = logging.getLogger(__name__)

#: The distribution whose version `reported.software.version` is.
DISTRIBUTION = "weihai-kiosk"
#: Seconds between two looks at the printer (CUPS does not call back).
PRINTER_POLL_SECONDS = 3.0
#: Free disk space is reported in steps of this many bytes, so `reported` does not change every second.
DISK_STEP = 100_000_000
#: Where systemd-timesyncd says the clock is synchronised (chrony and ntpd: "unknown").
TIMESYNC_DIR = Path("/run/systemd/timesync")
#: The devices `reported.devices` names besides the printer, as kiosk.devices names them.
OTHER_DEVICES = ("id_reader", "sscard_reader", "scanner", "camera")
#: CUPS printer-state reasons, by the event they raise when they appear.
PAPER_OUT_REASONS = frozenset({"media-empty", "media-needed"})
JAM_REASONS = frozenset({"media-jam"})
LOST_REASONS = frozenset({"offline", "timed-out"})


class ReportSink(Protocol):
    """Where the reporter's messages go: the kiosk's FleetLink (kiosk.fleet.link)."""

    def publish_reported(self, reported: dict[str, Any]) -> None: ...

    def publish_telemetry(self, numbers: dict[str, Any]) -> None: ...

    def raise_event(self, event: dict[str, Any]) -> None: ...


# -- the messages, from plain values (the simulator's too) ------------------------------------------


def reported_payload(
    *,
    software: str,
    catalogue_version: int | None,
    guides: int,
    config: Mapping[str, str],
    devices: Mapping[str, dict[str, Any]],
    screen: ScreenState,
    disk: tuple[int, int],
    clock: dict[str, Any],
    site: tuple[str, str] = ("", ""),
    sync: tuple[float | None, str | None] = (None, None),
) -> dict[str, Any]:
    """`reported`: versions, each device's state with its reason, the screen, disk and clock, the
    kiosk's site and sync group (`site`: {"name", "group"}) and its last sync (`sync`: {"at": the
    last success, Unix seconds, or null; "error": the last attempt's error, null when it worked}).

    `config` is the configuration in force by scope (kiosk.sync's short hashes); its `version` is
    one text naming them all ("all=ab12cd34,group=ef56...", None when none came yet). `disk` is
    (free, total) bytes, free rounded down to DISK_STEP.
    """
    free, total = disk
    return {
        "software": {"version": software},
        "catalogue": {"version": catalogue_version, "guides": guides},
        "config": {
            "version": ",".join(f"{scope}={digest}" for scope, digest in sorted(config.items())) or None,
            "scopes": dict(sorted(config.items())),
        },
        "devices": {name: dict(entry) for name, entry in devices.items()},
        "screen": screen.value,
        "disk": {"free": free - free % DISK_STEP, "total": total},
        "clock": dict(clock),
        "site": {"name": site[0], "group": site[1]},
        "sync": {"at": None if sync[0] is None else round(sync[0], 3), "error": sync[1]},
    }


def printer_entry(status: PrinterStatus | None, error: str = "", *, printing: bool = False) -> dict[str, Any]:
    """`reported.devices.printer` from its port's status, or from the error that stood for one.

    state: `idle` or `printing` (ready), `stopped` (CUPS reasons say why: media-empty, media-jam,
    ...), `out_of_service` (the kiosk runs it so: kiosk.out_of_service) or `absent` (not answering:
    `reason` says why).
    """
    if status is None:
        return {"state": "absent", "reasons": [], "reason": error or "not answering"}
    reasons = list(status.reasons)
    if OUT_OF_SERVICE_REASON in reasons:
        return {"state": "out_of_service", "reasons": [], "reason": status.detail}
    if status.ready:
        return {"state": "printing" if printing else "idle", "reasons": reasons}
    return {"state": "stopped", "reasons": reasons}


def _bases(entry: Mapping[str, Any]) -> set[str]:
    """CUPS reasons without their -error/-warning/-report suffix."""
    return {
        str(reason).removesuffix("-error").removesuffix("-warning").removesuffix("-report")
        for reason in entry.get("reasons", ())
    }


def _lost(entry: Mapping[str, Any]) -> bool:
    return entry.get("state") == "absent" or bool(_bases(entry) & LOST_REASONS)


def _faulty(entry: Mapping[str, Any]) -> bool:
    return entry.get("state") in {"absent", "stopped"}


def printer_events(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[tuple[EventType, dict[str, Any]]]:
    """The events a change of `reported.devices.printer` raises, with their details.

    Paper out, a jam, the printer lost (not answering, offline) each when it starts; `printer_back`
    when a printer that was stopped or absent takes jobs again. An out-of-service printer raises none.
    """
    if after.get("state") == "out_of_service":
        return []
    events: list[tuple[EventType, dict[str, Any]]] = []
    details = {"device": "printer", "state": after.get("state"), "reasons": list(after.get("reasons", ()))}
    gained = _bases(after) - _bases(before)
    if _lost(after) and not _lost(before):
        events.append((EventType.PRINTER_LOST, {**details, "reason": after.get("reason", "offline")}))
    if gained & PAPER_OUT_REASONS:
        events.append((EventType.PRINTER_PAPER_OUT, details))
    if gained & JAM_REASONS:
        events.append((EventType.PRINTER_JAMMED, details))
    if _faulty(before) and not _faulty(after):
        events.append((EventType.PRINTER_BACK, details))
    return events


def telemetry_payload(
    *,
    uptime: float,
    system_uptime: float | None,
    load: tuple[float, float, float] | None,
    rss: int | None,
    available: int | None,
    disk: tuple[int, int],
    visits_today: int,
    prints_today: int,
) -> dict[str, Any]:
    """Telemetry: small numbers only (seconds, bytes, counts)."""
    free, total = disk
    return {
        "uptime": {
            "process": round(uptime),
            "system": None if system_uptime is None else round(system_uptime),
        },
        "load": None if load is None else [round(value, 2) for value in load],
        "memory": {"rss": rss, "available": available},
        "disk": {"free": free, "total": total},
        "visits_today": visits_today,
        "prints_today": prints_today,
    }


def _seconds(stamp: str | None) -> float | None:
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp).timestamp()
    except ValueError:
        return None


def sync_outcome(status: SyncStatus) -> tuple[float | None, str | None]:
    """(last success in Unix seconds or None, the last attempt's error or None when it worked)."""
    success = _seconds(status.last_success)
    failed_at = _seconds(status.last_error_at)
    failing = status.last_error is not None and (success is None or failed_at is None or failed_at >= success)
    return success, status.last_error if failing else None


# -- reading this machine ---------------------------------------------------------------------------


def software_version() -> str:
    """The installed package's version."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"


def disk_usage(path: Path) -> tuple[int, int]:
    """(free, total) bytes of the file system holding `path`."""
    usage = shutil.disk_usage(path)
    return usage.free, usage.total


def clock_state(timesync: Path = TIMESYNC_DIR) -> dict[str, Any]:
    """Whether the clock is synchronised (None: this machine's time service does not say) and its
    time zone."""
    synchronized: bool | None = None
    if timesync.is_dir():
        synchronized = (timesync / "synchronized").exists()
    return {"synchronized": synchronized, "timezone": timezone_name()}


def timezone_name() -> str:
    """The time zone's name (Asia/Shanghai) when the system says it, else its abbreviation."""
    named = os.environ.get("TZ", "").lstrip(":")
    if named:
        return named
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        target = str(localtime.resolve())
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
    return datetime.now().astimezone().tzname() or "UTC"


def _first_number(path: str, prefix: str) -> int | None:
    try:
        with open(path, encoding="ascii") as lines:
            for line in lines:
                if line.startswith(prefix):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def process_rss() -> int | None:
    """This process's resident memory, bytes (Linux)."""
    return _first_number("/proc/self/status", "VmRSS:")


def memory_available() -> int | None:
    """The system's available memory, bytes (Linux)."""
    return _first_number("/proc/meminfo", "MemAvailable:")


def system_uptime() -> float | None:
    """Seconds since the machine started (Linux)."""
    try:
        return float(Path("/proc/uptime").read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return None


def process_uptime() -> float | None:
    """Seconds since this process started (Linux: its start in clock ticks after boot)."""
    boot = system_uptime()
    try:
        stat = Path("/proc/self/stat").read_text(encoding="ascii")
        started = int(stat.rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None
    return None if boot is None else max(0.0, boot - started)


def load_average() -> tuple[float, float, float] | None:
    try:
        return os.getloadavg()
    except OSError:
        return None


# -- the running kiosk ------------------------------------------------------------------------------


class Reporter:
    """Keeps a running kiosk's `reported` current, sends its telemetry and raises its events.

    Bus handlers only note what happened and wake the reporter's thread (they run on whichever
    thread published, the UI's among them); the thread reads the printer, the versions and the
    disk, and publishes `reported` only when it changed.
    """

    def __init__(
        self,
        kiosk: Kiosk,
        sink: ReportSink,
        *,
        telemetry_interval: float,
        poll_interval: float = PRINTER_POLL_SECONDS,
        clock: Callable[[], float] = time.time,
        timesync: Path = TIMESYNC_DIR,
    ) -> None:
        self._kiosk = kiosk
        self._sink = sink
        self.telemetry_interval = telemetry_interval
        self.poll_interval = poll_interval
        self._clock = clock
        self._timesync = timesync
        self._started = time.monotonic()
        self._software = software_version()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._stopping = False
        #: Something changed since the thread's last pass (so a change noted mid-pass is not missed).
        self._dirty = True
        self._thread: threading.Thread | None = None
        self._unsubscribe: list[Callable[[], None]] = []
        #: Readers lost (DeviceLost) and not back, with the reason.
        self._lost: dict[str, str] = {}
        self._blank = False
        #: Technician mode was open at its last TechnicianUpdated (entering raises one event).
        self._technician_open = False
        self._jobs: set[str] = set()
        self._versions_stale = True
        #: Events noted by bus handlers, raised by the thread (in order).
        self._pending_events: list[dict[str, Any]] = []
        #: Counts of visits and prints to add to today's tally (written by the thread).
        self._counted = {"visits": 0, "prints": 0}
        self._printer: dict[str, Any] = {"state": "idle", "reasons": []}
        self._versions: tuple[int | None, int, dict[str, str]] = (None, 0, {})
        #: The last successful sync (Unix seconds) and the last attempt's error (None: it worked).
        self._sync: tuple[float | None, str | None] = (None, None)
        self._last_reported: dict[str, Any] | None = None

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Listen to the bus and start the reporter's thread."""
        bus = self._kiosk.bus
        self._unsubscribe = [
            bus.subscribe(DeviceLost, self._device_lost),
            bus.subscribe(DeviceBack, self._device_back),
            bus.subscribe(ScreenBlanked, self._screen_blanked),
            bus.subscribe(SessionStarted, self._changed),
            bus.subscribe(SessionEnded, self._session_ended),
            bus.subscribe(TechnicianUpdated, self._technician_updated),
            bus.subscribe(PrintSubmitted, self._print_submitted),
            bus.subscribe(PrintProgress, self._print_progress),
            bus.subscribe(PrintCompleted, self._print_completed),
            bus.subscribe(PrintFailed, self._print_failed),
            bus.subscribe(SyncCompleted, self._sync_completed),
            bus.subscribe(SyncFailed, self._sync_failed),
            bus.subscribe(RatingSubmitted, self._rating_submitted),
        ]
        self._thread = threading.Thread(target=self._run, name="fleet-reporter", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening and end the thread (what it counted is written first)."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    # -- bus handlers: note and wake ---------------------------------------------------------------

    def _note(self, event: dict[str, Any] | None = None, **counts: int) -> None:
        with self._wake:
            if event is not None:
                self._pending_events.append(event)
            for name, count in counts.items():
                self._counted[name] += count
            self._dirty = True
            self._wake.notify_all()

    def _changed(self, _event: KioskEvent) -> None:
        self._note()

    def _device_lost(self, event: DeviceLost) -> None:
        with self._lock:
            self._lost[event.device] = event.reason
        self._note(self._reader_event(EventType.READER_LOST, event.device, reason=event.reason))

    def _device_back(self, event: DeviceBack) -> None:
        with self._lock:
            self._lost.pop(event.device, None)
        self._note(self._reader_event(EventType.READER_BACK, event.device))

    def _reader_event(self, kind: EventType, device: str, **details: Any) -> dict[str, Any] | None:
        if not device.endswith("reader"):
            return None  # its state changes in `reported`; the contract's events name readers only
        return event_payload(kind, self._clock(), device=device, **details)

    def _screen_blanked(self, event: ScreenBlanked) -> None:
        with self._lock:
            self._blank = event.blank
        self._note()

    def _session_ended(self, _event: SessionEnded) -> None:
        self._note(visits=1)

    def _technician_updated(self, event: TechnicianUpdated) -> None:
        # Technician mode publishes TechnicianUpdated on every change of its own (the PIN pad, each
        # action): only the change into OPEN is an entry.
        opened = event.mode is Mode.OPEN
        with self._lock:
            entered, self._technician_open = opened and not self._technician_open, opened
        self._note(event_payload(EventType.TECHNICIAN_MODE_ENTERED, self._clock()) if entered else None)

    def _print_submitted(self, event: PrintSubmitted) -> None:
        with self._lock:
            self._jobs.add(event.job_id)
        self._note()

    def _print_progress(self, event: PrintProgress) -> None:
        if event.state.finished:
            self._job_done(event.job_id)

    def _print_completed(self, event: PrintCompleted) -> None:
        self._job_done(event.job_id)
        self._note(prints=1)

    def _print_failed(self, event: PrintFailed) -> None:
        if event.job_id is not None:
            self._job_done(event.job_id)

    def _job_done(self, job_id: str) -> None:
        with self._lock:
            self._jobs.discard(job_id)
        self._note()

    def _sync_completed(self, _event: SyncCompleted) -> None:
        with self._lock:
            self._versions_stale = True
        self._note()

    def _rating_submitted(self, event: RatingSubmitted) -> None:
        self._note(
            event_payload(
                EventType.SERVICE_RATED,
                self._clock(),
                level=event.level,
                department=event.department,
                service=event.service,
            )
        )

    def _sync_failed(self, event: SyncFailed) -> None:
        with self._lock:
            self._versions_stale = True  # reported.sync.error
        # The reason names the repository and the cause (kiosk.sync), never a resident. `error` is the
        # same words under the name the console reads (design17: sync_failed {"error"}).
        self._note(
            event_payload(
                EventType.SYNC_FAILED,
                self._clock(),
                reason=event.reason,
                error=event.reason,
                failures=event.failures,
            )
        )

    # -- the thread --------------------------------------------------------------------------------

    def _run(self) -> None:
        catalogue = Catalogue(catalogue_path(self._kiosk.data_dir))
        sync_state = SyncState(state_path(self._kiosk.data_dir))
        tally = DailyTally(state_path(self._kiosk.data_dir))
        try:
            self._loop(catalogue, sync_state, tally)
        finally:
            catalogue.close()
            sync_state.close()
            tally.close()

    def _loop(self, catalogue: Catalogue, sync_state: SyncState, tally: DailyTally) -> None:
        next_poll = next_telemetry = time.monotonic()
        while True:
            with self._lock:
                self._dirty = False
            now = time.monotonic()
            poll, telemetry = now >= next_poll, now >= next_telemetry
            if poll:
                next_poll = now + self.poll_interval
            if telemetry:
                next_telemetry = now + self.telemetry_interval
            # One failed pass (a database locked, the disk gone, the link refusing) is logged and the
            # next pass tries again: reporting never stops on one error.
            try:
                self._pass(catalogue, sync_state, tally, poll=poll, telemetry=telemetry)
            except Exception:
                log.exception("the fleet reporter's pass failed; the next one tries again")
            with self._wake:
                if self._stopping:
                    break
                if not self._dirty:
                    self._wake.wait(max(0.0, min(next_poll, next_telemetry) - time.monotonic()))
                if self._stopping:
                    break
        # What was noted until the stop is not lost: the counts to the tally, the events to the
        # link's durable outbox (sent now or on the next connection).
        last: list[Callable[[], None]] = [lambda: self._write_counts(tally), self._raise_events]
        for work in last:
            try:
                work()
            except Exception:
                log.exception("the fleet reporter could not write what it noted before the stop")

    def _pass(
        self, catalogue: Catalogue, sync_state: SyncState, tally: DailyTally, *, poll: bool, telemetry: bool
    ) -> None:
        self._write_counts(tally)
        if poll:
            self._poll_printer()
        self._read_versions(catalogue, sync_state)
        self._publish_reported()
        self._raise_events()
        if telemetry:
            self._sink.publish_telemetry(self.telemetry(tally))

    def _write_counts(self, tally: DailyTally) -> None:
        with self._lock:
            counted, self._counted = self._counted, {"visits": 0, "prints": 0}
        if any(counted.values()):
            try:
                tally.add(date.today(), visits=counted["visits"], prints=counted["prints"])
            except BaseException:
                with self._lock:  # written at the next pass
                    for name, count in counted.items():
                        self._counted[name] += count
                raise

    def _poll_printer(self) -> None:
        printer = self._kiosk.devices.printer
        with self._lock:
            printing = bool(self._jobs)
        try:
            entry = printer_entry(printer.status(), printing=printing)
        except DeviceError as error:
            entry = printer_entry(None, str(error))
        except Exception as error:  # a driver's surprise: the printer is as good as absent
            log.warning("printer status failed: %s", error)
            entry = printer_entry(None, f"status failed: {type(error).__name__}")
        before, self._printer = self._printer, entry
        for kind, details in printer_events(before, entry):
            self._sink.raise_event(event_payload(kind, self._clock(), **details))

    def _read_versions(self, catalogue: Catalogue, sync_state: SyncState) -> None:
        with self._lock:
            stale, self._versions_stale = self._versions_stale, False
        if stale:
            try:
                status = sync_state.status()
                self._versions = (status.catalogue_version, catalogue.count(), dict(status.config))
                self._sync = sync_outcome(status)
            except BaseException:
                with self._lock:
                    self._versions_stale = True  # read again at the next pass
                raise

    def _raise_events(self) -> None:
        with self._lock:
            events, self._pending_events = self._pending_events, []
        for index, event in enumerate(events):
            if event is None:
                continue
            try:
                self._sink.raise_event(event)
            except BaseException:
                with self._lock:  # the rest wait for the next pass; the one that failed is logged
                    self._pending_events[:0] = events[index + 1 :]
                raise

    def _publish_reported(self) -> None:
        reported = self.reported()
        if reported != self._last_reported:
            self._sink.publish_reported(reported)
            self._last_reported = reported

    # -- the kiosk's values ------------------------------------------------------------------------

    def screen(self) -> ScreenState:
        """What the screen does now: technician mode, a resident's session, black, or attract."""
        if self._kiosk.technician.mode is not Mode.CLOSED:
            return ScreenState.TECHNICIAN
        if self._kiosk.session.active:
            return ScreenState.IN_USE
        with self._lock:
            blank = self._blank
        return ScreenState.BLANK if blank else ScreenState.ATTRACT

    def devices(self) -> dict[str, dict[str, Any]]:
        """Each device's state with its reason (`reported.devices`)."""
        out_of_service = self._kiosk.devices.out_of_service
        with self._lock:
            lost = dict(self._lost)
        devices: dict[str, dict[str, Any]] = {"printer": dict(self._printer)}
        for name in OTHER_DEVICES:
            if name in out_of_service:
                devices[name] = {"state": "absent", "reason": f"out of service: {out_of_service[name]}"}
            elif name in lost:
                devices[name] = {"state": "absent", "reason": lost[name]}
            else:
                devices[name] = {"state": "ok"}
        return devices

    def reported(self) -> dict[str, Any]:
        """`reported` as it stands (call it on the reporter's thread: it reads the printer's last poll)."""
        catalogue_version, guides, config = self._versions
        return reported_payload(
            software=self._software,
            catalogue_version=catalogue_version,
            guides=guides,
            config=config,
            devices=self.devices(),
            screen=self.screen(),
            disk=disk_usage(self._kiosk.data_dir),
            clock=clock_state(self._timesync),
            site=(self._kiosk.settings.kiosk.site_name, self._kiosk.settings.sync.group),
            sync=self._sync,
        )

    def telemetry(self, tally: DailyTally) -> dict[str, Any]:
        """The telemetry numbers now."""
        visits, prints = tally.today(date.today())
        return telemetry_payload(
            uptime=process_uptime() or time.monotonic() - self._started,
            system_uptime=system_uptime(),
            load=load_average(),
            rss=process_rss(),
            available=memory_available(),
            disk=disk_usage(self._kiosk.data_dir),
            visits_today=visits,
            prints_today=prints,
        )
