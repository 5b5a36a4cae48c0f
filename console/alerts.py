"""Alerts: conditions that lasted past their threshold, opened and closed by a periodic job, and
POSTed to a webhook once when they open and once when they close.

A kiosk is alerted when it is lost (the broker said so, or the console has not heard it for
`stale_after` while it was online) or offline for longer than `alert_offline_minutes`, when a device
fault lasts longer than `alert_fault_minutes`, and when its sync fails (`alert_sync_failures`
sync_failed events since its last success, or `reported.sync.error`). An alert closes when its
condition clears.

Several console processes may run this job at once: the database has at most one open alert of a
kind for a kiosk (a partial unique index, migration 0002), an opening is an insert that does
nothing on that conflict and a closing an update of a still open row; a notification is claimed
(notified_at set where it was unset) before it is sent, so one process sends it.

The webhook is sent by a job of its own, on its own thread (console.background.webhook_jobs): a
webhook that is slow or does not answer never holds up the rollouts, the alerts' evaluation or the
commands' expiry. A closing is never sent alone: when the opening was not taken (the webhook was
down while the alert opened and closed), the opening is sent first, then the closing.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from console.ingest import effective_state
from console.models import Alert, AlertKind, Kiosk, KioskEvent
from console.settings import ConsoleSettings

if TYPE_CHECKING:
    from console.web.state import ConsoleState

log = logging.getLogger(__name__)

#: Seconds between two evaluations.
INTERVAL = 15.0
#: Seconds the webhook has to answer.
WEBHOOK_TIMEOUT = 5.0
#: Alerts whose last change is older than this are not sent (a webhook set today does not get a
#: year of old alerts).
NOTIFY_WITHIN = 24 * 3600.0
SYNC_FAILED = "sync_failed"


@dataclass(frozen=True)
class Condition:
    kind: AlertKind
    detail: str


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min"


def conditions(kiosk: Kiosk, sync_failures: int, settings: ConsoleSettings, now: float) -> list[Condition]:
    """The alert conditions `kiosk` is in at `now` (past their thresholds), with their details in words."""
    found: list[Condition] = []
    if kiosk.session >= 0:  # a status was heard: the kiosk's presence is known
        state, since = effective_state(kiosk, now, settings.stale_after)
        lasted = now - since
        if lasted >= settings.alert_offline_minutes * 60:
            if state == "lost" and kiosk.state == "online":
                found.append(Condition(AlertKind.LOST, f"silent: nothing heard for {_minutes(lasted)}"))
            elif state == "lost":
                found.append(Condition(AlertKind.LOST, f"lost without a word {_minutes(lasted)} ago"))
            elif state == "offline":
                found.append(Condition(AlertKind.OFFLINE, f"stopped {_minutes(lasted)} ago"))
    if kiosk.fault_since is not None and now - kiosk.fault_since >= settings.alert_fault_minutes * 60:
        found.append(
            Condition(AlertKind.DEVICE_FAULT, ", ".join(str(p) for p in kiosk.problems) or "a device fault")
        )
    if sync_failures >= settings.alert_sync_failures or kiosk.sync_error:
        detail = kiosk.sync_error or f"{sync_failures} syncs failed in a row"
        found.append(Condition(AlertKind.SYNC_FAILING, detail))
    return found


def sync_failures(session: Session) -> dict[str, int]:
    """sync_failed events since each kiosk's last successful sync, by kiosk."""
    rows = session.execute(
        select(KioskEvent.kiosk_id, func.count())
        .join(Kiosk, Kiosk.id == KioskEvent.kiosk_id)
        .where(KioskEvent.type == SYNC_FAILED, KioskEvent.at > func.coalesce(Kiosk.last_sync, 0.0))
        .group_by(KioskEvent.kiosk_id)
    )
    return {kiosk_id: int(count) for kiosk_id, count in rows}


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    return postgresql_insert(Alert) if dialect == "postgresql" else sqlite_insert(Alert)


def evaluate(session: Session, settings: ConsoleSettings, now: float) -> tuple[int, int]:
    """Open the alerts whose condition holds and close those whose condition cleared; (opened, closed)."""
    failures = sync_failures(session)
    wanted: dict[tuple[str, str], str] = {}
    for kiosk in session.scalars(select(Kiosk)):
        for condition in conditions(kiosk, failures.get(kiosk.id, 0), settings, now):
            wanted[(kiosk.id, condition.kind.value)] = condition.detail
    open_now = {
        (a.kiosk_id, a.kind): a for a in session.scalars(select(Alert).where(Alert.closed_at.is_(None)))
    }
    opened = closed = 0
    for (kiosk_id, kind), detail in sorted(wanted.items()):
        alert = open_now.get((kiosk_id, kind))
        if alert is not None:
            if alert.detail != detail:
                alert.detail = detail
            continue
        inserted = session.execute(
            _insert(session)
            .values(kiosk_id=kiosk_id, kind=kind, detail=detail, opened_at=now)
            .on_conflict_do_nothing(
                index_elements=["kiosk_id", "kind"], index_where=Alert.closed_at.is_(None)
            )
            .returning(Alert.id)
        )
        # RETURNING counts what was inserted (psycopg's rowcount after ON CONFLICT is -1).
        opened += len(inserted.all())
    for key, alert in sorted(open_now.items()):
        if key in wanted:
            continue
        done = session.execute(
            update(Alert)
            .where(Alert.id == alert.id, Alert.closed_at.is_(None))
            .values(closed_at=now, notified_at=None, notify_error="")
        )
        closed += done.rowcount  # type: ignore[attr-defined]
    return opened, closed


def alert_message(alert: Alert, site: str) -> dict[str, Any]:
    """What the webhook receives."""
    return {
        "alert": alert.id,
        "event": "closed" if alert.closed_at is not None else "opened",
        "kiosk": alert.kiosk_id,
        "site": site,
        "kind": alert.kind,
        "detail": alert.detail,
        "opened_at": alert.opened_at,
        "closed_at": alert.closed_at,
    }


def post_json(url: str, body: Mapping[str, Any], timeout: float = WEBHOOK_TIMEOUT) -> None:
    """POST `body` as JSON; raises OSError (urllib's errors are OSErrors) when it is not taken."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"webhook_url must be http:// or https://, not {url.split(':', 1)[0]}:")
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "kiosk-console"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        answer.read()


def notify(state: ConsoleState, now: float) -> int:
    """Send each alert's opening or closing not yet sent (claimed first); failures are kept in
    notify_error and tried again on the next round. How many were sent."""
    url = state.settings.webhook_url
    if not url:
        return 0
    with state.db.session() as session:
        pending = session.execute(
            select(Alert, Kiosk.site)
            .outerjoin(Kiosk, Kiosk.id == Alert.kiosk_id)
            .where(
                Alert.notified_at.is_(None),
                or_(
                    Alert.closed_at >= now - NOTIFY_WITHIN,
                    and_(Alert.closed_at.is_(None), Alert.opened_at >= now - NOTIFY_WITHIN),
                ),
            )
            .order_by(Alert.id)
            .limit(200)
        ).all()
    sent = 0
    for alert, site in pending:
        same_event = (
            Alert.closed_at.is_(None) if alert.closed_at is None else Alert.closed_at == alert.closed_at
        )
        with state.db.session() as session:
            claimed = session.execute(
                update(Alert)
                .where(Alert.id == alert.id, Alert.notified_at.is_(None), same_event)
                .values(notified_at=now)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                continue  # another process took it, or it changed meanwhile
        opening_first = alert.closed_at is not None and alert.opened_notified_at is None
        try:
            if opening_first:
                post_json(url, {**alert_message(alert, site or ""), "event": "opened", "closed_at": None})
                with state.db.session() as session:
                    session.execute(update(Alert).where(Alert.id == alert.id).values(opened_notified_at=now))
            post_json(url, alert_message(alert, site or ""))
        except (OSError, ValueError) as error:
            reason = f"{type(error).__name__}: {error}"[:1000]
            log.warning("the alert webhook did not take alert %d: %s", alert.id, reason)
            with state.db.session() as session:
                session.execute(
                    update(Alert)
                    .where(Alert.id == alert.id, Alert.notified_at == now)
                    .values(notified_at=None, notify_error=reason)
                )
            # The webhook is down or slow: the rest wait for the next round.
            break
        sent += 1
        taken: dict[str, Any] = {"notify_error": ""}
        if alert.closed_at is None:
            taken["opened_notified_at"] = now
        with state.db.session() as session:
            session.execute(update(Alert).where(Alert.id == alert.id).values(**taken))
    return sent


def evaluate_job(state: ConsoleState, now: float) -> None:
    """The periodic job that opens and closes alerts."""
    with state.db.session() as session:
        opened, closed = evaluate(session, state.settings, now)
    if opened or closed:
        log.info("alerts: %d opened, %d closed", opened, closed)


def notify_job(state: ConsoleState, now: float) -> None:
    """The webhook's periodic job (on a thread of its own)."""
    notify(state, now)


def run(state: ConsoleState, now: float) -> None:
    """Evaluate, then notify (both jobs in turn; the tests' clock)."""
    evaluate_job(state, now)
    notify(state, now)
