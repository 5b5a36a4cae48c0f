from __future__ import annotations

from functools import cache

import pytest
from reportlab.pdfbase.ttfonts import TTFontFile

from kiosk.fonts import find_cjk_font
from kiosk.guides.sections import about_line, guide_sections, plain_sections
from kiosk.journey import Screen
from screens.browse import summary_line
from screens.pilot import UiPilot

pytestmark = pytest.mark.ui


@cache
def covered() -> frozenset[int]:
    font = find_cjk_font()
    return frozenset(TTFontFile(str(font.path), subfontIndex=font.face_index).charToGlyph)


def missing_glyphs(texts: list[str]) -> set[str]:
    return {char for text in texts for char in text if not char.isspace() and ord(char) not in covered()}


def test_no_text_on_any_screen_would_render_as_a_box(ui: UiPilot) -> None:
    kiosk = ui.app.kiosk
    journey = kiosk.journey
    seen: list[str] = list(ui.texts())
    ui.tap_center()
    ui.on(Screen.HOME)
    seen += ui.texts()
    # Every kind of screen once, on screen: the chrome and the way each one lays guide text out.
    for audience in ("individual", "enterprise"):
        journey.open_audience(audience)  # type: ignore[arg-type]
        ui.on(Screen.BROWSE_AUDIENCE)
        seen += ui.texts()
        journey.home()
    journey.open_all_departments()
    ui.on(Screen.DEPARTMENTS)
    seen += ui.texts()
    journey.open_department("威海市公安局")
    ui.on(Screen.GUIDE_LIST)
    ui.frames(3)
    seen += ui.texts()
    journey.open_guide("371000-GA-0001")
    ui.on(Screen.GUIDE_DETAIL)
    seen += ui.texts()
    journey.toggle_plain()
    ui.until(lambda: journey.view.plain, what="the plain version")
    ui.frames(2)
    seen += ui.texts()
    for language in ("en", "zh_CN"):
        journey.set_language(language)
        ui.frames(3)
        seen += ui.texts()
    # Every guide's text goes through the same section builders the guide screen uses; rendering each
    # of a hundred guides would only repeat the font, not the characters.
    for department in kiosk.catalogue.departments():
        for summary in kiosk.catalogue.by_department(department.name, limit=1000):
            guide = kiosk.catalogue.get(summary.id)
            seen += [summary.name, summary_line(summary, "zh_CN"), about_line(guide)]
            for section in guide_sections(guide) + plain_sections(guide):
                seen += [section.heading, *section.lines]
    assert missing_glyphs(seen) == set()
