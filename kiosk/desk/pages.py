"""What the screens of the online services show: one frozen page per step, held in `View.desk`.

The desk (kiosk.desk.desk) writes them; screens read them and never call the platform. Texts
marked "message id" are English ids translated where they are shown (kiosk.i18n); names that come
from the platform (a service's `name`, a case's stages, a hall) are shown as the platform gives
them. Everything the platform returned about the resident lives in these pages, in memory, and
nowhere else: no repr shows it, and the journey drops the pages when the session ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from kiosk.i18n import N_
from kiosk.platform.records import Appointment, Case, Document, Service


class Paper(StrEnum):
    """What the printing screens say is coming out of the printer."""

    #: A guide's checklist of materials (一次性告知单): the kiosk renders it.
    CHECKLIST = "checklist"
    #: An official document the platform delivered (a certificate, a licence): printed as delivered.
    DOCUMENT = "document"
    #: A query's table (contributions, an account), rendered by the kiosk for the resident to keep.
    TABLE = "table"
    #: An appointment slip.
    SLIP = "slip"


#: What each paper is called while it prints, once it is out, and when printing failed.
PRINTING_WORDS = {
    Paper.CHECKLIST: N_("Printing the checklist of materials…"),
    Paper.DOCUMENT: N_("Printing your document…"),
    Paper.TABLE: N_("Printing the table…"),
    Paper.SLIP: N_("Printing your appointment slip…"),
}
PRINTED_WORDS = {
    Paper.CHECKLIST: N_("Printed. Please take your checklist from the tray."),
    Paper.DOCUMENT: N_("Printed. Please take your document from the tray."),
    Paper.TABLE: N_("Printed. Please take the table from the tray."),
    Paper.SLIP: N_("Printed. Please take your appointment slip from the tray."),
}
NOT_PRINTED_WORDS = {
    Paper.DOCUMENT: N_("Your document was not printed. Nothing is lost: you can try again."),
    Paper.TABLE: N_("The table was not printed. Nothing is lost: you can try again."),
    Paper.SLIP: N_("Your appointment slip was not printed. The appointment stays booked: you can try again."),
}


@dataclass(frozen=True)
class ServiceTile:
    """One service on the list, in the platform's order."""

    service: Service
    #: What the resident needs for it, a message id ("" for nothing): card, card and face.
    needs: str


@dataclass(frozen=True)
class ServiceListPage:
    """The services this kiosk offers now (SERVICES), and for an identified resident the greeting."""

    tiles: tuple[ServiceTile, ...]
    #: Why the list is empty or short (a message id with {help_desk}), "" when the platform answered.
    problem: str = ""


@dataclass(frozen=True)
class ConsentPage:
    """Before anything about the resident is sent (CONSENT): what goes where, and why."""

    service: Service
    #: What will be sent, message ids, one per line (name and ID number; a picture of the face).
    sends: tuple[str, ...]
    #: True when a live picture of the face is part of it.
    face: bool


@dataclass(frozen=True)
class FacePage:
    """A live picture for the platform to compare with the photo it holds (FACE)."""

    service: Service
    #: The picture the camera took (JPEG), shown for the resident to accept; None before it is taken.
    picture: bytes | None = field(default=None, repr=False)
    #: What went wrong with the camera, a message id; "" when all is well.
    message: str = ""
    #: True while the camera is taking the picture.
    taking: bool = False


@dataclass(frozen=True)
class WaitPage:
    """A step at the platform in progress (SERVICE_WAIT): never longer than `seconds`."""

    #: The service being done; None while the list of services is fetched.
    service: Service | None
    #: What is happening, a message id.
    message: str
    #: The most the step can take (the platform's timeout), for "this takes at most N s".
    seconds: float


@dataclass(frozen=True)
class FailurePage:
    """A step that did not work (SERVICE_FAILED): what happened, and what the resident can do; or,
    with `done`, a step whose only outcome is a sentence."""

    service: Service | None
    #: The platform's own words when `as_given` (a business refusal, shown as the platform wrote
    #: it), else a message id with {help_desk}.
    message: str
    as_given: bool = False
    #: Whether "try again" makes sense (the platform was slow or away), not after a refusal.
    retry: bool = False
    #: It worked after all: an outcome with nothing more to show (an appointment cancelled by its
    #: number), said on the same screen with a tick instead of the warning.
    done: bool = False


@dataclass(frozen=True)
class TablePage:
    """A query's answer in large, plain rows (QUERY): contributions by month, an account."""

    service: Service
    #: Column headings, message ids.
    columns: tuple[str, ...]
    #: Cell texts, formatted for reading (amounts with two decimals and the yuan sign).
    rows: tuple[tuple[str, ...], ...] = field(repr=False)
    #: A line under the table, a message id with its values filled in by `note_values`.
    note: str = ""
    note_values: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    #: Whether the kiosk can print it (a printer in service).
    printable: bool = True


@dataclass(frozen=True)
class DocumentPage:
    """An official document delivered and digest-checked (DOCUMENT): print it, or check it by QR."""

    service: Service
    document: Document = field(repr=False)
    #: Why it cannot be printed here (a message id: too many pages, no printer), "" when it can.
    problem: str = ""


@dataclass(frozen=True)
class Choice:
    """One option of a choice: what is sent (`value`), what is shown (`label`, `detail`)."""

    value: str = field(repr=False)
    label: str
    detail: str = field(default="", repr=False)
    #: False for an option shown but not open (a slot already taken).
    enabled: bool = True


@dataclass(frozen=True)
class ChoicePage:
    """One choice on the way to a service (CHOOSE): a licence, a purpose, a hall, a day, a slot."""

    service: Service
    #: Which choice this is: "kind", "licence", "purpose", "hall", "counter", "day", "slot".
    step: str
    #: The question, a message id.
    prompt: str
    choices: tuple[Choice, ...]
    #: Said when there is nothing to choose (a message id), e.g. no licence held.
    empty: str = ""


@dataclass(frozen=True)
class EntryField:
    """A field typed on the kiosk's keypad: a case number, a query code, an appointment number."""

    key: str
    #: Its label, a message id.
    label: str
    value: str = field(default="", repr=False)
    max_length: int = 32
    #: Digits only (a numeric keypad), else digits and capital letters.
    digits: bool = False


@dataclass(frozen=True)
class EntryPage:
    """What the resident types or scans to reach their case or appointment (ENTRY)."""

    service: Service
    fields: tuple[EntryField, ...]
    #: The field the keypad types into.
    active: str
    #: What is wrong with what was typed or scanned, a message id; "" when nothing is.
    message: str = ""
    #: True when the code scanner can read the receipt's code instead of typing.
    scan: bool = False


@dataclass(frozen=True)
class CasePage:
    """A case's progress (CASE): its stages with their times, and whether it may be rated."""

    case: Case = field(repr=False)
    #: True once this visit has rated the case (一次一评).
    rated: bool = False


@dataclass(frozen=True)
class BookedPage:
    """An appointment booked (BOOKED): the slip to print, and cancelling it."""

    service: Service
    appointment: Appointment = field(repr=False)
    #: True once cancelled on the resident's request.
    cancelled: bool = False
    #: Whether cancelling is offered (the platform lists appt.cancel).
    cancellable: bool = True


#: Every page a desk screen may show.
DeskPage = (
    ServiceListPage
    | ConsentPage
    | FacePage
    | WaitPage
    | FailurePage
    | TablePage
    | DocumentPage
    | ChoicePage
    | EntryPage
    | CasePage
    | BookedPage
)

__all__ = [
    "NOT_PRINTED_WORDS",
    "PRINTED_WORDS",
    "PRINTING_WORDS",
    "BookedPage",
    "CasePage",
    "Choice",
    "ChoicePage",
    "ConsentPage",
    "DeskPage",
    "DocumentPage",
    "EntryField",
    "EntryPage",
    "FacePage",
    "FailurePage",
    "Paper",
    "ServiceListPage",
    "ServiceTile",
    "TablePage",
    "WaitPage",
]
