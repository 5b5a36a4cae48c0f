"""Administrators' accounts (admin role): create, change a role, disable or enable, reset a password;
and every administrator's own password.

The console always keeps an active admin: an admin cannot disable or demote themself, and the last
active admin can be neither disabled nor demoted. A disabled account, a changed role and a reset
password end that account's sessions at once. Every change is audited.
"""

from __future__ import annotations

import time

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, aliased
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from console import audit
from console.accounts import AccountError, authenticate, create_account, set_password
from console.models import Account, LoginAttempt, Role, WebSession
from console.web.pages import render
from console.web.signin import audit_refusal_once, recent_failures, user_key
from console.web.state import console_state
from console.web.visitor import SESSION_COOKIE, Visitor, checked_form, close_sessions_of, require, token_hash

ROLES = [role.value for role in Role]


class Refused(Exception):
    """The change asked for is not allowed: the message (an English message id) says why."""


def _accounts(db: Session) -> list[Account]:
    return list(db.scalars(select(Account).order_by(Account.username)).all())


def _page(
    request: Request,
    status: int = 200,
    error: str = "",
    notice: str = "",
    form: dict[str, str] | None = None,
    **words: object,
) -> Response:
    """The accounts page; `error` and `notice` are message ids filled with `words`, `form` refills
    the new-account form."""
    with console_state(request).db.session() as db:
        accounts = _accounts(db)
        counted = db.execute(select(WebSession.account_id, func.count()).group_by(WebSession.account_id))
        sessions = {int(row[0]): int(row[1]) for row in counted}
    return render(
        request,
        "accounts.html",
        status_code=status,
        area="accounts",
        accounts=accounts,
        sessions=sessions,
        roles=ROLES,
        error=error,
        notice=notice,
        words=words,
        form=form or {},
    )


def _passwords(form: FormData) -> str:
    password = str(form.get("password", ""))
    if password != str(form.get("password2", "")):
        raise AccountError("The two passwords differ.")
    return password


def _target(db: Session, request: Request) -> Account:
    account = db.get(Account, request.path_params["account_id"])
    if account is None:
        raise HTTPException(404, "Not Found")
    return account


LAST_ADMIN = "The last active admin cannot be disabled or demoted."


def _take_from(db: Session, who: Visitor, account: Account, **values: object) -> None:
    """Demote or disable `account` (`values`: role or active), unless it is `who` themself or the
    last active admin (raises Refused).

    Safe when two admins demote each other at the same moment: on PostgreSQL the active admins' rows
    are locked while they are counted (the second waits, then counts again); on SQLite the change is
    an UPDATE whose WHERE requires another active admin, which SQLite evaluates under its one write
    lock. Either way one of the two is refused.
    """
    if account.id == who.account_id:
        raise Refused("You cannot disable or demote yourself: another admin must.")
    statement = update(Account).where(Account.id == account.id).values(**values)
    if account.role == Role.ADMIN.value and account.active:
        admins = db.scalars(
            select(Account.id)
            .where(Account.role == Role.ADMIN.value, Account.active.is_(True))
            .with_for_update()
        ).all()
        if [found for found in admins if found != account.id] == []:
            raise Refused(LAST_ADMIN)
        other = aliased(Account)
        statement = statement.where(
            select(other.id)
            .where(other.role == Role.ADMIN.value, other.active.is_(True), other.id != account.id)
            .exists()
        )
    changed = db.connection().execute(statement).rowcount
    db.expire(account)
    if changed != 1:
        raise Refused(LAST_ADMIN)


async def accounts_page(request: Request) -> Response:
    require(request, Role.ADMIN)
    return _page(request)


async def create(request: Request) -> Response:
    who, form = await checked_form(request, Role.ADMIN)
    username = str(form.get("username", "")).strip()
    role = str(form.get("role", ""))
    try:
        if role not in ROLES:
            raise AccountError("Choose a role.")
        password = _passwords(form)
        with console_state(request).db.session() as db:
            create_account(db, username, password, Role(role))
            audit.record(
                db, who.username, "account_created", f"account:{username}", address=who.address, role=role
            )
    except AccountError as error:
        return _page(request, 400, error=str(error), form={"username": username, "role": role})
    return _page(request, 200, notice="Account {name} created.", name=username)


async def change_role(request: Request) -> Response:
    who, form = await checked_form(request, Role.ADMIN)
    role = str(form.get("role", ""))
    if role not in ROLES:
        return _page(request, 400, error="Choose a role.")
    try:
        with console_state(request).db.session() as db:
            account = _target(db, request)
            before = account.role
            if before == role:
                return RedirectResponse("/accounts", status_code=303)
            if Role(before).allows(Role(role)):
                _take_from(db, who, account, role=role)
            else:
                account.role = role
            close_sessions_of(db, account.id)
            audit.record(
                db,
                who.username,
                "account_role_changed",
                f"account:{account.username}",
                address=who.address,
                before=before,
                after=role,
            )
    except Refused as refused:
        return _page(request, 409, error=str(refused))
    return RedirectResponse("/accounts", status_code=303)


async def set_active(request: Request) -> Response:
    who, form = await checked_form(request, Role.ADMIN)
    active = str(form.get("active", "")) == "1"
    try:
        with console_state(request).db.session() as db:
            account = _target(db, request)
            if account.active == active:
                return RedirectResponse("/accounts", status_code=303)
            if active:
                account.active = True
            else:
                _take_from(db, who, account, active=False)
                close_sessions_of(db, account.id)
            audit.record(
                db,
                who.username,
                "account_enabled" if active else "account_disabled",
                f"account:{account.username}",
                address=who.address,
            )
    except Refused as refused:
        return _page(request, 409, error=str(refused))
    return RedirectResponse("/accounts", status_code=303)


async def reset_password(request: Request) -> Response:
    who, form = await checked_form(request, Role.ADMIN)
    try:
        password = _passwords(form)
        with console_state(request).db.session() as db:
            account = _target(db, request)
            set_password(account, password)
            close_sessions_of(db, account.id)
            audit.record(
                db, who.username, "account_password_reset", f"account:{account.username}", address=who.address
            )
            name = account.username
    except AccountError as error:
        return _page(request, 400, error=str(error))
    return _page(request, 200, notice="The password of {name} is reset; its sessions have ended.", name=name)


async def own_password_page(request: Request) -> Response:
    require(request, Role.VIEWER)
    return render(request, "password.html", error="", notice="")


async def change_own_password(request: Request) -> Response:
    """Any administrator's own password; the current one must be given. Their other sessions end.

    A wrong current password is a failed sign-in: it counts in the same per-username limit
    (LoginAttempt by user_key) and is audited; past the limit the form is refused (429), so a
    session cannot be used to guess the password.
    """
    who, form = await checked_form(request, Role.VIEWER)
    state = console_state(request)
    settings = state.settings
    key = user_key(who.username)
    now = time.time()
    try:
        password = _passwords(form)
    except AccountError as error:
        return render(request, "password.html", status_code=400, error=str(error), notice="")
    with state.db.session() as db:
        if recent_failures(db, key, now, settings.login_window) >= settings.login_failures_per_user:
            audit_refusal_once(
                db, key, now, actor=who.username, action="password_change_refused", address=who.address
            )
            refused = True
        else:
            refused = False
            account = authenticate(db, who.username, str(form.get("current", "")))
            wrong = account is None or account.id != who.account_id
            if wrong:
                db.add(LoginAttempt(key=key, at=now))
                audit.record(
                    db, who.username, "password_change_failed", f"account:{who.username}", address=who.address
                )
    if refused:
        minutes = round(settings.login_window / 60)
        return render(
            request,
            "password.html",
            status_code=429,
            error="Too many failed sign-ins: wait {minutes} minutes and try again.",
            error_values={"minutes": minutes},
            notice="",
        )
    if wrong:
        wrong_words = "The current password is wrong."
        return render(request, "password.html", status_code=400, error=wrong_words, notice="")
    try:
        with state.db.session() as db:
            account = db.get(Account, who.account_id)
            if account is None:
                raise AccountError("The current password is wrong.")
            set_password(account, password)
            current = token_hash(request.cookies.get(SESSION_COOKIE, ""))
            db.execute(
                delete(WebSession).where(
                    WebSession.account_id == account.id, WebSession.token_hash != current
                )
            )
            audit.record(db, who.username, "password_changed", f"account:{who.username}", address=who.address)
    except AccountError as error:
        return render(request, "password.html", status_code=400, error=str(error), notice="")
    return render(
        request, "password.html", error="", notice="Your password is changed; your other sessions have ended."
    )


routes = [
    Route("/accounts", accounts_page, methods=["GET"]),
    Route("/accounts", create, methods=["POST"]),
    Route("/accounts/{account_id:int}/role", change_role, methods=["POST"]),
    Route("/accounts/{account_id:int}/active", set_active, methods=["POST"]),
    Route("/accounts/{account_id:int}/password", reset_password, methods=["POST"]),
    Route("/password", own_password_page, methods=["GET"]),
    Route("/password", change_own_password, methods=["POST"]),
]
