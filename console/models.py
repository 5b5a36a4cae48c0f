"""The console's tables (SQLAlchemy 2, typed). Times are Unix seconds, as on the fleet channel.

Changing a table means a new Alembic migration in console/migrations/versions.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map: dict[Any, Any] = {dict[str, Any]: JSON, list[Any]: JSON}  # noqa: RUF012


class Role(StrEnum):
    """What an administrator may do; each role may do everything the ones before it may."""

    VIEWER = "viewer"
    #: Commands to kiosks (sync now, restart the UI, blank, logs, screenshot, reboot).
    OPERATOR = "operator"
    #: Content, configuration and rollouts.
    PUBLISHER = "publisher"
    #: Accounts.
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


class Account(Base):
    """An administrator: a name, an argon2 hash, a role."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    #: The console's language for this administrator: "zh_CN" or "en" ("" follows the browser).
    language: Mapped[str] = mapped_column(String(8), default="")
    created_at: Mapped[float] = mapped_column(Float)


class WebSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    #: The CSRF token every form and script of this session sends back.
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Float)
    last_seen: Mapped[float] = mapped_column(Float)


class LoginAttempt(Base):
    """A failed sign-in, counted by username and by client address for the rate limit."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: "user:<name>" or "addr:<client address>".
    key: Mapped[str] = mapped_column(String(128), index=True)
    at: Mapped[float] = mapped_column(Float, index=True)


class AuditEntry(Base):
    """Who did what, when: every action in the console, sign-ins included."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[float] = mapped_column(Float, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    #: What it was done to: "kiosk:<id>", "account:<name>", "publication:<id>", "" for none.
    target: Mapped[str] = mapped_column(String(128), default="", index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    address: Mapped[str] = mapped_column(String(64), default="")


class Kiosk(Base):
    """One kiosk as the fleet channel last told it (and as the console's clock judges it)."""

    __tablename__ = "kiosks"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    site: Mapped[str] = mapped_column(String(200), default="")
    group: Mapped[str] = mapped_column("sync_group", String(64), default="", index=True)
    #: online / offline / lost, from `status`.
    state: Mapped[str] = mapped_column(String(16), default="offline", index=True)
    #: The `session` of the status in force: an older session's message never overrides it.
    session: Mapped[int] = mapped_column(Integer, default=-1)
    state_since: Mapped[float] = mapped_column(Float, default=0.0)
    #: When the console last heard anything from the kiosk.
    last_seen: Mapped[float] = mapped_column(Float, default=0.0, index=True)
    reported: Mapped[dict[str, Any]] = mapped_column(default=dict)
    telemetry: Mapped[dict[str, Any]] = mapped_column(default=dict)
    software: Mapped[str] = mapped_column(String(64), default="")
    catalogue_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    config_version: Mapped[str] = mapped_column(String(255), default="")
    screen: Mapped[str] = mapped_column(String(16), default="")
    #: Device faults in words, e.g. ["printer: media-empty", "id_reader: absent"]; [] when all is well.
    problems: Mapped[list[Any]] = mapped_column(default=list)
    #: Since when the oldest current fault has lasted (None: no fault).
    fault_since: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_sync: Mapped[float | None] = mapped_column(Float, nullable=True)
    sync_error: Mapped[str] = mapped_column(Text, default="")
    visits_today: Mapped[int] = mapped_column(Integer, default=0)
    prints_today: Mapped[int] = mapped_column(Integer, default=0)
    #: When this row last changed (the live stream sends rows changed after its cursor).
    updated_at: Mapped[float] = mapped_column(Float, default=0.0, index=True)


class KioskEvent(Base):
    """An event a kiosk raised (at-least-once on the channel: a repeat is the same row)."""

    __tablename__ = "kiosk_events"
    __table_args__ = (
        UniqueConstraint("kiosk_id", "type", "at", name="uq_event_once"),
        Index("ix_event_type_at", "type", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(64), index=True)
    type: Mapped[str] = mapped_column(String(64))
    at: Mapped[float] = mapped_column(Float)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_at: Mapped[float] = mapped_column(Float)
    #: The kiosk's date at `at` (YYYY-MM-DD, its own time zone, as the day's tally): the ratings'
    #: day, the same as the visits'.
    day: Mapped[str] = mapped_column(String(10), default="")


class CommandState(StrEnum):
    SENT = "sent"
    OK = "ok"
    FAILED = "failed"
    #: Not answered before it expired.
    EXPIRED = "expired"


class Command(Base):
    """A signed command the console sent, and its result."""

    __tablename__ = "commands"

    req: Mapped[str] = mapped_column(String(64), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(64), index=True)
    command: Mapped[str] = mapped_column(String(32))
    args: Mapped[dict[str, Any]] = mapped_column(default=dict)
    issued_by: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[float] = mapped_column(Float, index=True)
    expires_at: Mapped[float] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(16), default=CommandState.SENT.value)
    #: The result's `result` object (without a screenshot's PNG) or {}.
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: A screenshot's PNG (the attract screen only: kiosks refuse one during a session).
    png: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class DailyTally(Base):
    """Visits and prints of one kiosk on one day (its local day, from telemetry)."""

    __tablename__ = "daily_tally"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    visits: Mapped[int] = mapped_column(Integer, default=0)
    prints: Mapped[int] = mapped_column(Integer, default=0)


class AlertKind(StrEnum):
    LOST = "lost"
    OFFLINE = "offline"
    DEVICE_FAULT = "device_fault"
    SYNC_FAILING = "sync_failing"


class Alert(Base):
    """A condition that lasted past its threshold; closed when it clears."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alert_open", "kiosk_id", "kind", "closed_at"),
        #: One open alert of a kind per kiosk (migration 0002), whatever processes evaluate.
        Index(
            "uq_alert_open_once",
            "kiosk_id",
            "kind",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    #: What it is about in words (a device and its reason, the sync error).
    detail: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[float] = mapped_column(Float, index=True)
    closed_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: When the webhook took it (None: not yet, or no webhook).
    notified_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: When the webhook took its opening (None: not yet): a closing is sent only after it.
    opened_notified_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    notify_error: Mapped[str] = mapped_column(Text, default="")


class PublicationState(StrEnum):
    #: Published to its canary group only.
    CANARY = "canary"
    #: Published to its whole scope.
    PUBLISHED = "published"
    #: Stopped: the canaries went back to what the rest run.
    ABORTED = "aborted"


class Publication(Base):
    """A catalogue or configuration publication, and its staged rollout."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: "catalogue" or "config".
    kind: Mapped[str] = mapped_column(String(16))
    #: "all", "group" or "kiosk" (a catalogue is always "all").
    scope: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64), default="")
    #: What kiosks report once they run it: the catalogue version, or the config file's short hash.
    version: Mapped[str] = mapped_column(String(64))
    #: The content (a configuration's TOML; a catalogue's is in the repository).
    content: Mapped[str] = mapped_column(Text, default="")
    canary_group: Mapped[str] = mapped_column(String(64), default="")
    #: The canaries: the group's kiosks heard (online, within stale_after) when the rollout started
    #: ([] for a rollout staged before migration 0003: every kiosk of the group).
    canaries: Mapped[list[Any]] = mapped_column(default=list)
    state: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Float)
    #: When the canaries all ran it (the soak starts).
    canaries_ready_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    finished_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: Why it was stopped, or who promoted it.
    reason: Mapped[str] = mapped_column(Text, default="")
