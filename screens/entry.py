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
#: How tall an option's button grows to fill the screen, in touch heights (a few grow taller).
MAX_CHOICE_HEIGHT = 3.2
MAX_FEW_CHOICE_HEIGHT = 4.0
FEW_CHOICES = 4
#: How wide a label may be (twice as wide a detail), in Latin letters, before an option wants a
#: wide button: eight Chinese characters, or a time span such as 09:00–09:30.
LONG_LABEL = 16


def shown_width(text: str) -> int:
    """How wide a text is, in Latin letters: a Chinese character (or a full-width sign) is two."""
    return sum(2 if ord(char) >= 0x2E80 else 1 for char in text)


class ChoiceButton(ButtonBehavior, BoxLayout):
    """One option: its label, a line under it; greyed and not touchable when not open."""

    value = StringProperty("")
    label = StringProperty("")
    detail = StringProperty("")
    #: Set by the screen: every option as tall as the tallest, and a few fill the screen.
    min_height = NumericProperty(0)
    #: What its words need (KV), for the screen to make all options one height.
    words_height = NumericProperty(0)


def grid_columns(count: int, portrait: bool, long_words: bool = False) -> int:
    """How many columns of options: no empty slot in the last row where a layout allows it,
    within the rows a screen holds, nearest the usual width (4 across landscape, 2 down portrait;
    fewer for long words, a hall's name and address, which would break badly in narrow buttons)."""
    if long_words:
        usual, widest, most_rows = (1, 2, 7) if portrait else (2, 3, 4)
    else:
        usual, widest, most_rows = (2, 3, 7) if portrait else (4, 7, 4)
    if count <= 0:
        return usual
    fitting = [cols for cols in range(1, widest + 1) if -(-count // cols) <= most_rows]
    if not fitting:  # more than a screen holds: as few rows to scroll through as may be
        return widest
    return min(fitting, key=lambda cols: (-count % cols, abs(cols - usual)))


class ChooseScreen(KioskScreen):
    """A question and its options as large buttons, all in view (or a cue that more lie below)."""

    portrait = BooleanProperty(False)
    #: How many options there are (the grid's columns follow it).
    count = NumericProperty(0)
    columns = NumericProperty(2)
    #: Some option's words are long (a hall's name and address): fewer, wider buttons.
    long_words = BooleanProperty(False)
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
        self.long_words = any(
            shown_width(_(option.label)) > LONG_LABEL or shown_width(_(option.detail)) > 2 * LONG_LABEL
            for option in page.choices
        )
        self.columns = grid_columns(self.count, self.portrait, self.long_words)
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

    def on_portrait(self, _instance: Any, portrait: bool) -> None:
        # A screen not showing yet has no size: its orientation is known once it shows.
        self.columns = grid_columns(self.count, portrait, self.long_words)
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
        tallest = touch * (MAX_CHOICE_HEIGHT if len(buttons) > FEW_CHOICES else MAX_FEW_CHOICE_HEIGHT)
        height = max(needed, min(max(room, touch * 1.3), tallest))
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
