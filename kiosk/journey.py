"""The resident's journey through the screens: a UI-agnostic navigation map, tested without Kivy."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from kiosk.background import Background, run_in_thread
from kiosk.bus import ChangeLock, EventBus
from kiosk.desk.pages import DeskPage, Paper
from kiosk.events import (
    DeviceBack,
    DeviceLost,
    IdentityReadFailed,
    IdentityReading,
    Navigated,
    RatingSubmitted,
    SessionEnded,
    SessionIdentified,
    SessionIdentityDropped,
)
from kiosk.guides import BrowseAudience, Catalogue, Category, GuideNotFound, GuideQuery
from kiosk.handover import handover_url
from kiosk.i18n import N_
from kiosk.outbox import RatingOutbox
from kiosk.printing import PrintOutcome, PrintService
from kiosk.rating_flow import RatingFlow, RatingRefused
from kiosk.records import CARD_READERS, CardKind, Guide, GuideSummary, PrintJob, resident_name
from kiosk.search_flow import SearchFlow
from kiosk.session import ResidentSession
from kiosk.settings import Settings

log = logging.getLogger(__name__)


class Screen(StrEnum):
    """Every screen of the kiosk, by the name its screenshot carries."""

    ATTRACT = "attract"
    HOME = "home"
    BROWSE_AUDIENCE = "browse_audience"
    DEPARTMENTS = "departments"
    GUIDE_LIST = "guide_list"
    GUIDE_DETAIL = "guide_detail"
    QR = "qr"
    PRINTING = "printing"
    PRINT_DONE = "print_done"
    PRINT_FAILED = "print_failed"
    IDENTIFY = "identify"
    IDENTIFIED = "identified"
    SEARCH = "search"
    RATING = "rating"
    #: Technician mode (kiosk.technician): its PIN pad, then the technician's own screen.
    TECHNICIAN_PIN = "technician_pin"
    TECHNICIAN = "technician"
    LIFE_EVENTS = "life_events"
    PRINT = "print"
    #: Online services through the provincial platform (kiosk.desk): the list, then each step.
    SERVICES = "services"
    CONSENT = "consent"
    FACE = "face"
    SERVICE_WAIT = "service_wait"
    SERVICE_FAILED = "service_failed"
    QUERY = "query"
    DOCUMENT = "document"
    CHOOSE = "choose"
    ENTRY = "entry"
    CASE = "case"
    BOOKED = "booked"


#: Screens that are transient steps of an action: `back` skips over them.
_TRANSIENT = {
    Screen.PRINTING,
    Screen.PRINT_DONE,
    Screen.PRINT_FAILED,
    Screen.SERVICE_WAIT,
    Screen.SERVICE_FAILED,
    Screen.CONSENT,
    Screen.FACE,
}


#: Home's tasks, by id, in their order: the ways to a guide, the card, print, rating.
HOME_TASKS = ("search", "all_life_events", "all_departments", "services", "identify", "print", "rate")
#: The tasks elder mode's simpler home offers, in its order: the concrete ways to a guide, the card
#: (most of what elders come for needs it), print, and rating (every visit may be rated, printed or
#: not: without it an elder who printed nothing could not).
ELDER_TASKS = ("search", "all_departments", "services", "identify", "print", "rate")
#: The tasks that lead to guides (the card opens the services a resident can handle here): a tile
#: leading to an empty list pretends, so they are not offered while the catalogue holds no guide.
GUIDE_TASKS = frozenset({"search", "all_life_events", "all_departments", "identify", "print"})
#: What home says instead while the catalogue holds no guide (an appliance never shows the demo
#: ones, kiosk.demo); the screen fills in the help desk.
NO_GUIDES = N_("The service guides are not available at this kiosk yet. Please ask at {help_desk}.")


#: What the identify screen says (and voice guidance reads) about a card reader that does not work
#: while the other one does: use the other card.
READER_OUT = {
    "id_reader": N_("The ID card reader is not working right now. Please use your social security card."),
    "sscard_reader": N_("The social security card reader is not working right now. Please use your ID card."),
}
#: With both card readers out of order: what to do instead.
BOTH_READERS_OUT = N_("Both card readers are out of order. To identify, please ask at {help_desk}.")
#: With a device out of order but a card reader working: where a person helps.
HELP_HERE = N_("For help here, ask at {help_desk}.")


@dataclass(frozen=True)
class IdentifyState:
    """What the identify screen says: which card is being read, what went wrong, what is off."""

    #: The kind of card being read now, None while waiting.
    reading: CardKind | None = None
    #: A message id for the resident (a failed read, a removed card), "" when all is well.
    message: str = ""
    #: The devices ("id_reader", "sscard_reader") that do not work now.
    unavailable: frozenset[str] = frozenset()

    def usable(self, kind: CardKind) -> bool:
        """Whether the reader of this kind of card reads now: only a usable one is pictured."""
        return kind.reader not in self.unavailable

    @property
    def readers_out(self) -> frozenset[str]:
        """The card readers ("id_reader", "sscard_reader") that do not work now."""
        return CARD_READERS & self.unavailable

    def reader_out_message(self, kind: CardKind) -> str:
        """What to say about this card's reader (a message id): it does not work, use the other
        card. "" when it works, and when both are out (`outage_message` says so)."""
        return READER_OUT[kind.reader] if self.readers_out == {kind.reader} else ""

    @property
    def outage_message(self) -> str:
        """Where to turn when something is out of order (a message id with {help_desk}), or ""."""
        if self.readers_out == CARD_READERS:
            return BOTH_READERS_OUT
        return HELP_HERE if self.unavailable else ""


@dataclass
class View:
    """What the current screen shows. Screens read it; only the journey writes it."""

    screen: Screen = Screen.ATTRACT
    title: str = ""
    guides: list[GuideSummary] = field(default_factory=list)
    #: What the guide list shows, and how many guides that is in all (the list holds the pages read).
    query: GuideQuery | None = None
    total: int = 0
    #: The audience a browsing screen or a guide list is narrowed to.
    audience: BrowseAudience | None = None
    departments: list[Category] = field(default_factory=list)
    life_events: list[Category] = field(default_factory=list)
    guide: Guide | None = None
    #: The guide screen shows the plain-language version (白话版) instead of the full guide.
    plain: bool = False
    qr_url: str = ""
    print_outcome: PrintOutcome | None = None
    identify: IdentifyState = field(default_factory=IdentifyState)
    #: On the search screen: what has been typed and found (kept when the resident comes back).
    search: SearchFlow | None = None
    #: On the rating screen: what the resident has picked, and whether it was submitted.
    rating: RatingFlow | None = None
    #: Why the printer cannot print now (a resident message id), "" when it is ready or unknown.
    printer_problem: str = ""
    #: On home: the tasks offered now (HOME_TASKS less those that would lead nowhere).
    tasks: frozenset[str] = frozenset(HOME_TASKS)
    #: On home: why there is nothing to browse (NO_GUIDES), "" when the catalogue has guides.
    no_guides: str = ""
    #: On the online services' screens: the page the desk (kiosk.desk) shows.
    desk: DeskPage | None = None
    #: On the printing screens: what is being printed.
    paper: Paper = Paper.CHECKLIST
    #: It shows what the platform returned about the identified resident: it goes when the card does.
    personal: bool = False


def _about_resident(view: View) -> bool:
    """Whether `view` shows who the resident is or what the platform said about them."""
    return view.screen is Screen.IDENTIFIED or view.personal


#: How many guides a list reads at a time; "more" reads the next page.
GUIDE_PAGE = 40
#: How many self-service guides the identified screen offers (buttons, not a list to page through).
IDENTIFIED_SERVICES = 24


class Journey:
    """Moves the resident between screens and does what each touch asks for.

    Every method is what one touch does. Device work (printing) runs through `background`, a
    thread by default; its result moves the journey on and is announced with `Navigated`.

    Changes happen under one lock; what they announce is published after it is released, in the
    order of the changes, so a subscriber may call back into the journey from any thread.
    """

    def __init__(
        self,
        settings: Settings,
        bus: EventBus,
        session: ResidentSession,
        catalogue: Catalogue,
        printing: PrintService,
        *,
        ratings: RatingOutbox,
        background: Background = run_in_thread,
        now: Callable[[], datetime] = datetime.now,
        out_of_service: Collection[str] = (),
    ) -> None:
        self._settings = settings
        self._bus = bus
        self.session = session
        self.catalogue = catalogue
        self.printing = printing
        self.ratings = ratings
        #: What this visit has rated (一次一评: each once): "" the service here, else a case's number.
        self._rated: tuple[str | None, set[str]] = (None, set())
        self._background = background
        self._now = now
        #: Changes happen holding it; what they announce is published once it is released.
        self._lock = ChangeLock(bus)
        self._stack: list[View] = [View()]
        self.language: str = settings.kiosk.language
        #: Voice guidance is offered only with a speaker in service (kiosk.devices.out_of_service).
        self.voice_offered = "speaker" not in out_of_service
        self._printer_in_service = "printer" not in out_of_service
        #: Elder mode (适老化: large text and targets) and voice guidance, switched by the resident.
        self.elder, self.voice = self._preferences()
        #: The guide read last in this visit: the print screen offers its checklist first.
        self.last_guide: Guide | None = None
        #: Whether this kiosk has a platform to transact through (kiosk.desk): home offers its
        #: online services only then.
        self.services_offered = False
        bus.subscribe(SessionEnded, self._on_session_ended)
        # A reader out of service is unavailable from the start, before its watcher first fails.
        self._unavailable: frozenset[str] = CARD_READERS & frozenset(out_of_service)
        bus.subscribe(SessionIdentified, self._on_identified)
        bus.subscribe(SessionIdentityDropped, self._on_identity_dropped)
        bus.subscribe(IdentityReading, self._on_identity_reading)
        bus.subscribe(IdentityReadFailed, self._on_identity_read_failed)
        bus.subscribe(DeviceLost, self._on_device_unavailable)
        bus.subscribe(DeviceBack, self._on_device_available)

    @property
    def view(self) -> View:
        """The screen showing now and its content."""
        return self._stack[-1]

    @property
    def help_desk(self) -> str:
        """Where a resident gets help from a person (kiosk.help_desk), named when something is not here."""
        return self._settings.kiosk.help_desk

    @property
    def depth(self) -> int:
        """How many touches from home the current screen is (home is 0)."""
        return len(self._stack) - 1

    # -- touches ----------------------------------------------------------------------------

    def wake(self) -> None:
        """The first touch on the attract screen: start a session, show home, do nothing else."""
        with self._lock:
            if self.view.screen is not Screen.ATTRACT:
                return
            self.session.start()
            self._restore_preferences()
            self._reset(self._home_view())

    def open_audience(self, audience: BrowseAudience) -> None:
        """Show the life events and departments of services for individuals or for enterprises."""
        self.session.touch()
        self._push(
            View(
                Screen.BROWSE_AUDIENCE,
                audience=audience,
                departments=self.catalogue.departments(audience),
                life_events=self.catalogue.life_events(audience),
            )
        )

    def open_life_events(self) -> None:
        """Show every life event (一件事), for individuals and for businesses."""
        self.session.touch()
        self._push(View(Screen.LIFE_EVENTS, life_events=self.catalogue.life_events()))

    def open_print(self) -> None:
        """Show what can be printed here and how to pick the guide whose checklist to print."""
        self.session.touch()
        guide = self.last_guide
        self._push(View(Screen.PRINT, title=guide.name if guide else "", guide=guide))
        self._check_printer(Screen.PRINT)

    def open_all_departments(self) -> None:
        """Show every department, for when home has more departments than tiles."""
        self.session.touch()
        self._push(View(Screen.DEPARTMENTS, departments=self.catalogue.departments()))

    def open_department(self, department: str, audience: BrowseAudience | None = None) -> None:
        """Show the guides of one department (for one audience, when browsing by audience)."""
        self.session.touch()
        self._open_list(department, GuideQuery(department=department, audience=audience))

    def open_life_event(self, life_event: str) -> None:
        """Show the member guides of one life event (一件事)."""
        self.session.touch()
        self._open_list(life_event, GuideQuery(life_event=life_event))

    def more_guides(self) -> None:
        """Read the next page of the guide list showing now."""
        self.session.touch()
        with self._lock:
            view = self.view
            if view.screen is not Screen.GUIDE_LIST or view.query is None or len(view.guides) >= view.total:
                return
            page = self.catalogue.guides(view.query, GUIDE_PAGE, len(view.guides))
            self._replace(dataclasses.replace(view, guides=view.guides + page))

    def toggle_plain(self) -> None:
        """Switch the guide screen between the full guide and its plain-language version (白话版)."""
        self.session.touch()
        with self._lock:
            view = self.view
            if view.screen is not Screen.GUIDE_DETAIL or view.guide is None or not view.guide.plain:
                return
            self._replace(dataclasses.replace(view, plain=not view.plain))

    def open_search(self) -> None:
        """Show the search screen with its keyboard and an empty query."""
        self.session.touch()
        self._push(View(Screen.SEARCH, search=SearchFlow(self.catalogue)))

    def open_guide(self, guide_id: str) -> None:
        """Show one guide in full."""
        self.session.touch()
        try:
            guide = self.catalogue.get(guide_id)
        except GuideNotFound:
            log.warning("guide %s vanished from the catalogue", guide_id)
            return
        self.last_guide = guide
        self._push(View(Screen.GUIDE_DETAIL, title=guide.name, guide=guide))
        self._check_printer(Screen.GUIDE_DETAIL)

    def show_qr(self) -> None:
        """Show the QR code that hands the current guide over to the phone."""
        self.session.touch()
        guide = self.view.guide
        if guide is None:
            return
        url = self.handover_url(guide)
        self._push(View(Screen.QR, title=guide.name, guide=guide, qr_url=url))

    def print_checklist(self, with_name: bool = False) -> None:
        """Print the materials checklist of the current guide and follow the job.

        `with_name`: the resident asked for their name on it (taken from the card that identified
        them in this session); off unless they ask.
        """
        self.session.touch()
        view = self.view
        guide = view.guide
        if guide is None:
            return
        identity = self.session.identity
        name = resident_name(identity) if with_name and identity is not None else ""
        key = f"{self.session.session_id}:checklist:{guide.id}{':named' if name else ''}"
        self._print_work(
            View(Screen.PRINTING, title=guide.name, guide=guide),
            lambda: self._print(guide, request_key=key, resident_name=name),
        )

    def print_paper(self, job: PrintJob, request_key: str, under: View, paper: Paper) -> None:
        """Print a paper of the online services (`under` is the screen it was printed from: the
        printing screens keep its content, so that "try again" prints it again) and follow the job."""
        self.session.touch()
        printing = dataclasses.replace(under, screen=Screen.PRINTING, paper=paper, print_outcome=None)
        self._print_work(printing, lambda: self.printing.print_and_wait(job, request_key))

    def _print_work(self, printing: View, work: Callable[[], PrintOutcome]) -> None:
        """Show `printing`, print off the UI thread, then show how it went (done or failed)."""
        session_id = self.session.session_id
        self._push(printing)

        def job() -> None:
            outcome = work()
            with self._lock:
                # The resident may have gone (session ended) or moved on while the paper came out.
                if not self.showing(Screen.PRINTING, session_id):
                    return
                screen = Screen.PRINT_DONE if outcome.completed else Screen.PRINT_FAILED
                self._replace(dataclasses.replace(printing, screen=screen, print_outcome=outcome))

        self._background(job)

    def rated(self, case_no: str = "") -> bool:
        """Whether this visit has rated the service here, or with `case_no` that case (一次一评:
        each once a visit)."""
        session_id, subjects = self._rated
        return session_id is not None and session_id == self.session.session_id and case_no in subjects

    @property
    def printer_in_service(self) -> bool:
        """Whether this kiosk has a printer in service (a paper can be offered at all)."""
        return self._printer_in_service

    def open_identify(self) -> None:
        """Show how to identify with a card, or the greeting when a card already identified them."""
        self.session.touch()
        if self.session.identity is not None:
            self._push(View(Screen.IDENTIFIED, guides=self.identified_services()))
        else:
            self._push(View(Screen.IDENTIFY, identify=IdentifyState(unavailable=self._unavailable)))

    def _home_view(self) -> View:
        """Home with the tasks that lead somewhere now: no guides, no browsing; no reader, no card."""
        tasks = set(HOME_TASKS)
        empty = not self.catalogue.count()
        if empty:
            tasks -= GUIDE_TASKS
        if self._unavailable >= CARD_READERS:
            tasks.discard("identify")  # it would only say that both readers are out of order
        if not self.services_offered:
            tasks.discard("services")  # no platform: the online services are out of service
        return View(Screen.HOME, tasks=frozenset(tasks), no_guides=NO_GUIDES if empty else "")

    def attract_promise_kept(self) -> bool:
        """Whether the kiosk does what the attract screen promises under "touch to start": guides,
        and printing. An appliance before its first sync, or without a printer, promises neither."""
        return bool(self.catalogue.count()) and self._printer_in_service

    def identified_services(self) -> list[GuideSummary]:
        """The services an identified resident can handle here at the kiosk (one page of them)."""
        return self.catalogue.guides(GuideQuery(self_service=True), limit=IDENTIFIED_SERVICES)

    def open_rating(self, case_no: str = "") -> None:
        """Show the rating screen (好差评): about a case (`case_no`), else the guide on screen when
        there is one, else the service at this kiosk."""
        self.session.touch()
        with self._lock:
            guide = self.view.guide if not case_no else None
            flow = RatingFlow(
                self.session,
                self.ratings,
                self._settings.kiosk.id,
                guide_id=guide.id if guide is not None else "",
                case_no=case_no,
                already_rated=self.rated(case_no),
            )
            self._push(View(Screen.RATING, title=guide.name if guide else "", guide=guide, rating=flow))

    def submit_rating(self) -> None:
        """Submit the rating on screen; the screen then thanks the resident or says what to fix."""
        self.session.touch()
        with self._lock:
            flow = self.view.rating
            if self.view.screen is not Screen.RATING or flow is None:
                return
            try:
                rating = flow.submit()
            except RatingRefused:
                self._announce()
                return
            session_id, subjects = self._rated
            if session_id != self.session.session_id:
                subjects = set()
            self._rated = (self.session.session_id, subjects | {flow.case_no})
            log.info("rating %s kept in the outbox (%s)", rating.rating_id, rating.level.value)
            guide = self.view.guide
            self._announce()
        # For the fleet's ratings statistics (kiosk.fleet.reporter: event service_rated).
        self._bus.publish(
            RatingSubmitted(
                level=rating.level.value,
                department=guide.department if guide is not None and not rating.case_no else "",
                service=rating.guide_id or ("case" if rating.case_no else "kiosk"),
            )
        )

    def home_after_thanks(self) -> None:
        """The thank-you for a rating has shown for rating_flow.THANKS_SECONDS: home, unless the
        resident has moved on (the UI's clock calls this once that time has passed)."""
        with self._lock:
            view = self.view
            thanking = view.screen is Screen.RATING and view.rating is not None and view.rating.returns_home
        if thanking:
            self.home()

    def back(self) -> None:
        """One screen back, skipping the steps of a finished action; home stays home."""
        self.session.touch()
        with self._lock:
            while len(self._stack) > 1:
                self._stack.pop()
                if self.view.screen not in _TRANSIENT:
                    break
            self._announce()

    def home(self) -> None:
        """Straight back to the home screen."""
        self.session.touch()
        with self._lock:
            if self.session.active:
                self._reset(self._home_view())

    def finish(self) -> None:
        """The resident says they are done: end the session now."""
        self.session.end("finished")

    def set_language(self, language: str) -> None:
        """Switch the UI chrome's language for this session."""
        self.session.touch()
        with self._lock:
            self.language = language
            self._announce()

    def set_elder(self, on: bool) -> None:
        """Switch elder mode (large text, large targets, a simpler home) for this session."""
        self.session.touch()
        with self._lock:
            self.elder = on
            self._announce()

    def set_voice(self, on: bool) -> None:
        """Switch voice guidance for this session (it stays off without a speaker in service)."""
        self.session.touch()
        with self._lock:
            self.voice = on and self.voice_offered
            self._announce()

    # -- technician mode (kiosk.technician.console drives these) ------------------------------

    def show_technician(self, screen: Screen) -> None:
        """Show a technician screen instead of the journey; any resident session ends first."""
        self.session.end("technician")
        with self._lock:
            self._reset(View(screen))

    def to_attract(self) -> None:
        """Back to the attract screen (the technician left)."""
        with self._lock:
            self._restore_preferences()
            self._reset(View(Screen.ATTRACT))

    # -- the online services' desk (kiosk.desk) moves the resident on with these ---------------

    def show(self, view: View, *, replace: bool = False) -> None:
        """Show `view`: on top of the current screen, or instead of it with `replace`."""
        if replace:
            self._replace(view)
        else:
            self._push(view)

    def showing(self, screen: Screen, session_id: str | None) -> bool:
        """Whether `screen` still shows to the visit `session_id` (a step's answer may come late)."""
        return self.view.screen is screen and self.session.session_id == session_id

    @property
    def lock(self) -> ChangeLock:
        """Hold it to look at the view and change it in one step (what it announces waits for its release)."""
        return self._lock

    # -- helpers ------------------------------------------------------------------------------

    def apply_settings(self, settings: Settings) -> None:
        """Use new settings from the next touch on (called between sessions)."""
        self._settings = settings
        if not self.session.active:
            self._restore_preferences()

    def _preferences(self) -> tuple[bool, bool]:
        """Elder mode and voice guidance at the start of a session, as the site set them."""
        speaker = self._settings.devices.speaker
        return self._settings.display.theme == "elder", speaker.enabled and self.voice_offered

    def _restore_preferences(self) -> None:
        """Language, elder mode and voice as the site set them: what the last resident chose goes."""
        self.language = self._settings.kiosk.language
        self.elder, self.voice = self._preferences()

    def handover_url(self, guide: Guide) -> str:
        """The phone hand-over address of `guide` for this kiosk and language."""
        return handover_url(
            guide, self._settings.handover.url_template, self._settings.kiosk.id, self.language
        )

    def _print(self, guide: Guide, request_key: str, resident_name: str = "") -> PrintOutcome:
        from kiosk.documents import ChecklistContext, render_checklist  # PDF rendering loads when printing

        context = ChecklistContext(
            kiosk_id=self._settings.kiosk.id,
            site_name=self._settings.kiosk.site_name,
            handover_url=self.handover_url(guide),
            printed_at=self._now(),
        )
        pdf = render_checklist(guide, context, self.printing.printer.paper, resident_name)
        job = PrintJob(title=f"checklist {guide.id}", pdf=pdf)
        return self.printing.print_and_wait(job, request_key)

    def _check_printer(self, screen: Screen) -> None:
        """Ask the printer, off the UI thread, and tell the resident before they try to print."""

        def work() -> None:
            problem = self.printing.readiness()
            with self._lock:
                if self.view.screen is screen and self.view.printer_problem != problem:
                    self._replace(dataclasses.replace(self.view, printer_problem=problem))

        self._background(work)

    def _open_list(self, title: str, query: GuideQuery) -> None:
        self._push(
            View(
                Screen.GUIDE_LIST,
                title=title,
                query=query,
                total=self.catalogue.count_guides(query),
                audience=query.audience,
                guides=self.catalogue.guides(query, GUIDE_PAGE),
            )
        )

    def _on_session_ended(self, _event: SessionEnded) -> None:
        self.printing.cancel_unfinished()
        with self._lock:
            self._restore_preferences()
            self.last_guide = None
            self._reset(View(Screen.ATTRACT))

    # -- identity (events from kiosk.identity's worker threads) --------------------------------

    def _on_identified(self, _event: SessionIdentified) -> None:
        with self._lock:
            kept = [view for view in self._stack if not _about_resident(view)]
            if len(kept) < len(self._stack):
                # Another card, read while the last one's details showed: those go, the greeting
                # of the new resident shows.
                self._stack = kept or [self._home_view()]
                self._push(View(Screen.IDENTIFIED, guides=self.identified_services()))
            elif self.view.screen is Screen.IDENTIFY:
                self._replace(View(Screen.IDENTIFIED, guides=self.identified_services()))
            elif self.view.screen is Screen.HOME and "identify" in self.view.tasks:
                self._push(View(Screen.IDENTIFIED, guides=self.identified_services()))

    def _on_identity_dropped(self, _event: SessionIdentityDropped) -> None:
        # The greeting, and what the platform said about the resident, must not outlive the card:
        # those screens go; when one of them was showing, the identify screen says why.
        with self._lock:
            showing = _about_resident(self.view)
            kept = [view for view in self._stack if not _about_resident(view)]
            self._stack = kept or [self._home_view()]
            if showing:
                message = N_("Your card was removed, so your details have been cleared from this kiosk.")
                self._push(
                    View(
                        Screen.IDENTIFY,
                        identify=IdentifyState(message=message, unavailable=self._unavailable),
                    )
                )

    def _on_identity_reading(self, event: IdentityReading) -> None:
        self._update_identify(reading=event.card, message="")

    def _on_identity_read_failed(self, event: IdentityReadFailed) -> None:
        self._update_identify(reading=None, message=event.resident_message)

    def _on_device_unavailable(self, event: DeviceLost) -> None:
        with self._lock:
            self._unavailable = self._unavailable | {event.device}
            self._update_identify()

    def _on_device_available(self, event: DeviceBack) -> None:
        with self._lock:
            self._unavailable = self._unavailable - {event.device}
            self._update_identify()

    def _update_identify(self, **changes: Any) -> None:
        with self._lock:
            if self.view.screen is not Screen.IDENTIFY:
                return
            state = replace(self.view.identify, unavailable=self._unavailable, **changes)
            self._replace(replace(self.view, identify=state))

    def _push(self, view: View) -> None:
        with self._lock:
            self._stack.append(view)
            self._announce()

    def _replace(self, view: View) -> None:
        with self._lock:
            self._stack[-1] = view
            self._announce()

    def _reset(self, view: View) -> None:
        with self._lock:
            self._stack = [view]
            self._announce()

    def _announce(self) -> None:
        """Announce the view showing now, once the lock is released (call holding it)."""
        self._lock.announce(Navigated(self.view.screen, self.view))
