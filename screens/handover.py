"""The QR screen: hands the guide over to the resident's phone."""

from __future__ import annotations

from kiosk.journey import View
from screens.base import KioskScreen


class QrScreen(KioskScreen):
    """A QR code large enough to scan at arm's length, and what the phone will open."""

    def show(self, view: View) -> None:
        self.ids.header.title = view.title
        self.ids.code.data = view.qr_url
        self.ids.url.text = view.qr_url
