"""`kiosk fleet`: what administrators run to publish guides and configuration to the fleet."""

from __future__ import annotations

import base64
import json
import os
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kiosk.fleet.admin import Broker, KioskSeen
from kiosk.fleet.commands import CommandName
from kiosk.guides import CatalogueInvalid
from kiosk.publishing import FleetRepository, RepositoryError
from kiosk.publishing.catalogue_release import publish_catalogue
from kiosk.publishing.config_release import publish_config
from kiosk.publishing.keys import ROLES, KeyMissing
from kiosk.settings import SettingsError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

#: What kiosk.id may be (kiosk.settings.schema): never "+", "#" or "/", which would be a topic filter.
_KIOSK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_DIR = click.Path(file_okay=False, path_type=Path)


def _open(directory: Path) -> FleetRepository:
    try:
        return FleetRepository(directory)
    except RepositoryError as error:
        raise click.ClickException(str(error)) from error


@click.group()
def fleet() -> None:
    """Publish guides and configuration as a signed (TUF) repository of static files; see the
    kiosks and command them through the live channel (MQTT)."""


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


# -- the live channel (kiosk.fleet): command keys, commands, what the kiosks said ------------------

_BROKER_OPTIONS = (
    click.option(
        "--broker", required=True, help="The fleet's broker: mqtt://host:port or mqtts://host:port."
    ),
    click.option("--username", default="", help="The administrators' account at the broker."),
    click.option(
        "--password-file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="A file holding that account's password.",
    ),
    click.option("--ca-bundle", default="", help="CA certificates (PEM) for an mqtts:// broker."),
)


def _broker_options(function: Any) -> Any:
    for option in reversed(_BROKER_OPTIONS):
        function = option(function)
    return function


def _broker(broker: str, username: str, password_file: Path | None, ca_bundle: str) -> Broker:
    from kiosk.fleet.forms import broker_address

    try:
        host = broker_address(broker)[0] if broker.startswith(("mqtt://", "mqtts://")) else ""
    except ValueError:  # a port that is no number, an unclosed [IPv6
        host = ""
    if not host:
        raise click.BadParameter("must be mqtt://host:port or mqtts://host:port", param_hint="--broker")
    password = password_file.read_text(encoding="utf-8").strip() if password_file else ""
    return Broker(broker, username, password, ca_bundle)


@fleet.command("command-key")
@click.argument("key_file", type=click.Path(dir_okay=False, path_type=Path))
def command_key(key_file: Path) -> None:
    """Make a command key: the private key into KEY_FILE (readable by you only), the public key
    printed for the kiosks' configuration (`[fleet] command_keys`)."""
    from kiosk.fleet.commands import new_command_key, private_key_text, public_key_text

    key = new_command_key()
    try:
        with open(
            key_file, "x", encoding="utf-8", opener=lambda path, flags: os.open(path, flags, 0o600)
        ) as out:
            out.write(private_key_text(key) + "\n")
    except FileExistsError as error:
        raise click.ClickException(f"{key_file} exists: a command key is never overwritten") from error
    except OSError as error:
        raise click.ClickException(f"{key_file}: {error.strerror or error}") from error
    public = public_key_text(key)
    click.echo(f"private key: {key_file} (keep it on the administrators' server only)")
    click.echo(f"public key:  {public}")
    click.echo("publish it to the kiosks in their signed configuration, e.g. --config with:")
    click.echo(f'  [fleet]\n  command_keys = ["{public}"]')


def _read_key(key_file: Path) -> Ed25519PrivateKey:
    from kiosk.fleet.commands import private_key_from_text

    try:
        return private_key_from_text(key_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise click.ClickException(f"{key_file}: {error}") from error


@fleet.command("command")
@click.argument("kiosk_id")
@click.argument("name", type=click.Choice([name.value for name in CommandName]))
@click.option(
    "--key",
    "key_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The command key (kiosk fleet command-key).",
)
@click.option("--lines", type=click.IntRange(1, 200), help="logs: how many of the last lines.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="screenshot: the PNG file.")
@click.option(
    "--ttl", type=click.IntRange(10, 3600), default=120, show_default=True, help="Seconds it stays valid."
)
@click.option(
    "--timeout", type=click.FloatRange(1, 600), default=30, show_default=True, help="Seconds to wait."
)
@_broker_options
def command(  # noqa: PLR0917  (click passes every option positionally)
    kiosk_id: str,
    name: str,
    key_file: Path,
    lines: int | None,
    out: Path | None,
    ttl: int,
    timeout: float,
    broker: str,
    username: str,
    password_file: Path | None,
    ca_bundle: str,
) -> None:
    """Send one signed command to a kiosk and print its result (exit 1 when refused or failed)."""
    from kiosk.fleet.admin import BrokerUnreachable, send_command

    if not _KIOSK_ID.match(kiosk_id):
        raise click.BadParameter(
            "a kiosk id is letters, digits, '.', '_' or '-' (kiosk.id), never a topic wildcard",
            param_hint="KIOSK_ID",
        )
    if name == "screenshot" and out is None:
        raise click.UsageError("screenshot needs --out FILE.png")
    args: dict[str, Any] = {"lines": lines} if name == "logs" and lines else {}
    key = _read_key(key_file)
    try:
        result, status = send_command(
            _broker(broker, username, password_file, ca_bundle),
            kiosk_id,
            key,
            name,
            args,
            ttl=ttl,
            timeout=timeout,
        )
    except BrokerUnreachable as error:
        raise click.ClickException(str(error)) from error
    if result is None:
        state = status.get("state", "never seen")
        raise click.ClickException(f"no result from {kiosk_id} within {timeout:.0f} s (its status: {state})")
    if not result.get("ok"):
        raise click.ClickException(f"{kiosk_id} did not carry out {name}: {result.get('error')}")
    body = result.get("result", {})
    if name == "screenshot" and out is not None:
        out.write_bytes(base64.b64decode(body.get("png_base64", "")))
        click.echo(f"screenshot of {kiosk_id}: {out}")
    elif name == "logs":
        for line in body.get("lines", []):
            click.echo(line)
    else:
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))


@fleet.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
@_broker_options
def status(as_json: bool, broker: str, username: str, password_file: Path | None, ca_bundle: str) -> None:
    """What every kiosk last said: online / offline / lost and since when, its screen and printer."""
    from kiosk.fleet.admin import BrokerUnreachable, fleet_snapshot

    try:
        kiosks = fleet_snapshot(_broker(broker, username, password_file, ca_bundle))
    except BrokerUnreachable as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps([vars(kiosk) for kiosk in kiosks], ensure_ascii=False, indent=2))
        return
    if not kiosks:
        click.echo("no kiosk has reported to this broker")
    for kiosk in kiosks:
        click.echo(_status_line(kiosk))


def _status_line(kiosk: KioskSeen) -> str:
    """One kiosk's line; a field it sent in a wrong form shows as "?" (one kiosk must not hide the
    others)."""
    status, reported = kiosk.status, kiosk.reported
    since = status.get("at")
    when = "?"
    if isinstance(since, int | float) and not isinstance(since, bool):
        try:
            when = datetime.fromtimestamp(since).astimezone().strftime("%Y-%m-%d %H:%M:%S")
        except (OverflowError, OSError, ValueError):
            when = "?"
    devices = reported.get("devices")
    printer = devices.get("printer") if isinstance(devices, dict) else None
    printer = printer if isinstance(printer, dict) else {}
    reasons = printer.get("reasons")
    reasons_text = ",".join(str(reason) for reason in reasons) if isinstance(reasons, list) else ""
    return (
        f"{kiosk.kiosk_id:<20} {_text(status.get('state')):<8} since {when}  "
        f"session {_text(status.get('session')):<4} screen {_text(reported.get('screen')):<10} "
        f"printer {_text(printer.get('state'))}" + (f" ({reasons_text})" if reasons_text else "")
    )


def _text(value: object) -> str:
    """A short scalar as text, anything else "?"."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)[:40]
    return "?"
