"""The named events of the kiosk: what happened, announced on the bus for anyone who cares."""

from __future__ import annotations

from enum import StrEnum


class Event(StrEnum):
    """Every event the kiosk fires. Payload keys are listed with each."""

    #: A resident touched the attract screen; a session began. session_id
    SESSION_STARTED = "session.started"
    #: The resident has been idle; the session ends in `remaining` seconds unless they act.
    #: session_id, remaining
    SESSION_IDLE_WARNING = "session.idle_warning"
    #: The resident acted during the warning; the countdown is over. session_id
    SESSION_RESUMED = "session.resumed"
    #: A card identified the resident. session_id, method ("id_card" | "sscard")
    SESSION_IDENTIFIED = "session.identified"
    #: The identified part ended (card removed); browsing goes on. session_id, reason
    SESSION_IDENTITY_DROPPED = "session.identity_dropped"
    #: The session ended and its personal data is gone. session_id, reason
    SESSION_ENDED = "session.ended"

    #: A card was placed or inserted and is being read. method ("id_card" | "sscard")
    IDENTITY_READING = "identity.reading"
    #: A card could not be read; the resident is told what to do. method, resident_message
    IDENTITY_READ_FAILED = "identity.read_failed"

    #: The resident moved to another screen. screen, params
    NAVIGATED = "ui.navigated"

    #: A print job was accepted by the printer. job_id, title
    PRINT_SUBMITTED = "print.submitted"
    #: A print job's state changed. job_id, state
    PRINT_PROGRESS = "print.progress"
    #: A print job completed. job_id
    PRINT_COMPLETED = "print.completed"
    #: A print job failed. job_id, resident_message, technician_message
    PRINT_FAILED = "print.failed"

    #: A sync brought the kiosk up to date. report (kiosk.sync.SyncReport)
    SYNC_COMPLETED = "sync.completed"
    #: A sync failed; the kiosk stays on its last good state. reason, failures
    SYNC_FAILED = "sync.failed"
    #: New settings are in force (pushed configuration applied between sessions). settings
    SETTINGS_CHANGED = "settings.changed"

    #: A device could not be used. device, reason
    DEVICE_UNAVAILABLE = "device.unavailable"
    #: A device is usable again. device
    DEVICE_AVAILABLE = "device.available"

    #: Technician mode changed: PIN pad, a test started or finished, opened or closed. mode
    TECHNICIAN_UPDATED = "technician.updated"
    #: A technician asked for the UI to restart: the UI exits non-zero and systemd starts it again.
    UI_RESTART_REQUESTED = "ui.restart_requested"
