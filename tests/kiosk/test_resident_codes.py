"""Resident codes are recognised by the configured patterns, identify the resident for the session
only, and are read from the scanner while the identify screen shows."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.appliance import Kiosk
from kiosk.i18n import translate
from kiosk.records import ResidentCode
from kiosk.resident_codes import NOT_A_RESIDENT_CODE, ResidentCodes


def test_a_resident_code_identifies_the_resident_until_the_session_ends(
    make_kiosk: Callable[..., Kiosk],
) -> None:
    kiosk = make_kiosk()
    codes = ResidentCodes(kiosk.settings.devices.scanner.resident_code_patterns, kiosk.session)
    kiosk.journey.wake()
    code = ResidentCode("qrcode", "RC:0123456789abcdefXYZ")
    assert codes.accept(code).recognised
    assert kiosk.session.identity is code
    kiosk.journey.finish()
    assert kiosk.session.identity is None


def test_the_second_demo_pattern_is_a_link(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk()
    codes = ResidentCodes(kiosk.settings.devices.scanner.resident_code_patterns, kiosk.session)
    assert codes.matches(ResidentCode("qrcode", "https://jmm.weihai.example/c/abcdefghijklmnop_1"))
    assert not codes.matches(ResidentCode("qrcode", "https://jmmXweihai.example/c/abcdefghijklmnop_1"))


def test_any_other_code_gets_a_sentence_and_is_not_kept(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk()
    codes = ResidentCodes(kiosk.settings.devices.scanner.resident_code_patterns, kiosk.session)
    kiosk.journey.wake()
    verdict = codes.accept(ResidentCode("ean13", "6901234567892"))
    assert not verdict.recognised and verdict.message == NOT_A_RESIDENT_CODE
    assert kiosk.session.identity is None
    assert "居民码" in translate(verdict.message, "zh_CN")
