"""The papers of the online services the kiosk renders itself: a query's table, an appointment slip.

The PDFs are read back with poppler (as tests/kiosk/test_documents.py does) through a pipe: a
resident's paper is rendered in memory and, here too, never written to a file.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime

import pytest

from kiosk.documents import PrintContext, render_appointment_slip, render_query_table
from kiosk.platform.records import Appointment

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is installed by make test"
)

CONTEXT = PrintContext("wh-0042", "羊亭镇便民服务站", datetime(2026, 12, 7, 9, 30))
COLUMNS = ("月份", "险种", "缴费基数", "个人缴费", "单位")
EMPLOYER = "威海演示科技有限公司（虚构）"
APPOINTMENT = Appointment(
    appointment_no="YY0123456789",
    hall="HALL-WH",
    hall_name="威海市政务服务中心（演示）",
    address="威海市环翠区演示大道100号（虚构）",
    service="si.counter",
    service_name="社保业务窗口",
    slot="2026-12-14T09:30",
)


def contributions(months: int) -> list[tuple[str, ...]]:
    rows = []
    for index in range(months):
        month = f"{2020 + index // 12}-{index % 12 + 1:02d}"
        rows.append((month, "职工基本养老保险", "6800.00", "544.00", EMPLOYER))
        rows.append((month, "失业保险", "6800.00", "34.00", EMPLOYER))
    return rows


def query_pdf(
    rows: list[tuple[str, ...]],
    note: str = "",
    paper: str = "a4",
    title: str = "社会保险缴费记录",
    columns: tuple[str, ...] = COLUMNS,
) -> bytes:
    return render_query_table(title, columns, rows, note, context=CONTEXT, paper_name=paper)


def poppler(tool: str, pdf: bytes, *args: str) -> str:
    """What a poppler tool says about `pdf`, given on its standard input."""
    output = ["-"] if tool == "pdftotext" else []  # pdftotext also writes to a file unless told "-"
    result = subprocess.run([tool, *args, "-", *output], input=pdf, capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def text(pdf: bytes, page: int | None = None) -> str:
    pages = ("-f", str(page), "-l", str(page)) if page else ()
    return "".join(poppler("pdftotext", pdf, *pages).split())


def info(pdf: bytes) -> dict[str, str]:
    lines = poppler("pdfinfo", pdf).splitlines()
    return {key: value.strip() for key, value in (line.split(":", 1) for line in lines if ":" in line)}


@pytest.mark.parametrize("paper", ["a4", "receipt80"])
def test_a_query_table_holds_its_rows_the_kiosk_the_time_and_says_it_is_no_certificate(paper: str) -> None:
    pdf = query_pdf(contributions(2), "缴费期间：2020-01 至 2020-02", paper)
    printed = text(pdf)
    for expected in (
        "社会保险缴费记录",
        "月份",
        "缴费基数",
        "个人缴费",
        "2020-02",
        "职工基本养老保险",
        "544.00",
        "缴费期间：2020-01至2020-02",
        "仅供本人参考，不作为证明材料",
        "打印时间2026-12-0709:30",
        "wh-0042",
        "羊亭镇便民服务站",
    ):
        assert expected in printed, expected
    fonts = poppler("pdffonts", pdf).splitlines()[2:]
    assert fonts and all(" yes " in row for row in fonts)  # embedded: nothing for the printer to guess


def test_a_long_table_repeats_its_header_on_every_page() -> None:
    pdf = query_pdf(contributions(60))
    pages = [text(pdf, page) for page in range(1, int(info(pdf)["Pages"]) + 1)]
    with_rows = [page for page in pages if "失业保险" in page]
    assert len(with_rows) >= 3
    assert all(page.startswith("月份险种缴费基数个人缴费单位") for page in with_rows[1:])
    assert "2024-12" in with_rows[-1] and "仅供本人参考" in "".join(pages[-2:])


def test_a_two_column_account_prints_as_items_and_contents() -> None:
    rows = [("账户状态", "正常缴存"), ("账户余额", "¥35,820.50"), ("月缴存额", "¥1,632.00")]
    printed = text(query_pdf(rows, paper="receipt80", title="住房公积金账户", columns=("项目", "内容")))
    assert "项目内容" in printed and "账户余额¥35,820.50" in printed


def test_nothing_of_the_resident_reaches_the_metadata() -> None:
    pdf = query_pdf(contributions(1), "缴费期间：2020-01 至 2020-01")
    metadata = info(pdf)
    assert metadata["Title"] == "社会保险缴费记录" and metadata["Subject"] == "查询结果"
    assert metadata["Author"] == "Weihai self-service kiosk"
    for value in metadata.values():
        assert not any(secret in value for secret in ("544.00", "6800", "虚构", "2020-01"))


def test_an_empty_answer_says_so_and_a_ragged_row_is_refused() -> None:
    assert "没有查到记录" in text(query_pdf([]))
    with pytest.raises(ValueError, match="3 cells for 5 columns"):
        query_pdf([("2020-01", "失业保险", "1")])


@pytest.mark.parametrize("paper", ["a4", "receipt80"])
def test_the_appointment_slip_says_where_when_what_to_bring_and_how_to_cancel(paper: str) -> None:
    pdf = render_appointment_slip(APPOINTMENT, CONTEXT, paper)
    printed = text(pdf)
    for expected in (
        "窗口预约凭条",
        "预约号YY0123456789",
        "2026-12-14（星期一）09:30",
        "威海市政务服务中心（演示）",
        "威海市环翠区演示大道100号（虚构）",
        "社保业务窗口",
        "居民身份证",
        "预约时间前10分钟到达",
        "取消预约",
        "wh-0042",
    ):
        assert expected in printed, expected
    metadata = info(pdf)
    assert metadata["Title"] == "窗口预约凭条"
    assert not any("YY0123456789" in value for value in metadata.values())
    assert int(metadata["Pages"]) == 1
