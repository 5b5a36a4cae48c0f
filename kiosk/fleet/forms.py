"""What crosses the fleet channel: its topics and the exact forms of its messages (version 1)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

#: Every topic of the channel starts here; a new version of the forms gets a new root.
TOPIC_ROOT = "kiosk/v1"


class Presence(StrEnum):
    """What `status` says of a kiosk."""

    ONLINE = "online"
    #: Stopped cleanly: it said so itself before it went.
    OFFLINE = "offline"
    #: Gone without a word: the broker published the kiosk's will.
    LOST = "lost"


class ScreenState(StrEnum):
    """What the kiosk's screen is doing, as `reported.screen` says."""

    ATTRACT = "attract"
    #: A resident is in a session.
    IN_USE = "in_use"
    BLANK = "blank"
    TECHNICIAN = "technician"


class EventType(StrEnum):
    """The `type` of an event."""

    PRINTER_PAPER_OUT = "printer_paper_out"
    PRINTER_JAMMED = "printer_jammed"
    #: The printer prints again (after paper out, a jam or an outage).
    PRINTER_BACK = "printer_back"
    PRINTER_LOST = "printer_lost"
    READER_LOST = "reader_lost"
    READER_BACK = "reader_back"
    SYNC_FAILED = "sync_failed"
    TECHNICIAN_MODE_ENTERED = "technician_mode_entered"
    #: A `reboot` command was accepted but the machine did not reboot (its command failed).
    REBOOT_FAILED = "reboot_failed"
    #: The outbox was full while the broker was away: this many older events were dropped.
    EVENTS_DROPPED = "events_dropped"
    #: A resident rated the service: {"level", "department", "service"}, nothing about the resident.
    SERVICE_RATED = "service_rated"


@dataclass(frozen=True)
class Topics:
    """The topics of one kiosk."""

    kiosk_id: str

    @property
    def base(self) -> str:
        return f"{TOPIC_ROOT}/{self.kiosk_id}"

    @property
    def status(self) -> str:
        return f"{self.base}/status"

    @property
    def reported(self) -> str:
        return f"{self.base}/reported"

    @property
    def telemetry(self) -> str:
        return f"{self.base}/telemetry"

    @property
    def event(self) -> str:
        return f"{self.base}/event"

    @property
    def commands(self) -> str:
        """The filter the kiosk subscribes to: every command written to it."""
        return f"{self.base}/cmd/+"

    def command(self, req: str) -> str:
        return f"{self.base}/cmd/{req}"

    def result(self, req: str) -> str:
        return f"{self.base}/result/{req}"


def broker_address(url: str) -> tuple[str, int, bool]:
    """(host, port, tls) of `mqtt://host:port` or `mqtts://host:port`; the port defaults to 1883,
    or 8883 with TLS."""
    parts = urlsplit(url)
    tls = parts.scheme == "mqtts"
    return parts.hostname or "", parts.port or (8883 if tls else 1883), tls


def encode(payload: dict[str, Any]) -> bytes:
    """A message's bytes: compact UTF-8 JSON."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def status_payload(state: Presence, session: int, at: float) -> dict[str, Any]:
    """`status`: {"state", "session", "at"} (Unix seconds)."""
    return {"state": state.value, "session": session, "at": round(at, 3)}


def result_ok(req: str, result: dict[str, Any]) -> dict[str, Any]:
    """A command's result when it was carried out."""
    return {"req": req, "ok": True, "result": result}


def result_error(req: str, error: str) -> dict[str, Any]:
    """A command's result when it was refused or failed: `error` says why in words."""
    return {"req": req, "ok": False, "error": error}


def event_payload(kind: EventType, at: float, **details: Any) -> dict[str, Any]:
    """An event: {"type", "at", ...details}; details name devices and reasons, never a resident."""
    return {"type": kind.value, "at": round(at, 3), **details}
