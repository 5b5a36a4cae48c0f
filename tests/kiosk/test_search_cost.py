"""One search costs about the same whatever a catalogue holds: a guide at every limit, or past them."""

from __future__ import annotations

import time

from bench.catalogue import synthetic_guides
from kiosk.guides import Catalogue, guide_from_dict, load_demo_if_empty
from kiosk.guides.search_index import INDEXED_NAME, search_doc
from kiosk.records import Guide, Material
from kiosk.records.guide import MAX_ITEMS, MAX_LINE, MAX_PARAGRAPH

QUERIES = ("aaaa", "aa", "a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "社保", "sbk", "公积金提取")


def _normal() -> Catalogue:
    catalogue = Catalogue(":memory:")
    load_demo_if_empty(catalogue)
    catalogue.import_guides(synthetic_guides(300, seed=5))
    # Every query finds something in the normal catalogue too: the comparison is of like with like.
    catalogue.import_guides([Guide(id="371000-A-1", name="aaaa登记", department="威海市测试局")])
    return catalogue


def _at_every_limit() -> Guide:
    """The largest guide an import accepts, of the letter every query above asks for."""
    text = "a" * MAX_PARAGRAPH
    return guide_from_dict(
        {
            "id": "371000-MAX-1",
            "name": "a" * MAX_LINE,
            "department": "a" * MAX_LINE,
            "plain": text,
            "conditions": [text] * 50,
            "materials": [{"name": "a" * MAX_LINE, "notes": text}] * 20,
            "steps": [{"title": "a" * MAX_LINE, "description": text}] * 10,
            "locations": [{"hall": "a" * MAX_LINE}] * MAX_ITEMS,
        }
    )


def _past_the_limits() -> Guide:
    """What a catalogue from before the limits may hold (the record itself does not validate)."""
    return Guide(
        id="371000-HUGE-1",
        name="a" * 300_000,
        department="威海市测试局",
        plain="a" * 1_000_000,
        materials=(Material(name="a" * 100_000),),
    )


def _seconds(catalogue: Catalogue) -> float:
    """The best of three rounds of every query, five times each (the least disturbed by the machine)."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(5):
            for query in QUERIES:
                catalogue.search(query, limit=20)
        best = min(best, time.perf_counter() - start)
    return best


def test_a_guide_at_or_past_every_limit_does_not_slow_search_down() -> None:
    normal = _normal()
    heavy = _normal()
    heavy.import_guides([_at_every_limit(), _past_the_limits()])
    found = {hit.summary.id for hit in heavy.search("aaaa", limit=20)}
    assert {"371000-MAX-1", "371000-HUGE-1"} <= found
    baseline, measured = _seconds(normal), _seconds(heavy)
    # Generous: the same machine, the same run; before the bounds a 300,000-character name alone
    # made one search cost seconds (12.4 s at 1 MB), thousands of times the baseline.
    assert measured < 10 * baseline, f"{measured:.3f} s against {baseline:.3f} s"


def test_the_highlight_of_an_overlong_name_covers_its_indexed_beginning_only() -> None:
    catalogue = Catalogue(":memory:")
    catalogue.import_guides([_past_the_limits()])
    (hit,) = catalogue.search("aaaa")
    assert "".join(text for text, _ in hit.highlight) == "a" * 300_000
    assert [(len(text), marked) for text, marked in hit.highlight] == [
        (INDEXED_NAME, True),
        (300_000 - INDEXED_NAME, False),
    ]


def test_the_index_holds_a_bounded_share_of_any_guide() -> None:
    doc = search_doc(_past_the_limits())
    assert len(doc.name) == INDEXED_NAME
    assert sum(len(value) for value in vars(doc).values()) < 50_000
