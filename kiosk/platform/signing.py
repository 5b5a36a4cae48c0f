"""The gateway's request signature: the headers both the kiosk and the simulator compute.

Every request carries the kiosk's paas id, a timestamp, a nonce, the digest of the exact body bytes
and a signature over them with the kiosk's secret token (the gateway contract, "Transport and signing"):

    X-Tif-Signature = hex(ALG(timestamp + token + nonce + body_digest + timestamp))

ALG is SHA-256 or SM3, the national hash, which Python's hashlib takes from OpenSSL: no hash is
written here. The token never leaves this module in a header; only digests of it do.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

Algorithm = Literal["SHA256", "SM3"]
ALGORITHMS: tuple[Algorithm, ...] = ("SHA256", "SM3")
_HASHLIB_NAMES: dict[Algorithm, str] = {"SHA256": "sha256", "SM3": "sm3"}

PAAS_ID = "X-Tif-Paasid"
TIMESTAMP = "X-Tif-Timestamp"
NONCE = "X-Tif-Nonce"
BODY = "X-Tif-Body"
ALG = "X-Tif-Alg"
SIGNATURE = "X-Tif-Signature"
#: The headers a signed request carries, in the order the contract lists them.
SIGNED_HEADERS = (PAAS_ID, TIMESTAMP, NONCE, BODY, ALG, SIGNATURE)


class UnsupportedAlgorithm(ValueError):
    """The hash is not SHA256 or SM3, or this machine's OpenSSL has no SM3."""


def digest(alg: str, data: bytes) -> str:
    """Lowercase hex digest of `data` with `alg` ("SHA256" or "SM3")."""
    name = _HASHLIB_NAMES.get(alg)  # type: ignore[call-overload]
    if name is None:
        raise UnsupportedAlgorithm(f"unknown signature algorithm {alg!r} (SHA256 or SM3)")
    try:
        return hashlib.new(name, data).hexdigest()
    except ValueError as error:  # hashlib: "unsupported hash type"
        raise UnsupportedAlgorithm(f"{alg} is not available in this machine's OpenSSL: {error}") from error


def signature(alg: str, timestamp: str, token: str, nonce: str, body_digest: str) -> str:
    """The signature of one request (see the module's docstring)."""
    return digest(alg, f"{timestamp}{token}{nonce}{body_digest}{timestamp}".encode())


@dataclass(frozen=True)
class Signer:
    """Signs the kiosk's requests: its paas id, its secret token, the site's hash."""

    paas_id: str
    token: str
    alg: Algorithm = "SHA256"
    clock: Callable[[], float] = time.time
    nonces: Callable[[], str] = lambda: secrets.token_hex(16)

    def headers(self, body: bytes) -> dict[str, str]:
        """The headers of a request with exactly these body bytes (b"" for none)."""
        timestamp = str(int(self.clock()))
        nonce = self.nonces()
        body_digest = digest(self.alg, body)
        return {
            PAAS_ID: self.paas_id,
            TIMESTAMP: timestamp,
            NONCE: nonce,
            BODY: body_digest,
            ALG: self.alg,
            SIGNATURE: signature(self.alg, timestamp, self.token, nonce, body_digest),
        }

    def __repr__(self) -> str:  # the token is a secret: never in a log line or a traceback
        return f"Signer(paas_id={self.paas_id!r}, alg={self.alg!r}, token=<hidden>)"


def signature_matches(headers: Mapping[str, str], body: bytes, token: str) -> bool:
    """Whether a request's headers sign exactly `body` with `token` (the gateway's check; the
    timestamp and nonce rules are the gateway's own). Compared in constant time."""
    try:
        alg = headers[ALG]
        body_digest = digest(alg, body)
        expected = signature(alg, headers[TIMESTAMP], token, headers[NONCE], body_digest)
    except (KeyError, UnsupportedAlgorithm):
        return False
    return hmac.compare_digest(headers.get(BODY, ""), body_digest) and hmac.compare_digest(
        headers.get(SIGNATURE, ""), expected
    )
