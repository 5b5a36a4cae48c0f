"""Technician mode's core: PIN lockout across restarts, the audit table, the tests, no personal data."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from drivers.idcard.card_file import load_id_card
from kiosk.appliance import Kiosk
from kiosk.doctor import Status
from kiosk.events import UiRestartRequested
from kiosk.journey import Screen
from kiosk.log import RecentLog, install_recent_log, mask_personal
from kiosk.paths import printed_dir, state_path
from kiosk.records import CardKind, ResidentCode, SocialSecurityCard
from kiosk.settings.schema import TechnicianSection
from kiosk.sync import SyncError
from kiosk.sync.outcome import SyncReport
from kiosk.technician import hash_pin
from kiosk.technician.audit import Action, TechnicianRecords
from kiosk.technician.console import Mode, TechnicianConsole
from kiosk.technician.lockout import PinGate, PinState
from tests.conftest import FakeClock

PIN = "246810"
PIN_HASH = hash_pin(PIN)
DEMO_CARDS = Path(__file__).parents[2] / "config" / "demo" / "cards"
DEMO_ID_CARD = load_id_card(DEMO_CARDS / "resident.json").card


class WallClock:
    """An aware UTC wall clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)


def section(pin_hash: str = PIN_HASH) -> TechnicianSection:
    return TechnicianSection(pin_hash=pin_hash, max_pin_attempts=5, lockout_minutes=15, idle_minutes=5)


def test_five_wrong_pins_lock_and_the_lock_survives_a_restart(tmp_path: Path) -> None:
    wall = WallClock()
    records = TechnicianRecords(tmp_path / "state.db")
    gate = PinGate(section(), records, wall)
    verdicts = [gate.try_pin("000000") for _ in range(5)]
    assert [v.attempts_left for v in verdicts[:4]] == [4, 3, 2, 1]
    assert verdicts[-1].state is PinState.LOCKED
    assert verdicts[-1].locked_until == wall.now + timedelta(minutes=15)
    records.close()

    # The kiosk restarts (or the plug is pulled): the lock is still there, even for the right PIN.
    records = TechnicianRecords(tmp_path / "state.db")
    gate = PinGate(section(), records, wall)
    wall.advance(14)
    assert gate.status().state is PinState.LOCKED
    assert gate.try_pin(PIN).state is PinState.LOCKED
    wall.advance(1)
    assert gate.status() == gate.status().__class__(PinState.READY, attempts_left=5)
    assert gate.try_pin(PIN).state is PinState.ACCEPTED
    actions = [entry.action for entry in records.entries()]
    assert actions == ["pin_wrong"] * 5 + ["locked", "opened"]
    assert records.entries()[-1].outcome == "refused"
    records.close()


def test_wrong_pins_count_across_a_restart_and_the_right_pin_resets_the_count(tmp_path: Path) -> None:
    wall = WallClock()
    records = TechnicianRecords(tmp_path / "state.db")
    for _ in range(3):
        PinGate(section(), records, wall).try_pin("111111")
    records.close()
    records = TechnicianRecords(tmp_path / "state.db")
    gate = PinGate(section(), records, wall)
    assert gate.try_pin("111111").attempts_left == 1
    assert gate.try_pin(PIN).state is PinState.ACCEPTED
    assert gate.status().attempts_left == 5
    records.close()


def test_without_a_pin_technician_mode_cannot_be_opened(tmp_path: Path) -> None:
    records = TechnicianRecords(tmp_path / "state.db")
    gate = PinGate(section(pin_hash=""), records, WallClock())
    assert gate.status().state is PinState.NO_PIN
    assert gate.try_pin("").state is PinState.NO_PIN
    assert [(e.action, e.outcome, e.detail) for e in records.entries()] == [
        ("opened", "refused", "no technician PIN is set")
    ]
    records.close()


@pytest.fixture
def technician_kiosk(make_kiosk: Callable[..., Kiosk]) -> Kiosk:
    return make_kiosk({"technician": {"pin_hash": PIN_HASH}})


def open_console(kiosk: Kiosk) -> TechnicianConsole:
    console = kiosk.technician
    console.card_wait = 0.2
    console.begin()
    assert console.submit_pin(PIN).state is PinState.ACCEPTED
    return console


def audit(kiosk: Kiosk) -> list[tuple[str, str, str]]:
    return [(e.action, e.outcome, e.detail) for e in kiosk.technician.records.entries()]


def test_entering_ends_the_resident_session_and_drops_its_data(technician_kiosk: Kiosk) -> None:
    kiosk = technician_kiosk
    kiosk.journey.wake()
    kiosk.session.identify(DEMO_ID_CARD)
    kiosk.technician.begin()
    assert not kiosk.session.active and kiosk.session.identity is None
    assert kiosk.journey.view.screen is Screen.TECHNICIAN_PIN
    assert kiosk.technician.submit_pin("000000").state is PinState.WRONG
    assert kiosk.journey.view.screen is Screen.TECHNICIAN_PIN
    kiosk.technician.submit_pin(PIN)
    assert kiosk.technician.mode is Mode.OPEN
    assert kiosk.journey.view.screen is Screen.TECHNICIAN
    # A waking touch does nothing while technician mode shows.
    kiosk.journey.wake()
    assert kiosk.journey.view.screen is Screen.TECHNICIAN and not kiosk.session.active


def test_every_action_is_audited_and_exit_returns_to_attract(technician_kiosk: Kiosk) -> None:
    kiosk = technician_kiosk
    console = open_console(kiosk)
    assert {check.name for check in console.checks} >= {"id_reader", "printer", "scanner"}
    assert all(check.status is Status.OK for check in console.checks if check.name == "printer")
    console.print_test_page()
    assert console.results["print"].ok
    assert list(printed_dir(kiosk.data_dir).glob("*.pdf"))
    console.test_scan()  # nothing shown within the wait
    assert not console.results["scan"].ok
    console.sync_now()
    assert console.results["sync"].detail == "sync is not configured on this kiosk (sync.repo_url is empty)"
    console.leave()
    assert kiosk.journey.view.screen is Screen.ATTRACT and console.mode is Mode.CLOSED
    actions = [(action, outcome) for action, outcome, _ in audit(kiosk)]
    assert actions == [
        ("opened", "ok"),
        ("device_status", "ok"),
        ("print_test_page", "ok"),
        ("scan_test", "fail"),
        ("sync_now", "fail"),
        ("exit", "ok"),
    ]


def test_closing_the_pin_pad_is_audited(technician_kiosk: Kiosk) -> None:
    console = technician_kiosk.technician
    console.begin()
    assert console.submit_pin("000000").state is PinState.WRONG
    console.leave("PIN pad closed")  # the pad's back button
    assert technician_kiosk.journey.view.screen is Screen.ATTRACT and console.mode is Mode.CLOSED
    assert audit(technician_kiosk) == [
        ("pin_wrong", "wrong", "1 wrong in a row"),
        ("pin_cancelled", "cancelled", "PIN pad closed"),
    ]


def test_actions_need_the_pin_first(technician_kiosk: Kiosk) -> None:
    console = technician_kiosk.technician
    console.begin()
    console.print_test_page()
    console.restart_ui()
    assert console.results == {} and not console.restart_requested
    assert audit(technician_kiosk) == []


def test_scan_test_reports_symbology_and_length_only(technician_kiosk: Kiosk) -> None:
    console = open_console(technician_kiosk)
    technician_kiosk.devices.scanner.show(ResidentCode("qrcode", "RESIDENT-CODE-13800000000"))  # type: ignore[attr-defined]
    console.test_scan()
    result = console.results["scan"]
    assert result.ok and result.values == {"symbology": "qrcode", "length": "25"}
    assert "13800000000" not in str(audit(technician_kiosk))


def test_sync_now_runs_the_kiosks_sync_once(technician_kiosk: Kiosk) -> None:
    with pytest.raises(SyncError, match="not configured"):
        technician_kiosk.sync_now()
    console = open_console(technician_kiosk)
    report = SyncReport(catalogue_version=7, catalogue_updated=True)
    console.services = dataclasses.replace(console.services, sync_now=lambda: report)
    console.sync_now()
    assert console.results["sync"].ok and console.results["sync"].values == {"version": "7"}
    assert audit(technician_kiosk)[-1] == ("sync_now", "ok", "version=7")


def test_idle_technician_mode_times_out_to_attract(technician_kiosk: Kiosk, clock: FakeClock) -> None:
    console = open_console(technician_kiosk)
    clock.advance(4 * 60)
    console.tick()
    assert console.mode is Mode.OPEN
    console.touch()
    clock.advance(4 * 60)
    console.tick()
    assert console.mode is Mode.OPEN
    clock.advance(61)
    console.tick()
    assert console.mode is Mode.CLOSED and technician_kiosk.journey.view.screen is Screen.ATTRACT
    assert audit(technician_kiosk)[-1] == ("exit", "ok", "idle timeout")


def test_restart_ui_is_audited_before_the_ui_is_asked_to_stop(technician_kiosk: Kiosk) -> None:
    console = open_console(technician_kiosk)
    seen: list[list[tuple[str, str, str]]] = []
    technician_kiosk.bus.subscribe(UiRestartRequested, lambda _event: seen.append(audit(technician_kiosk)))
    console.restart_ui()
    assert console.restart_requested
    assert seen and seen[0][-1][0] == "restart_ui"


def test_mask_personal_masks_id_and_phone_numbers() -> None:
    assert mask_personal("card 371002199001010023 read") == "card [ID number masked] read"
    assert mask_personal("old 37100219900101X and 37100290010102") == "old 37100219900101X and 37100290010102"
    assert mask_personal("id 11010519491231002x.") == "id [ID number masked]."
    assert mask_personal("15-digit 371002900101002") == "15-digit [ID number masked]"
    assert mask_personal("call 13800138000 or +86 138-0013-8000") == "call [phone masked] or [phone masked]"
    assert mask_personal("desk 0631-5201234") == "desk [phone masked]"
    kept = "job 12 completed at 2026-11-27 09:00:01, 123456 bytes, kiosk wh-0001, session 3f2a9c1b"
    assert mask_personal(kept) == kept


def test_the_ring_of_recent_lines_is_bounded_and_masked() -> None:
    ring = RecentLog(capacity=3)
    logger = logging.getLogger("test.technician.ring")
    logger.addHandler(ring)
    logger.setLevel(logging.INFO)
    try:
        for number in range(5):
            logger.info("line %d", number)
        logger.warning("phone 13912345678 seen")
    finally:
        logger.removeHandler(ring)
    lines = ring.lines()
    assert len(lines) == 3 and lines[0].endswith("line 3") and "13912345678" not in lines[-1]
    assert "[phone masked]" in lines[-1]
    assert ring.lines(1) == lines[-1:]


def test_a_card_test_leaves_no_personal_data_anywhere(technician_kiosk: Kiosk) -> None:
    install_recent_log()
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)
    try:
        console = open_console(technician_kiosk)
        technician_kiosk.devices.id_reader.slot.place(DEMO_ID_CARD)  # type: ignore[attr-defined]
        console.test_card(CardKind.ID_CARD)
        sscard = SocialSecurityCard(
            card_id="371000D156000005", name="演示居民", ss_number="371002199001010023", card_type="3"
        )
        technician_kiosk.devices.sscard_reader.slot.place(sscard)  # type: ignore[attr-defined]
        console.test_card(CardKind.SSCARD)
        # Even a careless log line with the number in it reaches the ring masked.
        logging.getLogger("kiosk.careless").warning("read %s", DEMO_ID_CARD.id_number)
        lines = "\n".join(console.log_lines(200))
    finally:
        root.setLevel(level)
    id_result, ss_result = console.results["id_card"], console.results["sscard"]
    assert id_result.ok and id_result.values == {"card_type": "resident ID card", "check_digit": "valid"}
    assert ss_result.ok and ss_result.values == {"card_type": "3", "check_digit": "valid"}
    assert audit(technician_kiosk)[-2:] == [
        ("device_test", "ok", "id_card: card_type=resident ID card, check_digit=valid"),
        ("device_test", "ok", "sscard: card_type=3, check_digit=valid"),
    ]
    console.leave()
    technician_kiosk.technician.records.conn.execute("PRAGMA wal_checkpoint(FULL)")
    written = b"".join(
        path.read_bytes() for path in state_path(technician_kiosk.data_dir).parent.glob("state.db*")
    )
    for secret in (DEMO_ID_CARD.name, DEMO_ID_CARD.id_number, DEMO_ID_CARD.address, PIN):
        assert secret.encode() not in written, secret
        assert secret not in lines, secret
    assert "[ID number masked]" in lines


def test_a_card_test_without_a_card_says_so(technician_kiosk: Kiosk) -> None:
    console = open_console(technician_kiosk)
    console.test_card(CardKind.ID_CARD)
    result = console.results["id_card"]
    assert not result.ok and result.values == {"seconds": "0.2"}


def test_kiosk_technician_audit_prints_the_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from kiosk.cli import main

    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KIOSK_CONFIG", str(tmp_path / "kiosk.toml"))
    (tmp_path / "kiosk.toml").write_text("")
    records = TechnicianRecords(state_path(tmp_path))
    records.record(datetime(2026, 11, 27, 9, 0, tzinfo=UTC), Action.PIN_WRONG, "wrong", "1 wrong in a row")
    records.record(datetime(2026, 11, 27, 9, 1, tzinfo=UTC), Action.OPENED, "ok", "kiosk wh-0001")
    records.close()
    result = CliRunner().invoke(main, ["technician", "audit"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "2026-11-27T09:00:00+00:00  pin_wrong        wrong      1 wrong in a row",
        "2026-11-27T09:01:00+00:00  opened           ok         kiosk wh-0001",
    ]
    as_json = CliRunner().invoke(main, ["technician", "audit", "--json", "--limit", "1"])
    assert json.loads(as_json.output) == {
        "at": "2026-11-27T09:01:00+00:00",
        "action": "opened",
        "outcome": "ok",
        "detail": "kiosk wh-0001",
    }


class CardWatch:
    """Records when residents' card reading is paused and resumed."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def start(self) -> None:
        self.calls.append("start")

    def stop(self) -> None:
        self.calls.append("stop")


def test_residents_card_reading_pauses_while_technician_mode_is_open(technician_kiosk: Kiosk) -> None:
    watch = CardWatch()
    console = technician_kiosk.technician
    console.services = dataclasses.replace(console.services, card_watch=watch)
    console.begin()
    console.submit_pin("999999")
    assert watch.calls == []  # a wrong PIN opens nothing
    console.submit_pin(PIN)
    assert watch.calls == ["stop"]
    console.leave()
    assert watch.calls == ["stop", "start"]
