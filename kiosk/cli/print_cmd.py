"""`kiosk print`: print a PDF or the technician's test page, and say exactly how it ended."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import NoReturn

import click

from kiosk.bus import EventBus
from kiosk.cli.loading import load_or_exit
from kiosk.devices import DriverContext, UnknownDriver, build_device
from kiosk.documents import PrinterTestPage, render_test_page
from kiosk.paths import data_dir
from kiosk.ports import DeviceError, Printer
from kiosk.printing import PrintService, explain
from kiosk.records import PrintJob

TEST_PAGE = "test-page"


@click.command("print")
@click.argument("what", metavar=f"FILE|{TEST_PAGE}")
@click.option(
    "--printer",
    "queue",
    metavar="QUEUE",
    help="Print on this CUPS queue (the cups driver) instead of the configured printer.",
)
@click.option(
    "--wait",
    is_flag=True,
    help="Follow the job until the printer completes it (always so for the test page).",
)
def print_command(what: str, queue: str | None, wait: bool) -> None:
    """Print a PDF FILE, or the technician's test page, on the kiosk's printer.

    Exits 0 only when the printer says the job completed (or, for a FILE without --wait, when it
    accepted the job); otherwise 1, with the printer's reason on stderr.
    """
    settings = load_or_exit().settings
    section = settings.devices.printer
    if queue:
        section = section.model_copy(update={"driver": "cups", "queue": queue})
    context = DriverContext(data_dir(settings), settings.kiosk.id)
    try:
        printer: Printer = build_device("printer", section, settings, context)
    except UnknownDriver as error:
        raise click.ClickException(str(error)) from error

    if what == TEST_PAGE:
        page = PrinterTestPage(
            kiosk_id=settings.kiosk.id,
            site_name=settings.kiosk.site_name,
            printer=str(printer),
            paper=printer.paper,
            printed_at=datetime.now(),
        )
        job = PrintJob("kiosk test page", render_test_page(page))
        wait = True
    else:
        job = PrintJob(f"file {Path(what).name}", _read_pdf(what))

    if not wait:
        _submit_only(printer, job)
        return
    printing = PrintService(printer, EventBus(), section.job_timeout)
    outcome = printing.print_and_wait(job, request_key="cli")
    if not outcome.completed:
        _fail(outcome.technician_message)
    click.echo(f"job {outcome.job_id} completed on {printer}")


def _read_pdf(name: str) -> bytes:
    path = Path(name)
    if not path.is_file():
        raise click.BadParameter(f"{name} is not a file (or say {TEST_PAGE})", param_hint="FILE")
    data = path.read_bytes()
    if not data.startswith(b"%PDF-"):
        raise click.BadParameter(f"{name} is not a PDF: the kiosk prints PDFs only", param_hint="FILE")
    return data


def _submit_only(printer: Printer, job: PrintJob) -> None:
    try:
        status = printer.status()
        if not status.ready:
            _fail(explain(status.reasons, status.detail)[1])
        job_id = printer.submit(job)
    except DeviceError as error:
        _fail(str(error))
    click.echo(f"job {job_id} accepted by {printer} (not waited for; add --wait to follow it)")


def _fail(reason: str) -> NoReturn:
    click.echo(f"printing failed: {reason}", err=True)
    sys.exit(1)
