"""`kiosk sim sscard`: insert a virtual social security card into pcscd's vpcd reader until Ctrl-C."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from drivers.card_files import card_file_option, load_card_file
from drivers.sscard.virtual_card import (
    CardQuirks,
    SocialSecurityCardOS,
    insert_into_vpcd,
    load_sscard_values,
)


@click.command()
@card_file_option("The card's data (JSON, see config/demo/cards/README.md).")
@click.option("--port", type=int, default=35963, show_default=True, help="TCP port of the vpcd reader.")
@click.option(
    "--padding",
    type=click.Choice(["zero", "space", "none"]),
    default="zero",
    show_default=True,
    help="Padding of text fields; none makes records short, so readers get 6C xx.",
)
@click.option("--t0", is_flag=True, help="Answer 61 xx and hand data out on GET RESPONSE, as T=0 cards do.")
@click.option("--refuse-holder", is_flag=True, help="Refuse the holder data (EF06) with 69 82.")
@click.option("--not-ssse", is_flag=True, help="Be some other smart card, without the SSSE application.")
def sscard(  # noqa: PLR0917 - click passes every option by position
    card_file: Path, port: int, padding: str, t0: bool, refuse_holder: bool, not_ssse: bool
) -> None:
    """Insert a virtual social security card into vpcd; removing it is ending this command."""
    values = load_card_file(load_sscard_values, card_file)
    quirks = CardQuirks(padding=padding, t0=t0, refuse_holder=refuse_holder, not_ssse=not_ssse)  # type: ignore[arg-type]
    try:
        icc = insert_into_vpcd(SocialSecurityCardOS(values, quirks), port)
    except ConnectionError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"card inserted into vpcd on 127.0.0.1:{port}; Ctrl-C removes it", nl=True)
    with contextlib.suppress(KeyboardInterrupt):
        icc.run()
