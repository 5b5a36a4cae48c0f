"""Plug-ins: what installed packages register by name in an entry-point group.

The `kiosk` command's subcommands (`kiosk.commands`), drivers (`kiosk.drivers`), their settings
models (`kiosk.driver_settings`), their detectors (`kiosk.detectors`), simulator commands
(`kiosk.simulators`) and WLT photo decoders (`kiosk.wlt_decoders`) are all found here, so the core
never imports the package that provides one.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import Any


def registered(group: str) -> list[EntryPoint]:
    """The entry points registered in `group`, sorted by name (a name registered twice: both)."""
    return sorted(entry_points(group=group), key=lambda entry_point: entry_point.name)


def names(group: str) -> list[str]:
    """The names registered in `group`, sorted, each once."""
    return sorted({entry_point.name for entry_point in entry_points(group=group)})


def load(group: str, name: str) -> Any | None:
    """The object registered as `name` in `group` (the first found when two packages register it),
    or None when no installed package registers it."""
    for entry_point in entry_points(group=group):
        if entry_point.name == name:
            return entry_point.load()
    return None
