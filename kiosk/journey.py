"""The resident's journey through the screens: a UI-agnostic navigation map, tested without Kivy."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from kiosk.bus import EventBus
from kiosk.documents import ChecklistContext, render_checklist
from kiosk.events import Event
from kiosk.guides import Catalogue, GuideNotFound
from kiosk.handover import handover_url
from kiosk.printing import PrintOutcome, PrintService
from kiosk.records import Guide, GuideSummary, PrintJob
from kiosk.search_flow import SearchFlow
from kiosk.session import ResidentSession
from kiosk.settings import Settings

log = logging.getLogger(__name__)


class Screen(StrEnum):
    """Every screen of the kiosk, by the name its screenshot carries."""

    ATTRACT = "attract"
    HOME = "home"
    GUIDE_LIST = "guide_list"
    GUIDE_DETAIL = "guide_detail"
    QR = "qr"
    PRINTING = "printing"
    PRINT_DONE = "print_done"
    PRINT_FAILED = "print_failed"
    SEARCH = "search"


#: Screens that are transient steps of an action: `back` skips over them.
_TRANSIENT = {Screen.PRINTING, Screen.PRINT_DONE, Screen.PRINT_FAILED}


@dataclass
class View:
    """What the current screen shows. Screens read it; only the journey writes it."""

    screen: Screen = Screen.ATTRACT
    title: str = ""
    guides: list[GuideSummary] = field(default_factory=list)
    guide: Guide | None = None
    qr_url: str = ""
    print_outcome: PrintOutcome | None = None
    #: On the search screen: what has been typed and found (kept when the resident comes back).
    search: SearchFlow | None = None


Background = Callable[[Callable[[], None]], None]


def run_in_thread(work: Callable[[], None]) -> None:
    """Run device work off the UI thread."""
    threading.Thread(target=work, name="kiosk-worker", daemon=True).start()


class Journey:
    """Moves the resident between screens and does what each touch asks for.

    Every method is what one touch does. Device work (printing) runs through `background`, a
    thread by default; its result moves the journey on and is announced with Event.NAVIGATED.
    """

    def __init__(
        self,
        settings: Settings,
        bus: EventBus,
        session: ResidentSession,
        catalogue: Catalogue,
        printing: PrintService,
        *,
        background: Background = run_in_thread,
        now: Callable[[], datetime] = datetime.now,
    ) -> None:
        self._settings = settings
        self._bus = bus
        self.session = session
        self.catalogue = catalogue
        self.printing = printing
        self._background = background
        self._now = now
        self._lock = threading.RLock()
        self._stack: list[View] = [View()]
        self.language: str = settings.kiosk.language
        bus.subscribe(Event.SESSION_ENDED, self._on_session_ended)

    @property
    def view(self) -> View:
        """The screen showing now and its content."""
        return self._stack[-1]

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
            self.language = self._settings.kiosk.language
            self._reset(View(Screen.HOME))

    def open_department(self, department: str) -> None:
        """Show the guides of one department."""
        self.session.touch()
        self._push(View(Screen.GUIDE_LIST, title=department, guides=self.catalogue.by_department(department)))

    def open_life_event(self, life_event: str) -> None:
        """Show the member guides of one life event (一件事)."""
        self.session.touch()
        self._push(View(Screen.GUIDE_LIST, title=life_event, guides=self.catalogue.by_life_event(life_event)))

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
        self._push(View(Screen.GUIDE_DETAIL, title=guide.name, guide=guide))

    def show_qr(self) -> None:
        """Show the QR code that hands the current guide over to the phone."""
        self.session.touch()
        guide = self.view.guide
        if guide is None:
            return
        url = self.handover_url(guide)
        self._push(View(Screen.QR, title=guide.name, guide=guide, qr_url=url))

    def print_checklist(self) -> None:
        """Print the materials checklist of the current guide and follow the job."""
        self.session.touch()
        guide = self.view.guide
        if guide is None:
            return
        session_id = self.session.session_id
        self._push(View(Screen.PRINTING, title=guide.name, guide=guide))

        def work() -> None:
            outcome = self._print(guide, request_key=f"{session_id}:checklist:{guide.id}")
            with self._lock:
                # The resident may have gone (session ended) or moved on while the paper came out.
                if self.view.screen is not Screen.PRINTING or self.session.session_id != session_id:
                    return
                screen = Screen.PRINT_DONE if outcome.completed else Screen.PRINT_FAILED
                self._replace(View(screen, title=guide.name, guide=guide, print_outcome=outcome))

        self._background(work)

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
                self._reset(View(Screen.HOME))

    def finish(self) -> None:
        """The resident says they are done: end the session now."""
        self.session.end("finished")

    def set_language(self, language: str) -> None:
        """Switch the UI chrome's language for this session."""
        self.session.touch()
        self.language = language
        self._announce()

    # -- helpers ------------------------------------------------------------------------------

    def handover_url(self, guide: Guide) -> str:
        """The phone hand-over address of `guide` for this kiosk and language."""
        return handover_url(
            guide, self._settings.handover.url_template, self._settings.kiosk.id, self.language
        )

    def _print(self, guide: Guide, request_key: str) -> PrintOutcome:
        context = ChecklistContext(
            kiosk_id=self._settings.kiosk.id,
            site_name=self._settings.kiosk.site_name,
            handover_url=self.handover_url(guide),
            printed_at=self._now(),
        )
        pdf = render_checklist(guide, context, self.printing.printer.paper)
        job = PrintJob(title=f"checklist {guide.id}", pdf=pdf)
        return self.printing.print_and_wait(job, request_key)

    def _on_session_ended(self, **_: Any) -> None:
        self.printing.cancel_unfinished()
        with self._lock:
            self._reset(View(Screen.ATTRACT))

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
        self._bus.publish(Event.NAVIGATED, screen=self.view.screen, view=self.view)
