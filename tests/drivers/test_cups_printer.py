"""The CUPS printer driver against a real cupsd with a private configuration and file queues."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

import cups
import pytest

from drivers.printer.auto import auto_printer
from drivers.printer.cups_printer import CupsPrinter, blocks
from drivers.printer.sim import SimPrinter
from kiosk.bus import EventBus
from kiosk.devices import DriverContext
from kiosk.documents import ChecklistContext, render_checklist
from kiosk.events import PrintProgress, PrintSubmitted
from kiosk.guides import DEMO_CATALOGUE, read_jsonl
from kiosk.ports import DeviceError, DeviceUnavailable
from kiosk.printing import PrintService
from kiosk.records import JobState, PrintJob
from kiosk.settings import DEFAULTS_FILE, load_settings, read_toml_layer
from tests.cupsd import GENERIC_PDF_PPD, PrivateCupsd, pdf_inside
from tests.daemons import free_port

SECTION = load_settings([read_toml_layer(DEFAULTS_FILE)]).settings.devices.printer


def printer(server: str, queue: str, paper: str = "a4") -> CupsPrinter:
    section = SECTION.model_copy(update={"driver": "cups", "queue": queue, "server": server, "paper": paper})
    return CupsPrinter(section, DriverContext(Path("/nonexistent"), "k1"))


def checklist(paper: str = "a4") -> PrintJob:
    with DEMO_CATALOGUE.open(encoding="utf-8") as handle:
        guide = next(g for g in read_jsonl(handle) if g.id == "371000-GJJ-0003")
    context = ChecklistContext(
        "wh-0042", "羊亭镇便民服务站", datetime(2026, 11, 27), handover_url="https://zwfw.example/g/1"
    )
    return PrintJob(f"checklist {guide.id}", render_checklist(guide, context, paper))


def service(device: CupsPrinter, timeout: float = 20, bus: EventBus | None = None) -> PrintService:
    return PrintService(device, bus or EventBus(), job_timeout=timeout, poll_interval=0.05)


def jobs_kept(cupsd: PrivateCupsd, queue: str) -> list[int]:
    connection = cups.Connection(host="127.0.0.1", port=cupsd.port)
    jobs = connection.getJobs(which_jobs="all", requested_attributes=["job-printer-uri"])
    return [job for job, attrs in jobs.items() if attrs["job-printer-uri"].endswith(f"/{queue}")]


def test_a_checklist_comes_out_as_a_pdf_with_its_chinese_and_embedded_fonts(
    cupsd: PrivateCupsd, cups_queue: tuple[str, Path], tmp_path: Path
) -> None:
    queue, output = cups_queue
    device = printer(cupsd.server, queue)
    assert device.status().ready
    outcome = service(device).print_and_wait(checklist(), "s1:checklist:1")
    assert outcome.completed, outcome.technician_message
    printed = output.read_bytes()
    assert printed.startswith(b"\x1b%-12345X@PJL")
    assert b'JOB NAME = "checklist 371000-GJJ-0003"' in printed  # the job name is the title only
    pdf = tmp_path / "out.pdf"
    pdf.write_bytes(pdf_inside(printed))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "一次性告知单" in text and "住房公积金" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(" yes " in row for row in rows), fonts
    # Nothing of the job is left with cupsd: no spool file, no history.
    assert jobs_kept(cupsd, queue) == []
    assert [path.name for path in cupsd.spool.iterdir() if path.is_file()] == []


def test_a_retry_of_the_same_request_prints_once(cupsd: PrivateCupsd, cups_queue: tuple[str, Path]) -> None:
    queue, _ = cups_queue
    printing = service(printer(cupsd.server, queue))
    first = printing.print_and_wait(checklist(), "s1:checklist:1")
    second = printing.print_and_wait(checklist(), "s1:checklist:1")
    assert first.completed and second.completed and first.job_id == second.job_id


def test_a_paused_queue_is_refused_with_a_sentence_for_each(
    cupsd: PrivateCupsd, cups_queue: tuple[str, Path]
) -> None:
    queue, output = cups_queue
    cupsd.lp("cupsdisable", queue)
    device = printer(cupsd.server, queue)
    status = device.status()
    assert not status.ready and "paused" in status.reasons
    outcome = service(device).print_and_wait(checklist(), "k")
    assert outcome.resident_message == "The printer is not available right now."
    assert outcome.technician_message.startswith("paused: queue is paused (cupsenable)")
    assert not output.exists()


def test_a_job_on_a_queue_paused_while_printing_stays_pending_times_out_and_is_purged(
    cupsd: PrivateCupsd,
) -> None:
    # A network printer nobody answers for: the job is processing until the queue is paused.
    queue = "kiosk_unreachable"
    cupsd.lp("lpadmin", "-p", queue, "-E", "-v", f"socket://127.0.0.1:{free_port()}", "-m", GENERIC_PDF_PPD)
    device = printer(cupsd.server, queue)
    bus = EventBus()
    printing = service(device, timeout=1.5, bus=bus)
    seen: list[JobState] = []
    bus.subscribe(PrintSubmitted, lambda _event: cupsd.lp("cupsdisable", queue))
    bus.subscribe(PrintProgress, lambda event: seen.append(event.state))
    try:
        outcome = printing.print_and_wait(checklist(), "k")
        assert not outcome.completed and outcome.job_id is not None
        assert JobState.PENDING in seen
        assert outcome.resident_message == "The printer is not available right now."
        assert "paused" in outcome.technician_message
        assert jobs_kept(cupsd, queue) == []  # cancelled and purged: it will not come out later
    finally:
        cupsd.lp("lpadmin", "-x", queue)


def test_a_rejecting_queue_is_refused_before_and_at_submission(
    cupsd: PrivateCupsd, cups_queue: tuple[str, Path]
) -> None:
    queue, _ = cups_queue
    cupsd.lp("cupsreject", queue)
    device = printer(cupsd.server, queue)
    outcome = service(device).print_and_wait(checklist(), "k")
    assert outcome.resident_message == "The printer is not available right now."
    assert outcome.technician_message.startswith("not-accepting: queue rejects jobs (cupsaccept)")
    with pytest.raises(DeviceError, match=f"not accepting jobs \\(run cupsaccept {queue}\\)"):
        device.submit(checklist())  # IPP 1286 when the status was not asked first


def test_a_missing_queue_is_named_not_a_misleading_ipp_error(cupsd: PrivateCupsd) -> None:
    device = printer(cupsd.server, "no_such_queue")
    with pytest.raises(DeviceUnavailable, match=r"'no_such_queue' .* does not exist; add it with lpadmin"):
        device.submit(checklist())
    outcome = service(device).print_and_wait(checklist(), "k")
    assert not outcome.completed
    assert outcome.resident_message == "The printer is not available right now."
    assert "does not exist" in outcome.technician_message


def test_cupsd_down_then_back() -> None:
    with PrivateCupsd() as own:
        own.add_queue("kiosk")
        device = printer(own.server, "kiosk")
        assert device.status().ready
        own.stop()
        with pytest.raises(DeviceUnavailable, match=f"cannot reach cupsd at {own.server}"):
            device.status()
        outcome = service(device).print_and_wait(checklist(), "k")
        assert outcome.resident_message == "The printer is not available right now."
        assert "is the cups service running?" in outcome.technician_message
        own.start()
        assert service(device).print_and_wait(checklist(), "k").completed


def test_cancel_purges_an_unfinished_job_and_leaves_a_finished_one(
    cupsd: PrivateCupsd, cups_queue: tuple[str, Path]
) -> None:
    queue, output = cups_queue
    cupsd.lp("cupsdisable", queue)
    device = printer(cupsd.server, queue)
    job_id = device.submit(checklist())
    status = device.job_status(job_id)
    assert status.state is JobState.PENDING and "paused" in status.reasons
    device.cancel(job_id)
    assert device.job_status(job_id).state is JobState.CANCELLED
    device.cancel(job_id)  # a second cancel is harmless
    assert jobs_kept(cupsd, queue) == []
    assert not output.exists()


def test_an_empty_queue_setting_is_a_technician_sentence() -> None:
    with pytest.raises(DeviceUnavailable, match=r"devices\.printer\.queue is empty"):
        printer("127.0.0.1:1", "").status()


@pytest.mark.parametrize(
    ("reason", "blocking"),
    [
        ("media-empty-error", True),
        ("media-empty", True),
        ("media-jam", True),
        ("paused", True),
        ("offline-report", True),
        ("toner-low-report", False),
        ("toner-low", False),
        ("media-low-warning", False),
        ("connecting-to-device", False),
        ("cups-missing-filter-warning", False),
    ],
)
def test_which_printer_reasons_stop_printing(reason: str, blocking: bool) -> None:
    assert blocks(reason) is blocking


def test_the_driver_is_registered_as_printer_cups() -> None:
    from kiosk.devices import available_drivers

    assert "cups" in available_drivers("printer")


def test_auto_prints_on_the_kiosk_queue_when_cupsd_has_it(cupsd: PrivateCupsd, tmp_path: Path) -> None:
    section = SECTION.model_copy(update={"driver": "auto", "server": cupsd.server, "queue": ""})
    context = DriverContext(tmp_path, "k1")
    assert isinstance(auto_printer(section, context), SimPrinter)  # no "kiosk" queue yet
    cupsd.add_queue("kiosk")
    try:
        chosen = auto_printer(section, context)
        assert isinstance(chosen, CupsPrinter) and chosen.queue == "kiosk"
    finally:
        cupsd.lp("lpadmin", "-x", "kiosk")


def test_auto_falls_back_to_the_simulator_without_cupsd(tmp_path: Path) -> None:
    section = SECTION.model_copy(update={"driver": "auto", "server": f"127.0.0.1:{free_port()}"})
    assert isinstance(auto_printer(section, DriverContext(tmp_path, "k1")), SimPrinter)


def test_a_queue_deleted_while_a_job_waits_is_named(cupsd: PrivateCupsd) -> None:
    cupsd.add_queue("kiosk_deleted")
    cupsd.lp("cupsdisable", "kiosk_deleted")
    device = printer(cupsd.server, "kiosk_deleted")
    job_id = device.submit(checklist())
    cupsd.lp("lpadmin", "-x", "kiosk_deleted")  # cupsd deletes its jobs with it
    with pytest.raises(DeviceUnavailable, match=r"'kiosk_deleted' .* does not exist"):
        device.job_status(job_id)
