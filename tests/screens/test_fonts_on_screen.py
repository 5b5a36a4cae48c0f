from __future__ import annotations

from functools import cache

import pytest
from reportlab.pdfbase.ttfonts import TTFontFile

from kiosk.fonts import find_cjk_font
from kiosk.journey import Screen
from screens.driver import UiDriver

pytestmark = pytest.mark.ui


@cache
def covered() -> frozenset[int]:
    font = find_cjk_font()
    return frozenset(TTFontFile(str(font.path), subfontIndex=font.face_index).charToGlyph)


def missing_glyphs(texts: list[str]) -> set[str]:
    return {char for text in texts for char in text if not char.isspace() and ord(char) not in covered()}


def test_no_text_on_any_screen_would_render_as_a_box(ui: UiDriver) -> None:
    kiosk = ui.app.kiosk
    seen: list[str] = list(ui.texts())
    ui.tap_center()
    ui.on(Screen.HOME)
    seen += ui.texts()
    for department in kiosk.catalogue.departments():
        kiosk.journey.open_department(department.name)
        ui.on(Screen.GUIDE_LIST)
        ui.frames(3)
        seen += ui.texts()
        for summary in kiosk.journey.view.guides:
            kiosk.journey.open_guide(summary.id)
            ui.on(Screen.GUIDE_DETAIL)
            seen += ui.texts()
            kiosk.journey.back()
        kiosk.journey.home()
    for language in ("en", "zh_CN"):
        kiosk.journey.set_language(language)
        ui.frames(3)
        seen += ui.texts()
    assert missing_glyphs(seen) == set()
