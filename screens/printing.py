"""Printing in progress, printed, and what to do when the printer fails."""

from __future__ import annotations

from kivy.animation import Animation
from kivy.app import App

from kiosk.journey import View
from screens.base import KioskScreen
from screens.i18n import _


class PrintingScreen(KioskScreen):
    """Shown while the printer works; the spinner turns until the journey moves on."""

    def show(self, view: View) -> None:
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
        self.ids.what.text = view.title


class PrintFailedScreen(KioskScreen):
    """The printer failed: say what happened and what to do instead (the QR code, the counter)."""

    def show(self, view: View) -> None:
        outcome = view.print_outcome
        self.ids.reason.text = _(outcome.resident_message) if outcome else ""
        guide = view.guide
        self.ids.code.data = App.get_running_app().kiosk.journey.handover_url(guide) if guide else ""
        place = guide.locations[0].hall if guide and guide.locations else ""
        self.ids.counter.text = (
            _("Or ask at the counter: {place}").format(place=place)
            if place
            else _("Or ask at a service counter.")
        )
