"""`kiosk provision` against real daemons: CUPS queues and a USB stand-in on a private cupsd; pcscd."""

from __future__ import annotations

import tomllib
from pathlib import Path

from click.testing import CliRunner, Result

from kiosk.cli import main
from kiosk.provision.detect import detect
from kiosk.settings import DEFAULTS_FILE, Layer, load_settings, read_toml_layer
from tests.cupsd import PrivateCupsd
from tests.daemons import Daemon

PIN = "246813"
BASE = ["--non-interactive", "--kiosk-id", "wh-1", "--site-name", "S", "--site-address", "A", "--help-desk",
        "H", "--id-reader-port", "sim", "--scanner", "sim", "--pin", PIN]  # fmt: skip


def provision(tmp_path: Path, *args: str, stdin: str | None = None) -> Result:
    environ = {"KIOSK_CONFIG": str(tmp_path / "kiosk.toml"), "KIOSK_DATA_DIR": str(tmp_path / "data")}
    return CliRunner().invoke(main, ["provision", *args], input=stdin, env=environ)


def saved(tmp_path: Path) -> dict[str, object]:
    return tomllib.loads((tmp_path / "kiosk.toml").read_text(encoding="utf-8"))


def printer_section(server: str) -> object:
    layer = Layer("test", {"devices": {"printer": {"driver": "cups", "server": server}}})
    return load_settings([read_toml_layer(DEFAULTS_FILE), layer]).settings.devices.printer


def test_cups_queues_and_a_local_printer_are_offered(
    cupsd: PrivateCupsd, cups_queue: tuple[str, Path]
) -> None:
    queue, output = cups_queue
    candidates = detect("printer", printer_section(cupsd.server))  # type: ignore[arg-type]
    existing = next(c for c in candidates if c.value == queue)
    assert existing.prepare is None and existing.device == f"file://{output}"
    local = next(c for c in candidates if c.device == "cups-pdf:/")
    assert (
        local.prepare is not None and "new CUPS queue" in local.label and "Virtual PDF Printer" in local.label
    )


def test_a_queue_is_added_for_a_local_printer_then_reused(cupsd: PrivateCupsd, tmp_path: Path) -> None:
    args = [
        *BASE,
        "--sscard-reader",
        "sim",
        "--printer-server",
        cupsd.server,
        "--printer-device",
        "cups-pdf:/",
    ]
    added = provision(tmp_path, *args)
    try:
        assert added.exit_code == 0, added.output
        queue = saved(tmp_path)["devices"]["printer"]["queue"]  # type: ignore[index]
        assert added.output.startswith(f"  added CUPS queue {queue!r} for cups-pdf:/")
        assert f"CUPS queue {queue!r} on {cupsd.server} accepting jobs" in added.output
        assert "cups-pdf:/" in cupsd.lp("lpstat", "-v", str(queue))

        again = provision(tmp_path, *args)
        assert again.exit_code == 0, again.output
        assert "added CUPS queue" not in again.output
        assert saved(tmp_path)["devices"]["printer"]["queue"] == queue  # type: ignore[index]
    finally:
        if "queue" in locals():
            cupsd.lp("lpadmin", "-x", str(queue))


def test_the_technician_picks_a_cups_queue_by_number(
    cupsd: PrivateCupsd, cups_queue: tuple[str, Path], tmp_path: Path
) -> None:
    queue, _ = cups_queue
    candidates = detect("printer", printer_section(cupsd.server))  # type: ignore[arg-type]
    number = next(n for n, c in enumerate(candidates, 1) if c.value == queue and c.prepare is None)
    answers = ["wh-2", "S", "A", "H", "n", "sim", "sim", "sim", str(number), "", "sim", "0", "n", "n", "n"]
    answers += [PIN, PIN]
    result = provision(tmp_path, "--printer-server", cupsd.server, stdin="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert f"{number}) CUPS queue {queue!r}" in result.output
    assert saved(tmp_path)["devices"]["printer"] == {  # type: ignore[index]
        "server": cupsd.server, "driver": "cups", "queue": queue,
    }  # fmt: skip


def test_an_unknown_local_printer_is_refused_with_what_there_is(cupsd: PrivateCupsd, tmp_path: Path) -> None:
    args = [
        *BASE,
        "--sscard-reader",
        "sim",
        "--printer-server",
        cupsd.server,
        "--printer-device",
        "usb://Nope/1",
    ]
    result = provision(tmp_path, *args)
    assert result.exit_code == 2
    assert f"--printer-device: cupsd at {cupsd.server} does not offer usb://Nope/1" in result.output
    assert "cups-pdf:/" in result.output and not (tmp_path / "kiosk.toml").exists()


def test_pcsc_readers_come_from_pcscd_and_the_chosen_one_is_checked(pcscd: Daemon, tmp_path: Path) -> None:
    auto = provision(tmp_path, *BASE, "--printer-queue", "sim", "--sscard-reader", "auto")
    assert auto.exit_code == 0, auto.output
    assert saved(tmp_path)["devices"]["sscard_reader"] == {"driver": "pcsc", "reader": "Virtual PCD 00 00"}  # type: ignore[index]
    assert "social security card reader 'Virtual PCD 00 00' present" in auto.output
    assert "pcscd at /run/pcscd/pcscd.comm accepts connections" in auto.output

    gone = provision(tmp_path / "gone", *BASE, "--printer-queue", "sim", "--sscard-reader", "Gone 00")
    assert gone.exit_code == 1
    assert (
        "'Gone 00' is not connected" in gone.output
        and "nothing was saved: sscard_reader failed" in gone.output
    )
