"""The technician's device tests: read a card, print a test page, scan a code, sync now.

Each test returns a `TestResult` that says whether the device works and what it saw, without a
trace of the person whose card or code was used: a card test reports the card type and whether
the ID number's check digit is valid, a scan test the symbology and the length of the code.
Blocking: each runs on a worker thread, never on the UI thread.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from kiosk.i18n import N_
from kiosk.idnumber import id_number_valid
from kiosk.ports import CodeScanner, DeviceError, IdCardReader, SocialSecurityCardReader
from kiosk.printing import PrintService
from kiosk.records import IdCard, PrintJob
from kiosk.sync.outcome import SyncError, SyncReport

#: How long a test waits for the technician to place a card or show a code, in seconds.
WAIT_SECONDS = 20.0


@dataclass(frozen=True)
class TestResult:
    """How a test came out: a message id for the screen with its values, and the technician detail.

    `values` hold no personal data: card types, validity words, symbologies, lengths, job ids.
    `detail` is the device's own sentence (device, port, cause) when something failed.
    """

    __test__ = False  # not a pytest test class, whatever its name says

    ok: bool
    message: str
    values: dict[str, str] = field(default_factory=dict)
    detail: str = ""

    @property
    def audit_detail(self) -> str:
        """The audit row's detail: the values and the cause, never what was read."""
        shown = ", ".join(f"{key}={value}" for key, value in sorted(self.values.items()))
        return "; ".join(part for part in (shown, self.detail) if part)


#: The words a card test reports, as message ids: the screen translates them, the audit keeps them.
CARD_TYPES = {
    "resident": N_("resident ID card"),
    "hk_mo_tw": N_("Hong Kong, Macao or Taiwan residence permit"),
    "foreign_permanent": N_("foreign permanent residence card"),
}
CHECK_DIGIT = {True: N_("valid"), False: N_("invalid"), None: N_("not applicable")}


def read_card_test(reader: IdCardReader | SocialSecurityCardReader, wait: float = WAIT_SECONDS) -> TestResult:
    """Wait for a card on `reader` and read it; report its type and check digit only."""
    try:
        card = reader.read_card(wait)
    except DeviceError as error:
        return TestResult(False, N_("The card could not be read."), detail=str(error))
    if card is None:
        return TestResult(False, N_("No card came within {seconds} seconds."), {"seconds": f"{wait:g}"})
    if isinstance(card, IdCard):
        values = {
            "card_type": CARD_TYPES[card.card_type],
            "check_digit": CHECK_DIGIT[id_number_valid(card.id_number)],
        }
        message = N_("ID card read: {card_type}, check digit {check_digit}.")
    else:
        values = {
            "card_type": card.card_type or "-",
            "check_digit": CHECK_DIGIT[id_number_valid(card.ss_number)],
        }
        message = N_("Social security card read: card type {card_type}, check digit {check_digit}.")
    del card  # nothing of the card outlives this function
    return TestResult(True, message, values)


def print_test_page_test(
    printing: PrintService, kiosk_id: str, site_name: str, now: Callable[[], datetime]
) -> TestResult:
    """Print the technician's test page through the kiosk's print service and follow it out."""
    from kiosk.documents import PrinterTestPage, render_test_page  # PDF rendering loads when printing

    printer = printing.printer
    page = PrinterTestPage(
        kiosk_id=kiosk_id, site_name=site_name, printer=str(printer), paper=printer.paper, printed_at=now()
    )
    job = PrintJob("kiosk test page", render_test_page(page))
    outcome = printing.print_and_wait(job, request_key=f"technician:test-page:{uuid.uuid4().hex}")
    if outcome.completed:
        return TestResult(True, N_("Test page printed (job {job})."), {"job": outcome.job_id or "?"})
    return TestResult(False, N_("The test page did not print."), detail=outcome.technician_message)


def scan_test(scanner: CodeScanner, wait: float = WAIT_SECONDS) -> TestResult:
    """Wait for the next code shown to the scanner; report its symbology and length only."""
    try:
        code = scanner.scan(wait)
    except DeviceError as error:
        return TestResult(False, N_("The scanner failed."), detail=str(error))
    if code is None:
        return TestResult(False, N_("No code came within {seconds} seconds."), {"seconds": f"{wait:g}"})
    values = {"symbology": code.symbology, "length": str(len(code.data))}
    del code
    return TestResult(True, N_("Code scanned: {symbology}, {length} characters."), values)


def sync_test(sync_now: Callable[[], SyncReport]) -> TestResult:
    """Run the kiosk's sync once and say how it went."""
    try:
        report = sync_now()
    except SyncError as error:
        return TestResult(False, N_("Sync failed."), detail=str(error))
    version = "-" if report.catalogue_version is None else str(report.catalogue_version)
    if report.updated:
        return TestResult(True, N_("Sync done: updated, catalogue version {version}."), {"version": version})
    return TestResult(
        True, N_("Sync done: already up to date, catalogue version {version}."), {"version": version}
    )
