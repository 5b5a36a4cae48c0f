"""Pages of the online services as the desk writes them, for the screens' tests (fictional data)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kiosk.desk.pages import (
    BookedPage,
    CasePage,
    Choice,
    ChoicePage,
    DocumentPage,
    EntryField,
    EntryPage,
    TablePage,
)
from kiosk.desk.tables import account_table, contributions_table
from kiosk.platform.records import (
    Appointment,
    Case,
    Contribution,
    Document,
    HousingFundAccount,
    Service,
    Stage,
)

SI_RECORDS = Service("si.records", "社保缴费记录查询", "Social insurance contributions", "card", "query")
SI_CERTIFICATE = Service(
    "si.certificate", "参保缴费证明打印", "Social insurance certificate", "card", "document"
)
CASE_PROGRESS = Service("case.progress", "办件进度查询", "Case progress", "none", "case")
APPT_BOOK = Service("appt.book", "窗口预约", "Book a counter appointment", "card", "booking")

INSURANCES = ("职工基本养老保险", "职工基本医疗保险", "失业保险")
EMPLOYER = "威海市演示科技有限公司（虚构）"
VERIFY_URL = "https://zwfw.weihai.example/verify/V7K2Q9M4"


def contributions_page(months: int = 12, *, printable: bool = True) -> TablePage:
    """A year of three insurances, as the desk tabulates it: 36 rows, newest month first."""
    records = [
        Contribution(
            f"2026-{month:02d}", insurance, Decimal("5200.00"), paid, "威海市演示科技有限公司（虚构）"
        )
        for month in range(1, months + 1)
        for insurance, paid in zip(INSURANCES, (Decimal("416"), Decimal("104"), Decimal("26")), strict=True)
    ]
    return contributions_table(SI_RECORDS, records, printable)


def account_page() -> TablePage:
    """A housing-fund account, item by item, as the desk tabulates it: a short table."""
    account = HousingFundAccount(
        "HF0001", Decimal("12345.60"), Decimal("1200.00"), "正常缴存", EMPLOYER, date(2015, 3, 1)
    )
    return account_table(SI_RECORDS, account, True)


def document_page(problem: str = "") -> DocumentPage:
    document = Document(
        file_name="参保缴费证明.pdf",
        media_type="application/pdf",
        content=b"%PDF-1.4 fictional",
        sha256="0" * 64,
        verify_code="V7K2-Q9M4",
        verify_url=VERIFY_URL,
        pages=2,
    )
    return DocumentPage(service=SI_CERTIFICATE, document=document, problem=problem)


def slots_page(taken: frozenset[int] = frozenset({2, 5, 6})) -> ChoicePage:
    """Fourteen half-hour slots of one day, a few of them taken."""
    starts = [f"{hour:02d}:{minute:02d}" for hour in (9, 10, 11, 13, 14, 15, 16) for minute in (0, 30)]
    choices = []
    for index, start in enumerate(starts):
        hour, minute = int(start[:2]), int(start[3:])
        end = f"{hour + (minute + 30) // 60:02d}:{(minute + 30) % 60:02d}"
        choices.append(
            Choice(value=f"2026-12-09T{start}", label=f"{start}–{end}", enabled=index not in taken)
        )
    return ChoicePage(service=APPT_BOOK, step="slot", prompt="Choose a time", choices=tuple(choices))


def halls_page() -> ChoicePage:
    return ChoicePage(
        service=APPT_BOOK,
        step="hall",
        prompt="Choose a service hall",
        choices=(
            Choice("HALL-WH", "威海市政务服务中心（演示）", "威海市环翠区演示大道100号（虚构）"),
            Choice("HALL-HC", "环翠区政务服务中心（演示）", "威海市环翠区示例路20号（虚构）"),
        ),
    )


def empty_page() -> ChoicePage:
    return ChoicePage(
        service=APPT_BOOK,
        step="slot",
        prompt="Choose a time",
        choices=(),
        empty="There are no free times on this day. Please choose another day.",
    )


def entry_page(active: str = "case_no", case_no: str = "WH2026", message: str = "") -> EntryPage:
    return EntryPage(
        service=CASE_PROGRESS,
        fields=(
            EntryField("case_no", "Case number", case_no, max_length=15),
            EntryField("query_code", "Query code", "", max_length=6, digits=True),
        ),
        active=active,
        message=message,
        scan=True,
    )


def case_page(*, rated: bool = False, done: int = 2, rateable: bool = False) -> CasePage:
    times = ("2026-11-20T10:21:00+08:00", "2026-11-21T15:40:00+08:00", "2026-11-23T10:02:00+08:00")
    names = ("受理", "审查", "决定", "送达")
    stages = tuple(Stage(name, times[i] if i < done else None, i < done) for i, name in enumerate(names))
    case = Case("WH2026112000002", "住房公积金提取（演示）", "审查中", stages, rateable)
    return CasePage(case=case, rated=rated)


def booked_page(*, cancelled: bool = False, cancellable: bool = True) -> BookedPage:
    appointment = Appointment(
        appointment_no="A0917",
        hall="HALL-WH",
        hall_name="威海市政务服务中心（演示）",
        address="威海市环翠区演示大道100号（虚构）",
        service="si.counter",
        service_name="社保业务窗口",
        slot="2026-12-09T09:30",
    )
    return BookedPage(
        service=APPT_BOOK, appointment=appointment, cancelled=cancelled, cancellable=cancellable
    )
