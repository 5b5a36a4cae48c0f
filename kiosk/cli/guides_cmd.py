"""`kiosk guides`: the catalogue from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kiosk.cli.loading import load_or_exit
from kiosk.guides import (
    Catalogue,
    CatalogueFull,
    CatalogueInvalid,
    CatalogueShrinks,
    GuideNotFound,
    bounded_lines,
    check_replacement,
    guide_to_dict,
    read_jsonl,
    write_jsonl,
)
from kiosk.paths import catalogue_path, data_dir, database_files, hand_to_data_owner


def _open_catalogue() -> Catalogue:
    data = data_dir(load_or_exit().settings)
    catalogue = Catalogue.open(catalogue_path(data))
    # Closed when the command ends, however it ends: a connection left to the garbage collector
    # would leave the write-ahead log unmerged until some later moment.
    click.get_current_context().call_on_close(catalogue.close)
    # Run as root before the kiosk's first start, this created guides.db: the UI must write it.
    hand_to_data_owner(data, *database_files(catalogue_path(data)))
    return catalogue


@click.group()
def guides() -> None:
    """Import, export and inspect the service guides (KIOSK_DATA_DIR chooses the database)."""


@guides.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Drop every guide that is not in FILE.")
@click.option(
    "--allow-shrink",
    is_flag=True,
    help="With --replace: accept a FILE with fewer than half the guides the catalogue holds (or none).",
)
def import_(file: Path, replace: bool, allow_shrink: bool) -> None:
    """Import guides from a JSON Lines FILE; a single bad line imports nothing.

    Limits (the same at publishing and sync): one guide's line at most 256 KiB, a name 200
    characters, a paragraph 2,000, a list 100 entries; a catalogue at most 200,000 guides.
    """
    try:
        with file.open("rb") as handle:
            parsed = read_jsonl(bounded_lines(handle))
    except CatalogueInvalid as error:
        for line_error in error.errors:
            click.echo(f"{file}:{line_error}", err=True)
        raise click.ClickException(f"{len(error.errors)} bad line(s); nothing was imported") from error
    catalogue = _open_catalogue()
    if replace and not allow_shrink:
        try:
            check_replacement(catalogue.count(), len(parsed))
        except CatalogueShrinks as error:
            raise click.ClickException(
                f"{file}: {error}; nothing was imported (add --allow-shrink if that is meant)"
            ) from error
    try:
        count = catalogue.import_guides(parsed, replace=replace)
    except CatalogueFull as error:
        raise click.ClickException(f"{file}: {error}; nothing was imported") from error
    click.echo(f"imported {count} guides; the catalogue holds {catalogue.count()}")


@guides.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
def export(file: Path | None) -> None:
    """Write every guide as JSON Lines to FILE (standard output when omitted)."""
    catalogue = _open_catalogue()
    if file is None:
        sys.stdout.writelines(write_jsonl(catalogue.iter_guides()))
        return
    partial = file.with_name(file.name + ".part")
    with partial.open("w", encoding="utf-8") as handle:
        handle.writelines(write_jsonl(catalogue.iter_guides()))
    partial.replace(file)
    click.echo(f"exported {catalogue.count()} guides to {file}", err=True)


@guides.command("show")
@click.argument("guide_id")
@click.option("--json", "as_json", is_flag=True, help="Print the whole guide as JSON.")
def show(guide_id: str, as_json: bool) -> None:
    """Show one guide by its id (事项编码)."""
    try:
        guide = _open_catalogue().get(guide_id)
    except GuideNotFound as error:
        raise click.ClickException(f"no guide with id {guide_id!r}") from error
    if as_json:
        click.echo(json.dumps(guide_to_dict(guide), ensure_ascii=False, indent=2))
        return
    click.echo(f"{guide.id}  {guide.name}\n{guide.department}")
    for material in guide.materials:
        click.echo(f"  - {material.name}")


@guides.command("search")
@click.argument("query")
@click.option(
    "--limit", default=20, show_default=True, type=click.IntRange(1, 1000), help="At most this many guides."
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, best first, for machines.")
def search(query: str, limit: int, as_json: bool) -> None:
    """Find guides as a resident would type QUERY: characters, pinyin (sbk, gongjijin), Traditional."""
    hits = _open_catalogue().search(query, limit=limit)
    if as_json:
        document = [
            {
                "id": hit.summary.id,
                "name": hit.summary.name,
                "department": hit.summary.department,
                "score": hit.score,
                "field": hit.field,
                "matched": hit.matched,
            }
            for hit in hits
        ]
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    if not hits:
        click.echo(f"no guide matches {query!r}")
    for hit in hits:
        name = "".join(f"[{text}]" if matched else text for text, matched in hit.highlight)
        click.echo(f"{hit.score:4.2f}  {hit.field:<9}  {hit.summary.id}  {name}  ({hit.summary.department})")


@guides.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
def stats(as_json: bool) -> None:
    """Count guides by audience, department and life event (a guide for both audiences counts in each)."""
    catalogue = _open_catalogue()
    report = {
        "guides": catalogue.count(),
        "audiences": {c.name: c.count for c in catalogue.audiences()},
        "departments": {c.name: c.count for c in catalogue.departments()},
        "life_events": {c.name: c.count for c in catalogue.life_events()},
    }
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    click.echo(f"{report['guides']} guides")
    for title in ("audiences", "departments", "life_events"):
        click.echo(f"{title}:")
        for name, count in report[title].items():  # type: ignore[attr-defined]
            click.echo(f"  {count:5d}  {name}")
