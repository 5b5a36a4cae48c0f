"""Keeping a kiosk's guides and configuration current from the fleet's TUF repository."""

from kiosk.sync.client import KioskSync, SyncError, SyncReport
from kiosk.sync.state import SyncState, SyncStatus

__all__ = ["KioskSync", "SyncError", "SyncReport", "SyncState", "SyncStatus"]
