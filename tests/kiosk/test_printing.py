from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from drivers.printer.sim import KEPT_FINISHED_JOBS, SimPrinter
from kiosk.bus import EventBus
from kiosk.devices import DriverContext
from kiosk.events import KioskEvent, PrintCompleted, PrintFailed, PrintProgress, PrintSubmitted
from kiosk.printing import PrintOutcome, PrintService, explain
from kiosk.records import JobState, PrintJob
from kiosk.settings import DEFAULTS_FILE, load_settings, read_toml_layer
from tests.conftest import FakeClock

PDF = b"%PDF-1.4 test document"


@pytest.fixture
def printer(tmp_path: Path, clock: FakeClock) -> SimPrinter:
    section = load_settings([read_toml_layer(DEFAULTS_FILE)]).settings.devices.printer
    return SimPrinter(section, DriverContext(tmp_path, "k1"), clock=clock)


@pytest.fixture
def events() -> tuple[EventBus, list[KioskEvent]]:
    bus = EventBus()
    seen: list[KioskEvent] = []
    for kind in (PrintSubmitted, PrintProgress, PrintCompleted, PrintFailed):
        bus.subscribe(kind, seen.append)
    return bus, seen


def service(printer: SimPrinter, bus: EventBus, clock: FakeClock, timeout: float = 30) -> PrintService:
    return PrintService(printer, bus, job_timeout=timeout, clock=clock, sleep=clock.advance)


def test_a_job_is_followed_to_completion_and_its_pdf_written(
    printer: SimPrinter, events: Any, clock: FakeClock, tmp_path: Path
) -> None:
    bus, seen = events
    outcome = service(printer, bus, clock).print_and_wait(PrintJob("checklist 1", PDF), "s1:checklist:1")
    assert outcome.completed
    states = [event.state for event in seen if isinstance(event, PrintProgress)]
    assert states[-1] is JobState.COMPLETED and JobState.PROCESSING in states
    assert [path.read_bytes() for path in (tmp_path / "printed").glob("*.pdf")] == [PDF]
    assert isinstance(seen[0], PrintSubmitted) and isinstance(seen[-1], PrintCompleted)


def test_a_retry_of_the_same_request_never_prints_twice(
    printer: SimPrinter, events: Any, clock: FakeClock
) -> None:
    bus, _ = events
    printing = service(printer, bus, clock)
    first = printing.print_and_wait(PrintJob("checklist 1", PDF), "s1:checklist:1")
    second = printing.print_and_wait(PrintJob("checklist 1", PDF), "s1:checklist:1")
    assert first.job_id == second.job_id
    assert len(printer.completed_files()) == 1


def test_a_printer_out_of_paper_gives_a_resident_and_a_technician_reason(
    printer: SimPrinter, events: Any, clock: FakeClock
) -> None:
    bus, seen = events
    printer.reasons = ("media-empty-error",)
    outcome = service(printer, bus, clock).print_and_wait(PrintJob("checklist 1", PDF), "k")
    assert not outcome.completed and outcome.job_id is None
    assert outcome.resident_message == "The printer is out of paper."
    assert "media-empty" in outcome.technician_message
    assert isinstance(seen[-1], PrintFailed)


def test_a_job_that_never_finishes_times_out_and_is_cancelled(
    printer: SimPrinter, events: Any, clock: FakeClock
) -> None:
    bus, _ = events
    printer.seconds_per_job = 10_000
    outcome = service(printer, bus, clock, timeout=20).print_and_wait(PrintJob("checklist 1", PDF), "k")
    assert not outcome.completed
    assert outcome.resident_message == "The printer did not finish in time."
    assert outcome.job_id is not None
    assert printer.job_status(outcome.job_id).state is JobState.CANCELLED
    assert printer.completed_files() == []


def test_a_job_stopped_mid_way_fails_and_may_be_printed_again(
    printer: SimPrinter, events: Any, clock: FakeClock
) -> None:
    bus, _ = events
    printing = service(printer, bus, clock)
    job_id = printer.submit(PrintJob("x", PDF))
    printer.reasons = ("media-jam",)
    assert printer.job_status(job_id).state is JobState.STOPPED
    failed = printing.print_and_wait(PrintJob("checklist 2", PDF), "k2")
    assert failed.resident_message == "Paper is stuck in the printer."
    printer.reasons = ()
    assert printing.print_and_wait(PrintJob("checklist 2", PDF), "k2").completed


def test_cancelling_unfinished_jobs_stops_a_job_being_followed(printer: SimPrinter, events: Any) -> None:
    bus, _ = events
    printer.seconds_per_job = 10_000
    printing = PrintService(printer, bus, job_timeout=30, poll_interval=0.01)
    submitted = threading.Event()
    bus.subscribe(PrintSubmitted, lambda _event: submitted.set())
    outcomes: list[PrintOutcome] = []
    worker = threading.Thread(
        target=lambda: outcomes.append(printing.print_and_wait(PrintJob("x", PDF), "k"))
    )
    worker.start()
    assert submitted.wait(5)
    assert printing.cancel_unfinished() == 1
    worker.join(5)
    assert outcomes and not outcomes[0].completed
    assert outcomes[0].job_id is not None
    assert printer.job_status(outcomes[0].job_id).state is JobState.CANCELLED
    assert printing.cancel_unfinished() == 0


def test_unknown_reasons_fall_back_to_a_plain_sentence() -> None:
    resident, technician = explain(("spool-area-full",), "queue kiosk")
    assert resident == "The printer is not available right now."
    assert technician == "spool-area-full"


def test_the_simulated_printer_keeps_no_document_and_a_bounded_job_history(
    printer: SimPrinter, clock: FakeClock
) -> None:
    # The 1,000-journey soak grew by the PDFs the simulated printer kept, one per printed checklist.
    ids = []
    for number in range(KEPT_FINISHED_JOBS + 20):
        ids.append(printer.submit(PrintJob(f"checklist {number}", PDF * 1000)))
        clock.advance(printer.seconds_per_job)
        assert printer.job_status(ids[-1]).state is JobState.COMPLETED
    cancelled = printer.submit(PrintJob("checklist", PDF))
    printer.cancel(cancelled)
    kept = printer._jobs
    assert len(kept) <= KEPT_FINISHED_JOBS + 1
    assert all(record.job.pdf == b"" for record in kept.values())
    assert printer.job_status(ids[-1]).state is JobState.COMPLETED  # the recent ones still answer
    assert len(printer.completed_files()) == KEPT_FINISHED_JOBS + 20  # and every one was printed
