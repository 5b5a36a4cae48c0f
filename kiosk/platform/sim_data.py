"""The platform simulator's fictional data: residents matching config/demo/cards, cases, halls, licences.

Everything here is invented. Names start with 演示 ("demo") as on the demo cards, employers and
issuers say 虚构 ("fictional"), and numbers belong to nobody (docs/platform-simulator.md lists them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

#: Printed on every document the simulator issues, so a demo printout is never mistaken for a real one.
FICTIONAL_MARK = "演示数据（虚构），不具任何证明效力"


@dataclass(frozen=True)
class Service:
    """One service the platform lists for a kiosk (`GET /v1/services`)."""

    id: str
    name: str
    name_en: str
    level: str  # "none" | "card" | "face"
    kind: str  # "query" | "document" | "booking" | "case"


#: What the platform offers a kiosk, in the order it lists them.
SERVICES: tuple[Service, ...] = (
    Service("si.records", "社保缴费记录查询", "Social insurance contributions", "card", "query"),
    Service("si.certificate", "参保缴费证明打印", "Social insurance certificate", "card", "document"),
    Service("hf.account", "公积金账户查询", "Housing fund account", "face", "query"),
    Service("hf.certificate", "公积金缴存证明打印", "Housing fund certificate", "face", "document"),
    Service(
        "re.certificate", "不动产登记查询证明", "Real estate registration certificate", "face", "document"
    ),
    Service("lic.list", "电子证照查询", "Electronic licences", "card", "query"),
    Service("lic.print", "电子证照打印", "Print an electronic licence", "card", "document"),
    Service("case.progress", "办件进度查询", "Case progress", "none", "case"),
    Service("appt.slots", "预约时段查询", "Appointment times", "none", "booking"),
    Service("appt.book", "窗口预约", "Book a counter appointment", "card", "booking"),
    Service("appt.cancel", "取消预约", "Cancel an appointment", "card", "booking"),
)


@dataclass(frozen=True)
class Contribution:
    """One insurance's contribution in one month (险种, base, paid, employer); amounts in yuan, as text."""

    month: str
    insurance: str
    base: str
    paid: str
    employer: str


@dataclass(frozen=True)
class HousingFund:
    """A housing-fund account: balance, monthly deposit, state."""

    account_no: str
    balance: str
    monthly_deposit: str
    state: str
    employer: str
    opened: str


@dataclass(frozen=True)
class Licence:
    """An electronic licence (电子证照) held by a resident."""

    id: str
    name: str
    number: str
    issuer: str
    issued: str
    valid_until: str | None


@dataclass(frozen=True)
class Resident:
    """A fictional resident, found by the demo cards' ID number, name, card number or resident code."""

    id_number: str
    name: str
    card_no: str | None = None
    resident_code: str | None = None
    # (first month, last month, base, employer) of each stretch of work; months are "YYYY-MM".
    employment: tuple[tuple[str, str, int, str], ...] = ()
    housing_fund: HousingFund | None = None
    holdings: tuple[str, ...] = ()  # 不动产: the registered properties' descriptions
    licences: tuple[Licence, ...] = ()


# Each insurance and the share of the base the employee pays (the employer's share is not shown).
_INSURANCES = (("职工基本养老保险", 0.08), ("职工基本医疗保险", 0.02), ("失业保险", 0.005))

RESIDENTS: tuple[Resident, ...] = (
    Resident(  # config/demo/cards/resident.json and sscard.json
        id_number="371002199001010023",
        name="演示居民",
        card_no="W00000001",
        resident_code="RC:DEMO0000000000000001",
        employment=(
            ("2019-07", "2022-06", 5200, "演示贸易有限公司（虚构）"),
            ("2022-07", "2026-11", 6800, "演示科技有限公司（虚构）"),
        ),
        housing_fund=HousingFund(
            account_no="DEMO-HF-000001",
            balance="35820.50",
            monthly_deposit="1632.00",
            state="正常缴存",
            employer="演示科技有限公司（虚构）",
            opened="2019-08-01",
        ),
        licences=(
            Licence(
                "LIC-DEMO-0001",
                "机动车驾驶证",
                "DEMO-DL-000001",
                "威海市公安局交通警察支队（虚构）",
                "2015-09-01",
                "2031-09-01",
            ),
            Licence("LIC-DEMO-0002", "学位证书", "DEMO-DEG-000001", "演示大学（虚构）", "2012-07-01", None),
        ),
    ),
    Resident(  # config/demo/cards/resident_long_term.json: retired, owns a flat, no housing fund
        id_number="371002196507070011",
        name="演示长者",
        resident_code="RC:DEMO0000000000000002",
        employment=(("2016-01", "2025-07", 4100, "演示机械厂（虚构）"),),
        holdings=("威海市环翠区演示路3号1单元101室（虚构），住宅，建筑面积86.5平方米",),
        licences=(
            Licence(
                "LIC-DEMO-0003",
                "不动产权证书",
                "DEMO-RE-000003",
                "威海市自然资源和规划局（虚构）",
                "2008-04-18",
                None,
            ),
        ),
    ),
    Resident(  # config/demo/cards/hk_mo_tw.json
        id_number="810000198503150033",
        name="演示港民",
        employment=(("2024-03", "2026-11", 9000, "演示港资咨询有限公司（虚构）"),),
    ),
    Resident(  # config/demo/cards/foreign_2023.json
        id_number="915840200008080018",
        name="演示永居",
        employment=(("2025-01", "2026-11", 7500, "演示外资企业（虚构）"),),
    ),
    Resident(id_number="USA370790909001", name="演示外侨"),  # foreign_2017.json: known, holds nothing
)


def contributions(resident: Resident, first: str, last: str) -> list[Contribution]:
    """The resident's contributions in the months `first`..`last` ("YYYY-MM", both included)."""
    found = []
    for start, end, base, employer in resident.employment:
        for month in _months(max(first, start), min(last, end)):
            for insurance, share in _INSURANCES:
                found.append(Contribution(month, insurance, f"{base:.2f}", f"{base * share:.2f}", employer))
    return found


def _months(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


@dataclass(frozen=True)
class Stage:
    """A stage of a case (受理, 审查, 决定, 送达) and when it was done (None: not yet)."""

    name: str
    at: str | None


@dataclass(frozen=True)
class Case:
    """A case a resident filed, followed with its number and the query code on the receipt."""

    case_no: str
    query_code: str
    service_name: str
    status: str
    stages: tuple[Stage, ...]
    rateable: bool


CASES: tuple[Case, ...] = (
    Case(
        "WH2026110700001",
        "482913",
        "城乡居民基本养老保险待遇申领（演示）",
        "已办结",
        (
            Stage("受理", "2026-11-02T09:14:00+08:00"),
            Stage("审查", "2026-11-03T15:40:00+08:00"),
            Stage("决定", "2026-11-05T10:02:00+08:00"),
            Stage("送达", "2026-11-06T16:30:00+08:00"),
        ),
        rateable=True,
    ),
    Case(
        "WH2026112000002",
        "730146",
        "住房公积金提取（演示）",
        "审查中",
        (
            Stage("受理", "2026-11-20T10:21:00+08:00"),
            Stage("审查", None),
            Stage("决定", None),
            Stage("送达", None),
        ),
        rateable=False,
    ),
    Case(
        "WH2026112500003",
        "195508",
        "不动产登记资料查询（演示）",
        "已受理",
        (
            Stage("受理", "2026-11-25T14:05:00+08:00"),
            Stage("审查", None),
            Stage("决定", None),
            Stage("送达", None),
        ),
        rateable=False,
    ),
)


#: The demo case that tours and tests follow: done, and open to rating.
DEMO_CASE = CASES[0]


@dataclass(frozen=True)
class Hall:
    """A government service hall taking counter appointments, and the counters' services."""

    id: str
    name: str
    address: str
    services: dict[str, str] = field(default_factory=dict)  # service id -> name


HALLS: tuple[Hall, ...] = (
    Hall(
        "HALL-WH",
        "威海市政务服务中心（演示）",
        "威海市环翠区演示大道100号（虚构）",
        {"si.counter": "社保业务窗口", "hf.counter": "公积金业务窗口", "re.counter": "不动产登记窗口"},
    ),
    Hall(
        "HALL-HC",
        "环翠区政务服务中心（演示）",
        "威海市环翠区示例路20号（虚构）",
        {"si.counter": "社保业务窗口", "civil.counter": "民政业务窗口"},
    ),
)


def halls_settings() -> list[dict[str, object]]:
    """The halls as a kiosk's `platform.halls` setting lists them (kiosk.settings.schema.HallEntry)."""
    return [
        {"id": hall.id, "name": hall.name, "address": hall.address, "counters": dict(hall.services)}
        for hall in HALLS
    ]


def halls_toml() -> str:
    """The halls as one TOML value, for KIOSK__PLATFORM__HALLS (scripts/with-platform-sim)."""

    def table(values: dict[str, object]) -> str:
        return (
            "{" + ", ".join(f"{json.dumps(key)} = {value_toml(value)}" for key, value in values.items()) + "}"
        )

    def value_toml(value: object) -> str:
        return table(value) if isinstance(value, dict) else json.dumps(value, ensure_ascii=False)

    return "[" + ", ".join(table(hall) for hall in halls_settings()) + "]"


#: The times a counter takes appointments on a working day (each slot takes one resident).
SLOT_TIMES = (
    "09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
    "13:30", "14:00", "14:30", "15:00", "15:30", "16:00",
)  # fmt: skip
SLOT_MINUTES = 30
