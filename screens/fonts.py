"""Registers the CJK font with Kivy so that Chinese never renders as boxes."""

from __future__ import annotations

from kivy.core.text import LabelBase

from kiosk.fonts import find_cjk_font

FONT_NAME = "KioskCJK"


def register_cjk_font() -> str:
    """Register the installed CJK font as the kiosk's font; returns the name to use in KV."""
    font = find_cjk_font()
    LabelBase.register(name=FONT_NAME, fn_regular=str(font.path))
    return FONT_NAME
