"""The platform adapter against a real HTTP gateway on loopback: signed calls, refusals, failures,
deadlines and retries, each observed on the server's side."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import time
import tracemalloc
from email.utils import formatdate
from pathlib import Path

import pytest

from kiosk.platform.gateway import MAX_ANSWER_BYTES, RESIDENT_TOKEN, HttpGateway
from kiosk.platform.port import (
    BadAnswer,
    ClockSkew,
    PlatformRefused,
    PlatformTimeout,
    PlatformUnavailable,
    RateLimited,
    ServicePlatform,
    SignatureRejected,
)
from kiosk.platform.records import Document, PlatformSession, Service
from kiosk.platform.signing import SIGNED_HEADERS, Signer
from tests.platform_gateway import (
    PAAS_ID,
    TOKEN,
    GatewayServer,
    Reply,
    Request,
    closed_port,
    self_signed_certificate,
)

SERVICES = [
    {
        "id": "si.certificate",
        "name": "社保参保证明",
        "name_en": "Social insurance certificate",
        "level": "card",
        "kind": "document",
    },
    {"id": "case.progress", "name": "办件进度", "name_en": "Case progress", "level": "none", "kind": "case"},
]
CASE = {
    "case_no": "WH2026120700123",
    "service_name": "个体工商户设立登记",
    "status": "审查中",
    "stages": [
        {"name": "受理", "at": "2026-12-01T09:30:00+08:00", "done": True},
        {"name": "审查", "at": "", "done": False},
    ],
    "rateable": False,
}
PDF = b"%PDF-1.7\n% a certificate\n%%EOF\n"


def document_answer(content: bytes = PDF, sha256: str | None = None) -> dict[str, object]:
    return {
        "document": {
            "file_name": "参保缴费证明.pdf",
            "media_type": "application/pdf",
            "content_base64": base64.b64encode(content).decode(),
            "sha256": sha256 or hashlib.sha256(content).hexdigest(),
            "verify_code": "V-8F3K-22QX",
            "verify_url": "https://verify.example.gov.cn/V-8F3K-22QX",
            "pages": 1,
        }
    }


SESSION = PlatformSession("resident-token-1", "card", expires=1e12)


def test_the_adapter_is_the_port() -> None:
    assert isinstance(HttpGateway("http://127.0.0.1:1", Signer("p", "t")), ServicePlatform)


@pytest.mark.parametrize("alg", ["SHA256", "SM3"])
def test_services_come_signed_and_in_the_platforms_order(alg: str) -> None:
    with GatewayServer(lambda request: Reply.ok(SERVICES)) as server:
        offered = server.gateway(alg=alg).services()
    assert [service.id for service in offered] == ["si.certificate", "case.progress"]
    assert offered[0] == Service(
        "si.certificate", "社保参保证明", "Social insurance certificate", "card", "document"
    )
    (request,) = server.requests
    assert (
        request.signed and request.headers["X-Tif-Alg"] == alg and request.headers["X-Tif-Paasid"] == PAAS_ID
    )
    assert all(name in request.headers for name in SIGNED_HEADERS)
    assert RESIDENT_TOKEN not in request.headers  # the services list needs no resident
    assert TOKEN not in str(request.headers)


def test_a_session_is_opened_with_the_contracts_body_and_used_then_closed() -> None:
    def answer(request: Request) -> Reply:
        if request.path == "/v1/auth/session" and request.method == "POST":
            return Reply.ok({"token": "rt-42", "expires_in": 300, "level": "face"})
        if request.path == "/v1/si/certificate":
            return Reply.ok(document_answer())
        return Reply.ok({})

    with GatewayServer(answer) as server:
        gateway = server.gateway()
        before = time.monotonic()
        session = gateway.open_session(
            "sscard", "370102199001011234", "张三", card_no="A1234567", face_jpeg=b"\xff\xd8jpeg"
        )
        document = gateway.certificate(session, "si.certificate", {"from": "2026-01", "to": "2026-11"})
        gateway.close_session(session)
    assert session.level == "face" and session.resident_token == "rt-42"
    assert before + 299 < session.expires < time.monotonic() + 301
    assert "rt-42" not in repr(session)
    opened, fetched, closed = server.requests
    assert json.loads(opened.body) == {
        "method": "sscard",
        "id_number": "370102199001011234",
        "name": "张三",
        "card_no": "A1234567",
        "face": {"image_jpeg_base64": base64.b64encode(b"\xff\xd8jpeg").decode()},
    }
    assert RESIDENT_TOKEN not in opened.headers
    assert fetched.headers[RESIDENT_TOKEN] == "rt-42" and json.loads(fetched.body) == {
        "from": "2026-01",
        "to": "2026-11",
    }
    assert (closed.method, closed.path, closed.headers[RESIDENT_TOKEN]) == (
        "DELETE",
        "/v1/auth/session",
        "rt-42",
    )
    assert document == Document(
        "参保缴费证明.pdf",
        "application/pdf",
        PDF,
        hashlib.sha256(PDF).hexdigest(),
        "V-8F3K-22QX",
        "https://verify.example.gov.cn/V-8F3K-22QX",
        1,
    )
    assert "PDF" not in repr(document)


def test_a_case_is_asked_with_its_query_code_and_parsed() -> None:
    with GatewayServer(lambda request: Reply.ok(CASE)) as server:
        found = server.gateway().case("WH2026120700123", "8842")
    (request,) = server.requests
    assert (request.path, request.query) == ("/v1/cases/WH2026120700123", {"query_code": ["8842"]})
    assert found.status == "审查中" and [stage.done for stage in found.stages] == [True, False]


def test_a_document_whose_digest_does_not_match_is_a_bad_answer() -> None:
    answer = document_answer(sha256=hashlib.sha256(b"another file").hexdigest())
    with GatewayServer(lambda request: Reply.ok(answer)) as server, pytest.raises(BadAnswer, match="sha256"):
        server.gateway().certificate(SESSION, "si.certificate", {})


@pytest.mark.parametrize(
    "code", ["NOT_FOUND", "CODE_MISMATCH", "NO_RECORD", "SLOT_TAKEN", "FACE_REQUIRED", "SESSION_EXPIRED"]
)
@pytest.mark.parametrize("status", [200, 404])
def test_a_refusal_carries_the_platforms_code_and_message_as_given(code: str, status: int) -> None:
    message = f"您好，{code} 的说明。"
    reply = Reply.envelope(code, message, status=status)
    with GatewayServer(lambda request: reply) as server, pytest.raises(PlatformRefused) as refused:
        server.gateway().case("WH1", "0000")
    assert (refused.value.code, refused.value.message) == (code, message)
    assert len(server.requests) == 1  # a refusal is an answer: never retried


def test_a_wrong_token_is_a_rejected_signature() -> None:
    with (
        GatewayServer(lambda request: Reply.ok(SERVICES)) as server,
        pytest.raises(SignatureRejected) as rejected,
    ):
        server.gateway(token="not-the-token").services()
    assert rejected.value.code == "BAD_SIGNATURE" and len(server.requests) == 1


def test_a_reused_nonce_is_a_rejected_signature() -> None:
    reply = Reply.envelope("NONCE_REUSED", "请求重复", status=401)
    with GatewayServer(lambda request: reply) as server, pytest.raises(SignatureRejected) as rejected:
        server.gateway().services()
    assert rejected.value.code == "NONCE_REUSED"


def test_a_skewed_clock_is_named_with_the_seconds_off() -> None:
    ahead = formatdate(time.time() + 420, usegmt=True)
    reply = Reply(401, Reply.envelope("TIMESTAMP_SKEW", "时间戳超出范围").body, {"Date": ahead})
    with GatewayServer(lambda request: reply) as server, pytest.raises(ClockSkew) as skew:
        server.gateway().services()
    assert skew.value.seconds is not None and 418 <= skew.value.seconds <= 421
    assert "kiosk clock is 4" in str(skew.value) and "s off" in str(skew.value)


def test_a_401_without_an_envelope_is_still_a_rejected_signature() -> None:
    reply = Reply(401, b"<html>nope</html>")
    with GatewayServer(lambda request: reply) as server, pytest.raises(SignatureRejected):
        server.gateway().services()


def test_a_5xx_is_retried_for_a_read_and_ends_unavailable() -> None:
    with GatewayServer(lambda request: Reply(503, b"busy")) as server, pytest.raises(PlatformUnavailable):
        server.gateway(timeout=5).services()
    assert len(server.requests) == 3


def test_a_5xx_then_an_answer_is_a_success() -> None:
    replies = iter([Reply(502, b""), Reply.ok(SERVICES)])
    with GatewayServer(lambda request: next(replies)) as server:
        assert len(server.gateway().services()) == 2
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    ("call", "retried"),
    [
        (lambda gateway: gateway.open_session("id_card", "370102199001011234", "张三"), False),
        (lambda gateway: gateway.certificate(SESSION, "hf.certificate", {}), False),
        (lambda gateway: gateway.close_session(SESSION), True),
        (lambda gateway: gateway.case("WH1", "1"), True),
        (lambda gateway: gateway.submit_rating({"rating_id": "r-1", "level": 5}), True),
    ],
    ids=["session", "document", "close session", "case", "rating"],
)
def test_only_idempotent_calls_are_retried(call, retried: bool) -> None:  # type: ignore[no-untyped-def]
    with GatewayServer(lambda request: Reply(500, b"")) as server, pytest.raises(PlatformUnavailable):
        call(server.gateway(timeout=5))
    assert len(server.requests) == (3 if retried else 1)
    # Each attempt is signed afresh: a repeated nonce would be refused by the gateway.
    assert len({request.headers["X-Tif-Nonce"] for request in server.requests}) == len(server.requests)
    assert all(request.signed for request in server.requests)


def test_retries_fit_inside_the_steps_deadline() -> None:
    with GatewayServer(lambda request: Reply(503, b"", delay=0.9)) as server:
        started = time.monotonic()
        with pytest.raises((PlatformUnavailable, PlatformTimeout)):
            server.gateway(timeout=2).services()
        elapsed = time.monotonic() - started
    assert elapsed <= 2 + 0.4, elapsed
    assert len(server.requests) == 2  # a third attempt had no time left: it was not started


def test_a_rating_is_accepted_once_sent() -> None:
    with GatewayServer(lambda request: Reply.ok({"accepted": True})) as server:
        server.gateway().submit_rating({"rating_id": "r-1", "level": 4})
    assert server.requests[0].path == "/v1/ratings"


def test_rate_limiting_waits_when_retry_after_fits_the_step() -> None:
    replies = iter([Reply(429, b"", {"Retry-After": "1"}), Reply.ok(SERVICES)])
    with GatewayServer(lambda request: next(replies)) as server:
        started = time.monotonic()
        server.gateway(timeout=4).services()
    assert time.monotonic() - started >= 1 and len(server.requests) == 2


def test_rate_limiting_beyond_the_step_ends_it_at_once() -> None:
    with GatewayServer(lambda request: Reply(429, b"", {"Retry-After": "30"})) as server:
        started = time.monotonic()
        with pytest.raises(RateLimited) as limited:
            server.gateway(timeout=3).services()
    assert limited.value.retry_after == 30 and time.monotonic() - started < 1 and len(server.requests) == 1


def test_a_refused_connection_is_unavailable_within_the_step() -> None:
    gateway = HttpGateway(f"http://127.0.0.1:{closed_port()}", Signer(PAAS_ID, TOKEN), timeout=2)
    started = time.monotonic()
    with pytest.raises(PlatformUnavailable, match="cannot connect"):
        gateway.services()
    assert time.monotonic() - started < 2.5


@pytest.mark.timeout(30)
@pytest.mark.parametrize("path", ["services", "case"])
def test_an_answer_dripped_byte_by_byte_ends_the_step_at_its_deadline(path: str) -> None:
    body = Reply.ok(SERVICES if path == "services" else CASE).body
    with GatewayServer(lambda request: Reply(200, body, drip=0.05)) as server:
        gateway = server.gateway(timeout=1.5)
        started = time.monotonic()
        with pytest.raises(PlatformTimeout):
            gateway.services() if path == "services" else gateway.case("WH1", "1")
        elapsed = time.monotonic() - started
    assert 1.4 <= elapsed <= 1.5 + 0.5, elapsed
    assert len(server.requests) == 1  # no time left for another attempt


def test_a_huge_answer_is_refused_without_reading_it_all() -> None:
    with GatewayServer(lambda request: Reply(200, stream_bytes=200 * MAX_ANSWER_BYTES)) as server:
        gateway = server.gateway(timeout=10)
        started = time.monotonic()
        tracemalloc.start()
        try:
            with pytest.raises(BadAnswer, match="too large"):
                gateway.services()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert time.monotonic() - started < 5
    assert peak < 4 * MAX_ANSWER_BYTES, peak  # 200 MiB sent: at most the cap and a chunk held


def test_tls_is_verified_and_a_site_ca_bundle_is_honoured(tmp_path: Path) -> None:
    certificate, key = self_signed_certificate(tmp_path)
    with GatewayServer(lambda request: Reply.ok(SERVICES), tls=(certificate, key)) as server:
        with pytest.raises(PlatformUnavailable, match="TLS"):
            server.gateway(timeout=3).services()
        assert len(server.gateway(timeout=3, ca_bundle=str(certificate)).services()) == 2
    assert len(server.requests) == 1  # the unverified gateway never saw the signed request


def test_a_declared_huge_answer_is_refused_before_its_body() -> None:
    reply = Reply(200, b"{}", {"Content-Length": str(50 * MAX_ANSWER_BYTES)})
    with GatewayServer(lambda request: reply) as server, pytest.raises(BadAnswer, match="too large"):
        server.gateway(timeout=3).services()


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe",
        b"[]",
        b'{"msg": "ok"}',
        b'{"code": 0, "data": []}',
        b'{"code": "0"}',
        b'{"code": "0", "data": {}}',
    ],
)
def test_malformed_answers_are_bad_answers(body: bytes) -> None:
    with GatewayServer(lambda request: Reply(200, body)) as server, pytest.raises(BadAnswer):
        server.gateway().services()
    assert len(server.requests) == 1  # garbage is not retried


def test_logs_name_the_call_with_the_case_masked_and_never_the_resident(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def answer(request: Request) -> Reply:
        if request.path == "/v1/auth/session":
            return Reply.ok({"token": "rt-secret", "expires_in": 300, "level": "card"})
        return Reply.ok(CASE)

    with GatewayServer(answer) as server:
        gateway = server.gateway()
        with caplog.at_level(logging.DEBUG):
            gateway.case("WH2026120700123", "8842")
            session = gateway.open_session("id_card", "370102199001011234", "张三")
            gateway.close_session(session)
    text = caplog.text
    assert "GET /v1/cases/WH20****23 -> 200" in text and "POST /v1/auth/session -> 200" in text
    for secret in ("WH2026120700123", "8842", TOKEN, "query_code", "370102199001011234", "张三", "rt-secret"):
        assert secret not in text
    assert TOKEN not in repr(gateway)
