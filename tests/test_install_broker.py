"""scripts/install-broker into a throwaway configuration directory, and a real mosquitto started on
what it wrote: accounts from its clear password files, confined by its ACL, over plain MQTT and TLS."""

from __future__ import annotations

import grp
import importlib.machinery
import os
import ssl
import stat
import subprocess
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.fleet import broker_config
from kiosk.fleet.commands import CommandGate, private_key_from_text, public_key_text
from kiosk.fleet.forms import result_ok
from kiosk.fleet.link import Backoff, FleetLink, ThreadDriver, fleet_password
from kiosk.fleet.store import FleetStore, MemoryFleetStore
from tests.conftest import wait_for
from tests.daemons import free_port
from tests.fleet.console import Console
from tests.fleet.test_link import fleet_settings
from tests.mosquitto import PrivateMosquitto
from tests.test_broker_acl import WAIT, Peer

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "install-broker"
SECRET_MODE = 0o640


@dataclass
class Installed:
    config_dir: Path
    credentials: Path
    port: int
    pid_file: Path

    def run(self, *arguments: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [
                sys.executable, str(SCRIPT), "--config-dir", str(self.config_dir), "--credentials-dir",
                str(self.credentials), "--pid-file", str(self.pid_file), *arguments,
            ],
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        if check:
            assert result.returncode == 0, result.stdout + result.stderr
        return result

    def password(self, user: str) -> str:
        return (self.credentials / f"{user}.password").read_text().strip()

    def broker(self, directory: Path, port: int | None = None) -> PrivateMosquitto:
        return PrivateMosquitto(directory, include_dir=self.config_dir / "conf.d", port=port or self.port)


@pytest.fixture
def installed(tmp_path: Path) -> Installed:
    # The pid file is the one the private broker writes: reloads reach it by SIGHUP.
    done = Installed(
        tmp_path / "etc-mosquitto",
        tmp_path / "credentials",
        free_port(),
        tmp_path / "broker" / "mosquitto.pid",
    )
    done.run("install", "--address", "127.0.0.1", "--port", str(done.port))
    return done


@pytest.fixture
def running(installed: Installed, tmp_path: Path) -> Iterator[PrivateMosquitto]:
    installed.run("add-console")
    installed.run("add-kiosk", "wh-0001")
    installed.run("add-kiosk", "wh-0002")
    with installed.broker(tmp_path / "broker") as broker:
        yield broker


def test_install_writes_the_fragment_the_acl_and_an_empty_password_file(installed: Installed) -> None:
    conf = (installed.config_dir / broker_config.CONF_NAME).read_text()
    lines = [line for line in conf.splitlines() if line and not line.startswith("#")]
    assert lines == [
        "per_listener_settings false",
        "allow_anonymous false",
        f"password_file {installed.config_dir / 'kiosk-fleet.passwd'}",
        f"acl_file {installed.config_dir / 'kiosk-fleet.acl'}",
        f"max_packet_size {broker_config.MAX_PACKET_SIZE}",
        f"listener {installed.port} 127.0.0.1",
        "use_username_as_clientid true",
    ]
    # The very ACL tests/test_broker_acl.py proves, byte for byte.
    acl = installed.config_dir / broker_config.ACL_NAME
    assert acl.read_text() == broker_config.acl_text()
    assert "pattern write kiosk/v1/%u/status" in acl.read_text().splitlines()
    passwd = installed.config_dir / broker_config.PASSWORD_NAME
    assert passwd.read_text() == ""
    for path in (acl, passwd):
        assert stat.S_IMODE(path.stat().st_mode) == 0o640, path
        if os.geteuid() == 0 and _has_group("mosquitto"):
            assert (path.stat().st_uid, path.stat().st_gid) == (0, grp.getgrnam("mosquitto").gr_gid)


def test_installing_twice_changes_nothing_and_keeps_the_accounts(installed: Installed) -> None:
    installed.run("add-kiosk", "wh-0001")
    passwd = (installed.config_dir / broker_config.PASSWORD_NAME).read_text()
    second = installed.run("install", "--address", "127.0.0.1", "--port", str(installed.port)).stdout
    assert [line for line in second.splitlines() if line.startswith("write")] == [], second
    assert (installed.config_dir / broker_config.PASSWORD_NAME).read_text() == passwd


def test_add_kiosk_hashes_the_password_and_hands_the_clear_one_over(installed: Installed) -> None:
    output = installed.run("add-kiosk", "wh-0001").stdout
    clear = installed.credentials / "wh-0001.password"
    assert str(clear) in output and "--broker-password-file" in output
    password = installed.password("wh-0001")
    assert len(password) >= 32
    assert stat.S_IMODE(clear.stat().st_mode) == 0o600
    assert stat.S_IMODE(installed.credentials.stat().st_mode) == 0o700
    entries = (installed.config_dir / broker_config.PASSWORD_NAME).read_text().splitlines()
    assert [entry.split(":")[0] for entry in entries] == ["wh-0001"]
    assert entries[0].split(":", 1)[1].startswith("$7$") and password not in entries[0]  # PBKDF2-SHA512
    assert stat.S_IMODE((installed.config_dir / broker_config.PASSWORD_NAME).stat().st_mode) == 0o640


@pytest.mark.parametrize("name", ["a/b", "wh+1", "#", "console", "", "-x", "x" * 65])
def test_a_name_the_acl_cannot_confine_is_refused(installed: Installed, name: str) -> None:
    result = installed.run("add-kiosk", name, check=False)
    assert result.returncode == 2, result.stdout + result.stderr
    assert (installed.config_dir / broker_config.PASSWORD_NAME).read_text() == ""


def test_the_installed_broker_lets_kiosks_and_the_console_in_and_confines_them(
    installed: Installed, running: PrivateMosquitto
) -> None:
    console = Peer(running, "console", installed.password("console"))
    kiosk_1 = Peer(running, "wh-0001", installed.password("wh-0001"))
    anonymous = Peer(running, None)
    wrong = Peer(running, "wh-0001", installed.password("wh-0002"))
    try:
        assert console.accepted and kiosk_1.accepted
        assert anonymous.answer is not None and anonymous.answer.is_failure
        assert wrong.answer is not None and wrong.answer.is_failure
        console.subscribe("kiosk/v1/#")
        kiosk_1.subscribe("kiosk/v1/wh-0001/cmd/+", "kiosk/v1/wh-0002/cmd/+")
        kiosk_1.publish("kiosk/v1/wh-0002/status", b"forged")
        kiosk_1.publish("kiosk/v1/wh-0001/status", b"own")
        assert ("kiosk/v1/wh-0002/status", b"forged") not in console.wait_for(
            "kiosk/v1/wh-0001/status", b"own"
        )
        console.publish("kiosk/v1/wh-0002/cmd/r1", b"not for 1")
        console.publish("kiosk/v1/wh-0001/cmd/r2", b"for 1")
        assert kiosk_1.wait_for("kiosk/v1/wh-0001/cmd/r2", b"for 1") == [
            ("kiosk/v1/wh-0001/cmd/r2", b"for 1")
        ]
    finally:
        for peer in (console, kiosk_1, anonymous, wrong):
            peer.close()


def test_accounts_change_on_a_running_broker_by_reload(
    installed: Installed, running: PrivateMosquitto
) -> None:
    assert installed.run("add-kiosk", "wh-0001", check=False).returncode != 0  # not replaced by mistake
    old = installed.password("wh-0001")
    output = installed.run("add-kiosk", "wh-0003").stdout
    assert f"(pid {running.pid}, SIGHUP)" in output
    _login(running, "wh-0003", installed.password("wh-0003"), accepted=True)  # no restart needed

    on_the_old_password = Peer(running, "wh-0001", old)
    try:
        assert on_the_old_password.accepted
        installed.run("add-kiosk", "wh-0001", "--replace")
        # Connected on the old password: cut off at the reload, as a removed kiosk is.
        assert wait_for(lambda: not on_the_old_password.client.is_connected(), WAIT)
    finally:
        on_the_old_password.close()
    assert installed.password("wh-0001") != old
    _login(running, "wh-0001", old, accepted=False)
    _login(running, "wh-0001", installed.password("wh-0001"), accepted=True)

    password = installed.password("wh-0002")
    connected = Peer(running, "wh-0002", password)
    try:
        assert connected.accepted
        installed.run("remove-kiosk", "wh-0002")
        # Mosquitto checks connected clients again at the reload: a removed kiosk is cut off at once.
        assert wait_for(lambda: not connected.client.is_connected(), WAIT)
    finally:
        connected.close()
    assert not (installed.credentials / "wh-0002.password").exists()
    _login(running, "wh-0002", password, accepted=False)
    assert installed.run("remove-kiosk", "wh-0002", check=False).returncode != 0


def test_tls_listener_from_the_given_certificate(installed: Installed, tmp_path: Path) -> None:
    cert, key = tmp_path / "broker.crt", tmp_path / "broker.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    tls_port = free_port()
    output = installed.run(
        "install", "--address", "127.0.0.1", "--port", str(installed.port),
        "--cert", str(cert), "--key", str(key), "--tls-port", str(tls_port), "--no-plain",
    ).stdout  # fmt: skip
    assert f"listener  TLS on 127.0.0.1:{tls_port}" in output and "plain MQTT" not in output
    copied = installed.config_dir / "certs" / "kiosk-fleet.key"
    assert copied.read_bytes() == key.read_bytes() and stat.S_IMODE(copied.stat().st_mode) == 0o640
    installed.run("add-kiosk", "wh-0001")
    with installed.broker(tmp_path / "broker", port=tls_port) as broker:
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="tls-probe", protocol=mqtt.MQTTv311)
        client.tls_set(ca_certs=str(cert), cert_reqs=ssl.CERT_REQUIRED)
        client.username_pw_set("wh-0001", installed.password("wh-0001"))
        assert client.connect("127.0.0.1", tls_port) == mqtt.MQTT_ERR_SUCCESS
        client.loop_start()
        try:
            client.publish("kiosk/v1/wh-0001/status", b"over TLS", qos=1).wait_for_publish(WAIT)
            assert client.is_connected()
            # The TLS listener too replaces the client id by the username (use_username_as_clientid).
            assert b"from 127.0.0.1" in broker.broker_log.read_bytes()
            assert b" as wh-0001 (" in broker.broker_log.read_bytes(), broker.tail()
        finally:
            client.disconnect()
            client.loop_stop()
        with pytest.raises(ConnectionRefusedError):  # no plain listener
            _login(broker, "wh-0001", installed.password("wh-0001"), accepted=False, port=installed.port)


def test_half_a_tls_setup_is_refused(installed: Installed, tmp_path: Path) -> None:
    cert = tmp_path / "broker.crt"
    cert.write_text("not used")
    result = installed.run("install", "--address", "127.0.0.1", "--cert", str(cert), check=False)
    assert result.returncode == 2 and "--cert and --key go together" in result.stderr


def _login(
    broker: PrivateMosquitto, user: str, password: str, *, accepted: bool, port: int | None = None
) -> None:
    if port is not None:
        broker.port = port
    peer = Peer(broker, user, password)
    try:
        assert peer.accepted is accepted, peer.answer
    finally:
        peer.close()


def _has_group(name: str) -> bool:
    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


def test_a_regions_broker_bridged_to_the_central_one(tmp_path: Path) -> None:
    """Kiosks on a region's mosquitto, the console on the central one: status and results go out
    through the bridge, commands come in, and each side's ACL still confines what it may."""
    central = Installed(
        tmp_path / "central", tmp_path / "central-credentials", free_port(), tmp_path / "c" / "mosquitto.pid"
    )
    region = Installed(
        tmp_path / "region", tmp_path / "region-credentials", free_port(), tmp_path / "r" / "mosquitto.pid"
    )
    central.run("install", "--address", "127.0.0.1", "--port", str(central.port))
    central.run("add-console")
    output = central.run("add-bridge", "hc").stdout
    assert "scripts/install-broker bridge hc --to" in output
    assert "user bridge-hc" in (central.config_dir / broker_config.ACL_NAME).read_text().splitlines()
    region.run("install", "--address", "127.0.0.1", "--port", str(region.port))
    region.run("add-kiosk", "wh-hc-0001")
    region.run("add-kiosk", "wh-hc-0002")
    bridge_password = central.credentials / "bridge-hc.password"
    region.run("bridge", "hc", "--to", f"127.0.0.1:{central.port}", "--password-file", str(bridge_password))
    bridge_conf = region.config_dir / "conf.d" / "kiosk-fleet-bridge-hc.conf"
    assert stat.S_IMODE(bridge_conf.stat().st_mode) == 0o640  # it holds the bridge's password
    assert f"remote_password {central.password('bridge-hc')}" in bridge_conf.read_text().splitlines()

    with central.broker(tmp_path / "c") as central_broker, region.broker(tmp_path / "r") as regional:
        console = Peer(central_broker, "console", central.password("console"))
        kiosk_1 = Peer(regional, "wh-hc-0001", region.password("wh-hc-0001"))
        kiosk_2 = Peer(regional, "wh-hc-0002", region.password("wh-hc-0002"))
        try:
            assert console.accepted and kiosk_1.accepted and kiosk_2.accepted
            console.subscribe("kiosk/v1/#")
            kiosk_1.subscribe("kiosk/v1/wh-hc-0001/cmd/+", "kiosk/v1/wh-hc-0002/cmd/+")
            kiosk_2.subscribe("kiosk/v1/wh-hc-0002/cmd/+")
            # The bridge connects on its own time: the console's command arrives once it is up.
            for attempt in range(100):
                console.publish(f"kiosk/v1/wh-hc-0002/cmd/try-{attempt}", b"for 2")
                if wait_for(lambda: bool(kiosk_2.received), 0.1):
                    break
            assert kiosk_2.received, f"the bridge never came up:\n{regional.tail()}"
            console.publish("kiosk/v1/wh-hc-0001/cmd/r1", b"for 1")
            seen = kiosk_1.wait_for("kiosk/v1/wh-hc-0001/cmd/r1", b"for 1")
            assert seen == [("kiosk/v1/wh-hc-0001/cmd/r1", b"for 1")]  # never 2's commands

            kiosk_1.publish("kiosk/v1/wh-hc-0002/status", b"forged by 1")  # refused by the region's ACL
            kiosk_1.publish("kiosk/v1/wh-hc-0001/cmd/x", b"a command 1 wrote")  # refused too
            for kind, payload in (("status", b"online"), ("reported", b"state"), ("telemetry", b"numbers"),
                                  ("event", b"paper out"), ("result/r1", b"done")):  # fmt: skip
                kiosk_1.publish(f"kiosk/v1/wh-hc-0001/{kind}", payload)
            seen = console.wait_for("kiosk/v1/wh-hc-0001/result/r1", b"done")
            from_kiosk = [message for message in seen if "/cmd/" not in message[0]]
            assert [topic for topic, _ in from_kiosk] == [
                f"kiosk/v1/wh-hc-0001/{kind}"
                for kind in ("status", "reported", "telemetry", "event", "result/r1")
            ], seen
        finally:
            for peer in (console, kiosk_1, kiosk_2):
                peer.close()

    assert central.run("add-bridge", "bad/name", check=False).returncode == 2
    assert (
        region.run("add-kiosk", "bridge-hc", check=False).returncode == 2
    )  # a kiosk cannot pose as a bridge
    central.run("remove-bridge", "hc")
    assert "user bridge-hc" not in (central.config_dir / broker_config.ACL_NAME).read_text()


def test_the_kiosks_own_link_works_within_the_installed_acl(
    installed: Installed, running: PrivateMosquitto, tmp_path: Path
) -> None:
    """kiosk/fleet/link.py as the kiosk runs it, on the broker as installed: will and presence,
    reported, events and results pass the ACL; the console's command reaches it; and a kiosk that
    dies without a word is `lost` (the broker publishes its will on its own status topic)."""
    settings = fleet_settings(
        running.url, password_file=str(installed.credentials / "wh-0001.password"), keepalive=5
    )
    console = Console(running.port, "console", installed.password("console"))
    store = FleetStore(tmp_path / "state.db")
    commands: list[tuple[str, bytes]] = []
    link = FleetLink(
        "wh-0001",
        settings,
        store,
        on_command=lambda req, raw: commands.append((req, raw)),
        password=fleet_password(settings),  # the first line of the file install-broker wrote
    )
    driver = ThreadDriver(link, Backoff(first=0.2, cap=0.5))
    driver.start()
    try:
        assert wait_for(lambda: (console.last("kiosk/v1/wh-0001/status") or {}).get("state") == "online"), (
            running.tail()
        )
        link.publish_reported({"software": {"version": "1"}})
        link.raise_event({"type": "printer_paper_out"})
        console.send("kiosk/v1/wh-0001/cmd/req-1", b'{"req": "req-1"}')
        assert wait_for(lambda: commands == [("req-1", b'{"req": "req-1"}')])
        assert link.publish_result("req-1", {"req": "req-1", "ok": True, "result": {}}, timeout=5)
        assert wait_for(lambda: console.last("kiosk/v1/wh-0001/result/req-1") is not None)
        assert console.last("kiosk/v1/wh-0001/reported") == {"software": {"version": "1"}}
        assert wait_for(
            lambda: (console.last("kiosk/v1/wh-0001/event") or {}).get("type") == "printer_paper_out"
        )
        session = console.last("kiosk/v1/wh-0001/status")["session"]  # type: ignore[index]
        # Killed without a word: the socket goes and nothing is said; the broker publishes the will.
        link.client.socket().close()  # type: ignore[union-attr]
        assert wait_for(
            lambda: any(
                (payload.get("state"), payload.get("session")) == ("lost", session)
                for payload in console.payloads("kiosk/v1/wh-0001/status")
            ),
            15,
        ), running.tail()
    finally:
        driver.stop(clean=False)
        console.close()
        store.close()


def test_the_administrators_commands_work_as_the_console_and_not_as_a_kiosk(
    installed: Installed, running: PrivateMosquitto, tmp_path: Path
) -> None:
    """`kiosk fleet command` and `kiosk fleet status` with the console's account on the installed
    broker reach a kiosk's real link and gate; with a kiosk's account, a command reaches no one."""
    key_file = tmp_path / "command.key"
    assert CliRunner().invoke(main, ["fleet", "command-key", str(key_file)]).exit_code == 0
    public = public_key_text(private_key_from_text(key_file.read_text()))
    settings = fleet_settings(running.url, password_file=str(installed.credentials / "wh-0001.password"))
    store = MemoryFleetStore()
    gate = CommandGate(lambda: [public], store)

    def answer(req: str, raw: bytes) -> None:
        gate.admit(raw, req)
        link.publish_result(req, result_ok(req, {"lines": ["12:00:00 INFO ready"]}))

    link = FleetLink("wh-0001", settings, store, on_command=answer, password=fleet_password(settings))
    link.publish_reported({"screen": "attract", "devices": {"printer": {"state": "idle", "reasons": []}}})
    driver = ThreadDriver(link, Backoff(first=0.2, cap=0.5))
    driver.start()
    try:
        assert link.wait_connected(10), running.tail()
        as_console = ["--broker", running.url, "--username", "console", "--password-file"]
        console_file = str(installed.credentials / "console.password")
        command = ["fleet", "command", "wh-0001", "logs", "--key", str(key_file)]
        result = CliRunner().invoke(main, [*command, *as_console, console_file])
        assert result.exit_code == 0, result.output
        assert result.output.splitlines() == ["12:00:00 INFO ready"]
        status = CliRunner().invoke(main, ["fleet", "status", *as_console, console_file])
        assert status.exit_code == 0, status.output
        assert status.output.startswith("wh-0001") and "online" in status.output

        # The other kiosk's account: its command is refused by the broker, so no result ever comes.
        as_kiosk = ["--broker", running.url, "--username", "wh-0002", "--password-file"]
        kiosk_file = str(installed.credentials / "wh-0002.password")
        refused = CliRunner().invoke(main, [*command, "--timeout", "2", *as_kiosk, kiosk_file])
        assert refused.exit_code == 1 and "no result from wh-0001 within 2 s" in refused.output, (
            refused.output
        )
    finally:
        driver.stop()


#: Runs install-broker (argv[3:]) in this interpreter with an audit hook that, before each file
#: operation, looks at every file under argv[1] and argv[2]: a world-readable one that holds bytes is
#: printed (path, mode, the operation about to happen).
_WATCHER = """
import os, runpy, stat, sys
watched, script = sys.argv[1:3], sys.argv[3]
busy = False

def look(event, args):
    global busy
    if busy or not event.startswith(("open", "os.", "shutil.", "subprocess.")):
        return
    busy = True
    try:
        for top in watched:
            for folder, _dirs, names in os.walk(top):
                for name in names:
                    info = os.lstat(os.path.join(folder, name))
                    if stat.S_ISREG(info.st_mode) and info.st_size and info.st_mode & 0o004:
                        print(f"SEEN {os.path.join(folder, name)} {stat.S_IMODE(info.st_mode):o} {event}")
    finally:
        busy = False

sys.addaudithook(look)
sys.argv = [script, *sys.argv[4:]]
try:
    runpy.run_path(script, run_name="__main__")
except SystemExit as end:
    sys.exit(end.code)
"""


def _watched(installed: Installed, *arguments: str) -> set[Path]:
    """install-broker run under the watcher (umask 022, as a root shell has): the files it let be
    read by anyone while they held bytes."""
    result = subprocess.run(
        [
            sys.executable, "-c", _WATCHER, str(installed.config_dir), str(installed.credentials),
            str(SCRIPT), "--config-dir", str(installed.config_dir), "--credentials-dir",
            str(installed.credentials), "--pid-file", str(installed.pid_file), *arguments,
        ],
        capture_output=True,
        text=True,
        check=False,
        umask=0o022,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return {Path(line.split()[1]) for line in result.stdout.splitlines() if line.startswith("SEEN ")}


def test_secrets_are_never_readable_by_anyone_not_even_while_written(
    installed: Installed, tmp_path: Path
) -> None:
    """The TLS key, the ACL, a clear password and a bridge's conf (with the bridge's password) are
    never readable by others at any point of their writing: their `.part` files are made with
    their final mode and owner before a byte goes in (the old `.part` was written at 0644 and only
    then chmodded)."""
    cert, key = tmp_path / "broker.crt", tmp_path / "broker.key"
    cert.write_text("-----BEGIN CERTIFICATE-----\nnot checked here\n")
    key.write_text("-----BEGIN PRIVATE KEY-----\nsecret\n")
    (installed.config_dir / broker_config.ACL_NAME).unlink()  # written again, from nothing
    seen = _watched(
        installed, "install", "--address", "127.0.0.1", "--port", str(installed.port),
        "--cert", str(cert), "--key", str(key),
    )  # fmt: skip
    seen |= _watched(installed, "add-kiosk", "wh-0001")
    password_file = tmp_path / "bridge.password"
    password_file.write_text("bridge-secret\n")
    seen |= _watched(installed, "bridge", "hc", "--to", "127.0.0.1:1", "--password-file", str(password_file))
    secrets = [
        installed.config_dir / "certs" / "kiosk-fleet.key",
        installed.config_dir / broker_config.ACL_NAME,
        installed.credentials / "wh-0001.password",
        installed.config_dir / "conf.d" / "kiosk-fleet-bridge-hc.conf",
    ]
    for secret in secrets:
        assert stat.S_IMODE(secret.stat().st_mode) & 0o007 == 0, secret
    exposed = {path for path in seen if path.with_name(path.name.removesuffix(".part")) in secrets}
    assert exposed == set(), exposed
    assert (installed.config_dir / "certs" / "kiosk-fleet.crt") in seen  # the watcher does see


def test_a_part_file_already_there_is_removed_and_never_written_through(
    installed: Installed, tmp_path: Path
) -> None:
    """A `.part` left by a run that died (a clear password, mode 0644) is removed; one planted as a
    link elsewhere is replaced, never followed: the key is not written to where it points."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_text("untouched\n")
    certs = installed.config_dir / "certs"
    certs.mkdir()
    (certs / "kiosk-fleet.key.part").symlink_to(elsewhere)
    installed.credentials.mkdir(mode=0o700)
    stale = installed.credentials / "wh-0009.password.part"
    stale.write_text("an old password\n")
    stale.chmod(0o644)
    cert, key = tmp_path / "broker.crt", tmp_path / "broker.key"
    cert.write_text("certificate\n")
    key.write_text("the private key\n")
    installed.run(
        "install",
        "--address",
        "127.0.0.1",
        "--port",
        str(installed.port),
        "--cert",
        str(cert),
        "--key",
        str(key),
    )
    assert elsewhere.read_text() == "untouched\n" and stat.S_IMODE(elsewhere.stat().st_mode) != SECRET_MODE
    installed_key = certs / "kiosk-fleet.key"
    assert not installed_key.is_symlink() and installed_key.read_text() == "the private key\n"
    assert not stale.exists()
    leftovers = list(tmp_path.rglob("*.part"))
    assert leftovers == [], leftovers


class _Recorded:
    """install-broker's Broker managing the system's service, with the service manager's commands
    (systemctl, apt-get: the machine's boundary) recorded instead of run."""

    def __init__(self, installed: Installed) -> None:
        loader = importlib.machinery.SourceFileLoader("install_broker", str(SCRIPT))
        module = types.ModuleType(loader.name)
        module.__file__ = str(SCRIPT)
        loader.exec_module(module)
        commands: list[tuple[str, ...]] = []
        self.commands = commands

        class Broker(module.Broker):  # type: ignore[name-defined,misc]
            @staticmethod
            def run(*command: str) -> None:
                commands.append(command)

        self.broker = Broker(installed.config_dir, installed.credentials, None)
        self.broker.real_system = True

    def restarts(self) -> list[tuple[str, ...]]:
        return [command for command in self.commands if "restart" in command]


def test_install_restarts_mosquitto_only_when_a_file_it_manages_changed(
    installed: Installed, tmp_path: Path
) -> None:
    """Each restart drops every kiosk (the console sees the fleet `lost`): `install` run again on
    the same settings leaves a running mosquitto alone; a new listener or certificate restarts it."""
    recorded = _Recorded(installed)
    listen = {"port": installed.port, "tls_port": broker_config.TLS_PORT, "cert": None, "key": None}
    recorded.broker.install("127.0.0.1", plain=True, **listen)
    assert recorded.restarts() == []
    assert ("systemctl", "enable", "--now", "mosquitto") in recorded.commands  # started if stopped

    recorded.broker.install("127.0.0.2", plain=True, **listen)  # another listener
    assert recorded.restarts() == [("systemctl", "restart", "mosquitto")]
    key = tmp_path / "broker.key"
    key.write_text("key\n")
    (tmp_path / "broker.crt").write_text("certificate\n")
    tls = {**listen, "cert": tmp_path / "broker.crt", "key": key}
    recorded.broker.install("127.0.0.2", plain=True, **tls)
    recorded.broker.install("127.0.0.2", plain=True, **tls)
    assert len(recorded.restarts()) == 2
    key.write_text("a renewed key\n")
    recorded.broker.install("127.0.0.2", plain=True, **tls)
    assert len(recorded.restarts()) == 3

    password = tmp_path / "bridge.password"
    password.write_text("bridge-secret\n")
    recorded.broker.bridge("hc", "127.0.0.1:1883", password, None)
    recorded.broker.bridge("hc", "127.0.0.1:1883", password, None)
    assert len(recorded.restarts()) == 4


def test_each_administrator_gets_an_account_and_a_block_in_the_acl(
    installed: Installed, tmp_path: Path
) -> None:
    installed.run("add-console")
    added = installed.run("add-console", "alice")
    assert "console-alice: its password is in" in added.stdout
    acl = (installed.config_dir / broker_config.ACL_NAME).read_text()
    assert acl == broker_config.acl_text(["console", "console-alice"])
    assert "user console-alice\ntopic read kiosk/v1/#\ntopic write kiosk/v1/+/cmd/+" in acl
    refused = installed.run("add-kiosk", "console-bob", check=False)
    assert refused.returncode == 2 and "administrators' accounts" in refused.stderr
    with installed.broker(tmp_path / "broker") as broker:
        alice = Console(broker.port, "console-alice", installed.password("console-alice"))
        console = Console(broker.port, "console", installed.password("console"))
        try:
            alice.send("kiosk/v1/wh-0001/cmd/r1", b"{}")
            assert wait_for(lambda: console.payloads("kiosk/v1/wh-0001/cmd/r1") == [{}])
        finally:
            alice.close()
            console.close()
        installed.run("remove-console", "alice")
    assert "console-alice" not in (installed.config_dir / broker_config.ACL_NAME).read_text()
