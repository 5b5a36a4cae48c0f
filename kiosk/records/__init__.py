"""Domain records: frozen values with no I/O."""

from kiosk.records.guide import (
    ENTERPRISE_LIFE_EVENTS,
    GUIDE_KINDS,
    INDIVIDUAL_LIFE_EVENTS,
    LEVELS,
    Channels,
    Fee,
    Guide,
    GuideSummary,
    Location,
    Material,
    Result,
    SpecialProcedure,
    Step,
)
from kiosk.records.identity import (
    IdCard,
    Identity,
    ResidentCode,
    SocialSecurityCard,
    mask_name,
    mask_number,
)
from kiosk.records.printing import JobState, JobStatus, PrinterStatus, PrintJob
from kiosk.records.rating import (
    BAD_REASONS,
    DIMENSIONS,
    MOBILE_DIGITS,
    Rating,
    RatingLevel,
    valid_mobile,
)
from kiosk.records.search import SearchHit

__all__ = [
    "BAD_REASONS",
    "DIMENSIONS",
    "ENTERPRISE_LIFE_EVENTS",
    "GUIDE_KINDS",
    "INDIVIDUAL_LIFE_EVENTS",
    "LEVELS",
    "MOBILE_DIGITS",
    "Channels",
    "Fee",
    "Guide",
    "GuideSummary",
    "IdCard",
    "Identity",
    "JobState",
    "JobStatus",
    "Location",
    "Material",
    "PrintJob",
    "PrinterStatus",
    "Rating",
    "RatingLevel",
    "ResidentCode",
    "Result",
    "SearchHit",
    "SocialSecurityCard",
    "SpecialProcedure",
    "Step",
    "mask_name",
    "mask_number",
    "valid_mobile",
]
