from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.documents import ChecklistContext, render_checklist
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
        "承诺办结时限1个工作日",
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
