"""The site file as provisioning changes it: the keys it already has kept, validated before it is replaced."""

from __future__ import annotations

import copy
import grp
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w

from kiosk.settings import DEFAULTS_FILE, Layer, Settings, SettingsError, load_settings, read_toml_layer
from kiosk.storage import write_file_atomically

#: The site file holds the technician PIN's hash: readable by root and the kiosk's group only.
SITE_FILE_MODE = 0o640
#: The group the kiosk's service user reads the site file through (a new file gets it).
SITE_FILE_GROUP = "kiosk"


def read_site_values(path: Path) -> dict[str, Any]:
    """The keys the site file has now (empty when there is none); bad TOML names the file."""
    if not path.is_file():
        return {}
    return dict(read_toml_layer(path).values)


def merged(values: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """`values` with `changes` (dotted keys: "devices.printer.queue") applied; tables are merged."""
    result = copy.deepcopy(dict(values))
    for dotted, value in changes.items():
        *tables, key = dotted.split(".")
        table = result
        for name in tables:
            table = table.setdefault(name, {})
        table[key] = value
    return result


def lookup(values: Mapping[str, Any], dotted: str) -> Any:
    """The value of a dotted key in nested tables, or None when a part is absent."""
    current: Any = values
    for name in dotted.split("."):
        if not isinstance(current, Mapping) or name not in current:
            return None
        current = current[name]
    return current


def validate_site(path: Path, values: Mapping[str, Any]) -> Settings:
    """The settings the kiosk would run on with these site values (defaults below them)."""
    return load_settings([read_toml_layer(DEFAULTS_FILE), Layer(str(path), values)]).settings


def write_site(path: Path, values: Mapping[str, Any]) -> None:
    """Replace the site file atomically with `values`, mode 0640, after they validate.

    What is validated is the TOML text about to be written, read back: the file that replaces the
    old one is exactly the one that loaded. On a validation error the old file stays untouched.
    """
    text = tomli_w.dumps(dict(values))
    try:
        validate_site(path, tomllib.loads(text))
    except tomllib.TOMLDecodeError as error:  # tomli_w wrote what tomllib cannot read: never ship it
        raise SettingsError("(file)", str(path), f"would not be valid TOML: {error}") from error
    group = path.stat().st_gid if path.exists() else _kiosk_group()
    path.parent.mkdir(parents=True, exist_ok=True)
    # The kiosk user reads the file through its group (root:kiosk 0640): keep that group.
    write_file_atomically(path, text.encode("utf-8"), mode=SITE_FILE_MODE, group=group)


def _kiosk_group() -> int | None:
    """The appliance's `kiosk` group (made by scripts/install-appliance), when this machine has one."""
    try:
        return grp.getgrnam(SITE_FILE_GROUP).gr_gid
    except KeyError:
        return None
