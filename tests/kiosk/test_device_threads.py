"""Device threads survive what nobody expected: logged without personal data, counted, polling on.

Found by fuzzing (issue 13): one ID card frame raised a ValueError in the parser, the identity
service's `identity-id_card` thread died, and no ID card was read again until a restart.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from drivers.idcard import protocol
from drivers.idcard.card_file import SimulatedIdCard, load_id_card
from drivers.idcard.pty_sim import PtyIdReaderSimulator
from drivers.idcard.serial_reader import SerialIdCardReader
from drivers.idcard.settings import SerialIdReaderSettings
from drivers.scanner.camera import CameraScanner
from drivers.scanner.frames import Frame, ImageFiles
from kiosk.appliance import Kiosk
from kiosk.background import run_in_thread
from kiosk.devices import DriverContext
from kiosk.events import IdentityReadFailed, SessionIdentified
from kiosk.identity import IdentityService, ReaderWatch
from kiosk.log import JsonFormatter, TextFormatter
from kiosk.records import CardKind, IdCard, ResidentCode
from kiosk.settings import DEFAULTS_FILE, load_settings, read_toml_layer
from kiosk.thread_guard import ThreadGuard
from tests.drivers.idcard_frames import issue_13_text
from tests.kiosk.test_identity import Recorder
from tests.qr_images import frame

CARDS = Path(__file__).parents[2] / "config" / "demo" / "cards"
RESIDENT = load_id_card(CARDS / "resident.json")
#: What must never reach a log line: the test card's name and number.
PERSONAL = (RESIDENT.card.name, RESIDENT.card.id_number)
FAST = ReaderWatch(poll=0.01, read=0.5, retry=0.02)
SCANNER = load_settings([read_toml_layer(DEFAULTS_FILE)]).settings.devices.scanner


def logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every captured line as the kiosk writes it: text and JSON, as on stderr and in journald."""
    lines = []
    for record in caplog.records:
        lines += [TextFormatter().format(record), JsonFormatter().format(record)]
    return lines


def assert_no_personal_data(caplog: pytest.LogCaptureFixture) -> None:
    lines = logged(caplog)
    assert lines, "nothing was logged"
    for line in lines:
        for value in PERSONAL:
            assert value not in line, line


def assert_alive(service: IdentityService) -> None:
    threads = service._threads  # the threads are the point: did one die?
    assert threads and all(thread.is_alive() for thread in threads)


@pytest.fixture
def kiosk(make_kiosk: Callable[..., Kiosk]) -> Kiosk:
    kiosk = make_kiosk()
    kiosk.journey.wake()
    kiosk.journey.open_identify()
    return kiosk


# -- the ID card reader: the real serial driver, over a pty, against the simulator ------------------


Served = tuple[PtyIdReaderSimulator, IdentityService]


@pytest.fixture
def serial_service(kiosk: Kiosk) -> Iterator[Served]:
    simulator = PtyIdReaderSimulator()
    simulator.start()
    settings = SerialIdReaderSettings(driver="serial", port=simulator.path, baud=115200, timeout=2)
    reader = SerialIdCardReader(settings)
    watch = ReaderWatch(poll=0.02, read=2.0, retry=0.05)
    service = IdentityService(reader, kiosk.devices.sscard_reader, kiosk.session, kiosk.bus, watch)
    service.start()
    yield simulator, service
    service.stop()
    reader.close()
    simulator.stop()


def lift_and_wait(simulator: PtyIdReaderSimulator) -> None:
    """Lift the card and wait until the service has looked at the empty reader (two finds later)."""

    def finds() -> int:
        return [name for name, *_ in simulator.wire.frames].count("FIND_CARD")

    simulator.lift()
    seen = finds()
    deadline = time.monotonic() + 3
    while finds() < seen + 2:
        assert time.monotonic() < deadline, "the service stopped looking at the reader"
        time.sleep(0.01)


def damaged(card: SimulatedIdCard, offset: int, value: str) -> SimulatedIdCard:
    """The card with `value` written into its text block at `offset` (a chip that holds garbage)."""
    text = protocol.build_text(card.card, card.flag)
    encoded = value.encode("utf-16-le")
    return dataclasses.replace(card, text_block=text[:offset] + encoded + text[offset + len(encoded) :])


def test_after_the_frame_of_issue_13_the_next_id_card_is_still_read(
    kiosk: Kiosk,
    serial_service: tuple[PtyIdReaderSimulator, IdentityService],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    simulator, service = serial_service
    events = Recorder(kiosk)
    simulator.place(dataclasses.replace(RESIDENT, text_block=issue_13_text()))
    assert events.wait_for(IdentityReadFailed).card is CardKind.ID_CARD
    lift_and_wait(simulator)
    # A real card's frame with one damaged field (a full-width 3 in the birth date): refused, and
    # the line that says so names the field, not the card's holder.
    simulator.place(damaged(RESIDENT, 36, "１９９０"))
    events.wait_for(IdentityReadFailed, count=2)
    lift_and_wait(simulator)
    simulator.place(RESIDENT)
    events.wait_for(SessionIdentified)
    assert kiosk.session.identity == RESIDENT.card
    assert_alive(service)
    warnings = [line for line in logged(caplog) if "malformed" in line]
    assert any("birth date is not a date" in line for line in warnings), warnings
    assert_no_personal_data(caplog)


# -- an error nobody expected, from a reader's driver ----------------------------------------------


class CrashingReader:
    """A reader whose driver has a bug: its first read raises an error that quotes the card."""

    def __init__(self) -> None:
        self.card: IdCard | None = None
        self.crashes = 1
        self._read = False

    def card_present(self) -> bool:
        return self.card is not None

    def read_card(self, timeout: float) -> IdCard | None:
        if self.card is None:
            return None
        if self.crashes:
            self.crashes -= 1
            raise ValueError(
                f"invalid literal for int() with base 10: {self.card.name} {self.card.id_number}"
            )
        if self._read:
            return None
        self._read = True
        return self.card

    def close(self) -> None:
        """Nothing to release."""


def test_an_unexpected_error_in_a_read_is_survived_counted_and_logged_without_the_card(
    kiosk: Kiosk, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    events = Recorder(kiosk)
    reader = CrashingReader()
    service = IdentityService(reader, kiosk.devices.sscard_reader, kiosk.session, kiosk.bus, FAST)
    service.start()
    try:
        reader.card = RESIDENT.card
        # The resident hears what to do, as for any unreadable card, and the card is not retried
        # (and failing again) while it lies there.
        assert events.wait_for(IdentityReadFailed).card is CardKind.ID_CARD
        threading.Event().wait(0.1)
        assert events.count(IdentityReadFailed) == 1
        assert service.guards["id_card"].failures == 1
        reader.card = None
        threading.Event().wait(0.1)
        reader.card = RESIDENT.card
        events.wait_for(SessionIdentified)
        assert_alive(service)
    finally:
        service.stop()
    (line,) = [line for line in logged(caplog) if "unexpected" in line and line.startswith("20")]
    assert "id_reader: unexpected ValueError at" in line
    assert "on thread identity-id_card, which goes on (1 unexpected failure since start)" in line
    assert "test_device_threads.py" in line  # where it came from, for whoever fixes it
    assert all(record.exc_info is None for record in caplog.records)  # its text stays out
    assert_no_personal_data(caplog)


# -- the camera scanner ---------------------------------------------------------------------------


class DamagedFrames:
    """A camera that first delivers a frame whose size does not match its pixels, then real frames."""

    def __init__(self, paths: list[Path]) -> None:
        self._files = ImageFiles(paths)
        self._damaged = True

    def read(self) -> Frame | None:
        if self._damaged:
            self._damaged = False
            return Frame(b"\x00" * 10, 640, 480)  # zbar's decoder refuses it with a ValueError
        return self._files.read()

    def close(self) -> None:
        self._files.close()


def test_a_camera_frame_the_decoder_refuses_costs_that_frame_not_the_scanner(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "code.png"
    frame(codes=(("RC:0123456789", (200, 100)),)).save(path)
    scanner = CameraScanner(SCANNER, DriverContext(Path("/nonexistent"), "k1"), DamagedFrames([path]))
    try:
        assert scanner.scan(timeout=5) == ResidentCode("qrcode", "RC:0123456789")
        assert scanner.guard.failures == 1
    finally:
        scanner.close()
    assert any("scanner: unexpected ValueError" in record.getMessage() for record in caplog.records)


# -- the guard itself -----------------------------------------------------------------------------


def test_a_failure_that_repeats_is_logged_now_and_then_and_counted_every_time(
    caplog: pytest.LogCaptureFixture,
) -> None:
    guard = ThreadGuard("printer", pause=lambda: 0.0)
    for _ in range(9):
        with guard:
            raise RuntimeError("out of paper")
    assert guard.failures == 9
    counts = [re.search(r"\((\d+) unexpected", record.getMessage())[1] for record in caplog.records]  # type: ignore[index]
    assert counts == ["1", "2", "4", "8"]
    assert all("out of paper" not in line for line in logged(caplog))


def test_ending_the_thread_on_purpose_is_not_a_failure() -> None:
    guard = ThreadGuard("printer", pause=lambda: 0.0)
    with pytest.raises(KeyboardInterrupt), guard:
        raise KeyboardInterrupt
    with guard:
        pass
    assert guard.failures == 0


def test_a_failing_hook_does_not_end_the_thread(caplog: pytest.LogCaptureFixture) -> None:
    def broken_hook() -> None:
        raise KeyError(date(1990, 1, 1).isoformat())

    guard = ThreadGuard("printer", pause=lambda: 0.0, on_failure=broken_hook)
    with guard:
        raise RuntimeError("jam")
    assert guard.failures == 1
    assert any("after an unexpected failure: KeyError at" in line for line in logged(caplog))
    assert all("1990-01-01" not in line for line in logged(caplog))


def test_background_work_that_fails_is_logged_without_its_text(caplog: pytest.LogCaptureFixture) -> None:
    done = threading.Event()

    def print_checklist() -> None:
        done.set()
        raise ValueError(f"cannot print for {RESIDENT.card.name}")

    run_in_thread(print_checklist)
    assert done.wait(2)
    deadline = time.monotonic() + 2
    while not caplog.records and time.monotonic() < deadline:
        time.sleep(0.01)
    (line,) = [line for line in logged(caplog) if line.startswith("20")]
    assert "background work: unexpected ValueError at" in line and "thread kiosk-worker" in line
    assert_no_personal_data(caplog)
