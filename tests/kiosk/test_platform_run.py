"""`kiosk platform run`: a resident's service flow, headless, against the platform simulator on
loopback, for the residents on the demo card files. The resident's platform session must be closed
after every run that opened one, whether the service gave its answer or not; the simulator's request
log (one line per request) shows every session opened and closed."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.platform.records import Service
from kiosk.platform.service_flow import ServiceRequestError, identity_from_card_file, plan
from kiosk.platform.sim_data import CASES, HALLS, SERVICES
from kiosk.platform.simulator import DEMO_PAAS_ID, DEMO_TOKEN, PlatformSimulator
from kiosk.records.identity import IdCard, SocialSecurityCard

CARDS = Path(__file__).resolve().parents[2] / "config" / "demo" / "cards"
RESIDENT = CARDS / "resident.json"
SSCARD = CARDS / "sscard.json"
ELDER = CARDS / "resident_long_term.json"
NOBODY = CARDS / "foreign_2017.json"
MONDAY = "2026-12-14"


@pytest.fixture
def face(tmp_path: Path) -> Path:
    picture = tmp_path / "face.jpg"
    picture.write_bytes(b"\xff\xd8\xff\xe0 a face")
    return picture


def run(tmp_path: Path, simulator: PlatformSimulator, *args: str) -> tuple[int, str]:
    site = tmp_path / "kiosk.toml"
    site.write_text(
        f'[platform]\nurl = "{simulator.url}"\npaas_id = "{DEMO_PAAS_ID}"\n'
        f'token = "{DEMO_TOKEN}"\ntimeout = 3\n',
        encoding="utf-8",
    )
    env = {"KIOSK_CONFIG": str(site), "KIOSK_DATA_DIR": str(tmp_path / "data")}
    result = CliRunner().invoke(main, ["platform", "run", *args], env=env)
    assert not result.exception or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def run_json(tmp_path: Path, simulator: PlatformSimulator, *args: str) -> dict[str, object]:
    code, output = run(tmp_path, simulator, *args, "--json")
    assert code == 0, output
    try:
        answer = json.loads(output)
    except ValueError:
        raise AssertionError(output) from None
    assert isinstance(answer, dict) and answer["ok"] is True
    return answer


def sessions(caplog: pytest.LogCaptureFixture) -> tuple[int, int]:
    """(opened, closed): the resident sessions the simulator answered with 200, from its request log."""
    lines = [record.getMessage() for record in caplog.records if record.name == "kiosk.platform.simulator"]
    return lines.count("POST /v1/auth/session 200"), lines.count("DELETE /v1/auth/session 200")


def checked_documents(answer: dict[str, object], out: Path) -> list[dict[str, str]]:
    """The documents listed, each checked against the file written: the digest recomputed, a code."""
    documents = answer["documents"]
    assert isinstance(documents, list) and documents
    for document in documents:
        path = Path(document["file"])
        assert path.parent == out
        assert hashlib.sha256(path.read_bytes()).hexdigest() == document["sha256"]
        assert path.read_bytes().startswith(b"%PDF")
        assert document["verify_code"] and document["verify_code"] in document["verify_url"]
    assert sorted(path.name for path in out.iterdir()) == sorted(Path(d["file"]).name for d in documents)
    return documents


# -- each service's happy path --------------------------------------------------------------------


def test_social_insurance_records_for_the_months_asked(
    tmp_path: Path, simulator: PlatformSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    answer = run_json(
        tmp_path,
        simulator,
        "si.records",
        "--card",
        str(RESIDENT),
        "--param",
        "from=2022-06",
        "--param",
        "to=2022-07",
    )
    result = answer["result"]
    assert isinstance(result, list) and len(result) == 6
    assert [record["paid"] for record in result[:3]] == ["416.00", "104.00", "26.00"]
    assert sessions(caplog) == (1, 1)


def test_social_insurance_records_default_to_a_year_and_take_the_social_security_card(
    tmp_path: Path, simulator: PlatformSimulator
) -> None:
    answer = run_json(tmp_path, simulator, "si.records", "--card", str(SSCARD))
    result = answer["result"]
    assert isinstance(result, list) and len({record["month"] for record in result}) >= 1


def test_a_social_insurance_certificate_is_written_where_out_says(
    tmp_path: Path, simulator: PlatformSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    out = tmp_path / "out"
    answer = run_json(
        tmp_path,
        simulator,
        "si.certificate",
        "--card",
        str(RESIDENT),
        "--param",
        "from=2022-01",
        "--param",
        "to=2022-12",
        "--out",
        str(out),
    )
    assert answer["result"] is None
    assert [Path(d["file"]).name for d in checked_documents(answer, out)] == ["si-certificate.pdf"]
    assert sessions(caplog) == (1, 1)


def test_the_housing_fund_with_a_face(tmp_path: Path, simulator: PlatformSimulator, face: Path) -> None:
    answer = run_json(tmp_path, simulator, "hf.account", "--card", str(RESIDENT), "--face", str(face))
    result = answer["result"]
    assert isinstance(result, dict)
    assert result["state"] == "正常缴存" and result["balance"] == "35820.50" and answer["level"] == "face"


def test_the_housing_fund_certificate_with_a_face(
    tmp_path: Path, simulator: PlatformSimulator, face: Path
) -> None:
    out = tmp_path / "out"
    answer = run_json(
        tmp_path, simulator, "hf.certificate", "--card", str(RESIDENT), "--face", str(face), "--out", str(out)
    )
    checked_documents(answer, out)


def test_the_real_estate_certificates(tmp_path: Path, simulator: PlatformSimulator, face: Path) -> None:
    out = tmp_path / "holdings"
    args = ("re.certificate", "--face", str(face), "--out", str(out))
    answer = run_json(tmp_path, simulator, *args, "--card", str(ELDER), "--param", "kind=holdings")
    assert [Path(d["file"]).name for d in checked_documents(answer, out)] == ["re-holdings.pdf"]
    none_held = tmp_path / "none_held"
    answer = run_json(
        tmp_path,
        simulator,
        "re.certificate",
        "--face",
        str(face),
        "--out",
        str(none_held),
        "--card",
        str(RESIDENT),
        "--param",
        "kind=none_held",
    )
    assert [Path(d["file"]).name for d in checked_documents(answer, none_held)] == ["re-none-held.pdf"]


def test_licences_are_listed_and_one_is_printed_for_a_purpose(
    tmp_path: Path, simulator: PlatformSimulator
) -> None:
    answer = run_json(tmp_path, simulator, "lic.list", "--card", str(RESIDENT))
    licences = answer["result"]
    assert isinstance(licences, list)
    assert [licence["name"] for licence in licences] == ["机动车驾驶证", "学位证书"]
    out = tmp_path / "out"
    answer = run_json(
        tmp_path,
        simulator,
        "lic.print",
        "--card",
        str(RESIDENT),
        "--param",
        f"licence={licences[0]['id']}",
        "--param",
        "purpose=租房",
        "--out",
        str(out),
    )
    checked_documents(answer, out)


def test_a_case_needs_no_card_but_may_be_given_one(
    tmp_path: Path, simulator: PlatformSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    case = CASES[0]
    params = ("--param", f"case_no={case.case_no}", "--param", f"query_code={case.query_code}")
    answer = run_json(tmp_path, simulator, "case.progress", *params)
    result = answer["result"]
    assert isinstance(result, dict) and result["case_no"] == case.case_no
    assert (
        run_json(tmp_path, simulator, "case.progress", *params, "--card", str(RESIDENT))["result"] == result
    )
    assert sessions(caplog) == (0, 0)


def test_an_appointment_is_found_booked_and_cancelled(tmp_path: Path, simulator: PlatformSimulator) -> None:
    hall = HALLS[0]
    counter = next(iter(hall.services))
    where = ("--param", f"hall={hall.id}", "--param", f"service={counter}")
    slots = run_json(tmp_path, simulator, "appt.slots", *where, "--param", f"date={MONDAY}")["result"]
    assert isinstance(slots, list) and all(slot["available"] for slot in slots)
    first = slots[0]["slot"]
    booked = run_json(
        tmp_path, simulator, "appt.book", "--card", str(RESIDENT), *where, "--param", f"slot={first}"
    )
    appointment = booked["result"]
    assert isinstance(appointment, dict) and appointment["slot"] == first
    slots = run_json(tmp_path, simulator, "appt.slots", *where, "--param", f"date={MONDAY}")["result"]
    assert isinstance(slots, list) and not slots[0]["available"]
    number = appointment["appointment_no"]
    cancel = ("appt.cancel", "--card", str(RESIDENT), "--param", f"appointment={number}")
    assert run_json(tmp_path, simulator, *cancel)["result"] is None
    assert run(tmp_path, simulator, *cancel)[0] == 3  # gone: NOT_FOUND
    code, output = run(
        tmp_path, simulator, "appt.book", "--card", str(RESIDENT), *where, "--param", f"slot={first}"
    )
    assert code == 0 and "done: appt.book" in output


# -- exit codes -----------------------------------------------------------------------------------


def test_no_record_is_exit_3_and_the_session_is_closed(
    tmp_path: Path, simulator: PlatformSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    code, output = run(
        tmp_path,
        simulator,
        "si.records",
        "--card",
        str(RESIDENT),
        "--param",
        "from=2010-01",
        "--param",
        "to=2010-12",
    )
    assert code == 3 and "NO_RECORD" in output and "所选期间没有查到社保缴费记录。" in output
    assert sessions(caplog) == (1, 1)
    code, output = run(tmp_path, simulator, "si.records", "--card", str(NOBODY))  # never insured
    assert code == 3 and "NO_RECORD" in output
    assert sessions(caplog) == (2, 2)


def test_a_face_service_without_a_face_is_refused_exit_4_and_the_session_is_closed(
    tmp_path: Path, simulator: PlatformSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    code, output = run(tmp_path, simulator, "hf.account", "--card", str(RESIDENT), "--json")
    answer = json.loads(output)
    assert code == 4 and answer["code"] == "FACE_REQUIRED" and answer["message"]
    assert sessions(caplog) == (1, 1)
    out = tmp_path / "out"
    code, output = run(
        tmp_path,
        simulator,
        "re.certificate",
        "--card",
        str(RESIDENT),
        "--param",
        "kind=holdings",
        "--out",
        str(out),
    )
    assert code == 4 and "FACE_REQUIRED" in output
    assert sessions(caplog) == (2, 2)
    assert not out.exists() or not list(out.iterdir())


def test_a_platform_failure_after_the_session_opened_is_exit_1_and_the_session_is_closed(
    tmp_path: Path, simulator: PlatformSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    simulator.garbage = "digest"  # documents whose digest does not match: a bad answer
    out = tmp_path / "out"
    code, output = run(
        tmp_path, simulator, "si.certificate", "--card", str(RESIDENT), "--out", str(out), "--json"
    )
    assert code == 1 and json.loads(output)["reason"] == "bad answer"
    assert sessions(caplog) == (1, 1)
    assert not out.exists() or not list(out.iterdir())


def test_a_platform_that_is_down_is_exit_1(tmp_path: Path, simulator: PlatformSimulator) -> None:
    simulator.down = "503"
    code, output = run(tmp_path, simulator, "si.records", "--card", str(RESIDENT))
    assert code == 1 and "unreachable" in output


def test_a_refused_signature_is_exit_1(tmp_path: Path, simulator: PlatformSimulator) -> None:
    simulator.refuse_signatures = True
    code, output = run(
        tmp_path, simulator, "case.progress", "--param", "case_no=X", "--param", "query_code=1"
    )
    assert code == 1 and "signature rejected" in output


@pytest.mark.parametrize(
    "args",
    [
        ("no.such.service", "--card", str(RESIDENT)),
        ("si.records", "--card", str(CARDS / "no-such-card.json")),
        ("si.records", "--card", str(RESIDENT), "--param", "from"),
        ("si.records", "--card", str(RESIDENT), "--param", "from=2022-13"),
        ("si.records", "--card", str(RESIDENT), "--param", "from=2023-01", "--param", "to=2022-01"),
        ("si.records", "--card", str(RESIDENT), "--param", "colour=blue"),
        ("si.records",),  # a card-level service without a card
        ("re.certificate", "--card", str(RESIDENT), "--out", "x"),  # no kind
        ("re.certificate", "--card", str(RESIDENT), "--param", "kind=castles", "--out", "x"),
        ("si.certificate", "--card", str(RESIDENT)),  # a document service without --out
        ("appt.slots", "--param", "hall=HALL-WH", "--param", "service=x", "--param", "date=14/12/2026"),
        ("case.progress", "--param", "case_no=WH2026110700001"),
    ],
)
def test_a_bad_request_is_exit_2_before_any_session(
    tmp_path: Path, simulator: PlatformSimulator, caplog: pytest.LogCaptureFixture, args: tuple[str, ...]
) -> None:
    caplog.set_level(logging.INFO)
    assert run(tmp_path, simulator, *args)[0] == 2
    assert sessions(caplog) == (0, 0)


def test_a_service_the_platform_does_not_list_is_not_offered(
    tmp_path: Path, simulator: PlatformSimulator
) -> None:
    simulator.services.remove("lic.list")
    code, output = run(tmp_path, simulator, "lic.list", "--card", str(RESIDENT))
    assert code == 2 and "not offered" in output
    simulator.services.append("future.service")  # listed, but this kiosk has no flow for it
    assert run(tmp_path, simulator, "future.service", "--card", str(RESIDENT))[0] == 2


# -- privacy --------------------------------------------------------------------------------------


def test_the_log_never_carries_the_residents_name_or_numbers(
    tmp_path: Path, simulator: PlatformSimulator, caplog: pytest.LogCaptureFixture, face: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    card = json.loads(RESIDENT.read_text(encoding="utf-8"))
    sscard = json.loads(SSCARD.read_text(encoding="utf-8"))
    out = tmp_path / "out"
    run_json(tmp_path, simulator, "si.records", "--card", str(RESIDENT))
    run_json(tmp_path, simulator, "hf.account", "--card", str(SSCARD), "--face", str(face))
    run_json(
        tmp_path, simulator, "hf.certificate", "--card", str(RESIDENT), "--face", str(face), "--out", str(out)
    )
    assert run(tmp_path, simulator, "hf.account", "--card", str(RESIDENT))[0] == 4
    assert "service hf.account: resident session closed" in caplog.text
    for secret in (card["name"], card["id_number"], sscard["card_number"], "35820.50", "DEMO-HF-000001"):
        assert secret not in caplog.text
    assert set(tmp_path.iterdir()) <= {tmp_path / "kiosk.toml", tmp_path / "data", tmp_path / "face.jpg", out}


# -- the flow without the command -----------------------------------------------------------------

OFFERED = [Service(s.id, s.name, s.name_en, s.level, s.kind) for s in SERVICES]  # type: ignore[arg-type]


def test_the_months_default_to_the_last_twelve_full_months() -> None:
    checked = plan(OFFERED, "si.records", {}, identity_from_card_file(RESIDENT), today=date(2026, 1, 7))
    assert checked.needs_session and dict(checked.params) == {"from": "2025-01", "to": "2025-12"}
    checked = plan(
        OFFERED,
        "si.certificate",
        {"from": "2020-03"},
        identity_from_card_file(RESIDENT),
        today=date(2026, 12, 7),
    )
    assert dict(checked.params) == {"from": "2020-03", "to": "2026-11"}
    with pytest.raises(ServiceRequestError):
        plan(
            OFFERED,
            "si.records",
            {"from": "2026-01"},
            identity_from_card_file(RESIDENT),
            today=date(2026, 1, 7),
        )


def test_card_files_become_the_cards_they_describe(tmp_path: Path) -> None:
    card = identity_from_card_file(RESIDENT)
    assert isinstance(card, IdCard) and card.id_number == "371002199001010023"
    ss = identity_from_card_file(SSCARD)
    assert isinstance(ss, SocialSecurityCard) and ss.card_number == "W00000001"
    assert "演示居民" not in repr(card) + repr(ss)
    assert isinstance(identity_from_card_file(CARDS / "hk_mo_tw.json"), IdCard)
