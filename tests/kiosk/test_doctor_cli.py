"""`kiosk doctor` end to end: simulators, a serial reader on a pty, a real private cupsd, --print."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from click.testing import CliRunner, Result

from drivers.idcard.card_file import load_id_card
from drivers.idcard.pty_sim import PtyIdReaderSimulator
from kiosk.cli import main
from tests.cupsd import PrivateCupsd
from tests.smartcards import VirtualCards

CARDS = Path(__file__).parents[2] / "config" / "demo" / "cards"


def doctor(tmp_path: Path, *args: str, **env: str) -> Result:
    return CliRunner().invoke(main, ["doctor", *args], env={"KIOSK_DATA_DIR": str(tmp_path / "data"), **env})


def checks_of(result: Result) -> dict[str, dict[str, object]]:
    report = json.loads(result.stdout)
    return {check["name"]: check for check in report["checks"]}


def test_the_simulators_are_ok_and_exit_0(tmp_path: Path) -> None:
    result = doctor(tmp_path, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["status"] in {"ok", "warn"}  # display and touch depend on the test machine
    checks = checks_of(result)
    for device in ("id_reader", "sscard_reader", "printer", "scanner"):
        assert checks[device]["status"] == "ok" and "simulated" in str(checks[device]["detail"])
    assert "cups" not in checks and "pcscd" not in checks


def test_a_serial_reader_answers_then_is_named_when_unplugged(tmp_path: Path) -> None:
    sim = PtyIdReaderSimulator(load_id_card(CARDS / "resident.json"))
    port = sim.start()
    env = {"KIOSK__DEVICES__ID_READER__DRIVER": "serial", "KIOSK__DEVICES__ID_READER__PORT": port}
    try:
        present = doctor(tmp_path, **env)
    finally:
        sim.stop()
    assert present.exit_code == 0, present.output
    line = next(line for line in present.stdout.splitlines() if line.startswith("id_reader"))
    assert line.split()[1] == "OK" and f"ID card reader on {port}: SAM 05.01-" in line

    gone = doctor(tmp_path, "--json", **env)
    assert gone.exit_code == 1
    check = checks_of(gone)["id_reader"]
    assert check["status"] == "fail" and check["critical"] is True
    # The freed pty number may already serve another process on a busy machine: either way the
    # reader is named with its port and does not answer.
    detail = str(check["detail"])
    assert f"ID card reader on {port}" in detail
    assert "cannot open the port" in detail or "no answer to SAM_STATUS" in detail
    assert json.loads(gone.stdout)["status"] == "fail"


def test_a_missing_cups_queue_fails_with_the_reason(cupsd: PrivateCupsd, tmp_path: Path) -> None:
    env = {
        "KIOSK__DEVICES__PRINTER__DRIVER": "cups",
        "KIOSK__DEVICES__PRINTER__QUEUE": "no_such_queue",
        "KIOSK__DEVICES__PRINTER__SERVER": cupsd.server,
    }
    result = doctor(tmp_path, "--json", **env)
    assert result.exit_code == 1
    checks = checks_of(result)
    assert checks["cups"]["status"] == "ok" and cupsd.server in str(checks["cups"]["detail"])
    detail = str(checks["printer"]["detail"])
    assert checks["printer"]["status"] == "fail"
    assert "CUPS queue 'no_such_queue'" in detail and "does not exist" in detail


def test_a_paused_queue_fails_with_its_state_reason(
    cupsd: PrivateCupsd, cups_queue: tuple[str, Path], tmp_path: Path
) -> None:
    queue, _ = cups_queue
    env = {
        "KIOSK__DEVICES__PRINTER__DRIVER": "cups",
        "KIOSK__DEVICES__PRINTER__QUEUE": queue,
        "KIOSK__DEVICES__PRINTER__SERVER": cupsd.server,
    }
    assert checks_of(doctor(tmp_path, "--json", **env))["printer"]["status"] == "ok"
    cupsd.lp("cupsdisable", queue)
    result = doctor(tmp_path, "--json", **env)
    assert result.exit_code == 1
    assert "paused: queue is paused (cupsenable)" in str(checks_of(result)["printer"]["detail"])


def test_an_unreachable_cupsd_is_named(tmp_path: Path) -> None:
    env = {"KIOSK__DEVICES__PRINTER__DRIVER": "cups", "KIOSK__DEVICES__PRINTER__QUEUE": "kiosk",
           "KIOSK__DEVICES__PRINTER__SERVER": "127.0.0.1:9"}  # fmt: skip
    result = doctor(tmp_path, "--json", **env)
    assert result.exit_code == 1
    cups = checks_of(result)["cups"]
    assert cups["status"] == "fail" and "cupsd at 127.0.0.1:9" in str(cups["detail"])


def test_print_sends_the_report_through_the_sim_printer(tmp_path: Path) -> None:
    result = doctor(tmp_path, "--print")
    assert result.exit_code == 0, result.output
    assert "report printed" in result.output
    printed = sorted((tmp_path / "data" / "printed").glob("*.pdf"))
    assert len(printed) == 1
    text = subprocess.run(
        ["pdftotext", str(printed[0]), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Kiosk doctor report" in text and "demo-0001" in text
    assert "id_reader" in text and "simulated (id_reader.sim driver)" in text


def test_a_pcsc_reader_through_the_real_pcscd(virtual_cards: VirtualCards, tmp_path: Path) -> None:
    env = {"KIOSK__DEVICES__SSCARD_READER__DRIVER": "pcsc"}
    present = checks_of(doctor(tmp_path, "--json", **env))
    assert present["pcscd"]["status"] == "ok"
    assert present["sscard_reader"]["status"] == "ok" and "present" in str(present["sscard_reader"]["detail"])

    missing = doctor(tmp_path, "--json", KIOSK__DEVICES__SSCARD_READER__READER="Gone 00", **env)
    assert missing.exit_code == 1
    assert "'Gone 00' is not connected" in str(checks_of(missing)["sscard_reader"]["detail"])


def test_a_silent_reader_and_a_serial_scanner(tmp_path: Path) -> None:
    master, slave = os.openpty()  # a port that opens, where nothing answers
    try:
        port = os.ttyname(slave)
        env = {
            "KIOSK__DEVICES__ID_READER__DRIVER": "serial",
            "KIOSK__DEVICES__ID_READER__PORT": port,
            "KIOSK__DEVICES__SCANNER__DRIVER": "serial",
            "KIOSK__DEVICES__SCANNER__PORT": port,
        }
        checks = checks_of(doctor(tmp_path, "--json", **env))
    finally:
        os.close(master)
        os.close(slave)
    assert checks["id_reader"]["status"] == "fail"
    assert f"ID card reader on {port}: no answer to SAM_STATUS" in str(checks["id_reader"]["detail"])
    assert checks["scanner"]["status"] == "ok" and port in str(checks["scanner"]["detail"])

    unplugged = str(tmp_path / "ttyACM9")
    gone = checks_of(doctor(tmp_path, "--json", **{**env, "KIOSK__DEVICES__SCANNER__PORT": unplugged}))
    assert gone["scanner"]["status"] == "fail"
    assert f"scanner: cannot open {unplugged}" in str(gone["scanner"]["detail"])
