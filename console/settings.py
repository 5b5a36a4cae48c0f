"""The console's settings: a TOML file (`--config`), then command-line options; each has a default
that makes `kiosk-console serve` work on one machine with nothing else."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class ConsoleSettingsError(ValueError):
    """A setting is wrong: the message names it."""


class ConsoleSettings(BaseModel):
    """Everything one console process needs to know."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Where the console keeps its SQLite database (the default) and other state.
    data_dir: Path = Path("console-data")
    #: SQLAlchemy URL; empty: sqlite in data_dir. PostgreSQL: postgresql://user@host/db.
    database: str = ""
    listen_host: str = "127.0.0.1"
    listen_port: int = Field(default=8080, ge=1, le=65535)
    #: Behind a reverse proxy: the proxies' addresses (comma-separated, or "*") whose
    #: X-Forwarded-For and X-Forwarded-Proto are believed; the client's address (sign-in rate
    #: limit, audit) is then the one the proxy saw. Empty: no proxy, the peer's address.
    forwarded_allow_ips: str = ""
    #: The fleet's broker (mqtt://host:port or mqtts://); empty: no live channel (pages show the
    #: database only and say so).
    broker: str = ""
    #: The console's own account at the broker: `console`, or `console-NAME` for each further process.
    broker_username: str = "console"
    broker_password_file: Path | None = None
    broker_ca_bundle: Path | None = None
    #: The command key (Ed25519 private key, PEM, from `kiosk fleet command-key`); none: no commands.
    command_key: Path | None = None
    #: The fleet's TUF repository folder (`kiosk fleet init`); none: no publishing.
    repository: Path | None = None
    #: An online kiosk not heard for this long is lost by the console's own clock.
    stale_after: float = Field(default=180.0, gt=0)
    #: Alerts: lost or offline longer than this, a device fault longer than that, sync failing.
    alert_offline_minutes: float = Field(default=10.0, ge=0)
    alert_fault_minutes: float = Field(default=15.0, ge=0)
    alert_sync_failures: int = Field(default=3, ge=1)
    #: Where alerts are POSTed as JSON; empty: shown in the console only.
    webhook_url: str = ""
    #: Staged rollout: the canary group, how long canaries must run a release before it reaches the
    #: rest, and how long they have to take it up before the rollout is stopped.
    canary_group: str = "canary"
    rollout_soak: float = Field(default=600.0, ge=0)
    rollout_deadline: float = Field(default=1800.0, gt=0)
    #: Session lifetimes (seconds): idle and absolute.
    session_idle: float = Field(default=1800.0, gt=0)
    session_max: float = Field(default=43200.0, gt=0)
    #: Sign-in rate limit: failures allowed per username and per client address in the window.
    login_failures_per_user: int = Field(default=5, ge=1)
    login_failures_per_address: int = Field(default=20, ge=1)
    login_window: float = Field(default=900.0, gt=0)
    #: The largest catalogue the publishing page takes (bytes); a bigger upload is refused before it
    #: is read. A reverse proxy in front needs at least this (nginx: client_max_body_size).
    max_upload_bytes: int = Field(default=200 * 1024 * 1024, ge=1)

    @property
    def database_url(self) -> str:
        return self.database or f"sqlite:///{(self.data_dir / 'console.db').resolve()}"


def load_console_settings(path: Path | None, overrides: dict[str, Any]) -> ConsoleSettings:
    """Settings from the TOML file at `path` (if any), then `overrides` (options given); raises
    ConsoleSettingsError naming the key."""
    values: dict[str, Any] = {}
    if path is not None:
        try:
            values.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise ConsoleSettingsError(f"{path}: {error}") from error
    values.update({key: value for key, value in overrides.items() if value is not None})
    try:
        return ConsoleSettings(**values)
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        raise ConsoleSettingsError(f"{key}: {first['msg']}") from error
