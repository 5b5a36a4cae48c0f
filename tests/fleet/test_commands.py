"""Signed commands: only a command key's signature, live and new, is admitted; each refusal says why."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from kiosk.fleet.commands import (
    CommandGate,
    CommandName,
    CommandRefused,
    canonical_bytes,
    new_command_key,
    private_key_from_text,
    private_key_text,
    public_key_text,
    sign_command,
)
from kiosk.fleet.store import FleetStore, MemoryFleetStore

NOW = 1_800_000_000.0


@pytest.fixture
def key():  # type: ignore[no-untyped-def]
    return new_command_key()


def gate_for(*keys: object, store: object = None) -> CommandGate:
    texts = [public_key_text(k) for k in keys]  # type: ignore[arg-type]
    return CommandGate(lambda: texts, store or MemoryFleetStore(), clock=lambda: NOW)  # type: ignore[arg-type]


def raw(command: dict[str, object]) -> bytes:
    return json.dumps(command).encode()


def refusal(gate: CommandGate, data: bytes, topic_req: str | None = None) -> str:
    with pytest.raises(CommandRefused) as refused:
        gate.admit(data, topic_req)
    return str(refused.value)


def test_a_signed_live_new_command_is_admitted(key) -> None:  # type: ignore[no-untyped-def]
    command = sign_command(key, "logs", {"lines": 5}, now=NOW, req="r1")
    admitted = gate_for(key).admit(raw(command), "r1")
    assert (admitted.req, admitted.name, admitted.args) == ("r1", CommandName.LOGS, {"lines": 5})


def test_the_signature_covers_the_contracts_canonical_form(key) -> None:  # type: ignore[no-untyped-def]
    command = sign_command(key, "blank", now=NOW, req="r2")
    expected = json.dumps(
        {k: v for k, v in command.items() if k != "sig"},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()
    assert canonical_bytes(command) == expected
    key.public_key().verify(base64.b64decode(command["sig"]), expected)


def test_unsigned_wrongly_signed_and_tampered_commands_are_refused_for_their_signature(key) -> None:  # type: ignore[no-untyped-def]
    gate = gate_for(key)
    unsigned = sign_command(key, "blank", now=NOW)
    del unsigned["sig"]
    assert refusal(gate, raw(unsigned)) == "signature: the command is not signed"
    stranger = sign_command(new_command_key(), "blank", now=NOW)
    assert refusal(gate, raw(stranger)).startswith("signature: not signed by a command key")
    tampered = sign_command(key, "logs", {"lines": 5}, now=NOW)
    tampered["command"] = "reboot"
    assert refusal(gate, raw(tampered)).startswith("signature:")
    later = sign_command(key, "blank", now=NOW)
    later["expires_at"] += 3000
    assert refusal(gate, raw(later)).startswith("signature:")


def test_a_signed_command_copied_onto_another_topic_is_refused(key) -> None:  # type: ignore[no-untyped-def]
    command = sign_command(key, "blank", now=NOW, req="mine")
    assert refusal(gate_for(key), raw(command), "other") == "signature: the topic's req is not the signed one"


def test_a_kiosk_without_command_keys_refuses_everything(key) -> None:  # type: ignore[no-untyped-def]
    gate = CommandGate(lambda: [], MemoryFleetStore(), clock=lambda: NOW)
    assert refusal(gate, raw(sign_command(key, "blank", now=NOW))).startswith("signature: this kiosk has no")


def test_expired_future_and_long_lived_commands_are_refused(key) -> None:  # type: ignore[no-untyped-def]
    gate = gate_for(key)
    assert refusal(gate, raw(sign_command(key, "blank", ttl=60, now=NOW - 120))).startswith(
        "expired: 60 s ago"
    )
    assert refusal(gate, raw(sign_command(key, "blank", now=NOW + 3600))).startswith(
        "expired: issued in the future"
    )
    assert refusal(gate, raw(sign_command(key, "blank", ttl=7200, now=NOW))).startswith(
        "expired: a command may live"
    )


def test_a_replayed_command_is_refused_even_after_a_restart(key, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    command = raw(sign_command(key, "blank", now=NOW))
    store = FleetStore(tmp_path / "state.db")
    gate_for(key, store=store).admit(command)
    assert refusal(gate_for(key, store=store), command) == "replayed: this command was received before"
    store.close()
    reopened = FleetStore(tmp_path / "state.db")
    assert refusal(gate_for(key, store=reopened), command) == "replayed: this command was received before"
    reopened.close()


def test_an_unknown_command_is_refused_by_name(key) -> None:  # type: ignore[no-untyped-def]
    assert (
        refusal(gate_for(key), raw(sign_command(key, "format_disk", now=NOW)))
        == "unknown command: 'format_disk'"
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xff\xfe", "malformed: not a JSON object"),
        (b"[1, 2]", "malformed: not a JSON object"),
        (b'{"req": "a"}', "malformed: missing command, args, issued_at, expires_at"),
        (
            b'{"req": "a/b", "command": "blank", "args": {}, "issued_at": 1, "expires_at": 2}',
            "malformed: req must be",
        ),
        (
            b'{"req": "a", "command": "blank", "args": [], "issued_at": 1, "expires_at": 2}',
            "malformed: command must be text and args an object",
        ),
        (
            b'{"req": "a", "command": "blank", "args": {}, "issued_at": "1", "expires_at": 2}',
            "malformed: issued_at must be a number",
        ),
    ],
)
def test_malformed_commands_are_refused_saying_what_is_wrong(key, data: bytes, reason: str) -> None:  # type: ignore[no-untyped-def]
    assert refusal(gate_for(key), data).startswith(reason)


def test_a_command_key_round_trips_through_its_text(key) -> None:  # type: ignore[no-untyped-def]
    again = private_key_from_text(private_key_text(key) + "\n")
    assert public_key_text(again) == public_key_text(key)
    assert len(base64.b64decode(public_key_text(key))) == 32
    with pytest.raises(ValueError, match="not an Ed25519 private key"):
        private_key_from_text("c2hvcnQ=")


def test_a_command_signed_for_one_kiosk_is_refused_by_every_other(key) -> None:  # type: ignore[no-untyped-def]
    texts = [public_key_text(key)]
    mine = CommandGate(lambda: texts, MemoryFleetStore(), clock=lambda: NOW, kiosk_id="wh-0001")
    other = CommandGate(lambda: texts, MemoryFleetStore(), clock=lambda: NOW, kiosk_id="wh-0002")
    command = raw(sign_command(key, "reboot", now=NOW, kiosk="wh-0001"))
    assert refusal(other, command) == "signature: signed for another kiosk ('wh-0001')"
    assert mine.admit(command).name is CommandName.REBOOT
    # Naming the kiosk is signed: changing it breaks the signature.
    moved = sign_command(key, "reboot", now=NOW, kiosk="wh-0001")
    moved["kiosk"] = "wh-0002"
    assert refusal(other, raw(moved)).startswith("signature: not signed by a command key")


def test_a_command_that_cannot_be_serialised_is_refused_as_malformed(key) -> None:  # type: ignore[no-untyped-def]
    lone_surrogate = (
        b'{"req": "a", "command": "logs", "args": {"x": "\\ud800"}, "issued_at": 1, "expires_at": 2}'
    )
    assert refusal(gate_for(key), lone_surrogate) == "malformed: not valid Unicode text"


def test_a_command_whose_times_are_not_finite_is_refused(key) -> None:  # type: ignore[no-untyped-def]
    endless = b'{"req": "a", "command": "logs", "args": {}, "issued_at": NaN, "expires_at": 2e12}'
    assert refusal(gate_for(key), endless) == "malformed: issued_at must be a number (Unix seconds)"
    forever = b'{"req": "a", "command": "logs", "args": {}, "issued_at": 1, "expires_at": Infinity}'
    assert refusal(gate_for(key), forever) == "malformed: expires_at must be a number (Unix seconds)"


def test_a_command_is_judged_by_when_it_arrived(key) -> None:  # type: ignore[no-untyped-def]
    command = raw(sign_command(key, "logs", ttl=60, now=NOW - 50))
    # It arrived live; it waited behind a long sync before it was looked at.
    assert gate_for(key).admit(command, now=NOW - 10).name is CommandName.LOGS


def test_a_command_nested_too_deep_or_with_an_impossible_number_is_malformed(key) -> None:  # type: ignore[no-untyped-def]
    assert refusal(gate_for(key), b"[" * 5000) == "malformed: not a JSON object"
    huge = b'{"req": "a", "command": "logs", "args": {}, "issued_at": 1, "expires_at": 1' + b"0" * 400 + b"}"
    assert refusal(gate_for(key), huge) == "malformed: expires_at must be a number (Unix seconds)"
