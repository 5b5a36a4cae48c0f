from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from kiosk.cli import main


def all_commands(
    group: click.Group, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], click.Command]]:
    found: list[tuple[tuple[str, ...], click.Command]] = []
    for name, command in group.commands.items():
        path = (*prefix, name)
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(all_commands(command, path))
    return found


@pytest.mark.parametrize(
    ("path", "command"),
    all_commands(main),
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else "",
)
def test_every_command_and_option_is_documented(path: tuple[str, ...], command: click.Command) -> None:
    assert command.help, f"kiosk {' '.join(path)} has no help text"
    for parameter in command.params:
        if isinstance(parameter, click.Option):
            assert parameter.help, f"kiosk {' '.join(path)} {parameter.opts[0]} has no help text"
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


@pytest.mark.parametrize(("option", "value"), [("--variant", "fr"), ("--orientation", "diagonal")])
def test_tour_refuses_an_unknown_variant_or_orientation(option: str, value: str) -> None:
    result = CliRunner().invoke(main, ["tour", "--out", "/tmp/x", option, value])
    assert result.exit_code == 2 and f"'{value}' is not one of" in result.output
