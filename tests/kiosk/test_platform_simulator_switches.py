"""The platform simulator's switches (slow, down, refusing, rate-limited), from Python and from
`kiosk sim platform`, started as a real process and stopped by its PID."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.platform.signing import Signer
from kiosk.platform.simulator import DEMO_PAAS_ID, DEMO_TOKEN, PlatformSimulator
from tests.platform_sim import PlatformClient, simulator_daemon


@pytest.fixture
def platform() -> Iterator[PlatformSimulator]:
    with PlatformSimulator() as simulator:
        yield simulator


@pytest.fixture
def client(platform: PlatformSimulator) -> PlatformClient:
    return PlatformClient(platform.url)


def test_slow_delays_every_answer(platform: PlatformSimulator, client: PlatformClient) -> None:
    platform.slow = 0.3
    started = time.monotonic()
    assert client.call("GET", "/v1/services").status_code == 200
    assert time.monotonic() - started >= 0.3
    platform.slow = 0
    started = time.monotonic()
    assert client.call("GET", "/v1/services").status_code == 200
    assert time.monotonic() - started < 0.3


def test_down_answers_503_and_comes_back(platform: PlatformSimulator, client: PlatformClient) -> None:
    platform.down = "503"
    answer = client.call("GET", "/v1/services")
    assert answer.status_code == 503 and answer.json()["code"] == "UNAVAILABLE" and answer.json()["msg"]
    platform.down = None
    assert client.call("GET", "/v1/services").status_code == 200


def test_down_can_drop_the_connection_unanswered(platform: PlatformSimulator, client: PlatformClient) -> None:
    platform.down = "close"
    with pytest.raises(requests.ConnectionError):
        client.call("GET", "/v1/services")


def test_refusing_signatures_refuses_a_good_one(platform: PlatformSimulator, client: PlatformClient) -> None:
    platform.refuse_signatures = True
    answer = client.call("GET", "/v1/services")
    assert answer.status_code == 401 and answer.json()["code"] == "BAD_SIGNATURE"


def test_rate_limited_answers_429_with_retry_after(
    platform: PlatformSimulator, client: PlatformClient
) -> None:
    platform.retry_after = 7
    answer = client.call("GET", "/v1/services")
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "7"
    assert answer.json()["code"] == "RATE_LIMITED"


def test_garbage_json_cuts_every_answer(platform: PlatformSimulator, client: PlatformClient) -> None:
    platform.garbage = "json"
    answer = client.call("GET", "/v1/services")
    assert answer.status_code == 200 and answer.content.startswith(b'{"code": "0"')
    with pytest.raises(json.JSONDecodeError):
        json.loads(answer.content)


def test_garbage_digest_spoils_a_documents_sha256(
    platform: PlatformSimulator, client: PlatformClient
) -> None:
    platform.garbage = "digest"
    token = client.sign_in(face=True)
    document = client.data("POST", "/v1/hf/certificate", {}, resident_token=token)["document"]
    pdf = base64.b64decode(document["content_base64"])
    assert pdf.startswith(b"%PDF-") and document["sha256"] != hashlib.sha256(pdf).hexdigest()
    assert client.data("GET", "/v1/services")  # answers without a document are untouched


def test_document_pages_makes_every_document_that_long(
    platform: PlatformSimulator, client: PlatformClient
) -> None:
    platform.document_pages = 500
    token = client.sign_in(face=True)
    document = client.data("POST", "/v1/hf/certificate", {}, resident_token=token)["document"]
    pdf = base64.b64decode(document["content_base64"])
    assert document["pages"] == 500 and document["sha256"] == hashlib.sha256(pdf).hexdigest()
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    first = subprocess.run(["pdftotext", "-l", "1", "-", "-"], input=pdf, capture_output=True, check=True)
    assert "Pages: 500" in " ".join(info.split()) and document["verify_code"] in first.stdout.decode()
    assert document["file_name"] == "hf-certificate.pdf"
    platform.document_pages = None
    assert client.data("POST", "/v1/hf/certificate", {}, resident_token=token)["document"]["pages"] == 1


def test_trickle_sends_the_body_byte_by_byte(platform: PlatformSimulator, client: PlatformClient) -> None:
    platform.trickle = 0.005
    started = time.monotonic()
    # A read timeout longer than the gap between two bytes never fires: only a deadline stops this.
    answer = client.call("GET", "/v1/no-such-call", timeout=0.5)
    assert answer.json()["code"] == "NOT_FOUND" and len(answer.content) > 60
    assert time.monotonic() - started >= 0.005 * len(answer.content)


def test_an_unknown_service_id_is_listed_as_given(
    platform: PlatformSimulator, client: PlatformClient
) -> None:
    platform.services.insert(0, "xx.unknown")
    listed = client.data("GET", "/v1/services")
    assert listed[0] == {
        "id": "xx.unknown",
        "name": "xx.unknown",
        "name_en": "xx.unknown",
        "level": "card",
        "kind": "query",
    }
    assert listed[1]["id"] == "si.records"


def test_the_switches_can_be_set_at_start() -> None:
    with PlatformSimulator(slow=0.2, retry_after=3) as platform:
        started = time.monotonic()
        answer = PlatformClient(platform.url).call("GET", "/v1/services")
        assert answer.status_code == 429 and time.monotonic() - started >= 0.2
    with PlatformSimulator(down="503") as platform:
        assert PlatformClient(platform.url).call("GET", "/v1/services").status_code == 503


def test_the_token_is_not_in_the_simulators_repr() -> None:
    with PlatformSimulator(token="a-site-secret") as platform:
        assert "a-site-secret" not in repr(platform) and "a-site-secret" not in repr(platform.gateway)


# -- kiosk sim platform -------------------------------------------------------------------------


def test_the_command_serves_the_contract_and_shows_no_token(tmp_path: Path) -> None:
    daemon, url = simulator_daemon(tmp_path / "sim.log")
    with daemon:
        answer = PlatformClient(url).call("GET", "/v1/services")
        assert answer.status_code == 200 and answer.json()["code"] == "0", daemon.tail()
        refused = PlatformClient(url, Signer(DEMO_PAAS_ID, "not-the-token")).call("GET", "/v1/services")
        assert refused.status_code == 401, daemon.tail()
    output = (tmp_path / "sim.log").read_text()
    assert url in output and f"paas id: {DEMO_PAAS_ID}" in output, output
    assert DEMO_TOKEN not in output and "GET /v1/services 200" in output, output


def test_the_command_takes_a_token_file_and_its_switches(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("site-token-123\n")
    daemon, url = simulator_daemon(
        tmp_path / "sim.log",
        "--paas-id",
        "site-kiosk",
        "--token-file",
        str(token_file),
        "--rate-limited",
        "5",
    )
    with daemon:
        answer = PlatformClient(url, Signer("site-kiosk", "site-token-123")).call("GET", "/v1/services")
        assert answer.status_code == 429 and answer.headers["Retry-After"] == "5", daemon.tail()
    output = (tmp_path / "sim.log").read_text()
    assert "paas id: site-kiosk" in output and "site-token-123" not in output, output


def test_the_command_can_start_down_refusing_or_answering_garbage(tmp_path: Path) -> None:
    daemon, url = simulator_daemon(tmp_path / "down.log", "--down")
    with daemon:
        assert PlatformClient(url).call("GET", "/v1/services").status_code == 503, daemon.tail()
    daemon, url = simulator_daemon(tmp_path / "refusing.log", "--refuse-signatures", "--slow", "0.2")
    with daemon:
        started = time.monotonic()
        assert PlatformClient(url).call("GET", "/v1/services").status_code == 401, daemon.tail()
        assert time.monotonic() - started >= 0.2
    daemon, url = simulator_daemon(tmp_path / "garbage.log", "--garbage", "json", "--trickle", "0.001")
    with daemon:
        answer = PlatformClient(url).call("GET", "/v1/services")
        assert answer.status_code == 200 and not answer.content.endswith(b"}"), daemon.tail()
    daemon, url = simulator_daemon(tmp_path / "long.log", "--document-pages", "500")
    with daemon:
        client = PlatformClient(url)
        token = client.sign_in()
        months = {"from": "2026-01", "to": "2026-10"}
        answer = client.data("POST", "/v1/si/certificate", months, resident_token=token)
        assert answer["document"]["pages"] == 500, daemon.tail()


def test_the_command_says_why_it_cannot_start(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        busy = CliRunner().invoke(main, ["sim", "platform", "--port", port])
    assert busy.exit_code == 1 and f"cannot listen on 127.0.0.1:{port}" in busy.output, busy.output
    token_file = tmp_path / "token"
    token_file.write_text("t\n")
    both = CliRunner().invoke(main, ["sim", "platform", "--token", "t", "--token-file", str(token_file)])
    assert both.exit_code == 2 and "not both" in both.output, both.output
    token_file.write_text("\n")
    empty = CliRunner().invoke(main, ["sim", "platform", "--token-file", str(token_file)])
    assert empty.exit_code == 2 and "holds no token" in empty.output, empty.output


def test_a_client_that_gives_up_on_a_slow_answer_is_no_error(
    simulator: PlatformSimulator, capfd: pytest.CaptureFixture[str]
) -> None:
    import socket
    import time

    simulator.slow = 0.3
    with socket.create_connection(("127.0.0.1", simulator.port)) as client:
        client.sendall(b"GET /v1/services HTTP/1.1\r\nHost: x\r\n\r\n")
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    time.sleep(0.6)  # the answer is written to a closed connection
    assert "Traceback" not in capfd.readouterr().err
