"""Links that hand a guide over from the kiosk to the resident's phone (网上办/掌上办)."""

from __future__ import annotations

from urllib.parse import quote

from kiosk.records import Guide


def handover_url(guide: Guide, template: str, kiosk_id: str, language: str) -> str:
    """The address a QR code for `guide` opens: its own online page, else the configured template."""
    if guide.channels.online_url:
        return guide.channels.online_url
    return template.format(
        guide_id=quote(guide.id, safe=""),
        kiosk_id=quote(kiosk_id, safe=""),
        lang=quote(language, safe=""),
    )
