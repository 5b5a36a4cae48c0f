"""`kiosk sync` and `kiosk provision`: the kiosk's side of the fleet."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from kiosk.cli.common import load_or_exit
from kiosk.guides import Catalogue
from kiosk.log import configure_logging
from kiosk.paths import catalogue_path, data_dir, state_path
from kiosk.settings.loader import site_file
from kiosk.sync import KioskSync, SyncError, SyncState
from kiosk.sync.provision import ProvisionError, provision


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
    # The reason of a failure is the one line on stderr; the running kiosk logs it instead.
    configure_logging("ERROR")
    data = data_dir(settings)
    catalogue = Catalogue(catalogue_path(data))
    state = SyncState(state_path(data))
    try:
        report = KioskSync(settings, data, catalogue, state).sync_once()
    except SyncError as error:
        raise click.ClickException(str(error)) from error
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


@click.command("provision")
@click.option("--kiosk-id", required=True, help="This kiosk's id in the fleet.")
@click.option("--group", required=True, help="The group whose configuration this kiosk follows.")
@click.option("--repo-url", required=True, help="Address the fleet repository is served at.")
@click.option(
    "--trust-root",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The repository's root metadata (1.root.json from `kiosk fleet init`).",
)
def provision_command(kiosk_id: str, group: str, repo_url: str, trust_root: Path) -> None:
    """Store this kiosk's identity and its trust in the fleet repository."""
    target = site_file()
    try:
        data = provision(target, kiosk_id=kiosk_id, group=group, repo_url=repo_url, trust_root=trust_root)
    except ProvisionError as error:
        raise click.ClickException(f"nothing was changed: {error}") from error
    click.echo(f"site file:  {target}")
    click.echo(f"trust root: {data / 'trust' / 'root.json'}")
    click.echo("next: kiosk sync --once")
