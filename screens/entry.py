"""The steps where the resident tells an online service something: a choice (CHOOSE) and typing a
case or appointment number on the kiosk's own keypad (ENTRY). Touches go to the desk from the KV
rules (entry.kv); these classes only lay the page out.
"""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.desk.pages import ChoicePage, EntryPage
from kiosk.journey import View
from screens.base import KioskScreen
from screens.i18n import _
from screens.results import service_title
from screens.widgets import KButton

#: The keys of a digits-and-letters keypad, 9 to a row: the digits, then the alphabet (no gap).
LETTER_KEYS = "1234567890ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: A digits keypad, laid out as on a phone; its last row also holds erase and submit.
DIGIT_KEYS = "123456789"
#: How tall an option's button grows to fill the screen, in touch heights.
MAX_CHOICE_HEIGHT = 2.4


class ChoiceButton(ButtonBehavior, BoxLayout):
    """One option: its label, a line under it; greyed and not touchable when not open."""

    value = StringProperty("")
    label = StringProperty("")
    detail = StringProperty("")
    #: Set by the screen: every option as tall as the tallest, and a few fill the screen.
    min_height = NumericProperty(0)
    #: What its words need (KV), for the screen to make all options one height.
    words_height = NumericProperty(0)


class ChooseScreen(KioskScreen):
    """A question and its options as large buttons, all in view (or a cue that more lie below)."""

    portrait = BooleanProperty(False)
    #: How many options there are (the grid's columns follow it).
    count = NumericProperty(0)
    #: The options reach below the fold: say so under them.
    more_below = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._check_fold = Clock.create_trigger(lambda _dt: self._update_cue(), 0)
        self._resize = Clock.create_trigger(lambda _dt: self._size_choices(), 0)
        scroll = self.ids.scroll
        scroll.bind(scroll_y=lambda *_: self._check_fold(), height=lambda *_: self._check_fold())
        scroll.bind(size=lambda *_: self._resize())
        self.ids.choices.bind(height=lambda *_: self._check_fold())

    def show(self, view: View) -> None:
        page = view.desk
        if not isinstance(page, ChoicePage):
            return
        self.ids.header.title = service_title(page.service)
        self.ids.prompt.text = _(page.prompt)
        self.ids.empty.text = _(page.empty) if page.empty and not page.choices else ""
        grid = self.ids.choices
        grid.clear_widgets()
        self.count = len(page.choices)
        for choice in page.choices:
            detail = _(choice.detail) if choice.detail else ""
            if not choice.enabled and not detail:
                detail = _("Not available")
            button = ChoiceButton(
                value=choice.value, label=_(choice.label), detail=detail, disabled=not choice.enabled
            )
            button.bind(words_height=lambda *_: self._resize())
            grid.add_widget(button)
        self.ids.scroll.scroll_y = 1
        self._resize()

    def on_leave(self, *args: object) -> None:
        self.ids.choices.clear_widgets()

    def _size_choices(self) -> None:
        """All options one height: as tall as the longest words need, and filling the screen
        (up to a limit) so that a few options leave no empty band under them."""
        grid, scroll = self.ids.choices, self.ids.scroll
        buttons = list(grid.children)
        if not buttons:
            return
        touch = App.get_running_app().theme.touch
        rows = -(-len(buttons) // max(1, grid.cols))
        room = (scroll.height - grid.padding[1] - grid.padding[3] - grid.spacing[1] * (rows - 1)) / rows
        needed = max(button.words_height for button in buttons)
        height = max(needed, min(max(room, touch * 1.3), touch * MAX_CHOICE_HEIGHT))
        for button in buttons:
            button.min_height = height
        self._check_fold()

    def _update_cue(self) -> None:
        scroll, grid = self.ids.scroll, self.ids.choices
        self.more_below = grid.height > scroll.height + 1 and scroll.scroll_y > 0.01


class EntryBox(ButtonBehavior, BoxLayout):
    """A field to type into: its label and what has been typed; the active one is outlined."""

    key = StringProperty("")
    label = StringProperty("")
    value = StringProperty("")
    active = BooleanProperty(False)


class KeypadKey(KButton):
    """A key that types one character (`key`) into the active field."""

    key = StringProperty("")


class EntryScreen(KioskScreen):
    """Fields on the left (top, in portrait), a large keypad beside them, erase and submit."""

    portrait = BooleanProperty(False)
    #: The active field takes digits only: a phone's keypad; else digits and capital letters.
    digits = BooleanProperty(True)
    scan = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Erase and submit are laid out in the keypad's last row (digits) or under it (letters);
        # `ids` holds weak references: keep them while they move.
        self._erase = self.ids.erase.__self__
        self._submit = self.ids.submit.__self__
        self._keys_for = ""

    def show(self, view: View) -> None:
        page = view.desk
        if not isinstance(page, EntryPage):
            return
        self.ids.header.title = service_title(page.service)
        self.ids.message.text = _(page.message) if page.message else ""
        self.scan = page.scan
        fields = self.ids.fields
        fields.clear_widgets()
        for field in page.fields:
            box = EntryBox(key=field.key, label=_(field.label), value=field.value)
            box.active = field.key == page.active
            fields.add_widget(box)
        active = next((field for field in page.fields if field.key == page.active), None)
        self.digits = active.digits if active is not None else True
        self._build_keypad()

    def on_leave(self, *args: object) -> None:
        # What was typed belongs to the visit's page, not to the screen.
        self.ids.fields.clear_widgets()

    def _build_keypad(self) -> None:
        layout = "digits" if self.digits else "letters"
        if self._keys_for == layout:
            return
        self._keys_for = layout
        keypad, below = self.ids.keypad, self.ids.below_keypad
        keypad.clear_widgets()
        for button in (self._erase, self._submit):
            if button.parent is not None:
                button.parent.remove_widget(button)
        if self.digits:
            keypad.cols = 3
            for key in DIGIT_KEYS:
                keypad.add_widget(KeypadKey(key=key))
            keypad.add_widget(self._erase)
            keypad.add_widget(KeypadKey(key="0"))
            keypad.add_widget(self._submit)
        else:
            keypad.cols = 9
            for key in LETTER_KEYS:
                keypad.add_widget(KeypadKey(key=key))
            below.add_widget(self._erase)
            below.add_widget(self._submit)
