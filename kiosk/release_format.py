"""The release format: the targets of the TUF repository, as the administrators publish them and
every kiosk reads them (kiosk.publishing writes, kiosk.sync reads; neither imports the other).

The catalogue: `catalogue/index.json` names the current version, its guide count, the full
catalogue (`catalogue/full-<version>.jsonl.gz`, one guide per line) and, by the version a kiosk may
hold, a delta from it (`catalogue/delta-<old>-<version>.jsonl.gz`, one line per change:
`{"op": "upsert", "guide": {...}}` or `{"op": "delete", "id": "..."}`). The index may also name
`database`: `{"path": "catalogue/db-<version>.sqlite.gz", "format": "..."}`, the same catalogue as
a gzip-compressed SQLite database with its search index built (kiosk.guides.prebuilt), which a kiosk
whose own format is `format` applies instead of importing the full catalogue.

Configuration: a TOML file for all kiosks, a group or one kiosk (see `config_target`), checked
against the kiosk's settings schema before it is signed and again on every kiosk that applies it.

A staged rollout (the console's): `staged/<group>/<target>` for the catalogue index and each
configuration file. A kiosk of sync group <group> takes it instead of <target> while it is listed,
and <target> again once it is dropped (an aborted rollout), so a canary group runs a release first.
A staged index names full and delta targets under `catalogue/`, next to the current version's.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from kiosk.settings import DEFAULTS_FILE, Layer, SettingsError, load_settings, read_toml_layer

#: The catalogue index, the one target a kiosk reads first.
INDEX = "catalogue/index.json"
#: Every catalogue target starts so (a publication replaces them all).
PREFIX = "catalogue/"

#: Keys that belong to one machine and never come from the fleet. kiosk.mode among them: only the
#: machine's own site file may say it runs simulators and demo content (a showroom), so no pushed
#: file can turn a fleet of appliances back into pretending ones. The platform's paas id and secret
#: are one kiosk's credentials: a published file is readable by every kiosk that syncs; so are its
#: account at the fleet's broker. What `reboot` runs is the machine's own: a pushed file must not be
#: able to make a kiosk run a program of the publisher's choice.
SITE_ONLY_KEYS = (
    "kiosk.id",
    "kiosk.mode",
    "kiosk.data_dir",
    "sync.repo_url",
    "sync.group",
    "platform.paas_id",
    "platform.token",
    "platform.token_file",
    "fleet.username",
    "fleet.password",
    "fleet.password_file",
    "fleet.reboot_command",
)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def full_target(version: int) -> str:
    """The target path of the whole catalogue at `version`."""
    return f"{PREFIX}full-{version}.jsonl.gz"


def delta_target(old: int, version: int) -> str:
    """The target path of the changes that bring a catalogue from `old` to `version`."""
    return f"{PREFIX}delta-{old}-{version}.jsonl.gz"


def database_target(version: int) -> str:
    """The target path of the catalogue at `version` as a prebuilt SQLite database."""
    return f"{PREFIX}db-{version}.sqlite.gz"


def index_targets(index: dict[str, Any]) -> list[str]:
    """Every target a catalogue index names: the full catalogue, the deltas, the database if any."""
    database = index.get("database")
    extra = [database["path"]] if isinstance(database, dict) and "path" in database else []
    return [index["full"], *index["deltas"].values(), *extra]


#: A staged rollout's targets: a kiosk in sync group G prefers `staged/G/<target>` to `<target>`
#: (the catalogue index and each configuration file), so a canary group runs a release first.
STAGED_PREFIX = "staged/"


def staged_target(group: str, target: str) -> str:
    """Where `target` is staged for the kiosks of sync group `group`."""
    if not _NAME.match(group):
        raise ValueError(f"group name {group!r} must be letters, digits, '.', '_' or '-'")
    return f"{STAGED_PREFIX}{group}/{target}"


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
