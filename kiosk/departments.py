"""How departments are named on a crowded screen."""

from __future__ import annotations

# Prefixes every department of the city shares; a tile says what differs.
_PREFIXES = ("国家税务总局威海市", "威海市", "山东省")


def short_department(name: str) -> str:
    """A department's name without the shared city prefix: 威海市医疗保障局 -> 医疗保障局."""
    for prefix in _PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix) :]
    return name
