"""Rendering a page: the template with the visitor, their language and the CSRF token."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from console.i18n import translate
from console.web.state import console_state
from console.web.visitor import visitor


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    """`template` rendered for the request's visitor; `_` translates, `when` and `ago` format times."""
    who = visitor(request)
    language = who.language

    def _(message: str, **values: Any) -> str:
        text = translate(str(message), language)
        return str(text.format(**values)) if values else text

    page = {
        "request": request,
        "who": who,
        "lang": language,
        "_": _,
        "when": when,
        "ago": lambda at: ago(at, _),
        "csrf": who.csrf,
        "now": time.time(),
        "settings": console_state(request).settings,
        **context,
    }
    response = console_state(request).templates.TemplateResponse(
        request, template, page, status_code=status_code
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def when(at: float | None) -> str:
    """A Unix time as local `YYYY-MM-DD HH:MM:SS` ("–" for none)."""
    if not at:
        return "–"
    return datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M:%S")


def ago(at: float | None, _: Any) -> str:
    """How long ago, in the visitor's words ("3 min ago")."""
    if not at:
        return "–"
    seconds = max(0, int(time.time() - at))
    if seconds < 60:
        return str(_("{n} s ago", n=seconds))
    if seconds < 3600:
        return str(_("{n} min ago", n=seconds // 60))
    if seconds < 86400:
        return str(_("{n} h ago", n=seconds // 3600))
    return str(_("{n} d ago", n=seconds // 86400))
