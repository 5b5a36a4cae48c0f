"""Translations of the kiosk's own words (guides stay in Chinese). Message ids are English."""

from __future__ import annotations

from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "kiosk"
LANGUAGES = ("zh_CN", "en")


#: The escapes a .po string may hold.
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


class CatalogInvalid(ValueError):
    """A .po file this reader cannot read: the message names the file and the line."""


@cache
def catalog(language: str) -> dict[str, str]:
    """The translations of one language, read once from its .po file (no compile step needed)."""
    return read_catalog(LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po")


def read_catalog(path: Path) -> dict[str, str]:
    """Message id -> translation of a .po file ({} when there is none).

    The project's .po files hold plain entries (msgid, msgstr, comments; no contexts or plurals), read
    here with the standard library: babel's reader and its message objects cost a running kiosk about
    8 MiB for as long as it lives. `tests/kiosk/test_i18n.py` checks that this reader and babel's
    give the same translations for every catalogue of the project.
    """
    if not path.is_file():
        return {}
    messages: dict[str, str] = {}
    entry: dict[str, str] = {}
    keyword = ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):  # comments, flags, obsolete entries (#~)
            continue
        if line.startswith('"'):
            if not keyword:
                raise CatalogInvalid(f"{path}:{number}: a string outside an entry")
            entry[keyword] += _unquoted(line, path, number)
            continue
        keyword, _space, rest = line.partition(" ")
        if keyword not in ("msgid", "msgstr"):
            raise CatalogInvalid(f"{path}:{number}: {keyword!r} is not read here (only msgid and msgstr)")
        if keyword == "msgid" and "msgstr" in entry:
            _add(messages, entry)
        entry[keyword] = _unquoted(rest.strip(), path, number)
    _add(messages, entry)
    return messages


def _add(messages: dict[str, str], entry: dict[str, str]) -> None:
    if entry.get("msgid") and entry.get("msgstr"):
        messages[entry["msgid"]] = entry["msgstr"]
    entry.clear()


def _unquoted(text: str, path: Path, number: int) -> str:
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        raise CatalogInvalid(f"{path}:{number}: expected a quoted string")
    body, out, index = text[1:-1], [], 0
    while index < len(body):
        char = body[index]
        if char == "\\":
            index += 1
            if index == len(body) or body[index] not in _ESCAPES:
                raise CatalogInvalid(f"{path}:{number}: an escape this reader does not know")
            char = _ESCAPES[body[index]]
        out.append(char)
        index += 1
    return "".join(out)


def translate(message: str, language: str) -> str:
    """`message` in `language`; the English id when no translation exists."""
    return catalog(language).get(message, message)


def N_(message: str) -> str:  # noqa: N802  (the gettext convention for deferred marking)
    """Mark `message` for translation where it is defined; it is translated where it is shown."""
    return message
