"""The guide catalogue: records in, SQLite storage, browsing."""

from kiosk.guides.catalogue import (
    AUDIENCES,
    BrowseAudience,
    Catalogue,
    CatalogueFull,
    CatalogueShrinks,
    CatalogueUnusable,
    Category,
    GuideNotFound,
    GuideQuery,
    check_replacement,
)
from kiosk.guides.codec import (
    CatalogueInvalid,
    GuideInvalid,
    LineError,
    OversizedLine,
    bounded_lines,
    decode_line,
    guide_from_dict,
    guide_to_dict,
    guide_to_json,
    read_jsonl,
    write_jsonl,
)
from kiosk.guides.demo import DEMO_CATALOGUE, load_demo_if_empty

__all__ = [
    "AUDIENCES",
    "DEMO_CATALOGUE",
    "BrowseAudience",
    "Catalogue",
    "CatalogueFull",
    "CatalogueInvalid",
    "CatalogueShrinks",
    "CatalogueUnusable",
    "Category",
    "GuideInvalid",
    "GuideNotFound",
    "GuideQuery",
    "LineError",
    "OversizedLine",
    "bounded_lines",
    "check_replacement",
    "decode_line",
    "guide_from_dict",
    "guide_to_dict",
    "guide_to_json",
    "load_demo_if_empty",
    "read_jsonl",
    "write_jsonl",
]
