"""The `ServicePlatform` port: what the core needs from the provincial platform, and how it fails.

It lives with the platform's records rather than in kiosk/ports.py: kiosk/ports.py is the seam of
the hardware, implemented by drivers found by entry point; this port has one adapter
(kiosk.platform.gateway) and a simulator speaking the same HTTP contract, and its records and
errors belong to the platform's vocabulary, not to the devices'.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Literal, Protocol, runtime_checkable

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

#: How a resident identifies to the platform.
IdentifyMethod = Literal["id_card", "sscard", "resident_code"]


class PlatformError(Exception):
    """The platform could not do what was asked. The message is for a technician, never a resident's data."""


class PlatformNotConfigured(PlatformError):
    """This kiosk has no platform (`[platform] url` is empty): its services are out of service."""


class PlatformRefused(PlatformError):
    """A business refusal: `code` (NOT_FOUND, CODE_MISMATCH, FACE_REQUIRED, ...) and the platform's
    `msg`, fit to show a resident as given."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class PlatformUnavailable(PlatformError):
    """The platform is down: no connection, or a 5xx answer."""


class PlatformTimeout(PlatformError):
    """The step's deadline passed before the platform answered in full."""


class SignatureRejected(PlatformError):
    """The gateway refused the request's signature (401 BAD_SIGNATURE, NONCE_REUSED): the paas id,
    the token or the hash do not match what the gateway has for this kiosk."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"signature rejected ({code}){': ' + message if message else ''}")
        self.code = code


class ClockSkew(PlatformError):
    """The gateway refused the timestamp (401 TIMESTAMP_SKEW): the kiosk's clock is off by
    `seconds` (positive: the kiosk is behind the platform), None when the answer had no usable Date."""

    def __init__(self, seconds: int | None) -> None:
        if seconds is None:
            text = "kiosk clock is off (the gateway refused the timestamp)"
        else:
            side = "behind" if seconds > 0 else "ahead of"
            text = f"kiosk clock is {abs(seconds)} s off ({side} the platform)"
        super().__init__(text)
        self.seconds = seconds


class RateLimited(PlatformError):
    """The gateway answered 429; `retry_after` seconds (None when it did not say) did not fit the step."""

    def __init__(self, retry_after: float | None) -> None:
        wait = f"; retry after {retry_after:g} s" if retry_after is not None else ""
        super().__init__(f"rate limited by the gateway{wait}")
        self.retry_after = retry_after


class BadAnswer(PlatformError):
    """An answer the kiosk cannot use: not JSON, not the envelope, a field of the wrong type, a
    document whose digest does not match, or an answer larger than the kiosk accepts."""


#: Why a call failed, in the words `kiosk platform check` and the doctor use (the first match wins).
_REASONS: tuple[tuple[type[PlatformError], str], ...] = (
    (SignatureRejected, "signature rejected"),
    (PlatformNotConfigured, "not configured"),
    (PlatformTimeout, "timeout"),
    (PlatformUnavailable, "unreachable"),
    (RateLimited, "rate limited"),
    (BadAnswer, "bad answer"),
    (PlatformRefused, "refused"),
)


def failure_reason(error: PlatformError) -> str:
    """Why a call failed, for a technician: "signature rejected", "kiosk clock is N s off
    (behind the platform)", "unreachable", "timeout", "rate limited", "bad answer", ..."""
    if isinstance(error, ClockSkew):
        return str(error)
    return next((text for kind, text in _REASONS if isinstance(error, kind)), "failed")


@runtime_checkable
class ServicePlatform(Protocol):
    """The provincial government-service platform, as the kiosk transacts through it.

    Every call is one resident step: it returns or raises a `PlatformError` within the step's
    deadline, retries included.
    """

    def services(self) -> list[Service]:
        """The services this kiosk may offer, in the platform's order."""
        ...

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
        """Identify a resident; a face picture raises the session to the `face` level."""
        ...

    def close_session(self, session: PlatformSession) -> None:
        """End the resident's platform session (their token stops working)."""
        ...

    def case(self, case_no: str, query_code: str) -> Case:
        """A case's progress (no resident session needed)."""
        ...

    def certificate(self, session: PlatformSession, service_id: str, params: Mapping[str, str]) -> Document:
        """A document service's file (si.certificate, hf.certificate, re.certificate), digest-checked."""
        ...

    def submit_rating(self, rating: Mapping[str, object]) -> None:
        """Send one rating (the contract's body); returns when accepted. Idempotent on its rating_id."""
        ...

    def si_records(self, session: PlatformSession, first: str, last: str) -> list[Contribution]:
        """The resident's social-insurance contributions in the months `first`..`last` ("YYYY-MM")."""
        ...

    def hf_account(self, session: PlatformSession) -> HousingFundAccount:
        """The resident's housing-fund account (a `face` session: else FACE_REQUIRED)."""
        ...

    def licences(self, session: PlatformSession) -> list[Licence]:
        """The resident's electronic licences, in the platform's order."""
        ...

    def print_licence(self, session: PlatformSession, licence_id: str, purpose: str) -> Document:
        """A licence's file, watermarked with what it is for, digest-checked."""
        ...

    def appointment_slots(self, hall: str, service: str, day: date) -> list[Slot]:
        """A hall counter's appointment times on `day` (no resident session needed)."""
        ...

    def book_appointment(self, session: PlatformSession, hall: str, service: str, slot: str) -> Appointment:
        """Book a slot for the resident; a slot already taken is PlatformRefused SLOT_TAKEN."""
        ...

    def cancel_appointment(self, session: PlatformSession, appointment_no: str) -> None:
        """Cancel the resident's appointment; its slot is free again."""
        ...


__all__ = [
    "BadAnswer",
    "ClockSkew",
    "IdentifyMethod",
    "PlatformError",
    "PlatformNotConfigured",
    "PlatformRefused",
    "PlatformTimeout",
    "PlatformUnavailable",
    "RateLimited",
    "ServicePlatform",
    "SignatureRejected",
    "failure_reason",
]
