"""Choosing the console's language (Chinese or English): a cookie, and the account's own setting."""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from console.i18n import LANGUAGES
from console.models import Account
from console.web.state import console_state
from console.web.visitor import small_form, visitor


async def choose_language(request: Request) -> Response:
    form = await small_form(request)
    language = str(form.get("language", ""))
    target = str(form.get("next", "/"))
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    who = visitor(request)
    # Signed in: the session's CSRF token must come back. Not signed in, the cookie is harmless.
    if who.signed_in and not hmac.compare_digest(str(form.get("csrf", "")), who.csrf):
        return Response("the form's security token is missing or stale", status_code=403)
    if language not in LANGUAGES:
        return Response(f"unknown language {language!r}", status_code=400)
    if who.signed_in:
        with console_state(request).db.session() as db:
            account = db.get(Account, who.account_id)
            if account is not None:
                account.language = language
    response = RedirectResponse(target, status_code=303)
    response.set_cookie("lang", language, max_age=365 * 86400, path="/", secure=True, samesite="strict")
    return response


routes = [Route("/language", choose_language, methods=["POST"])]
