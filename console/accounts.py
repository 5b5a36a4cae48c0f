"""Administrators' accounts: argon2 password hashes, roles, and the checks a new password must pass."""

from __future__ import annotations

import time
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.models import Account, Role

_HASHER = PasswordHasher()
#: Verified when the username is unknown, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")
MIN_PASSWORD = 12


class AccountError(ValueError):
    """An account cannot be created or changed as asked: the message says why."""


def name_key(username: str) -> str:
    """The form in which two usernames are the same name: NFKC, case-folded (`Admin` is `admin`).
    Usernames are unique in this form, and the sign-in rate limit counts failures by it."""
    return unicodedata.normalize("NFKC", username.strip()).casefold()


def check_password(password: str, username: str) -> None:
    """Raise AccountError unless `password` is long enough and not the username."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    if password.strip().lower() == username.strip().lower():
        raise AccountError("a password must not be the username")


def create_account(db: Session, username: str, password: str, role: Role) -> Account:
    """A new active account; raises AccountError for a taken name or a weak password."""
    username = username.strip()
    if not username or len(username) > 64 or not username.isprintable():
        raise AccountError("a username is 1 to 64 printable characters")
    check_password(password, username)
    # Unique without regard to case or compatibility forms: `Admin` is refused while `admin` exists,
    # so that the audit log's names and the rate limit's keys each mean one account.
    key = name_key(username)
    if any(name_key(taken) == key for taken in db.scalars(select(Account.username))):
        raise AccountError(f"the username {username!r} is taken")
    account = Account(
        username=username, password_hash=_HASHER.hash(password), role=role.value, created_at=time.time()
    )
    db.add(account)
    db.flush()
    return account


def set_password(account: Account, password: str) -> None:
    check_password(password, account.username)
    account.password_hash = _HASHER.hash(password)


def authenticate(db: Session, username: str, password: str) -> Account | None:
    """The active account with this name and password, else None (in the same time either way).

    The name must be the account's exactly (case included); the rate limit counts failures by
    name_key, which names one account only because usernames are unique in that form."""
    account = db.scalar(select(Account).where(Account.username == username.strip()))
    try:
        _HASHER.verify(account.password_hash if account else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if account is None or not account.active:
        return None
    if _HASHER.check_needs_rehash(account.password_hash):
        account.password_hash = _HASHER.hash(password)
    return account
