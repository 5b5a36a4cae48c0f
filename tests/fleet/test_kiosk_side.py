"""The kiosk's side of the fleet channel against a real mosquitto, with a paho console: what
`reported` holds and when it changes, telemetry, each event, each command carried out and each
refusal, with its result and its audit row."""

from __future__ import annotations

import base64
import io
import json
import logging
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from kiosk.appliance import Kiosk
from kiosk.events import (
    DeviceBack,
    DeviceLost,
    KioskEvent,
    ScreenBlanked,
    ScreenBlankRequested,
    SyncFailed,
    TechnicianUpdated,
    UiRestartRequested,
)
from kiosk.fleet import reporter as reporter_module
from kiosk.fleet.channel import start_channel
from kiosk.fleet.commands import new_command_key, public_key_text, sign_command
from kiosk.fleet.forms import Topics
from kiosk.fleet.orders import BUSY, ScreenBusy
from kiosk.fleet.reporter import DISK_STEP, printer_entry, printer_events, reported_payload
from kiosk.fleet.reporter import disk_usage as real_disk_usage
from kiosk.fleet.reporter import process_rss as real_process_rss
from kiosk.fleet.running import channel_running
from kiosk.fleet.tally import DailyTally
from kiosk.log import install_recent_log
from kiosk.paths import state_path
from kiosk.records import PrinterStatus, RatingLevel
from kiosk.settings import DEFAULTS_FILE, Layer, load_settings, read_toml_layer
from kiosk.sync import SyncState
from kiosk.technician.audit import TechnicianRecords
from kiosk.technician.console import Mode
from kiosk.technician.lockout import PinState
from tests.conftest import wait_for
from tests.cupsd import PrivateCupsd
from tests.fleet.console import Console
from tests.kiosk.test_technician import PIN, PIN_HASH
from tests.mosquitto import PrivateMosquitto

KIOSK_ID = "wh-side-01"
TOPICS = Topics(KIOSK_ID)


@pytest.fixture
def fleet_kiosk(
    make_kiosk: Callable[..., Kiosk], mosquitto: PrivateMosquitto, key: Ed25519PrivateKey, console: Console
) -> Callable[..., Kiosk]:
    """A started kiosk whose channel is online on the private broker (the console watching)."""

    def make(
        devices: dict[str, Any] | None = None, overrides: dict[str, Any] | None = None, **fleet: Any
    ) -> Kiosk:
        settings = {
            "broker": mosquitto.url,
            "keepalive": 5,
            "telemetry_interval": 5,
            "command_keys": [public_key_text(key)],
            "reboot_command": [],
            **fleet,
        }
        layers = {"kiosk": {"id": KIOSK_ID}, "fleet": settings, "devices": devices or {}, **(overrides or {})}
        kiosk = make_kiosk(layers)
        kiosk.start()
        assert kiosk.fleet is not None
        kiosk.fleet.reporter.poll_interval = 0.2
        assert wait_for(lambda: (console.last(TOPICS.status) or {}).get("state") == "online")
        assert wait_for(lambda: console.last(TOPICS.reported) is not None)
        return kiosk

    return make


def seen_on_bus(kiosk: Kiosk, kind: type[KioskEvent]) -> list[Any]:
    seen: list[Any] = []
    kiosk.bus.subscribe(kind, seen.append)
    return seen


def reported(console: Console) -> dict[str, Any]:
    last = console.last(TOPICS.reported)
    assert last is not None
    return last


def events(console: Console, kind: str) -> list[dict[str, Any]]:
    return [event for event in console.payloads(TOPICS.event) if event["type"] == kind]


def command(console: Console, payload: dict[str, Any] | bytes, req: str | None = None) -> dict[str, Any]:
    """Send a command as the console does; its result."""
    req = req or (payload["req"] if isinstance(payload, dict) else "raw")
    console.send(TOPICS.command(req), payload)
    assert wait_for(lambda: console.last(TOPICS.result(req)) is not None, 15), f"no result for {req}"
    result = console.last(TOPICS.result(req))
    assert result is not None
    return result


def audit(kiosk: Kiosk) -> list[tuple[str, str]]:
    """The fleet's audit rows: (outcome, detail)."""
    records = TechnicianRecords(state_path(kiosk.data_dir))
    try:
        return [(row.outcome, row.detail) for row in records.entries(200) if row.action == "fleet_command"]
    finally:
        records.close()


class Picture:
    """The UI's ScreenCapture stand-in for tests without a window: a small real PNG."""

    def __init__(self, seconds: float = 0.0, busy: bool = False) -> None:
        self.taken = 0
        #: How long the UI takes to answer; whether it answers ScreenBusy (not the attract at rest).
        self.seconds = seconds
        self.busy = busy

    def capture_png(self, timeout: float) -> bytes:
        time.sleep(self.seconds)
        if self.busy:
            raise ScreenBusy("the screen is not the attract screen at rest")
        self.taken += 1
        out = io.BytesIO()
        Image.new("RGB", (32, 18), (200, 30, 30)).save(out, format="PNG")
        return out.getvalue()


# -- reported ---------------------------------------------------------------------------------------


def test_reported_holds_the_contracts_parts_and_is_published_only_on_change(
    fleet_kiosk: Callable[..., Kiosk], console: Console
) -> None:
    kiosk = fleet_kiosk()
    state = reported(console)
    assert state["software"]["version"] not in {"", None}
    assert state["catalogue"]["guides"] == kiosk.catalogue.count() > 0
    assert set(state["config"]) >= {"version"}
    devices = state["devices"]
    assert devices["printer"] == {"state": "idle", "reasons": []}
    assert devices["id_reader"] == devices["sscard_reader"] == devices["scanner"] == {"state": "ok"}
    assert state["screen"] == "attract"
    assert state["disk"]["free"] % DISK_STEP == 0 and state["disk"]["total"] > 0
    assert set(state["clock"]) == {"synchronized", "timezone"}
    retained = [retain for topic, _payload, retain in console.messages if topic == TOPICS.reported]
    time.sleep(1.5)  # several printer polls: nothing changed, nothing published
    assert len(console.payloads(TOPICS.reported)) == len(retained) == 1

    kiosk.bus.publish(DeviceLost("id_reader", "serial port /dev/ttyUSB0 gone"))
    assert wait_for(lambda: reported(console)["devices"]["id_reader"]["state"] == "absent")
    assert reported(console)["devices"]["id_reader"]["reason"] == "serial port /dev/ttyUSB0 gone"
    assert wait_for(lambda: len(events(console, "reader_lost")) == 1)
    assert events(console, "reader_lost")[0]["device"] == "id_reader"
    kiosk.bus.publish(DeviceBack("id_reader"))
    assert wait_for(lambda: reported(console)["devices"]["id_reader"] == {"state": "ok"})
    assert wait_for(lambda: len(events(console, "reader_back")) == 1)
    assert len(console.payloads(TOPICS.reported)) == 3


def test_the_screen_in_reported_follows_sessions_blanking_and_technician_mode(
    fleet_kiosk: Callable[..., Kiosk], console: Console
) -> None:
    kiosk = fleet_kiosk()
    kiosk.journey.wake()
    assert kiosk.session.active
    assert wait_for(lambda: reported(console)["screen"] == "in_use")
    kiosk.journey.finish()
    assert wait_for(lambda: reported(console)["screen"] == "attract")
    kiosk.bus.publish(ScreenBlanked(True))
    assert wait_for(lambda: reported(console)["screen"] == "blank")
    kiosk.bus.publish(ScreenBlanked(False))
    assert wait_for(lambda: reported(console)["screen"] == "attract")
    kiosk.technician.mode = Mode.OPEN  # as the PIN pad leaves it; its event follows
    kiosk.bus.publish(TechnicianUpdated(Mode.OPEN))
    assert wait_for(lambda: reported(console)["screen"] == "technician")
    assert wait_for(lambda: len(events(console, "technician_mode_entered")) == 1)
    kiosk.technician.mode = Mode.CLOSED
    kiosk.bus.publish(TechnicianUpdated(Mode.CLOSED))
    assert wait_for(lambda: reported(console)["screen"] == "attract")
    assert len(events(console, "technician_mode_entered")) == 1


def test_technician_mode_entered_is_raised_once_per_opening(
    fleet_kiosk: Callable[..., Kiosk], console: Console
) -> None:
    kiosk = fleet_kiosk(overrides={"technician": {"pin_hash": PIN_HASH}})
    console_ = kiosk.technician
    console_.begin()  # the PIN pad: TechnicianUpdated(PIN)
    assert console_.submit_pin(PIN).state is PinState.ACCEPTED  # OPEN
    assert wait_for(lambda: reported(console)["screen"] == "technician")
    console_.check_devices()  # an action: TechnicianUpdated(OPEN) as it starts and as it ends
    assert wait_for(lambda: not console_.running and bool(console_.checks), 15)
    console_.touch()
    console_.leave()
    assert wait_for(lambda: reported(console)["screen"] == "attract")
    assert len(events(console, "technician_mode_entered")) == 1
    console_.begin()
    console_.submit_pin(PIN)
    assert wait_for(lambda: len(events(console, "technician_mode_entered")) == 2)  # a second opening
    console_.leave()


def test_one_failed_pass_does_not_stop_the_reporter(
    fleet_kiosk: Callable[..., Kiosk], console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    kiosk = fleet_kiosk()
    failures: list[str] = []

    def disk_gone(path: Path) -> tuple[int, int]:
        if not failures:  # once, as a file system that answered with an error
            failures.append(str(path))
            raise OSError(5, "Input/output error")
        return real_disk_usage(path)

    monkeypatch.setattr(reporter_module, "disk_usage", disk_gone)
    kiosk.bus.publish(DeviceLost("id_reader", "serial port /dev/ttyUSB0 gone"))
    assert wait_for(lambda: bool(failures))
    assert wait_for(lambda: reported(console)["devices"]["id_reader"]["state"] == "absent")
    assert wait_for(lambda: len(events(console, "reader_lost")) == 1)
    kiosk.bus.publish(DeviceBack("id_reader"))
    assert wait_for(lambda: reported(console)["devices"]["id_reader"] == {"state": "ok"})


def test_an_event_noted_just_before_a_clean_stop_is_not_lost(
    fleet_kiosk: Callable[..., Kiosk], console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    kiosk = fleet_kiosk()
    assert kiosk.fleet is not None
    in_pass = threading.Event()

    def slow_memory() -> int | None:
        in_pass.set()
        time.sleep(0.5)  # a slow /proc: the reporter is at its pass's end (telemetry) when the stop comes
        return real_process_rss()

    monkeypatch.setattr(reporter_module, "process_rss", slow_memory)
    kiosk.fleet.reporter.telemetry_interval = 0.1  # every pass sends telemetry
    kiosk.bus.publish(DeviceLost("scanner", "usb gone"))  # a pass starts
    assert in_pass.wait(5)
    kiosk.bus.publish(SyncFailed("https://repo.example/metadata: connection refused", 3))
    kiosk.close()
    outbox = sqlite3.connect(state_path(kiosk.data_dir))
    try:
        kept = [json.loads(row[0]) for row in outbox.execute("SELECT payload FROM fleet_outbox")]
    finally:
        outbox.close()
    sent = events(console, "sync_failed") + [event for event in kept if event["type"] == "sync_failed"]
    assert len(sent) >= 1  # on the wire, or in the durable outbox for the next connection


def test_printer_states_and_their_events(fleet_kiosk: Callable[..., Kiosk], console: Console) -> None:
    kiosk = fleet_kiosk()
    printer: Any = kiosk.devices.printer
    printer.reasons = ("media-empty-error",)
    assert wait_for(lambda: reported(console)["devices"]["printer"]["state"] == "stopped")
    assert reported(console)["devices"]["printer"]["reasons"] == ["media-empty-error"]
    assert wait_for(lambda: len(events(console, "printer_paper_out")) == 1)
    printer.reasons = ()
    assert wait_for(lambda: len(events(console, "printer_back")) == 1)
    printer.reasons = ("media-jam",)
    assert wait_for(lambda: len(events(console, "printer_jammed")) == 1)
    printer.reasons = ("offline",)
    assert wait_for(lambda: len(events(console, "printer_lost")) == 1)
    printer.reasons = ()
    assert wait_for(lambda: len(events(console, "printer_back")) == 2)
    assert wait_for(lambda: reported(console)["devices"]["printer"] == {"state": "idle", "reasons": []})
    assert len(events(console, "printer_paper_out")) == 1  # each once, when it began


def test_a_cups_printer_paused_resumed_and_gone(
    fleet_kiosk: Callable[..., Kiosk], console: Console, cupsd: PrivateCupsd, cups_queue: tuple[str, Path]
) -> None:
    queue, _output = cups_queue
    fleet_kiosk(devices={"printer": {"driver": "cups", "queue": queue, "server": cupsd.server}})
    assert wait_for(lambda: reported(console)["devices"]["printer"]["state"] == "idle")
    cupsd.lp("cupsdisable", queue)
    assert wait_for(lambda: reported(console)["devices"]["printer"]["state"] == "stopped")
    assert "paused" in reported(console)["devices"]["printer"]["reasons"]
    cupsd.lp("cupsenable", queue)
    assert wait_for(lambda: len(events(console, "printer_back")) == 1)
    cupsd.lp("lpadmin", "-x", queue)
    assert wait_for(lambda: reported(console)["devices"]["printer"]["state"] == "absent")
    assert queue in reported(console)["devices"]["printer"]["reason"]
    assert wait_for(lambda: len(events(console, "printer_lost")) == 1)
    cupsd.add_queue(queue)  # as the fixture left it, for its own clean-up


def test_printer_entry_and_events_from_plain_values() -> None:
    assert printer_entry(PrinterStatus(ready=True), printing=True) == {"state": "printing", "reasons": []}
    out = printer_entry(PrinterStatus(ready=False, reasons=("out-of-service",), detail="no printer here"))
    assert out == {"state": "out_of_service", "reasons": [], "reason": "no printer here"}
    absent = printer_entry(None, "cupsd at localhost:631 refused the connection")
    assert absent["state"] == "absent"
    idle = printer_entry(PrinterStatus(ready=True))
    assert [kind.value for kind, _ in printer_events(idle, absent)] == ["printer_lost"]
    assert [kind.value for kind, _ in printer_events(absent, idle)] == ["printer_back"]
    assert printer_events(idle, out) == []
    assert printer_events(idle, idle) == []


def test_reported_payload_is_a_function_of_plain_values() -> None:
    from kiosk.fleet.forms import ScreenState

    payload = reported_payload(
        software="1.2.3",
        catalogue_version=7,
        guides=12,
        config={"site": "ab12", "all": "cd34"},
        devices={"printer": {"state": "idle", "reasons": []}},
        screen=ScreenState.BLANK,
        disk=(1_234_567_890, 9_000_000_000),
        clock={"synchronized": True, "timezone": "Asia/Shanghai"},
    )
    assert payload["config"]["version"] == "all=cd34,site=ab12"
    assert payload["disk"] == {"free": 1_200_000_000, "total": 9_000_000_000}
    assert payload["screen"] == "blank"
    assert payload["catalogue"] == {"version": 7, "guides": 12}


def test_sync_failed_is_an_event(fleet_kiosk: Callable[..., Kiosk], console: Console) -> None:
    kiosk = fleet_kiosk()
    kiosk.bus.publish(SyncFailed("https://repo.example/metadata: connection refused", 3))
    assert wait_for(lambda: len(events(console, "sync_failed")) == 1)
    event = events(console, "sync_failed")[0]
    assert event["reason"].endswith("connection refused") and event["failures"] == 3
    assert event["error"] == event["reason"]  # the console's rollouts read `error`


def test_reported_says_the_site_the_sync_group_and_the_last_sync(
    fleet_kiosk: Callable[..., Kiosk], console: Console
) -> None:
    kiosk = fleet_kiosk(overrides={"sync": {"group": "canary"}})
    assert reported(console)["site"] == {"name": kiosk.settings.kiosk.site_name, "group": "canary"}
    assert reported(console)["sync"] == {"at": None, "error": None}
    sync_state = SyncState(state_path(kiosk.data_dir))
    try:
        sync_state.record_success(41, {"all": "ab12cd34"}, 1000)
        kiosk.bus.publish(SyncFailed("https://repo.example/metadata: connection refused", 1))
        sync_state.record_failure("https://repo.example/metadata: connection refused")
        kiosk.bus.publish(SyncFailed("https://repo.example/metadata: connection refused", 1))
        assert wait_for(lambda: (reported(console)["sync"]["error"] or "").endswith("connection refused"))
        assert reported(console)["sync"]["at"] is not None
    finally:
        sync_state.close()


def test_a_residents_rating_is_an_event_without_the_resident(
    fleet_kiosk: Callable[..., Kiosk], console: Console
) -> None:
    kiosk = fleet_kiosk()
    kiosk.journey.wake()
    kiosk.journey.open_rating()
    flow = kiosk.journey.view.rating
    assert flow is not None
    flow.choose_level(RatingLevel.DISSATISFIED)
    flow.toggle_reason("long_wait")
    flow.set_consent(True)
    for digit in "13912345678":
        flow.press_digit(digit)
    kiosk.journey.submit_rating()
    assert flow.submitted is not None
    assert wait_for(lambda: len(events(console, "service_rated")) == 1)
    event = events(console, "service_rated")[0]
    assert set(event) == {"type", "at", "level", "department", "service"}
    assert (event["level"], event["department"], event["service"]) == ("dissatisfied", "", "kiosk")


def test_telemetry_counts_visits_and_prints_today_durably(
    fleet_kiosk: Callable[..., Kiosk], console: Console
) -> None:
    kiosk = fleet_kiosk()
    assert wait_for(lambda: console.last(TOPICS.telemetry) is not None)
    first = console.last(TOPICS.telemetry)
    assert first is not None
    assert first["visits_today"] == 0 and first["memory"]["rss"] > 0 and first["disk"]["total"] > 0
    assert set(first) == {"uptime", "load", "memory", "disk", "visits_today", "prints_today"}
    assert 0 <= first["uptime"]["process"] <= first["uptime"]["system"]
    kiosk.journey.wake()
    kiosk.journey.finish()
    assert wait_for(lambda: (console.last(TOPICS.telemetry) or {}).get("visits_today") == 1, 12)
    tally = DailyTally(state_path(kiosk.data_dir))
    try:
        assert tally.today(date.today()) == (1, 0)  # in the state database: a restart keeps it
    finally:
        tally.close()


# -- commands ---------------------------------------------------------------------------------------


def test_each_command_is_carried_out_with_its_result_and_audit_row(
    fleet_kiosk: Callable[..., Kiosk], console: Console, key: Ed25519PrivateKey
) -> None:
    kiosk = fleet_kiosk()
    restarts = seen_on_bus(kiosk, UiRestartRequested)
    blanks = seen_on_bus(kiosk, ScreenBlankRequested)
    install_recent_log()  # as `kiosk run`'s logging does
    logging.getLogger("kiosk.test").warning("a line for the logs command")

    synced = command(console, sign_command(key, "sync_now", req="r-sync"))
    assert synced == {"req": "r-sync", "ok": False, "error": synced["error"]}
    assert synced["error"].startswith("sync failed: sync is not configured")

    logs = command(console, sign_command(key, "logs", {"lines": 200}, req="r-logs"))
    assert logs["ok"] and any("a line for the logs command" in line for line in logs["result"]["lines"])
    assert len(logs["result"]["lines"]) <= 200
    assert not command(console, sign_command(key, "logs", {"lines": 201}, req="r-logs-big"))["ok"]
    assert command(console, sign_command(key, "logs", {"lines": 0}, req="r-logs-0"))["error"].startswith(
        "malformed"
    )

    assert command(console, sign_command(key, "blank", req="r-blank")) == {
        "req": "r-blank",
        "ok": True,
        "result": {"blank": True},
    }
    assert command(console, sign_command(key, "unblank", req="r-unblank"))["ok"]
    assert [event.blank for event in blanks] == [True, False]

    no_ui = command(console, sign_command(key, "screenshot", req="r-shot-no-ui"))
    assert no_ui["error"].startswith("unavailable")
    picture = Picture()
    kiosk.screen_capture = picture
    shot = command(console, sign_command(key, "screenshot", req="r-shot"))
    png = base64.b64decode(shot["result"]["png_base64"])
    assert Image.open(io.BytesIO(png)).size == (32, 18)

    restart = command(console, sign_command(key, "restart_ui", req="r-restart"))
    assert restart == {"req": "r-restart", "ok": True, "result": {"restarting": True}}
    assert wait_for(lambda: len(restarts) == 1)
    assert kiosk.technician.restart_requested  # `kiosk run` exits non-zero: systemd starts it again

    rows = audit(kiosk)
    assert rows[0] == ("failed", rows[0][1]) and rows[0][1].startswith("req=r-sync sync_now: sync failed")
    assert ("accepted", "req=r-blank blank: blank") in rows
    assert ("accepted", "req=r-restart restart_ui: the UI exits with a non-zero status") in rows
    assert (
        "refused",
        "req=r-logs-big logs: malformed: args.lines must be a whole number from 1 to 200",
    ) in rows
    assert len(rows) == 9


def test_screenshot_and_blank_are_refused_while_a_resident_is_in_a_session(
    fleet_kiosk: Callable[..., Kiosk], console: Console, key: Ed25519PrivateKey
) -> None:
    kiosk = fleet_kiosk()
    picture = Picture()
    kiosk.screen_capture = picture
    blanks = seen_on_bus(kiosk, ScreenBlankRequested)
    kiosk.journey.wake()
    assert kiosk.session.active
    assert command(console, sign_command(key, "screenshot", req="r-busy")) == {
        "req": "r-busy",
        "ok": False,
        "error": BUSY,
    }
    assert command(console, sign_command(key, "blank", req="r-busy-blank"))["error"] == BUSY
    assert picture.taken == 0 and blanks == []
    assert ("refused", f"req=r-busy screenshot: {BUSY}") in audit(kiosk)


def test_reboot_publishes_its_result_stops_the_channel_cleanly_then_runs_the_command(
    fleet_kiosk: Callable[..., Kiosk], console: Console, key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    ran = tmp_path / "rebooted"
    script = f"import json, pathlib, sys; pathlib.Path({str(ran)!r}).write_text('rebooted')"
    fleet_kiosk(reboot_command=[sys.executable, "-c", script])
    result = command(console, sign_command(key, "reboot", req="r-reboot"))
    assert result == {"req": "r-reboot", "ok": True, "result": {"rebooting": True}}
    assert wait_for(ran.exists)
    assert (console.last(TOPICS.status) or {})["state"] == "offline"
    topics = [topic for topic, _payload, _retain in console.messages]
    assert topics.index(TOPICS.result("r-reboot")) < len(topics) - 1 - topics[::-1].index(TOPICS.status)


def test_a_failed_reboot_is_audited_and_raises_reboot_failed_and_the_channel_comes_back(
    fleet_kiosk: Callable[..., Kiosk], console: Console, key: Ed25519PrivateKey
) -> None:
    kiosk = fleet_kiosk(reboot_command=[sys.executable, "-c", "raise SystemExit(3)"])
    first = (console.last(TOPICS.status) or {})["session"]
    result = command(console, sign_command(key, "reboot", req="r-reboot-fails"))
    assert result == {"req": "r-reboot-fails", "ok": True, "result": {"rebooting": True}}  # before it ran
    assert wait_for(lambda: len(events(console, "reboot_failed")) == 1, 15)
    failed = events(console, "reboot_failed")[0]
    assert failed["req"] == "r-reboot-fails" and failed["status"] == 3
    assert wait_for(lambda: (console.last(TOPICS.status) or {}).get("state") == "online")
    assert (console.last(TOPICS.status) or {})["session"] > first  # it went offline and came back
    rows = audit(kiosk)
    assert rows[-2][0] == "accepted" and rows[-2][1].startswith("req=r-reboot-fails reboot: running")
    assert rows[-1][0] == "failed" and rows[-1][1].endswith("ended with status 3, no reboot")


def test_reboot_is_refused_without_a_reboot_command(
    fleet_kiosk: Callable[..., Kiosk], console: Console, key: Ed25519PrivateKey
) -> None:
    kiosk = fleet_kiosk(reboot_command=[])
    result = command(console, sign_command(key, "reboot", req="r-no-reboot"))
    assert result["error"].startswith("refused: this kiosk does not reboot")
    assert (console.last(TOPICS.status) or {})["state"] == "online"
    assert audit(kiosk)[-1][0] == "refused"


def test_refusals_say_why_and_are_audited(
    fleet_kiosk: Callable[..., Kiosk], console: Console, key: Ed25519PrivateKey
) -> None:
    kiosk = fleet_kiosk()
    blanks = seen_on_bus(kiosk, ScreenBlankRequested)
    unsigned = sign_command(key, "blank", req="r-unsigned")
    del unsigned["sig"]
    other = sign_command(new_command_key(), "blank", req="r-other-key")
    tampered = sign_command(key, "logs", {"lines": 5}, req="r-tampered")
    tampered["args"] = {"lines": 200}
    expired = sign_command(key, "blank", ttl=60, now=time.time() - 600, req="r-expired")
    unknown = sign_command(key, "self_destruct", req="r-unknown")
    replayed = sign_command(key, "unblank", req="r-replayed")
    assert command(console, unsigned)["error"].startswith("signature")
    assert command(console, other)["error"].startswith("signature")
    assert command(console, tampered)["error"].startswith("signature")
    assert command(console, expired)["error"].startswith("expired")
    assert command(console, unknown)["error"].startswith("unknown command")
    assert command(console, replayed)["ok"]
    first = len(console.payloads(TOPICS.result("r-replayed")))
    console.send(TOPICS.command("r-replayed"), replayed)
    assert wait_for(lambda: len(console.payloads(TOPICS.result("r-replayed"))) > first, 15)
    assert console.payloads(TOPICS.result("r-replayed"))[-1]["error"].startswith("replayed")
    moved = sign_command(key, "blank", req="r-signed")
    assert command(console, moved, req="r-moved")["error"].startswith("signature")
    assert command(console, b"not json", req="r-garbage")["error"].startswith("malformed")
    assert [event.blank for event in blanks] == [False]  # only the one admitted command acted
    rows = audit(kiosk)
    refused = [detail for outcome, detail in rows if outcome == "refused"]
    assert len(refused) == 8
    assert any(detail.startswith("req=r-unknown self_destruct: unknown command") for detail in refused)
    assert any(detail.startswith("req=r-expired blank: expired") for detail in refused)


def test_a_command_that_cannot_be_read_is_refused_with_a_result_and_an_audit_row(
    fleet_kiosk: Callable[..., Kiosk], console: Console
) -> None:
    kiosk = fleet_kiosk()
    # JSON escapes of lone surrogates: valid JSON whose text cannot be encoded (before any signature check)
    lone = (
        b'{"req":"r-lone","command":"reboot","args":{"x":"\\ud800"},"issued_at":1,"expires_at":2,"sig":"AA"}'
    )
    named = b'{"req":"r-named","command":"\\udc00boot","args":{},"issued_at":1,"expires_at":2,"sig":"AA"}'
    assert not command(console, lone, req="r-lone")["ok"]
    assert not command(console, named, req="r-named")["ok"]
    rows = audit(kiosk)
    assert [
        outcome for outcome, detail in rows if detail.startswith(("req=r-lone reboot:", "req=r-named"))
    ] == [
        "refused",
        "refused",
    ]


def test_a_command_waiting_behind_a_long_one_is_admitted_by_the_time_it_arrived(
    fleet_kiosk: Callable[..., Kiosk], console: Console, key: Ed25519PrivateKey
) -> None:
    kiosk = fleet_kiosk()
    kiosk.screen_capture = Picture(seconds=4.0)  # a slow screen: the worker is busy for 4 s
    console.send(TOPICS.command("r-slow"), sign_command(key, "screenshot", req="r-slow"))
    short = sign_command(key, "unblank", ttl=2, req="r-short")  # live for 2 s, it arrives at once
    time.sleep(0.5)
    assert command(console, short)["ok"]
    assert console.last(TOPICS.result("r-slow")) is not None


def test_blank_is_refused_while_technician_mode_is_open_and_a_busy_screen_sends_no_picture(
    fleet_kiosk: Callable[..., Kiosk], console: Console, key: Ed25519PrivateKey
) -> None:
    kiosk = fleet_kiosk()
    blanks = seen_on_bus(kiosk, ScreenBlankRequested)
    kiosk.technician.mode = Mode.OPEN
    assert command(console, sign_command(key, "blank", req="r-tech-blank"))["error"] == BUSY
    kiosk.technician.mode = Mode.CLOSED
    assert blanks == []
    kiosk.screen_capture = Picture(busy=True)  # the UI found the screen not at rest on attract
    assert command(console, sign_command(key, "screenshot", req="r-not-at-rest")) == {
        "req": "r-not-at-rest",
        "ok": False,
        "error": BUSY,
    }
    assert ("refused", f"req=r-tech-blank blank: {BUSY}") in audit(kiosk)


def test_command_keys_pushed_with_new_settings_are_in_force_at_once(
    fleet_kiosk: Callable[..., Kiosk], console: Console, key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    kiosk = fleet_kiosk(command_keys=[])
    refused = command(console, sign_command(key, "unblank", req="r-before"))
    assert refused["error"].startswith("signature: this kiosk has no command keys")
    layer = kiosk.settings.model_dump(mode="json")
    layer["fleet"]["command_keys"] = [public_key_text(key)]
    layer["fleet"]["password"] = ""
    kiosk.apply_settings(load_settings([read_toml_layer(DEFAULTS_FILE), Layer("pushed", layer)]).settings)
    assert command(console, sign_command(key, "unblank", req="r-after"))["ok"]


def test_a_password_file_that_cannot_be_read_means_no_channel_and_no_crash(
    make_kiosk: Callable[..., Kiosk],
    mosquitto: PrivateMosquitto,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    missing = tmp_path / "no-such-password"
    kiosk = make_kiosk({"fleet": {"broker": mosquitto.url, "password_file": str(missing)}})
    kiosk.start()
    assert kiosk.fleet is None
    assert f"no fleet channel: fleet.password_file: {missing} cannot be read" in caplog.text
    kiosk.journey.wake()  # the kiosk itself works on
    assert kiosk.session.active


def test_no_broker_no_channel(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk()
    kiosk.start()
    assert kiosk.fleet is None


def test_a_ca_bundle_that_cannot_be_read_means_no_channel_and_no_crash(
    make_kiosk: Callable[..., Kiosk], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "no-such-ca.pem"
    kiosk = make_kiosk({"fleet": {"broker": "mqtts://127.0.0.1:8883", "ca_bundle": str(missing)}})
    kiosk.start()
    assert kiosk.fleet is None
    assert "no fleet channel:" in caplog.text


def test_pushed_settings_naming_a_broker_start_the_channel_and_another_moves_it(
    make_kiosk: Callable[..., Kiosk], mosquitto: PrivateMosquitto, console: Console, tmp_path: Path
) -> None:
    kiosk = make_kiosk({"kiosk": {"id": KIOSK_ID}})
    kiosk.start()
    assert kiosk.fleet is None

    def push(broker: str) -> None:
        layer = kiosk.settings.model_dump(mode="json")
        layer["fleet"].update(broker=broker, password="", keepalive=5)
        kiosk.apply_settings(load_settings([read_toml_layer(DEFAULTS_FILE), Layer("pushed", layer)]).settings)

    push(mosquitto.url)
    assert wait_for(lambda: (console.last(TOPICS.status) or {}).get("state") == "online")
    with PrivateMosquitto(tmp_path / "other") as other:
        elsewhere = Console(other.port)
        try:
            push(other.url)
            assert wait_for(lambda: (console.last(TOPICS.status) or {}).get("state") == "offline")
            assert wait_for(lambda: (elsewhere.last(TOPICS.status) or {}).get("state") == "online")
            push("")
            assert wait_for(lambda: (elsewhere.last(TOPICS.status) or {}).get("state") == "offline")
            assert wait_for(lambda: kiosk.fleet is None)
        finally:
            elsewhere.close()


def test_one_data_directory_has_one_live_channel(
    fleet_kiosk: Callable[..., Kiosk], caplog: pytest.LogCaptureFixture
) -> None:
    kiosk = fleet_kiosk()
    assert channel_running(kiosk.data_dir)
    with caplog.at_level(logging.ERROR):
        assert start_channel(kiosk) is None  # a second kiosk process on the same data
    assert "another kiosk process" in caplog.text and "holds it" in caplog.text
    kiosk.close()
    assert not channel_running(kiosk.data_dir)
