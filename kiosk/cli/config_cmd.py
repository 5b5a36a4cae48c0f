"""`kiosk config`: the effective settings and where each value comes from."""

from __future__ import annotations

import json

import click

from kiosk.cli.loading import load_or_exit
from kiosk.paths import data_dir


@click.group()
def config() -> None:
    """Inspect the kiosk's settings."""


@config.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
@click.option("--origins", is_flag=True, help="Also say which file or layer set each key.")
def show(as_json: bool, origins: bool) -> None:
    """Print the effective settings (defaults < site file < environment)."""
    loaded = load_or_exit()
    values = loaded.settings.model_dump(mode="json")
    if as_json:
        document: dict[str, object] = dict(values)
        if origins:
            document = {"settings": values, "origins": dict(loaded.origins)}
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    for key, value in _flatten(values):
        source = f"  # {loaded.origins.get(key, 'defaults')}" if origins else ""
        click.echo(f"{key} = {json.dumps(value, ensure_ascii=False)}{source}")
    click.echo(f"# data directory: {data_dir(loaded.settings)}")


def _flatten(values: dict[str, object], prefix: str = "") -> list[tuple[str, object]]:
    flat: list[tuple[str, object]] = []
    for key, value in values.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.extend(_flatten(value, f"{dotted}."))
        else:
            flat.append((dotted, value))
    return flat
