"""`kiosk sim fleet`: N simulated kiosks on a broker, in one process (kiosk.fleet.fleet_sim)."""

from __future__ import annotations

import asyncio
import logging
import resource
import signal
from pathlib import Path

import click

from kiosk.fleet.fleet_sim import SimOptions, fleet_settings, read_keys, run_fleet
from kiosk.settings import SettingsError


@click.command()
@click.option("--kiosks", type=click.IntRange(min=1), default=20, show_default=True, help="How many kiosks.")
@click.option(
    "--broker", required=True, help="mqtt://host:port (or mqtts://): the broker the kiosks report to."
)
@click.option(
    "--keys",
    "keys_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Command keys the kiosks admit: one base64 Ed25519 public key a line. "
    "None: every command is refused.",
)
@click.option(
    "--password-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The kiosks' password at the broker (first line; every kiosk logs in as its id with it). "
    "None: no password (a broker that allows anonymous clients).",
)
@click.option(
    "--seed", type=int, default=1, show_default=True, help="The same seed, the same fleet and life."
)
@click.option(
    "--duration",
    type=click.FloatRange(min=0),
    default=0.0,
    help="Seconds to run, then stop every kiosk cleanly; 0 (the default): until Ctrl-C.",
)
@click.option(
    "--keepalive",
    type=click.IntRange(5, 3600),
    default=30,
    show_default=True,
    help="Seconds between each kiosk's keepalive pings (fleet.keepalive).",
)
@click.option(
    "--telemetry-interval",
    type=click.FloatRange(5, 86400),
    default=60.0,
    show_default=True,
    help="Seconds between each kiosk's telemetry messages (fleet.telemetry_interval).",
)
@click.option(
    "--pace",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Sessions, printer and reader faults, drops and kills this many times as often as in a "
    "real fleet (60: an hour's in a minute); 0: none.",
)
@click.option(
    "--ramp", type=click.FloatRange(min=0), default=500.0, show_default=True, help="Kiosks started a second."
)
@click.option("--prefix", default="sim", show_default=True, help="Kiosk ids are PREFIX-00001, ...")
@click.option(
    "--every", type=click.FloatRange(min=1), default=10.0, show_default=True, help="Seconds between reports."
)
@click.option(
    "--repository",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A fleet repository folder (kiosk fleet init DIR): the kiosks report the versions it publishes "
    "(a staged rollout's for its group) and take new ones at their next telemetry. "
    "None: each kiosk makes up its versions.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log every kiosk's connections and commands.")
def fleet(  # noqa: PLR0917 - click passes every option by position
    kiosks: int,
    broker: str,
    keys_file: Path | None,
    password_file: Path | None,
    seed: int,
    duration: float,
    keepalive: int,
    telemetry_interval: float,
    pace: float,
    ramp: float,
    prefix: str,
    every: float,
    repository: Path | None,
    verbose: bool,
) -> None:
    """Run N simulated kiosks on BROKER with the real channel code; stops cleanly at the end or on Ctrl-C."""
    keys = read_keys(keys_file.read_text(encoding="utf-8")) if keys_file else []
    password = password_file.read_text(encoding="utf-8").strip() if password_file else ""
    options = SimOptions(
        broker=broker,
        kiosks=kiosks,
        keys=keys,
        password=password,
        seed=seed,
        keepalive=keepalive,
        telemetry_interval=telemetry_interval,
        pace=pace,
        ramp=ramp,
        prefix=prefix,
        repository=repository,
    )
    try:
        fleet_settings(options)
    except (ValueError, SettingsError) as error:
        raise click.UsageError(f"--broker or --keys: {error}") from error
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if kiosks + 64 > hard:
        raise click.UsageError(
            f"{kiosks} kiosks need {kiosks} sockets and this process may open {hard} files (ulimit -n)"
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not verbose:
        logging.getLogger("kiosk.fleet.link").setLevel(logging.ERROR)
    asyncio.run(_run(options, duration, every))


async def _run(options: SimOptions, duration: float, every: float) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    stats = await run_fleet(options, duration, click.echo, every, stop)
    click.echo("stopped: " + ", ".join(f"{what} {n}" for what, n in sorted(stats.counts.items())))
