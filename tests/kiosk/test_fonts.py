from __future__ import annotations

from kiosk.fonts import find_cjk_font


def test_a_cjk_font_with_truetype_outlines_is_installed() -> None:
    font = find_cjk_font()
    assert font.path.is_file()
    assert font.path.read_bytes()[:4] in {b"ttcf", b"\x00\x01\x00\x00"}
