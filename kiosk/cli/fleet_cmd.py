"""`kiosk fleet`: what administrators run to publish guides and configuration to the fleet."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kiosk.guides import CatalogueInvalid
from kiosk.publishing import FleetRepository, RepositoryError
from kiosk.publishing.catalogue_release import publish_catalogue
from kiosk.publishing.config_release import publish_config
from kiosk.publishing.keys import ROLES, KeyMissing
from kiosk.settings import SettingsError

_DIR = click.Path(file_okay=False, path_type=Path)


def _open(directory: Path) -> FleetRepository:
    try:
        return FleetRepository(directory)
    except RepositoryError as error:
        raise click.ClickException(str(error)) from error


@click.group()
def fleet() -> None:
    """Publish guides and configuration as a signed (TUF) repository of static files."""


@fleet.command("init")
@click.argument("directory", type=_DIR)
def init(directory: Path) -> None:
    """Create a repository in DIRECTORY: files to serve in repository/, keys in keys/."""
    try:
        repository = FleetRepository.init(directory)
    except RepositoryError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"serve:      {repository.repository}")
    click.echo(
        f"keys:       {repository.keys_dir} (move keys/root offline; it is needed only to rotate keys)"
    )
    click.echo(f"trust root: {repository.trust_root}")
    click.echo("give each kiosk the trust root: kiosk provision --trust-root FILE ...")


@fleet.command("publish")
@click.argument("directory", type=_DIR)
@click.option(
    "--guides",
    "guides",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A JSON Lines catalogue to publish as the next version.",
)
@click.option(
    "--config",
    "config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A TOML configuration to publish.",
)
@click.option("--group", help="Publish --config for the kiosks of this group.")
@click.option("--kiosk", "kiosk_id", help="Publish --config for this one kiosk.")
@click.option("--all", "everyone", is_flag=True, help="Publish --config for every kiosk.")
@click.option(
    "--allow-shrink",
    is_flag=True,
    help="Publish --guides even with fewer than half the guides of the version before (or none).",
)
def publish(  # noqa: PLR0917  (click passes every option positionally)
    directory: Path,
    guides: Path | None,
    config: Path | None,
    group: str | None,
    kiosk_id: str | None,
    everyone: bool,
    allow_shrink: bool,
) -> None:
    """Validate, sign and publish a catalogue (--guides) or a configuration (--config)."""
    if (guides is None) == (config is None):
        raise click.UsageError("give exactly one of --guides FILE or --config FILE")
    scopes = [scope for scope, chosen in (("all", everyone), ("group", group), ("kiosk", kiosk_id)) if chosen]
    if config is not None and len(scopes) != 1:
        raise click.UsageError("--config needs exactly one of --all, --group NAME, --kiosk ID")
    repository = _open(directory)
    try:
        if guides is not None:
            release = publish_catalogue(repository, guides, allow_shrink=allow_shrink)
            deltas = ", ".join(
                f"from v{old}: {size} bytes" for old, size in sorted(release.delta_bytes.items())
            )
            click.echo(
                f"catalogue v{release.version}: {release.guides} guides, full {release.full_bytes} bytes"
            )
            if deltas:
                click.echo(f"deltas {deltas}")
        else:
            assert config is not None
            name = {"all": "", "group": group or "", "kiosk": kiosk_id or ""}[scopes[0]]
            target = publish_config(repository, config, scopes[0], name)
            click.echo(f"published {target}")
    except CatalogueInvalid as error:
        for line_error in error.errors:
            click.echo(f"{guides}:{line_error}", err=True)
        raise click.ClickException("the catalogue has bad lines; nothing was published") from error
    except SettingsError as error:
        raise click.ClickException(f"configuration rejected, nothing was published: {error}") from error
    except (ValueError, KeyMissing) as error:
        raise click.ClickException(str(error)) from error


@fleet.command("show")
@click.argument("directory", type=_DIR)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
def show(directory: Path, as_json: bool) -> None:
    """What is published: role versions and expiry, and every target."""
    repository = _open(directory)
    roles = [
        {
            "role": info.role,
            "version": info.version,
            "expires": info.expires.isoformat(),
            "keys": list(info.keys),
        }
        for info in repository.roles()
    ]
    targets = {
        path: {"length": target.length, "sha256": target.hashes["sha256"]}
        for path, target in sorted(repository.targets().items())
    }
    catalogue = None
    if "catalogue/index.json" in targets:
        catalogue = json.loads(repository.target_bytes("catalogue/index.json"))
    if as_json:
        click.echo(json.dumps({"roles": roles, "targets": targets, "catalogue": catalogue}, indent=2))
        return
    for role in roles:
        click.echo(f"{role['role']:<10} v{role['version']:<4} expires {role['expires']}")
    if catalogue:
        click.echo(f"catalogue  v{catalogue['version']} ({catalogue['guides']} guides)")
    for path, target in targets.items():
        click.echo(f"  {path}  {target['length']} bytes")


@fleet.command("refresh")
@click.argument("directory", type=_DIR)
def refresh(directory: Path) -> None:
    """Re-sign the timestamp (and a snapshot close to expiry); run it daily from cron."""
    repository = _open(directory)
    try:
        repository.refresh()
    except KeyMissing as error:
        raise click.ClickException(str(error)) from error
    timestamp = next(info for info in repository.roles() if info.role == "timestamp")
    click.echo(f"timestamp v{timestamp.version} valid until {timestamp.expires.isoformat()}")


@fleet.command("rotate-key")
@click.argument("directory", type=_DIR)
@click.option("--role", type=click.Choice(ROLES), required=True, help="The role whose key is replaced.")
def rotate_key(directory: Path, role: str) -> None:
    """Replace a role's key (needs the root key); kiosks follow through the new root metadata."""
    repository = _open(directory)
    try:
        keyid = repository.rotate_key(role)
    except (KeyMissing, RepositoryError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{role} key is now {keyid}")
