"""The kiosk's gateway and `kiosk platform` commands against the platform simulator: the two sides
of the contract were written apart (kiosk/platform/gateway.py, kiosk/platform/simulator.py) and
must agree on the signature, the envelope and the answers."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.platform.gateway import MAX_DOCUMENT_BYTES, HttpGateway
from kiosk.platform.port import PlatformRefused, PlatformUnavailable, SignatureRejected
from kiosk.platform.signing import Signer
from kiosk.platform.sim_data import CASES
from kiosk.platform.sim_documents import pdf_page_count
from kiosk.platform.simulator import DEMO_PAAS_ID, DEMO_TOKEN, PlatformSimulator

CARDS = Path(__file__).resolve().parents[2] / "config" / "demo" / "cards"
RESIDENT = json.loads((CARDS / "resident.json").read_text(encoding="utf-8"))


def gateway(simulator: PlatformSimulator, alg: str = "SHA256", token: str = DEMO_TOKEN) -> HttpGateway:
    return HttpGateway(simulator.url, Signer(DEMO_PAAS_ID, token, alg), timeout=3)  # type: ignore[arg-type]


def run(tmp_path: Path, simulator: PlatformSimulator, *args: str, token: str = DEMO_TOKEN) -> tuple[int, str]:
    site = tmp_path / "kiosk.toml"
    site.write_text(
        f'[platform]\nurl = "{simulator.url}"\npaas_id = "{DEMO_PAAS_ID}"\ntoken = "{token}"\ntimeout = 3\n',
        encoding="utf-8",
    )
    env = {"KIOSK_CONFIG": str(site), "KIOSK_DATA_DIR": str(tmp_path / "data")}
    result = CliRunner().invoke(main, ["platform", *args], env=env)
    assert not result.exception or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.mark.parametrize("alg", ["SHA256", "SM3"])
def test_the_simulator_accepts_the_kiosks_signature_and_lists_its_services(
    simulator: PlatformSimulator, alg: str
) -> None:
    services = gateway(simulator, alg).services()
    assert [service.id for service in services] == simulator.services
    assert all(service.name and service.name_en for service in services)


def test_a_wrong_token_is_a_rejected_signature(simulator: PlatformSimulator) -> None:
    with pytest.raises(SignatureRejected):
        gateway(simulator, token="not-the-token").services()


def test_a_resident_gets_a_certificate_whose_digest_the_kiosk_checked(simulator: PlatformSimulator) -> None:
    platform = gateway(simulator)
    session = platform.open_session("id_card", RESIDENT["id_number"], RESIDENT["name"])
    try:
        document = platform.certificate(session, "si.certificate", {"from": "2026-01", "to": "2026-10"})
    finally:
        platform.close_session(session)
    assert document.content.startswith(b"%PDF") and document.pages >= 1 and document.verify_code
    with pytest.raises(PlatformRefused) as refused:  # the session ended: its token no longer works
        platform.certificate(session, "si.certificate", {"from": "2026-01", "to": "2026-10"})
    assert refused.value.code == "SESSION_EXPIRED" and refused.value.message


def test_a_500_page_document_fits_the_cap_and_says_its_pages(simulator: PlatformSimulator) -> None:
    # The desk refuses to print past platform.max_pages; the adapter's part is to fetch the document
    # whole, digest-checked, within MAX_DOCUMENT_BYTES, and to say its pages truly.
    simulator.document_pages = 500
    platform = gateway(simulator)
    session = platform.open_session("id_card", RESIDENT["id_number"], RESIDENT["name"])
    try:
        document = platform.certificate(session, "si.certificate", {"from": "2026-01", "to": "2026-10"})
        licence = platform.print_licence(session, "LIC-DEMO-0001", "办理业务")
    finally:
        platform.close_session(session)
    for each in (document, licence):
        assert each.pages == 500 and len(each.content) < MAX_DOCUMENT_BYTES
        assert pdf_page_count(each.content) == 500
    assert document.file_name == "si-certificate.pdf"


def test_a_rating_is_accepted_once_however_often_it_is_sent(simulator: PlatformSimulator) -> None:
    rating = {
        "rating_id": str(uuid.uuid4()),
        "terminal_id": "kiosk-test",
        "channel": "self_service_terminal",
        "subject": {"kind": "terminal", "id": "kiosk-test"},
        "level": 5,
        "reasons": [],
        "comment": "",
        "rated_at": "2026-12-07T10:00:00+08:00",
        "phone": None,
    }
    platform = gateway(simulator)
    platform.submit_rating(rating)
    platform.submit_rating(rating)
    assert [received["rating_id"] for received in simulator.ratings] == [rating["rating_id"]]


def test_a_platform_that_is_down_is_unavailable(simulator: PlatformSimulator) -> None:
    simulator.down = "503"
    with pytest.raises(PlatformUnavailable):
        gateway(simulator).services()


def test_the_commands_against_the_simulator(tmp_path: Path, simulator: PlatformSimulator) -> None:
    assert run(tmp_path, simulator, "check")[0] == 0
    code, output = run(tmp_path, simulator, "services", "--json")
    assert code == 0 and [service["id"] for service in json.loads(output)] == simulator.services
    case = CASES[0]
    code, output = run(tmp_path, simulator, "case", case.case_no, "--query-code", case.query_code, "--json")
    assert code == 0 and json.loads(output)["case_no"] == case.case_no
    assert run(tmp_path, simulator, "case", case.case_no, "--query-code", "000000")[0] == 4
    assert run(tmp_path, simulator, "case", "WH0000000000000", "--query-code", "123456")[0] == 3
    code, output = run(tmp_path, simulator, "check", token="not-the-token")
    assert code == 1 and "signature rejected" in output
    simulator.down = "503"
    assert run(tmp_path, simulator, "case", case.case_no, "--query-code", case.query_code)[0] == 1
