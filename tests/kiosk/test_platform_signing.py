"""The gateway's request signature, as both the kiosk and the simulator compute it."""

from __future__ import annotations

import hashlib

import pytest

from kiosk.platform.signing import (
    ALG,
    BODY,
    NONCE,
    SIGNATURE,
    SIGNED_HEADERS,
    TIMESTAMP,
    Signer,
    UnsupportedAlgorithm,
    digest,
    signature_matches,
)

#: GB/T 32905-2016's first example: SM3("abc").
SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_the_two_hashes_are_the_standard_ones() -> None:
    assert digest("SM3", b"abc") == SM3_ABC
    assert digest("SHA256", b"") == hashlib.sha256(b"").hexdigest()


@pytest.mark.parametrize("alg", ["SHA256", "SM3"])
def test_a_request_is_signed_as_the_contract_says(alg: str) -> None:
    signer = Signer("kiosk-paas", "s3cret", alg, clock=lambda: 1_700_000_000.9, nonces=lambda: "ab" * 16)  # type: ignore[arg-type]
    body = b'{"method":"id_card"}'
    headers = signer.headers(body)
    assert tuple(headers) == SIGNED_HEADERS
    assert headers[TIMESTAMP] == "1700000000" and headers[NONCE] == "ab" * 16 and headers[ALG] == alg
    assert headers[BODY] == digest(alg, body)
    signed = f"1700000000s3cret{'ab' * 16}{digest(alg, body)}1700000000".encode()
    assert headers[SIGNATURE] == digest(alg, signed)
    assert "s3cret" not in "".join(headers.values())


def test_the_gateway_refuses_a_changed_body_a_wrong_token_or_a_missing_header() -> None:
    headers = Signer("kiosk-paas", "s3cret", "SM3").headers(b"{}")
    assert signature_matches(headers, b"{}", "s3cret")
    assert not signature_matches(headers, b"{ }", "s3cret")
    assert not signature_matches(headers, b"{}", "other")
    assert not signature_matches({**headers, TIMESTAMP: str(int(headers[TIMESTAMP]) + 1)}, b"{}", "s3cret")
    assert not signature_matches({k: v for k, v in headers.items() if k != NONCE}, b"{}", "s3cret")
    assert not signature_matches({**headers, ALG: "MD5"}, b"{}", "s3cret")


def test_nonces_are_fresh_and_the_token_never_shows() -> None:
    signer = Signer("kiosk-paas", "s3cret")
    nonces = {signer.headers(b"")[NONCE] for _ in range(200)}
    assert len(nonces) == 200 and all(len(nonce) == 32 for nonce in nonces)
    assert "s3cret" not in repr(signer) and "s3cret" not in str(signer)


def test_an_unknown_algorithm_is_named() -> None:
    with pytest.raises(UnsupportedAlgorithm, match="'MD5'"):
        digest("MD5", b"")
