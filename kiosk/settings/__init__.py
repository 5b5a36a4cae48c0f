"""Typed, validated, layered settings of the kiosk."""

from kiosk.settings.loader import (
    DEFAULTS_FILE,
    SITE_FILE,
    Layer,
    LoadedSettings,
    SettingsError,
    environment_layer,
    load_settings,
    read_toml_layer,
    standard_layers,
)
from kiosk.settings.schema import Settings

__all__ = [
    "DEFAULTS_FILE",
    "SITE_FILE",
    "Layer",
    "LoadedSettings",
    "Settings",
    "SettingsError",
    "environment_layer",
    "load_settings",
    "read_toml_layer",
    "standard_layers",
]
