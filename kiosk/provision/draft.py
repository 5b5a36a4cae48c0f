"""The site file being provisioned: what it has, what the technician changed, validated key by key."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.provision.site import lookup, merged, read_site_values, validate_site, write_site
from kiosk.settings import DEFAULTS_FILE, Settings, SettingsError, read_toml_layer


@dataclass
class SiteDraft:
    """The site file's keys with the technician's answers over them, until it is saved."""

    path: Path
    existing: dict[str, Any]
    changes: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path) -> SiteDraft:
        """A draft of the site file at `path` (which need not exist yet)."""
        return cls(path, read_site_values(path))

    def values(self) -> dict[str, Any]:
        """The site file's keys as they would be saved."""
        return merged(self.existing, self.changes)

    def has(self, dotted: str) -> bool:
        """Whether the key is answered: by the technician now, or by the site file already."""
        return dotted in self.changes or lookup(self.existing, dotted) is not None

    def site_value(self, dotted: str) -> Any:
        """The key's value in the site file (None when absent): a re-provisioning's default."""
        return lookup(self.existing, dotted)

    def in_force(self, dotted: str) -> Any:
        """The key's value as it would be saved, else the package default."""
        if dotted in self.changes:
            return self.changes[dotted]
        value = lookup(self.existing, dotted)
        return value if value is not None else lookup(_defaults(), dotted)

    def set(self, **changes: Any) -> None:
        """Answer keys (dotted names with "__" for "."); a value the schema refuses raises SettingsError.

        Only errors about the keys being set count here: a bad key elsewhere in an old site file is
        reported when the whole file is validated before saving.
        """
        dotted = {name.replace("__", "."): value for name, value in changes.items()}
        self.set_dotted(dotted)

    def set_dotted(self, dotted: dict[str, Any]) -> None:
        """`set` with dotted keys."""
        try:
            validate_site(self.path, merged(self.values(), dotted))
        except SettingsError as error:
            if any(error.key == key or error.key.startswith(f"{key}.") for key in dotted):
                raise
        self.changes.update(dotted)

    def settings(self) -> Settings:
        """The settings the kiosk would run on after saving (SettingsError names the key at fault)."""
        return validate_site(self.path, self.values())

    def save(self) -> None:
        """Replace the site file atomically (mode 0640) after the whole of it validates."""
        write_site(self.path, self.values())


def _defaults() -> dict[str, Any]:
    return dict(read_toml_layer(DEFAULTS_FILE).values)
