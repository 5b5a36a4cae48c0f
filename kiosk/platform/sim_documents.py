"""The platform simulator's documents: small real PDFs, with the digest and verification code the
contract's document answer carries."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Sequence
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Spacer

from kiosk.documents.layout import PAPERS, build_pdf, paragraph, styles_for, table
from kiosk.platform.sim_data import FICTIONAL_MARK

#: Where a resident's phone would check a document (an example domain: nothing answers there).
VERIFY_BASE_URL = "https://zwfw.weihai.example/verify/"

_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def issue_document(
    file_name: str, title: str, lines: Sequence[str], rows: Sequence[Sequence[str]] = (), watermark: str = ""
) -> dict[str, Any]:
    """A document answer: a PDF of `title`, `lines` and a table of `rows` (first row: header)."""
    verify_code = secrets.token_hex(8).upper()
    paper = PAPERS["a4"]
    styles = styles_for(paper)
    story: list[Any] = [paragraph(title, styles.title)]
    if watermark:
        story.append(paragraph(watermark, styles.heading))
    story.extend(paragraph(line, styles.body) for line in lines)
    if rows:
        width = paper.frame_width / len(rows[0])
        story.append(Spacer(1, 4 * mm))
        story.append(table(rows, [width] * len(rows[0]), repeat_rows=1))
    story.append(Spacer(1, 6 * mm))
    story.append(paragraph(f"验证码：{verify_code}　验证地址：{VERIFY_BASE_URL}{verify_code}", styles.small))
    story.append(paragraph(FICTIONAL_MARK, styles.small))
    pdf = build_pdf(paper, story, title=title, subject="platform simulator document")
    return _answer(file_name, pdf, verify_code)


def long_document(document: dict[str, Any], pages: int) -> dict[str, Any]:
    """`document` (a document answer) replaced by a PDF of `pages` pages under the same file name
    and verification code: what the switch `document_pages` answers (a 500-page certificate)."""
    if pages < 1:
        raise ValueError("a document has at least one page")
    paper = PAPERS["a4"]
    styles = styles_for(paper)
    verify_code = document["verify_code"]
    story: list[Any] = [
        paragraph(f"超长文件（演示）：{document['file_name']}", styles.title),
        paragraph(f"验证码：{verify_code}　验证地址：{VERIFY_BASE_URL}{verify_code}", styles.small),
        paragraph(FICTIONAL_MARK, styles.small),
    ]
    for page in range(2, pages + 1):
        story += [PageBreak(), paragraph(f"第 {page} 页，共 {pages} 页。{FICTIONAL_MARK}", styles.body)]
    pdf = build_pdf(paper, story, title="超长文件（演示）", subject="platform simulator document")
    return _answer(document["file_name"], pdf, verify_code)


def _answer(file_name: str, pdf: bytes, verify_code: str) -> dict[str, Any]:
    return {
        "file_name": file_name,
        "media_type": "application/pdf",
        "content_base64": base64.b64encode(pdf).decode("ascii"),
        "sha256": hashlib.sha256(pdf).hexdigest(),
        "verify_code": verify_code,
        "verify_url": VERIFY_BASE_URL + verify_code,
        "pages": pdf_page_count(pdf),
    }


def pdf_page_count(pdf: bytes) -> int:
    """How many pages a PDF written by reportlab has (its page objects; the page tree is /Pages)."""
    return len(_PAGE_OBJECT.findall(pdf))
