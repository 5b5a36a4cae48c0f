"""Search the catalogue the way residents type: characters, pinyin, Traditional, colloquial names.

A query becomes a `QueryPlan`: the folded text and its synonym variants, plus the letters when it
is pinyin. Every guide that matches falls into one class, best first: the name is the query, the
name starts with it, the name contains it, the materials do, the other text does. Within a class
guides with shorter names come first (the rowid order of the index, see search_index).

`Searcher.search` walks the classes in order through the FTS5 indexes and stops as soon as it has
enough; `Searcher.scan` finds the same guides in the same order by reading every row, and is the
baseline the benchmark and the tests compare against.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from kiosk.guides.folding import fold
from kiosk.guides.pinyin import spelled_positions, syllable_starts
from kiosk.guides.search_index import (
    DOC_COLUMNS,
    GRAM_TABLES,
    TAIL,
    TAIL_MARK,
    TRIGRAM_TABLES,
    SearchDoc,
    table_of,
)
from kiosk.guides.synonyms import Synonyms
from kiosk.records import GuideSummary, SearchHit

#: Queries are cut to this many characters: nobody types more on a kiosk, and FTS5 stays fast.
MAX_QUERY = 32
#: Longer pinyin is read as full pinyin only (as initials it would be a name of that many characters).
MAX_INITIALS = 8
_SHORT = 2  # up to this length a query is looked up in the gram tables, longer in the trigram tables
_BATCH = 64  # candidates read at a time where a match must be checked (pinyin longer than a tail)


class MatchClass(IntEnum):
    """How well a guide matches, best first."""

    NAME_EXACT = 0
    NAME_PREFIX = 1
    NAME = 2
    MATERIALS = 3
    TEXT = 4


SCORES = {
    MatchClass.NAME_EXACT: 1.0,
    MatchClass.NAME_PREFIX: 0.9,
    MatchClass.NAME: 0.8,
    MatchClass.MATERIALS: 0.5,
    MatchClass.TEXT: 0.3,
}
FIELDS = {
    MatchClass.NAME_EXACT: "name",
    MatchClass.NAME_PREFIX: "name",
    MatchClass.NAME: "name",
    MatchClass.MATERIALS: "materials",
    MatchClass.TEXT: "text",
}


@dataclass(frozen=True)
class QueryPlan:
    """What to look for: texts (the query folded, and its synonyms) and pinyin letters."""

    texts: tuple[str, ...]
    letters: str = ""

    @property
    def initials(self) -> str:
        """The letters read as initials, one per character; nobody types initials of longer names."""
        return self.letters if len(self.letters) <= MAX_INITIALS else ""

    @property
    def empty(self) -> bool:
        """Nothing searchable was typed."""
        return not self.texts


def plan_query(query: str, synonyms: Synonyms) -> QueryPlan:
    """Fold the query (Traditional, full-width, case), drop punctuation and spaces, add synonyms."""
    text = "".join(char for char in fold(query) if char.isalnum())[:MAX_QUERY]
    if not text:
        return QueryPlan(())
    texts = [text, *synonyms.expand_text(text)]
    letters = text if text.isascii() and text.isalpha() else ""
    if letters:
        texts.extend(synonyms.expand_letters(letters))
    return QueryPlan(tuple(dict.fromkeys(texts)), letters)


def classify(doc: SearchDoc, plan: QueryPlan) -> MatchClass | None:
    """The best class in which `doc` matches `plan`, or None."""
    pinyin = doc.spelling.lower()
    letters, initials = plan.letters, plan.initials
    if doc.name in plan.texts or (letters and pinyin == letters) or (initials and doc.initials == initials):
        return MatchClass.NAME_EXACT
    if (
        any(doc.name.startswith(text) for text in plan.texts)
        or (letters and pinyin.startswith(letters))
        or (initials and doc.initials.startswith(initials))
    ):
        return MatchClass.NAME_PREFIX
    if (
        any(text in doc.name for text in plan.texts)
        or (letters and _at_syllable(letters, doc.spelling))
        or (initials and initials in doc.initials)
    ):
        return MatchClass.NAME
    if any(text in doc.materials for text in plan.texts):
        return MatchClass.MATERIALS
    if any(text in doc.body for text in plan.texts):
        return MatchClass.TEXT
    return None


def highlight(name: str, doc: SearchDoc, plan: QueryPlan) -> tuple[tuple[str, bool], ...]:
    """`name` in segments, True where the query (or a synonym, or its pinyin) matched."""
    # `doc.name` is folded character by character, so positions in it are positions in `name`; it
    # holds the indexed beginning only (INDEXED_NAME), the rest of an overlong name is never marked.
    name, rest = name[: len(doc.name)], name[len(doc.name) :]
    marked = [False] * len(name)
    for text in plan.texts:
        start = doc.name.find(text)
        while start >= 0:
            marked[start : start + len(text)] = [True] * len(text)
            start = doc.name.find(text, start + len(text))
    if plan.letters and not any(marked):
        _mark_pinyin(name, doc, plan.letters, marked)
    # groupby: one pass, where adding to the last segment character by character cost n² on a long name.
    pairs = itertools.chain(zip(name, marked, strict=True), ((rest, False),) if rest else ())
    return tuple(
        ("".join(text for text, _ in run), hit)
        for hit, run in itertools.groupby(pairs, key=lambda pair: pair[1])
    )


def _mark_pinyin(name: str, doc: SearchDoc, letters: str, marked: list[bool]) -> None:
    positions = spelled_positions(doc.name, len(doc.initials))
    syllable_range: range | None = None
    start = doc.initials.find(letters) if len(letters) <= MAX_INITIALS else -1
    if start >= 0:
        syllable_range = range(start, start + len(letters))
    else:
        pinyin = doc.spelling.lower()
        starts = syllable_starts(doc.spelling)
        for index, offset in enumerate(starts):
            if pinyin.startswith(letters, offset):
                end = offset + len(letters)
                last = max(i for i, o in enumerate(starts) if o < end)
                syllable_range = range(index, last + 1)
                break
    if syllable_range is None:
        return
    for syllable in syllable_range:
        marked[positions[syllable]] = True


def _at_syllable(letters: str, spelling: str) -> bool:
    """`letters` appear in the pinyin starting where a syllable starts ("jijin" in "GongJiJin")."""
    pinyin = spelling.lower()
    return any(pinyin.startswith(letters, start) for start in syllable_starts(spelling))


class Searcher:
    """Ranked search over the index tables of one catalogue connection."""

    def __init__(self, conn: sqlite3.Connection, synonyms: Synonyms) -> None:
        self.conn = conn
        self.synonyms = synonyms

    def plan(self, query: str) -> QueryPlan:
        """The plan for `query` with this catalogue's synonyms."""
        return plan_query(query, self.synonyms)

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """The best `limit` guides for `query`, through the indexes."""
        plan = self.plan(query)
        if plan.empty or limit <= 0:
            return []
        found: dict[int, MatchClass] = {}
        for match_class in MatchClass:
            need = limit - len(found)
            if need <= 0:
                break
            for rowid in self._class_rowids(match_class, plan, need, set(found)):
                found[rowid] = match_class
        return self._hits(found, plan)

    def scan(self, query: str, limit: int = 20) -> list[SearchHit]:
        """The same answer as `search`, by reading every row with LIKE: the baseline to beat."""
        plan = self.plan(query)
        if plan.empty or limit <= 0:
            return []
        patterns = [f"%{text}%" for text in plan.texts]
        columns = ["name", "materials", "body"]
        conditions = [f"{column} LIKE ?" for column in columns for _ in patterns]
        arguments: list[str] = [pattern for _ in columns for pattern in patterns]
        if plan.letters:
            conditions.append("spelling LIKE ?")
            arguments.append(f"%{plan.letters}%")
        if plan.initials:
            conditions.append("initials LIKE ?")
            arguments.append(f"%{plan.initials}%")
        rows = self.conn.execute(
            f"SELECT rowid, {', '.join(DOC_COLUMNS)} FROM search_docs WHERE " + " OR ".join(conditions),
            arguments,
        )
        ranked: list[tuple[MatchClass, int]] = []
        for rowid, *values in rows:
            match_class = classify(SearchDoc(*values), plan)
            if match_class is not None:
                ranked.append((match_class, rowid))
        ranked.sort()
        return self._hits({rowid: match_class for match_class, rowid in ranked[:limit]}, plan)

    # -- one class at a time ---------------------------------------------------------------------

    def _class_rowids(self, match_class: MatchClass, plan: QueryPlan, need: int, seen: set[int]) -> list[int]:
        """The first `need` rowids of guides in `match_class` and not in `seen`, in rank order."""
        if match_class is MatchClass.NAME_EXACT:
            return self._exact(plan, seen)[:need]
        take = need + len(seen)
        streams = [
            self._fts(table, expression, take) for table, expression in _expressions(match_class, plan)
        ]
        if match_class in (MatchClass.NAME_PREFIX, MatchClass.NAME) and len(plan.letters) > _SHORT:
            streams.append(self._pinyin(plan, match_class is MatchClass.NAME_PREFIX, take))
        merged = sorted({rowid for stream in streams for rowid in stream} - seen)
        return merged[:need]

    def _exact(self, plan: QueryPlan, seen: set[int]) -> list[int]:
        marks = ", ".join("?" * len(plan.texts))
        sql = f"SELECT rowid FROM search_docs WHERE name IN ({marks})"
        arguments = list(plan.texts)
        if plan.letters:
            sql += " UNION SELECT rowid FROM search_docs WHERE initials = ? OR lower(spelling) = ?"
            arguments += [plan.initials or "-", plan.letters]
        return sorted({row[0] for row in self.conn.execute(sql, arguments)} - seen)

    def _fts(self, table: str, expression: str, limit: int) -> list[int]:
        rows = self.conn.execute(
            f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rowid LIMIT ?", (expression, limit)
        )
        return [row[0] for row in rows]

    def _pinyin(self, plan: QueryPlan, prefix: bool, limit: int) -> list[int]:
        """Guides whose name's pinyin has the letters from a syllable's start on (or from its start).

        The tails column answers for up to TAIL letters; longer pinyin is found by its first TAIL
        letters and checked row by row (few rows share so long a beginning).
        """
        letters = plan.letters
        column = "head" if prefix else "tails"
        table = table_of(column, TRIGRAM_TABLES)
        expression = f'{{{column}}} : "{TAIL_MARK}{letters[:TAIL]}"'
        if len(letters) <= TAIL:
            return self._fts(table, expression, limit)
        matched: list[int] = []
        after = -1
        while len(matched) < limit:
            rows = self.conn.execute(
                "SELECT d.rowid, d.spelling FROM search_docs d WHERE d.rowid IN ("
                f"SELECT rowid FROM {table} WHERE {table} MATCH ? AND rowid > ? "
                "ORDER BY rowid LIMIT ?) ORDER BY d.rowid",
                (expression, after, _BATCH),
            ).fetchall()
            for rowid, spelling in rows:
                pinyin = spelling.lower()
                if pinyin.startswith(letters) if prefix else _at_syllable(letters, spelling):
                    matched.append(rowid)
            if len(rows) < _BATCH:
                break
            after = rows[-1][0]
        return matched[:limit]

    def _hits(self, found: dict[int, MatchClass], plan: QueryPlan) -> list[SearchHit]:
        if not found:
            return []
        marks = ", ".join("?" * len(found))
        rows = self.conn.execute(
            "SELECT d.rowid, g.id, g.name, g.department, g.promised_days, g.max_visits, "
            + ", ".join(f"d.{column}" for column in DOC_COLUMNS)
            + " "
            f"FROM search_docs d JOIN guides g ON g.id = d.guide_id WHERE d.rowid IN ({marks})",
            list(found),
        )
        by_rowid = {row[0]: row for row in rows}
        hits = []
        for rowid, match_class in sorted(found.items(), key=lambda item: (item[1], item[0])):
            row = by_rowid[rowid]
            summary = GuideSummary(*row[1:6])
            doc = SearchDoc(*row[6:])
            is_name = FIELDS[match_class] == "name"
            segments = highlight(summary.name, doc, plan) if is_name else ((summary.name, False),)
            hits.append(SearchHit(summary, SCORES[match_class], FIELDS[match_class], segments))
        return hits


def _expressions(match_class: MatchClass, plan: QueryPlan) -> Iterable[tuple[str, str]]:
    """(table, FTS5 expression) pairs that find the guides of one class, each in rowid order."""
    short = [text for text in plan.texts if len(text) <= _SHORT]
    long = [text for text in plan.texts if len(text) > _SHORT]
    letters = plan.letters
    if match_class is MatchClass.NAME_PREFIX:
        grams = [("name_head", text) for text in short]
        trigrams = [("name", f"^{_quoted(text)}") for text in long]
        if letters and len(letters) <= _SHORT:
            grams += [("initials_head", letters), ("pinyin_head", letters)]
        elif plan.initials:
            trigrams.append(("initials", f"^{_quoted(letters)}"))
    else:
        column = {MatchClass.NAME: "name", MatchClass.MATERIALS: "materials", MatchClass.TEXT: "body"}[
            match_class
        ]
        grams = [(column, text) for text in short]
        trigrams = [(column, _quoted(text)) for text in long]
        if match_class is MatchClass.NAME and letters:
            if len(letters) <= _SHORT:
                grams += [("initials", letters), ("pinyin_starts", letters)]
            elif plan.initials:
                trigrams.append(("initials", _quoted(letters)))
    by_table: dict[str, list[str]] = {}
    for column, text in grams:
        by_table.setdefault(table_of(column, GRAM_TABLES), []).append(f"{{{column}}} : {_quoted(text)}")
    for column, query in trigrams:
        by_table.setdefault(table_of(column, TRIGRAM_TABLES), []).append(f"{{{column}}} : {query}")
    for table, terms in by_table.items():
        yield table, " OR ".join(terms)


def _quoted(text: str) -> str:
    # Queries hold letters and digits only (plan_query drops the rest), so no quote to escape.
    return f'"{text}"'
