"""The search index of the catalogue: what each guide contributes, written with the guide itself.

FTS5 tables index one row of `search_docs` per guide:

- trigram tables (over the stored folded text): substrings of three or more characters, with `^`
  for "starts with";
- gram tables (contentless, one token per distinct character and pair of characters): the one-
  and two-character queries a trigram index cannot answer, and the first character or pair of a
  name (the `*_head` columns) for "starts with".

The rowid of a guide's row is its rank among equals: the name's length in the high bits, then the
order of import. FTS5 returns matches in rowid order, so the first ten matches of a query are the
ten best of their class without reading or sorting the others.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from kiosk.guides.folding import fold, fold_aligned
from kiosk.guides.pinyin import spell, syllable_starts
from kiosk.records import Guide
from kiosk.records.guide import MAX_LINE

#: Rowid = name length << RANK_SHIFT | sequence number.
RANK_SHIFT = 32
_SEQUENCE_KEY = "search_sequence"
_CHUNK = 500  # guides indexed per batch of statements
_RUN = re.compile(r"[^\W_]+")

DOC_COLUMNS = ("name", "initials", "spelling", "head", "tails", "materials", "body")
#: Characters of a name indexed: a valid name has no more. The index, not only the import, bounds
#: what one guide costs a search, whatever reached the catalogue (a guide written before the limits
#: or by code that skipped validation): a 1 MB name cost 12 s a search, 50 MB fourteen minutes.
INDEXED_NAME = MAX_LINE
#: Characters of materials and of other text indexed per guide: several times what a long real guide
#: holds; a phrase query costs time in proportion to it on a guide that repeats one word throughout.
INDEXED_TEXT = 10_000
#: Letters of pinyin kept after each syllable start in `SearchDoc.tails`.
TAIL = 12
#: Marks a syllable start in `SearchDoc.tails`; queries never contain it.
TAIL_MARK = "|"
#: The rules by which a guide becomes index rows (search_doc, grams, the rowid's rank, the limits
#: above): raise it with any change to them, so that no kiosk applies an index built by other rules
#: (a prebuilt catalogue names its format, kiosk.guides.prebuilt).
INDEX_FORMAT = 1

#: FTS5 tables over the stored text of `search_docs`, tokenized in trigrams. Each class of match
#: has its own table, so that a word common in the body does not slow down a look-up in names.
#: Columns of letters (initials, pinyin) share tokens, so they too are kept apart.
TRIGRAM_TABLES: dict[str, tuple[str, ...]] = {
    "search_name_trigrams": ("name",),
    "search_initials_trigrams": ("initials",),
    "search_tail_trigrams": ("tails",),
    # The beginning of a name in pinyin alone: short rows, so a prefix look-up reads few candidates.
    "search_head_trigrams": ("head",),
    "search_material_trigrams": ("materials",),
    "search_body_trigrams": ("body",),
}
#: Contentless FTS5 tables of one- and two-character tokens (see SearchDoc.grams).
GRAM_TABLES: dict[str, tuple[str, ...]] = {
    "search_name_grams": ("name",),
    "search_initials_grams": ("initials",),
    "search_pinyin_grams": ("pinyin_starts",),
    "search_head_grams": ("name_head", "initials_head", "pinyin_head"),
    "search_material_grams": ("materials",),
    "search_body_grams": ("body",),
}


def table_of(column: str, tables: dict[str, tuple[str, ...]]) -> str:
    """The index table that holds `column`."""
    return next(table for table, columns in tables.items() if column in columns)


@dataclass(frozen=True)
class SearchDoc:
    """The searchable text of one guide, folded (Simplified, half-width, lower case)."""

    name: str
    #: Pinyin initials of the name, one letter per character: "zfgjjtq".
    initials: str
    #: The name's pinyin with every syllable capitalised: "ZhuFangGongJiJinTiQu".
    spelling: str
    #: The first tail alone: the pinyin the name starts with, "|zhufanggongj".
    head: str
    #: From each syllable start, the next TAIL letters after a TAIL_MARK: "|zhufanggongj|fanggongjiji…".
    #: A trigram search for "|" + letters then finds pinyin typed from a syllable's start only.
    tails: str
    materials: str
    body: str

    def grams(self) -> dict[str, str]:
        """The token columns of the gram tables for this document."""
        pinyin = self.spelling.lower()
        starts = syllable_starts(self.spelling)
        return {
            "name": _tokens(_short_grams(self.name)),
            "name_head": _tokens(_heads(self.name)),
            "initials": _tokens(_short_grams(self.initials)),
            "initials_head": _tokens(_heads(self.initials)),
            "pinyin_starts": _tokens({pinyin[start : start + size] for start in starts for size in (1, 2)}),
            "pinyin_head": _tokens(_heads(pinyin)),
            "materials": _tokens(_short_grams(self.materials)),
            "body": _tokens(_short_grams(self.body)),
        }


def search_doc(guide: Guide) -> SearchDoc:
    """What of `guide` can be searched: the name (also in pinyin), the materials, the other text.

    Each is cut to INDEXED_NAME or INDEXED_TEXT characters, so one guide's share of a search is bounded.
    """
    name = fold_aligned(guide.name[:INDEXED_NAME])
    spelling = spell(name)
    materials = [
        part
        for material in guide.materials
        for part in (material.name, material.condition, material.notes)
        if part
    ]
    body = [
        guide.department,
        guide.agency,
        guide.kind,
        guide.plain,
        *guide.conditions,
        *(part for step in guide.steps for part in (step.title, step.description)),
        guide.result.name,
        *guide.life_events,
        *(procedure.name for procedure in guide.special_procedures),
        *(place.hall for place in guide.locations),
    ]
    return SearchDoc(
        name=name,
        initials=spelling.initials,
        spelling=spelling.marked,
        head=TAIL_MARK + spelling.joined[:TAIL] if spelling.syllables else "",
        tails=pinyin_tails(spelling.marked),
        materials=fold("\n".join(materials)[:INDEXED_TEXT]),
        body=fold("\n".join(part for part in body if part)[:INDEXED_TEXT]),
    )


_T = TypeVar("_T")


def batches(items: Iterable[_T], size: int) -> Iterator[list[_T]]:
    """`items` in lists of `size` (the last may be shorter), read as they come."""
    batch: list[_T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def index_guides(conn: sqlite3.Connection, guides: Iterable[Guide]) -> None:
    """Add `guides` to the index, replacing what it held for them; run inside the import's transaction."""
    row = conn.execute("SELECT value FROM catalogue_meta WHERE key = ?", (_SEQUENCE_KEY,)).fetchone()
    sequence = int(row[0]) if row else 0
    for chunk in batches(guides, _CHUNK):
        latest = {guide.id: guide for guide in chunk}  # a repeated id: the last one stands
        unindex_guides(conn, list(latest))
        docs: list[tuple[int, SearchDoc]] = []
        rows = []
        for guide in latest.values():
            doc = search_doc(guide)
            sequence += 1
            rowid = (min(len(doc.name), 0x7FFF) << RANK_SHIFT) | sequence
            docs.append((rowid, doc))
            rows.append((rowid, guide.id, *(getattr(doc, column) for column in DOC_COLUMNS)))
        conn.executemany(
            f"INSERT INTO search_docs (rowid, guide_id, {', '.join(DOC_COLUMNS)}) "
            f"VALUES (?, ?, {', '.join('?' * len(DOC_COLUMNS))})",
            rows,
        )
        _write_fts(conn, docs, delete=False)
    conn.execute(
        "INSERT OR REPLACE INTO catalogue_meta (key, value) VALUES (?, ?)", (_SEQUENCE_KEY, str(sequence))
    )


def unindex_guides(conn: sqlite3.Connection, guide_ids: list[str]) -> None:
    """Remove guides from the index (FTS5 needs the indexed values back to delete them)."""
    for chunk in batches(guide_ids, _CHUNK):
        rows = conn.execute(
            f"SELECT rowid, {', '.join(DOC_COLUMNS)} FROM search_docs "
            f"WHERE guide_id IN ({', '.join('?' * len(chunk))})",
            chunk,
        ).fetchall()
        _write_fts(conn, [(rowid, SearchDoc(*values)) for rowid, *values in rows], delete=True)
        conn.executemany("DELETE FROM search_docs WHERE rowid = ?", [(row[0],) for row in rows])


def clear_index(conn: sqlite3.Connection) -> None:
    """Empty the index (a catalogue replaced whole)."""
    for table in (*TRIGRAM_TABLES, *GRAM_TABLES):
        conn.execute(f"INSERT INTO {table} ({table}) VALUES ('delete-all')")
    conn.execute("DELETE FROM search_docs")


def pinyin_tails(marked: str) -> str:
    """The pinyin from every syllable start on, TAIL letters each, marked (see SearchDoc.tails)."""
    pinyin = marked.lower()
    return "".join(TAIL_MARK + pinyin[start : start + TAIL] for start in syllable_starts(marked))


def _write_fts(conn: sqlite3.Connection, docs: list[tuple[int, SearchDoc]], delete: bool) -> None:
    """Add documents to every FTS5 table, or take them out (FTS5 needs the indexed values for that)."""
    if not docs:
        return
    texts = [(rowid, vars(doc)) for rowid, doc in docs]
    grams = [(rowid, doc.grams()) for rowid, doc in docs]
    for tables, values in ((TRIGRAM_TABLES, texts), (GRAM_TABLES, grams)):
        for table, columns in tables.items():
            names = (f"{table}, " if delete else "") + "rowid, " + ", ".join(columns)
            marks = ("'delete', " if delete else "") + ", ".join("?" * (len(columns) + 1))
            conn.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})",
                [(rowid, *(value[column] for column in columns)) for rowid, value in values],
            )


def _short_grams(text: str) -> set[str]:
    """Every character and every pair of adjacent characters within a run of letters and digits."""
    grams: set[str] = set()
    for run in _runs(text):
        grams.update(run)
        grams.update(run[index : index + 2] for index in range(len(run) - 1))
    return grams


def _heads(text: str) -> set[str]:
    runs = _runs(text)
    if not runs or not text[:1].isalnum():
        return set()
    return {runs[0][:1], runs[0][:2]}


def _runs(text: str) -> list[str]:
    """Runs of letters and digits: a gram never spans punctuation or a line break."""
    return _RUN.findall(text)


def _tokens(grams: set[str]) -> str:
    # Sorted, so that the same document always yields the same string (FTS5 deletes by value).
    return " ".join(sorted(grams))
