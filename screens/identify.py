"""Identifying with a card: how to place or insert it, reading, and the greeting once identified."""

from __future__ import annotations

from typing import Any

from kivy.animation import Animation
from kivy.properties import BooleanProperty

from kiosk.desk.pages import ServiceListPage
from kiosk.journey import View
from kiosk.records import CardKind, IdCard, ResidentCode, mask_name, mask_number
from screens.base import KioskScreen
from screens.face import face
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
        self.id_usable = state.usable(CardKind.ID_CARD)
        self.ss_usable = state.usable(CardKind.SSCARD)
        id_out, ss_out = state.reader_out_message(CardKind.ID_CARD), state.reader_out_message(CardKind.SSCARD)
        self.ids.id_unavailable.text = _(id_out) if id_out else ""
        self.ids.ss_unavailable.text = _(ss_out) if ss_out else ""
        outage = state.outage_message
        self.ids.outage.text = _(outage).format(help_desk=face().journey.help_desk) if outage else ""
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
    """The greeting: name and number masked, and what the resident can do here with that identity:
    the online services the platform lists for them, or else the guides that need the card."""

    def on_kv_post(self, base_widget: Any) -> None:
        # ids hold weak proxies: keep the widgets, which spend time out of the tree.
        self._guides = self.ids.guides.__self__
        self._online = self.ids.online.__self__
        self._show_online(False)

    def show(self, view: View) -> None:
        journey = face().journey
        identity = journey.session.identity
        if identity is None:
            return
        if isinstance(identity, ResidentCode):  # the code carries no name or number of its own
            self.ids.greeting.text = _("Hello")
            self.ids.number.text = ""
            self.ids.card.text = _("Identified with your resident code")
        else:
            number = identity.id_number if isinstance(identity, IdCard) else identity.ss_number
            self.ids.greeting.text = _("Hello, {name}").format(name=mask_name(identity.name))
            self.ids.number.text = _("ID number: {number}").format(number=mask_number(number))
            self.ids.card.text = (
                _("Identified with your ID card")
                if isinstance(identity, IdCard)
                else _("Identified with your social security card")
            )
        page = view.desk
        listed = isinstance(page, ServiceListPage) and bool(page.tiles)
        self._show_online(listed)
        # Why the platform lists nothing, when this kiosk has one (else the guides say enough).
        problem = page.problem if isinstance(page, ServiceListPage) and face().desk.configured else ""
        self.ids.problem.text = _(problem).format(help_desk=journey.help_desk) if problem else ""
        if isinstance(page, ServiceListPage) and listed:
            self._online.fill(page.tiles)
            return
        services = self.ids.services
        services.clear_widgets()
        for summary in view.guides:
            button = KButton(text=summary.name)
            button.bind(on_release=lambda _button, guide_id=summary.id: journey.open_guide(guide_id))
            services.add_widget(button)

    def _show_online(self, online: bool) -> None:
        """Either the tiles or the guides, the other taken out of the tree (not only hidden: its
        buttons would still catch touches)."""
        page = self.ids.page.__self__  # ids hold weak proxies; a parent is the widget itself
        shown, hidden = (self._online, self._guides) if online else (self._guides, self._online)
        if hidden.parent is page:
            page.remove_widget(hidden)
        if shown.parent is None:
            page.add_widget(shown, index=1)  # above the last line, "take your card away"
