"""The named events of the kiosk: what happened, announced on the bus for anyone who cares.

Each event is a frozen record; its fields are its payload. Publishers build one
(`bus.publish(SessionEnded(session_id, "idle"))`) and subscribers take one
(`bus.subscribe(SessionEnded, on_ended)` with `def on_ended(event: SessionEnded)`), so mypy checks
both sides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk.records import CardKind

if TYPE_CHECKING:
    from kiosk.journey import Screen, View
    from kiosk.records import JobState
    from kiosk.settings import Settings
    from kiosk.sync.outcome import SyncReport
    from kiosk.technician.console import Mode


@dataclass(frozen=True)
class KioskEvent:
    """What every event is: a record of something that happened."""


# -- the resident's session (kiosk.session) -------------------------------------------------------


@dataclass(frozen=True)
class SessionStarted(KioskEvent):
    """A resident touched the attract screen; a session began."""

    session_id: str


@dataclass(frozen=True)
class SessionIdleWarning(KioskEvent):
    """The resident has been idle; the session ends in `remaining` seconds unless they act."""

    session_id: str | None
    remaining: float


@dataclass(frozen=True)
class SessionResumed(KioskEvent):
    """The resident acted during the warning; the countdown is over."""

    session_id: str | None


@dataclass(frozen=True)
class SessionIdentified(KioskEvent):
    """A card identified the resident."""

    session_id: str | None
    card: CardKind


@dataclass(frozen=True)
class SessionIdentityDropped(KioskEvent):
    """The identified part ended (card removed, reader lost); browsing goes on."""

    session_id: str | None
    reason: str


@dataclass(frozen=True)
class SessionEnded(KioskEvent):
    """The session ended and its personal data is gone."""

    session_id: str | None
    reason: str


# -- card reading (kiosk.identity) ---------------------------------------------------------------


@dataclass(frozen=True)
class IdentityReading(KioskEvent):
    """A card was placed or inserted and is being read."""

    card: CardKind


@dataclass(frozen=True)
class IdentityReadFailed(KioskEvent):
    """A card could not be read; the resident is told what to do (a message id)."""

    card: CardKind
    resident_message: str


# -- the screens (kiosk.journey) ------------------------------------------------------------------


@dataclass(frozen=True)
class Navigated(KioskEvent):
    """The journey moved to another screen, or changed what the current one shows."""

    screen: Screen
    view: View


# -- printing (kiosk.printing) -------------------------------------------------------------------


@dataclass(frozen=True)
class PrintSubmitted(KioskEvent):
    """A print job was accepted by the printer."""

    job_id: str
    title: str


@dataclass(frozen=True)
class PrintProgress(KioskEvent):
    """A print job's state changed."""

    job_id: str
    state: JobState


@dataclass(frozen=True)
class PrintCompleted(KioskEvent):
    """A print job completed."""

    job_id: str


@dataclass(frozen=True)
class PrintFailed(KioskEvent):
    """A print job failed: what the resident is told, and what the technician is told."""

    job_id: str | None
    resident_message: str
    technician_message: str


# -- sync and settings (kiosk.sync, kiosk.appliance) ---------------------------------------------


@dataclass(frozen=True)
class SyncCompleted(KioskEvent):
    """A sync brought the kiosk up to date."""

    report: SyncReport


@dataclass(frozen=True)
class SyncFailed(KioskEvent):
    """A sync failed; the kiosk stays on its last good state. `failures` in a row."""

    reason: str
    failures: int


@dataclass(frozen=True)
class RatingSubmitted(KioskEvent):
    """A resident rated the service (kiosk.rating_flow): its level, and the department and service
    it was about; nothing about the resident (no phone, no reasons typed, no case number)."""

    level: str
    department: str
    #: The guide's id; "case" for a rating of a case, "kiosk" for the service at the kiosk.
    service: str


@dataclass(frozen=True)
class SettingsChanged(KioskEvent):
    """New settings are in force (pushed configuration applied between sessions)."""

    settings: Settings


# -- devices -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceLost(KioskEvent):
    """A device ("id_reader", "sscard_reader", ...) could not be used (it is unavailable), and why."""

    device: str
    reason: str


@dataclass(frozen=True)
class DeviceBack(KioskEvent):
    """A device is usable (available) again."""

    device: str


# -- technician mode (kiosk.technician) ----------------------------------------------------------


@dataclass(frozen=True)
class TechnicianUpdated(KioskEvent):
    """Technician mode changed: PIN pad, a test started or finished, opened or closed."""

    mode: Mode


@dataclass(frozen=True)
class UiRestartRequested(KioskEvent):
    """A technician asked for the UI to restart: the UI exits non-zero and systemd starts it again."""


@dataclass(frozen=True)
class ScreenBlankRequested(KioskEvent):
    """The fleet asked for the screen to go black (`blank`: until it asks again) or to come back."""

    blank: bool


@dataclass(frozen=True)
class ScreenBlanked(KioskEvent):
    """The screen went black (the attract screen's quiet time, or the fleet's `blank`), or came back."""

    blank: bool


#: Every kind of event the kiosk fires.
EVENTS: tuple[type[KioskEvent], ...] = (
    SessionStarted,
    SessionIdleWarning,
    SessionResumed,
    SessionIdentified,
    SessionIdentityDropped,
    SessionEnded,
    IdentityReading,
    IdentityReadFailed,
    Navigated,
    PrintSubmitted,
    PrintProgress,
    PrintCompleted,
    PrintFailed,
    SyncCompleted,
    SyncFailed,
    SettingsChanged,
    DeviceLost,
    DeviceBack,
    TechnicianUpdated,
    UiRestartRequested,
    ScreenBlankRequested,
    ScreenBlanked,
)
