"""What a sync attempt comes to: a report of what changed, or the reason nothing did.

Apart from the client (`kiosk.sync.client`), which loads TUF: the running kiosk, its scheduler,
technician mode and the fleet name these from the start, and load the client with the first sync.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class SyncError(RuntimeError):
    """A sync that applied nothing, with a one-line reason a technician can act on."""


@dataclass(frozen=True)
class SyncReport:
    """What a successful sync changed."""

    catalogue_version: int | None
    catalogue_updated: bool
    config: dict[str, str] = field(default_factory=dict)
    config_updated: bool = False
    bytes_downloaded: int = 0
    used_delta: bool = False
    #: The catalogue came as a prebuilt database (kiosk.guides.prebuilt), not as guides to import.
    used_database: bool = False

    @property
    def updated(self) -> bool:
        """Whether anything changed."""
        return self.catalogue_updated or self.config_updated
