"""Short printouts that are not guides: the rating receipt (好差评) and the technician's test page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.units import mm

from kiosk.documents.layout import PAPERS, PrintContext, QrCode, build_pdf, paragraph, styles_for, table
from kiosk.fonts import find_cjk_font

#: The five levels of the government service rating (政务服务“好差评”), best first.
RATING_LEVELS = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")


def render_rating_receipt(
    level: str, context: PrintContext, paper_name: str, service_name: str = ""
) -> bytes:
    """The receipt of a rating: its level, the service rated, the date and the kiosk; nobody's name."""
    if level not in RATING_LEVELS:
        raise ValueError(f"rating level {level!r} is not one of {', '.join(RATING_LEVELS)}")
    paper = PAPERS[paper_name]
    styles = styles_for(paper)
    story: list[Any] = [
        paragraph("政务服务“好差评”回执", styles.title),
        paragraph(f"评价：{level}", styles.heading),
    ]
    if service_name:
        story.append(paragraph(f"评价事项：{service_name}", styles.body))
    story += [
        paragraph(f"评价时间：{context.printed_at:%Y-%m-%d %H:%M}", styles.body),
        paragraph(f"评价终端：{context.kiosk_line}", styles.body),
        paragraph("感谢您的评价。评价不记录您的姓名和证件信息。", styles.small),
    ]
    return build_pdf(paper, story, title="好差评回执", subject=level)


@dataclass(frozen=True)
class PrinterTestPage(PrintContext):
    """What a technician's test page reports about the kiosk and its printer."""

    printer: str = field(kw_only=True)
    paper: str = field(kw_only=True)

    @property
    def qr_payload(self) -> str:
        """What the test page's QR code holds; printed beside it so a phone's reading can be compared."""
        return f"KIOSK-TEST {self.kiosk_id} {self.printed_at:%Y%m%dT%H%M%S}"


def render_test_page(info: PrinterTestPage) -> bytes:
    """A test page for a technician: kiosk, site, date, printer, paper, fonts and a QR round trip."""
    paper = PAPERS[info.paper]
    styles = styles_for(paper)
    font = find_cjk_font()
    rows = [
        ("终端 Kiosk", info.kiosk_id),
        ("地点 Site", info.site_name),
        ("时间 Date", f"{info.printed_at:%Y-%m-%d %H:%M:%S}"),
        ("打印机 Printer", info.printer),
        ("纸张 Paper", f"{paper.name} ({paper.width / mm:.0f} x {paper.height / mm:.0f} mm)"),
        ("字体 Font", f"{font.family} ({font.path.name}, face {font.face_index}), embedded"),
    ]
    label_width = paper.frame_width * 0.32
    qr_size = min(40 * mm, paper.frame_width * 0.6)
    story: list[Any] = [
        paragraph("打印测试页 Printer test page", styles.title),
        table(
            [[paragraph(label, styles.small), paragraph(value, styles.body)] for label, value in rows],
            [label_width, paper.frame_width - label_width],
            [("VALIGN", (0, 0), (-1, -1), "TOP")],
        ),
        paragraph("中文字形 Glyphs", styles.heading),
        paragraph("政务服务自助终端　威海　一次性告知单　好差评　０１２３４５６７８９", styles.body),
        paragraph("ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz 0123456789", styles.body),
        paragraph("二维码 QR round trip", styles.heading),
        paragraph("用手机扫描下方二维码，读出的内容应与下一行一致。", styles.small),
        QrCode(info.qr_payload, qr_size),
        paragraph(info.qr_payload, styles.body),
    ]
    return build_pdf(paper, story, title="打印测试页", subject=info.kiosk_id)
