"""A resident's rating of the service (好差评): the national levels, dimensions and reasons."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from kiosk.i18n import N_
from kiosk.records.identity import mask_number


class RatingLevel(StrEnum):
    """The five levels of the national 好差评 scheme, best first."""

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"
    VERY_DISSATISFIED = "very_dissatisfied"

    @property
    def national(self) -> str:
        """The level's name in the national scheme, as it is reported upstream."""
        return NATIONAL_NAMES[self]

    @property
    def message(self) -> str:
        """The level's name as the resident reads it (a message id)."""
        return LEVEL_MESSAGES[self]

    @property
    def bad(self) -> bool:
        """A bad rating (差评): it must be followed up, so it carries its reasons."""
        return self in {RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED}


NATIONAL_NAMES = {
    RatingLevel.VERY_SATISFIED: "非常满意",
    RatingLevel.SATISFIED: "满意",
    RatingLevel.BASICALLY_SATISFIED: "基本满意",
    RatingLevel.DISSATISFIED: "不满意",
    RatingLevel.VERY_DISSATISFIED: "非常不满意",
}

LEVEL_MESSAGES = {
    RatingLevel.VERY_SATISFIED: N_("Very satisfied"),
    RatingLevel.SATISFIED: N_("Satisfied"),
    RatingLevel.BASICALLY_SATISFIED: N_("Basically satisfied"),
    RatingLevel.DISSATISFIED: N_("Dissatisfied"),
    RatingLevel.VERY_DISSATISFIED: N_("Very dissatisfied"),
}

#: The offline dimensions besides the overall level, each rated good or poor when the resident wants to.
DIMENSIONS: dict[str, str] = {
    "efficiency": N_("Efficiency"),
    "service_level": N_("Service level"),
    "attitude": N_("Attitude"),
}

#: Reasons a resident can pick for a bad rating: a fixed list, so that follow-up can count them.
BAD_REASONS: dict[str, str] = {
    "long_wait": N_("Waited too long"),
    "guide_unclear": N_("The guide was unclear"),
    "materials": N_("Too many materials asked for"),
    "kiosk_fault": N_("The kiosk did not work properly"),
    "not_solved": N_("My matter was not solved"),
    "attitude": N_("Staff attitude"),
    "other": N_("Other"),
}

#: A mainland China mobile number: 11 digits, 1 then 3-9.
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
MOBILE_DIGITS = 11


def valid_mobile(number: str) -> bool:
    """Whether `number` is a mainland China mobile number (11 digits starting 13-19)."""
    return _MOBILE.fullmatch(number) is not None


@dataclass(frozen=True)
class Rating:
    """One submitted rating, as the outbox keeps it and sends it upstream.

    It names no resident: `phone` is set only when the resident agreed to be called back. Its
    subject is the case when `case_no` is set, else the guide when `guide_id` is, else the terminal.
    """

    rating_id: str
    kiosk_id: str
    rated_at: str
    level: RatingLevel
    #: Dimension name -> True (good) / False (poor), only for those the resident rated.
    dimensions: tuple[tuple[str, bool], ...] = ()
    #: Codes from BAD_REASONS; empty unless the level is bad.
    reasons: tuple[str, ...] = ()
    #: The guide the resident rated after, "" when they rated from home.
    guide_id: str = ""
    #: A consented mobile number for the follow-up, "" without consent.
    phone: str = ""
    #: The case (办件) rated, by its case number, "" when the rating is not about a case. It points
    #: at one resident's case: kept only until the platform has the rating, masked in every repr.
    case_no: str = ""

    def __repr__(self) -> str:
        phone = f"{self.phone[:3]}****{self.phone[-4:]}" if self.phone else ""
        case = mask_number(self.case_no, head=4, tail=2) if self.case_no else ""
        return (
            f"Rating({self.rating_id}, {self.level.value}, dimensions={dict(self.dimensions)}, "
            f"reasons={list(self.reasons)}, guide={self.guide_id!r}, case={case!r}, phone={phone!r})"
        )
