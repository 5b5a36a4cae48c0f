"""Kiosk rows for the console's page tests, written straight into its database."""

from __future__ import annotations

import time
from typing import Any

from console.db import Database
from console.models import Kiosk


def add_kiosk(db: Database, kiosk_id: str, **values: Any) -> None:
    """A kiosk online now, all well, unless `values` say otherwise (any Kiosk column)."""
    now = time.time()
    row: dict[str, Any] = {
        "site": f"Site of {kiosk_id}",
        "group": "",
        "state": "online",
        "session": 1,
        "state_since": now - 3600,
        "last_seen": now,
        "software": "1.0",
        "catalogue_version": 1,
        "config_version": "",
        "screen": "attract",
        "problems": [],
        "updated_at": now,
    }
    row.update(values)
    with db.session() as session:
        session.add(Kiosk(id=kiosk_id, **row))


def change_kiosk(db: Database, kiosk_id: str, **values: Any) -> None:
    with db.session() as session:
        kiosk = session.get(Kiosk, kiosk_id)
        assert kiosk is not None
        for name, value in values.items():
            setattr(kiosk, name, value)
        kiosk.updated_at = time.time()
