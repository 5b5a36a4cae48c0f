"""`kiosk doctor`: check every configured device and the machine around it, for a technician on site."""

from __future__ import annotations

import sys

import click

from kiosk.bus import EventBus
from kiosk.cli.loading import load_or_exit
from kiosk.devices import DriverContext, UnknownDriver, build_device
from kiosk.doctor import Status, overall, report_json, report_table, run_checks
from kiosk.doctor.system import utc_now
from kiosk.documents import render_doctor_report
from kiosk.paths import data_dir
from kiosk.ports import Printer
from kiosk.printing import PrintService
from kiosk.records import PrintJob

EXIT_OK = 0
EXIT_CRITICAL = 1


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the checks and the overall status as JSON.")
@click.option(
    "--print",
    "to_printer",
    is_flag=True,
    help="Also print the report as a PDF on the configured printer (waits until it is out).",
)
def doctor(as_json: bool, to_printer: bool) -> None:
    """Check the devices, CUPS, pcscd, disk, clock, sync, fonts, display and touch.

    \b
    Exit codes: 0 when no critical check failed (warnings allowed), 1 when one did.
    Simulated devices are reported ok, as "simulated", on a laptop (kiosk.mode = "development") or a
    showroom; on an appliance a device still on its simulator fails: provision it (`kiosk provision`).
    """
    settings = load_or_exit().settings
    data = data_dir(settings)
    checks = run_checks(settings, data)
    checked_at = utc_now()
    if as_json:
        click.echo(report_json(checks, settings.kiosk.id, checked_at))
    else:
        click.echo(report_table(checks))
    printed = True
    if to_printer:
        context = DriverContext(data, settings.kiosk.id)
        try:
            printer: Printer = build_device("printer", settings.devices.printer, settings, context)
        except UnknownDriver as error:
            raise click.ClickException(str(error)) from error
        pdf = render_doctor_report(
            checks, settings.kiosk.id, settings.kiosk.site_name, checked_at, printer.paper
        )
        service = PrintService(printer, EventBus(), settings.devices.printer.job_timeout)
        outcome = service.print_and_wait(PrintJob("kiosk doctor report", pdf), request_key="doctor")
        printed = outcome.completed
        if printed:
            click.echo(f"report printed: job {outcome.job_id} completed on {printer}", err=as_json)
        else:
            click.echo(f"printing the report failed: {outcome.technician_message}", err=True)
    sys.exit(EXIT_CRITICAL if overall(checks) is Status.FAIL or not printed else EXIT_OK)
