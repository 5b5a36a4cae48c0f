from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image
from pyzbar.pyzbar import ZBarSymbol, decode

from kiosk.documents import (
    ChecklistContext,
    PrintContext,
    PrinterTestPage,
    render_checklist,
    render_guide,
    render_rating_receipt,
    render_test_page,
)
from kiosk.guides import DEMO_CATALOGUE, read_jsonl

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is installed by make test"
)

CONTEXT = ChecklistContext(
    kiosk_id="wh-0042",
    site_name="羊亭镇便民服务站",
    handover_url="https://zwfw.weihai.example/guide/371000-GJJ-0003",
    printed_at=datetime(2026, 11, 27, 9, 30),
)


def guide(guide_id: str):  # type: ignore[no-untyped-def]
    with DEMO_CATALOGUE.open(encoding="utf-8") as handle:
        return next(g for g in read_jsonl(handle) if g.id == guide_id)


@pytest.mark.parametrize("paper", ["a4", "receipt80"])
def test_checklist_has_extractable_chinese_and_embedded_fonts(tmp_path: Path, paper: str) -> None:
    pdf = tmp_path / "checklist.pdf"
    pdf.write_bytes(render_checklist(guide("371000-GJJ-0003"), CONTEXT, paper))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    compact = "".join(text.split())
    for expected in (
        "一次性告知单",
        "住房公积金提取",
        "购房合同",
        "复印件1份",
        "以下情形提交",
        "配偶提取时",
        "承诺办结时限：1个工作日",
        "wh-0042",
        "羊亭镇便民服务站",
        "2026-11-2709:30",
    ):
        assert expected in compact, expected
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    # Every font embedded, not only the CJK one: no Helvetica left for the printer to substitute.
    assert rows and all("WenQuanYi" in row and " yes " in row for row in rows), fonts


def test_metadata_names_the_guide_and_the_software(tmp_path: Path) -> None:
    pdf = tmp_path / "checklist.pdf"
    pdf.write_bytes(render_checklist(guide("371000-GA-0001"), CONTEXT, "a4"))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert fields["Title"].strip() == "一次性告知单 居民身份证换领"
    assert fields["Subject"].strip() == "371000-GA-0001"
    assert fields["Author"].strip() == "Weihai self-service kiosk"


def pdf_text(path: Path) -> str:
    return "".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )


def pdf_info(path: Path) -> dict[str, str]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {
        key: value.strip() for key, value in (line.split(":", 1) for line in info.splitlines() if ":" in line)
    }


def all_fonts_embedded(path: Path) -> bool:
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    return bool(rows) and all(" yes " in row for row in rows)


@pytest.mark.parametrize(("paper", "width"), [("a4", "595.276"), ("receipt80", "226.772")])
def test_the_full_guide_prints_every_element_at_the_configured_width(
    tmp_path: Path, paper: str, width: str
) -> None:
    pdf = tmp_path / "guide.pdf"
    pdf.write_bytes(render_guide(guide("371000-GA-0001"), CONTEXT, paper))
    text = pdf_text(pdf)
    for expected in (
        "办事指南",
        "居民身份证换领",
        "白话版",
        "事项类型：行政确认",
        "实施机构：威海市公安局户政管理支队",
        "可办理层级：市级政务服务中心、区市政务服务中心、镇街便民服务中心",
        "通办范围：跨省通办",
        "《中华人民共和国居民身份证法》第十一条",
        "受理条件",
        "1.居民户口簿原件1份必须提交",
        "可用电子证照代替（免证办）",
        "以下情形提交：不在窗口现场拍照时",
        "办理流程",
        "3.制证：省公安厅制证中心制作证件（公安机关，15个工作日）",
        "法定办结时限：60个工作日",
        "收费：20元（换领）",
        "收费依据：鲁价费发〔2004〕1号",
        "最多跑几次：1次",
        "中华人民共和国居民身份证（证照）",
        "领取方式：窗口当场领取、免费邮寄送达、自助终端领取",
        "掌上办：爱山东App威海分厅",
        "威海市政务服务中心",
        "时间：周一至周五9:00-17:00，周六9:00-12:00",
        "投诉电话：12345",
        "指南更新2026-10-15",
        "wh-0042",
    ):
        assert expected in text, expected
    assert all_fonts_embedded(pdf)
    info = pdf_info(pdf)
    assert info["Page size"].startswith(f"{width} x")
    assert info["Title"] == "办事指南 居民身份证换领"


def test_the_name_is_on_the_checklist_only_when_asked_and_never_in_its_metadata(tmp_path: Path) -> None:
    named, plain = tmp_path / "named.pdf", tmp_path / "plain.pdf"
    named.write_bytes(render_checklist(guide("371000-GA-0001"), CONTEXT, "a4", resident_name="欧阳娜娜"))
    plain.write_bytes(render_checklist(guide("371000-GA-0001"), CONTEXT, "a4"))
    assert "申请人：欧阳娜娜" in pdf_text(named)
    assert "欧阳娜娜" not in pdf_text(plain) and "申请人" not in pdf_text(plain)
    assert not any("欧阳" in value for value in pdf_info(named).values())


@pytest.mark.parametrize("paper", ["a4", "receipt80"])
def test_the_rating_receipt_holds_the_level_date_and_kiosk_and_nobody(tmp_path: Path, paper: str) -> None:
    pdf = tmp_path / "rating.pdf"
    context = PrintContext("wh-0042", "羊亭镇便民服务站", datetime(2026, 11, 27, 9, 30))
    pdf.write_bytes(render_rating_receipt("基本满意", context, paper, "居民身份证换领"))
    text = pdf_text(pdf)
    for expected in ("好差评", "评价：基本满意", "居民身份证换领", "2026-11-2709:30", "wh-0042"):
        assert expected in text, expected
    assert all_fonts_embedded(pdf)
    assert pdf_info(pdf)["Subject"] == "基本满意"


def test_an_unknown_rating_level_is_refused() -> None:
    context = PrintContext("k", "s", datetime(2026, 11, 27))
    with pytest.raises(ValueError, match="not one of 非常满意"):
        render_rating_receipt("great", context, "a4")


@pytest.mark.parametrize("paper", ["a4", "receipt80"])
def test_the_test_page_reports_the_kiosk_and_its_qr_code_reads_back(tmp_path: Path, paper: str) -> None:
    info = PrinterTestPage(
        "wh-0042",
        "羊亭镇便民服务站",
        datetime(2026, 11, 27, 9, 30),
        printer="CUPS queue 'kiosk' on localhost",
        paper=paper,
    )
    pdf = tmp_path / "test.pdf"
    pdf.write_bytes(render_test_page(info))
    text = pdf_text(pdf)
    for expected in (
        "打印测试页",
        "wh-0042",
        "羊亭镇便民服务站",
        "2026-11-2709:30:00",
        "CUPSqueue'kiosk'",
        paper,
        "WenQuanYi",
    ):
        assert expected in text, expected
    assert all_fonts_embedded(pdf)
    # The QR round trip a technician does with a phone, done here with zbar on the rendered page.
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / "page")], check=True
    )
    codes = decode(Image.open(tmp_path / "page.png"), symbols=[ZBarSymbol.QRCODE])
    assert [code.data.decode() for code in codes] == [info.qr_payload]
