"""The audit log: every action in the console, with who, when and from where."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy.orm import Session

from console.models import AuditEntry


def record(db: Session, actor: str, action: str, target: str = "", address: str = "", **detail: Any) -> None:
    """Add one entry in the caller's transaction (so an action and its record commit together)."""
    db.add(
        AuditEntry(at=time.time(), actor=actor, action=action, target=target, detail=detail, address=address)
    )
