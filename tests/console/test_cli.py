"""`kiosk-console`: every command and option explained; `create-admin` makes the first administrator
(no default password exists), refuses a weak password and a taken name, and is audited."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from console.accounts import authenticate
from console.cli import main
from console.db import Database
from console.models import Account, AuditEntry
from tests.cli_commands import all_commands

PASSWORD = "a long enough secret"


@pytest.mark.parametrize(
    ("path", "command"), all_commands(main), ids=lambda v: " ".join(v) if isinstance(v, tuple) else ""
)
def test_every_command_and_option_is_documented(path: tuple[str, ...], command: click.Command) -> None:
    assert command.help, f"kiosk-console {' '.join(path)} has no help text"
    for parameter in command.params:
        if isinstance(parameter, click.Option):
            assert parameter.help, f"kiosk-console {' '.join(path)} {parameter.opts[0]} has no help text"
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_the_commands_are_listed() -> None:
    assert {"serve", "migrate", "create-admin"} <= {path[0] for path, _ in all_commands(main)}


def password_file(tmp_path: Path, password: str) -> Path:
    path = tmp_path / "password"
    path.write_text(password + "\n", encoding="utf-8")
    return path


def create_admin(db: Database, *args: str, stdin: str | None = None) -> click.testing.Result:
    return CliRunner().invoke(main, ["create-admin", "--database", db.url, *args], input=stdin)


def test_create_admin_makes_an_admin_with_the_password_from_a_file(
    console_db: Database, tmp_path: Path
) -> None:
    result = create_admin(console_db, "wang", "--password-file", str(password_file(tmp_path, PASSWORD)))
    assert result.exit_code == 0, result.output
    assert "account wang (admin) created" in result.output
    with console_db.session() as db:
        account = authenticate(db, "wang", PASSWORD)
        assert account is not None and account.role == "admin" and account.active
        assert account.password_hash.startswith("$argon2id$")
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "account_created"))
    assert entry is not None
    assert (entry.actor, entry.target, entry.detail) == ("(command line)", "account:wang", {"role": "admin"})


def test_create_admin_reads_standard_input_and_takes_a_role(console_db: Database) -> None:
    result = create_admin(console_db, "li", "--role", "viewer", "--password-file", "-", stdin=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    with console_db.session() as db:
        account = authenticate(db, "li", PASSWORD)
    assert account is not None and account.role == "viewer"


def test_create_admin_asks_twice_without_a_file(console_db: Database) -> None:
    result = create_admin(console_db, "li", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    with console_db.session() as db:
        assert authenticate(db, "li", PASSWORD) is not None


@pytest.mark.parametrize(
    ("password", "why"), [("short", "at least 12"), ("wangwangwangwang", "not be the username")]
)
def test_create_admin_refuses_a_weak_password(
    console_db: Database, tmp_path: Path, password: str, why: str
) -> None:
    username = "wangwangwangwang" if "username" in why else "wang"
    result = create_admin(console_db, username, "--password-file", str(password_file(tmp_path, password)))
    assert result.exit_code == 1
    assert why in result.output
    with console_db.session() as db:
        assert db.scalars(select(Account)).all() == []
        assert db.scalars(select(AuditEntry)).all() == []


def test_create_admin_refuses_a_taken_name(console_db: Database, tmp_path: Path) -> None:
    file = str(password_file(tmp_path, PASSWORD))
    assert create_admin(console_db, "wang", "--password-file", file).exit_code == 0
    again = create_admin(console_db, "wang", "--role", "viewer", "--password-file", file)
    assert again.exit_code == 1
    assert "taken" in again.output
    with console_db.session() as db:
        accounts = db.scalars(select(Account)).all()
        created = db.scalars(select(AuditEntry).where(AuditEntry.action == "account_created")).all()
    assert [(a.username, a.role) for a in accounts] == [("wang", "admin")]
    assert len(created) == 1


@pytest.mark.parametrize("command", ["serve", "migrate"])
def test_a_database_the_console_cannot_use_is_said_in_one_line(command: str, tmp_path: Path) -> None:
    for url in ("garbage://x", "postgresql://nobody@127.0.0.1:1/none"):
        result = CliRunner().invoke(main, [command, "--data-dir", str(tmp_path), "--database", url])
        assert result.exit_code == 1, result.output
        assert f"cannot open the database {url}: " in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
