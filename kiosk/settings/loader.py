"""Layered loading of the settings: defaults < site file < environment, each value traced to its source."""

from __future__ import annotations

import difflib
import logging
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kiosk.settings.schema import Settings

#: The package's embedded defaults, kept next to the code as data (config/ is not a package).
DEFAULTS_FILE = Path(__file__).resolve().parents[2] / "config" / "default.toml"
#: Where an appliance keeps its site settings, unless KIOSK_CONFIG names another file.
SITE_FILE = Path("/etc/kiosk/kiosk.toml")
#: Prefix of environment variables that override a key: KIOSK__DEVICES__PRINTER__DRIVER=cups.
ENV_PREFIX = "KIOSK__"

log = logging.getLogger(__name__)


class SettingsError(Exception):
    """Settings that cannot be used, with the key and the source at fault."""

    def __init__(self, key: str, source: str, reason: str) -> None:
        super().__init__(f"{source}: {key}: {reason}")
        self.key = key
        self.source = source
        self.reason = reason


@dataclass(frozen=True)
class Layer:
    """One source of settings: a name people recognise (a path, "environment") and its values."""

    source: str
    values: Mapping[str, Any]
    #: A finer source for some dotted keys: the environment variable that set each one.
    key_sources: Mapping[str, str] = field(default_factory=dict)

    def source_of(self, dotted: str) -> str:
        """What set `dotted` in this layer: the variable that set it, its table or a key inside it."""
        if dotted in self.key_sources:
            return self.key_sources[dotted]
        around = [key for key in self.key_sources if dotted.startswith(f"{key}.")]
        if around:
            return self.key_sources[max(around, key=len)]
        inside = [key for key in self.key_sources if key.startswith(f"{dotted}.")]
        return self.key_sources[min(inside)] if inside else self.source


@dataclass(frozen=True)
class LoadedSettings:
    """The effective settings together with the source of every key."""

    settings: Settings
    origins: Mapping[str, str] = field(default_factory=dict)


def read_toml_layer(path: Path) -> Layer:
    """Read one TOML file as a layer; bad syntax or a byte that is not UTF-8 names the file and line."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SettingsError("(file)", str(path), f"cannot be read: {error.strerror}") from error
    try:
        return Layer(str(path), tomllib.loads(data.decode("utf-8")))
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start]
        reason = f"not UTF-8 text: byte 0x{byte:02x} on line {line}; save the file as UTF-8"
        raise SettingsError("(file)", str(path), reason) from error
    except tomllib.TOMLDecodeError as error:
        raise SettingsError("(file)", str(path), f"not valid TOML: {error}") from error


def environment_layer(environ: Mapping[str, str]) -> Layer:
    """Collect KIOSK__SECTION__KEY=value variables; values are read as TOML values when they parse."""
    values: dict[str, Any] = {}
    key_sources: dict[str, str] = {}
    # Sorted, a variable comes before the longer ones that go inside it (KIOSK__A before KIOSK__A__B).
    for name, raw in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX):
            continue
        path = [part.lower() for part in name[len(ENV_PREFIX) :].split("__")]
        if not all(path):
            raise SettingsError(name, "environment", "empty key part; use KIOSK__SECTION__KEY")
        source = f"environment variable {name}"
        _set_path(values, path, _parse_env_value(raw), source, key_sources)
        key_sources[".".join(path)] = source
    return Layer("environment", values, key_sources)


#: Scopes of configuration pushed by the fleet, in the order they apply (later wins).
PUSHED_SCOPES = ("all", "group", "kiosk")


def site_file(environ: Mapping[str, str] | None = None) -> Path:
    """The site file: KIOSK_CONFIG, else /etc/kiosk/kiosk.toml."""
    env = os.environ if environ is None else environ
    return Path(env["KIOSK_CONFIG"]) if env.get("KIOSK_CONFIG") else SITE_FILE


def standard_layers(environ: Mapping[str, str] | None = None, pushed: bool = True) -> list[Layer]:
    """The layers every kiosk process uses: defaults < site file < pushed configuration < environment."""
    env = os.environ if environ is None else environ
    layers = [read_toml_layer(DEFAULTS_FILE)]
    site = site_file(env)
    if env.get("KIOSK_CONFIG") and not site.is_file():
        raise SettingsError("KIOSK_CONFIG", "environment", f"{site} {_not_a_file(site)}")
    if site.is_file():
        layers.append(read_toml_layer(site))
    env_layer = environment_layer(env)
    if pushed:
        layers.extend(pushed_layers(_configured_data_dir([*layers, env_layer]), env))
    layers.append(env_layer)
    return layers


def _not_a_file(path: Path) -> str:
    if path.is_dir():
        return "is a directory, not a settings file"
    return "is not a regular file" if path.exists() else "does not exist"


def pushed_layers(configured_data_dir: tuple[str, str], environ: Mapping[str, str]) -> list[Layer]:
    """The configuration the fleet pushed to this kiosk, as applied by `kiosk sync`.

    `configured_data_dir` is kiosk.data_dir and the source that set it.
    """
    # kiosk.paths needs the settings package, so it is imported when first needed.
    from kiosk.paths import pushed_dir, resolve_data_dir

    configured, source = configured_data_dir
    folder = pushed_dir(resolve_data_dir(configured, environ, configured_in=source))
    return [
        read_toml_layer(folder / f"{scope}.toml")
        for scope in PUSHED_SCOPES
        if (folder / f"{scope}.toml").is_file()
    ]


def load_settings(layers: Iterable[Layer] | None = None, *, check_drivers: bool = True) -> LoadedSettings:
    """Merge the layers in order (later wins) and validate the result against the schema.

    With the standard layers, configuration pushed by the fleet that no longer validates (the site
    file changed under it, say) is left out with a warning: the kiosk runs on its last good state.
    With `check_drivers`, every device's driver must be installed on this machine.
    """
    if layers is not None:
        return _merge_and_validate(list(layers), check_drivers)
    standard = standard_layers()
    try:
        return _merge_and_validate(standard, check_drivers)
    except SettingsError as error:
        pushed_sources = {layer.source for layer in pushed_layers(_configured_data_dir(standard), os.environ)}
        if error.source not in pushed_sources:
            raise
        log.warning("pushed configuration ignored, it no longer validates: %s", error)
        return _merge_and_validate(standard_layers(pushed=False), check_drivers)


def _configured_data_dir(layers: list[Layer]) -> tuple[str, str]:
    """kiosk.data_dir as the layers set it, and the source that set it last."""
    configured = ("", "defaults")
    for layer in layers:
        kiosk = layer.values.get("kiosk")
        if isinstance(kiosk, Mapping) and isinstance(kiosk.get("data_dir"), str):
            configured = (kiosk["data_dir"], layer.source_of("kiosk.data_dir"))
    return configured


def _merge_and_validate(layers: list[Layer], check_drivers: bool) -> LoadedSettings:
    # kiosk.devices builds drivers from the settings, so it is imported when first needed.
    from kiosk.devices import settings_schema

    # Each device's table as the installed drivers declare it (their kiosk.driver_settings entries).
    schema = settings_schema()
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for layer in layers:
        _check_known_keys(layer, schema)
        _merge(merged, layer.values, layer, origins, [])
    try:
        settings = schema.model_validate(merged)
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        raise SettingsError(key, _origin(key, origins), first["msg"]) from error
    if check_drivers:
        _check_drivers_installed(settings, origins)
    return LoadedSettings(settings, origins)


def _origin(key: str, origins: Mapping[str, str]) -> str:
    """The source of `key`, or of the value around it (a list's item, a field inside a notice)."""
    parts = key.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in origins:
            return origins[prefix]
    return "defaults"


def _check_drivers_installed(settings: Settings, origins: Mapping[str, str]) -> None:
    """Every device names a driver some installed package provides (entry points, as at start-up)."""
    # kiosk.devices builds drivers from the settings, so it is imported when first needed.
    from kiosk.devices import available_drivers

    for device in type(settings.devices).model_fields:
        name = getattr(settings.devices, device).driver
        installed = available_drivers(device)
        if name in installed:
            continue
        key = f"devices.{device}.driver"
        hint = difflib.get_close_matches(name, installed, n=1)
        suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
        reason = (
            f"no driver named {name!r} is installed (installed: {', '.join(installed) or 'none'}){suggestion}"
        )
        raise SettingsError(key, _origin(key, origins), reason)


def _check_known_keys(layer: Layer, schema: type[Settings]) -> None:
    """Reject a key the schema does not know, suggesting the closest known one."""

    def walk(values: Mapping[str, Any], model: type[Any], prefix: list[str]) -> None:
        fields = model.model_fields
        for key, value in values.items():
            dotted = ".".join([*prefix, key])
            if key not in fields:
                hint = difflib.get_close_matches(key, list(fields), n=1)
                suffix = f" (did you mean {'.'.join([*prefix, hint[0]])!r}?)" if hint else ""
                raise SettingsError(dotted, layer.source_of(dotted), f"unknown key{suffix}")
            annotation = fields[key].annotation
            if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
                if not isinstance(value, Mapping):
                    raise SettingsError(dotted, layer.source_of(dotted), "must be a table of keys")
                walk(value, annotation, [*prefix, key])
            elif isinstance(value, Mapping):
                # No setting is a table of free keys: merging one over a value would fail anyway.
                raise SettingsError(dotted, layer.source_of(dotted), "must be one value, not a table of keys")

    walk(layer.values, schema, [])


def _merge(
    target: dict[str, Any],
    values: Mapping[str, Any],
    layer: Layer,
    origins: dict[str, str],
    prefix: list[str],
) -> None:
    # _check_known_keys has seen the layer: a table only ever meets a table here.
    for key, value in values.items():
        path = [*prefix, key]
        if isinstance(value, Mapping):
            _merge(target.setdefault(key, {}), value, layer, origins, path)
        else:
            target[key] = value
            origins[".".join(path)] = layer.source_of(".".join(path))


def _set_path(
    values: dict[str, Any], path: list[str], value: Any, source: str, key_sources: Mapping[str, str]
) -> None:
    for depth, part in enumerate(path[:-1], start=1):
        inner = values.setdefault(part, {})
        if not isinstance(inner, dict):
            # KIOSK__A__B=1 after KIOSK__A=2: the second cannot go inside a value.
            dotted = ".".join(path[:depth])
            other = Layer("environment", {}, key_sources).source_of(dotted)
            raise SettingsError(dotted, source, f"already set to one value by {other}; keep one of the two")
        values = inner
    values[path[-1]] = value


def _parse_env_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw
