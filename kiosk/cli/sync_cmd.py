"""`kiosk sync`: the kiosk's side of the fleet."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict

import click

from kiosk.cli.loading import load_or_exit
from kiosk.guides import Catalogue
from kiosk.log import configure_logging
from kiosk.paths import catalogue_path, data_dir, database_files, hand_to_data_owner, state_path
from kiosk.sync import KioskSync, SyncError, SyncState

log = logging.getLogger(__name__)


@click.group(invoke_without_command=True)
@click.option("--once", is_flag=True, help="Bring guides and configuration up to date now, then exit.")
@click.pass_context
def sync(context: click.Context, once: bool) -> None:
    """Bring guides and configuration up to date from the fleet repository."""
    if context.invoked_subcommand is not None:
        return
    if not once:
        raise click.UsageError("use `kiosk sync --once` (the running kiosk syncs by itself)")
    settings = load_or_exit().settings
    # The reason of a failure is the one line on stderr, in the configured format (JSON lines for
    # journald under kiosk-sync.service); the running kiosk logs its own syncs instead.
    configure_logging("ERROR", settings.logging.format)
    data = data_dir(settings)
    catalogue = Catalogue.open(catalogue_path(data))
    state = SyncState(state_path(data))
    try:
        report = KioskSync(settings, data, catalogue, state).sync_once()
    except SyncError as error:
        log.error("%s", error)
        context.exit(1)
    finally:
        catalogue.close()
        state.close()
    changes = [
        f"catalogue v{report.catalogue_version}{' (delta)' if report.used_delta else ''}"
        if report.catalogue_updated
        else "",
        "configuration" if report.config_updated else "",
    ]
    done = ", ".join(change for change in changes if change)
    click.echo(f"updated: {done}" if done else "up to date")


@sync.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
def status(as_json: bool) -> None:
    """The versions in force, the last success and the last error."""
    data = data_dir(load_or_exit().settings)
    state = SyncState(state_path(data))
    try:
        current = state.status()
    finally:
        state.close()
        # Run as root before the kiosk's first start, this created state.db: the UI must write it.
        hand_to_data_owner(data, *database_files(state_path(data)))
    if as_json:
        click.echo(json.dumps(asdict(current), indent=2))
        return
    click.echo(f"catalogue version: {current.catalogue_version}")
    click.echo(f"configuration:     {current.config or 'none'}")
    click.echo(f"last success:      {current.last_success}")
    click.echo(
        f"last error:        {current.last_error} ({current.last_error_at})"
        if current.last_error
        else "last error:        none"
    )
