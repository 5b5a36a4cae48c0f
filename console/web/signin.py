"""Signing in and out: argon2 passwords, a rate limit by username and client address, sign-in CSRF."""

from __future__ import annotations

import hmac
import secrets
import time

from sqlalchemy import delete, func, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from console import audit
from console.accounts import authenticate
from console.models import LoginAttempt, Role
from console.web.pages import render
from console.web.state import console_state
from console.web.visitor import SESSION_COOKIE, checked_form, client_address, close_session, open_session

#: Before a session exists, the sign-in form's CSRF token is a cookie the form must repeat.
SIGNIN_COOKIE = "console_signin"


async def signin_page(request: Request) -> Response:
    token = secrets.token_urlsafe(32)
    response = render(request, "signin.html", signin_token=token, error="", username="")
    _set_cookie(response, SIGNIN_COOKIE, token, max_age=3600)
    return response


async def signin(request: Request) -> Response:
    state = console_state(request)
    settings = state.settings
    form = await request.form()
    username = str(form.get("username", "")).strip()[:64]
    password = str(form.get("password", ""))
    sent = str(form.get("signin_token", ""))
    expected = request.cookies.get(SIGNIN_COOKIE, "")
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        return _again(request, "The page was stale: please sign in again.", username, 403)
    address = client_address(request)
    now = time.time()
    keys = {f"user:{username.lower()}": settings.login_failures_per_user}
    keys[f"addr:{address}"] = settings.login_failures_per_address
    with state.db.session() as db:
        db.execute(delete(LoginAttempt).where(LoginAttempt.at < now - settings.login_window))
        for key, allowed in keys.items():
            failures = db.scalar(
                select(func.count()).select_from(LoginAttempt).where(LoginAttempt.key == key)
            )
            if (failures or 0) >= allowed:
                audit.record(db, username or "?", "sign_in_refused", address=address, reason="rate limit")
                minutes = round(settings.login_window / 60)
                return _again(
                    request,
                    "Too many failed sign-ins: wait {minutes} minutes and try again.",
                    username,
                    429,
                    minutes=minutes,
                )
        account = authenticate(db, username, password)
        if account is None:
            for key in keys:
                db.add(LoginAttempt(key=key, at=now))
            audit.record(db, username or "?", "sign_in_failed", address=address)
            failed = True
        else:
            failed = False
            token = open_session(request, account, db)
            audit.record(db, account.username, "sign_in", address=address)
    if failed:
        return _again(request, "Wrong username or password.", username, 401)
    response = RedirectResponse("/", status_code=303)
    _set_cookie(response, SESSION_COOKIE, token)
    response.delete_cookie(SIGNIN_COOKIE, path="/")
    return response


async def signout(request: Request) -> Response:
    who, _form = await checked_form(request, Role.VIEWER)
    with console_state(request).db.session() as db:
        close_session(request, db)
        audit.record(db, who.username, "sign_out", address=who.address)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _again(request: Request, error: str, username: str, status: int, **values: object) -> Response:
    token = secrets.token_urlsafe(32)
    response = render(
        request,
        "signin.html",
        status_code=status,
        signin_token=token,
        error=error,
        error_values=values,
        username=username,
    )
    _set_cookie(response, SIGNIN_COOKIE, token, max_age=3600)
    return response


def _set_cookie(response: Response, name: str, value: str, max_age: int | None = None) -> None:
    # Secure: browsers keep it for https and for http://localhost only. SameSite=Strict: no other
    # site's page can make the browser send it.
    response.set_cookie(name, value, max_age=max_age, path="/", secure=True, httponly=True, samesite="strict")


routes = [
    Route("/signin", signin_page, methods=["GET"]),
    Route("/signin", signin, methods=["POST"]),
    Route("/signout", signout, methods=["POST"]),
]
