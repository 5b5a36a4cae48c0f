"""What every command shares: settings loaded once, errors that name the key and the file."""

from __future__ import annotations

import click

from kiosk.settings import LoadedSettings, SettingsError, load_settings


def load_or_exit() -> LoadedSettings:
    """The effective settings, or exit 1 with one line naming the key and the file at fault.

    Every command loads its settings here, so that bad settings (a value, a site file that is not
    UTF-8, a data directory that cannot be created, a driver that is not installed) read the same
    everywhere. Exit 1, as for any command that could not run; 2 is click's for a bad flag.
    """
    try:
        return load_settings()
    except SettingsError as error:
        raise click.ClickException(f"invalid settings: {error}") from error
