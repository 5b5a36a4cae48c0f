"""The warning before an idle session ends, with a way to ask for more time."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import NumericProperty
from kivy.uix.modalview import ModalView

from screens.face import face


class IdleWarning(ModalView):
    """Counts down the seconds left; any touch on "more time" keeps the session going."""

    seconds = NumericProperty(0)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(auto_dismiss=False, **kwargs)
        self._ticker = None

    def on_open(self) -> None:
        self._update()
        self._ticker = Clock.schedule_interval(lambda _dt: self._update(), 0.25)

    def on_dismiss(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None

    def more_time(self) -> None:
        """The resident is still there."""
        face().session.touch()

    def _update(self) -> None:
        self.seconds = int(face().session.seconds_left() + 0.999)
