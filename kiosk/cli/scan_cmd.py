"""`kiosk hw scan`: find the codes in images with zbar, as the camera scanner would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from kiosk.barcodes import SYMBOLOGIES, decode_image


@click.command("scan")
@click.argument(
    "images", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
@click.option(
    "--symbology",
    "symbologies",
    multiple=True,
    type=click.Choice(sorted(SYMBOLOGIES)),
    help="Look only for this symbology (repeatable); default: every one zbar knows.",
)
def scan(images: tuple[Path, ...], as_json: bool, symbologies: tuple[str, ...]) -> None:
    """Find the QR codes and barcodes in IMAGES with zbar, as the camera scanner would.

    Exits 1 when an image holds no code at all, so scripts can check a camera's snapshot.
    """
    from PIL import Image, UnidentifiedImageError

    report: list[tuple[Path, list[dict[str, Any]]]] = []
    for path in images:
        try:
            with Image.open(path) as image:
                found = decode_image(image, symbologies or None)
        except UnidentifiedImageError as error:
            raise click.BadParameter(f"{path} is not an image", param_hint="IMAGES") from error
        report.append((path, [code.as_dict() for code in found]))
    if as_json:
        document = [{"image": str(path), "codes": codes} for path, codes in report]
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        for path, codes in report:
            click.echo(f"{path}: {len(codes)} code(s)")
            for code in codes:
                box = code["position"]
                place = f"{box['left']},{box['top']} {box['width']}x{box['height']}"
                click.echo(f"  {code['type']} at {place}: {code['data']}")
    if any(not codes for _, codes in report):
        raise SystemExit(1)
