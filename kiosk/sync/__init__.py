"""Keeping a kiosk's guides and configuration current from the fleet's TUF repository.

`KioskSync` (the client, `kiosk.sync.client`) loads TUF and HTTP; it is loaded when first named, so
a kiosk that has not synced yet, or never does, has not paid for it (docs/architecture.md).
"""

from typing import TYPE_CHECKING, Any

from kiosk.sync.outcome import SyncError, SyncReport
from kiosk.sync.state import SyncState, SyncStatus

if TYPE_CHECKING:
    from kiosk.sync.client import KioskSync


def __getattr__(name: str) -> Any:
    if name == "KioskSync":
        from kiosk.sync.client import KioskSync

        return KioskSync
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["KioskSync", "SyncError", "SyncReport", "SyncState", "SyncStatus"]
