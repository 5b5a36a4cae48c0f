"""The platform simulator's gateway: the contract's checks and endpoints over the fictional data.

Bytes and headers in, an answer out: `Gateway.handle` knows nothing of sockets (simulator.py serves
it over HTTP). The checks run in the contract's order: signature, timestamp, nonce. Business
refusals are HTTP 200 with a non-"0" `code` and a `msg` fit to show a resident; malformed requests
are 400, unknown paths 404, signature refusals 401.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeGuard
from urllib.parse import parse_qs, urlsplit

from kiosk.platform import signing
from kiosk.platform.sim_data import (
    CASES,
    HALLS,
    RESIDENTS,
    SERVICES,
    SLOT_MINUTES,
    SLOT_TIMES,
    Hall,
    Resident,
    Service,
    contributions,
)
from kiosk.platform.sim_documents import issue_document

MAX_SKEW_SECONDS = 300
NONCE_MEMORY_SECONDS = 15 * 60
SESSION_SECONDS = 300
#: The header the kiosk sends the resident's platform token in.
RESIDENT_TOKEN = "X-Resident-Token"
_LEVELS = {"none": 0, "card": 1, "face": 2}

#: The Chinese message of each refusal code, fit to show a resident.
MESSAGES = {
    "BAD_SIGNATURE": "本机与政务服务平台的连接未通过验证，请到窗口办理或联系工作人员。",
    "TIMESTAMP_SKEW": "本机时间与政务服务平台不一致，暂时无法办理，请联系工作人员。",
    "NONCE_REUSED": "请求重复，请重新操作。",
    "BAD_REQUEST": "请求内容不完整，请重新操作。",
    "NOT_FOUND": "没有查到这个办件，请核对受理回执上的办件编号。",
    "CODE_MISMATCH": "查询码不正确，请核对受理回执上的查询码。",
    "NO_RECORD": "没有查到相关记录。",
    "IDENTITY_MISMATCH": "证件信息与平台登记的不一致，请到窗口核实。",
    "FACE_MISMATCH": "人脸比对未通过，请摘下帽子和口罩、正对摄像头重试，或到窗口办理。",
    "FACE_REQUIRED": "办理这项业务需要先进行人脸识别。",
    "SESSION_EXPIRED": "身份核验已过期，请重新放置证件。",
    "SERVICE_OFF": "这项业务暂未在本机开通，请到窗口办理。",
    "SLOT_TAKEN": "这个时段已被预约，请选择其他时段。",
    "NOT_ELIGIBLE": "查询到您名下有不动产登记，无法开具无房证明。",
}


@dataclass(frozen=True)
class Answer:
    """What the gateway answers: an HTTP status, the envelope and any extra headers."""

    status: int
    envelope: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def ok(data: Any) -> Answer:
    """A success: code "0"."""
    return Answer(200, {"code": "0", "msg": "成功", "data": data})


def refusal(code: str, status: int = 200, msg: str | None = None) -> Answer:
    """A refusal with its resident-facing message."""
    return Answer(status, {"code": code, "msg": msg or MESSAGES[code], "data": None})


class _Refused(Exception):
    def __init__(self, code: str, status: int = 200, msg: str | None = None) -> None:
        super().__init__(code)
        self.answer = refusal(code, status, msg)


def _bad_request(msg: str = MESSAGES["BAD_REQUEST"]) -> _Refused:
    return _Refused("BAD_REQUEST", 400, msg)


@dataclass
class _Session:
    resident: Resident
    level: str
    expires_at: float


@dataclass
class _Booking:
    number: str
    resident_id: str
    hall: str
    service: str
    slot: str


@dataclass
class _Call:
    """One request as a route sees it."""

    path_match: re.Match[str]
    query: dict[str, str]
    body: dict[str, Any]
    headers: Mapping[str, str]
    session: _Session | None = None

    @property
    def resident(self) -> Resident:
        assert self.session is not None
        return self.session.resident


_Route = tuple[str, re.Pattern[str], str | None, Callable[["Gateway", _Call], Answer]]


class Gateway:
    """The simulated gateway's state and endpoints; safe to call from several threads."""

    def __init__(self, paas_id: str, token: str, clock: Callable[[], float] = time.time) -> None:
        self.paas_id = paas_id
        self._token = token
        self.clock = clock
        #: The service ids `GET /v1/services` lists, in order; remove one to switch it off.
        self.services: list[str] = [service.id for service in SERVICES]
        #: Every rating accepted, once per rating_id, as received.
        self.ratings: list[dict[str, Any]] = []
        #: When true, every face comparison fails (FACE_MISMATCH).
        self.reject_faces = False
        self.session_seconds: float = SESSION_SECONDS
        self._nonces: dict[str, float] = {}
        self._sessions: dict[str, _Session] = {}
        self._bookings: dict[str, _Booking] = {}
        self._lock = threading.RLock()

    def __repr__(self) -> str:  # the token is a secret even here
        return f"Gateway(paas_id={self.paas_id!r}, token=<hidden>)"

    def live_sessions(self) -> int:
        """How many resident sessions are open and not expired (a kiosk must close its own)."""
        with self._lock:
            return sum(1 for session in self._sessions.values() if session.expires_at > self.clock())

    def expire_sessions(self) -> None:
        """End every resident session now, as if 300 s had passed."""
        with self._lock:
            for session in self._sessions.values():
                session.expires_at = 0.0

    # -- the checks ---------------------------------------------------------------------------

    def check_signature(self, headers: Mapping[str, str], body: bytes) -> Answer | None:
        """The refusal for a request that fails the signature, timestamp or nonce check, else None."""
        signed = {name: headers.get(name) for name in signing.SIGNED_HEADERS}
        present = {name: value for name, value in signed.items() if value}
        if len(present) != len(signing.SIGNED_HEADERS) or present[signing.PAAS_ID] != self.paas_id:
            return refusal("BAD_SIGNATURE", 401)
        if not signing.signature_matches(present, body, self._token):
            return refusal("BAD_SIGNATURE", 401)
        try:
            timestamp = int(present[signing.TIMESTAMP])
        except ValueError:
            return refusal("BAD_SIGNATURE", 401)
        now = self.clock()
        if abs(now - timestamp) > MAX_SKEW_SECONDS:
            return refusal("TIMESTAMP_SKEW", 401)
        nonce = present[signing.NONCE]
        with self._lock:
            for seen, at in list(self._nonces.items()):
                if now - at > NONCE_MEMORY_SECONDS:
                    del self._nonces[seen]
            if nonce in self._nonces:
                return refusal("NONCE_REUSED", 401)
            self._nonces[nonce] = now
        return None

    # -- dispatch -----------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Answer:
        """Answer one request: `target` is the path with its query string."""
        refused = self.check_signature(headers, body)
        if refused is not None:
            return refused
        parts = urlsplit(target)
        path_known = False
        for route_method, pattern, service_id, endpoint in _ROUTES:
            match = pattern.fullmatch(parts.path)
            if match is None:
                continue
            path_known = True
            if route_method != method:
                continue
            try:
                call = _Call(match, _query(parts.query), _json_object(body), headers)
                if service_id is not None:
                    self._admit(service_id, call)
                return endpoint(self, call)
            except _Refused as refused_call:
                return refused_call.answer
        if path_known:
            return refusal("BAD_REQUEST", 405, "请求方式不正确。")
        return refusal("NOT_FOUND", 404, "没有这项服务。")

    def _admit(self, service_id: str, call: _Call) -> None:
        """Check the service is on and the resident's session is good enough for it."""
        if service_id not in self.services:
            raise _Refused("SERVICE_OFF")
        level = next(service.level for service in SERVICES if service.id == service_id)
        if level == "none":
            return
        call.session = self._session(call.headers)
        if _LEVELS[call.session.level] < _LEVELS[level]:
            raise _Refused("FACE_REQUIRED")

    def _session(self, headers: Mapping[str, str]) -> _Session:
        token = headers.get(RESIDENT_TOKEN) or ""
        with self._lock:
            session = self._sessions.get(token)
            if session is None or session.expires_at <= self.clock():
                self._sessions.pop(token, None)
                raise _Refused("SESSION_EXPIRED")
            return session

    # -- the resident's session ---------------------------------------------------------------

    def open_session(self, call: _Call) -> Answer:
        """POST /v1/auth/session: identify a resident by card or code, with a face for level face."""
        body = call.body
        method = body.get("method")
        resident = _identify(method, body)
        level = "card"
        face = body.get("face")
        if face is not None:
            if not isinstance(face, dict) or not _is_jpeg(face.get("image_jpeg_base64")):
                raise _bad_request("人脸照片无法识别，请正对摄像头重试。")
            if self.reject_faces:
                raise _Refused("FACE_MISMATCH")
            level = "face"
        token = secrets.token_hex(24)
        with self._lock:
            self._sessions[token] = _Session(resident, level, self.clock() + self.session_seconds)
        return ok({"token": token, "expires_in": int(self.session_seconds), "level": level})

    def close_session(self, call: _Call) -> Answer:
        """DELETE /v1/auth/session: the kiosk drops the resident's token (idempotent)."""
        with self._lock:
            self._sessions.pop(call.headers.get(RESIDENT_TOKEN) or "", None)
        return ok({"closed": True})

    def list_services(self, call: _Call) -> Answer:
        """GET /v1/services: the services on, in order; an id the platform does not know (a test of
        the kiosk's tolerance) is listed as a card-level query named by its id."""
        known = {service.id: service for service in SERVICES}
        listed = [
            asdict(known[id_]) if id_ in known else asdict(Service(id_, id_, id_, "card", "query"))
            for id_ in self.services
        ]
        return ok(listed)

    # -- social insurance, housing fund, real estate ------------------------------------------

    def si_records(self, call: _Call) -> Answer:
        """GET /v1/si/records?from=YYYY-MM&to=YYYY-MM."""
        first, last = _month_range(call.query.get("from"), call.query.get("to"))
        records = contributions(call.resident, first, last)
        if not records:
            raise _Refused("NO_RECORD", msg="所选期间没有查到社保缴费记录。")
        return ok({"from": first, "to": last, "records": [asdict(record) for record in records]})

    def si_certificate(self, call: _Call) -> Answer:
        """POST /v1/si/certificate {"from", "to"}: 参保缴费证明."""
        first, last = _month_range(call.body.get("from"), call.body.get("to"))
        records = contributions(call.resident, first, last)
        if not records:
            raise _Refused("NO_RECORD", msg="所选期间没有查到社保缴费记录，无法开具证明。")
        rows = [["月份", "险种", "缴费基数", "个人缴费", "单位"]]
        rows += [[r.month, r.insurance, r.base, r.paid, r.employer] for r in records]
        document = issue_document(
            "si-certificate.pdf",
            "参保缴费证明",
            [f"姓名：{call.resident.name}", f"缴费期间：{first} 至 {last}"],
            rows,
        )
        return ok({"document": document})

    def hf_account(self, call: _Call) -> Answer:
        """GET /v1/hf/account."""
        fund = call.resident.housing_fund
        if fund is None:
            raise _Refused("NO_RECORD", msg="没有查到您的住房公积金账户。")
        return ok(asdict(fund))

    def hf_certificate(self, call: _Call) -> Answer:
        """POST /v1/hf/certificate: 公积金缴存证明."""
        fund = call.resident.housing_fund
        if fund is None:
            raise _Refused("NO_RECORD", msg="没有查到您的住房公积金账户，无法开具证明。")
        lines = [
            f"姓名：{call.resident.name}",
            f"账户：{fund.account_no}　状态：{fund.state}　开户日期：{fund.opened}",
            f"单位：{fund.employer}",
            f"月缴存额：{fund.monthly_deposit} 元　账户余额：{fund.balance} 元",
        ]
        return ok({"document": issue_document("hf-certificate.pdf", "住房公积金缴存证明", lines)})

    def re_certificate(self, call: _Call) -> Answer:
        """POST /v1/re/certificate {"kind": "holdings" | "none_held"}."""
        kind = call.body.get("kind")
        holdings = call.resident.holdings
        name_line = f"姓名：{call.resident.name}"
        if kind == "holdings":
            if not holdings:
                raise _Refused("NO_RECORD", msg="没有查到您名下的不动产登记。")
            rows = [["序号", "不动产"], *[[str(i), h] for i, h in enumerate(holdings, 1)]]
            document = issue_document("re-holdings.pdf", "不动产登记查询结果", [name_line], rows)
        elif kind == "none_held":
            if holdings:
                raise _Refused("NOT_ELIGIBLE")
            lines = [name_line, "经查询，本市不动产登记信息系统中未查到上述人员名下的不动产登记记录。"]
            document = issue_document("re-none-held.pdf", "无房证明", lines)
        else:
            raise _bad_request("请选择证明类型。")
        return ok({"document": document})

    # -- licences -----------------------------------------------------------------------------

    def list_licences(self, call: _Call) -> Answer:
        """GET /v1/licences."""
        if not call.resident.licences:
            raise _Refused("NO_RECORD", msg="没有查到您的电子证照。")
        return ok({"licences": [asdict(licence) for licence in call.resident.licences]})

    def print_licence(self, call: _Call) -> Answer:
        """POST /v1/licences/{id}/print {"purpose"}: the licence with a purpose watermark."""
        licence = next((lic for lic in call.resident.licences if lic.id == call.path_match["id"]), None)
        if licence is None:
            raise _Refused("NOT_FOUND", msg="没有查到这个电子证照。")
        purpose = call.body.get("purpose")
        if not isinstance(purpose, str) or not purpose.strip():
            raise _bad_request("请填写证照的用途。")
        lines = [
            f"持证人：{call.resident.name}",
            f"证照编号：{licence.number}",
            f"发证机关：{licence.issuer}",
            f"发证日期：{licence.issued}　有效期至：{licence.valid_until or '长期'}",
        ]
        watermark = f"仅供{purpose.strip()}使用，他用无效"
        document = issue_document(f"{licence.id.lower()}.pdf", licence.name, lines, watermark=watermark)
        return ok({"document": document})

    # -- cases --------------------------------------------------------------------------------

    def case_progress(self, call: _Call) -> Answer:
        """GET /v1/cases/{case_no}?query_code=...: no resident token needed."""
        case = next((case for case in CASES if case.case_no == call.path_match["case_no"]), None)
        if case is None:
            raise _Refused("NOT_FOUND")
        if call.query.get("query_code") != case.query_code:
            raise _Refused("CODE_MISMATCH")
        stages = [{"name": stage.name, "at": stage.at, "done": stage.at is not None} for stage in case.stages]
        return ok(
            {
                "case_no": case.case_no,
                "service_name": case.service_name,
                "status": case.status,
                "stages": stages,
                "rateable": case.rateable,
            }
        )

    # -- appointments -------------------------------------------------------------------------

    def appointment_slots(self, call: _Call) -> Answer:
        """GET /v1/appointments/slots?hall=&service=&date=YYYY-MM-DD."""
        hall_id, service, day = (call.query.get(key) for key in ("hall", "service", "date"))
        hall = _hall(hall_id, service)
        try:
            when = date.fromisoformat(day or "")
        except ValueError:
            raise _bad_request("请选择预约日期。") from None
        slots = []
        if when.weekday() < 5:
            with self._lock:
                taken = {(b.hall, b.service, b.slot) for b in self._bookings.values()}
            for start in SLOT_TIMES:
                slot = f"{when.isoformat()}T{start}"
                end = (datetime.fromisoformat(slot) + timedelta(minutes=SLOT_MINUTES)).strftime("%H:%M")
                available = (hall.id, service, slot) not in taken
                slots.append({"slot": slot, "start": start, "end": end, "available": available})
        return ok({"hall": hall.id, "service": service, "date": when.isoformat(), "slots": slots})

    def book_appointment(self, call: _Call) -> Answer:
        """POST /v1/appointments {"hall", "service", "slot"}: SLOT_TAKEN when already booked."""
        service, slot = call.body.get("service"), call.body.get("slot")
        hall = _hall(call.body.get("hall"), service)
        assert isinstance(service, str)
        if not _is_slot(slot):
            raise _bad_request("请选择预约时段。")
        with self._lock:
            if any((b.hall, b.service, b.slot) == (hall.id, service, slot) for b in self._bookings.values()):
                raise _Refused("SLOT_TAKEN")
            number = f"YY{secrets.randbelow(10**10):010d}"
            self._bookings[number] = _Booking(number, call.resident.id_number, hall.id, service, slot)
        return ok(
            {
                "appointment_no": number,
                "hall": hall.id,
                "hall_name": hall.name,
                "address": hall.address,
                "service": service,
                "service_name": hall.services[service],
                "slot": slot,
            }
        )

    def cancel_appointment(self, call: _Call) -> Answer:
        """DELETE /v1/appointments/{no}: only the resident who booked it."""
        with self._lock:
            booking = self._bookings.get(call.path_match["no"])
            if booking is None or booking.resident_id != call.resident.id_number:
                raise _Refused("NOT_FOUND", msg="没有查到这个预约。")
            del self._bookings[booking.number]
        return ok({"cancelled": True, "appointment_no": booking.number})

    # -- ratings ------------------------------------------------------------------------------

    def rate(self, call: _Call) -> Answer:
        """POST /v1/ratings: idempotent on rating_id (a repeat is accepted and recorded once)."""
        rating = call.body
        subject = rating.get("subject")
        level = rating.get("level")
        if (
            not isinstance(rating.get("rating_id"), str)
            or not rating["rating_id"]
            or rating.get("channel") != "self_service_terminal"
            or not isinstance(subject, dict)
            or subject.get("kind") not in {"guide", "case", "terminal"}
            or not isinstance(level, int)
            or isinstance(level, bool)
            or not 1 <= level <= 5
            or not isinstance(rating.get("reasons", []), list)
        ):
            raise _bad_request("评价内容不完整。")
        with self._lock:
            if all(seen["rating_id"] != rating["rating_id"] for seen in self.ratings):
                self.ratings.append(rating)
        return ok({"accepted": True})


def _identify(method: object, body: dict[str, Any]) -> Resident:
    if method not in {"id_card", "sscard", "resident_code"}:
        raise _bad_request("请选择身份核验方式。")
    if method == "resident_code":
        code = body.get("code")
        resident = next((r for r in RESIDENTS if code and r.resident_code == code), None)
        if resident is None:
            raise _Refused("NO_RECORD", msg="没有查到这个居民码对应的信息，请到窗口咨询。")
        if body.get("id_number") not in {None, resident.id_number}:
            raise _Refused("IDENTITY_MISMATCH")
        return resident
    id_number = body.get("id_number")
    if not isinstance(id_number, str) or not isinstance(body.get("name"), str):
        raise _bad_request()
    resident = next((r for r in RESIDENTS if r.id_number == id_number.upper()), None)
    if resident is None:
        raise _Refused("NO_RECORD", msg="平台上没有查到您的信息，请到窗口咨询。")
    if body["name"] != resident.name or (method == "sscard" and body.get("card_no") != resident.card_no):
        raise _Refused("IDENTITY_MISMATCH")
    return resident


def _is_jpeg(encoded: object) -> bool:
    if not isinstance(encoded, str):
        return False
    try:
        return base64.b64decode(encoded, validate=True).startswith(b"\xff\xd8")
    except binascii.Error:
        return False


_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def _month_range(first: object, last: object) -> tuple[str, str]:
    if not (isinstance(first, str) and isinstance(last, str)):
        raise _bad_request("请选择查询的起止月份。")
    if not (_MONTH.fullmatch(first) and _MONTH.fullmatch(last)) or first > last:
        raise _bad_request("起止月份不正确。")
    return first, last


def _hall(hall_id: object, service: object) -> Hall:
    hall = next((hall for hall in HALLS if hall.id == hall_id), None)
    if hall is None or service not in hall.services:
        raise _Refused("NOT_FOUND", msg="没有查到这个大厅或窗口业务。")
    return hall


def _is_slot(slot: object) -> TypeGuard[str]:
    if not isinstance(slot, str) or slot[11:] not in SLOT_TIMES:
        return False
    try:
        return date.fromisoformat(slot[:10]).weekday() < 5 and slot[10] == "T"
    except (ValueError, IndexError):
        return False


def _query(query: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(query).items()}


def _json_object(body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    try:
        parsed = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _bad_request() from None
    if not isinstance(parsed, dict):
        raise _bad_request()
    return parsed


_ROUTES: tuple[_Route, ...] = (
    ("POST", re.compile(r"/v1/auth/session"), None, Gateway.open_session),
    ("DELETE", re.compile(r"/v1/auth/session"), None, Gateway.close_session),
    ("GET", re.compile(r"/v1/services"), None, Gateway.list_services),
    ("GET", re.compile(r"/v1/si/records"), "si.records", Gateway.si_records),
    ("POST", re.compile(r"/v1/si/certificate"), "si.certificate", Gateway.si_certificate),
    ("GET", re.compile(r"/v1/hf/account"), "hf.account", Gateway.hf_account),
    ("POST", re.compile(r"/v1/hf/certificate"), "hf.certificate", Gateway.hf_certificate),
    ("POST", re.compile(r"/v1/re/certificate"), "re.certificate", Gateway.re_certificate),
    ("GET", re.compile(r"/v1/licences"), "lic.list", Gateway.list_licences),
    ("POST", re.compile(r"/v1/licences/(?P<id>[^/]+)/print"), "lic.print", Gateway.print_licence),
    ("GET", re.compile(r"/v1/cases/(?P<case_no>[^/]+)"), "case.progress", Gateway.case_progress),
    ("GET", re.compile(r"/v1/appointments/slots"), "appt.slots", Gateway.appointment_slots),
    ("POST", re.compile(r"/v1/appointments"), "appt.book", Gateway.book_appointment),
    ("DELETE", re.compile(r"/v1/appointments/(?P<no>[^/]+)"), "appt.cancel", Gateway.cancel_appointment),
    ("POST", re.compile(r"/v1/ratings"), None, Gateway.rate),
)
