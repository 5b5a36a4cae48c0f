"""Translation in KV: `_("Home", tr.lang)` re-evaluates when the language changes."""

from __future__ import annotations

from kivy.event import EventDispatcher
from kivy.properties import StringProperty

from kiosk.i18n import translate


class Translator(EventDispatcher):
    """Holds the UI language; KV rules that mention `tr.lang` follow it."""

    lang = StringProperty("zh_CN")


tr = Translator()


def _(message: str, _lang: str | None = None) -> str:
    """`message` in the current UI language. Pass `tr.lang` from KV so the rule rebinds on change."""
    return translate(message, tr.lang)
