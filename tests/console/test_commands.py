"""Commands from the console: signed for one kiosk, recorded, audited, published; refused plainly
without a key or a broker; expired when unanswered; operators only, CSRF checked."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from starlette.testclient import TestClient

from console.background import Periodic, jobs
from console.channel import ConsoleChannel
from console.commands import CommandNotSent, expire_commands, issue_command
from console.db import Database
from console.models import AuditEntry, Command, Role
from console.web.state import ConsoleState
from console.web.visitor import Visitor
from kiosk.fleet.commands import CommandGate, private_key_text, public_key_text
from tests.conftest import wait_for
from tests.console.channels import RecordingChannel
from tests.console.fleet_rows import add_kiosk
from tests.console.web import add_account, sign_in
from tests.fleet.console import Console
from tests.mosquitto import PrivateMosquitto

OPERATOR = Visitor(1, "zhang", Role.OPERATOR, "en", "t", "10.0.0.9")


class Seen:
    """A kiosk's memory of admitted commands."""

    def __init__(self) -> None:
        self.reqs: set[str] = set()

    def remember_command(self, req: str, expires_at: float, now: float) -> bool:
        if req in self.reqs:
            return False
        self.reqs.add(req)
        return True


def state_of(client: TestClient) -> ConsoleState:
    return client.app.state.console  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def commanding(console_client: TestClient, key: Ed25519PrivateKey, tmp_path: Path) -> Iterator[ConsoleState]:
    """The console's state with a command key and an in-memory channel."""
    key_file = tmp_path / "command.key"
    key_file.write_text(private_key_text(key) + "\n")
    state = state_of(console_client)
    state.settings = state.settings.model_copy(
        update={"command_key": key_file, "broker": "mqtt://127.0.0.1:1"}
    )
    state.channel = RecordingChannel()
    yield state
    state.channel = None


def test_a_command_is_signed_for_its_kiosk_recorded_audited_and_published(
    commanding: ConsoleState, console_db: Database, key: Ed25519PrivateKey
) -> None:
    add_kiosk(console_db, "k-7")
    command = issue_command(commanding, OPERATOR, "k-7", "logs", {"lines": "50"})
    [(topic, payload)] = commanding.channel.published
    assert topic == f"kiosk/v1/k-7/cmd/{command.req}"
    signed = json.loads(payload)
    assert signed["kiosk"] == "k-7" and signed["args"] == {"lines": 50}
    assert signed["expires_at"] - signed["issued_at"] == 120
    gate = CommandGate(lambda: [public_key_text(key)], Seen(), kiosk_id="k-7")
    assert gate.admit(payload, topic_req=command.req).name == "logs"
    other = CommandGate(lambda: [public_key_text(key)], Seen(), kiosk_id="k-8")
    with pytest.raises(Exception, match="another kiosk"):
        other.admit(payload, topic_req=command.req)
    with console_db.session() as db:
        row = db.get(Command, command.req)
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "command"))
    assert row is not None and row.state == "sent" and row.issued_by == "zhang"
    assert entry is not None and entry.target == "kiosk:k-7" and entry.actor == "zhang"
    assert entry.detail == {"command": "logs", "args": {"lines": 50}, "req": command.req}
    assert entry.address == "10.0.0.9"


def test_without_a_command_key_or_a_broker_a_command_is_refused_plainly(
    commanding: ConsoleState, console_db: Database
) -> None:
    add_kiosk(console_db, "k-7")
    with_key = commanding.settings
    commanding.settings = with_key.model_copy(update={"command_key": None})
    with pytest.raises(CommandNotSent, match="no command key"):
        issue_command(commanding, OPERATOR, "k-7", "sync_now", {})
    commanding.settings = with_key
    commanding.channel = None
    with pytest.raises(CommandNotSent, match="no broker"):
        issue_command(commanding, OPERATOR, "k-7", "sync_now", {})
    with console_db.session() as db:
        assert db.scalars(select(Command)).all() == []


def test_a_broker_that_is_down_leaves_the_command_failed_and_says_so(
    commanding: ConsoleState, console_db: Database
) -> None:
    add_kiosk(console_db, "k-7")
    commanding.channel.down = True
    commanding.channel.last_error = "the connection to the broker dropped; reconnecting"
    with pytest.raises(CommandNotSent, match="not connected"):
        issue_command(commanding, OPERATOR, "k-7", "reboot", {})
    with console_db.session() as db:
        [row] = db.scalars(select(Command)).all()
    assert row.state == "failed" and row.error.startswith("not sent: ")


def test_the_pages_say_when_the_broker_is_not_connected(
    commanding: ConsoleState, console_client: TestClient, console_db: Database
) -> None:
    add_kiosk(console_db, "k-7")
    add_account(console_db, "zhang", Role.OPERATOR)
    console_client.cookies.set("lang", "en")
    sign_in(console_client, "zhang")
    assert "not connected to the fleet's broker" not in console_client.get("/fleet").text
    commanding.channel.down = True
    commanding.channel.last_error = "the connection to the broker dropped; reconnecting"
    for path in ("/fleet", "/kiosks/k-7"):
        page = console_client.get(path).text
        assert "not connected to the fleet&#39;s broker" in page, path
        assert "the connection to the broker dropped; reconnecting" in page, path


def test_unknown_commands_kiosks_and_bad_line_counts_are_refused(
    commanding: ConsoleState, console_db: Database
) -> None:
    add_kiosk(console_db, "k-7")
    with pytest.raises(CommandNotSent, match="unknown command"):
        issue_command(commanding, OPERATOR, "k-7", "format_disk", {})
    with pytest.raises(CommandNotSent, match="no kiosk"):
        issue_command(commanding, OPERATOR, "k-404", "sync_now", {})
    with pytest.raises(CommandNotSent, match="between 1 and"):
        issue_command(commanding, OPERATOR, "k-7", "logs", {"lines": "0"})
    assert commanding.channel.published == []


def test_an_unanswered_command_expires_by_the_periodic_job(
    commanding: ConsoleState, console_db: Database
) -> None:
    add_kiosk(console_db, "k-7")
    command = issue_command(commanding, OPERATOR, "k-7", "screenshot", {})
    assert expire_commands(commanding, command.expires_at - 1) == 0
    Periodic(commanding, jobs()).run_due(command.expires_at + 1)
    with console_db.session() as db:
        row = db.get(Command, command.req)
    assert row is not None and row.state == "expired" and "expired" in row.error
    assert expire_commands(commanding, command.expires_at + 2) == 0


def test_a_viewer_cannot_send_a_command_and_an_operator_can(
    commanding: ConsoleState, console_client: TestClient, console_db: Database
) -> None:
    add_kiosk(console_db, "k-7")
    add_account(console_db, "li", Role.VIEWER)
    add_account(console_db, "zhang", Role.OPERATOR)
    csrf = sign_in(console_client, "li")
    page = console_client.get("/kiosks/k-7")
    assert 'value="reboot"' not in page.text
    refused = console_client.post("/kiosks/k-7/commands", data={"csrf": csrf, "command": "sync_now"})
    assert refused.status_code == 403
    assert commanding.channel.published == []
    console_client.cookies.clear()
    csrf = sign_in(console_client, "zhang")
    page = console_client.get("/kiosks/k-7")
    assert 'value="reboot"' in page.text and "data-confirm=" in page.text
    sent = console_client.post("/kiosks/k-7/commands", data={"csrf": csrf, "command": "sync_now"})
    assert sent.status_code == 303
    assert len(commanding.channel.published) == 1
    logs = console_client.post("/kiosks/k-7/commands", data={"csrf": csrf, "command": "logs", "lines": "30"})
    assert logs.status_code == 303
    assert json.loads(commanding.channel.published[1][1])["args"] == {"lines": 30}
    too_many = console_client.post(
        "/kiosks/k-7/commands", data={"csrf": csrf, "command": "logs", "lines": "201"}
    )
    # The kiosk refuses more than 200 lines (kiosk.fleet.orders.LOG_LINES_MAX): the console too.
    assert too_many.status_code == 400 and "between 1 and 200" in too_many.text
    assert len(commanding.channel.published) == 2


def test_a_command_without_the_csrf_token_is_refused(
    commanding: ConsoleState, console_client: TestClient, console_db: Database
) -> None:
    add_kiosk(console_db, "k-7")
    add_account(console_db, "zhang", Role.OPERATOR)
    sign_in(console_client, "zhang")
    for data in ({"command": "reboot"}, {"command": "reboot", "csrf": "forged"}):
        assert console_client.post("/kiosks/k-7/commands", data=data).status_code == 403
    assert commanding.channel.published == []


def test_the_page_says_plainly_when_no_broker_is_configured(
    commanding: ConsoleState, console_client: TestClient, console_db: Database
) -> None:
    add_kiosk(console_db, "k-7")
    add_account(console_db, "zhang", Role.OPERATOR)
    console_client.cookies.set("lang", "en")
    csrf = sign_in(console_client, "zhang")
    commanding.channel = None
    page = console_client.get("/kiosks/k-7")
    assert "No broker is configured" in page.text
    answer = console_client.post("/kiosks/k-7/commands", data={"csrf": csrf, "command": "sync_now"})
    assert answer.status_code == 503 and "no broker is configured" in answer.text


def test_a_command_reaches_the_kiosks_topic_on_a_real_broker_and_its_kiosk_admits_it(
    commanding: ConsoleState,
    console_db: Database,
    key: Ed25519PrivateKey,
    mosquitto: PrivateMosquitto,
    console: Console,
) -> None:
    add_kiosk(console_db, "k-7")
    settings = commanding.settings.model_copy(
        update={"broker": mosquitto.url, "broker_username": "console-test"}
    )
    channel = ConsoleChannel(settings, console_db)
    channel.start()
    commanding.channel = channel
    try:
        assert wait_for(lambda: channel.connected), channel.last_error
        command = issue_command(commanding, OPERATOR, "k-7", "restart_ui", {})
        topic = f"kiosk/v1/k-7/cmd/{command.req}"
        assert wait_for(lambda: console.last(topic) is not None)
        [(_, payload, retained)] = [seen for seen in console.messages if seen[0] == topic]
        assert not retained
        gate = CommandGate(lambda: [public_key_text(key)], Seen(), clock=time.time, kiosk_id="k-7")
        assert gate.admit(payload, topic_req=command.req).name == "restart_ui"
        mosquitto.stop()
        assert wait_for(lambda: not channel.connected)
        with pytest.raises(CommandNotSent, match="not connected to the fleet's broker"):
            issue_command(commanding, OPERATOR, "k-7", "sync_now", {})
    finally:
        channel.stop()
