"""Who is asking: the signed-in administrator (from the session cookie), their role and language,
and the checks every page and every form goes through (role, CSRF)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy import delete, select
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from console.i18n import pick_language
from console.models import Account, Role, WebSession
from console.web.state import console_state

SESSION_COOKIE = "console_session"
#: Sent (value "1") by console.js on the requests a page makes by itself (the publishing page's
#: progress, a kiosk's command list): they are not the administrator's activity.
BACKGROUND_HEADER = "X-Console-Background"
#: The most the forms anyone may post without a session (sign-in, language) may send: a few short
#: fields. A bigger body, or a multipart one, is refused before it is read.
SMALL_FORM_BYTES = 16 * 1024


class SignInNeeded(Exception):
    """No valid session: the page sends the browser to the sign-in page."""


@dataclass(frozen=True)
class Visitor:
    """The administrator behind a request (None for a visitor who is not signed in)."""

    account_id: int | None
    username: str
    role: Role | None
    language: str
    csrf: str
    address: str

    @property
    def signed_in(self) -> bool:
        return self.account_id is not None

    def may(self, role: Role | str) -> bool:
        return self.role is not None and self.role.allows(Role(role))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def in_background(request: Request) -> bool:
    """Whether the page asked by itself (a poll marked with BACKGROUND_HEADER, or the fleet's
    server-sent events, which cannot carry a header): such a request does not extend the session, so
    an open tab left alone still ends after `session_idle`."""
    return request.headers.get(BACKGROUND_HEADER) == "1" or request.headers.get("accept", "").startswith(
        "text/event-stream"
    )


def visitor(request: Request) -> Visitor:
    """The request's visitor, read once from the database (idle and absolute expiry applied)."""
    cached = getattr(request.state, "visitor", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    state = console_state(request)
    settings = state.settings
    token = request.cookies.get(SESSION_COOKIE, "")
    found: Visitor | None = None
    now = time.time()
    if token:
        with state.db.session() as db:
            row = db.get(WebSession, token_hash(token))
            account = db.get(Account, row.account_id) if row else None
            if row and account and account.active:
                expired = (
                    now - row.last_seen > settings.session_idle or now - row.created_at > settings.session_max
                )
                if expired:
                    db.delete(row)
                else:
                    # Written at most once a minute: a page of many requests is not many writes.
                    if now - row.last_seen > 60 and not in_background(request):
                        row.last_seen = now
                    found = Visitor(
                        account.id,
                        account.username,
                        Role(account.role),
                        _language(request, account.language),
                        row.csrf,
                        client_address(request),
                    )
    if found is None:
        found = Visitor(None, "", None, _language(request, ""), "", client_address(request))
    request.state.visitor = found
    return found


def _language(request: Request, account_language: str) -> str:
    return pick_language(
        account_language, request.cookies.get("lang", ""), request.headers.get("accept-language", "")
    )


def require(request: Request, role: Role = Role.VIEWER) -> Visitor:
    """The visitor when signed in with at least `role`; otherwise the sign-in page or 403."""
    who = visitor(request)
    if not who.signed_in:
        raise SignInNeeded
    if not who.may(role):
        raise HTTPException(403, f"this needs the {role.value} role")
    return who


async def checked_form(request: Request, role: Role) -> tuple[Visitor, FormData]:
    """A POSTed form from a signed-in visitor with `role`, its CSRF token checked.

    Every state-changing handler starts here; tests post to every POST route without the token.
    """
    who = require(request, role)
    form = await request.form()
    sent = str(form.get("csrf", "")) or request.headers.get("x-csrf-token", "")
    if not sent or not hmac.compare_digest(sent, who.csrf):
        raise HTTPException(403, "the form's security token is missing or stale: reload the page")
    return who, form


def open_session(request: Request, account: Account, db: Any) -> str:
    """A new session for `account` in transaction `db`; returns the cookie's token."""
    token = secrets.token_urlsafe(32)
    now = time.time()
    db.add(
        WebSession(
            token_hash=token_hash(token),
            account_id=account.id,
            csrf=secrets.token_urlsafe(32),
            created_at=now,
            last_seen=now,
        )
    )
    return token


def close_session(request: Request, db: Any) -> None:
    token = request.cookies.get(SESSION_COOKIE, "")
    if token:
        db.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))


def close_sessions_of(db: Any, account_id: int) -> None:
    """Sign an administrator out everywhere (disabled account, changed role or password)."""
    db.execute(delete(WebSession).where(WebSession.account_id == account_id))


def session_count(db: Any, account_id: int) -> int:
    return len(db.scalars(select(WebSession.token_hash).where(WebSession.account_id == account_id)).all())


async def small_form(request: Request, limit: int = SMALL_FORM_BYTES) -> dict[str, str]:
    """The fields of a small URL-encoded form, read without parsing anything bigger than `limit`
    bytes: 415 for another content type (a multipart body is never parsed), 413 past the limit
    (by its Content-Length, or while it is read when it has none)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in {"", "application/x-www-form-urlencoded"}:
        raise HTTPException(415, "this form is sent URL-encoded only")
    declared = request.headers.get("content-length", "")
    if declared and (not declared.isdigit() or int(declared) > limit):
        raise HTTPException(413, "the form is too large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, "the form is too large")
    return dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
