"""The search screen: a keyboard made for the kiosk (letters for pinyin, digits), results as you type."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.recycleview.views import RecycleDataViewBehavior
from kivy.utils import escape_markup, get_hex_from_color

from kiosk.departments import short_department
from kiosk.i18n import N_
from kiosk.journey import View
from kiosk.records import SearchHit
from kiosk.search_flow import KEYBOARD_ROWS, SearchFlow
from screens.base import KioskScreen
from screens.face import face
from screens.i18n import _
from screens.widgets import KButton

#: Seconds of no typing before the kiosk searches: each key feels instant, no search per keystroke.
DEBOUNCE_SECONDS = 0.2
#: SDL key code of the hardware keyboard's backspace.
_BACKSPACE = 8


class SearchBar(ButtonBehavior, BoxLayout):
    """The home screen's way in: looks like a search box, opens the search screen."""


class KeyboardKey(KButton):
    """One key of the on-screen keyboard: `key` is what it types, `message` labels an action key."""

    key = StringProperty("")
    message = StringProperty("")


class SearchRow(RecycleDataViewBehavior, ButtonBehavior, BoxLayout):
    """One result: the name with the match in colour, the department, where else it matched."""

    guide_id = StringProperty("")
    name_markup = StringProperty("")
    detail = StringProperty("")
    on_choose = ObjectProperty(None, allownone=True)

    def on_release(self) -> None:
        if self.on_choose is not None:
            self.on_choose(self.guide_id)


class SearchScreen(KioskScreen):
    """Type on the keyboard; the results follow after a short pause in typing."""

    portrait = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.flow: SearchFlow | None = None
        self._pending: Any = None
        Clock.schedule_once(lambda _dt: self._build_keyboard(), 0)
        # The match colour is written into the markup: write it again when the theme changes.
        App.get_running_app().theme.bind(variant=lambda *_: self._render_results())

    def show(self, view: View) -> None:
        self.flow = view.search
        self._render_query()
        self._render_results()

    # -- typing -----------------------------------------------------------------------------------

    def press(self, key: str) -> None:
        """A key of the on-screen keyboard (or text from a hardware keyboard)."""
        if self.flow is None:
            return
        self.flow.add(key)
        self._typed()

    def backspace(self) -> None:
        """Remove the last character typed."""
        if self.flow is not None:
            self.flow.backspace()
            self._typed()

    def clear(self) -> None:
        """Start the query again."""
        if self.flow is not None:
            self.flow.clear()
            self._typed()

    def _typed(self) -> None:
        self._render_query()
        if self._pending is not None:
            self._pending.cancel()
        self._pending = Clock.schedule_once(lambda _dt: self._search(), DEBOUNCE_SECONDS)

    def _search(self) -> None:
        self._pending = None
        if self.flow is not None:
            self.flow.refresh()
            self._render_results()

    # -- a hardware keyboard, where there is one (hanzi from its input method too) -------------------

    def on_enter(self, *_args: Any) -> None:
        Window.bind(on_textinput=self._text_input, on_key_down=self._key_down)

    def on_leave(self, *_args: Any) -> None:
        Window.unbind(on_textinput=self._text_input, on_key_down=self._key_down)
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def _text_input(self, _window: Any, text: str) -> None:
        face().session.touch()
        self.press(text)

    def _key_down(self, _window: Any, key: int, *_args: Any) -> bool:
        if key == _BACKSPACE:
            face().session.touch()
            self.backspace()
            return True
        return False

    # -- drawing ----------------------------------------------------------------------------------

    def _build_keyboard(self) -> None:
        keyboard = self.ids.keyboard
        keyboard.clear_widgets()
        for index, keys in enumerate(KEYBOARD_ROWS):
            row = BoxLayout(spacing=self.ids.keyboard.spacing)
            for key in keys:
                button = KeyboardKey(key=key)
                button.bind(on_release=lambda button: self.press(button.key))
                row.add_widget(button)
            if index == len(KEYBOARD_ROWS) - 2:
                row.add_widget(self._action_key(N_("Delete"), "backspace", self.backspace))
            elif index == len(KEYBOARD_ROWS) - 1:
                row.add_widget(self._action_key(N_("Clear"), "clear", self.clear))
            keyboard.add_widget(row)

    def _action_key(self, message: str, name: str, action: Any) -> KeyboardKey:
        # The KV rule translates `message`, again whenever the language changes.
        button = KeyboardKey(key=name, message=message, primary=True, size_hint_x=1.5)
        button.bind(on_release=lambda _button: action())
        return button

    def _render_query(self) -> None:
        self.ids.query.text = self.flow.query if self.flow else ""

    def _render_results(self) -> None:
        flow = self.flow
        hits = flow.hits if flow else []
        journey = face().journey
        colour = get_hex_from_color(App.get_running_app().theme.accent)
        self.ids.results.data = [
            {
                "guide_id": hit.summary.id,
                "name_markup": highlight_markup(hit, colour),
                "detail": result_detail(hit),
                "on_choose": journey.open_guide,
            }
            for hit in hits
        ]
        self.ids.results.scroll_y = 1
        message = flow.message if flow else ""
        if message:
            self.ids.status.text = _(message).format(query=flow.searched if flow else "")
        else:
            self.ids.status.text = _("Found {count}").format(count=len(hits))


def highlight_markup(hit: SearchHit, colour: str) -> str:
    """The guide's name as Kivy markup, the matched parts bold and in `colour`."""
    return "".join(
        f"[b][color={colour}]{escape_markup(text)}[/color][/b]" if matched else escape_markup(text)
        for text, matched in hit.highlight
    )


def result_detail(hit: SearchHit) -> str:
    """The second line of a result: the department, and where the query matched if not in the name."""
    department = short_department(hit.summary.department)
    if hit.field == "materials":
        return f"{department} · {_('Found in the materials to bring')}"
    if hit.field == "text":
        return f"{department} · {_('Found in the guide text')}"
    return department
