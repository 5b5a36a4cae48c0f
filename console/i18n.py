"""The console's words in Chinese and English: English message ids, Chinese from a .po file."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from kiosk.i18n import read_catalog

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"


@cache
def catalog(language: str) -> dict[str, str]:
    """The console's translations in `language`, read once from its .po file (as the kiosk's are)."""
    return read_catalog(LOCALE_DIR / language / "LC_MESSAGES" / "console.po")


def translate(message: str, language: str) -> str:
    """`message` in `language` (the English id when there is no translation)."""
    return catalog(language).get(message, message)


def pick_language(account_language: str, cookie: str, accept_language: str) -> str:
    """The account's choice, else the `lang` cookie, else the browser's first zh/en, else Chinese."""
    for choice in (account_language, cookie):
        if choice in LANGUAGES:
            return choice
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh_CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LANGUAGE
