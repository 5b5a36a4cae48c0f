"""`kiosk technician audit`: what was done in technician mode on this kiosk, newest last."""

from __future__ import annotations

import json

import click

from kiosk.cli.loading import load_or_exit
from kiosk.paths import data_dir, database_files, hand_to_data_owner, state_path
from kiosk.technician.audit import TechnicianRecords


@click.group()
def technician() -> None:
    """Technician mode on the kiosk screen (hidden gesture + PIN): its audit table."""


@technician.command()
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="Rows to show.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per row.")
def audit(limit: int, as_json: bool) -> None:
    """Show the newest audit rows: time (UTC), action, outcome, detail.

    Actions: opened, pin_wrong, pin_cancelled, locked, device_status, device_test, print_test_page, scan_test,
    sync_now, restart_ui, exit. Rows never hold the PIN nor anything read from a card or a code.
    """
    data = data_dir(load_or_exit().settings)
    records = TechnicianRecords(state_path(data))
    try:
        entries = records.entries(limit)
    finally:
        records.close()
        # Run as root before the kiosk's first start, this created state.db: the UI must write it.
        hand_to_data_owner(data, *database_files(state_path(data)))
    for entry in entries:
        if as_json:
            click.echo(json.dumps(entry.as_json(), ensure_ascii=False))
        else:
            click.echo(f"{entry.at}  {entry.action:<15}  {entry.outcome:<9}  {entry.detail}")
    if not entries and not as_json:
        click.echo("no technician actions recorded on this kiosk")
