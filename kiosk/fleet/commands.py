"""Signed commands: their canonical bytes, signing (the console's side) and admission (the kiosk's).

A command is `{"req", "command", "args", "issued_at", "expires_at", "sig"}`; `sig` is the base64
Ed25519 signature of the same object without `sig`, serialised by `canonical_bytes`. A kiosk admits
a command only when a key of its signed configuration (`fleet.command_keys`) signed it, it has not
expired and it was never seen before: a broker taken over cannot command kiosks.

A command may also name its kiosk (`"kiosk": id`, signed with the rest); then every other kiosk
refuses it, so that a broker cannot copy a command meant for one kiosk onto all of them. Our tools
always name it (`sign_command(..., kiosk=...)`); a command without it is valid on any kiosk whose
keys signed it, once each, until it expires.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

#: The fields of a command besides `sig`, all required.
FIELDS = ("req", "command", "args", "issued_at", "expires_at")
#: The longest a command may live (expires_at - issued_at): a signed command is not a standing order.
MAX_LIFETIME = 3600.0
#: How far ahead of the kiosk's clock a command may say it was issued (the clocks of two machines).
MAX_CLOCK_SKEW = 300.0
#: A req is a short token: it is part of the topics.
_REQ_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")


class CommandName(StrEnum):
    """The commands a kiosk carries out."""

    SYNC_NOW = "sync_now"
    RESTART_UI = "restart_ui"
    SCREENSHOT = "screenshot"
    BLANK = "blank"
    UNBLANK = "unblank"
    LOGS = "logs"
    REBOOT = "reboot"


@dataclass(frozen=True)
class Command:
    """An admitted command."""

    req: str
    name: CommandName
    args: dict[str, Any]
    issued_at: float
    expires_at: float


class CommandRefused(Exception):
    """The command is not carried out; the message is the result's `error`, starting with the
    contract's word: `malformed`, `signature`, `expired`, `replayed`, `unknown command`, `busy`."""


class SeenCommands(Protocol):
    """Where a kiosk remembers the commands it admitted, until they expire (kiosk.fleet.store)."""

    def remember_command(self, req: str, expires_at: float, now: float) -> bool:
        """Remember `req`; False when it was seen before (a replay)."""
        ...


def canonical_bytes(fields: dict[str, Any]) -> bytes:
    """The bytes a signature covers: the command without `sig`, sorted, compact, UTF-8."""
    unsigned = {key: value for key, value in fields.items() if key != "sig"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def new_req() -> str:
    """A fresh, unguessable request id."""
    return secrets.token_hex(12)


def sign_command(
    key: Ed25519PrivateKey,
    command: str,
    args: dict[str, Any] | None = None,
    *,
    ttl: float = 120.0,
    now: float | None = None,
    req: str | None = None,
    kiosk: str | None = None,
) -> dict[str, Any]:
    """A command signed with `key`, valid for `ttl` seconds from `now`, for `kiosk` only when
    given (then no other kiosk admits it)."""
    issued = time.time() if now is None else now
    fields: dict[str, Any] = {
        "req": req or new_req(),
        "command": command,
        "args": args or {},
        "issued_at": int(issued),
        "expires_at": int(issued + ttl),
    }
    if kiosk is not None:
        fields["kiosk"] = kiosk
    fields["sig"] = base64.b64encode(key.sign(canonical_bytes(fields))).decode()
    return fields


def new_command_key() -> Ed25519PrivateKey:
    """A new Ed25519 command key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate()


def private_key_text(key: Ed25519PrivateKey) -> str:
    """The private key as the base64 of its 32 raw bytes (what `kiosk fleet command-key` writes)."""
    from cryptography.hazmat.primitives import serialization

    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode()


def private_key_from_text(text: str) -> Ed25519PrivateKey:
    """A private key from `private_key_text`'s form; ValueError when it is not one."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    raw = _b64(text.strip())
    if len(raw) != 32:
        raise ValueError("not an Ed25519 private key (base64 of 32 bytes)")
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_key_text(key: Ed25519PrivateKey) -> str:
    """The public half as `fleet.command_keys` holds it: the base64 of its 32 raw bytes."""
    from cryptography.hazmat.primitives import serialization

    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def public_keys(texts: Sequence[str]) -> list[Ed25519PublicKey]:
    """`fleet.command_keys` as keys (the settings checked their form)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    return [Ed25519PublicKey.from_public_bytes(_b64(text)) for text in texts]


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return b""


class CommandGate:
    """Admits a command only when it is well formed, signed by a command key, live and new."""

    def __init__(
        self,
        keys: Callable[[], Sequence[str]],
        seen: SeenCommands,
        clock: Callable[[], float] = time.time,
        kiosk_id: str | None = None,
    ) -> None:
        #: The command keys in force now (they change with the configuration).
        self._keys = keys
        #: This kiosk: a command naming another one is refused.
        self._kiosk_id = kiosk_id
        self._seen = seen
        self._clock = clock

    def admit(self, raw: bytes, topic_req: str | None = None, now: float | None = None) -> Command:
        """The command in `raw`, or CommandRefused saying why. `topic_req` is the req in the topic
        it came on: a signed command copied onto another topic is refused. `now`: when it arrived
        (it may wait behind another command before it is admitted); by default the clock's now."""
        fields = _parse(raw)
        self._check_signature(fields)
        req = fields["req"]
        if topic_req is not None and topic_req != req:
            raise CommandRefused("signature: the topic's req is not the signed one")
        target = fields.get("kiosk")
        if target is not None and self._kiosk_id is not None and target != self._kiosk_id:
            raise CommandRefused(f"signature: signed for another kiosk ({str(target)[:64]!r})")
        now = self._clock() if now is None else now
        issued, expires = float(fields["issued_at"]), float(fields["expires_at"])
        if expires <= now:
            raise CommandRefused(f"expired: {now - expires:.0f} s ago")
        if issued > now + MAX_CLOCK_SKEW:
            raise CommandRefused("expired: issued in the future (is a clock wrong?)")
        if expires - issued > MAX_LIFETIME:
            raise CommandRefused(f"expired: a command may live {MAX_LIFETIME:.0f} s at most")
        if not self._seen.remember_command(req, expires, now):
            raise CommandRefused("replayed: this command was received before")
        try:
            name = CommandName(fields["command"])
        except ValueError:
            raise CommandRefused(f"unknown command: {str(fields['command'])[:40]!r}") from None
        return Command(req, name, dict(fields["args"]), issued, expires)

    def _check_signature(self, fields: dict[str, Any]) -> None:
        from cryptography.exceptions import InvalidSignature

        texts = list(self._keys())
        if not texts:
            raise CommandRefused("signature: this kiosk has no command keys (fleet.command_keys)")
        sig = fields.get("sig")
        if not isinstance(sig, str) or not sig:
            raise CommandRefused("signature: the command is not signed")
        signature = _b64(sig)
        message = canonical_bytes(fields)
        for key in public_keys(texts):
            try:
                key.verify(signature, message)
            except InvalidSignature:
                continue
            return
        raise CommandRefused("signature: not signed by a command key of this kiosk, or changed after signing")


def _parse(raw: bytes) -> dict[str, Any]:
    try:
        fields = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise CommandRefused("malformed: not a JSON object") from None
    if not isinstance(fields, dict):
        raise CommandRefused("malformed: not a JSON object")
    missing = [name for name in FIELDS if name not in fields]
    if missing:
        raise CommandRefused(f"malformed: missing {', '.join(missing)}")
    req = fields["req"]
    if not isinstance(req, str) or not 1 <= len(req) <= 64 or not set(req) <= _REQ_CHARS:
        raise CommandRefused("malformed: req must be 1-64 letters, digits, '_', '-' or '.'")
    if not isinstance(fields["command"], str) or not isinstance(fields["args"], dict):
        raise CommandRefused("malformed: command must be text and args an object")
    for name in ("issued_at", "expires_at"):
        value = fields[name]
        if not isinstance(value, int | float) or isinstance(value, bool) or not _finite(value):
            raise CommandRefused(f"malformed: {name} must be a number (Unix seconds)")
    if "kiosk" in fields and not isinstance(fields["kiosk"], str):
        raise CommandRefused("malformed: kiosk must be text")
    try:
        canonical_bytes(fields)
    except UnicodeEncodeError:
        raise CommandRefused("malformed: not valid Unicode text") from None
    return fields


def _finite(value: float) -> bool:
    """A number a clock can hold (not NaN, not infinite, not an integer past any float)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False
