"""Logging of the kiosk process. Lines name sessions by their random id, never a resident."""

from __future__ import annotations

import logging


def configure_logging(level: str) -> None:
    """Send log lines to stderr (journald on an appliance) at `level`."""
    logging.basicConfig(
        level=getattr(logging, level),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
