from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.i18n import LANGUAGES, catalog, translate

ROOT = Path(__file__).resolve().parents[2]
# _("...") and N_("...") in Python and KV, translate("...", ...) in Python.
MESSAGE = re.compile(r'(?<![\w.])(?:_|N_|translate)\(\s*"((?:[^"\\]|\\.)+)"')


def messages_in_sources() -> set[str]:
    found: set[str] = set()
    for folder in ("kiosk", "screens"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".kv"}:
                found.update(MESSAGE.findall(path.read_text(encoding="utf-8")))
    return found


def test_sources_have_messages_to_translate() -> None:
    assert {"Touch the screen to start", "The printer is out of paper."} <= messages_in_sources()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: str) -> None:
    missing = sorted(messages_in_sources() - set(catalog(language)))
    assert missing == [], f"missing in {language}: {missing}"


def test_placeholders_survive_translation() -> None:
    for language in LANGUAGES:
        for message, translated in catalog(language).items():
            assert set(re.findall(r"{\w+}", message)) == set(re.findall(r"{\w+}", translated)), message


def test_translate_falls_back_to_the_message_id() -> None:
    assert translate("Home", "zh_CN") == "首页"
    assert translate("Home", "en") == "Home"
    assert translate("No such message", "zh_CN") == "No such message"
