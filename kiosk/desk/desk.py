"""The online services desk: what each touch on the services' screens does, through the platform.

A resident picks a service the platform offers; the desk asks for what it needs first (a card, the
resident's consent, a live picture of the face), runs each step at the platform off the UI thread
behind a waiting screen that lasts at most the platform's timeout, and shows the answer: a table, a
document to print, a choice, a case, an appointment. Refusals are shown in the platform's own
words; a platform that is away or slow gets a plain sentence and "try again".

The resident's platform session (their token) is opened once per visit when a service needs it,
raised to the face level when one does, and closed when the visit ends, the card is lifted, or the
kiosk goes idle. Everything the platform returned lives in the journey's pages, in memory; the
desk keeps none of it beyond the visit and logs no name, number, amount or document.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from kiosk.background import Background, run_in_thread
from kiosk.bus import EventBus
from kiosk.desk.pages import (
    BookedPage,
    CasePage,
    Choice,
    ChoicePage,
    ConsentPage,
    DocumentPage,
    EntryField,
    EntryPage,
    FacePage,
    FailurePage,
    Paper,
    ServiceListPage,
    ServiceTile,
    TablePage,
    WaitPage,
)
from kiosk.desk.receipts import read_receipt
from kiosk.desk.tables import account_table, contributions_table, licences_table
from kiosk.events import Navigated, SessionEnded, SessionIdentified, SessionIdentityDropped
from kiosk.i18n import N_, translate
from kiosk.journey import Journey, Screen, View
from kiosk.platform.configured import platform_from_settings
from kiosk.platform.port import (
    PlatformError,
    PlatformNotConfigured,
    PlatformRefused,
    PlatformTimeout,
    PlatformUnavailable,
    RateLimited,
    ServicePlatform,
)
from kiosk.platform.records import Document, Licence, PlatformSession, Service, Slot
from kiosk.platform.service_flow import default_months, open_resident_session
from kiosk.records import PrintJob, ResidentCode
from kiosk.scanning import ScreenScan
from kiosk.settings import Settings

if TYPE_CHECKING:
    from kiosk.documents import PrintContext

log = logging.getLogger(__name__)

P = TypeVar("P")

#: What a tile says the resident needs, by the service's level.
NEEDS = {
    "none": "",
    "card": N_("Needs your ID card or social security card"),
    "face": N_("Needs your card and a picture of your face"),
}
#: What the consent screen says is sent, by level.
SENDS_CARD = N_("Your name and ID number, read from your card")
SENDS_FACE = N_("A picture of your face, taken now, to compare with your ID photo")
SENDS_CODE = N_("Your resident code, read by the scanner")

#: Plain sentences for what went wrong (message ids; {help_desk} is filled in where shown).
NO_PLATFORM = N_("Online services are not available at this kiosk. Please ask at {help_desk}.")
UNREACHABLE = N_("The government service platform cannot be reached right now. Please try again in a moment.")
TOO_SLOW = N_("The government service platform did not answer in time. Please try again.")
NOT_WORKING = N_(
    "Online services are not working at this kiosk now. Please ask at {help_desk}, or use the 爱山东 app."
)
SESSION_OVER = N_("Your time at the platform ran out. Please try again.")
NOT_OFFERED = N_("This service is not offered at this kiosk right now.")
NONE_OFFERED = N_("No online services are offered at this kiosk right now. Please ask at {help_desk}.")
NO_HALLS = N_("No service hall takes appointments from this kiosk. Please ask at {help_desk}.")
CAMERA_OUT = N_(
    "The camera is not working right now, so this service cannot be done here. Please ask at {help_desk}."
)
CAMERA_FAILED = N_("The picture could not be taken. Please look at the camera and try again.")
TOO_MANY_PAGES = N_("This document has {pages} pages, too many to print here. Please ask at {help_desk}.")
NO_PRINTER = N_("The printer is not available right now.")
FILL_IN = N_("Please fill in every field.")
NOT_A_RECEIPT = N_("This code is not a case receipt. Please type the case number and query code.")

#: Refusals the kiosk words itself (the platform's code -> message id), not the platform's words.
OWN_WORDS = {"SESSION_EXPIRED": SESSION_OVER, "NO_IDENTITY": NOT_WORKING}
#: What the resident is told when the platform fails, and whether trying again may help.
PLAIN_WORDS: dict[type[PlatformError], tuple[str, bool]] = {
    PlatformNotConfigured: (NO_PLATFORM, False),
    PlatformTimeout: (TOO_SLOW, True),
    PlatformUnavailable: (UNREACHABLE, True),
    RateLimited: (UNREACHABLE, True),
}

#: What the waiting screen says, by step.
ASKING = N_("Asking the government service platform…")
CHECKING_FACE = N_("Comparing your picture with your ID photo…")
FETCHING_DOCUMENT = N_("Getting your document…")

#: The purposes a licence may be printed for: what the platform watermarks the copy with (in
#: Chinese, as the copy is read), and what the choice says (a message id).
PURPOSES = (
    ("政务服务办理使用", N_("For a government service")),
    ("求职应聘使用", N_("For a job application")),
    ("入学报名使用", N_("For school enrolment")),
    ("银行业务使用", N_("For a bank")),
    ("个人留存", N_("For my own records")),
)
#: Weekday names (message ids), Monday first.
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
#: The language of the papers the kiosk renders for the platform's services (a counter reads them).
PAPER_LANGUAGE = "zh_CN"
#: How many days ahead appointments can be chosen (from tomorrow).
BOOKING_DAYS = 7

#: The services whose flow this desk knows, by id; others the platform lists are not shown.
KNOWN = (
    "si.records",
    "si.certificate",
    "hf.account",
    "hf.certificate",
    "re.certificate",
    "lic.list",
    "lic.print",
    "case.progress",
    "appt.slots",
    "appt.book",
    "appt.cancel",
)
#: Services whose first steps (hall, counter, day, time) need no card: the booking does.
BOOKING_FIRST = frozenset({"appt.slots", "appt.book"})
#: Services the platform answers without a resident's session; every other one needs at least the
#: card, whatever level the platform lists it at (without a session it could not work).
NO_RESIDENT = frozenset({"case.progress", "appt.slots"})
#: The order of the levels.
LEVELS = ("none", "card", "face")


def first_level(service: Service) -> str:
    """What the resident must have given before the service's first step."""
    if service.id in BOOKING_FIRST:
        return "none"  # an appointment is chosen first; the card comes when it is booked
    return resident_level(service)


def resident_level(service: Service) -> str:
    """The level of the resident's session a service's resident steps need: at least the card."""
    if service.id in NO_RESIDENT:
        return service.level
    return max(service.level, "card", key=LEVELS.index)


def platform_or_none(settings: Settings) -> ServicePlatform | None:
    """The platform of `settings`, None (said once, plainly) when the kiosk has none."""
    try:
        return platform_from_settings(settings.platform)
    except PlatformNotConfigured as why:
        level = logging.WARNING if settings.platform.url else logging.INFO
        log.log(level, "online services out of service: %s", why)
        return None


#: The kinds of real-estate certificate (re.certificate's `kind`) and what the choice says.
ESTATE_KINDS = (
    ("holdings", N_("What property is registered in my name")),
    ("none_held", N_("That I hold no property")),
)


def _close(platform: ServicePlatform, session: PlatformSession) -> None:
    """End a resident's platform session; it expires at the platform anyway if this fails."""
    try:
        platform.close_session(session)
    except PlatformError as error:
        log.warning("resident platform session not closed (%s)", type(error).__name__)


class StaleStep(Exception):
    """The resident a step was for has gone (finished, lifted the card, another card was read)."""


class ServiceDesk:
    """The resident's online services during one visit at a time; every method is one touch."""

    def __init__(
        self,
        settings: Settings,
        bus: EventBus,
        journey: Journey,
        platform: ServicePlatform | None,
        *,
        take_picture: Callable[[float], bytes] | None = None,
        scan_code: Callable[[float], ResidentCode | None] | None = None,
        background: Background = run_in_thread,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._settings = settings
        self._journey = journey
        self._session = journey.session
        self._platform = platform
        self._take_picture = take_picture
        self._scan_code = scan_code
        self._background = background
        self._today = today
        self._lock = threading.RLock()
        # -- the visit's state: dropped when it ends ---------------------------------------------
        self._offered: list[Service] | None = None
        self._resident: PlatformSession | None = None
        self._consented: set[str] = set()
        #: The service under way and what it goes on with once the resident is identified.
        self._pending: Callable[[], None] | None = None
        self._retry: Callable[[], None] | None = None
        self._choices: dict[str, str] = {}
        self._picture: bytes | None = None
        #: Counts the residents: a new visit, a card lifted, another card read. A step's answer (and
        #: a platform session opened for it) belongs to the resident it was asked for, or to nobody.
        self._generation = 0
        #: Prints in this visit: each touch of "print" is a paper of its own.
        self._prints = 0
        journey.services_offered = platform is not None
        #: Reads receipts while the case entry shows (a scanner in service only).
        self._receipts = (
            None
            if scan_code is None
            else ScreenScan("receipts", scan_code, self._entry_scanning, self._on_receipt)
        )
        bus.subscribe(
            SessionEnded, lambda event: self._end_visit("session ended", closing=event.reason == "shutdown")
        )
        bus.subscribe(SessionIdentityDropped, lambda _event: self._end_visit("card removed"))
        bus.subscribe(SessionIdentified, self._on_identified)
        bus.subscribe(Navigated, self._on_navigated)

    def apply_settings(self, settings: Settings) -> None:
        """Use new settings (halls, page limit, the platform itself) from the next touch on."""
        if settings.platform != self._settings.platform:
            self._platform = platform_or_none(settings)
            self._journey.services_offered = self._platform is not None
            with self._lock:
                self._offered = None
        self._settings = settings

    @property
    def configured(self) -> bool:
        """Whether this kiosk has a platform to transact through."""
        return self._platform is not None

    # -- touches ---------------------------------------------------------------------------------

    def open_services(self) -> None:
        """Home's "services" tile: the list of what the platform offers here."""
        self._session.touch()
        page = self._list_page()
        if page is not None:
            self._journey.show(View(Screen.SERVICES, desk=page))
            return
        self._step(None, ASKING, self._fetch_offered, lambda _offered: self._list_view(), push=True)

    def choose(self, service_id: str) -> None:
        """A service tile: ask for what it needs, then start it."""
        self._session.touch()
        service = self._service(service_id)
        if service is None:
            self._journey.show(View(Screen.SERVICE_FAILED, desk=FailurePage(None, NOT_OFFERED)))
            return
        with self._lock:
            self._choices = {}
        self._needing(service, lambda: self._start(service), first_level(service))

    def agree(self) -> None:
        """The consent screen's "agree": note it for this visit and go on."""
        self._session.touch()
        page = self._page(ConsentPage)
        if page is None or self._session.identity is None:
            return
        with self._lock:
            pending = self._pending
            if pending is None:
                return
            # Consent to the face includes the card: the face screen's list names both.
            self._consented.update({"card", "face"} if page.face else {"card"})
        pending()

    def decline(self) -> None:
        """The consent screen's "no thanks": nothing is sent; back to where the resident was."""
        self._session.touch()
        with self._lock:
            self._pending = None
        self._journey.back()

    def take_picture(self) -> None:
        """Take (or take again) the live picture, off the UI thread."""
        self._session.touch()
        page = self._page(FacePage)
        if page is None or page.taking:
            return
        if self._take_picture is None:
            self._journey.show(
                View(Screen.FACE, desk=dataclasses.replace(page, message=CAMERA_OUT), personal=True),
                replace=True,
            )
            return
        take = self._take_picture
        session_id = self._session.session_id
        self._journey.show(
            View(Screen.FACE, desk=dataclasses.replace(page, taking=True, message=""), personal=True),
            replace=True,
        )

        def work() -> None:
            picture, message = None, ""
            try:
                picture = take(self._settings.devices.camera.capture_timeout)
            except Exception as error:  # a device's failure, whatever its kind, is the camera's
                log.warning("camera: no picture (%s)", type(error).__name__)
                message = CAMERA_FAILED
            with self._journey.lock:
                if not self._journey.showing(Screen.FACE, session_id):
                    return
                self._journey.show(
                    View(Screen.FACE, desk=FacePage(page.service, picture, message), personal=True),
                    replace=True,
                )

        self._background(work)

    def use_picture(self) -> None:
        """Send the picture: the platform compares it and raises the resident's session to `face`."""
        self._session.touch()
        page = self._page(FacePage)
        if page is None or page.picture is None:
            return
        with self._lock:
            self._picture = page.picture
            pending = self._pending
        if pending is not None:
            pending()

    def pick(self, value: str) -> None:
        """A choice on the CHOOSE screen."""
        self._session.touch()
        page = self._page(ChoicePage)
        if page is None or not any(choice.value == value and choice.enabled for choice in page.choices):
            return
        with self._lock:
            self._choices[page.step] = value
        self._after_choice(page.service, page.step)

    def type_text(self, text: str) -> None:
        """A key of the ENTRY screen's keypad: append to the active field."""
        self._session.touch()
        self._edit(lambda value, field: (value + text.upper())[: field.max_length])

    def erase(self) -> None:
        """Delete the last character of the active field."""
        self._session.touch()
        self._edit(lambda value, _field: value[:-1])

    def focus(self, key: str) -> None:
        """Type into another field."""
        self._session.touch()
        page = self._page(EntryPage)
        if page is not None and any(field.key == key for field in page.fields):
            self._journey.show(View(Screen.ENTRY, desk=dataclasses.replace(page, active=key)), replace=True)

    def submit(self) -> None:
        """Look up what was typed: a case, or an appointment to cancel."""
        self._session.touch()
        page = self._page(EntryPage)
        if page is None:
            return
        values = {field.key: field.value for field in page.fields}
        if not all(values.values()):
            self._journey.show(
                View(Screen.ENTRY, desk=dataclasses.replace(page, message=FILL_IN)), replace=True
            )
            return
        self._lookup(page.service, values)

    def retry(self) -> None:
        """Try the step that failed again."""
        self._session.touch()
        with self._lock:
            retry = self._retry
        if retry is not None and self._page(FailurePage) is not None:
            self._journey.back()
            retry()

    def print_page(self) -> None:
        """Print what is on screen: the document as delivered, the table, the appointment slip.

        Each touch is a paper of its own (a second copy is a second touch); the printing screen
        that follows at once takes the place of the button, so a double tap prints once.
        """
        self._session.touch()
        view = self._journey.view
        page = view.desk
        if isinstance(page, DocumentPage) and not page.problem:
            job = PrintJob(title=f"{page.service.id} document", pdf=page.document.content)
            paper = Paper.DOCUMENT
        elif isinstance(page, TablePage) and page.printable:
            job = PrintJob(title=f"{page.service.id} table", pdf=self._table_pdf(page))
            paper = Paper.TABLE
        elif isinstance(page, BookedPage) and not page.cancelled:
            from kiosk.documents import render_appointment_slip  # PDF rendering loads when printing

            slip = render_appointment_slip(page.appointment, self._print_context(), self._paper_name())
            job, paper = PrintJob(title="appointment slip", pdf=slip), Paper.SLIP
        else:
            return
        with self._lock:
            self._prints += 1
            key = f"{self._session.session_id}:paper:{self._prints}"
        self._journey.print_paper(job, key, view, paper)

    def _table_pdf(self, page: TablePage) -> bytes:
        """A query's table on paper, in Chinese (what a counter reads), for the resident to keep."""
        values = dict(page.note_values)
        note = translate(page.note, PAPER_LANGUAGE).format(**values) if page.note else ""
        from kiosk.documents import render_query_table  # PDF rendering loads when printing

        return render_query_table(
            page.service.name,
            [translate(column, PAPER_LANGUAGE) for column in page.columns],
            [[translate(cell, PAPER_LANGUAGE) for cell in row] for row in page.rows],
            note,
            context=self._print_context(),
            paper_name=self._paper_name(),
        )

    def _print_context(self) -> PrintContext:
        from kiosk.documents import PrintContext

        kiosk = self._settings.kiosk
        return PrintContext(kiosk_id=kiosk.id, site_name=kiosk.site_name, printed_at=datetime.now())

    def _paper_name(self) -> str:
        return self._journey.printing.printer.paper

    def cancel_appointment(self) -> None:
        """Cancel the appointment on screen (the BOOKED screen's "cancel")."""
        self._session.touch()
        page = self._page(BookedPage)
        if page is None or page.cancelled or not page.cancellable:
            return
        number = page.appointment.appointment_no
        # Instead of the booked screen: once cancelled, Back must not show it booked.
        self._resident_step(
            page.service,
            ASKING,
            lambda platform, session: platform.cancel_appointment(session, number),
            lambda _none: View(Screen.BOOKED, desk=dataclasses.replace(page, cancelled=True)),
            push=False,
        )

    def rate_case(self) -> None:
        """Rate the case on screen (好差评 of a 办件)."""
        self._session.touch()
        page = self._page(CasePage)
        if page is None or not page.case.rateable or page.rated:
            return
        self._journey.open_rating(case_no=page.case.case_no)

    # -- what a service needs first --------------------------------------------------------------

    def _needing(self, service: Service, then: Callable[[], None], level: str | None = None) -> None:
        """Run `then` once the resident is identified, has consented, and (for face) was pictured."""
        level = level or resident_level(service)
        with self._lock:
            self._pending = lambda: self._needing(service, then, level)
            consented = set(self._consented)
            resident = self._resident
            picture = self._picture
        if level == "none":
            self._go(then)
            return
        identity = self._session.identity
        if identity is None:
            # The identify screen; once identified, the desk goes on from there (_on_navigated).
            self._journey.open_identify()
            return
        face = level == "face"
        if face and self._take_picture is None:
            self._fail(service, CAMERA_OUT)  # said before anything is asked or sent
            return
        if ("face" if face else "card") not in consented:
            what = SENDS_CODE if isinstance(identity, ResidentCode) else SENDS_CARD
            sends = (what, SENDS_FACE) if face else (what,)
            view = View(Screen.CONSENT, desk=ConsentPage(service, sends, face), personal=True)
            self._show(view, Screen.CONSENT)
            return
        if face and (resident is None or resident.level != "face") and picture is None:
            self._show(View(Screen.FACE, desk=FacePage(service), personal=True), Screen.FACE)
            return
        self._go(then)

    def _go(self, then: Callable[[], None]) -> None:
        with self._lock:
            self._pending = None
        then()

    # -- the services ----------------------------------------------------------------------------

    def _start(self, service: Service) -> None:
        """The first step of a service, its needs met."""
        printable = self._journey.printer_in_service
        sid = service.id
        if sid == "si.records":
            first, last = default_months(self._today())
            self._resident_step(
                service,
                ASKING,
                lambda platform, session: platform.si_records(session, first, last),
                lambda records: View(Screen.QUERY, desk=contributions_table(service, records, printable)),
            )
        elif sid == "hf.account":
            self._resident_step(
                service,
                ASKING,
                lambda platform, session: platform.hf_account(session),
                lambda account: View(Screen.QUERY, desk=account_table(service, account, printable)),
            )
        elif sid == "si.certificate":
            first, last = default_months(self._today())
            self._document(service, {"from": first, "to": last})
        elif sid == "hf.certificate":
            self._document(service, {})
        elif sid == "re.certificate":
            choices = tuple(Choice(kind, label) for kind, label in ESTATE_KINDS)
            self._choose(service, "kind", N_("What should the certificate show?"), choices)
        elif sid == "lic.list":
            self._resident_step(
                service,
                ASKING,
                lambda platform, session: platform.licences(session),
                lambda licences: View(Screen.QUERY, desk=licences_table(service, licences, printable)),
            )
        elif sid == "lic.print":
            self._resident_step(
                service,
                ASKING,
                lambda platform, session: platform.licences(session),
                lambda licences: self._licence_choice(service, licences),
            )
        elif sid == "case.progress":
            fields = (
                EntryField("case_no", N_("Case number (on your receipt)"), max_length=24),
                EntryField("query_code", N_("Query code"), max_length=8, digits=True),
            )
            scan = self._scan_code is not None
            self._show(View(Screen.ENTRY, desk=EntryPage(service, fields, "case_no", scan=scan)), None)
        elif sid == "appt.cancel":
            number = EntryField("appointment_no", N_("Appointment number"), max_length=16)
            self._show(View(Screen.ENTRY, desk=EntryPage(service, (number,), "appointment_no")), None)
        elif sid in {"appt.slots", "appt.book"}:
            halls = self._settings.platform.halls
            if not halls:
                self._fail(service, NO_HALLS)
                return
            choices = tuple(Choice(hall.id, hall.name, hall.address) for hall in halls)
            self._choose(service, "hall", N_("Which service hall?"), choices)

    def _after_choice(self, service: Service, step: str) -> None:
        chosen = dict(self._choices)
        if step == "kind":
            self._document(service, {"kind": chosen["kind"]})
        elif step == "licence":
            choices = tuple(Choice(value, label) for value, label in PURPOSES)
            self._choose(service, "purpose", N_("What is the copy for? It is printed on it."), choices)
        elif step == "purpose":
            licence, purpose = chosen["licence"], chosen["purpose"]
            self._resident_step(
                service,
                FETCHING_DOCUMENT,
                lambda platform, session: platform.print_licence(session, licence, purpose),
                lambda document: self._document_view(service, document),
            )
        elif step == "hall":
            entry = next(hall for hall in self._settings.platform.halls if hall.id == chosen["hall"])
            choices = tuple(Choice(counter, name) for counter, name in entry.counters.items())
            self._choose(service, "counter", N_("Which counter?"), choices)
        elif step == "counter":
            first = self._today() + timedelta(days=1)
            days = [first + timedelta(days=offset) for offset in range(BOOKING_DAYS)]
            choices = tuple(Choice(day.isoformat(), day.isoformat(), WEEKDAYS[day.weekday()]) for day in days)
            self._choose(service, "day", N_("Which day?"), choices)
        elif step == "day":
            hall, counter, day = chosen["hall"], chosen["counter"], date.fromisoformat(chosen["day"])
            self._step(
                service,
                ASKING,
                lambda: self._platform_or_fail().appointment_slots(hall, counter, day),
                lambda slots: self._slot_view(service, slots),
                push=True,
            )
        elif step == "slot":
            self._book(service, chosen)

    def _book(self, service: Service, chosen: dict[str, str]) -> None:
        booking = self._service("appt.book")
        if booking is None:  # only the times are offered here: the resident books at the hall
            self._fail(service, N_("Booking is not offered at this kiosk: please book at the hall."))
            return
        hall, counter, slot = chosen["hall"], chosen["counter"], chosen["slot"]
        cancellable = self._service("appt.cancel") is not None

        def book() -> None:
            self._resident_step(
                booking,
                ASKING,
                lambda platform, session: platform.book_appointment(session, hall, counter, slot),
                lambda appointment: View(
                    Screen.BOOKED, desk=BookedPage(booking, appointment, cancellable=cancellable)
                ),
            )

        self._needing(booking, book)

    def _lookup(self, service: Service, values: dict[str, str]) -> None:
        if service.id == "case.progress":
            case_no, code = values["case_no"], values["query_code"]
            self._step(
                service,
                ASKING,
                lambda: self._platform_or_fail().case(case_no, code),
                lambda case: View(Screen.CASE, desk=CasePage(case)),
                push=True,
            )
        elif service.id == "appt.cancel":
            number = values["appointment_no"]

            def cancel() -> None:
                self._resident_step(
                    service,
                    ASKING,
                    lambda platform, session: platform.cancel_appointment(session, number),
                    lambda _none: View(
                        Screen.SERVICE_FAILED,
                        desk=FailurePage(service, N_("Your appointment is cancelled."), done=True),
                    ),
                )

            self._needing(service, cancel)

    def _on_receipt(self, code: ResidentCode) -> None:
        """A code held to the scanner on the case entry: a receipt's fills it in and looks it up."""
        receipt = read_receipt(code.data)
        with self._journey.lock:
            page = self._page(EntryPage)
            if page is None or not page.scan:
                return
            if receipt is None:
                view = View(Screen.ENTRY, desk=dataclasses.replace(page, message=NOT_A_RECEIPT))
                self._journey.show(view, replace=True)
                return
            values = dict(zip(("case_no", "query_code"), receipt, strict=True))
            fields = tuple(dataclasses.replace(field, value=values[field.key]) for field in page.fields)
            view = View(Screen.ENTRY, desk=dataclasses.replace(page, fields=fields, message=""))
            self._journey.show(view, replace=True)
        self._session.touch()
        self._lookup(page.service, values)

    def _document(self, service: Service, params: dict[str, str]) -> None:
        self._resident_step(
            service,
            FETCHING_DOCUMENT,
            lambda platform, session: platform.certificate(session, service.id, params),
            lambda document: self._document_view(service, document),
        )

    def _document_view(self, service: Service, document: Document) -> View:
        problem = ""
        if document.pages > self._settings.platform.max_pages:
            problem = TOO_MANY_PAGES
        elif not self._journey.printer_in_service:
            problem = NO_PRINTER
        return View(Screen.DOCUMENT, desk=DocumentPage(service, document, problem), personal=True)

    def _licence_choice(self, service: Service, licences: Sequence[Licence]) -> View:
        choices = tuple(
            Choice(licence.id, licence.name, f"{licence.issuer} · {licence.issued.isoformat()}")
            for licence in licences
        )
        page = ChoicePage(
            service,
            "licence",
            N_("Which licence?"),
            choices,
            empty=N_("You hold no electronic licence on the platform."),
        )
        return View(Screen.CHOOSE, desk=page, personal=True)

    def _slot_view(self, service: Service, slots: Sequence[Slot]) -> View:
        choices = tuple(
            Choice(
                slot.slot, f"{slot.start}–{slot.end}", "" if slot.available else N_("Taken"), slot.available
            )
            for slot in slots
        )
        page = ChoicePage(
            service,
            "slot",
            N_("Which time?"),
            choices,
            empty=N_("No appointments on this day. Please choose another."),
        )
        return View(Screen.CHOOSE, desk=page)

    def _choose(self, service: Service, step: str, prompt: str, choices: tuple[Choice, ...]) -> None:
        self._show(View(Screen.CHOOSE, desk=ChoicePage(service, step, prompt, choices)), None)

    # -- steps at the platform --------------------------------------------------------------------

    def _resident_step(
        self,
        service: Service,
        message: str,
        call: Callable[[ServicePlatform, PlatformSession], object],
        done: Callable[[Any], View],
        *,
        push: bool = True,
    ) -> None:
        """A step in the resident's platform session (opened, or raised to face, first). Its screens
        are the resident's: they go when the card does. Trying it again asks again for what it needs
        (a new picture, after the platform session expired)."""
        level = resident_level(service)
        generation = self._generation

        def work() -> object:
            platform = self._platform_or_fail()
            session = self._resident_session(platform, level, generation)
            try:
                return call(platform, session)
            except PlatformRefused as refusal:
                if refusal.code == "SESSION_EXPIRED":
                    self._drop_resident("expired")
                raise

        def again() -> None:
            self._needing(service, lambda: self._resident_step(service, message, call, done), level)

        with self._lock:
            checking_face = self._picture is not None
        self._step(
            service,
            CHECKING_FACE if checking_face else message,
            work,
            done,
            push=push,
            personal=True,
            again=again,
        )

    def _resident_session(self, platform: ServicePlatform, level: str, generation: int) -> PlatformSession:
        """The resident's platform session at `level`, opened (or raised) now if needed, for the
        resident of `generation`; StaleStep when that resident has gone meanwhile."""
        with self._lock:
            current, picture = self._resident, self._picture
            self._picture = None  # sent at most once, whatever comes of it; a new service asks again
        if current is not None and (level != "face" or current.level == "face"):
            if current.expires > time.monotonic():
                return current
            self._drop_resident("expired")
        identity = self._session.identity
        if identity is None or generation != self._generation:
            raise StaleStep
        opened = open_resident_session(platform, identity, picture if level == "face" else None)
        with self._lock:
            if generation != self._generation:  # the resident left while the platform answered
                stale = True
            else:
                stale, (old, self._resident) = False, (self._resident, opened)
        if stale:
            self._close_later(platform, opened)
            raise StaleStep
        log.info("resident platform session opened (level %s)", opened.level)
        if old is not None:
            self._close_later(platform, old)
        return opened

    def _step(
        self,
        service: Service | None,
        message: str,
        call: Callable[[], object],
        done: Callable[[Any], View],
        *,
        push: bool,
        personal: bool = False,
        again: Callable[[], None] | None = None,
    ) -> None:
        """Show the waiting screen, run `call` off the UI thread, then show what `done` makes of it,
        to the same resident only (`personal`: the step's screens are about them)."""
        session_id = self._session.session_id
        generation = self._generation
        seconds = self._settings.platform.timeout
        waiting = View(Screen.SERVICE_WAIT, desk=WaitPage(service, message, seconds), personal=personal)
        self._show(waiting, None, push=push)

        def retry() -> None:
            self._step(service, message, call, done, push=True, personal=personal, again=again)

        def work() -> None:
            try:
                view = done(call())
            except StaleStep:
                return
            except PlatformError as error:
                view = View(Screen.SERVICE_FAILED, desk=self._failure(service, error), personal=personal)
                with self._lock:
                    self._retry = again or retry
            except Exception as error:  # a defect must not leave the resident before a spinner
                log.error("service %s: %s", service.id if service else "list", type(error).__name__)
                view = View(Screen.SERVICE_FAILED, desk=FailurePage(service, NOT_WORKING))
            with self._journey.lock:
                if self._journey.showing(Screen.SERVICE_WAIT, session_id) and generation == self._generation:
                    self._journey.show(
                        dataclasses.replace(view, personal=view.personal or personal), replace=True
                    )

        self._background(work)

    def _failure(self, service: Service | None, error: PlatformError) -> FailurePage:
        what = f"service {service.id}" if service else "services"
        if isinstance(error, PlatformRefused):
            log.info("%s: refused (%s)", what, error.code)
            if error.code in OWN_WORDS:
                return FailurePage(service, OWN_WORDS[error.code], retry=error.code == "SESSION_EXPIRED")
            return FailurePage(service, error.message or error.code, as_given=True)
        for kind, (message, retry) in PLAIN_WORDS.items():
            if isinstance(error, kind):
                log.warning("%s: %s", what, error)
                return FailurePage(service, message, retry=retry)
        # A signature refused, a clock off, an answer the kiosk cannot use: a technician's matter.
        log.error("%s: %s", what, error)
        return FailurePage(service, NOT_WORKING)

    def _fail(self, service: Service | None, message: str) -> None:
        self._show(View(Screen.SERVICE_FAILED, desk=FailurePage(service, message)), None)

    def _platform_or_fail(self) -> ServicePlatform:
        if self._platform is None:
            raise PlatformNotConfigured("platform.url is empty")
        return self._platform

    # -- the list of services ----------------------------------------------------------------------

    def _fetch_offered(self) -> list[Service]:
        offered = [service for service in self._platform_or_fail().services() if service.id in KNOWN]
        with self._lock:
            self._offered = offered
        return offered

    def _list_page(self) -> ServiceListPage | None:
        """The list from what this visit fetched; None when it has not been fetched yet."""
        if self._platform is None:
            return ServiceListPage((), NO_PLATFORM)
        with self._lock:
            offered = self._offered
        if offered is None:
            return None
        tiles = tuple(ServiceTile(service, NEEDS[service.level]) for service in offered)
        return ServiceListPage(tiles, "" if tiles else NONE_OFFERED)

    def _list_view(self) -> View:
        page = self._list_page()
        return View(Screen.SERVICES, desk=page)

    def _service(self, service_id: str) -> Service | None:
        with self._lock:
            offered = self._offered or []
        return next((service for service in offered if service.id == service_id), None)

    # -- events -----------------------------------------------------------------------------------

    def _on_navigated(self, event: Navigated) -> None:
        """On the greeting after a card was read: go on with the service waiting for it, or list
        what this resident can do."""
        if event.screen is Screen.CASE:
            self._mark_rated(event.view)
            return
        if event.screen is Screen.ENTRY and self._receipts is not None and self._entry_scanning():
            self._receipts.start()
            return
        if event.screen in {Screen.HOME, Screen.SERVICES}:
            with self._lock:
                self._pending = None  # the resident went elsewhere: the service no longer waits
            return
        if event.screen is not Screen.IDENTIFIED or event.view.desk is not None or self._platform is None:
            return  # without a platform the greeting lists the guides of services done here
        with self._lock:
            pending = self._pending
        if pending is not None and self._session.identity is not None:
            pending()
            return
        page = self._list_page()
        if page is not None:
            self._fill_identified(page)
            return
        session_id = self._session.session_id

        def fetch() -> None:
            try:
                self._fetch_offered()
            except PlatformError as error:
                self._fill_identified(ServiceListPage((), self._failure(None, error).message), session_id)
                return
            listed = self._list_page()
            if listed is not None:
                self._fill_identified(listed, session_id)

        self._background(fetch)

    def _mark_rated(self, shown: View) -> None:
        """Back on a case after rating it: it is not offered for rating again (一次一评)."""
        page = shown.desk
        if not isinstance(page, CasePage) or page.rated or not self._journey.rated(page.case.case_no):
            return
        with self._journey.lock:
            if self._journey.view is shown:
                self._journey.show(
                    dataclasses.replace(shown, desk=dataclasses.replace(page, rated=True)), replace=True
                )

    def _fill_identified(self, page: ServiceListPage, session_id: str | None = None) -> None:
        """Show `page` on the greeting, if it still shows (to the same visit, when given)."""
        with self._journey.lock:
            view = self._journey.view
            if session_id is not None and self._session.session_id != session_id:
                return
            if view.screen is Screen.IDENTIFIED and view.desk is None:
                self._journey.show(dataclasses.replace(view, desk=page), replace=True)

    def _on_identified(self, _event: SessionIdentified) -> None:
        """A card was read: if someone was already transacting, that was another resident's part."""
        with self._lock:
            held = self._resident is not None or bool(self._consented) or self._picture is not None
        if held:
            self._end_visit("another card")

    def _end_visit(self, why: str, *, closing: bool = False) -> None:
        """The resident left, lifted the card or another card was read: close their platform
        session, forget what they consented to and the picture, and let no late answer reach the
        next resident. `closing`: the kiosk is shutting down, so the session is closed at once."""
        with self._lock:
            self._generation += 1
            self._consented.clear()
            self._pending = None
            self._retry = None
            self._choices = {}
            self._picture = None
            if why == "session ended":
                self._offered = None
                self._prints = 0
        self._drop_resident(why, at_once=closing)

    def _drop_resident(self, why: str, *, at_once: bool = False) -> None:
        with self._lock:
            resident, self._resident = self._resident, None
        if resident is not None and self._platform is not None:
            log.info("resident platform session dropped (%s)", why)
            if at_once:
                _close(self._platform, resident)  # within the platform's timeout: no thread to outlive
            else:
                self._close_later(self._platform, resident)

    def _close_later(self, platform: ServicePlatform, session: PlatformSession) -> None:
        self._background(lambda: _close(platform, session))

    def _entry_scanning(self) -> bool:
        """Whether the case entry shows, reading receipts."""
        page = self._page(EntryPage)
        return page is not None and page.scan

    def _page(self, kind: type[P]) -> P | None:
        page = self._journey.view.desk
        return page if isinstance(page, kind) else None

    def _show(self, view: View, screen: Screen | None, *, push: bool = True) -> None:
        """Show `view`; instead of the current one when that is a step of the same kind (`screen`)."""
        with self._journey.lock:
            current = self._journey.view.screen
            replace = not push or (screen is not None and current is screen) or current is Screen.SERVICE_WAIT
            self._journey.show(view, replace=replace)

    def _edit(self, change: Callable[[str, EntryField], str]) -> None:
        page = self._page(EntryPage)
        if page is None:
            return
        fields = tuple(
            dataclasses.replace(field, value=change(field.value, field))
            if field.key == page.active
            else field
            for field in page.fields
        )
        self._journey.show(
            View(Screen.ENTRY, desk=dataclasses.replace(page, fields=fields, message="")), replace=True
        )
