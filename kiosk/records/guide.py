"""A service guide (办事指南) with every element the Weihai plan fixes for a service item."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

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

    name: str
    form: MaterialForm = "original"
    originals: int = 1
    copies: int = 0
    required: bool = True
    #: When `required` is false: in which case it is needed.
    condition: str = ""
    notes: str = ""
    #: Can be replaced by an electronic licence (免证办).
    e_license: bool = False
    form_url: str = ""


@dataclass(frozen=True)
class Step:
    """One step of the procedure (办理流程)."""

    title: str
    description: str = ""
    actor: str = ""
    duration: str = ""


@dataclass(frozen=True)
class Fee:
    """What the service costs (收费)."""

    charged: bool = False
    standard: str = ""
    basis: str = ""


@dataclass(frozen=True)
class Result:
    """What the resident gets (办理结果)."""

    name: str = ""
    type: Literal["证照", "批文", "其他", ""] = ""
    delivery: tuple[Delivery, ...] = ()


@dataclass(frozen=True)
class SpecialProcedure:
    """A special procedure (特殊环节) with its own basis and time limit."""

    name: SpecialProcedureName
    basis: str = ""
    #: Working days, not counted in the item's own time limit.
    days: int | None = None


@dataclass(frozen=True)
class Location:
    """Where the item is handled in person (regional element)."""

    hall: str
    address: str = ""
    hours: str = ""
    window: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Channels:
    """The ways to handle the item: online, on the phone, at this kiosk, at a counter."""

    online_url: str = ""
    app: str = ""
    self_service: bool = False
    counter: bool = True


@dataclass(frozen=True)
class Guide:
    """A service guide. Only `id`, `name` and `department` are required."""

    id: str
    name: str
    department: str
    kind: str = ""
    agency: str = ""
    basis: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    audience: Audience = "individual"
    steps: tuple[Step, ...] = ()
    materials: tuple[Material, ...] = ()
    intermediary: str = ""
    legal_days: int | None = None
    promised_days: int | None = None
    fee: Fee = field(default_factory=Fee)
    result: Result = field(default_factory=Result)
    quantity_limit: str = ""
    annual_report: str = ""
    special_procedures: tuple[SpecialProcedure, ...] = ()
    locations: tuple[Location, ...] = ()
    phone: str = ""
    complaint_phone: str = ""
    levels: tuple[Level, ...] = ()
    channels: Channels = field(default_factory=Channels)
    max_visits: int | None = None
    cross_region: tuple[CrossRegion, ...] = ()
    commitment: bool = False
    life_events: tuple[LifeEvent, ...] = ()
    plain: str = ""
    pictures: tuple[str, ...] = ()
    video_url: str = ""
    updated: str = ""
    version: str = ""
    #: Demo content bundled with the software, not published by a department.
    demo: bool = False


@dataclass(frozen=True)
class GuideSummary:
    """What a list of guides shows for each entry, without loading the whole record."""

    id: str
    name: str
    department: str
    promised_days: int | None = None
    max_visits: int | None = None
