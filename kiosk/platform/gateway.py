"""The HTTP adapter of the `ServicePlatform` port: signed calls to the gateway, within a deadline.

Every call is one resident step. The step costs at most `timeout` seconds, retries included: each
attempt's connect and read timeouts come from what is left, a watch shuts the connection down at
the deadline (a gateway that answers byte by byte cannot hold the step), and a back-off or a
Retry-After that does not fit ends the step instead. Only idempotent calls are retried (GET,
DELETE, and POST /v1/ratings, idempotent on rating_id); opening a session, fetching a document
(a certificate, a licence print) or booking are sent once. Logs name the method, the path with
case, appointment and licence numbers masked, the status and the time: never a token, a name, an
ID number or an amount.
"""

from __future__ import annotations

import base64
import email.utils
import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

import requests

from kiosk.platform import answers
from kiosk.platform.deadline import Deadline, SocketWatch, current_watch
from kiosk.platform.port import (
    BadAnswer,
    ClockSkew,
    IdentifyMethod,
    PlatformTimeout,
    PlatformUnavailable,
    RateLimited,
    SignatureRejected,
)
from kiosk.platform.records import (
    Appointment,
    Case,
    Contribution,
    Document,
    HousingFundAccount,
    Licence,
    PlatformSession,
    Service,
    Slot,
)
from kiosk.platform.signing import Signer
from kiosk.platform.transport import watched_session

log = logging.getLogger(__name__)

#: The largest answer the kiosk reads: a document (base64 of a PDF), anything else.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_ANSWER_BYTES = 1024 * 1024
#: Attempts of an idempotent call, and the back-off before the second and third.
ATTEMPTS = 3
BACKOFF = (0.2, 0.5)
#: The header that carries the resident's platform token.
RESIDENT_TOKEN = "X-Resident-Token"

#: The documents a document service delivers: the call behind each service id.
CERTIFICATES: Mapping[str, str] = {
    "si.certificate": "/v1/si/certificate",
    "hf.certificate": "/v1/hf/certificate",
    "re.certificate": "/v1/re/certificate",
}

# "/v1/appointments/slots" is the slots' call, not an appointment number.
_MASKED_PATH = re.compile(r"^(/v1/(?:cases|appointments|licences)/)(?!slots(?:$|[/?]))([^/?]+)")


@dataclass(frozen=True)
class _Call:
    method: str
    path: str
    body: bytes = b""
    query: Mapping[str, str] | None = None
    resident_token: str | None = None
    idempotent: bool = False
    limit: int = MAX_ANSWER_BYTES


class HttpGateway:
    """The gateway over HTTP(S): implements `ServicePlatform` (kiosk.platform.port)."""

    def __init__(
        self,
        url: str,
        signer: Signer,
        *,
        timeout: float = 8.0,
        ca_bundle: str = "",
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._url = url.rstrip("/")
        self._signer = signer
        self.timeout = timeout
        self._verify: bool | str = ca_bundle or True
        self._clock = clock
        self._sleep = sleep
        self._http = watched_session()

    def __repr__(self) -> str:
        return f"HttpGateway({self._url!r}, {self._signer!r}, timeout={self.timeout:g})"

    @property
    def url(self) -> str:
        """The gateway's base address (not secret)."""
        return self._url

    def close(self) -> None:
        """Close the pooled connections."""
        self._http.close()

    # The port.

    def services(self) -> list[Service]:
        return answers.services(self._send(_Call("GET", "/v1/services", idempotent=True)))

    def open_session(
        self,
        method: IdentifyMethod,
        id_number: str,
        name: str,
        *,
        card_no: str | None = None,
        code: str | None = None,
        face_jpeg: bytes | None = None,
    ) -> PlatformSession:
        # A resident code carries no number or name the kiosk could send: null, the platform looks it up.
        request: dict[str, Any] = {"method": method, "id_number": id_number or None, "name": name or None}
        if method == "sscard":
            request["card_no"] = card_no
        if method == "resident_code":
            request["code"] = code
        request["face"] = None if face_jpeg is None else {"image_jpeg_base64": _base64(face_jpeg)}
        data = self._send(_Call("POST", "/v1/auth/session", _json(request)))
        return answers.session(data, self._clock())

    def close_session(self, session: PlatformSession) -> None:
        call = _Call("DELETE", "/v1/auth/session", resident_token=session.resident_token, idempotent=True)
        self._send(call)

    def case(self, case_no: str, query_code: str) -> Case:
        path = f"/v1/cases/{quote(case_no, safe='')}"
        return answers.case(self._send(_Call("GET", path, query={"query_code": query_code}, idempotent=True)))

    def certificate(self, session: PlatformSession, service_id: str, params: Mapping[str, str]) -> Document:
        path = CERTIFICATES.get(service_id)
        if path is None:
            raise ValueError(f"{service_id!r} is not a document service ({', '.join(CERTIFICATES)})")
        call = _Call(
            "POST", path, _json(dict(params)), resident_token=session.resident_token, limit=MAX_DOCUMENT_BYTES
        )
        return answers.document(self._send(call))

    def submit_rating(self, rating: Mapping[str, object]) -> None:
        answers.rating_accepted(
            self._send(_Call("POST", "/v1/ratings", _json(dict(rating)), idempotent=True))
        )

    def si_records(self, session: PlatformSession, first: str, last: str) -> list[Contribution]:
        if not (answers.MONTH.fullmatch(first) and answers.MONTH.fullmatch(last)) or first > last:
            raise ValueError(f"months must be YYYY-MM, the first not after the last: {first!r}..{last!r}")
        call = _Call(
            "GET",
            "/v1/si/records",
            query={"from": first, "to": last},
            resident_token=session.resident_token,
            idempotent=True,
        )
        return answers.contributions(self._send(call), first, last)

    def hf_account(self, session: PlatformSession) -> HousingFundAccount:
        call = _Call("GET", "/v1/hf/account", resident_token=session.resident_token, idempotent=True)
        return answers.housing_fund(self._send(call))

    def licences(self, session: PlatformSession) -> list[Licence]:
        call = _Call("GET", "/v1/licences", resident_token=session.resident_token, idempotent=True)
        return answers.licences(self._send(call))

    def print_licence(self, session: PlatformSession, licence_id: str, purpose: str) -> Document:
        if not purpose.strip():
            raise ValueError("a licence is printed for a purpose: it is empty")
        call = _Call(
            "POST",
            f"/v1/licences/{quote(licence_id, safe='')}/print",
            _json({"purpose": purpose.strip()}),
            resident_token=session.resident_token,
            limit=MAX_DOCUMENT_BYTES,
        )
        return answers.document(self._send(call))

    def appointment_slots(self, hall: str, service: str, day: date) -> list[Slot]:
        day = date(day.year, day.month, day.day)  # a datetime's isoformat would carry its time
        query = {"hall": hall, "service": service, "date": day.isoformat()}
        call = _Call("GET", "/v1/appointments/slots", query=query, idempotent=True)
        return answers.slots(self._send(call), day)

    def book_appointment(self, session: PlatformSession, hall: str, service: str, slot: str) -> Appointment:
        if not answers.SLOT.fullmatch(slot):
            raise ValueError(f"a slot is YYYY-MM-DDTHH:MM as the slots' answer gives it: {slot!r}")
        call = _Call(
            "POST",
            "/v1/appointments",
            _json({"hall": hall, "service": service, "slot": slot}),
            resident_token=session.resident_token,
        )
        return answers.appointment(self._send(call))

    def cancel_appointment(self, session: PlatformSession, appointment_no: str) -> None:
        path = f"/v1/appointments/{quote(appointment_no, safe='')}"
        call = _Call("DELETE", path, resident_token=session.resident_token, idempotent=True)
        answers.cancelled(self._send(call))

    # One step: attempts within the deadline.

    def _send(self, call: _Call) -> Any:
        deadline = Deadline(self.timeout, self._clock)
        attempts = ATTEMPTS if call.idempotent else 1
        for attempt in range(1, attempts + 1):
            try:
                return self._attempt(call, deadline)
            except (PlatformUnavailable, RateLimited) as failure:
                wait = _wait_before_retry(failure, attempt)
                if attempt == attempts or wait is None or wait >= deadline.remaining():
                    raise
                self._sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _attempt(self, call: _Call, deadline: Deadline) -> Any:
        left = deadline.remaining()
        if left <= 0:
            raise PlatformTimeout(f"no time left for {call.method} {_masked(call.path)}")
        url = self._url + call.path + (f"?{urlencode(call.query)}" if call.query else "")
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        headers.update(self._signer.headers(call.body))
        if call.resident_token is not None:
            headers[RESIDENT_TOKEN] = call.resident_token
        watch = SocketWatch(deadline)
        current_watch.watch = watch
        started = self._clock()
        status: int | str = "-"
        try:
            response = self._http.request(
                call.method,
                url,
                data=call.body or None,
                headers=headers,
                timeout=(min(left, 4.0), left),
                verify=self._verify,
                stream=True,
                allow_redirects=False,
            )
            with response:
                status = response.status_code
                body = _read_capped(response, call.limit, deadline)
            if watch.fired:
                raise PlatformTimeout(
                    f"{call.method} {_masked(call.path)}: no full answer within the deadline"
                )
            return _interpret(status, response.headers, body)
        except OSError as error:  # requests' errors are OSErrors, as a socket's own are
            if watch.fired or deadline.expired or isinstance(error, requests.exceptions.Timeout):
                raise PlatformTimeout(
                    f"{call.method} {_masked(call.path)}: no answer within the deadline"
                ) from error
            if isinstance(error, requests.exceptions.SSLError):
                raise PlatformUnavailable(f"TLS failed: {type(error).__name__}") from error
            raise PlatformUnavailable(f"{call.method} {_masked(call.path)}: {_reason(error)}") from error
        finally:
            watch.disarm()
            current_watch.watch = None
            elapsed = (self._clock() - started) * 1000
            log.info("platform %s %s -> %s in %.0f ms", call.method, _masked(call.path), status, elapsed)


def _read_capped(response: requests.Response, limit: int, deadline: Deadline) -> bytes:
    """The body, read in pieces; more than `limit` bytes is refused before it is all in memory."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BadAnswer(f"the answer is too large ({int(declared)} bytes; at most {limit})")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(chunk_size=64 * 1024):
        size += len(chunk)
        if size > limit:
            raise BadAnswer(f"the answer is too large (more than {limit} bytes)")
        if deadline.expired:
            raise PlatformTimeout("the answer did not arrive in full within the deadline")
        chunks.append(chunk)
    return b"".join(chunks)


def _interpret(status: int, headers: Mapping[str, str], body: bytes) -> Any:
    """The data of an answer, or the error its status and envelope mean."""
    if status == 401:
        code, message = answers.envelope_refusal(body) or ("HTTP 401", "")
        if code == "TIMESTAMP_SKEW":
            raise ClockSkew(_skew_seconds(headers.get("Date")))
        raise SignatureRejected(code, message)
    if status == 429:
        raise RateLimited(_retry_after(headers.get("Retry-After")))
    if status >= 500:
        raise PlatformUnavailable(f"the gateway answered HTTP {status}")
    if not 200 <= status < 500:
        raise BadAnswer(f"unexpected HTTP {status}")
    data = answers.envelope_data(body)
    if status >= 400:
        raise BadAnswer(f"HTTP {status} with a success envelope")
    return data


def _skew_seconds(date: str | None) -> int | None:
    """How far the platform's clock (its Date header) is ahead of the kiosk's, in whole seconds."""
    if not date:
        return None
    try:
        platform_time = email.utils.parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return round(platform_time - time.time())


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _wait_before_retry(failure: Exception, attempt: int) -> float | None:
    if isinstance(failure, RateLimited):
        return (
            failure.retry_after
            if failure.retry_after is not None
            else BACKOFF[min(attempt, len(BACKOFF)) - 1]
        )
    return BACKOFF[min(attempt, len(BACKOFF)) - 1]


def _masked(path: str) -> str:
    """The path with a case, appointment or licence number masked: "/v1/cases/WH20****01"."""

    def mask(match: re.Match[str]) -> str:
        number = match.group(2)
        shown = number[:4] + "****" + number[-2:] if len(number) > 8 else "****"
        return match.group(1) + shown

    return _MASKED_PATH.sub(mask, path)


def _reason(error: OSError) -> str:
    if isinstance(error, requests.exceptions.ConnectionError):
        return "cannot connect (refused, unreachable or dropped)"
    return type(error).__name__


def _json(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


__all__ = ["CERTIFICATES", "MAX_ANSWER_BYTES", "MAX_DOCUMENT_BYTES", "RESIDENT_TOKEN", "HttpGateway"]
