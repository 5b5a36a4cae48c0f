"""The attract screen: what the kiosk shows while nobody uses it, its notices turning in place.

Technician mode opens from here by a hidden gesture: a finger held still for `long_press_seconds`
in the top-right corner (where the clock is). A short touch there wakes the kiosk like a touch
anywhere else; the long press wakes nothing, and opens the PIN pad while the finger is still down.
A resident who taps, swipes or rests a palm elsewhere never meets it; one who holds the corner
for three seconds sees a PIN pad with a way back.
"""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.metrics import dp
from kivy.properties import BooleanProperty, StringProperty

from kiosk.journey import View
from kiosk.notices import NoticeRotation, load_notices
from kiosk.settings import Settings
from screens.base import KioskScreen
from screens.face import face
from screens.i18n import tr

#: The corner's side (a square in the top-right), and how far the finger may drift while held.
CORNER = dp(160)
DRIFT = dp(40)


class AttractScreen(KioskScreen):
    """Anywhere on the screen wakes the kiosk; the waking touch does nothing else."""

    #: How long the finger rests on the corner to open technician mode.
    long_press_seconds = 3.0
    #: The notice showing: its words in the kiosk's language and its image file ("" for none).
    notice_text = StringProperty("")
    notice_image = StringProperty("")
    #: Whether the kiosk does what the line under "touch to start" promises: guides, and printing.
    promise_kept = BooleanProperty(True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rotation = NoticeRotation([])
        self._settings: Settings | None = None
        self._timer: Any = None

    def on_touch_down(self, touch: Any) -> bool:
        touch.grab(self)
        if self._in_corner(touch):
            touch.ud["technician_press"] = Clock.schedule_once(
                lambda _dt: self._open_technician(touch), self.long_press_seconds
            )
        return True

    def on_touch_move(self, touch: Any) -> bool:
        press = touch.ud.get("technician_press")
        if press is not None and abs(touch.x - touch.ox) + abs(touch.y - touch.oy) > DRIFT:
            press.cancel()  # a swipe is not a long press
        return True

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is self:
            touch.ungrab(self)
            press = touch.ud.pop("technician_press", None)
            if press is not None:
                press.cancel()
            if not touch.ud.get("technician_opened"):
                face().journey.wake()
        return True

    def _in_corner(self, touch: Any) -> bool:
        return bool(touch.x >= self.right - CORNER and touch.y >= self.top - CORNER)

    def _open_technician(self, touch: Any) -> None:
        touch.ud["technician_opened"] = True
        face().technician.begin()

    def show(self, view: View) -> None:
        self._load_notices()
        self._show_notice()
        self._check_promise()

    def on_enter(self, *_args: Any) -> None:
        self._load_notices()
        self._show_notice()
        self._check_promise()
        self._start_rotation()

    def _check_promise(self) -> None:
        self.promise_kept = face().journey.attract_promise_kept()

    def on_leave(self, *_args: Any) -> None:
        self._stop_rotation()

    def next_notice(self) -> None:
        """Show the next notice (the rotation timer calls this)."""
        self._load_notices()
        self.rotation.advance()
        self._show_notice()

    def _load_notices(self) -> None:
        # Settings pushed by the fleet apply on this screen: notices and their pace follow them.
        settings: Settings = face().settings
        if settings is self._settings:
            return
        self._settings = settings
        self.rotation = NoticeRotation(load_notices(settings.attract, mode=settings.kiosk.mode))
        if self._timer is not None:  # rotating now: at the new pace, or not at all for one notice
            self._stop_rotation()
            self._start_rotation()

    def _show_notice(self) -> None:
        notice = self.rotation.current
        self.notice_text = notice.text_for(tr.lang) if notice else ""
        self.notice_image = str(notice.image) if notice and notice.image else ""

    def _start_rotation(self) -> None:
        if self._timer is None and self._settings is not None and len(self.rotation.notices) > 1:
            self._timer = Clock.schedule_interval(self._tick, self._settings.attract.seconds_per_notice)

    def _stop_rotation(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _tick(self, _dt: float) -> bool:
        if self.get_root_window() is None:  # the app has gone (tests and the tour detach it)
            self._timer = None
            return False
        timer = self._timer
        self.next_notice()
        return self._timer is timer  # new settings may have started a timer at another pace
