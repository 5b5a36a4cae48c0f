"""`kiosk provision` on simulated and pty devices: flags, questions through stdin, the saved site file."""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from drivers.idcard.card_file import load_id_card
from drivers.idcard.pty_sim import PtyIdReaderSimulator
from drivers.scanner.camera import camera_candidates
from kiosk.cli import main
from kiosk.provision.site import write_site
from kiosk.settings import SettingsError
from kiosk.technician import hash_pin, verify_pin

CARDS = Path(__file__).parents[2] / "config" / "demo" / "cards"
PIN = "246813"
SIMULATED = ["--sscard-reader", "sim", "--scanner", "sim", "--printer-queue", "sim"]
IDENTITY = ["--kiosk-id", "wh-hc-0001", "--site-name", "环翠区政务服务中心", "--site-address",
            "威海市环翠区新威路 1 号", "--help-desk", "一楼服务台"]  # fmt: skip


@pytest.fixture
def id_reader() -> Iterator[str]:
    """A simulated SAM reader on a pty, answering the real protocol: its port."""
    with PtyIdReaderSimulator(load_id_card(CARDS / "resident.json")) as sim:
        yield sim.path


@pytest.fixture
def silent_port() -> Iterator[str]:
    """A port that opens and never answers (a pty nobody serves)."""
    master, slave = os.openpty()
    yield os.ttyname(slave)
    os.close(master)
    os.close(slave)


def provision(tmp_path: Path, *args: str, stdin: str | None = None, **env: str) -> Result:
    environ = {"KIOSK_CONFIG": str(tmp_path / "kiosk.toml"), "KIOSK_DATA_DIR": str(tmp_path / "data"), **env}
    return CliRunner().invoke(main, ["provision", *args], input=stdin, env=environ)


def site(tmp_path: Path) -> dict[str, object]:
    return tomllib.loads((tmp_path / "kiosk.toml").read_text(encoding="utf-8"))


def test_non_interactive_saves_every_answer_and_only_the_pins_hash(tmp_path: Path, id_reader: str) -> None:
    result = provision(
        tmp_path, "--non-interactive", *IDENTITY, "--id-reader-port", id_reader, *SIMULATED,
        "--rotation", "90", "--touch-swap-xy", "--touch-invert-y", KIOSK_PROVISION_PIN=PIN,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    saved = site(tmp_path)
    assert saved["kiosk"] == {
        "id": "wh-hc-0001",
        "site_name": "环翠区政务服务中心",
        "site_address": "威海市环翠区新威路 1 号",
        "help_desk": "一楼服务台",
    }
    assert saved["devices"]["id_reader"] == {"driver": "serial", "port": id_reader}  # type: ignore[index]
    assert saved["display"] == {"rotation": 90, "touch_swap_xy": True, "touch_invert_y": True}
    assert verify_pin(PIN, saved["technician"]["pin_hash"])  # type: ignore[index]
    assert stat.S_IMODE((tmp_path / "kiosk.toml").stat().st_mode) == 0o640
    assert PIN not in result.output and PIN not in (tmp_path / "kiosk.toml").read_text(encoding="utf-8")
    assert f"ID card reader on {id_reader}: SAM 05.01-" in result.output
    assert f"site file:      {tmp_path / 'kiosk.toml'} (mode 0640)" in result.output
    assert "technician PIN: set (stored as a salted scrypt hash)" in result.output
    assert "sync:           off" in result.output


def test_non_interactive_names_everything_missing_and_writes_nothing(tmp_path: Path) -> None:
    result = provision(tmp_path, "--non-interactive", "--kiosk-id", "wh-1", "--scanner", "sim")
    assert result.exit_code == 2
    for flag in ("--site-name", "--site-address", "--help-desk", "--id-reader-port", "--sscard-reader",
                 "--printer-queue or --printer-device", "KIOSK_PROVISION_PIN"):  # fmt: skip
        assert flag in result.output
    assert "--kiosk-id" not in result.output.split("missing", 1)[1] and "--scanner;" not in result.output
    assert not (tmp_path / "kiosk.toml").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kiosk-id", "wh 1"], "--kiosk-id: kiosk.id: String should match pattern"),
        (["--scanner", "usb"], "--scanner: 'usb' is not sim, none, camera:DEVICE or serial:PORT"),
        (["--pin", "12"], "--pin (or KIOSK_PROVISION_PIN): the technician PIN must have at least 6 digits"),
        (["--pin-hash", "123456"], "--pin-hash: not a hash made by `kiosk provision`"),
        (["--repo-url", "https://fleet.example"], "--repo-url, --group and --trust-root go together"),
        (["--no-sync", "--group", "g"], "--no-sync cannot be combined"),
        (["--rotation", "45"], "'45' is not one of '0', '90', '180', '270'"),
    ],
)
def test_a_bad_flag_is_named_before_anything_happens(tmp_path: Path, args: list[str], message: str) -> None:
    pin = [] if any(arg.startswith("--pin") for arg in args) else ["--pin", PIN]
    result = provision(tmp_path, "--non-interactive", *IDENTITY, *SIMULATED, *pin, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "kiosk.toml").exists()


def test_a_trust_root_that_is_not_one_is_refused_before_any_question(tmp_path: Path) -> None:
    fake = tmp_path / "root.json"
    fake.write_text('{"signed": {}}', encoding="utf-8")
    result = provision(
        tmp_path, "--repo-url", "http://127.0.0.1:1", "--group", "g", "--trust-root", str(fake)
    )
    assert result.exit_code == 1 and "nothing was changed: trust root" in result.output
    assert "Kiosk id" not in result.output  # refused before the first question


def test_reprovisioning_keeps_the_keys_it_does_not_ask_about(tmp_path: Path, id_reader: str) -> None:
    (tmp_path / "kiosk.toml").write_text(
        '[kiosk]\nid = "wh-old"\nsite_name = "旧名"\nsite_address = "地址"\nhelp_desk = "服务台"\n'
        f'[technician]\npin_hash = "{hash_pin(PIN)}"\n[session]\nidle_seconds = 120\n'
        '[devices.printer]\ndriver = "sim"\npaper = "receipt80"\n'
        '[devices.sscard_reader]\ndriver = "sim"\n[devices.scanner]\ndriver = "sim"\n',
        encoding="utf-8",
    )
    result = provision(tmp_path, "--non-interactive", "--site-name", "新名", "--id-reader-port", id_reader)
    assert result.exit_code == 0, result.output
    saved = site(tmp_path)
    assert saved["kiosk"]["id"] == "wh-old" and saved["kiosk"]["site_name"] == "新名"  # type: ignore[index]
    assert saved["session"] == {"idle_seconds": 120}
    assert saved["devices"]["printer"] == {"driver": "sim", "paper": "receipt80"}  # type: ignore[index]
    assert verify_pin(PIN, saved["technician"]["pin_hash"])  # type: ignore[index]
    assert "technician PIN: unchanged" in result.output


def test_a_failing_device_stops_the_save_unless_allowed(tmp_path: Path, silent_port: str) -> None:
    old = '[kiosk]\nsite_name = "旧名"\n'
    (tmp_path / "kiosk.toml").write_text(old, encoding="utf-8")
    args = ["--non-interactive", *IDENTITY, "--id-reader-port", silent_port, *SIMULATED, "--pin", PIN]
    refused = provision(tmp_path, *args)
    assert refused.exit_code == 1
    assert f"ID card reader on {silent_port}: no answer to SAM_STATUS" in refused.output
    assert "nothing was saved: id_reader failed the test; fix it, or pass --allow-failing" in refused.output
    assert (tmp_path / "kiosk.toml").read_text(encoding="utf-8") == old

    allowed = provision(tmp_path, *args, "--allow-failing")
    assert allowed.exit_code == 0, allowed.output
    assert site(tmp_path)["devices"]["id_reader"]["port"] == silent_port  # type: ignore[index]


def test_a_site_file_that_does_not_validate_leaves_the_old_one_intact(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[kiosk]\nid = "wh-1"\n', encoding="utf-8")
    before = path.stat()
    with pytest.raises(SettingsError) as refused:
        write_site(path, {"kiosk": {"id": "wh-1"}, "session": {"idle_seconds": 1}})
    assert refused.value.key == "session.idle_seconds"
    assert path.read_text(encoding="utf-8") == '[kiosk]\nid = "wh-1"\n'
    assert path.stat().st_ino == before.st_ino and not (tmp_path / "kiosk.toml.part").exists()


def test_the_interactive_flow_through_stdin(tmp_path: Path, id_reader: str, silent_port: str) -> None:
    answers = [
        "wh-hc-0002",  # kiosk id
        "环翠区政务服务中心",  # site name
        "威海市环翠区新威路 1 号",  # address
        "一楼服务台",  # help desk
        "n",  # no fleet
        "",  # the ID reader: the first port answering SAM status is offered
        "sim",  # social security card reader
        "sim",  # scanner
        "sim",  # printer
        "",  # speaker: its simulator, on a laptop
        "sim",  # face camera
        "270",  # rotation
        "y",  # swap x/y
        "n",
        "n",
        "12",  # too short: asked again
        "123456",
        "654321",  # confirmation differs: asked again
        "135790",
        "135790",
    ]
    result = provision(
        tmp_path,
        "--id-reader-port",
        silent_port,
        "--id-reader-port",
        id_reader,
        stdin="\n".join(answers) + "\n",
    )
    assert result.exit_code == 0, result.output
    assert f"{silent_port}: FAIL, ID card reader on {silent_port}: no answer to SAM_STATUS" in result.output
    assert f"{id_reader}: OK, ID card reader on {id_reader}: SAM 05.01-" in result.output
    assert "at least 6 digits" in result.output and "do not match" in result.output
    saved = site(tmp_path)
    assert saved["kiosk"]["id"] == "wh-hc-0002"  # type: ignore[index]
    assert saved["devices"]["id_reader"] == {"driver": "serial", "port": id_reader}  # type: ignore[index]
    assert saved["display"] == {"rotation": 270, "touch_swap_xy": True, "touch_invert_x": False,
                                "touch_invert_y": False}  # fmt: skip
    assert saved["sync"] == {"repo_url": "", "group": ""}
    assert verify_pin("135790", saved["technician"]["pin_hash"])  # type: ignore[index]
    assert "135790" not in result.output


def test_interactive_answers_are_validated_where_they_are_typed(tmp_path: Path, id_reader: str) -> None:
    answers = ["wh 3", "wh-3", "S", "A", "H", "n", "", "sim", "usb", "sim", "sim", "", "sim", "0", "n", "n",
               "n", PIN, PIN]  # fmt: skip
    result = provision(tmp_path, "--id-reader-port", id_reader, stdin="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "kiosk.id: String should match pattern" in result.output
    assert "'usb' is not sim, none, camera:DEVICE or serial:PORT" in result.output
    assert site(tmp_path)["kiosk"]["id"] == "wh-3"  # type: ignore[index]


def test_non_interactive_probes_several_ports_and_takes_the_one_answering(
    tmp_path: Path, id_reader: str, silent_port: str
) -> None:
    ports = ["--id-reader-port", silent_port, "--id-reader-port", id_reader]
    result = provision(tmp_path, "--non-interactive", *IDENTITY, *ports, *SIMULATED, "--pin", PIN)
    assert result.exit_code == 0, result.output
    assert site(tmp_path)["devices"]["id_reader"]["port"] == id_reader  # type: ignore[index]

    silent = provision(tmp_path / "x", "--non-interactive", *IDENTITY, "--id-reader-port", silent_port,
                       "--id-reader-port", silent_port + "x", *SIMULATED, "--pin", PIN)  # fmt: skip
    assert silent.exit_code == 2
    assert "--id-reader-port: no port answered the SAM status command" in silent.output
    assert f"ID card reader on {silent_port}: no answer to SAM_STATUS" in silent.output
    assert f"ID card reader on {silent_port}x: cannot open the port" in silent.output


def test_the_pin_from_a_file_or_as_a_hash(tmp_path: Path) -> None:
    pin_file = tmp_path / "pin"
    pin_file.write_text(f"{PIN}\n", encoding="utf-8")
    base = ["--non-interactive", *IDENTITY, "--id-reader-port", "sim", *SIMULATED]
    from_file = provision(tmp_path / "a", *base, "--pin-file", str(pin_file))
    assert from_file.exit_code == 0, from_file.output
    stored = site(tmp_path / "a")["technician"]["pin_hash"]  # type: ignore[index]
    assert verify_pin(PIN, stored)

    as_hash = provision(tmp_path / "b", *base, "--pin-hash", stored)
    assert as_hash.exit_code == 0, as_hash.output
    assert site(tmp_path / "b")["technician"]["pin_hash"] == stored  # type: ignore[index]


@pytest.mark.parametrize(("answer", "saved"), [("y", True), ("n", False)])
def test_interactive_asks_before_saving_a_failing_device(
    tmp_path: Path, silent_port: str, answer: str, saved: bool
) -> None:
    answers = ["wh-4", "S", "A", "H", "n", "", "sim", "sim", "sim", "", "sim", "0", "n", "n", "n", PIN, PIN]
    answers += [answer]
    result = provision(tmp_path, "--id-reader-port", silent_port, stdin="\n".join(answers) + "\n")
    assert "id_reader failed the test. Save anyway? [y/N]" in result.output
    assert (tmp_path / "kiosk.toml").exists() is saved
    assert result.exit_code == (0 if saved else 1), result.output
    if not saved:
        assert "nothing was saved: id_reader failed the test" in result.output


def test_cameras_are_offered_by_their_device_node(tmp_path: Path, make_settings: Any) -> None:
    for name in ("video10", "video2", "video0", "null"):
        (tmp_path / name).touch()
    section = make_settings({}).settings.devices.scanner
    found = camera_candidates(section, devices=tmp_path)
    assert [c.value for c in found] == [str(tmp_path / n) for n in ("video0", "video2", "video10")]
    assert found[0].label.startswith(f"camera {tmp_path / 'video0'} (")


def fake_comports(monkeypatch: pytest.MonkeyPatch, *ports: tuple[str, str, str]) -> None:
    """pyserial's port list (it cannot see ptys) returning these (device, description, hwid)."""
    from serial.tools import list_ports
    from serial.tools.list_ports_common import ListPortInfo

    def comports(include_links: bool = False) -> list[ListPortInfo]:
        infos = []
        for device, description, hwid in ports:
            info = ListPortInfo(device, skip_link_detection=True)
            info.description, info.hwid = description, hwid
            infos.append(info)
        return infos

    monkeypatch.setattr(list_ports, "comports", comports)


def test_serial_ports_are_offered_by_device_path_with_what_pyserial_knows(
    monkeypatch: pytest.MonkeyPatch, make_settings: Any
) -> None:
    from drivers.serial_ports import serial_port_candidates

    fake_comports(
        monkeypatch,
        ("/dev/ttyUSB0", "CP2102 USB to UART Bridge", "USB VID:PID=10C4:EA60 SER=0001 LOCATION=1-1"),
        ("/dev/ttyS0", "n/a", "n/a"),
    )
    section = make_settings().settings.devices.id_reader.model_copy(update={"driver": "serial"})
    candidates = serial_port_candidates(section)
    assert [(candidate.value, candidate.label) for candidate in candidates] == [
        ("/dev/ttyS0", "/dev/ttyS0"),
        (
            "/dev/ttyUSB0",
            "/dev/ttyUSB0 (CP2102 USB to UART Bridge, USB VID:PID=10C4:EA60 SER=0001 LOCATION=1-1)",
        ),
    ]


def test_auto_detects_the_serial_ports_and_takes_the_one_answering_the_sam_status(
    tmp_path: Path, id_reader: str, silent_port: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A port that cannot be opened, a silent one and the simulator's: detection and the SAM probe
    # pick the one answering. The reader is listed last (a link under /tmp sorts after /dev), so
    # taking the first port detected would take the wrong one.
    reader = tmp_path / "ttyUSB-reader"
    reader.symlink_to(id_reader)
    fake_comports(
        monkeypatch,
        (str(reader), "USB-Serial", "USB VID:PID=1A86:7523"),
        (silent_port, "ttyS", "n/a"),
        ("/dev/ttyACM9-gone", "n/a", "n/a"),
    )
    result = provision(tmp_path, "--non-interactive", *IDENTITY, "--id-reader-port", "auto", *SIMULATED,
                       "--pin", PIN)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert site(tmp_path)["devices"]["id_reader"] == {"driver": "serial", "port": str(reader)}

    fake_comports(monkeypatch)  # no serial port on this machine
    nothing = provision(tmp_path / "x", "--non-interactive", *IDENTITY, "--id-reader-port", "auto",
                        *SIMULATED, "--pin", PIN)  # fmt: skip
    assert nothing.exit_code == 2
    assert (
        "--id-reader-port: no port answered the SAM status command (no serial port detected)"
        in nothing.output
    )


APPLIANCE_SITE = '[kiosk]\nmode = "appliance"\n'  # as scripts/install-appliance leaves it
NO_DEVICES = ["--sscard-reader", "none", "--scanner", "none", "--printer-queue", "none", "--speaker", "none",
              "--camera", "none"]  # fmt: skip


def test_an_appliance_is_provisioned_with_real_devices_or_none_never_a_simulator(
    tmp_path: Path, id_reader: str
) -> None:
    (tmp_path / "kiosk.toml").write_text(APPLIANCE_SITE, encoding="utf-8")
    base = ["--non-interactive", *IDENTITY, "--id-reader-port", id_reader, "--pin", PIN]
    missing = provision(tmp_path, *base, *SIMULATED)
    # A laptop would ask for neither.
    assert missing.exit_code == 2 and "missing --speaker; --camera" in missing.output

    simulated = provision(tmp_path, *base, *SIMULATED, "--speaker", "sim", "--camera", "sim")
    assert simulated.exit_code == 1, simulated.output
    assert "sscard_reader  FAIL  out of service: sscard_reader: never provisioned" in simulated.output
    assert (tmp_path / "kiosk.toml").read_text(encoding="utf-8") == APPLIANCE_SITE  # nothing saved

    result = provision(tmp_path, *base, *NO_DEVICES)
    assert result.exit_code == 0, result.output
    saved = site(tmp_path)
    assert saved["kiosk"]["mode"] == "appliance"  # type: ignore[index]
    devices = saved["devices"]
    assert devices["id_reader"] == {"driver": "serial", "port": id_reader}  # type: ignore[index]
    for device in ("sscard_reader", "scanner", "printer", "speaker", "camera"):
        assert devices[device] == {"driver": "none"}, device  # type: ignore[index]


def test_provisioning_an_appliance_offers_none_and_defaults_to_it(tmp_path: Path, silent_port: str) -> None:
    (tmp_path / "kiosk.toml").write_text(APPLIANCE_SITE, encoding="utf-8")
    # "none" typed where this machine's own devices would be offered; the printer (no cupsd there)
    # and the speaker take their defaults.
    answers = ["wh-5", "S", "A", "H", "n", "none", "none", "none", "", "", "none", "0", "n", "n", "n"]
    answers += [PIN, PIN, "n"]
    result = provision(
        tmp_path, "--id-reader-port", silent_port, "--printer-server", "127.0.0.1:1",
        stdin="\n".join(answers) + "\n",
    )  # fmt: skip
    assert "none: this kiosk has no ID card reader (residents are told so)" in result.output
    assert "the simulator: out of service on this appliance" in result.output
    assert "1) espeak-ng on the audio output" in result.output
    assert (
        "2) none: this kiosk has no printer (residents are told so)\nChoose 1-2, or type a queue name [2]"
        in (result.output)
    )
    assert result.exit_code == 0, result.output
    devices = site(tmp_path)["devices"]
    assert devices["id_reader"] == {"driver": "none"}  # type: ignore[index]
    assert devices["printer"]["driver"] == "none"  # type: ignore[index]
    assert devices["speaker"] == {"driver": "espeak"}  # type: ignore[index]
    assert "none: this kiosk has no face camera (residents are told so)" in result.output
    assert devices["camera"] == {"driver": "none"}  # type: ignore[index]
