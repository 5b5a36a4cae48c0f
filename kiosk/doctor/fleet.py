"""The check of the live fleet channel: the broker takes the kiosk's account and its commands topic."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.doctor.check import Check, Status
from kiosk.fleet.forms import Topics
from kiosk.fleet.running import channel_running
from kiosk.fleet.store import FleetStore
from kiosk.paths import state_path
from kiosk.settings.schema import FleetSection

#: Seconds the broker has to accept the account and the subscription.
ANSWER_SECONDS = 5.0


def check_fleet(section: FleetSection, kiosk_id: str, data: Path) -> Check:
    """The broker accepts this kiosk's account and lets it read its own commands.

    Not critical: a kiosk without its live channel serves residents as before; administrators do
    not see it. While the kiosk runs, its own connection is the check (what its channel last noted):
    the doctor's connection could take the running kiosk's over. Otherwise it connects as
    `kiosk-<id>-doctor` and publishes nothing. The broker's ACL is not visible from here: a broker
    drops a publish it does not allow without a word.
    """
    if not section.broker:
        return _check(Status.OK, "not configured (fleet.broker is empty): no live channel")
    if section.username and section.username != kiosk_id:
        return _check(
            Status.WARN,
            f"fleet.username {section.username!r} is not kiosk.id {kiosk_id!r}: the ACL of "
            "scripts/install-broker lets an account write only its own kiosk/v1/<account>/ topics, "
            "so this kiosk is heard nowhere there (fine on a broker with an ACL of its own)",
        )
    if channel_running(data):
        return _running_kiosk(section, data)
    # paho only when the check runs: the doctor module is loaded with every kiosk (technician mode).
    from kiosk.fleet.link import FleetNotConfigured, fleet_password

    try:
        password = fleet_password(section)
    except FleetNotConfigured as error:
        return _check(Status.FAIL, f"{error}; the kiosk runs without its live channel")
    started = time.monotonic()
    try:
        answers = _ask_broker(section, kiosk_id, password)
    except OSError as error:
        host, port, _tls = section.broker_address
        return _check(Status.FAIL, f"cannot reach the broker at {host}:{port}: {error}")
    return _verdict(section, kiosk_id, answers, (time.monotonic() - started) * 1000)


def _running_kiosk(section: FleetSection, data: Path) -> Check:
    """What the running kiosk's channel last noted of its connection."""
    store = FleetStore(state_path(data))
    try:
        noted = store.link_state()
    finally:
        store.close()
    if noted is None:
        return _check(Status.WARN, f"the running kiosk has not connected to {section.broker} yet")
    since = datetime.fromtimestamp(noted.at).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    if noted.state != "connected":
        return _check(Status.FAIL, f"the running kiosk is {noted.state} since {since}: {noted.detail}")
    accepted = f"the running kiosk is connected to {section.broker} ({noted.detail}, since {since})"
    if not section.command_keys:
        return _check(Status.WARN, f"{accepted} but fleet.command_keys is empty: every command is refused")
    return _check(Status.OK, f"{accepted}, {len(section.command_keys)} command key(s)")


def _ask_broker(section: FleetSection, kiosk_id: str, password: str) -> dict[str, Any]:
    """Connect with the kiosk's account and subscribe to its commands: the broker's answers."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    host, port, tls = section.broker_address
    answers: dict[str, Any] = {}
    answered = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"kiosk-{kiosk_id}-doctor")
    client.username_pw_set(section.username or kiosk_id, password or None)
    if tls:
        client.tls_set(ca_certs=section.ca_bundle or None)

    def connected(_client: Any, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        answers["connect"] = reason
        if reason.is_failure:
            answered.set()
        else:
            client.subscribe(Topics(kiosk_id).commands, qos=1)

    def subscribed(_client: Any, _userdata: Any, _mid: int, reasons: Any, _props: Any) -> None:
        answers["subscribe"] = reasons[0]
        answered.set()

    client.on_connect = connected
    client.on_subscribe = subscribed
    try:
        client.connect(host, port, keepalive=30)
    except ValueError as error:
        raise OSError(str(error)) from error
    client.loop_start()
    try:
        answered.wait(ANSWER_SECONDS)
    finally:
        client.disconnect()
        client.loop_stop()
    return answers


def _verdict(section: FleetSection, kiosk_id: str, answers: dict[str, Any], elapsed_ms: float) -> Check:
    host, port, _tls = section.broker_address
    connect = answers.get("connect")
    if connect is None:
        return _check(Status.FAIL, f"no answer from the broker at {host}:{port}")
    if connect.is_failure:
        return _check(
            Status.FAIL,
            f"the broker at {host}:{port} refused the account {section.username or kiosk_id!r}: {connect}; "
            "check fleet.password_file against the broker's credentials (scripts/install-broker add-kiosk)",
        )
    granted = answers.get("subscribe")
    if granted is None or granted.is_failure:
        return _check(Status.FAIL, f"the broker does not let this kiosk read its commands: {granted}")
    accepted = f"{section.broker} accepted the kiosk ({elapsed_ms:.0f} ms)"
    if not section.command_keys:
        return _check(Status.WARN, f"{accepted} but fleet.command_keys is empty: every command is refused")
    return _check(Status.OK, f"{accepted}, {len(section.command_keys)} command key(s)")


def _check(status: Status, detail: str) -> Check:
    return Check("fleet", status, False, detail)
