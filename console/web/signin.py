"""Signing in and out: argon2 passwords, a rate limit by username and client address, sign-in CSRF."""

from __future__ import annotations

import hmac
import secrets
import time

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from console import audit
from console.accounts import authenticate, name_key
from console.models import LoginAttempt, Role
from console.web.pages import render
from console.web.state import console_state
from console.web.visitor import (
    SESSION_COOKIE,
    checked_form,
    client_address,
    close_session,
    open_session,
    small_form,
)

#: Before a session exists, the sign-in form's CSRF token is a cookie the form must repeat.
SIGNIN_COOKIE = "console_signin"
#: LoginAttempt rows with this in front of a key say that a refusal by that key was audited in the
#: window: an anonymous client hammering a locked key adds one audit entry per window, not one each.
REFUSAL_SEEN = "refused:"


def user_key(username: str) -> str:
    """The rate limit's key of a username (the failures of sign-in and of /password's current one)."""
    return f"user:{name_key(username)}"[:100]


def recent_failures(db: Session, key: str, now: float, window: float) -> int:
    """Failures counted under `key` in the last `window` seconds (older rows are removed)."""
    db.execute(delete(LoginAttempt).where(LoginAttempt.at < now - window))
    return db.scalar(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.key == key)) or 0


def audit_refusal_once(db: Session, key: str, now: float, *, actor: str, action: str, address: str) -> None:
    """Audit a rate-limit refusal by `key`, unless one was audited in this window already."""
    seen = REFUSAL_SEEN + key
    if db.scalar(select(LoginAttempt.id).where(LoginAttempt.key == seen).limit(1)) is not None:
        return
    db.add(LoginAttempt(key=seen, at=now))
    audit.record(db, actor, action, address=address, reason="rate limit", key=key)


async def signin_page(request: Request) -> Response:
    token = secrets.token_urlsafe(32)
    response = render(request, "signin.html", signin_token=token, error="", username="")
    _set_cookie(response, SIGNIN_COOKIE, token, max_age=3600)
    return response


async def signin(request: Request) -> Response:
    state = console_state(request)
    settings = state.settings
    form = await small_form(request)
    username = str(form.get("username", "")).strip()[:64]
    password = str(form.get("password", ""))
    sent = str(form.get("signin_token", ""))
    expected = request.cookies.get(SIGNIN_COOKIE, "")
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        return _again(request, "The page was stale: please sign in again.", username, 403)
    address = client_address(request)
    now = time.time()
    keys = {user_key(username): settings.login_failures_per_user}
    keys[f"addr:{address}"] = settings.login_failures_per_address
    with state.db.session() as db:
        for key, allowed in keys.items():
            if recent_failures(db, key, now, settings.login_window) >= allowed:
                audit_refusal_once(
                    db, key, now, actor=username or "?", action="sign_in_refused", address=address
                )
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
