"""The rating screen (好差评): five levels, short optional dimensions, reasons for a bad rating, consent."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.i18n import N_
from kiosk.journey import Journey, View
from kiosk.rating_flow import THANKS_SECONDS, RatingFlow
from kiosk.records import BAD_REASONS, DIMENSIONS, RatingLevel
from screens.base import KioskScreen
from screens.face import face
from screens.i18n import _
from screens.search import KeyboardKey
from screens.widgets import KButton

#: What a dimension toggle says for not rated, good and poor.
DIMENSION_STATES = {None: N_("not rated"), True: N_("good"), False: N_("poor")}


class LevelFace(Widget):
    """A face drawn with lines (rating.kv): `mood` 0 smiles, 2 is level, 4 frowns."""

    mood = NumericProperty(0)
    tint = ColorProperty([0, 0, 0, 1])


class LevelButton(ButtonBehavior, BoxLayout):
    """One of the five levels: a drawn face (smiling to frowning, `mood` 0..4) and its name."""

    level = StringProperty("")
    text = StringProperty("")
    mood = NumericProperty(0)
    selected = BooleanProperty(False)


class ConsentToggle(ButtonBehavior, BoxLayout):
    """A drawn check box and the sentence the resident agrees to."""

    checked = BooleanProperty(False)
    text = StringProperty("")


class RatingScreen(KioskScreen):
    """Fills itself from the journey's RatingFlow; every pick re-draws the parts it changes."""

    portrait = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # The KV rule builds the form, the thank-you and their optional parts beside the layout;
        # they are put into it as the flow needs them.
        # `ids` holds weak references: keep the parts alive while they are out of the tree.
        self._parts: dict[str, Any] = {}
        for part in ("form", "thanks", "reasons_section", "phone_entry"):
            self._parts[part] = self.ids[part].__self__
            self.remove_widget(self._parts[part])
        self.flow: RatingFlow | None = None
        self._going_home: Any = None
        Clock.schedule_once(lambda _dt: self._build_keypad(), 0)

    @property
    def journey(self) -> Journey:
        return face().journey

    def show(self, view: View) -> None:
        self.flow = view.rating
        self.ids.about.text = _("About: {guide}").format(guide=view.title) if view.title else ""
        self._render()

    def on_leave(self, *args: object) -> None:
        # The flow (and, through the session, the number typed) belongs to the visit, not the screen;
        # so does the label that showed the number, kept with the phone entry while out of the tree.
        # Emptied, a Kivy label would keep the number in its last layout: it lays out the prompt.
        self.flow = None
        phone = self.ids.phone
        phone.text = _("Type your mobile number")
        phone.texture_update()
        self._cancel_going_home()

    # -- touches ---------------------------------------------------------------------------------

    def choose(self, level: str) -> None:
        if self.flow is not None:
            self.flow.choose_level(RatingLevel(level))
            self._render()

    def cycle(self, dimension: str) -> None:
        if self.flow is not None:
            self.flow.cycle_dimension(dimension)
            self._render()

    def toggle_reason(self, reason: str) -> None:
        if self.flow is not None:
            self.flow.toggle_reason(reason)
            self._render()

    def toggle_consent(self) -> None:
        if self.flow is not None:
            self.flow.set_consent(not self.flow.consent)
            self._render()
            if self.flow.consent:  # the keypad is the last part of the form: scroll down to it
                Clock.schedule_once(lambda _dt: self._scroll_to_end(), 0.05)

    def press(self, key: str) -> None:
        if self.flow is None:
            return
        if key == "backspace":
            self.flow.backspace()
        else:
            self.flow.press_digit(key)
        self._render()

    def _scroll_to_end(self) -> None:
        scroll = self.ids.scroll
        if scroll.children and scroll.children[0].height > scroll.height:
            scroll.scroll_y = 0

    # -- drawing ---------------------------------------------------------------------------------

    def _render(self) -> None:
        flow = self.flow
        if flow is None:
            return
        body = self.ids.body
        body.clear_widgets()
        if flow.submitted is not None or flow.already_rated:
            self.ids.thanks_text.text = (
                _("Thank you for your rating.")
                if flow.submitted is not None
                else _("You have already rated this visit. Thank you!")
            )
            body.add_widget(self._parts["thanks"])
            if flow.returns_home:
                self._go_home_soon()
            return
        body.add_widget(self._parts["form"])
        self._render_levels(flow)
        self._render_dimensions(flow)
        self._render_reasons(flow)
        self._render_follow_up(flow)
        self.ids.message.text = _(flow.message) if flow.message else ""

    def _render_levels(self, flow: RatingFlow) -> None:
        grid = self.ids.levels
        grid.clear_widgets()
        for mood, level in enumerate(RatingLevel):
            button = LevelButton(level=level.value, text=_(level.message), mood=mood)
            button.selected = flow.level is level
            button.bind(on_release=lambda b: self.choose(b.level))
            grid.add_widget(button)

    def _render_dimensions(self, flow: RatingFlow) -> None:
        row = self.ids.dimensions
        row.clear_widgets()
        for name, message in DIMENSIONS.items():
            value = flow.dimensions.get(name)
            button = KButton(
                text=_("{dimension}: {state}").format(dimension=_(message), state=_(DIMENSION_STATES[value])),
                primary=value is not None,
                size_hint_y=1,
            )
            button.dimension = name
            button.bind(on_release=lambda b: self.cycle(b.dimension))
            row.add_widget(button)

    def _render_reasons(self, flow: RatingFlow) -> None:
        holder, section = self.ids.reasons_holder, self._parts["reasons_section"]
        holder.clear_widgets()
        if flow.level is None or not flow.level.bad:
            return
        holder.add_widget(section)
        grid = self.ids.reasons
        grid.clear_widgets()
        for code, message in BAD_REASONS.items():
            chip = KButton(text=_(message), primary=code in flow.reasons, size_hint_y=1)
            chip.reason = code
            chip.bind(on_release=lambda c: self.toggle_reason(c.reason))
            grid.add_widget(chip)

    def _render_follow_up(self, flow: RatingFlow) -> None:
        self.ids.consent.checked = flow.consent
        box, entry = self.ids.follow_up, self._parts["phone_entry"]
        if entry.parent is not None:
            box.remove_widget(entry)
        if flow.consent:
            box.add_widget(entry)
            self.ids.phone.text = flow.phone or _("Type your mobile number")
            theme = App.get_running_app().theme
            self.ids.phone.color = theme.text if flow.phone else theme.muted

    def _build_keypad(self) -> None:
        keypad = self.ids.keypad
        keypad.clear_widgets()
        for digit in "1234567890":
            key = KeyboardKey(key=digit)
            key.bind(on_release=lambda k: self.press(k.key))
            keypad.add_widget(key)
        delete = KeyboardKey(key="backspace", message=N_("Delete"), primary=True, size_hint_x=1.6)
        delete.bind(on_release=lambda k: self.press(k.key))
        keypad.add_widget(delete)

    def _go_home_soon(self) -> None:
        self._cancel_going_home()
        self._going_home = Clock.schedule_once(lambda _dt: self._home_after_thanks(), THANKS_SECONDS)

    def _home_after_thanks(self) -> None:
        self._going_home = None
        self.journey.home_after_thanks()

    def _cancel_going_home(self) -> None:
        if self._going_home is not None:
            self._going_home.cancel()
            self._going_home = None
