"""The platform simulator speaks the gateway contract: the signature checks, the resident's session,
every endpoint with its refusals, and its data matching the demo cards (real server, real HTTP)."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.platform import signing
from kiosk.platform.signing import Signer
from kiosk.platform.sim_data import CASES, RESIDENTS, SERVICES
from kiosk.platform.sim_gateway import MESSAGES
from kiosk.platform.simulator import DEMO_PAAS_ID, DEMO_PORT, DEMO_TOKEN, PlatformSimulator, masked_path
from tests.platform_sim import CARDS, FACE_JPEG_BASE64, PlatformClient

CASE_DONE = ("WH2026110700001", "482913")
A_MONDAY = "2026-12-14"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "platform-simulator.md"


@pytest.fixture
def platform() -> Iterator[PlatformSimulator]:
    with PlatformSimulator() as simulator:
        yield simulator


@pytest.fixture
def client(platform: PlatformSimulator) -> PlatformClient:
    return PlatformClient(platform.url)


def card(name: str) -> dict[str, str]:
    fields: dict[str, str] = json.loads((CARDS / name).read_text(encoding="utf-8"))
    return fields


def refused(answer_status: int, envelope: dict[str, object], code: str) -> None:
    assert envelope["code"] == code, envelope
    assert isinstance(envelope["msg"], str) and any("\u4e00" <= ch <= "\u9fff" for ch in envelope["msg"])
    assert envelope["data"] is None


# -- signature, timestamp, nonce ----------------------------------------------------------------


@pytest.mark.parametrize("alg", ["SHA256", "SM3"])
def test_a_signed_request_is_answered_with_either_hash(client: PlatformClient, alg: str) -> None:
    client.signer = Signer(DEMO_PAAS_ID, DEMO_TOKEN, alg)  # type: ignore[arg-type]
    assert [service["id"] for service in client.data("GET", "/v1/services")][:2] == [
        "si.records",
        "si.certificate",
    ]


@pytest.mark.parametrize("header", signing.SIGNED_HEADERS)
def test_a_request_missing_a_signature_header_is_refused(client: PlatformClient, header: str) -> None:
    headers = client.signer.headers(b"")
    del headers[header]
    answer = client.http.get(client.url + "/v1/services", headers=headers, timeout=5)
    assert answer.status_code == 401
    refused(answer.status_code, answer.json(), "BAD_SIGNATURE")


@pytest.mark.parametrize(
    "signer",
    [Signer(DEMO_PAAS_ID, "another-token"), Signer("another-kiosk", DEMO_TOKEN)],
    ids=["wrong token", "wrong paas id"],
)
def test_a_wrong_token_or_paas_id_is_refused(client: PlatformClient, signer: Signer) -> None:
    client.signer = signer
    answer = client.call("GET", "/v1/services")
    assert answer.status_code == 401
    refused(401, answer.json(), "BAD_SIGNATURE")


def test_a_body_changed_after_signing_is_refused(client: PlatformClient) -> None:
    body = json.dumps({"kind": "terminal"}).encode()
    headers = client.signer.headers(body)
    answer = client.http.post(client.url + "/v1/ratings", data=body + b" ", headers=headers, timeout=5)
    assert answer.status_code == 401 and answer.json()["code"] == "BAD_SIGNATURE"


@pytest.mark.parametrize("offset", [-301, 301, -900, 3600])
def test_a_clock_more_than_300_s_off_either_way_is_refused(client: PlatformClient, offset: int) -> None:
    import time

    client.signer = Signer(DEMO_PAAS_ID, DEMO_TOKEN, clock=lambda: time.time() + offset)
    answer = client.call("GET", "/v1/services")
    assert answer.status_code == 401
    refused(401, answer.json(), "TIMESTAMP_SKEW")


@pytest.mark.parametrize("offset", [-290, 290])
def test_a_clock_within_300_s_is_accepted(client: PlatformClient, offset: int) -> None:
    import time

    client.signer = Signer(DEMO_PAAS_ID, DEMO_TOKEN, clock=lambda: time.time() + offset)
    assert client.data("GET", "/v1/services")


def test_a_nonce_is_accepted_once(client: PlatformClient) -> None:
    headers = client.signer.headers(b"")
    first = client.http.get(client.url + "/v1/services", headers=headers, timeout=5)
    again = client.http.get(client.url + "/v1/services", headers=headers, timeout=5)
    assert first.status_code == 200 and again.status_code == 401
    refused(401, again.json(), "NONCE_REUSED")


def test_a_refused_signature_does_not_spend_the_nonce(client: PlatformClient) -> None:
    headers = client.signer.headers(b"")
    forged = {**headers, signing.SIGNATURE: "0" * 64}
    assert client.http.get(client.url + "/v1/services", headers=forged, timeout=5).status_code == 401
    assert client.http.get(client.url + "/v1/services", headers=headers, timeout=5).status_code == 200


def test_header_names_are_case_insensitive(client: PlatformClient) -> None:
    headers = {name.lower(): value for name, value in client.signer.headers(b"").items()}
    assert client.http.get(client.url + "/v1/services", headers=headers, timeout=5).status_code == 200


def test_an_unknown_path_or_a_malformed_body_gets_an_envelope(client: PlatformClient) -> None:
    unknown = client.call("GET", "/v1/nothing-here")
    assert unknown.status_code == 404 and unknown.json()["code"] == "NOT_FOUND"
    headers = client.signer.headers(b"{not json")
    broken = client.http.post(client.url + "/v1/auth/session", data=b"{not json", headers=headers, timeout=5)
    assert broken.status_code == 400 and broken.json()["code"] == "BAD_REQUEST"


# -- services -----------------------------------------------------------------------------------


def test_services_are_listed_in_order_with_their_fields(client: PlatformClient) -> None:
    services = client.data("GET", "/v1/services")
    assert [service["id"] for service in services] == [
        "si.records", "si.certificate", "hf.account", "hf.certificate", "re.certificate", "lic.list",
        "lic.print", "case.progress", "appt.slots", "appt.book", "appt.cancel",
    ]  # fmt: skip
    for service in services:
        assert set(service) == {"id", "name", "name_en", "level", "kind"}
        assert service["level"] in {"none", "card", "face"}
        assert service["kind"] in {"query", "document", "booking", "case"}
    levels = {service["id"]: service["level"] for service in services}
    assert levels["si.certificate"] == "card" and levels["hf.account"] == "face"
    assert levels["case.progress"] == "none"


def test_a_service_switched_off_is_not_listed_and_not_served(
    platform: PlatformSimulator, client: PlatformClient
) -> None:
    platform.services.remove("case.progress")
    platform.services.reverse()
    listed = [service["id"] for service in client.data("GET", "/v1/services")]
    assert "case.progress" not in listed and listed[0] == "appt.cancel" and listed[-1] == "si.records"
    answer = client.call("GET", f"/v1/cases/{CASE_DONE[0]}?query_code={CASE_DONE[1]}").json()
    refused(200, answer, "SERVICE_OFF")


# -- the resident's session ---------------------------------------------------------------------


def test_each_demo_id_card_signs_its_resident_in(client: PlatformClient) -> None:
    for name in (
        "resident.json",
        "resident_long_term.json",
        "hk_mo_tw.json",
        "foreign_2017.json",
        "foreign_2023.json",
    ):
        fields = card(name)
        body = {"method": "id_card", "id_number": fields["id_number"], "name": fields["name"], "face": None}
        session = client.data("POST", "/v1/auth/session", body)
        assert session["expires_in"] == 300 and session["level"] == "card" and len(session["token"]) >= 32, (
            name
        )


def test_the_demo_social_security_card_signs_its_resident_in(client: PlatformClient) -> None:
    sscard = card("sscard.json")
    body = {
        "method": "sscard",
        "id_number": sscard["ss_number"],
        "name": sscard["name"],
        "card_no": sscard["card_number"],
        "face": None,
    }
    assert client.data("POST", "/v1/auth/session", body)["level"] == "card"
    wrong_card = client.call("POST", "/v1/auth/session", {**body, "card_no": "W99999999"}).json()
    refused(200, wrong_card, "IDENTITY_MISMATCH")


def test_a_resident_code_signs_its_resident_in(client: PlatformClient) -> None:
    body = {"method": "resident_code", "code": "RC:DEMO0000000000000001", "face": None}
    token = client.data("POST", "/v1/auth/session", body)["token"]
    assert client.data("GET", "/v1/si/records?from=2026-01&to=2026-01", resident_token=token)["records"]
    unknown = client.call("POST", "/v1/auth/session", {**body, "code": "RC:DEMO9999999999999999"}).json()
    refused(200, unknown, "NO_RECORD")


def test_a_face_picture_makes_the_level_face(platform: PlatformSimulator, client: PlatformClient) -> None:
    fields = card("resident.json")
    body = {
        "method": "id_card",
        "id_number": fields["id_number"],
        "name": fields["name"],
        "face": {"image_jpeg_base64": FACE_JPEG_BASE64},
    }
    assert client.data("POST", "/v1/auth/session", body)["level"] == "face"
    not_a_jpeg = {**body, "face": {"image_jpeg_base64": base64.b64encode(b"GIF89a").decode()}}
    assert client.call("POST", "/v1/auth/session", not_a_jpeg).status_code == 400
    platform.gateway.reject_faces = True
    refused(200, client.call("POST", "/v1/auth/session", body).json(), "FACE_MISMATCH")


def test_an_unknown_person_or_a_wrong_name_is_refused(client: PlatformClient) -> None:
    fields = card("resident.json")
    unknown = {"method": "id_card", "id_number": "110101199003070035", "name": "演示无名", "face": None}
    refused(200, client.call("POST", "/v1/auth/session", unknown).json(), "NO_RECORD")
    wrong_name = {"method": "id_card", "id_number": fields["id_number"], "name": "演示他人", "face": None}
    refused(200, client.call("POST", "/v1/auth/session", wrong_name).json(), "IDENTITY_MISMATCH")
    assert client.call("POST", "/v1/auth/session", {**wrong_name, "method": "fingerprint"}).status_code == 400


def test_a_closed_expired_or_missing_session_answers_session_expired(
    platform: PlatformSimulator, client: PlatformClient
) -> None:
    token = client.sign_in()
    assert client.data("DELETE", "/v1/auth/session", resident_token=token) == {"closed": True}
    after_close = client.call("GET", "/v1/licences", resident_token=token).json()
    refused(200, after_close, "SESSION_EXPIRED")
    refused(200, client.call("GET", "/v1/licences").json(), "SESSION_EXPIRED")
    token = client.sign_in()
    platform.expire_sessions()
    refused(200, client.call("GET", "/v1/licences", resident_token=token).json(), "SESSION_EXPIRED")


# -- social insurance, housing fund, real estate ------------------------------------------------


def test_social_insurance_records_by_month(client: PlatformClient) -> None:
    token = client.sign_in()
    data = client.data("GET", "/v1/si/records?from=2026-01&to=2026-03", resident_token=token)
    records = data["records"]
    assert {record["month"] for record in records} == {"2026-01", "2026-02", "2026-03"}
    assert set(records[0]) == {"month", "insurance", "base", "paid", "employer"}
    assert {record["insurance"] for record in records} >= {"职工基本养老保险", "职工基本医疗保险"}
    assert all("虚构" in record["employer"] for record in records)
    pension = next(r for r in records if r["insurance"] == "职工基本养老保险")
    assert pension["base"] == "6800.00" and pension["paid"] == "544.00"


def test_social_insurance_records_refusals(client: PlatformClient) -> None:
    token = client.sign_in()
    before_work = client.call("GET", "/v1/si/records?from=2001-01&to=2001-12", resident_token=token)
    refused(200, before_work.json(), "NO_RECORD")
    for query in ("from=2026-03&to=2026-01", "from=2026-13&to=2026-14", "to=2026-01"):
        assert client.call("GET", f"/v1/si/records?{query}", resident_token=token).status_code == 400, query
    nothing = client.sign_in("foreign_2017.json")
    refused(
        200,
        client.call("GET", "/v1/si/records?from=2020-01&to=2026-11", resident_token=nothing).json(),
        "NO_RECORD",
    )


def assert_a_real_pdf(document: dict[str, object], tmp_path: Path) -> bytes:
    assert document["media_type"] == "application/pdf"
    pdf = base64.b64decode(str(document["content_base64"]), validate=True)
    assert pdf.startswith(b"%PDF-")
    assert document["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert str(document["verify_url"]).endswith(str(document["verify_code"])) and document["verify_code"]
    assert str(document["file_name"]).endswith(".pdf")
    path = tmp_path / str(document["file_name"])
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(rf"^Pages:\s+{document['pages']}$", info, re.MULTILINE), info
    return pdf


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_social_insurance_certificate_is_a_real_pdf(client: PlatformClient, tmp_path: Path) -> None:
    token = client.sign_in()
    body = {"from": "2023-01", "to": "2026-11"}
    document = client.data("POST", "/v1/si/certificate", body, resident_token=token)["document"]
    pdf = assert_a_real_pdf(document, tmp_path)
    assert document["pages"] >= 2  # 47 months of three insurances
    text = pdf_text(pdf, tmp_path)
    assert (
        "参保缴费证明" in text and "演示居民" in text and "虚构" in text and document["verify_code"] in text
    )


def test_the_housing_fund_account_needs_a_face(client: PlatformClient) -> None:
    card_level = client.sign_in()
    refused(200, client.call("GET", "/v1/hf/account", resident_token=card_level).json(), "FACE_REQUIRED")
    refused(
        200, client.call("POST", "/v1/hf/certificate", {}, resident_token=card_level).json(), "FACE_REQUIRED"
    )
    account = client.data("GET", "/v1/hf/account", resident_token=client.sign_in(face=True))
    assert account["balance"] == "35820.50" and account["monthly_deposit"] == "1632.00"
    assert account["state"] == "正常缴存"
    no_fund = client.sign_in("resident_long_term.json", face=True)
    refused(200, client.call("GET", "/v1/hf/account", resident_token=no_fund).json(), "NO_RECORD")


def test_the_housing_fund_certificate(client: PlatformClient, tmp_path: Path) -> None:
    token = client.sign_in(face=True)
    document = client.data("POST", "/v1/hf/certificate", {}, resident_token=token)["document"]
    assert "住房公积金缴存证明" in pdf_text(assert_a_real_pdf(document, tmp_path), tmp_path)


def test_real_estate_certificates(client: PlatformClient, tmp_path: Path) -> None:
    owner = client.sign_in("resident_long_term.json", face=True)
    holdings = client.data("POST", "/v1/re/certificate", {"kind": "holdings"}, resident_token=owner)
    assert "演示路3号" in pdf_text(assert_a_real_pdf(holdings["document"], tmp_path), tmp_path)
    refused(
        200,
        client.call("POST", "/v1/re/certificate", {"kind": "none_held"}, resident_token=owner).json(),
        "NOT_ELIGIBLE",
    )
    tenant = client.sign_in(face=True)
    none_held = client.data("POST", "/v1/re/certificate", {"kind": "none_held"}, resident_token=tenant)
    assert "无房证明" in pdf_text(assert_a_real_pdf(none_held["document"], tmp_path), tmp_path)
    refused(
        200,
        client.call("POST", "/v1/re/certificate", {"kind": "holdings"}, resident_token=tenant).json(),
        "NO_RECORD",
    )
    assert (
        client.call("POST", "/v1/re/certificate", {"kind": "castle"}, resident_token=tenant).status_code
        == 400
    )


# -- licences -----------------------------------------------------------------------------------


def test_licences_are_listed_and_printed_with_the_purpose(client: PlatformClient, tmp_path: Path) -> None:
    token = client.sign_in()
    licences = client.data("GET", "/v1/licences", resident_token=token)["licences"]
    assert [licence["id"] for licence in licences] == ["LIC-DEMO-0001", "LIC-DEMO-0002"]
    assert set(licences[0]) == {"id", "name", "number", "issuer", "issued", "valid_until"}
    body = {"purpose": "办理入学手续"}
    document = client.data("POST", "/v1/licences/LIC-DEMO-0001/print", body, resident_token=token)["document"]
    text = pdf_text(assert_a_real_pdf(document, tmp_path), tmp_path)
    assert "仅供办理入学手续使用" in text and "机动车驾驶证" in text


def test_licence_refusals(client: PlatformClient) -> None:
    token = client.sign_in()
    someone_elses = client.call(
        "POST", "/v1/licences/LIC-DEMO-0003/print", {"purpose": "x"}, resident_token=token
    )
    refused(200, someone_elses.json(), "NOT_FOUND")
    no_purpose = client.call(
        "POST", "/v1/licences/LIC-DEMO-0001/print", {"purpose": " "}, resident_token=token
    )
    assert no_purpose.status_code == 400 and no_purpose.json()["code"] == "BAD_REQUEST"
    nothing = client.sign_in("foreign_2023.json")
    refused(200, client.call("GET", "/v1/licences", resident_token=nothing).json(), "NO_RECORD")


# -- cases --------------------------------------------------------------------------------------


def test_a_case_is_followed_with_its_query_code_and_no_resident(client: PlatformClient) -> None:
    case = client.data("GET", f"/v1/cases/{CASE_DONE[0]}?query_code={CASE_DONE[1]}")
    assert case["case_no"] == CASE_DONE[0] and case["rateable"] is True and case["status"] == "已办结"
    assert [stage["name"] for stage in case["stages"]] == ["受理", "审查", "决定", "送达"]
    assert all(stage["done"] and stage["at"] for stage in case["stages"])
    open_case = client.data("GET", "/v1/cases/WH2026112000002?query_code=730146")
    assert open_case["rateable"] is False
    assert [stage["done"] for stage in open_case["stages"]] == [True, False, False, False]


def test_a_wrong_case_number_or_query_code_is_refused(client: PlatformClient) -> None:
    refused(200, client.call("GET", "/v1/cases/WH2026000000000?query_code=482913").json(), "NOT_FOUND")
    refused(200, client.call("GET", f"/v1/cases/{CASE_DONE[0]}?query_code=000000").json(), "CODE_MISMATCH")
    refused(200, client.call("GET", f"/v1/cases/{CASE_DONE[0]}").json(), "CODE_MISMATCH")


# -- appointments -------------------------------------------------------------------------------


def slots(client: PlatformClient, day: str = A_MONDAY) -> dict[str, bool]:
    data = client.data("GET", f"/v1/appointments/slots?hall=HALL-WH&service=si.counter&date={day}")
    return {slot["slot"]: slot["available"] for slot in data["slots"]}


def test_a_slot_is_booked_once_and_freed_by_cancelling(client: PlatformClient) -> None:
    free = slots(client)
    assert len(free) == 12 and all(free.values())
    slot = f"{A_MONDAY}T09:30"
    token = client.sign_in()
    booking = {"hall": "HALL-WH", "service": "si.counter", "slot": slot}
    booked = client.data("POST", "/v1/appointments", booking, resident_token=token)
    assert booked["slot"] == slot and booked["hall_name"] and booked["appointment_no"]
    assert slots(client)[slot] is False
    other = client.sign_in("resident_long_term.json")
    refused(200, client.call("POST", "/v1/appointments", booking, resident_token=other).json(), "SLOT_TAKEN")
    number = booked["appointment_no"]
    refused(
        200, client.call("DELETE", f"/v1/appointments/{number}", resident_token=other).json(), "NOT_FOUND"
    )
    assert client.data("DELETE", f"/v1/appointments/{number}", resident_token=token)["cancelled"] is True
    assert slots(client)[slot] is True
    refused(
        200, client.call("DELETE", f"/v1/appointments/{number}", resident_token=token).json(), "NOT_FOUND"
    )


def test_appointment_refusals(client: PlatformClient) -> None:
    assert slots(client, "2026-12-12") == {}  # a Saturday
    unknown = client.call("GET", f"/v1/appointments/slots?hall=HALL-XX&service=si.counter&date={A_MONDAY}")
    refused(200, unknown.json(), "NOT_FOUND")
    token = client.sign_in()
    for slot in (f"{A_MONDAY}T09:10", "2026-12-12T09:00", "tomorrow"):
        booking = {"hall": "HALL-WH", "service": "si.counter", "slot": slot}
        assert client.call("POST", "/v1/appointments", booking, resident_token=token).status_code == 400, slot
    booking = {"hall": "HALL-WH", "service": "si.counter", "slot": f"{A_MONDAY}T10:00"}
    refused(200, client.call("POST", "/v1/appointments", booking).json(), "SESSION_EXPIRED")


# -- ratings ------------------------------------------------------------------------------------


def a_rating(rating_id: str = "5f0c2f4e-6b43-4d8e-9a53-1e2d3c4b5a69") -> dict[str, object]:
    return {
        "rating_id": rating_id,
        "terminal_id": "wh-demo-01",
        "channel": "self_service_terminal",
        "subject": {"kind": "case", "id": CASE_DONE[0]},
        "level": 2,
        "reasons": ["slow"],
        "comment": "",
        "rated_at": "2026-12-07T10:00:00+08:00",
        "phone": None,
    }


def test_a_rating_is_accepted_and_recorded_once(platform: PlatformSimulator, client: PlatformClient) -> None:
    assert client.data("POST", "/v1/ratings", a_rating()) == {"accepted": True}
    assert client.data("POST", "/v1/ratings", a_rating()) == {"accepted": True}
    assert client.data("POST", "/v1/ratings", a_rating("another")) == {"accepted": True}
    assert platform.ratings == [a_rating(), a_rating("another")]


@pytest.mark.parametrize(
    "change",
    [{"level": 6}, {"level": True}, {"channel": "web"}, {"subject": {"kind": "mood"}}, {"rating_id": ""}],
)
def test_a_malformed_rating_is_refused(
    platform: PlatformSimulator, client: PlatformClient, change: dict[str, object]
) -> None:
    answer = client.call("POST", "/v1/ratings", {**a_rating(), **change})
    assert answer.status_code == 400 and answer.json()["code"] == "BAD_REQUEST"
    assert platform.ratings == []


# -- the log ------------------------------------------------------------------------------------


def test_the_log_names_the_call_never_the_resident(
    client: PlatformClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.platform.simulator")
    token = client.sign_in()
    client.data("GET", "/v1/si/records?from=2026-01&to=2026-01", resident_token=token)
    client.data("GET", f"/v1/cases/{CASE_DONE[0]}?query_code={CASE_DONE[1]}")
    lines = "\n".join(record.getMessage() for record in caplog.records)
    assert "POST /v1/auth/session 200" in lines and "GET /v1/si/records 200" in lines
    assert "GET /v1/cases/WH" in lines
    for secret in (
        "演示居民",
        card("resident.json")["id_number"],
        CASE_DONE[0],
        CASE_DONE[1],
        token,
        DEMO_TOKEN,
    ):
        assert secret not in lines


def test_numbers_in_paths_are_masked() -> None:
    assert masked_path("/v1/cases/WH2026110700001?query_code=1") == "/v1/cases/WH***********01"
    assert masked_path("/v1/appointments/slots?hall=x") == "/v1/appointments/slots"
    assert masked_path("/v1/licences/LIC-DEMO-0001/print") == "/v1/licences/LI*********01/print"
    assert masked_path("/v1/appointments/123") == "/v1/appointments/***"


def test_the_docs_list_every_resident_case_code_and_demo_value() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for resident in RESIDENTS:
        assert f"| {resident.name} | {resident.id_number} |" in text, resident.name
    for case in CASES:
        assert f"| {case.case_no} | {case.query_code} | {case.service_name} |" in text, case.case_no
    for code in MESSAGES:
        assert f"`{code}`" in text, code
    for service in SERVICES:
        assert f"`{service.id}`" in text, service.id
    for value in (DEMO_PAAS_ID, DEMO_TOKEN, str(DEMO_PORT)):
        assert f"`{value}`" in text, value


def test_the_demo_resident_codes_are_codes_the_kiosk_recognises() -> None:
    defaults = tomllib.loads((DOCS.parents[1] / "config" / "default.toml").read_text(encoding="utf-8"))
    patterns = [re.compile(p) for p in defaults["devices"]["scanner"]["resident_code_patterns"]]
    codes = [resident.resident_code for resident in RESIDENTS if resident.resident_code]
    assert len(codes) == 2
    assert all(any(pattern.fullmatch(code) for pattern in patterns) for code in codes), codes
