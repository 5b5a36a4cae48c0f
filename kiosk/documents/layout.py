"""Paper sizes, type styles and the building blocks shared by every printed document."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from kiosk.fonts import find_cjk_font

FONT_NAME = "KioskCJK"


@dataclass(frozen=True)
class PrintContext:
    """Which kiosk prints a paper, where and when (no personal data here)."""

    kiosk_id: str
    site_name: str
    printed_at: datetime

    @property
    def kiosk_line(self) -> str:
        """The kiosk and its site, as every printout names them."""
        return f"{self.kiosk_id}　{self.site_name}"

    @property
    def printed_line(self) -> str:
        """When and where the paper came out, for the foot of a printout."""
        return f"打印时间 {self.printed_at:%Y-%m-%d %H:%M}　终端 {self.kiosk_line}"


@dataclass(frozen=True)
class Paper:
    """A paper the kiosk prints on: page size, margins and base type size, in points."""

    name: str
    width: float
    height: float
    margin: float
    body_size: float

    @property
    def frame_width(self) -> float:
        """The width text can use."""
        return self.width - 2 * self.margin


PAPERS = {
    "a4": Paper("a4", A4[0], A4[1], 18 * mm, 11),
    # 80 mm rolls print about 72 mm; the page is long and the printer cuts after the content.
    "receipt80": Paper("receipt80", 80 * mm, 400 * mm, 4 * mm, 8.5),
}


@cache
def register_font() -> str:
    """Register the CJK font with reportlab once; returns its name for styles."""
    font = find_cjk_font()
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(font.path), subfontIndex=font.face_index))
    return FONT_NAME


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of one paper size."""

    title: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle


def styles_for(paper: Paper) -> Styles:
    """Type styles scaled to the paper, all in the embedded CJK font."""
    font = register_font()
    size = paper.body_size
    body = ParagraphStyle("body", fontName=font, fontSize=size, leading=size * 1.45, wordWrap="CJK")
    return Styles(
        title=ParagraphStyle(
            "title", parent=body, fontSize=size * 1.6, leading=size * 2.1, spaceAfter=size * 0.4
        ),
        heading=ParagraphStyle(
            "heading",
            parent=body,
            fontSize=size * 1.15,
            leading=size * 1.6,
            spaceBefore=size * 0.8,
            spaceAfter=size * 0.3,
        ),
        body=body,
        small=ParagraphStyle(
            "small",
            parent=body,
            fontSize=size * 0.82,
            leading=size * 1.2,
            textColor=colors.HexColor("#444444"),
        ),
    )


class QrCode(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A QR code drawn as vector squares, with its quiet zone, from segno's matrix."""

    def __init__(self, data: str, size: float) -> None:
        super().__init__()
        self.code = segno.make_qr(data, encoding="utf-8", error="m")
        self.size = size
        self.width = self.height = size

    def draw(self) -> None:
        rows = list(self.code.matrix_iter(scale=1, border=4))
        module = self.size / len(rows)
        canvas = self.canv
        canvas.setFillColor(colors.black)
        for row_index, row in enumerate(rows):
            y = self.size - (row_index + 1) * module
            for column, dark in enumerate(row):
                if dark:
                    canvas.rect(column * module, y, module, module, stroke=0, fill=1)


def build_pdf(paper: Paper, story: Sequence[Any], title: str, subject: str) -> bytes:
    """Lay out `story` on `paper` and return the PDF. Metadata carries no personal data."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=(paper.width, paper.height),
        leftMargin=paper.margin,
        rightMargin=paper.margin,
        topMargin=paper.margin,
        bottomMargin=paper.margin,
        title=title,
        subject=subject,
        author="Weihai self-service kiosk",
        creator="weihai-kiosk",
        producer="weihai-kiosk",
        invariant=True,
        # reportlab starts every page in Helvetica, which it does not embed: pdffonts would list
        # a font the printer has to substitute. Every page starts in the embedded font instead.
        initialFontName=register_font(),
    )
    document.build(list(story))
    return buffer.getvalue()


def table(
    rows: Sequence[Sequence[Any]],
    col_widths: Sequence[float],
    commands: Sequence[tuple[Any, ...]] = (),
    repeat_rows: int = 0,
) -> Table:
    """A table whose cells start in the embedded font (reportlab's cells default to Helvetica)."""
    style = TableStyle([("FONTNAME", (0, 0), (-1, -1), register_font()), *commands])
    return Table([list(row) for row in rows], colWidths=list(col_widths), style=style, repeatRows=repeat_rows)


def qr_with_caption(url: str, caption: str, paper: Paper, styles: Styles, size: float) -> Table:
    """A QR code of `url` beside what the phone will do with it, across the paper's width."""
    return table(
        [[QrCode(url, size), paragraph(caption, styles.body)]],
        [size + 3 * mm, paper.frame_width - size - 3 * mm],
        [("VALIGN", (0, 0), (-1, -1), "MIDDLE")],
    )


def paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped: guide text is data, not markup)."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(escaped.replace("\n", "<br/>"), style)


def joined(parts: Iterable[str], separator: str = "　") -> str:
    """The parts that say something, on one line (a guide leaves many of its elements empty)."""
    return separator.join(part for part in parts if part)
