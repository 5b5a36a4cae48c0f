"""Translations of the kiosk's own words (guides stay in Chinese). Message ids are English."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "kiosk"
LANGUAGES = ("zh_CN", "en")


@cache
def catalog(language: str) -> dict[str, str]:
    """The translations of one language, read once from its .po file (no compile step needed)."""
    return read_catalog(LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po", language)


def read_catalog(path: Path, language: str) -> dict[str, str]:
    """Message id -> translation of a .po file ({} when there is none)."""
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        po = read_po(handle, locale=language)
    return {str(message.id): str(message.string) for message in po if message.id and message.string}


def translate(message: str, language: str) -> str:
    """`message` in `language`; the English id when no translation exists."""
    return catalog(language).get(message, message)


def N_(message: str) -> str:  # noqa: N802  (the gettext convention for deferred marking)
    """Mark `message` for translation where it is defined; it is translated where it is shown."""
    return message
