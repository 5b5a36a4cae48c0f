"""`kiosk doctor`'s fleet check against a real mosquitto: the account is taken, or why not."""

from __future__ import annotations

import fcntl
import os
import subprocess
import threading
from pathlib import Path

from kiosk.doctor import Status
from kiosk.doctor.fleet import check_fleet
from kiosk.fleet.commands import new_command_key, public_key_text
from kiosk.fleet.link import Backoff, FleetLink, ThreadDriver
from kiosk.fleet.running import ChannelLock, channel_running
from kiosk.fleet.store import FleetStore
from kiosk.paths import state_path
from tests.conftest import wait_for
from tests.fleet.test_link import fleet_settings
from tests.mosquitto import PrivateMosquitto


def test_no_broker_is_no_live_channel_and_fine(tmp_path: Path) -> None:
    check = check_fleet(fleet_settings(""), "wh-0001", tmp_path)
    assert (check.status, check.critical) == (Status.OK, False)
    assert check.detail == "not configured (fleet.broker is empty): no live channel"


def test_an_accepted_kiosk_without_command_keys_is_worth_a_look(
    mosquitto: PrivateMosquitto, tmp_path: Path
) -> None:
    check = check_fleet(fleet_settings(mosquitto.url), "wh-0001", tmp_path)
    assert check.status is Status.WARN
    assert check.detail.startswith(f"{mosquitto.url} accepted the kiosk (")
    assert check.detail.endswith("but fleet.command_keys is empty: every command is refused")
    keyed = check_fleet(
        fleet_settings(mosquitto.url, command_keys=[public_key_text(new_command_key())]), "wh-0001", tmp_path
    )
    assert keyed.status is Status.OK and keyed.detail.endswith(", 1 command key(s)")


def test_the_doctor_connects_as_its_own_client(mosquitto: PrivateMosquitto, tmp_path: Path) -> None:
    check_fleet(fleet_settings(mosquitto.url), "wh-0001", tmp_path)
    log = mosquitto.broker_log.read_text()
    assert "as kiosk-wh-0001-doctor" in log
    assert " as kiosk-wh-0001 " not in log and " as kiosk-wh-0001\n" not in log


def test_an_unreachable_broker_and_an_unreadable_password_fail_saying_why(tmp_path: Path) -> None:
    check = check_fleet(fleet_settings("mqtt://127.0.0.1:1"), "wh-0001", tmp_path)
    assert check.status is Status.FAIL and check.detail.startswith("cannot reach the broker at 127.0.0.1:1:")
    missing = check_fleet(
        fleet_settings("mqtt://127.0.0.1:1", password_file=str(tmp_path / "nope")), "wh-0001", tmp_path
    )
    assert missing.status is Status.FAIL and "cannot be read" in missing.detail
    assert missing.detail.endswith("the kiosk runs without its live channel")


def test_a_wrong_password_is_refused_by_the_broker_and_said_plainly(tmp_path: Path) -> None:
    passwords = tmp_path / "passwd"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(passwords), "wh-0001", "right"], check=True)
    passwords.chmod(0o600)
    extra = f"allow_anonymous false\npassword_file {passwords}\n"
    with PrivateMosquitto(tmp_path / "broker", extra_conf=extra) as broker:
        good = check_fleet(fleet_settings(broker.url, password="right"), "wh-0001", tmp_path)
        assert good.status is Status.WARN, good.detail
        bad = check_fleet(fleet_settings(broker.url, password="wrong"), "wh-0001", tmp_path)
    assert bad.status is Status.FAIL
    assert f"the broker at 127.0.0.1:{broker.port} refused the account 'wh-0001'" in bad.detail
    assert "scripts/install-broker add-kiosk" in bad.detail


def test_an_account_that_is_not_the_kiosk_id_is_said_to_be_heard_nowhere(tmp_path: Path) -> None:
    check = check_fleet(fleet_settings("mqtt://127.0.0.1:1", username="acct-x"), "wh-0009", tmp_path)
    assert check.status is Status.WARN
    assert check.detail.startswith("fleet.username 'acct-x' is not kiosk.id 'wh-0009'")


def test_while_the_kiosk_runs_its_own_connection_is_the_check(
    mosquitto: PrivateMosquitto, tmp_path: Path
) -> None:
    store = FleetStore(state_path(tmp_path))
    lock = ChannelLock(tmp_path)
    assert lock.acquire()
    try:
        assert not ChannelLock(tmp_path).acquire()  # one channel per data directory
        link = FleetLink("wh-0001", fleet_settings(mosquitto.url), store, on_command=lambda *_: None)
        driver = ThreadDriver(link, Backoff(first=0.2, cap=0.5))
        driver.start()
        assert link.wait_connected(10)
        check = check_fleet(fleet_settings(mosquitto.url), "wh-0001", tmp_path)
        assert check.status is Status.WARN
        assert check.detail.startswith(
            f"the running kiosk is connected to {mosquitto.url} (session 1, since "
        )
        # No connection of the doctor's: the kiosk's stayed as it was.
        assert "kiosk-wh-0001-doctor" not in mosquitto.broker_log.read_text()
        mosquitto.stop()
        assert wait_for(lambda: not link.connected, 15)
        down = check_fleet(fleet_settings(mosquitto.url), "wh-0001", tmp_path)
        assert down.status is Status.FAIL and down.detail.startswith("the running kiosk is ")
        driver.stop(clean=False)
    finally:
        lock.release()
        store.close()
    assert not channel_running(tmp_path)


def test_a_doctors_look_at_the_lock_never_keeps_a_starting_kiosk_off_its_channel(tmp_path: Path) -> None:
    (tmp_path / "fleet-channel.lock").touch()
    looking = os.open(tmp_path / "fleet-channel.lock", os.O_RDONLY)
    fcntl.flock(looking, fcntl.LOCK_SH)  # the doctor's look, held for a moment
    threading.Timer(0.3, os.close, args=(looking,)).start()
    lock = ChannelLock(tmp_path)
    assert lock.acquire()
    lock.release()
