"""Card files: the JSON files that describe the cards the simulators serve (`kiosk sim ... --card`).

Their keys are in config/demo/cards/README.md; each card driver reads its own kind of file and
raises `CardFileError` when it cannot.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

Card = TypeVar("Card")
Command = TypeVar("Command", bound=Callable[..., Any])


class CardFileError(ValueError):
    """A card file that is not valid JSON or misses a field; the message names the file and the field."""


def card_file_option(help_text: str) -> Callable[[Command], Command]:
    """The `--card FILE` option of a simulator command: an existing file, passed as `card_file`."""
    return click.option(
        "--card",
        "card_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        required=True,
        help=help_text,
    )


def load_card_file(load: Callable[[Path], Card], path: Path) -> Card:
    """The card `load` reads from `path`; a file it cannot use is the command's usage error."""
    try:
        return load(path)
    except CardFileError as error:
        raise click.UsageError(str(error)) from error
