"""The administrators' command line on the live channel: a command key, one signed command and its
result, what every kiosk last said; against a real mosquitto and a kiosk's real link and gate."""

from __future__ import annotations

import base64
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.fleet.commands import CommandGate, CommandRefused, private_key_from_text, public_key_text
from kiosk.fleet.forms import encode, result_error, result_ok
from kiosk.fleet.link import Backoff, FleetLink, ThreadDriver
from kiosk.fleet.store import MemoryFleetStore
from tests.fleet.console import Console
from tests.fleet.test_link import fleet_settings
from tests.mosquitto import PrivateMosquitto


class Responder:
    """A kiosk's link and gate that answers `logs` with two lines."""

    def __init__(self, broker: PrivateMosquitto, kiosk_id: str, keys: list[str]) -> None:
        store = MemoryFleetStore()
        self.gate = CommandGate(lambda: keys, store)
        self.link = FleetLink(kiosk_id, fleet_settings(broker.url), store, on_command=self.answer)
        self.link.publish_reported(
            {"screen": "attract", "devices": {"printer": {"state": "stopped", "reasons": ["media-empty"]}}}
        )
        self.driver = ThreadDriver(self.link, Backoff(first=0.2, cap=0.5))
        self.driver.start()
        assert self.link.wait_connected(10)

    def answer(self, req: str, raw: bytes) -> None:
        try:
            command = self.gate.admit(raw, req)
        except CommandRefused as refused:
            self.link.publish_result(req, result_error(req, str(refused)))
            return
        self.link.publish_result(
            req,
            result_ok(
                req, {"lines": ["12:00:00 INFO one", "12:00:01 INFO two"][-command.args.get("lines", 2) :]}
            ),
        )


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "command.key"
    result = CliRunner().invoke(main, ["fleet", "command-key", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def responder(mosquitto: PrivateMosquitto, key_file: Path) -> Iterator[Responder]:
    public = public_key_text(private_key_from_text(key_file.read_text()))
    kiosk = Responder(mosquitto, "wh-0042", [public])
    yield kiosk
    kiosk.driver.stop()


def test_a_command_key_is_private_printed_public_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "command.key"
    first = CliRunner().invoke(main, ["fleet", "command-key", str(path)])
    assert first.exit_code == 0, first.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    public = public_key_text(private_key_from_text(path.read_text()))
    assert f"public key:  {public}" in first.output
    assert f'command_keys = ["{public}"]' in first.output
    assert len(base64.b64decode(public)) == 32
    before = path.read_text()
    again = CliRunner().invoke(main, ["fleet", "command-key", str(path)])
    assert again.exit_code == 1 and "never overwritten" in again.output
    assert path.read_text() == before


def test_a_signed_command_is_answered_and_its_result_printed(
    mosquitto: PrivateMosquitto, key_file: Path, responder: Responder
) -> None:
    result = CliRunner().invoke(
        main,
        [
            "fleet",
            "command",
            "wh-0042",
            "logs",
            "--lines",
            "1",
            "--key",
            str(key_file),
            "--broker",
            mosquitto.url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["12:00:01 INFO two"]


def test_a_refused_command_exits_1_with_the_kiosks_reason(
    mosquitto: PrivateMosquitto, tmp_path: Path, responder: Responder
) -> None:
    stranger = tmp_path / "stranger.key"
    assert CliRunner().invoke(main, ["fleet", "command-key", str(stranger)]).exit_code == 0
    result = CliRunner().invoke(
        main, ["fleet", "command", "wh-0042", "blank", "--key", str(stranger), "--broker", mosquitto.url]
    )
    assert result.exit_code == 1
    assert "wh-0042 did not carry out blank: signature: not signed by a command key" in result.output


def test_no_result_from_a_kiosk_that_never_reported_says_so(
    mosquitto: PrivateMosquitto, key_file: Path
) -> None:
    result = CliRunner().invoke(
        main,
        [
            "fleet",
            "command",
            "wh-nobody",
            "blank",
            "--key",
            str(key_file),
            "--broker",
            mosquitto.url,
            "--timeout",
            "1",
        ],
    )
    assert result.exit_code == 1
    assert "no result from wh-nobody within 1 s (its status: never seen)" in result.output


def test_status_lists_each_kiosk_with_its_state_screen_and_printer(
    mosquitto: PrivateMosquitto, responder: Responder
) -> None:
    result = CliRunner().invoke(main, ["fleet", "status", "--broker", mosquitto.url])
    assert result.exit_code == 0, result.output
    (line,) = result.output.splitlines()
    assert line.startswith("wh-0042")
    assert "online" in line and "session 1" in line and "screen attract" in line
    assert "printer stopped (media-empty)" in line


def test_an_unreachable_broker_is_said_plainly(key_file: Path) -> None:
    result = CliRunner().invoke(main, ["fleet", "status", "--broker", "mqtt://127.0.0.1:1"])
    assert result.exit_code == 1
    assert "cannot reach the broker at 127.0.0.1:1" in result.output
    bad = CliRunner().invoke(main, ["fleet", "status", "--broker", "http://x"])
    assert bad.exit_code == 2 and "mqtt://host:port" in bad.output


def test_the_bytes_on_the_wire_are_compact_json() -> None:
    assert encode({"a": "中", "b": 1}) == '{"a":"中","b":1}'.encode()


def test_one_kiosks_malformed_status_does_not_hide_the_others(
    mosquitto: PrivateMosquitto, responder: Responder
) -> None:
    garbage = Console(mosquitto.port)
    try:
        garbage.client.publish(
            "kiosk/v1/wh-0007/status", b'{"state": ["x"], "session": {}, "at": "now"}', qos=1, retain=True
        ).wait_for_publish(5)
        garbage.client.publish(
            "kiosk/v1/wh-0008/reported",
            b'{"devices": {"printer": "broken"}, "screen": null}',
            qos=1,
            retain=True,
        ).wait_for_publish(5)
        garbage.client.publish(
            "kiosk/v1/wh-0009/status", b'{"state": "lost", "session": 3, "at": 1e300}', qos=1, retain=True
        ).wait_for_publish(5)
    finally:
        garbage.close()
    result = CliRunner().invoke(main, ["fleet", "status", "--broker", mosquitto.url])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert set(lines) == {"wh-0007", "wh-0008", "wh-0009", "wh-0042"}
    assert " ? " in lines["wh-0007"] and "since ?" in lines["wh-0007"]
    assert "printer ?" in lines["wh-0008"] and "since ?" in lines["wh-0009"]
    assert "online" in lines["wh-0042"]


@pytest.mark.parametrize("target", ["+", "#", "wh/0001", ""])
def test_a_command_to_a_topic_wildcard_is_refused_before_anything_is_sent(
    key_file: Path, target: str
) -> None:
    result = CliRunner().invoke(
        main, ["fleet", "command", target, "reboot", "--key", str(key_file), "--broker", "mqtt://127.0.0.1:1"]
    )
    assert result.exit_code == 2
    assert "never a topic wildcard" in result.output


def test_bad_broker_addresses_and_key_paths_are_said_plainly(tmp_path: Path) -> None:
    for address in ("mqtt://[::1", "mqtt://host:port", "mqtt://"):
        result = CliRunner().invoke(main, ["fleet", "status", "--broker", address])
        assert result.exit_code == 2 and "mqtt://host:port" in result.output, (address, result.output)
    nowhere = CliRunner().invoke(main, ["fleet", "command-key", str(tmp_path / "no" / "such" / "k")])
    assert nowhere.exit_code == 1
    assert "No such file or directory" in nowhere.output and "Traceback" not in nowhere.output
