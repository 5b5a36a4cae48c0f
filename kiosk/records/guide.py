"""A service guide (办事指南) with every element the Weihai plan fixes for a service item."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Annotated, Literal

from annotated_types import Le, MaxLen
from pydantic import AfterValidator, Strict

#: The size limits of a guide and of a catalogue, the same at publishing, import and sync (all three
#: validate through this schema). The demo catalogue's largest values are a tenth of them or less
#: (a name of 27 characters, a paragraph of 68, six materials, a line of 3.3 kB): the limits leave
#: room for real guides and stop a mistake (a 50 MB name) before it costs a kiosk memory, disk and
#: minutes of search.
MAX_ID = 64
#: A name, a title, a department, an address, a phone number: one line of text.
MAX_LINE = 200
#: A condition, a legal basis, a step's description, a note, the plain-language version.
MAX_PARAGRAPH = 2_000
MAX_URL = 2_000
#: Entries of one list (materials, steps, conditions, locations, ...).
MAX_ITEMS = 100
#: Time limits in working days (ten years), and copies or visits.
MAX_DAYS = 3_650
MAX_COUNT = 100
#: One guide as one line of JSON Lines: refused before it is parsed when longer.
MAX_GUIDE_BYTES = 256 * 1024
#: A catalogue (a province's service items at every level fit several times over).
MAX_GUIDES = 200_000
MAX_CATALOGUE_BYTES = 512 * 1024 * 1024


#: The characters of categories Cc (control) and Cs (surrogate), the only ones `_text` refuses, less
#: tab, line feed and carriage return for paragraphs: one regular expression finds whether a text
#: holds one, where looking up every character's category cost a third of validating a guide.
_REFUSED_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_REFUSED_IN_PARAGRAPH = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _text(value: str, *, newlines: bool) -> str:
    """Characters only: no lone surrogate (unstorable), no control character (a line break in paragraphs)."""
    if not (_REFUSED_IN_PARAGRAPH if newlines else _REFUSED_IN_LINE).search(value):
        return value
    for index, char in enumerate(value):
        category = unicodedata.category(char)
        if category == "Cs":
            raise ValueError(f"holds a lone surrogate U+{ord(char):04X} at character {index + 1}")
        if category == "Cc" and not (newlines and char in "\t\n\r"):
            raise ValueError(f"holds the control character U+{ord(char):04X} at character {index + 1}")
    return value


def _one_line(value: str) -> str:
    return _text(value, newlines=False)


def _paragraph(value: str) -> str:
    return _text(value, newlines=True)


def _code(value: str) -> str:
    """An id (事项编码) is printed, typed and put in file names: visible characters only."""
    for index, char in enumerate(value):
        if unicodedata.category(char)[0] in "CZ":
            raise ValueError(f"holds the invisible character U+{ord(char):04X} at character {index + 1}")
    return value


GuideId = Annotated[str, MaxLen(MAX_ID), AfterValidator(_code)]
Line = Annotated[str, MaxLen(MAX_LINE), AfterValidator(_one_line)]
Paragraph = Annotated[str, MaxLen(MAX_PARAGRAPH), AfterValidator(_paragraph)]
Url = Annotated[str, MaxLen(MAX_URL), AfterValidator(_one_line)]
#: Strict: JSON `true` is not a number of days (lax validation would read it as 1).
Days = Annotated[int, Strict(), Le(MAX_DAYS)]
Count = Annotated[int, Strict(), Le(MAX_COUNT)]
Flag = Annotated[bool, Strict()]

Audience = Literal["individual", "enterprise", "both"]
MaterialForm = Literal["original", "copy", "original_and_copy", "electronic"]
#: Where an item can be handled: city hall, county hall, town centre (便民服务中心),
#: village station (便民服务站).
Level = Literal["city", "county", "town", "village"]
#: How the result reaches the resident: at the counter, by post, from a self-service locker, as an e-licence.
Delivery = Literal["on_the_spot", "post", "self_pickup", "electronic"]
CrossRegion = Literal["跨省通办", "全省通办"]
SpecialProcedureName = Literal[
    "现场勘验", "听证", "招标", "拍卖", "检验", "检测", "检疫", "鉴定", "专家评审", "公示"
]
#: Life events (一件事) of individuals, in the order of a life.
INDIVIDUAL_LIFE_EVENTS = ("出生", "入学", "就业", "婚育", "住房", "退休", "身后")
#: Life events (一件事) of enterprises, in the order of a business.
ENTERPRISE_LIFE_EVENTS = ("开办", "经营", "变更", "注销")
LifeEvent = Literal["出生", "入学", "就业", "婚育", "住房", "退休", "身后", "开办", "经营", "变更", "注销"]
LEVELS: tuple[Level, ...] = ("city", "county", "town", "village")
GUIDE_KINDS = (
    "行政许可",
    "行政确认",
    "行政裁决",
    "行政给付",
    "行政奖励",
    "行政备案",
    "其他行政权力",
    "公共服务",
)


@dataclass(frozen=True)
class Material:
    """One document the resident brings (申请材料)."""

    name: Line
    form: MaterialForm = "original"
    originals: Count = 1
    copies: Count = 0
    required: Flag = True
    #: When `required` is false: in which case it is needed.
    condition: Paragraph = ""
    notes: Paragraph = ""
    #: Can be replaced by an electronic licence (免证办).
    e_license: Flag = False
    form_url: Url = ""


@dataclass(frozen=True)
class Step:
    """One step of the procedure (办理流程)."""

    title: Line
    description: Paragraph = ""
    actor: Line = ""
    duration: Line = ""


@dataclass(frozen=True)
class Fee:
    """What the service costs (收费)."""

    charged: Flag = False
    standard: Paragraph = ""
    basis: Paragraph = ""


@dataclass(frozen=True)
class Result:
    """What the resident gets (办理结果)."""

    name: Line = ""
    type: Literal["证照", "批文", "其他", ""] = ""
    delivery: Annotated[tuple[Delivery, ...], MaxLen(4)] = ()


@dataclass(frozen=True)
class SpecialProcedure:
    """A special procedure (特殊环节) with its own basis and time limit."""

    name: SpecialProcedureName
    basis: Paragraph = ""
    #: Working days, not counted in the item's own time limit.
    days: Days | None = None


@dataclass(frozen=True)
class Location:
    """Where the item is handled in person (regional element)."""

    hall: Line
    address: Line = ""
    hours: Line = ""
    window: Line = ""
    phone: Line = ""


@dataclass(frozen=True)
class Channels:
    """The ways to handle the item: online, on the phone, at this kiosk, at a counter."""

    online_url: Url = ""
    app: Line = ""
    self_service: Flag = False
    counter: Flag = True


@dataclass(frozen=True)
class Guide:
    """A service guide. Only `id`, `name` and `department` are required."""

    id: GuideId
    name: Line
    department: Line
    kind: Line = ""
    agency: Line = ""
    basis: Annotated[tuple[Paragraph, ...], MaxLen(MAX_ITEMS)] = ()
    conditions: Annotated[tuple[Paragraph, ...], MaxLen(MAX_ITEMS)] = ()
    audience: Audience = "individual"
    steps: Annotated[tuple[Step, ...], MaxLen(MAX_ITEMS)] = ()
    materials: Annotated[tuple[Material, ...], MaxLen(MAX_ITEMS)] = ()
    intermediary: Paragraph = ""
    legal_days: Days | None = None
    promised_days: Days | None = None
    fee: Fee = field(default_factory=Fee)
    result: Result = field(default_factory=Result)
    quantity_limit: Paragraph = ""
    annual_report: Paragraph = ""
    special_procedures: Annotated[tuple[SpecialProcedure, ...], MaxLen(MAX_ITEMS)] = ()
    locations: Annotated[tuple[Location, ...], MaxLen(MAX_ITEMS)] = ()
    phone: Line = ""
    complaint_phone: Line = ""
    levels: Annotated[tuple[Level, ...], MaxLen(len(LEVELS))] = ()
    channels: Channels = field(default_factory=Channels)
    max_visits: Count | None = None
    cross_region: Annotated[tuple[CrossRegion, ...], MaxLen(2)] = ()
    commitment: Flag = False
    life_events: Annotated[tuple[LifeEvent, ...], MaxLen(MAX_ITEMS)] = ()
    plain: Paragraph = ""
    pictures: Annotated[tuple[Url, ...], MaxLen(MAX_ITEMS)] = ()
    video_url: Url = ""
    updated: Line = ""
    version: Line = ""
    #: Demo content bundled with the software, not published by a department.
    demo: Flag = False


@dataclass(frozen=True)
class GuideSummary:
    """What a list of guides shows for each entry, without loading the whole record."""

    id: str
    name: str
    department: str
    promised_days: int | None = None
    max_visits: int | None = None
