"""The fleet simulator on a broker secured as the fleet's is (no anonymous clients, the ACL): each
simulated kiosk logs in as its id with the password it is given (kiosk-console demo runs it so)."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

from click.testing import CliRunner

from kiosk.fleet.fleet_sim import FleetSimulator, SimOptions
from kiosk.fleet.sim_command import fleet as fleet_command
from tests.mosquitto import PrivateMosquitto

IDS = ("sim-00001", "sim-00002")


def secured_broker(directory: Path, password: str) -> PrivateMosquitto:
    """The fleet's conf and ACL, and an account for each kiosk, all with the same password."""
    broker = PrivateMosquitto(directory, secured=True)
    for kiosk_id in IDS:
        subprocess.run(
            ["/usr/bin/mosquitto_passwd", "-b", str(broker.password_file), kiosk_id, password], check=True
        )
    return broker


def test_simulated_kiosks_log_in_to_a_secured_broker_with_their_password(tmp_path: Path) -> None:
    with secured_broker(tmp_path / "broker", "kiosks-secret") as broker:

        async def scenario() -> None:
            fleet = FleetSimulator(
                SimOptions(broker=broker.url, kiosks=len(IDS), pace=0.0, password="kiosks-secret")
            )
            await fleet.start()
            try:
                assert await fleet.wait_online(timeout=15), broker.tail()
            finally:
                await fleet.close()

        asyncio.run(scenario())
        log = broker.broker_log.read_text()
        assert all(f"u'{kiosk_id}'" in log for kiosk_id in IDS)


def test_the_command_reads_the_kiosks_password_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "password").write_text("kiosks-secret\n")
    with secured_broker(tmp_path / "broker", "kiosks-secret") as broker:
        result = CliRunner().invoke(
            fleet_command,
            [
                "--broker",
                broker.url,
                "--kiosks",
                str(len(IDS)),
                "--password-file",
                str(tmp_path / "password"),
                "--pace",
                "0",
                "--duration",
                "3",
            ],
        )
        assert result.exit_code == 0, result.output
        log = broker.broker_log.read_text()
        assert all(f"u'{kiosk_id}'" in log for kiosk_id in IDS), broker.tail()
        assert "not authorised" not in log
