"""`kiosk provision --broker URL --broker-password-file FILE`: the live channel's settings, the
password copied for the kiosk's account only, and a kiosk so provisioned let in by the fleet's broker."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from kiosk.doctor import Status
from kiosk.doctor.fleet import check_fleet
from kiosk.settings import load_settings, standard_layers
from tests.daemons import free_port
from tests.kiosk.test_provision import IDENTITY, PIN, SIMULATED, provision, site
from tests.mosquitto import PrivateMosquitto
from tests.test_broker_acl import Peer

ROOT = Path(__file__).resolve().parents[2]
BASE = ["--non-interactive", *IDENTITY, "--id-reader-port", "sim", *SIMULATED, "--pin", PIN]
BROKER = "mqtts://fleet.example.org:8883"
SECRET = "Zq8-secret-from-install-broker"
KIOSK_UID, KIOSK_GID = 64123, 64124  # the data directory's owner on an appliance: not this machine's


def password_file(tmp_path: Path, text: str = f"{SECRET}\n") -> Path:
    path = tmp_path / "wh-hc-0001.password"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_broker_and_a_copy_of_the_password_are_saved(tmp_path: Path) -> None:
    given = password_file(tmp_path)
    result = provision(tmp_path, *BASE, "--broker", BROKER, "--broker-password-file", str(given))
    assert result.exit_code == 0, result.output
    copy = tmp_path / "data" / "fleet-password"
    assert site(tmp_path)["fleet"] == {"broker": BROKER, "password_file": str(copy)}
    assert copy.read_text(encoding="utf-8") == f"{SECRET}\n"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert SECRET not in (tmp_path / "kiosk.toml").read_text(encoding="utf-8") and SECRET not in result.output
    assert f"live channel:   {BROKER} as wh-hc-0001, password in {copy}" in result.output


def test_the_copy_belongs_to_the_kiosks_account(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root gives files away")
    data = tmp_path / "data"
    data.mkdir()
    os.chown(data, KIOSK_UID, KIOSK_GID)  # as install-appliance leaves /var/lib/kiosk
    result = provision(
        tmp_path, *BASE, "--broker", BROKER, "--broker-password-file", str(password_file(tmp_path))
    )
    assert result.exit_code == 0, result.output
    status = (data / "fleet-password").stat()
    assert (status.st_uid, status.st_gid, stat.S_IMODE(status.st_mode)) == (KIOSK_UID, KIOSK_GID, 0o600)


def test_a_password_in_the_site_file_gives_way_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "kiosk.toml").write_text(
        f'[fleet]\nbroker = "{BROKER}"\npassword = "old"\n', encoding="utf-8"
    )
    result = provision(tmp_path, *BASE, "--broker-password-file", str(password_file(tmp_path)))
    assert result.exit_code == 0, result.output
    fleet = site(tmp_path)["fleet"]
    assert fleet == {
        "broker": BROKER,
        "password": "",
        "password_file": str(tmp_path / "data" / "fleet-password"),
    }


def test_broker_none_turns_the_channel_off_and_keeps_the_rest(tmp_path: Path) -> None:
    (tmp_path / "kiosk.toml").write_text(f'[fleet]\nbroker = "{BROKER}"\nkeepalive = 20\n', encoding="utf-8")
    result = provision(tmp_path, *BASE, "--broker", "none")
    assert result.exit_code == 0, result.output
    assert site(tmp_path)["fleet"] == {"broker": "", "keepalive": 20}
    assert "live channel:   off" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--broker", "tcp://fleet.example.org"],
            "--broker: fleet.broker: Value error, must be mqtt://host:port",
        ),
        (["--broker-password-file", "PASSWORD"], "--broker-password-file needs --broker"),
        (
            ["--broker", BROKER, "--broker-password-file", "EMPTY"],
            "holds no password (its first line is empty)",
        ),
        (["--broker", "none", "--broker-password-file", "PASSWORD"], "--broker none cannot be combined"),
    ],
)
def test_a_bad_channel_flag_is_named_and_nothing_is_written(
    tmp_path: Path, args: list[str], message: str
) -> None:
    files = {"PASSWORD": str(password_file(tmp_path)), "EMPTY": str(tmp_path / "empty")}
    (tmp_path / "empty").write_text("\n")
    result = provision(tmp_path, *BASE, *[files.get(arg, arg) for arg in args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "kiosk.toml").exists() and not (tmp_path / "data" / "fleet-password").exists()


def test_a_kiosk_provisioned_with_install_brokers_file_is_let_in(tmp_path: Path) -> None:
    """The whole way: the broker's server makes the account, the technician provisions with its file,
    and the kiosk's settings log in to the broker (username = kiosk id) and write its own status."""
    config, credentials, port = tmp_path / "etc-mosquitto", tmp_path / "credentials", free_port()
    for arguments in (["install", "--address", "127.0.0.1", "--port", str(port)], ["add-console"],
                      ["add-kiosk", "wh-hc-0001"]):  # fmt: skip
        subprocess.run(
            [sys.executable, str(ROOT / "scripts/install-broker"), "--config-dir", str(config),
             "--credentials-dir", str(credentials), *arguments],
            check=True, capture_output=True,
        )  # fmt: skip
    with PrivateMosquitto(tmp_path / "broker", include_dir=config / "conf.d", port=port) as broker:
        result = provision(
            tmp_path,
            *BASE,
            "--broker",
            broker.url,
            "--broker-password-file",
            str(credentials / "wh-hc-0001.password"),
        )
        assert result.exit_code == 0, result.output
        environ = {"KIOSK_CONFIG": str(tmp_path / "kiosk.toml"), "KIOSK_DATA_DIR": str(tmp_path / "data")}
        settings = load_settings(standard_layers(environ)).settings
        assert settings.fleet.broker_address == ("127.0.0.1", port, False)
        # `kiosk doctor`'s check takes the account and the kiosk's own commands topic.
        check = check_fleet(settings.fleet, settings.kiosk.id, tmp_path / "data")
        assert check.status is Status.WARN and f"{broker.url} accepted the kiosk" in check.detail, (
            check.detail
        )
        password = Path(settings.fleet.password_file).read_text(encoding="utf-8").splitlines()[0]
        kiosk = Peer(broker, settings.fleet.username or settings.kiosk.id, password)
        console = Peer(broker, "console", (credentials / "console.password").read_text().strip())
        try:
            assert kiosk.accepted and console.accepted, (kiosk.answer, console.answer)
            console.subscribe("kiosk/v1/#")
            kiosk.publish("kiosk/v1/wh-hc-0001/status", b'{"state": "online"}')
            console.wait_for("kiosk/v1/wh-hc-0001/status", b'{"state": "online"}')
        finally:
            kiosk.close()
            console.close()
    assert tomllib.loads((tmp_path / "kiosk.toml").read_text())["fleet"]["broker"] == broker.url
