"""The technician PIN, kept only as a salted scrypt hash in the settings (`technician.pin_hash`).

The stored form is `scrypt$<n>$<r>$<p>$<salt, base64>$<hash, base64>`: the cost parameters travel
with the hash, so raising them later does not lock out kiosks provisioned earlier.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from kiosk.digits import ascii_digits

#: scrypt cost: 2**15 x 8 x 1 takes ~50-100 ms and 32 MiB on a kiosk's CPU, for each guess.
_N, _R, _P = 2**15, 8, 1
_SALT_BYTES = 16
_HASH_BYTES = 32
#: Shortest PIN accepted: the lockout after wrong guesses is what makes a short PIN acceptable.
MIN_PIN_LENGTH = 6


class PinFormatError(ValueError):
    """A PIN that may not be set, or a stored hash that is not in the scrypt$... form."""


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    """The stored form of a new PIN; refuses PINs that are too short or not all digits."""
    if not ascii_digits(pin):
        raise PinFormatError("the technician PIN must be digits only")
    if len(pin) < MIN_PIN_LENGTH:
        raise PinFormatError(f"the technician PIN must have at least {MIN_PIN_LENGTH} digits")
    salt = secrets.token_bytes(_SALT_BYTES) if salt is None else salt
    digest = _scrypt(pin, salt, _N, _R, _P)
    return "$".join(("scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)))


def verify_pin(pin: str, stored: str) -> bool:
    """Whether `pin` is the PIN whose hash is `stored` (False when no PIN is set)."""
    if not stored:
        return False
    scheme, n, r, p, salt, digest = _parse(stored)
    if scheme != "scrypt":
        raise PinFormatError(f"unknown PIN hash scheme {scheme!r}")
    candidate = _scrypt(pin, base64.b64decode(salt), n, r, p)
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def is_pin_hash(stored: str) -> bool:
    """Whether `stored` has the form of a PIN hash (the settings validator uses it)."""
    try:
        scheme, *_ = _parse(stored)
    except PinFormatError:
        return False
    return scheme == "scrypt"


def _parse(stored: str) -> tuple[str, int, int, int, str, str]:
    parts = stored.split("$")
    if len(parts) != 6:
        raise PinFormatError("a PIN hash looks like scrypt$n$r$p$salt$hash")
    scheme, n, r, p, salt, digest = parts
    if not all(ascii_digits(cost) for cost in (n, r, p)):
        raise PinFormatError("malformed PIN hash: its cost parameters n, r, p must be digits 0-9")
    try:
        base64.b64decode(salt, validate=True)
        base64.b64decode(digest, validate=True)
        return scheme, int(n), int(r), int(p), salt, digest
    except ValueError as error:
        raise PinFormatError(f"malformed PIN hash: {error}") from error


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    memory = 2 * 128 * n * r * p
    return hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, maxmem=memory, dklen=_HASH_BYTES)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
