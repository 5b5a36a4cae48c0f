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


@dataclass(frozen=True)
class LoadedSettings:
    """The effective settings together with the source of every key."""

    settings: Settings
    origins: Mapping[str, str] = field(default_factory=dict)


def read_toml_layer(path: Path) -> Layer:
    """Read one TOML file as a layer; a syntax error names the file and the line."""
    try:
        with path.open("rb") as handle:
            return Layer(str(path), tomllib.load(handle))
    except tomllib.TOMLDecodeError as error:
        raise SettingsError("(file)", str(path), f"not valid TOML: {error}") from error
    except OSError as error:
        raise SettingsError("(file)", str(path), f"cannot be read: {error.strerror}") from error


def environment_layer(environ: Mapping[str, str]) -> Layer:
    """Collect KIOSK__SECTION__KEY=value variables; values are read as TOML values when they parse."""
    values: dict[str, Any] = {}
    for name, raw in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX):
            continue
        path = [part.lower() for part in name[len(ENV_PREFIX) :].split("__")]
        if not all(path):
            raise SettingsError(name, "environment", "empty key part; use KIOSK__SECTION__KEY")
        _set_path(values, path, _parse_env_value(raw))
    return Layer("environment", values)


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
        raise SettingsError("KIOSK_CONFIG", "environment", f"{site} does not exist")
    if site.is_file():
        layers.append(read_toml_layer(site))
    env_layer = environment_layer(env)
    if pushed:
        layers.extend(pushed_layers(_configured_data_dir([*layers, env_layer]), env))
    layers.append(env_layer)
    return layers


def pushed_layers(configured_data_dir: str, environ: Mapping[str, str]) -> list[Layer]:
    """The configuration the fleet pushed to this kiosk, as applied by `kiosk sync`."""
    # kiosk.paths needs the settings package, so it is imported when first needed.
    from kiosk.paths import pushed_dir, resolve_data_dir

    folder = pushed_dir(resolve_data_dir(configured_data_dir, environ))
    return [
        read_toml_layer(folder / f"{scope}.toml")
        for scope in PUSHED_SCOPES
        if (folder / f"{scope}.toml").is_file()
    ]


def load_settings(layers: Iterable[Layer] | None = None) -> LoadedSettings:
    """Merge the layers in order (later wins) and validate the result against the schema.

    With the standard layers, configuration pushed by the fleet that no longer validates (the site
    file changed under it, say) is left out with a warning: the kiosk runs on its last good state.
    """
    if layers is not None:
        return _merge_and_validate(list(layers))
    standard = standard_layers()
    try:
        return _merge_and_validate(standard)
    except SettingsError as error:
        pushed_sources = {layer.source for layer in pushed_layers(_configured_data_dir(standard), os.environ)}
        if error.source not in pushed_sources:
            raise
        log.warning("pushed configuration ignored, it no longer validates: %s", error)
        return _merge_and_validate(standard_layers(pushed=False))


def _configured_data_dir(layers: list[Layer]) -> str:
    configured = ""
    for layer in layers:
        kiosk = layer.values.get("kiosk")
        if isinstance(kiosk, Mapping) and isinstance(kiosk.get("data_dir"), str):
            configured = kiosk["data_dir"]
    return configured


def _merge_and_validate(layers: list[Layer]) -> LoadedSettings:
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for layer in layers:
        _check_known_keys(layer)
        _merge(merged, layer.values, layer.source, origins, [])
    try:
        settings = Settings.model_validate(merged)
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        raise SettingsError(key, origins.get(key, "defaults"), first["msg"]) from error
    return LoadedSettings(settings, origins)


def _check_known_keys(layer: Layer) -> None:
    """Reject a key the schema does not know, suggesting the closest known one."""

    def walk(values: Mapping[str, Any], model: type[Any], prefix: list[str]) -> None:
        fields = model.model_fields
        for key, value in values.items():
            dotted = ".".join([*prefix, key])
            if key not in fields:
                hint = difflib.get_close_matches(key, list(fields), n=1)
                suffix = f" (did you mean {'.'.join([*prefix, hint[0]])!r}?)" if hint else ""
                raise SettingsError(dotted, layer.source, f"unknown key{suffix}")
            annotation = fields[key].annotation
            if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
                if not isinstance(value, Mapping):
                    raise SettingsError(dotted, layer.source, "must be a table of keys")
                walk(value, annotation, [*prefix, key])

    walk(layer.values, Settings, [])


def _merge(
    target: dict[str, Any],
    values: Mapping[str, Any],
    source: str,
    origins: dict[str, str],
    prefix: list[str],
) -> None:
    for key, value in values.items():
        path = [*prefix, key]
        if isinstance(value, Mapping):
            _merge(target.setdefault(key, {}), value, source, origins, path)
        else:
            target[key] = value
            origins[".".join(path)] = source


def _set_path(values: dict[str, Any], path: list[str], value: Any) -> None:
    for part in path[:-1]:
        values = values.setdefault(part, {})
    values[path[-1]] = value


def _parse_env_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw
