"""What every command shares: settings loaded once, errors that name the key and the file."""

from __future__ import annotations

import click

from kiosk.settings import LoadedSettings, SettingsError, load_settings


def load_or_exit() -> LoadedSettings:
    """The effective settings, or exit 2 with the key and the file at fault."""
    try:
        return load_settings()
    except SettingsError as error:
        raise click.ClickException(f"invalid settings: {error}") from error
