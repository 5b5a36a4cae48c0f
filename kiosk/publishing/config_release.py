"""Publishing configuration for all kiosks, a group, or one kiosk, validated before it is signed."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from kiosk.publishing.repository import FleetRepository
from kiosk.settings import DEFAULTS_FILE, Layer, SettingsError, load_settings, read_toml_layer

#: Keys that belong to one machine and never come from the fleet. kiosk.mode among them: only the
#: machine's own site file may say it runs simulators and demo content (a showroom), so no pushed
#: file can turn a fleet of appliances back into pretending ones.
SITE_ONLY_KEYS = ("kiosk.id", "kiosk.mode", "kiosk.data_dir", "sync.repo_url", "sync.group")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def config_target(scope: str, name: str = "") -> str:
    """The target path of a configuration: config/all.toml, config/group/<g>.toml, config/kiosk/<id>.toml."""
    if scope == "all":
        return "config/all.toml"
    if scope not in {"group", "kiosk"}:
        raise ValueError(f"unknown scope {scope!r}")
    if not _NAME.match(name):
        raise ValueError(f"{scope} name {name!r} must be letters, digits, '.', '_' or '-'")
    return f"config/{scope}/{name}.toml"


def validate_pushed_config(data: bytes, source: str) -> dict[str, object]:
    """Parse and check a configuration against the kiosk's schema; raises SettingsError naming the key."""
    try:
        values = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SettingsError("(file)", source, f"not valid TOML: {error}") from error
    for dotted in SITE_ONLY_KEYS:
        section, key = dotted.split(".")
        table = values.get(section)
        if isinstance(table, dict) and key in table:
            raise SettingsError(dotted, source, "belongs to one kiosk's site file and cannot be pushed")
    # Not the drivers: the publishing machine need not have the kiosks' driver packages; each kiosk
    # checks them against its own when it syncs (and keeps its last good settings when one is missing).
    load_settings([read_toml_layer(DEFAULTS_FILE), Layer(source, values)], check_drivers=False)
    return values


def publish_config(repository: FleetRepository, source: Path, scope: str, name: str = "") -> str:
    """Validate `source` and publish it for the scope; returns the target path."""
    data = source.read_bytes()
    validate_pushed_config(data, str(source))
    target = config_target(scope, name)
    repository.publish({target: data}, replace_prefix=target)
    return target
