"""Rating the service (好差评) at the kiosk: what the resident picks, checked, then kept in the outbox."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from kiosk.digits import ascii_digits
from kiosk.i18n import N_
from kiosk.outbox import RatingOutbox
from kiosk.records import BAD_REASONS, DIMENSIONS, MOBILE_DIGITS, Rating, RatingLevel, valid_mobile
from kiosk.session import ResidentSession

#: Where the session holds the phone number while it is typed (personal data lives in the session).
PHONE_KEY = "rating.phone"
#: Seconds the thank-you stays after a rating before the kiosk goes back home by itself
#: (kiosk.journey.Journey.home_after_thanks).
THANKS_SECONDS = 6


class RatingRefused(ValueError):
    """The rating cannot be submitted as it stands; `resident_message` says what to do (a message id)."""

    def __init__(self, resident_message: str) -> None:
        super().__init__(resident_message)
        self.resident_message = resident_message


class RatingFlow:
    """One resident's rating during one visit: level, dimensions, reasons, consent and phone.

    The phone number is held by the session (so that ending the session drops it) and reaches
    the outbox only with consent. `already_rated` means this visit has a rating: the flow refuses
    another one and the screen says so. A rating is about the case `case_no` (好差评 of a 办件)
    when one is given, else about the guide `guide_id`, else about the terminal.
    """

    def __init__(
        self,
        session: ResidentSession,
        outbox: RatingOutbox,
        kiosk_id: str,
        *,
        guide_id: str = "",
        case_no: str = "",
        already_rated: bool = False,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._session = session
        self._session_id = session.session_id
        self._outbox = outbox
        self._kiosk_id = kiosk_id
        self._now = now
        self.guide_id = guide_id
        self.case_no = case_no
        self.already_rated = already_rated
        self.level: RatingLevel | None = None
        self.dimensions: dict[str, bool] = {}
        self.reasons: set[str] = set()
        self.consent = False
        self.submitted: Rating | None = None
        #: Why the last submit was refused (a message id), "" when it was not.
        self.message = ""

    @property
    def returns_home(self) -> bool:
        """Whether the thank-you goes back home by itself (after THANKS_SECONDS): after a submit,
        not when the visit had already rated (that resident came to look, and may look on)."""
        return self.submitted is not None

    # -- what the resident picks ----------------------------------------------------------------

    def choose_level(self, level: RatingLevel) -> None:
        """Pick one of the five levels; reasons belong to bad ratings only, so a good one drops them."""
        self.level = level
        if not level.bad:
            self.reasons.clear()
        self.message = ""

    def cycle_dimension(self, dimension: str) -> bool | None:
        """Tap a dimension: not rated -> good -> poor -> not rated. Returns its new value."""
        if dimension not in DIMENSIONS:
            raise KeyError(dimension)
        value = self.dimensions.get(dimension)
        if value is None:
            self.dimensions[dimension] = True
        elif value:
            self.dimensions[dimension] = False
        else:
            del self.dimensions[dimension]
        return self.dimensions.get(dimension)

    def toggle_reason(self, reason: str) -> bool:
        """Pick or unpick a reason for a bad rating; returns whether it is picked now."""
        if reason not in BAD_REASONS:
            raise KeyError(reason)
        if self.level is None or not self.level.bad:
            return False
        if reason in self.reasons:
            self.reasons.remove(reason)
            return False
        self.reasons.add(reason)
        return True

    def set_consent(self, consent: bool) -> None:
        """The resident agrees (or no longer agrees) to be called back; withdrawing drops the number."""
        self.consent = consent
        if not consent:
            self._set_phone("")
        self.message = ""

    @property
    def phone(self) -> str:
        """The digits typed so far ("" without consent)."""
        value = self._session.personal(PHONE_KEY)
        return value if isinstance(value, str) else ""

    def press_digit(self, digit: str) -> None:
        """A key of the digit keypad; ignored without consent or when the number is complete."""
        if not self.consent or not ascii_digits(digit) or len(digit) != 1 or len(self.phone) >= MOBILE_DIGITS:
            return
        self._set_phone(self.phone + digit)

    def backspace(self) -> None:
        """Remove the last digit typed."""
        self._set_phone(self.phone[:-1])

    # -- submitting -----------------------------------------------------------------------------

    def submit(self) -> Rating:
        """Check the rating and keep it in the outbox; raises RatingRefused saying what to fix."""
        try:
            rating = self._checked()
        except RatingRefused as refused:
            self.message = refused.resident_message
            raise
        self._outbox.add(rating)
        self.submitted = rating
        self.message = ""
        self._set_phone("")  # in the outbox now; the session need not hold it any longer
        return rating

    def _checked(self) -> Rating:
        if self.already_rated or self.submitted is not None:
            raise RatingRefused(N_("You have already rated this visit. Thank you!"))
        if not self._session.active or self._session.session_id != self._session_id:
            raise RatingRefused(N_("This visit has ended. Please start again to rate the service."))
        if self.level is None:
            raise RatingRefused(N_("Please choose how satisfied you are."))
        phone = self.phone if self.consent else ""
        if phone and not valid_mobile(phone):
            raise RatingRefused(
                N_("Please enter an 11-digit mobile number starting with 1, or clear it to rate without one.")
            )
        return Rating(
            rating_id=uuid.uuid4().hex,
            kiosk_id=self._kiosk_id,
            rated_at=self._now().astimezone(UTC).isoformat(timespec="seconds"),
            level=self.level,
            dimensions=tuple(sorted(self.dimensions.items())),
            reasons=tuple(sorted(self.reasons)) if self.level.bad else (),
            guide_id=self.guide_id,
            phone=phone,
            case_no=self.case_no,
        )

    def _set_phone(self, digits: str) -> None:
        if self._session.active:
            self._session.keep_personal(PHONE_KEY, digits)
