"""Identifying with a card: how to place or insert it, reading, and the greeting once identified."""

from __future__ import annotations

from kivy.animation import Animation
from kivy.app import App
from kivy.properties import BooleanProperty

from kiosk.journey import View
from kiosk.records import IdCard, mask_name, mask_number
from screens.base import KioskScreen
from screens.i18n import _
from screens.widgets import KButton


class IdentifyScreen(KioskScreen):
    """Pictures of both cards and their readers; a turning indicator while a card is read."""

    portrait = BooleanProperty(False)
    #: Whether each reader can read now: only a usable one is pictured and explained.
    id_usable = BooleanProperty(True)
    ss_usable = BooleanProperty(True)

    def show(self, view: View) -> None:
        state = view.identify
        self.id_usable = "id_reader" not in state.unavailable
        self.ss_usable = "sscard_reader" not in state.unavailable
        both = {"id_reader", "sscard_reader"} <= state.unavailable
        self.ids.id_unavailable.text = (
            _("The ID card reader is not working right now. Please use your social security card.")
            if "id_reader" in state.unavailable and not both
            else ""
        )
        self.ids.ss_unavailable.text = (
            _("The social security card reader is not working right now. Please use your ID card.")
            if "sscard_reader" in state.unavailable and not both
            else ""
        )
        help_desk = App.get_running_app().kiosk.settings.kiosk.help_desk
        if both:
            outage = _("Both card readers are out of order. To identify, please ask at {help_desk}.")
        elif state.unavailable:
            outage = _("For help here, ask at {help_desk}.")
        else:
            outage = ""
        self.ids.outage.text = outage.format(help_desk=help_desk)
        self.ids.message.text = _(state.message) if state.message else ""
        reading = bool(state.reading)
        self.ids.reading.opacity = 1 if reading else 0
        spinner = self.ids.spinner
        Animation.cancel_all(spinner)
        if reading:
            turning = Animation(angle=-360, duration=1.2)
            turning.repeat = True
            turning.start(spinner)

    def on_leave(self, *args: object) -> None:
        Animation.cancel_all(self.ids.spinner)


class IdentifiedScreen(KioskScreen):
    """The greeting: name and number masked, and the services that need the resident's identity."""

    def show(self, view: View) -> None:
        journey = App.get_running_app().kiosk.journey
        identity = journey.session.identity
        if identity is None:
            return
        number = identity.id_number if isinstance(identity, IdCard) else identity.ss_number
        self.ids.greeting.text = _("Hello, {name}").format(name=mask_name(identity.name))
        self.ids.number.text = _("ID number: {number}").format(number=mask_number(number))
        self.ids.card.text = (
            _("Identified with your ID card")
            if isinstance(identity, IdCard)
            else _("Identified with your social security card")
        )
        services = self.ids.services
        services.clear_widgets()
        for summary in view.guides:
            button = KButton(text=summary.name)
            button.bind(on_release=lambda _button, guide_id=summary.id: journey.open_guide(guide_id))
            services.add_widget(button)
