"""`kiosk-console`: serve the console, migrate its database, create the first administrator."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from console.settings import ConsoleSettings, ConsoleSettingsError, load_console_settings

_CONFIG = click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A TOML file of console settings (docs/console.md lists them).",
)
_DATA_DIR = click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where the console keeps its state (its SQLite database by default). Default: ./console-data.",
)
_DATABASE = click.option(
    "--database",
    help="The database URL: sqlite:///PATH (the default, in the data folder) or postgresql://...",
)


def settings_from(config_file: Path | None, **overrides: Any) -> ConsoleSettings:
    try:
        settings = load_console_settings(config_file, overrides)
    except ConsoleSettingsError as error:
        raise click.ClickException(f"console settings: {error}") from error
    if not settings.database:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


def open_database(settings: ConsoleSettings) -> Any:
    """The console's database, migrated to this version; a URL it cannot use or a server it cannot
    reach is said in one line (ClickException), never a traceback."""
    from sqlalchemy.exc import SQLAlchemyError

    from console.db import Database

    try:
        db = Database(settings.database_url)
        db.migrate()
    except (SQLAlchemyError, OSError, ValueError) as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise click.ClickException(f"cannot open the database {settings.database_url}: {reason}") from error
    return db


@click.group()
def main() -> None:
    """The administrators' console of the kiosk fleet."""


@main.command()
@_CONFIG
@_DATA_DIR
@_DATABASE
@click.option("--host", "listen_host", help="Address to listen on. Default: 127.0.0.1.")
@click.option("--port", "listen_port", type=int, help="Port to listen on. Default: 8080.")
@click.option(
    "--forwarded-allow-ips",
    help="Behind a reverse proxy: its addresses (comma-separated), whose X-Forwarded-For names the "
    "client. Default: none (no proxy).",
)
@click.option("--broker", help="The fleet's broker, mqtt://host:port or mqtts://host:port.")
@click.option("--broker-username", help="The console's account at the broker (console, or console-NAME).")
@click.option(
    "--broker-password-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File holding the broker account's password.",
)
@click.option(
    "--command-key",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The command key (from `kiosk fleet command-key`) that signs commands to kiosks.",
)
@click.option(
    "--repository",
    type=click.Path(path_type=Path, file_okay=False),
    help="The fleet's TUF repository folder (`kiosk fleet init`), for publishing.",
)
def serve(config_file: Path | None, **options: Any) -> None:
    """Serve the console (and follow the fleet when a broker is given)."""
    import uvicorn

    from console.web.app import create_app

    settings = settings_from(config_file, **options)
    db = open_database(settings)
    click.echo(f"console on http://{settings.listen_host}:{settings.listen_port}/", err=True)
    uvicorn.Server(server_config(settings, create_app(settings, db=db))).run()


def server_config(settings: ConsoleSettings, app: Any) -> Any:
    """uvicorn's configuration of a console process (serve, demo, and the tests' served console)."""
    import uvicorn

    proxies = settings.forwarded_allow_ips.strip()
    return uvicorn.Config(
        app,
        host=settings.listen_host,
        port=settings.listen_port,
        log_level="warning",
        # Forwarded headers only from the proxies named: anyone else could claim any address.
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
        server_header=False,
    )


@main.command()
@_CONFIG
@_DATA_DIR
@_DATABASE
def migrate(config_file: Path | None, **options: Any) -> None:
    """Bring the database's tables up to this version of the console."""
    open_database(settings_from(config_file, **options))
    click.echo("database is up to date", err=True)


@main.command("create-admin")
@_CONFIG
@_DATA_DIR
@_DATABASE
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(["viewer", "operator", "publisher", "admin"]),
    default="admin",
    show_default=True,
    help="What the account may do.",
)
@click.option(
    "--password-file",
    type=click.File("r"),
    help="Read the password from this file ('-': standard input) instead of asking twice.",
)
def create_admin(
    config_file: Path | None, username: str, role: str, password_file: Any, **options: Any
) -> None:
    """Create an account (the first administrator is made so: there is no default password)."""
    from console import audit
    from console.accounts import AccountError, create_account
    from console.models import Role

    settings = settings_from(config_file, **options)
    if password_file is not None:
        password = password_file.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    db = open_database(settings)
    try:
        with db.session() as session:
            create_account(session, username, password, Role(role))
            audit.record(session, "(command line)", "account_created", f"account:{username}", role=role)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"account {username} ({role}) created", err=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the console listens on.")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8080, show_default=True, help="The console's port."
)
@click.option(
    "--broker-port",
    type=click.IntRange(0, 65535),
    default=0,
    help="The demo broker's port on 127.0.0.1. Default: a free one.",
)
@click.option(
    "--kiosks", type=click.IntRange(1, 2000), default=24, show_default=True, help="Simulated kiosks."
)
@click.option(
    "--pace",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="The kiosks' life (sessions, paper out, readers lost, restarts) this many times as often as "
    "a real fleet's; 0: none.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed, the same fleet.")
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Keep the demo's broker, repository, keys and database here (emptied first; only a new "
    "folder or an earlier demo's). Default: a temporary folder removed at the end.",
)
def demo(  # noqa: PLR0917  (click passes every option positionally)
    host: str, port: int, broker_port: int, kiosks: int, pace: float, seed: int, data_dir: Path | None
) -> None:
    """A living demo fleet in one command: a secured broker, a fleet repository with the demo
    guides, simulated kiosks, and the console with a new administrator's password. Ctrl-C stops all."""
    from console.demo import DemoOptions, run_demo

    options = DemoOptions(
        host=host, port=port, broker_port=broker_port, kiosks=kiosks, pace=pace, seed=seed, data_dir=data_dir
    )
    sys.exit(run_demo(options, click.echo))


if __name__ == "__main__":
    sys.exit(main())
