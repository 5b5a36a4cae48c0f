"""What the fleet channel's messages change in the console's tables.

The pure part turns one message (topic, payload, arrival time) into changes: `parse` checks its
form, `kiosk_changes` gives the Kiosk row's new column values, `tally_row`, `event_row` and
`result_changes` the DailyTally, KioskEvent and Command rows. `apply_batch` writes a batch of
messages in one transaction, idempotently: the same messages applied twice (by two console
processes, or after a reconnect's retained copies) leave the same rows.

Order of `status`: within one connection (`session`) a kiosk goes online, then lost or offline,
never back; so a status is in force when (session, online=0 / lost or offline=1) is higher than the
row's. An older session's `lost` (a late will) never overrides a newer `online`, whatever order two
processes see them in.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from console.models import Command, CommandState, DailyTally, Kiosk, KioskEvent
from kiosk.fleet.forms import TOPIC_ROOT, EventType, Presence
from kiosk.records.rating import RatingLevel

log = logging.getLogger(__name__)

KINDS = ("status", "reported", "telemetry", "event", "result")
#: Within one session: online first, then lost or offline.
_RANK = {Presence.ONLINE.value: 0, Presence.OFFLINE.value: 1, Presence.LOST.value: 1}
#: Device states that are not a fault.
_FINE = {"ok", "idle", "printing"}
_SUFFIXES = ("-error", "-warning", "-report")
#: Rows in one multi-row INSERT.
ROWS_PER_STATEMENT = 500
#: A lower session's `online` opened this many seconds after the state in force began is a
#: reinstalled kiosk (its session counter starts again from 1), not a late message.
REINSTALL_MARGIN = 60.0
#: The largest whole number the console stores: its Integer columns are 32-bit on PostgreSQL.
MAX_INTEGER = 2**31 - 1
#: A `service_rated` event's levels: the kiosk's own (any other is skipped, its content not logged).
RATING_LEVELS = frozenset(level.value for level in RatingLevel)
#: The longest department or service name kept from a `service_rated` event.
RATED_NAME_MAX = 128


class Malformed(ValueError):
    """A message not in the channel's forms; the text says what is wrong, never the content."""


@dataclass(frozen=True)
class Message:
    """One message of the channel, its form checked."""

    kiosk_id: str
    kind: str
    body: dict[str, Any]
    arrival: float
    #: A result's request id (from the topic); "" for the other kinds.
    req: str = ""
    #: The broker's retained copy, delivered at (re)connection: not heard now.
    retain: bool = False


def _reject_constant(name: str) -> Any:
    raise Malformed(f"{name} is not a number JSON allows")


def parse(topic: str, payload: bytes, arrival: float, retain: bool = False) -> Message:
    """The message on `topic`; raises Malformed when the topic or the payload is not in form."""
    parts = topic.split("/")
    root = TOPIC_ROOT.split("/")
    if parts[: len(root)] != root or len(parts) < len(root) + 2:
        raise Malformed("not a kiosk topic")
    kiosk_id, kind, rest = parts[len(root)], parts[len(root) + 1], parts[len(root) + 2 :]
    if not kiosk_id or len(kiosk_id) > 64 or kind not in KINDS:
        raise Malformed(f"not a topic the console reads ({kind})")
    req = ""
    if kind == "result":
        if len(rest) != 1 or not rest[0] or len(rest[0]) > 64:
            raise Malformed("a result's topic names no request")
        req = rest[0]
    elif rest:
        raise Malformed("a topic with levels past its kind")
    try:
        body = json.loads(payload.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Malformed(f"{kind}: not UTF-8 JSON ({type(error).__name__})") from None
    except RecursionError:
        raise Malformed(f"{kind}: nested too deep") from None
    if not isinstance(body, dict):
        raise Malformed(f"{kind}: not a JSON object")
    return Message(kiosk_id=kiosk_id, kind=kind, body=body, arrival=arrival, req=req, retain=retain)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _whole(value: Any) -> int | None:
    """`value` when it is a whole number the console can store (0..MAX_INTEGER), else None."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_INTEGER:
        return value
    return None


def _count(value: Any) -> int:
    return _whole(value) or 0


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# -- the Kiosk row ---------------------------------------------------------------------------------


def problems(devices: Mapping[str, Any]) -> list[str]:
    """Device faults in words, e.g. ["id_reader: absent", "printer: media-empty"]; [] when all is well.

    A printer's CUPS reasons name its fault (without their -error/-warning suffix); a device with
    no reason says its state (absent, stopped, out_of_service).
    """
    found: list[str] = []
    for name in sorted(devices):
        entry = devices[name]
        if not isinstance(entry, dict):
            continue
        state = entry.get("state")
        if not isinstance(state, str) or state in _FINE:
            continue
        reasons = entry.get("reasons")
        words = sorted(
            {
                _strip_suffix(reason)
                for reason in (reasons if isinstance(reasons, list) else [])
                if isinstance(reason, str) and reason and reason != "none"
            }
        )
        if state == "stopped" and words:
            found.extend(f"{name}: {word}" for word in words)
        else:
            found.append(f"{name}: {state}")
    return found


def _strip_suffix(reason: str) -> str:
    for suffix in _SUFFIXES:
        if reason.endswith(suffix):
            return reason.removesuffix(suffix)
    return reason


def status_columns(row: Mapping[str, Any], message: Message) -> dict[str, Any]:
    """The columns a `status` sets, or {} when it is not newer than the one in force."""
    body = message.body
    state, session = body.get("state"), body.get("session")
    if state not in _RANK:
        raise Malformed("status: no known state")
    if _whole(session) is None:
        raise Malformed(f"status: session is not a whole number from 0 to {MAX_INTEGER}")
    current = (int(row.get("session", -1)), _RANK.get(str(row.get("state")), 1))
    at = _number(body.get("at"))
    if (session, _RANK[state]) <= current and not _reinstalled(row, state, at):
        return {}
    if _from_before(row, state, at):
        return {}
    # A will's `at` is when its connection opened: a lost kiosk is lost since the broker said so,
    # or, for the broker's retained copy, at least since that connection opened.
    if at is None:
        since = message.arrival
    elif state == Presence.LOST.value:
        since = min(at, message.arrival) if message.retain else message.arrival
    else:
        since = at
    return {"state": state, "session": session, "state_since": since}


def _reinstalled(row: Mapping[str, Any], state: str, at: float | None) -> bool:
    """Whether a status of a lower (or equal) session is a reinstalled kiosk counting from 1 again:
    an `online` whose connection opened (`at`) clearly after the state in force began. A late will
    or a late `online` of an older connection never is: its connection opened before the newer one's
    (`at` earlier), and the state that followed it began later still."""
    if state != Presence.ONLINE.value or at is None:
        return False
    since = row.get("state_since")
    return isinstance(since, int | float) and since > 0 and at > float(since) + REINSTALL_MARGIN


def _from_before(row: Mapping[str, Any], state: str, at: float | None) -> bool:
    """Whether a `lost` or `offline` comes from a connection older than the `online` in force (a late
    will from before a reinstall, whose session count may be higher): its `at` (a will's: when its
    connection opened; an offline's: when it closed) is clearly earlier than that online's."""
    if state == Presence.ONLINE.value or at is None or row.get("state") != Presence.ONLINE.value:
        return False
    since = row.get("state_since")
    return isinstance(since, int | float) and at < float(since) - REINSTALL_MARGIN


def reported_columns(row: Mapping[str, Any], message: Message) -> dict[str, Any]:
    """The columns `reported` sets: itself whole, and what the console's pages sort and filter by."""
    body = message.body
    catalogue = _object(body.get("catalogue")).get("version")
    found = problems(_object(body.get("devices")))
    fault_since = None
    if found:
        fault_since = row.get("fault_since") if row.get("problems") else None
        fault_since = fault_since if fault_since is not None else message.arrival
    site = _object(body.get("site"))
    sync = _object(body.get("sync"))
    return {
        "reported": body,
        "software": _text(_object(body.get("software")).get("version"), 64),
        "catalogue_version": _whole(catalogue),
        "config_version": _text(_object(body.get("config")).get("version"), 255),
        "screen": _text(body.get("screen"), 16),
        "problems": found,
        "fault_since": fault_since,
        "site": _text(site.get("name"), 200),
        "group": _text(site.get("group"), 64),
        "last_sync": _number(sync.get("at")),
        "sync_error": _text(sync.get("error"), 4000),
    }


def telemetry_columns(message: Message) -> dict[str, Any]:
    body = message.body
    return {
        "telemetry": body,
        "visits_today": _count(body.get("visits_today")),
        "prints_today": _count(body.get("prints_today")),
    }


def kiosk_changes(row: Mapping[str, Any], message: Message, now: float | None = None) -> dict[str, Any]:
    """The Kiosk columns `message` changes, given the row's current values (a new row: {});
    `updated_at` (= `now`, default the arrival) whenever anything changes, `last_seen` included."""
    new: dict[str, Any] = {}
    if message.kind == "status":
        new.update(status_columns(row, message))
    elif message.kind == "reported":
        new.update(reported_columns(row, message))
    elif message.kind == "telemetry":
        new.update(telemetry_columns(message))
    new["last_seen"] = max(float(row.get("last_seen") or 0.0), heard_at(message))
    changed = {key: value for key, value in new.items() if key not in row or row[key] != value}
    if changed:
        changed["updated_at"] = message.arrival if now is None else now
    return changed


def heard_at(message: Message) -> float:
    """When the kiosk was last heard, by this message: its arrival; for the broker's retained copy
    (delivered at each (re)connection of the console), the time it says it was sent, never later
    than its arrival, or never (0) when it says none: a silent kiosk stays silent."""
    if not message.retain:
        return message.arrival
    at = _number(message.body.get("at"))
    return min(at, message.arrival) if at is not None else 0.0


def kiosk_day(reported: Mapping[str, Any], at: float) -> str:
    """The kiosk's date at `at` (YYYY-MM-DD), in the time zone it reports (the console's own when
    it reports none the console knows)."""
    zone_name = _object(reported.get("clock")).get("timezone")
    zone = None
    if isinstance(zone_name, str) and zone_name:
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            zone = None
    moment = datetime.fromtimestamp(at, zone) if zone is not None else datetime.fromtimestamp(at).astimezone()
    return moment.date().isoformat()


def tally_row(row: Mapping[str, Any], message: Message) -> dict[str, Any] | None:
    """The DailyTally a telemetry sets (today's counts, by the kiosk's day), else None."""
    if message.kind != "telemetry":
        return None
    columns = telemetry_columns(message)
    return {
        "day": kiosk_day(_object(row.get("reported")), message.arrival),
        "kiosk_id": message.kiosk_id,
        "visits": columns["visits_today"],
        "prints": columns["prints_today"],
    }


def event_row(message: Message, reported: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The KioskEvent of an `event` message (its day by the clock the kiosk `reported`)."""
    body = message.body
    kind, at = body.get("type"), _number(body.get("at"))
    if not isinstance(kind, str) or not kind or len(kind) > 64:
        raise Malformed("event: no type")
    if at is None:
        raise Malformed("event: no time")
    details = {key: value for key, value in body.items() if key not in {"type", "at"}}
    if kind == EventType.SERVICE_RATED.value:
        if details.get("level") not in RATING_LEVELS:
            raise Malformed("service_rated: not one of the kiosk's rating levels")
        details["department"] = _text(details.get("department"), RATED_NAME_MAX)
        details["service"] = _text(details.get("service"), RATED_NAME_MAX)
    return {
        "kiosk_id": message.kiosk_id,
        "type": kind,
        "at": at,
        "details": details,
        "received_at": message.arrival,
        "day": kiosk_day(reported or {}, at),
    }


def result_changes(message: Message) -> dict[str, Any]:
    """The Command columns a `result` sets (a screenshot's PNG decoded into `png`, not kept in `result`)."""
    body = message.body
    ok = body.get("ok")
    if not isinstance(ok, bool):
        raise Malformed("result: ok is not true or false")
    changes: dict[str, Any] = {"answered_at": message.arrival, "png": None}
    if ok:
        result = dict(_object(body.get("result")))
        png_text = result.pop("png_base64", None)
        changes.update(state=CommandState.OK.value, result=result, error="")
        if png_text is not None:
            try:
                changes["png"] = base64.b64decode(str(png_text), validate=True)
            except (binascii.Error, ValueError):
                changes.update(state=CommandState.FAILED.value, error="the screenshot's PNG was not base64")
    else:
        error = body.get("error")
        changes.update(
            state=CommandState.FAILED.value,
            result={},
            error=error[:4000] if isinstance(error, str) and error else "failed (no reason given)",
        )
    return changes


# -- writing a batch -------------------------------------------------------------------------------

_COLUMNS = (
    "state",
    "session",
    "state_since",
    "last_seen",
    "reported",
    "telemetry",
    "software",
    "catalogue_version",
    "config_version",
    "screen",
    "problems",
    "fault_since",
    "site",
    "group",
    "last_sync",
    "sync_error",
    "visits_today",
    "prints_today",
    "updated_at",
)


@dataclass
class BatchOutcome:
    """What a batch did (for the log and the tests)."""

    kiosks_changed: set[str] = field(default_factory=set)
    events: int = 0
    results: int = 0
    malformed: int = 0


def _insert(session: Session, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return postgresql_insert(table) if dialect == "postgresql" else sqlite_insert(table)


def apply_batch(session: Session, messages: Sequence[Message], now: float) -> BatchOutcome:
    """Write `messages` (in their order) in `session`'s transaction; `now` is the rows' updated_at.

    Kiosk rows are created when first heard of and locked (PostgreSQL: FOR UPDATE, by id) for the
    batch, so two processes applying the same messages never interleave on one row. A message that
    is malformed in a way only its kind's reading finds is logged and skipped.
    """
    outcome = BatchOutcome()
    ids = sorted({message.kiosk_id for message in messages})
    if not ids:
        return outcome
    known = set(session.scalars(select(Kiosk.id).where(Kiosk.id.in_(ids))))
    for chunk in _chunks([{"id": kiosk_id} for kiosk_id in ids if kiosk_id not in known]):
        session.execute(_insert(session, Kiosk).values(chunk).on_conflict_do_nothing())
    rows = {
        kiosk.id: kiosk
        for kiosk in session.scalars(
            select(Kiosk).where(Kiosk.id.in_(ids)).order_by(Kiosk.id).with_for_update()
        )
    }
    events: dict[tuple[str, str, float], dict[str, Any]] = {}
    tallies: dict[tuple[str, str], dict[str, Any]] = {}
    results: dict[tuple[str, str], dict[str, Any]] = {}
    for message in messages:
        kiosk = rows[message.kiosk_id]
        current = {name: getattr(kiosk, name) for name in _COLUMNS}
        try:
            changes = kiosk_changes(current, message, now)
            tally = tally_row({**current, **changes}, message)
            event = event_row(message, _object(current["reported"])) if message.kind == "event" else None
            result = result_changes(message) if message.kind == "result" else None
        except Malformed as error:
            log.warning("skipped a malformed message from kiosk %s: %s", message.kiosk_id, error)
            outcome.malformed += 1
            continue
        for name, value in changes.items():
            setattr(kiosk, name, value)
        if changes:
            outcome.kiosks_changed.add(kiosk.id)
        if tally is not None:
            tallies[(tally["day"], tally["kiosk_id"])] = tally
        if event is not None:
            events.setdefault((event["kiosk_id"], event["type"], event["at"]), event)
        if result is not None:
            results.setdefault((message.req, message.kiosk_id), result)
    session.flush()
    # Rows in key order: two processes writing the same batch take their locks in the same order.
    for (req, kiosk_id), result in sorted(results.items()):
        answered = session.execute(
            update(Command)
            .where(Command.req == req, Command.kiosk_id == kiosk_id, Command.answered_at.is_(None))
            .values(**result)
        )
        outcome.results += answered.rowcount  # type: ignore[attr-defined]
    for chunk in _chunks([events[key] for key in sorted(events)]):
        inserted = session.execute(
            _insert(session, KioskEvent).values(chunk).on_conflict_do_nothing().returning(KioskEvent.id)
        )
        outcome.events += len(inserted.all())
    for chunk in _chunks([tallies[key] for key in sorted(tallies)]):
        statement = _insert(session, DailyTally).values(chunk)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["day", "kiosk_id"],
                set_={"visits": statement.excluded.visits, "prints": statement.excluded.prints},
            )
        )
    return outcome


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Rows in groups small enough for one statement (PostgreSQL takes at most 65,535 parameters,
    SQLite 32,766; a Kiosk row has 17 columns)."""
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        yield rows[start : start + ROWS_PER_STATEMENT]


def effective_state(kiosk: Kiosk, now: float, stale_after: float) -> tuple[str, float]:
    """(state, since) as the console shows it: an online kiosk not heard for `stale_after` seconds
    is lost ("silent") since it was last heard, whatever the broker says."""
    if kiosk.state == Presence.ONLINE.value and now - kiosk.last_seen > stale_after:
        return Presence.LOST.value, kiosk.last_seen
    return kiosk.state, kiosk.state_since
