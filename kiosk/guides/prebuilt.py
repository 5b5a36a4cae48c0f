"""A catalogue database built once by the publisher and applied whole by every kiosk.

Indexing a guide (pinyin, folding, eleven FTS5 tables) is most of what a catalogue costs, and
every kiosk of a fleet would do the same work on the same guides. The publisher does it once, with
the code `kiosk guides import` runs (`build_database`), and publishes the database beside the JSON
Lines catalogue, signed like every target. A kiosk checks the database (`check_database`) and makes
its catalogue a copy of it in one transaction (`replace_catalogue`): readers see the old catalogue
until the copy commits, then the new one; a kill at any instant leaves the old one.

`database_format` names what makes two builds of the same guides differ: the schema the migrations
create, the rules of the index (INDEX_FORMAT and its limits), the pinyin and folding dictionaries'
versions, the page size. A kiosk takes a prebuilt database only when its format is the kiosk's own;
otherwise it imports the JSON Lines catalogue itself, as before (docs/storage.md, "Full syncs").
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from functools import cache
from importlib.metadata import version as package_version
from pathlib import Path
from typing import BinaryIO

from kiosk.guides.catalogue import GUIDE_COLUMNS, Catalogue, connect_migrated, guide_columns
from kiosk.guides.codec import GuideInvalid, guide_from_dict
from kiosk.guides.search_index import INDEX_FORMAT, INDEXED_NAME, INDEXED_TEXT, RANK_SHIFT, TAIL
from kiosk.migrations import LEDGER
from kiosk.records import Guide
from kiosk.records.guide import MAX_CATALOGUE_BYTES

#: A prebuilt database is refused past this size once decompressed: about four times the JSON Lines
#: it was built from (100,000 synthetic guides: 144 MB of JSON Lines, a 560 MB database).
MAX_DATABASE_BYTES = 4 * MAX_CATALOGUE_BYTES
_CHUNK = 1 << 20  # bytes decompressed at a time


class DatabaseInvalid(ValueError):
    """A prebuilt catalogue database this kiosk must not apply; the message says why."""


@cache
def database_format() -> str:
    """The format of the catalogue databases this release builds and applies (a short hash)."""
    with closing(connect_migrated(":memory:")) as conn:
        shape = _shape(conn)
    rules = [INDEX_FORMAT, INDEXED_NAME, INDEXED_TEXT, TAIL, RANK_SHIFT]
    libraries = [package_version("pypinyin"), package_version("opencc")]
    text = json.dumps([shape, rules, libraries], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def build_database(path: Path, guides: Iterable[Guide], version: int) -> int:
    """Write at `path` (a new file) the catalogue that importing `guides`, in this order, into an
    empty kiosk gives, marked as published `version`; returns how many guides it holds."""
    if path.exists():
        raise FileExistsError(path)
    catalogue = Catalogue(path)
    try:
        # A file nobody reads until it is complete, removed when the build fails: no journal.
        catalogue.conn.execute("PRAGMA journal_mode = OFF")
        catalogue.conn.execute("PRAGMA synchronous = OFF")
        count = catalogue.import_guides(guides, replace=True)
        catalogue.set_meta("version", str(version))
    finally:
        catalogue.close()
    return count


def inflate(source: BinaryIO, target: Path, limit: int = MAX_DATABASE_BYTES) -> None:
    """Decompress the gzip stream `source` into the new file `target`, a megabyte at a time;
    DatabaseInvalid past `limit` bytes or when the stream is not gzip."""
    written = 0
    try:
        with gzip.GzipFile(fileobj=source) as stream, target.open("xb") as out:
            while chunk := stream.read(_CHUNK):
                written += len(chunk)
                if written > limit:
                    raise DatabaseInvalid(f"the database is larger than the limit of {limit:,} bytes")
                out.write(chunk)
    except (gzip.BadGzipFile, EOFError) as error:
        raise DatabaseInvalid(f"not a gzip file ({error})") from error


def check_database(path: Path, version: int, page_size: int) -> int:
    """Check the prebuilt catalogue at `path` before a kiosk applies it; returns its number of guides.

    Refused (DatabaseInvalid, or GuideInvalid naming the guide) unless: its pages are `page_size`
    bytes (the kiosk's own catalogue's); its schema and migrations are exactly this release's, so
    it holds nothing else (no trigger, no view); SQLite finds it intact; it is `version`; every
    guide passes the validation an import applies, with its columns and life events taken from its
    record; and the index has one row per guide, within the index's limits. What the index rows
    hold beyond that is the publisher's (the same code, by the format, and signed).
    """
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)) as conn:
            conn.execute("PRAGMA trusted_schema = OFF")
            with closing(connect_migrated(":memory:")) as fresh:
                expected = _shape(fresh)
            found = _shape(conn)
            if found[0] != page_size:
                raise DatabaseInvalid(f"pages of {found[0]} bytes where this kiosk's have {page_size}")
            if found != expected:
                raise DatabaseInvalid("not a catalogue database of this release's format")
            problem = conn.execute("PRAGMA integrity_check(1)").fetchone()[0]
            if problem != "ok":
                raise DatabaseInvalid(f"damaged ({problem})")
            row = conn.execute("SELECT value FROM catalogue_meta WHERE key = 'version'").fetchone()
            if row is None or row[0] != str(version):
                raise DatabaseInvalid(f"built as version {row and row[0]}, published as {version}")
            count, life_events = _check_guides(conn)
            _check_life_events(conn, life_events)
            _check_index(conn, count)
            return count
    except sqlite3.DatabaseError as error:
        raise DatabaseInvalid(f"not a readable database ({error})") from error


def replace_catalogue(conn: sqlite3.Connection, source: Path) -> None:
    """Make the catalogue behind `conn` a copy of the database at `source`, in one transaction.

    SQLite's online backup writes every page through `conn`'s own journal (the WAL): other
    connections keep reading the old catalogue until it commits, and a kill before leaves it whole.
    The WAL then holds the whole catalogue a second time; it is copied into the database and cut
    back to nothing at once, or the file would keep its size for as long as the UI keeps the
    catalogue open (a reader in the middle of a search only makes that wait for the next sync).
    """
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as prebuilt:
        prebuilt.backup(conn)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def write_gzip(path: Path, target: BinaryIO) -> None:
    """The file at `path`, gzip-compressed into `target` (no name, no time: the same bytes each time)."""
    with path.open("rb") as source, gzip.GzipFile(fileobj=target, mode="wb", compresslevel=6, mtime=0) as out:
        shutil.copyfileobj(source, out, _CHUNK)


def _shape(conn: sqlite3.Connection) -> list[object]:
    """What two catalogue databases of one format share: page size, encoding, schema, migrations."""
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    encoding = conn.execute("PRAGMA encoding").fetchone()[0]
    schema = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall()
    ledger = conn.execute(f"SELECT store, position, name FROM {LEDGER} ORDER BY store, position").fetchall()
    return [page_size, encoding, [list(row) for row in schema], [list(row) for row in ledger]]


def _check_guides(conn: sqlite3.Connection) -> tuple[int, int]:
    """Validate every guide and its columns; returns the number of guides and of life events."""
    count = life_events = 0
    rows = conn.execute(f"SELECT {', '.join(GUIDE_COLUMNS)}, record FROM guides")
    for *columns, record in rows:
        try:
            data = json.loads(record)
        except (TypeError, ValueError, RecursionError) as error:
            raise GuideInvalid(f"guide {columns[0]!r}: its record is not JSON") from error
        guide = guide_from_dict(data)
        if tuple(columns) != guide_columns(guide):
            raise DatabaseInvalid(f"guide {columns[0]!r}: its columns differ from its record")
        count += 1
        life_events += len(guide.life_events)
    return count, life_events


def _check_life_events(conn: sqlite3.Connection, expected: int) -> None:
    total = conn.execute("SELECT count(*) FROM guide_life_events").fetchone()[0]
    foreign = conn.execute(
        "SELECT count(*) FROM guide_life_events e LEFT JOIN guides g ON g.id = e.guide_id "
        "WHERE g.id IS NULL OR NOT EXISTS "
        "(SELECT 1 FROM json_each(g.record, '$.life_events') WHERE value = e.life_event)"
    ).fetchone()[0]
    if total != expected or foreign:
        raise DatabaseInvalid("the life events differ from the guides' records")


def _check_index(conn: sqlite3.Connection, count: int) -> None:
    docs, orphans, misranked, longest = conn.execute(
        "SELECT count(*), "
        "sum(NOT EXISTS (SELECT 1 FROM guides g WHERE g.id = d.guide_id)), "
        f"sum((d.rowid >> {RANK_SHIFT}) != min(length(d.name), 32767)), "
        "max(max(length(d.name)) > ?, max(length(d.initials)) > ?, max(length(d.spelling)) > ?, "
        "max(length(d.head)) > ?, max(length(d.tails)) > ?, max(length(d.materials)) > ?, "
        "max(length(d.body)) > ?) "
        "FROM search_docs d",
        (INDEXED_NAME, INDEXED_NAME, INDEXED_TEXT, TAIL + 1, INDEXED_TEXT, INDEXED_TEXT, INDEXED_TEXT),
    ).fetchone()
    if docs != count or orphans or misranked or longest:
        raise DatabaseInvalid("the search index does not match the guides")


def prebuilt_path(entry: object, conn: sqlite3.Connection) -> str | None:
    """The target of the prebuilt database a catalogue index's `database` entry names, when the
    catalogue behind `conn` can take it (the same format, the same page size); else None."""
    if not isinstance(entry, dict) or entry.get("format") != database_format():
        return None
    path = entry.get("path")
    with closing(connect_migrated(":memory:")) as fresh:
        fits = fresh.execute("PRAGMA page_size").fetchone() == conn.execute("PRAGMA page_size").fetchone()
    return path if isinstance(path, str) and fits else None
