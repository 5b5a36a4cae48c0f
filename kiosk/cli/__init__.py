"""The `kiosk` command: a thin layer over the core for residents' screens, technicians and admins.

Every top-level command is registered in the `kiosk.commands` entry-point group (pyproject.toml),
the core's as well as the UI's (`run` and `tour`, in screens/cli.py), the way a third-party package
would add one. A command's module is imported only when that command runs or its help is shown, so
`import kiosk.cli` loads neither the screens (nor Kivy) nor every command's dependencies.
"""

from __future__ import annotations

import click

from kiosk import plugins

#: The entry-point group of the `kiosk` command's subcommands: name = "module:command".
ENTRY_POINT_GROUP = "kiosk.commands"


class CommandsFromEntryPoints(click.Group):
    """Lists its subcommands from the entry points; loads one only when it is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *plugins.names(ENTRY_POINT_GROUP)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        try:
            command = plugins.load(ENTRY_POINT_GROUP, cmd_name)
        except Exception as error:  # a broken package: named, and the other commands still work
            return _cannot_be_loaded(cmd_name, error)
        if command is None:
            if not plugins.names(ENTRY_POINT_GROUP):
                # Not one command: the package's metadata predates its entry points (a checkout
                # updated without reinstalling), which "No such command" would not explain.
                raise click.UsageError(
                    f"no kiosk commands are registered ({ENTRY_POINT_GROUP}): this installation "
                    "is out of date; run `make deps` (or `pip install -e .`) in the checkout"
                )
            return None
        if not isinstance(command, click.Command):
            raise TypeError(f"entry point {cmd_name!r} of {ENTRY_POINT_GROUP} is not a click command")
        return command


def _cannot_be_loaded(name: str, error: Exception) -> click.Command:
    """Stands in for a command whose package cannot be imported: `kiosk --help` lists it with the
    reason, and running it exits 1 saying so (a traceback would hide every other command)."""
    reason = f"cannot be loaded: {error!r}"

    def refuse() -> None:
        raise click.ClickException(f"command {name} ({ENTRY_POINT_GROUP}) {reason}")

    return click.Command(name, callback=refuse, short_help=reason, help=reason)


@click.group(cls=CommandsFromEntryPoints, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="weihai-kiosk")
def main() -> None:
    """Weihai government self-service kiosk."""


__all__ = ["main"]
