"""The QR screen: hands the guide over to the resident's phone."""

from __future__ import annotations

from urllib.parse import urlsplit

from kiosk.journey import View
from screens.base import KioskScreen
from screens.i18n import _


class QrScreen(KioskScreen):
    """A QR code large enough to scan at arm's length, and what the phone will open."""

    def show(self, view: View) -> None:
        self.ids.header.title = view.title
        self.ids.code.data = view.qr_url
        self.ids.url.text = view.qr_url
        site = urlsplit(view.qr_url).hostname or view.qr_url
        self.ids.opens.text = _("Your phone will open this guide on {site}.").format(site=site)
