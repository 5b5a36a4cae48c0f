"""Publishing from the console, with a staged rollout: a release goes first to the kiosks of a canary
sync group (kiosk.release_format: staged/<group>/<target>, which they prefer), the console watches
them, then publishes it for everyone (promote) or drops it so they go back (abort).

The repository is the fleet's TUF repository (`kiosk fleet init`): kiosks verify what the console
signs exactly as they verify `kiosk fleet publish`. Several console processes may drive rollouts at
once: every step holds the repository's publishing lock, and a publication leaves the canary state
only by an UPDATE ... WHERE state = 'canary' (the second process finds nothing left to do).
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from console.audit import record
from console.db import Database
from console.ingest import effective_state
from console.models import Kiosk, KioskEvent, Publication, PublicationState
from console.published import short_hash
from console.settings import ConsoleSettings
from kiosk.fleet.forms import EventType
from kiosk.guides import CatalogueInvalid, CatalogueShrinks
from kiosk.publishing import FleetRepository, RepositoryError
from kiosk.publishing.catalogue_release import (
    abort_catalogue,
    build_catalogue,
    promote_catalogue,
    publish_catalogue,
    stage_catalogue,
)
from kiosk.publishing.config_release import abort_config, promote_config, stage_config
from kiosk.publishing.keys import KeyMissing
from kiosk.release_format import INDEX, config_target, staged_target, validate_pushed_config
from kiosk.settings import SettingsError

if TYPE_CHECKING:
    from console.web.state import ConsoleState

#: Who the audit log names for what the rollout driver decides by itself.
DRIVER = "console"
KINDS = ("catalogue", "config")
SCOPES = ("all", "group", "kiosk")


class RolloutError(ValueError):
    """A publication that cannot be made, or a step that cannot be taken, in one sentence."""


class PublishingOff(RolloutError):
    """No repository is configured."""


def repository_of(settings: ConsoleSettings) -> FleetRepository:
    """The fleet's repository, or PublishingOff saying how to configure one."""
    if settings.repository is None:
        raise PublishingOff(
            'publishing is off: no repository is configured (set repository = "/srv/fleet" in the '
            "console's settings file, the folder `kiosk fleet init` made, or give --repository)"
        )
    try:
        return FleetRepository(settings.repository)
    except RepositoryError as error:
        raise PublishingOff(str(error)) from error


def published_config(settings: ConsoleSettings, scope: str, name: str) -> str:
    """The configuration published for the scope (what everyone outside a rollout runs), or ""."""
    repository = repository_of(settings)
    try:
        target = config_target(scope, name)
    except ValueError as error:
        raise RolloutError(str(error)) from error
    if target not in repository.targets():
        return ""
    return repository.target_bytes(target).decode("utf-8", errors="replace")


@dataclass(frozen=True)
class Canary:
    kiosk_id: str
    state: str
    #: Whether it reports the publication's version.
    on_new: bool


@dataclass(frozen=True)
class Progress:
    """A rollout as the publications page shows it."""

    canaries: tuple[Canary, ...]
    #: Seconds of soak left once every canary runs it (None: not all yet, or not a rollout).
    soak_left: float | None
    #: Seconds left for the canaries to take it up (None: all took it, or not a rollout).
    deadline_left: float | None

    @property
    def ready(self) -> int:
        return sum(1 for canary in self.canaries if canary.on_new)

    @property
    def total(self) -> int:
        return len(self.canaries)


def _resolve(kind: str, scope: str, name: str) -> tuple[str, str, str]:
    """(scope, name, target) of a publication, or RolloutError."""
    if kind not in KINDS:
        raise RolloutError(f"unknown kind {kind!r} (catalogue or config)")
    if kind == "catalogue":
        return "all", "", INDEX
    if scope not in SCOPES:
        raise RolloutError(f"unknown scope {scope!r} (all, group or kiosk)")
    if scope == "all":
        name = ""
    try:
        return scope, name, config_target(scope, name)
    except ValueError as error:
        raise RolloutError(str(error)) from error


def start_rollout(
    settings: ConsoleSettings,
    db: Database,
    actor: str,
    *,
    kind: str,
    scope: str,
    name: str,
    data: bytes,
    direct: bool = False,
    allow_shrink: bool = False,
    address: str = "",
    now: float | None = None,
) -> Publication:
    """Validate `data` with the kiosk's own checks, then stage it for the canary group (a Publication
    in state canary), or publish it for its whole scope when `direct` (asked for explicitly) or for
    one kiosk (no canary for a single kiosk). Nothing is signed when a check fails (RolloutError)."""
    now = time.time() if now is None else now
    scope, name, target = _resolve(kind, scope, name)
    if kind == "config":
        try:
            validate_pushed_config(data, f"the {scope} configuration")
        except SettingsError as error:
            raise RolloutError(f"configuration rejected, nothing was published: {error}") from error
    repository = repository_of(settings)
    # A group's configuration is read by that group's kiosks only: they are its canaries.
    group = name if scope == "group" else settings.canary_group
    direct = direct or scope == "kiosk"
    with repository.lock(), db.session() as session:
        busy = session.scalars(
            select(Publication).where(
                Publication.state == PublicationState.CANARY.value,
                Publication.kind == kind,
                Publication.scope == scope,
                Publication.name == name,
            )
        ).first()
        if busy is not None:
            raise RolloutError(
                f"publication {busy.id} is still rolling out {target}: promote or abort it first"
            )
        canaries: list[str] = []
        left_out: list[str] = []
        if not direct:
            members = _group(session, group)
            if not members:
                raise RolloutError(
                    f"the canary group {group!r} has no kiosks, so nothing can be tried first: "
                    "add kiosks to it (sync.group) or publish directly to everyone"
                )
            canaries = [kiosk.id for kiosk in members if not _lost(kiosk, settings, now)]
            left_out = [kiosk.id for kiosk in members if kiosk.id not in canaries]
            if not canaries:
                raise RolloutError(
                    f"no kiosk of the canary group {group!r} is online now ({', '.join(left_out)}), "
                    "so nothing can be tried first: wait for one, or publish directly to everyone"
                )
        try:
            if kind == "catalogue":
                version = _catalogue(repository, data, group, direct=direct, allow_shrink=allow_shrink)
            else:
                version = short_hash(data)
                if direct:
                    repository.publish({target: data}, replace_prefix=target)
                else:
                    stage_config(repository, data, scope, name, group)
        except (RepositoryError, KeyMissing, OSError) as error:
            raise RolloutError(f"the repository could not publish it: {error}") from error
        except ValueError as error:  # a canary group name a release cannot stage for
            raise RolloutError(f"canary_group: {error}") from error
        publication = Publication(
            kind=kind,
            scope=scope,
            name=name,
            version=version,
            content=data.decode("utf-8") if kind == "config" else "",
            canary_group="" if direct else group,
            canaries=canaries,
            state=(PublicationState.PUBLISHED if direct else PublicationState.CANARY).value,
            created_by=actor,
            created_at=now,
            finished_at=now if direct else None,
            reason="published directly" if direct else "",
        )
        session.add(publication)
        session.flush()
        record(
            session,
            actor,
            "publication.publish" if direct else "publication.stage",
            f"publication:{publication.id}",
            address=address,
            kind=kind,
            scope=scope,
            name=name,
            version=version,
            canary_group=publication.canary_group,
            canaries=canaries,
            not_taking_part=left_out,
        )
    return publication


def _catalogue(
    repository: FleetRepository, data: bytes, group: str, *, direct: bool, allow_shrink: bool
) -> str:
    with tempfile.TemporaryDirectory(prefix="console-catalogue-") as folder:
        source = Path(folder) / "catalogue.jsonl"
        source.write_bytes(data)
        try:
            if direct:
                return str(publish_catalogue(repository, source, allow_shrink).version)
            build = build_catalogue(repository, source, allow_shrink)
        except CatalogueInvalid as error:
            raise RolloutError(f"the catalogue has bad lines; nothing was published: {error}") from error
        except CatalogueShrinks as error:
            raise RolloutError(
                f"{error}; nothing was published (tick “Allow fewer than half the guides” if it is meant)"
            ) from error
        stage_catalogue(repository, build, group)
        return str(build.version)


def promote(
    settings: ConsoleSettings,
    db: Database,
    publication_id: int,
    *,
    actor: str,
    reason: str,
    address: str = "",
    now: float | None = None,
) -> bool:
    """Publish a staged publication for its whole scope and drop the staged target. False when it
    is no longer in the canary state (another process or administrator got there first)."""
    return _finish(
        settings, db, publication_id, PublicationState.PUBLISHED, (actor, reason, address), now=now
    )


def abort(
    settings: ConsoleSettings,
    db: Database,
    publication_id: int,
    *,
    actor: str,
    reason: str,
    address: str = "",
    now: float | None = None,
) -> bool:
    """Drop a staged publication: its canaries go back to what the other kiosks run. False when it
    is no longer in the canary state."""
    who = (actor, reason, address)
    return _finish(settings, db, publication_id, PublicationState.ABORTED, who, now=now)


def _finish(
    settings: ConsoleSettings,
    db: Database,
    publication_id: int,
    to: PublicationState,
    who: tuple[str, str, str],
    *,
    now: float | None,
) -> bool:
    actor, reason, address = who
    now = time.time() if now is None else now
    repository = repository_of(settings)
    with repository.lock(), db.session() as session:
        changed = session.execute(
            update(Publication)
            .where(Publication.id == publication_id, Publication.state == PublicationState.CANARY.value)
            .values(state=to.value, finished_at=now, reason=reason)
        )
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            return False
        publication = session.get(Publication, publication_id)
        assert publication is not None
        group = publication.canary_group
        try:
            if publication.kind == "catalogue":
                if to is PublicationState.PUBLISHED:
                    promote_catalogue(repository, group)
                else:
                    abort_catalogue(repository, group)
            elif to is PublicationState.PUBLISHED:
                promote_config(repository, publication.scope, publication.name, group)
            else:
                abort_config(repository, publication.scope, publication.name, group)
        except (RepositoryError, KeyMissing, OSError) as error:
            raise RolloutError(f"the repository could not do it: {error}") from error
        record(
            session,
            actor,
            "publication.promote" if to is PublicationState.PUBLISHED else "publication.abort",
            f"publication:{publication_id}",
            address=address,
            reason=reason,
            version=publication.version,
        )
    return True


# -- the driver -------------------------------------------------------------------------------------


def _group(session: Session, group: str) -> list[Kiosk]:
    return list(session.scalars(select(Kiosk).where(Kiosk.group == group).order_by(Kiosk.id)))


def _canaries(session: Session, publication: Publication) -> list[Kiosk]:
    """The rollout's canaries: its group's kiosks that were heard when it started (still in the
    group); every kiosk of the group for a rollout staged before that was recorded."""
    kiosks = _group(session, publication.canary_group)
    if not publication.canaries:
        return kiosks
    chosen = set(publication.canaries)
    return [kiosk for kiosk in kiosks if kiosk.id in chosen]


def runs(publication: Publication, kiosk: Kiosk) -> bool:
    """Whether `kiosk` reports the publication's version."""
    if publication.kind == "catalogue":
        return kiosk.catalogue_version is not None and str(kiosk.catalogue_version) == publication.version
    return f"{publication.scope}={publication.version}" in kiosk.config_version.split(",")


def _lost(kiosk: Kiosk, settings: ConsoleSettings, now: float) -> str:
    """Why a canary no longer counts (gone, or silent by the console's clock); "" while it does."""
    state, _since = effective_state(kiosk, now, settings.stale_after)
    if state == kiosk.state == "online":
        return ""
    if kiosk.state == "online":
        return f"canary {kiosk.id} is lost: nothing heard for {now - kiosk.last_seen:.0f} s"
    return f"canary {kiosk.id} is {kiosk.state}"


def progress(settings: ConsoleSettings, db: Database, publication: Publication, now: float) -> Progress:
    """How far a publication's rollout is (an empty Progress for one that is not rolling out)."""
    if publication.state != PublicationState.CANARY.value:
        return Progress((), None, None)
    with db.session() as session:
        kiosks = _canaries(session, publication)
    canaries = tuple(Canary(kiosk.id, kiosk.state, runs(publication, kiosk)) for kiosk in kiosks)
    soak_left = deadline_left = None
    if publication.canaries_ready_at is not None:
        soak_left = max(0.0, publication.canaries_ready_at + settings.rollout_soak - now)
    else:
        deadline_left = max(0.0, publication.created_at + settings.rollout_deadline - now)
    return Progress(canaries, soak_left, deadline_left)


def verdict(
    settings: ConsoleSettings, session: Session, publication: Publication, staged: set[str], now: float
) -> tuple[str, str]:
    """What the driver does with a publication in the canary state: ("abort", why), ("promote",
    why), ("ready", "") when every canary runs it (the soak starts), ("unready", "") when one does
    not any more, or ("wait", "")."""
    kiosks = _canaries(session, publication)
    failure = _failure(settings, session, publication, kiosks, staged=staged, now=now)
    if failure:
        return "abort", failure
    behind = [kiosk.id for kiosk in kiosks if not runs(publication, kiosk)]
    if behind:
        if now - publication.created_at > settings.rollout_deadline:
            return "abort", (
                f"not every canary took it up within {settings.rollout_deadline:.0f} s: {', '.join(behind)}"
            )
        return ("unready" if publication.canaries_ready_at is not None else "wait"), ""
    if publication.canaries_ready_at is None:
        return "ready", ""
    if now - publication.canaries_ready_at >= settings.rollout_soak:
        return "promote", (
            f"all {len(kiosks)} canaries ran version {publication.version} for {settings.rollout_soak:.0f} s"
        )
    return "wait", ""


def _failure(
    settings: ConsoleSettings,
    session: Session,
    publication: Publication,
    kiosks: list[Kiosk],
    *,
    staged: set[str],
    now: float,
) -> str:
    """Why the rollout must stop now, or ""."""
    target = INDEX if publication.kind == "catalogue" else config_target(publication.scope, publication.name)
    if staged_target(publication.canary_group, target) not in staged:
        return "the staged release is no longer in the repository (published around the console?)"
    if not kiosks:
        return f"the canary group {publication.canary_group!r} has no kiosks any more"
    ids = [kiosk.id for kiosk in kiosks]
    failed = session.scalars(
        select(KioskEvent)
        .where(
            KioskEvent.kiosk_id.in_(ids),
            KioskEvent.type == EventType.SYNC_FAILED.value,
            KioskEvent.at >= publication.created_at,
        )
        .order_by(KioskEvent.at)
    ).first()
    if failed is not None:
        error = str(failed.details.get("error", "")) or "no reason given"
        return f"canary {failed.kiosk_id} failed to sync: {error}"
    return next((lost for kiosk in kiosks if (lost := _lost(kiosk, settings, now))), "")


def drive_rollouts(settings: ConsoleSettings, db: Database, now: float) -> None:
    """One round of the rollout driver: abort, start the soak of, or promote each rollout."""
    if settings.repository is None:
        return
    with db.session() as session:
        rolling = list(
            session.scalars(select(Publication).where(Publication.state == PublicationState.CANARY.value))
        )
    if not rolling:
        return
    staged = {path for path in repository_of(settings).targets() if path.startswith("staged/")}
    for publication in rolling:
        with db.session() as session:
            action, why = verdict(settings, session, publication, staged, now)
            if action in {"ready", "unready"}:
                waiting = Publication.canaries_ready_at.is_(None)
                session.execute(
                    update(Publication)
                    .where(
                        Publication.id == publication.id,
                        Publication.state == PublicationState.CANARY.value,
                        waiting if action == "ready" else ~waiting,
                    )
                    .values(canaries_ready_at=now if action == "ready" else None)
                )
        if action == "abort":
            abort(settings, db, publication.id, actor=DRIVER, reason=why, now=now)
        elif action == "promote":
            promote(settings, db, publication.id, actor=DRIVER, reason=why, now=now)


def rollout_job(state: ConsoleState, now: float) -> None:
    """The periodic job (console.background) that drives every rollout."""
    drive_rollouts(state.settings, state.db, now)
