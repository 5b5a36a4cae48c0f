"""What every kiosk screen shares: it shows one `View` of the journey."""

from __future__ import annotations

from kivy.uix.screenmanager import Screen

from kiosk.journey import View


class KioskScreen(Screen):
    """A screen that fills itself from the journey's current view."""

    def show(self, view: View) -> None:
        """Fill the screen with `view`'s content. The default shows nothing beyond the KV layout."""
