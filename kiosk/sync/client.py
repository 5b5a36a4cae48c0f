"""One sync: verify everything the fleet published with TUF, then apply it atomically, or nothing."""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from tuf.api import exceptions as tuf_errors
from tuf.ngclient import Updater

from kiosk.guides import (
    Catalogue,
    CatalogueInvalid,
    GuideInvalid,
    OversizedLine,
    bounded_lines,
    decode_line,
    guide_from_dict,
)
from kiosk.guides.prebuilt import DatabaseInvalid, check_database, inflate, prebuilt_path, replace_catalogue
from kiosk.paths import (
    catalogue_path,
    database_files,
    hand_to_data_owner,
    pushed_dir,
    state_path,
    trust_dir,
)
from kiosk.records.guide import MAX_GUIDES
from kiosk.release_format import INDEX, config_target, staged_target, validate_pushed_config
from kiosk.settings import Layer, Settings, SettingsError, load_settings, standard_layers
from kiosk.settings.loader import PUSHED_SCOPES
from kiosk.storage import transaction, write_file_atomically
from kiosk.sync.fetcher import CountingFetcher
from kiosk.sync.outcome import SyncError, SyncReport
from kiosk.sync.scratch import sync_scratch
from kiosk.sync.state import SyncState

log = logging.getLogger(__name__)

#: Guides written per statement batch while applying; the whole apply is still one transaction.
BATCH = 1000


#: The forms a catalogue version comes in (kiosk.release_format): all its guides, the changes from
#: the version the kiosk holds, or a prebuilt database.
CatalogueForm = Literal["full", "delta", "database"]


@dataclass
class _Download:
    catalogue: tuple[int, Path, CatalogueForm] | None = None  # version, the downloaded file, its form
    config: dict[str, bytes | None] = field(default_factory=dict)


class KioskSync:
    """Brings one kiosk up to date with the fleet repository named in its settings."""

    def __init__(
        self,
        settings: Settings,
        data_dir: Path,
        catalogue: Catalogue,
        state: SyncState,
        environ: dict[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self.data_dir = data_dir
        self.catalogue = catalogue
        self.state = state
        self.environ = dict(os.environ if environ is None else environ)

    def sync_once(self) -> SyncReport:
        """Fetch and verify everything, then apply it; on any failure apply nothing and raise SyncError."""
        try:
            report = self._sync()
        except SyncError as error:
            log.warning("sync failed, kiosk stays on its last good state: %s", error)
            self.state.record_failure(str(error))
            raise
        finally:
            self._hand_to_data_owner()
        self.state.record_success(report.catalogue_version, report.config, report.bytes_downloaded)
        log.info(
            "sync ok: catalogue %s%s, config %s, %d bytes",
            report.catalogue_version,
            " (updated)" if report.catalogue_updated else "",
            report.config or "none",
            report.bytes_downloaded,
        )
        return report

    def _hand_to_data_owner(self) -> None:
        # A technician's `sudo kiosk sync --once` writes as root: the trusted metadata (with its
        # root_history/), the pushed files and the databases must stay the kiosk user's.
        data = self.data_dir
        files = [*database_files(state_path(data)), *database_files(catalogue_path(data))]
        hand_to_data_owner(data, trust_dir(data), pushed_dir(data), *files)

    # -- the steps -------------------------------------------------------------------------------

    def _sync(self) -> SyncReport:
        repo = self.settings.sync.repo_url
        trust = trust_dir(self.data_dir)
        if not repo or not (trust / "root.json").exists():
            raise SyncError("this kiosk is not provisioned for sync (run `kiosk provision`)")
        fetcher = CountingFetcher()
        try:
            with sync_scratch(self.data_dir) as scratch:
                return self._sync_into(repo, trust, scratch, fetcher)
        except OSError as error:  # the scratch folder itself (the data directory full, say)
            raise _explain(error, repo, self.data_dir) from error

    def _sync_into(self, repo: str, trust: Path, scratch: Path, fetcher: CountingFetcher) -> SyncReport:
        try:
            updater = Updater(
                metadata_dir=str(trust),
                metadata_base_url=f"{repo}/metadata/",
                target_dir=str(scratch),
                target_base_url=f"{repo}/targets/",
                fetcher=fetcher,
                bootstrap=None,
            )
            download = self._fetch_all(updater)
            current = self._config_versions()
            new_config = {
                scope: _short_hash(data) for scope, data in download.config.items() if data is not None
            }
            self._check_config(download.config)
            catalogue_version = self._catalogue_version()
            form: CatalogueForm | None = None
            if download.catalogue is not None:
                version, path, form = download.catalogue
                if form == "database":
                    self._apply_database(version, path, scratch)
                else:
                    self._apply_catalogue(version, path, form == "delta")
                catalogue_version = version
            config_updated = new_config != current
            if config_updated:
                self._apply_config(download.config)
            return SyncReport(
                catalogue_version=catalogue_version,
                catalogue_updated=download.catalogue is not None,
                config=new_config,
                config_updated=config_updated,
                bytes_downloaded=fetcher.bytes,
                used_delta=form == "delta",
                used_database=form == "database",
            )
        except (tuf_errors.RepositoryError, tuf_errors.DownloadError, OSError) as error:
            raise _explain(error, repo, self.data_dir) from error

    def _fetch_all(self, updater: Updater) -> _Download:
        updater.refresh()
        download = _Download()
        index_info = self._preferred(updater, INDEX)
        if index_info is not None:
            index = json.loads(_read(updater, index_info))
            version = int(index["version"])
            if version != self._catalogue_version():
                path, form = self._catalogue_form(index)
                info = updater.get_targetinfo(path)
                if info is None:
                    raise SyncError(f"catalogue index names {path}, which is not a signed target")
                download.catalogue = (version, _download(updater, info), form)
        for scope, name in self._config_scopes():
            info = self._preferred(updater, config_target(scope, name)) if (scope == "all" or name) else None
            download.config[scope] = _read(updater, info) if info is not None else None
        return download

    def _catalogue_form(self, index: dict[str, Any]) -> tuple[str, CatalogueForm]:
        """Which target brings this kiosk to the index's version: the delta from the version it
        holds; else the prebuilt database when it is of this kiosk's format; else the full catalogue."""
        current = self._catalogue_version()
        delta = index["deltas"].get(str(current)) if current is not None else None
        if delta is not None:
            return delta, "delta"
        database = prebuilt_path(index.get("database"), self.catalogue.conn)
        if database is not None:
            return database, "database"
        return index["full"], "full"

    def _preferred(self, updater: Updater, target: str) -> Any:
        """The target a kiosk of this sync group takes: `staged/<group>/<target>` while a rollout
        stages it for the group (its canaries), `target` otherwise (and again once it is dropped)."""
        group = self.settings.sync.group
        if group:
            try:
                staged = updater.get_targetinfo(staged_target(group, target))
            except ValueError:  # a group name a release cannot stage for: never staged
                staged = None
            if staged is not None:
                return staged
        return updater.get_targetinfo(target)

    def _config_scopes(self) -> list[tuple[str, str]]:
        return [("all", ""), ("group", self.settings.sync.group), ("kiosk", self.settings.kiosk.id)]

    def _check_config(self, config: dict[str, bytes | None]) -> None:
        """Validate each pushed file alone, then together with this kiosk's site file."""
        layers: list[Layer] = []
        for scope in PUSHED_SCOPES:
            data = config.get(scope)
            if data is None:
                continue
            source = f"pushed {scope} configuration"
            try:
                layers.append(Layer(source, validate_pushed_config(data, source)))
            except SettingsError as error:
                raise SyncError(f"published configuration rejected: {error}") from error
        standard = standard_layers(self.environ, pushed=False)
        try:
            load_settings([*standard[:-1], *layers, standard[-1]])
        except SettingsError as error:
            raise SyncError(f"published configuration rejected on this kiosk: {error}") from error

    def _apply_database(self, version: int, compressed: Path, scratch: Path) -> None:
        """Check a prebuilt catalogue database and make the catalogue a copy of it, in one transaction.

        Decompressed into the scratch folder (a megabyte at a time), checked as a whole (its format,
        its integrity, every guide validated as an import validates it), then copied page by page:
        until the copy commits, the kiosk's searches read the old catalogue.
        """
        database = scratch / "catalogue.db"
        try:
            with compressed.open("rb") as stream:
                inflate(stream, database)
            compressed.unlink()  # the disk holds one copy of the new catalogue at a time
            page_size = int(self.catalogue.conn.execute("PRAGMA page_size").fetchone()[0])
            count = check_database(database, version, page_size)
            if count > MAX_GUIDES:
                raise GuideInvalid(f"more guides than the limit of {MAX_GUIDES:,} for a catalogue")
            replace_catalogue(self.catalogue.conn, database)
        except (DatabaseInvalid, GuideInvalid) as error:
            raise SyncError(f"catalogue version {version} could not be applied: {error}") from error
        except (sqlite3.Error, OSError) as error:
            raise SyncError(f"catalogue version {version} could not be stored: {error}") from error

    def _apply_catalogue(self, version: int, path: Path, is_delta: bool) -> None:
        """Apply a full catalogue or a delta in ONE transaction: searches see old or new, never a mix.

        Lines are read and validated as `kiosk guides import` reads them (the same limits and
        messages); the first bad one rolls everything back and names its line.
        """
        catalogue = self.catalogue
        number = 0
        try:
            with transaction(catalogue.conn), gzip.open(path, "rb") as raw:
                batch: list[Any] = []
                deletes: list[str] = []
                first = True
                # `number` names the bad line in the except clauses below.
                for number, line in enumerate(bounded_lines(raw), start=1):  # noqa: B007
                    if not isinstance(line, OversizedLine) and not line.strip():
                        continue
                    record = decode_line(line)
                    if is_delta and record.get("op") == "delete":
                        deletes.append(str(record["id"]))
                        continue
                    batch.append(guide_from_dict(record["guide"] if is_delta else record))
                    if len(batch) >= BATCH:
                        catalogue.import_guides(batch, replace=first and not is_delta)
                        batch, first = [], False
                if batch or (first and not is_delta):
                    catalogue.import_guides(batch, replace=first and not is_delta)
                if deletes:
                    catalogue.delete_guides(deletes)
                if catalogue.count() > MAX_GUIDES:
                    raise GuideInvalid(f"more guides than the limit of {MAX_GUIDES:,} for a catalogue")
                catalogue.set_meta("version", str(version))
        except CatalogueInvalid as error:
            raise SyncError(f"catalogue version {version} could not be applied: {error}") from error
        except (ValueError, KeyError, AttributeError, GuideInvalid) as error:
            raise SyncError(
                f"catalogue version {version} could not be applied: line {number}: {error}"
            ) from error
        except (sqlite3.Error, OSError) as error:
            raise SyncError(f"catalogue version {version} could not be stored: {error}") from error

    def _apply_config(self, config: dict[str, bytes | None]) -> None:
        folder = pushed_dir(self.data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        for scope in PUSHED_SCOPES:
            path = folder / f"{scope}.toml"
            data = config.get(scope)
            if data is None:
                path.unlink(missing_ok=True)
                continue
            write_file_atomically(path, data)

    def _catalogue_version(self) -> int | None:
        value = self.catalogue.meta("version")
        return int(value) if value is not None else None

    def _config_versions(self) -> dict[str, str]:
        folder = pushed_dir(self.data_dir)
        return {
            scope: _short_hash((folder / f"{scope}.toml").read_bytes())
            for scope in PUSHED_SCOPES
            if (folder / f"{scope}.toml").is_file()
        }


def _explain(error: Exception, repo: str, data_dir: Path) -> SyncError:
    """A one-line reason for a failed fetch or verification, naming the likely cause."""
    reasons: list[tuple[type[Exception], str]] = [
        (tuf_errors.ExpiredMetadataError, "repository metadata expired ({}); is the timestamp refreshed?"),
        (tuf_errors.BadVersionNumberError, "repository offered older metadata than this kiosk trusts: {}"),
        (tuf_errors.UnsignedMetadataError, "repository metadata not signed by a trusted key: {}"),
        (
            tuf_errors.LengthOrHashMismatchError,
            "downloaded file does not match its signed hash (tampered?): {}",
        ),
        (tuf_errors.RepositoryError, "repository failed verification: {}"),
        (
            tuf_errors.SlowRetrievalError,
            f"cannot fetch from {repo}: no answer (network down or server unreachable)",
        ),
        (tuf_errors.DownloadHTTPError, f"cannot fetch from {repo}: HTTP error {{}}"),
        (tuf_errors.DownloadError, f"cannot fetch from {repo}: {{}}"),
    ]
    for kind, template in reasons:
        if isinstance(error, kind):
            return SyncError(template.format(_first_line(error)))
    strerror = getattr(error, "strerror", None) or error
    return SyncError(f"cannot store the update in {data_dir}: {strerror}")


def _read(updater: Updater, info: Any) -> bytes:
    return _download(updater, info).read_bytes()


def _download(updater: Updater, info: Any) -> Path:
    """The target, downloaded into the sync's scratch folder and verified against its signed hashes."""
    return Path(updater.find_cached_target(info) or updater.download_target(info))


def _short_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def _first_line(error: BaseException) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0]
