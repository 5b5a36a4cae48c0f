"""`kiosk sim idcard`: a simulated SAM reader on a pty, for the demo, the tests and technicians."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from drivers.card_files import card_file_option, load_card_file
from drivers.idcard.card_file import load_id_card
from drivers.idcard.pty_sim import PtyIdReaderSimulator, Quirks


@click.command()
@card_file_option("The card to lay on the reader (JSON, see config/demo/cards/README.md).")
@click.option("--no-card", is_flag=True, help="Start with the antenna empty: find answers 80.")
@click.option("--noise", is_flag=True, help="Send garbage and a torn preamble before every answer.")
@click.option("--slow", is_flag=True, help="Pace the answer bytes at the baud rate, as a real line does.")
@click.option("--baud", type=int, default=115200, show_default=True, help="Baud rate --slow paces at.")
@click.option(
    "--bad-checksum",
    type=click.Choice(["once", "always"]),
    help="Spoil the checksum of the first read answer (once) or of every one (always).",
)
@click.option("--lift-mid-read", is_flag=True, help="Lift the card halfway through the first read answer.")
def idcard(  # noqa: PLR0917 - click passes every option by position
    card_file: Path,
    no_card: bool,
    noise: bool,
    slow: bool,
    baud: int,
    bad_checksum: str | None,
    lift_mid_read: bool,
) -> None:
    """Answer like a serial ID card reader on a new pty; prints the pty's path, runs until Ctrl-C."""
    card = load_card_file(load_id_card, card_file)
    quirks = Quirks(
        baud=baud if slow else None,
        noise=noise,
        bad_checksum=bad_checksum or "",  # type: ignore[arg-type]
        lift_mid_read=lift_mid_read,
    )
    simulator = PtyIdReaderSimulator(None if no_card else card, quirks)
    click.echo(simulator.start(), nl=True)
    with contextlib.suppress(KeyboardInterrupt):
        simulator.serve_forever()
