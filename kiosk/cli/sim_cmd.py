"""`kiosk sim ...`: device simulators on their real interfaces, contributed by driver packages."""

from __future__ import annotations

from importlib.metadata import entry_points

import click

#: Driver packages register their simulator commands in this group, e.g. "idcard".
ENTRY_POINT_GROUP = "kiosk.simulators"


class _SimulatorGroup(click.Group):
    """Finds its subcommands through entry points, so the core never imports a driver."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        for entry_point in entry_points(group=ENTRY_POINT_GROUP):
            if entry_point.name == cmd_name:
                command: click.Command = entry_point.load()
                return command
        return None


@click.group(cls=_SimulatorGroup)
def sim() -> None:
    """Run a simulated device (ID card reader on a pty, social security card on vpcd)."""
