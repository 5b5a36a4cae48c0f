"""Printing in progress, printed, and what to do when the printer fails."""

from __future__ import annotations

from kivy.animation import Animation
from kivy.properties import BooleanProperty, StringProperty

from kiosk.desk.pages import NOT_PRINTED_WORDS, PRINTED_WORDS, PRINTING_WORDS, Paper
from kiosk.journey import View
from screens.base import KioskScreen
from screens.browse import fill_department_tiles, fill_life_event_tiles, printer_warning
from screens.face import face
from screens.i18n import _


class PrintScreen(KioskScreen):
    """What the kiosk prints, and the ways to the guide whose checklist to print (two touches)."""

    portrait = BooleanProperty(False)
    #: The guide read last in this visit, offered first; "" when none was read.
    last_guide = StringProperty("")

    def show(self, view: View) -> None:
        journey = face().journey
        self.last_guide = view.guide.name if view.guide else ""
        self.ids.printer_problem.text = printer_warning(view.printer_problem)
        catalogue = journey.catalogue
        fill_life_event_tiles(self.ids.life_events, catalogue.life_events(), journey)
        fill_department_tiles(self.ids.tiles, catalogue.departments(), journey)


class PrintingScreen(KioskScreen):
    """Shown while the printer works; the spinner turns until the journey moves on."""

    def show(self, view: View) -> None:
        self.ids.doing.text = _(PRINTING_WORDS[view.paper])
        self.ids.what.text = view.title
        spinner = self.ids.spinner
        Animation.cancel_all(spinner)
        spinner.angle = 0
        turning = Animation(angle=-360, duration=1.2)
        turning.repeat = True
        turning.start(spinner)

    def on_leave(self, *args: object) -> None:
        Animation.cancel_all(self.ids.spinner)


class PrintDoneScreen(KioskScreen):
    """The paper is out: where to take it, and where to go next."""

    def show(self, view: View) -> None:
        self.ids.done.text = _(PRINTED_WORDS[view.paper])
        self.ids.what.text = view.title


class PrintFailedScreen(KioskScreen):
    """The printer failed: say what happened and what to do instead.

    A checklist is also on the phone (the guide's QR code) and at the counter; what an online
    service printed (a document, a table, a slip) may have no guide behind it: it is tried again,
    or the help desk helps.
    """

    #: What failed to print is a guide's checklist (else: one of the online services' papers).
    checklist = BooleanProperty(True)

    def show(self, view: View) -> None:
        outcome = view.print_outcome
        self.ids.reason.text = _(outcome.resident_message) if outcome else ""
        help_desk = face().journey.help_desk
        self.ids.help_desk.text = _("For help here, ask at {help_desk}.").format(help_desk=help_desk)
        self.checklist = view.paper is Paper.CHECKLIST
        if not self.checklist:
            self.ids.not_printed.text = _(NOT_PRINTED_WORDS[view.paper])
            self.ids.code.data = ""
            self.ids.counter.text = ""
            return
        self.ids.not_printed.text = ""
        guide = view.guide
        self.ids.code.data = face().journey.handover_url(guide) if guide else ""
        place = guide.locations[0].hall if guide and guide.locations else ""
        self.ids.counter.text = (
            _("Or ask at the counter: {place}").format(place=place)
            if place
            else _("Or ask at a service counter.")
        )
