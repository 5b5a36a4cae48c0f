"""`kiosk sim ...`: device simulators on their real interfaces, contributed by driver packages."""

from __future__ import annotations

import click

from kiosk import plugins

#: Driver packages register their simulator commands in this group, e.g. "idcard".
ENTRY_POINT_GROUP = "kiosk.simulators"


class _SimulatorGroup(click.Group):
    """Finds its subcommands through entry points, so the core never imports a driver."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return plugins.names(ENTRY_POINT_GROUP)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command: click.Command | None = plugins.load(ENTRY_POINT_GROUP, cmd_name)
        return command


@click.group(cls=_SimulatorGroup)
def sim() -> None:
    """Run a simulator (ID card reader on a pty, social security card on vpcd, the platform's gateway)."""
