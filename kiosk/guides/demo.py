"""The demo catalogue bundled with the software, loaded when a kiosk starts with no guides."""

from __future__ import annotations

import logging
from pathlib import Path

from kiosk.guides.catalogue import Catalogue
from kiosk.guides.codec import bounded_lines, read_jsonl

DEMO_CATALOGUE = Path(__file__).resolve().parents[2] / "config" / "demo" / "guides.jsonl"

log = logging.getLogger(__name__)


def load_demo_if_empty(catalogue: Catalogue, path: Path = DEMO_CATALOGUE) -> int:
    """Load the demo guides into an empty catalogue; returns how many were loaded (0 if not empty)."""
    if catalogue.count():
        return 0
    with path.open("rb") as handle:
        guides = read_jsonl(bounded_lines(handle))
    loaded = catalogue.import_guides(guides)
    log.info("loaded %d demo guides from %s", loaded, path)
    return loaded
