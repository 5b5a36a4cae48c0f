"""The `kiosk` command: a thin layer over the core for residents' screens, technicians and admins."""

from __future__ import annotations

import click

from kiosk.cli.config_cmd import config
from kiosk.cli.doctor_cmd import doctor
from kiosk.cli.fleet_cmd import fleet
from kiosk.cli.guides_cmd import guides
from kiosk.cli.hw_cmd import hw
from kiosk.cli.print_cmd import print_command
from kiosk.cli.provision_cmd import provision_command
from kiosk.cli.scan_cmd import scan as _scan  # noqa: F401  (registers `kiosk hw scan`)
from kiosk.cli.sim_cmd import sim
from kiosk.cli.sync_cmd import sync
from kiosk.cli.technician_cmd import technician
from kiosk.cli.ui import run, tour


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="weihai-kiosk")
def main() -> None:
    """Weihai government self-service kiosk."""


main.add_command(run)
main.add_command(tour)
main.add_command(config)
main.add_command(guides)
main.add_command(fleet)
main.add_command(sync)
main.add_command(provision_command)
main.add_command(print_command)
main.add_command(hw)
main.add_command(sim)
main.add_command(doctor)
main.add_command(technician)

__all__ = ["main"]
