"""`kiosk sim platform`: the simulated platform gateway on loopback, for the demo, tests and technicians."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import click

from kiosk.platform.simulator import DEMO_PAAS_ID, DEMO_PORT, DEMO_TOKEN, PlatformSimulator


@click.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEMO_PORT,
    show_default=True,
    help="The loopback port to listen on; 0: any free port.",
)
@click.option("--paas-id", default=DEMO_PAAS_ID, show_default=True, help="The application id to accept.")
@click.option("--token", help="The token requests must be signed with (default: the documented demo token).")
@click.option(
    "--token-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the token from this file instead (its first line).",
)
@click.option(
    "--slow", type=click.FloatRange(min=0), default=0.0, help="Delay every answer by this many seconds."
)
@click.option(
    "--down",
    type=click.Choice(["503", "close"]),
    is_flag=False,
    flag_value="503",
    help="Be down: answer 503 (the default with a bare --down) or close every connection unanswered.",
)
@click.option("--refuse-signatures", is_flag=True, help="Refuse every request with 401 BAD_SIGNATURE.")
@click.option(
    "--rate-limited",
    "retry_after",
    type=click.IntRange(min=0),
    metavar="SECONDS",
    help="Refuse every request with 429 and this Retry-After.",
)
@click.option(
    "--garbage",
    type=click.Choice(["json", "digest"]),
    help="Answer garbage: every answer's JSON cut in half, or documents with a wrong sha256.",
)
@click.option(
    "--trickle",
    type=click.FloatRange(min=0),
    default=0.0,
    metavar="SECONDS",
    help="Send every answer's body a byte at a time, this many seconds apart.",
)
@click.option(
    "--document-pages",
    type=click.IntRange(min=1),
    metavar="PAGES",
    help="Make every document a PDF of this many pages (e.g. 500: a document too long to print).",
)
def platform(  # noqa: PLR0917 - click passes every option by position
    port: int,
    paas_id: str,
    token: str | None,
    token_file: Path | None,
    slow: float,
    down: str | None,
    refuse_signatures: bool,
    retry_after: int | None,
    garbage: str | None,
    trickle: float,
    document_pages: int | None,
) -> None:
    """Serve the platform gateway's contract with fictional residents; prints the URL, runs until Ctrl-C."""
    if token is not None and token_file is not None:
        raise click.UsageError("give --token or --token-file, not both")
    if token_file is not None:
        lines = token_file.read_text(encoding="utf-8").splitlines()
        token = lines[0].strip() if lines else ""
        if not token:
            raise click.UsageError(f"{token_file} holds no token")
    try:
        simulator = PlatformSimulator(
            port,
            paas_id,
            token if token is not None else DEMO_TOKEN,
            slow=slow,
            down=down,  # type: ignore[arg-type]  # click.Choice checked it
            refuse_signatures=refuse_signatures,
            retry_after=retry_after,
            garbage=garbage,  # type: ignore[arg-type]  # click.Choice checked it
            trickle=trickle,
            document_pages=document_pages,
        )
    except OSError as error:
        raise click.ClickException(
            f"cannot listen on 127.0.0.1:{port} ({error.strerror}); give another --port, or 0 for any"
        ) from error
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    click.echo(simulator.url)
    click.echo(f"paas id: {simulator.paas_id}")
    with contextlib.suppress(KeyboardInterrupt):
        simulator.serve_forever()
