"""Issue 8's "done when": provision a kiosk on the simulators, the doctor says every device is green;
stop the ID card reader's simulator and the doctor names it and exits non-zero. Whole processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cupsd import PrivateCupsd
from tests.kiosk.test_face_camera import camera_frames
from tests.smartcards import VirtualCards

CARDS = Path(__file__).parents[2] / "config" / "demo" / "cards"
KIOSK = str(Path(sys.executable).parent / "kiosk")
DEVICES = ("id_reader", "sscard_reader", "printer", "scanner", "camera", "cups", "pcscd")


@pytest.fixture
def id_reader_sim() -> Iterator[subprocess.Popen[str]]:
    """`kiosk sim idcard` as its own process: a SAM reader on a pty, whose path it prints first."""
    process = subprocess.Popen(
        [KIOSK, "sim", "idcard", "--card", str(CARDS / "resident.json")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    yield process
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=5)


@pytest.fixture
def serial_scanner_port() -> Iterator[str]:
    """A serial port standing in for a serial code scanner (a pty this test holds open)."""
    master, slave = os.openpty()
    yield os.ttyname(slave)
    os.close(master)
    os.close(slave)


def kiosk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KIOSK, *args], env=env, capture_output=True, text=True, timeout=90, check=False)


def doctor_checks(env: dict[str, str]) -> tuple[int, dict[str, dict[str, object]]]:
    result = kiosk(env, "doctor", "--json")
    return result.returncode, {check["name"]: check for check in json.loads(result.stdout)["checks"]}


def test_provisioned_on_simulators_then_the_id_reader_unplugged(  # noqa: PLR0917 - fixtures
    id_reader_sim: subprocess.Popen[str],
    virtual_cards: VirtualCards,
    cupsd: PrivateCupsd,
    cups_queue: tuple[str, Path],
    serial_scanner_port: str,
    tmp_path: Path,
) -> None:
    assert id_reader_sim.stdout is not None
    id_port = id_reader_sim.stdout.readline().strip()
    virtual_cards.insert()
    queue, _ = cups_queue
    env = {
        **os.environ,
        "KIOSK_CONFIG": str(tmp_path / "etc" / "kiosk.toml"),
        "KIOSK_DATA_DIR": str(tmp_path / "data"),
        "KIOSK_PROVISION_PIN": "246813",
    }
    provisioned = kiosk(
        env, "provision", "--non-interactive",
        "--kiosk-id", "wh-hc-0001", "--site-name", "环翠区政务服务中心",
        "--site-address", "威海市环翠区新威路 1 号", "--help-desk", "一楼服务台",
        "--id-reader-port", id_port, "--sscard-reader", "auto",
        "--printer-server", cupsd.server, "--printer-queue", queue,
        "--scanner", f"serial:{serial_scanner_port}", "--camera", camera_frames(tmp_path / "camera"),
        "--rotation", "90",
    )  # fmt: skip
    assert provisioned.returncode == 0, provisioned.stdout + provisioned.stderr
    assert "246813" not in provisioned.stdout + provisioned.stderr

    code, checks = doctor_checks(env)
    assert {name: checks[name]["status"] for name in DEVICES} == dict.fromkeys(DEVICES, "ok")
    assert f"ID card reader on {id_port}: SAM 05.01-" in str(checks["id_reader"]["detail"])
    assert "'Virtual PCD 00 00' present, a card is inserted" in str(checks["sscard_reader"]["detail"])
    assert code == 0, checks

    id_reader_sim.terminate()
    id_reader_sim.wait(timeout=5)
    code, checks = doctor_checks(env)
    assert code == 1
    assert checks["id_reader"]["status"] == "fail" and checks["id_reader"]["critical"] is True
    assert f"ID card reader on {id_port}" in str(checks["id_reader"]["detail"])
    assert all(checks[name]["status"] == "ok" for name in DEVICES if name != "id_reader")
