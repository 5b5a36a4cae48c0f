"""Papers of the online services that the kiosk renders itself: a query's table and an appointment slip.

An official document (a certificate, a licence) is never rendered here: the platform delivers it
and the kiosk prints it as delivered. What is rendered here is for the resident to keep, and says
so. Both are built in memory (`build_pdf` returns bytes) and their metadata names the paper, never
the resident or a value of theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table

from kiosk.documents.layout import (
    PAPERS,
    Paper,
    PrintContext,
    Styles,
    build_pdf,
    paragraph,
    styles_for,
    table,
)
from kiosk.platform.records import Appointment

#: The foot of a query's table: the kiosk's print is for reading, the platform's documents are proof.
REFERENCE_ONLY = (
    "本查询结果由自助终端打印，仅供本人参考，不作为证明材料；"
    "需要证明的，请办理相应的证明（由政务服务平台出具）。"
)
#: The least share of the width a column gets, so a short heading never squeezes to one character.
_NARROWEST_COLUMN = 0.12
_WEEKDAYS = "一二三四五六日"


def render_query_table(
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    note: str,
    *,
    context: PrintContext,
    paper_name: str,
) -> bytes:
    """A query's answer as a PDF: `title`, one large plain table (its header repeated on every
    page), `note` under it ("" for none), the kiosk, the time, and that it is not a certificate.

    `columns` and `rows` are the texts as printed (translated, amounts formatted). `title` names
    the query (e.g. 社会保险缴费记录), never the resident: it is also the PDF's title.
    """
    if not columns:
        raise ValueError("a table needs at least one column")
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"a row has {len(row)} cells for {len(columns)} columns")
    paper = PAPERS[paper_name]
    styles = styles_for(paper)
    story: list[Any] = [paragraph("查询结果", styles.small), paragraph(title, styles.title)]
    if rows:
        story.append(_query_table(columns, rows, paper, styles))
    else:
        story.append(paragraph("没有查到记录。", styles.body))
    if note:
        story.append(Spacer(1, 2 * mm))
        story.append(paragraph(note, styles.body))
    story += [
        Spacer(1, 4 * mm),
        paragraph(REFERENCE_ONLY, styles.body),
        paragraph(context.printed_line, styles.small),
    ]
    return build_pdf(paper, story, title=title, subject="查询结果")


def _query_table(
    columns: Sequence[str], rows: Sequence[Sequence[str]], paper: Paper, styles: Styles
) -> Table:
    header = [paragraph(text, styles.body) for text in columns]
    body = [[paragraph(cell, styles.body) for cell in row] for row in rows]
    return table(
        [header, *body],
        _column_widths(columns, rows, paper.frame_width),
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF6")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ],
        repeat_rows=1,
    )


def _column_widths(columns: Sequence[str], rows: Sequence[Sequence[str]], width: float) -> list[float]:
    """Widths in proportion to each column's widest text (a Chinese character counts as two digits)."""
    widest = [
        max(_text_width(text) for text in (heading, *(row[index] for row in rows)))
        for index, heading in enumerate(columns)
    ]
    shares = [max(each / sum(widest), _NARROWEST_COLUMN) for each in widest]
    return [width * share / sum(shares) for share in shares]


def _text_width(text: str) -> int:
    # Two more for the cell's padding, so that a column exactly as wide as its text does not wrap.
    return sum(2 if ord(character) > 0x2E7F else 1 for character in text) + 2


def render_appointment_slip(appointment: Appointment, context: PrintContext, paper_name: str) -> bytes:
    """The slip of a booked counter appointment as a PDF: its number, the hall and its address, the
    counter service, the day and time; what to bring, when to come, how to cancel. Nobody's name."""
    paper = PAPERS[paper_name]
    styles = styles_for(paper)
    when = datetime.fromisoformat(appointment.slot)
    label_width = paper.frame_width * (0.28 if paper.name == "a4" else 0.34)
    details = [
        ("预约号", appointment.appointment_no),
        ("办理时间", f"{when:%Y-%m-%d}（星期{_WEEKDAYS[when.weekday()]}）{when:%H:%M}"),
        ("办理地点", appointment.hall_name),
        ("地址", appointment.address),
        ("预约业务", appointment.service_name),
    ]
    story: list[Any] = [
        paragraph("窗口预约凭条", styles.title),
        table(
            [[paragraph(label, styles.body), paragraph(value, styles.heading)] for label, value in details],
            [label_width, paper.frame_width - label_width],
            [("VALIGN", (0, 0), (-1, -1), "MIDDLE")],
        ),
        paragraph("请携带", styles.heading),
        paragraph("本人居民身份证原件（办理业务所需的其他材料以窗口告知为准）。", styles.body),
        paragraph("到达时间", styles.heading),
        paragraph("请在预约时间前 10 分钟到达，凭预约号和身份证到窗口办理。", styles.body),
        paragraph("取消预约", styles.heading),
        paragraph(
            "不能按时前来的，请在预约时间前取消：在政务服务自助终端选择“办事服务”中的“取消预约”，"
            "放置本人身份证，输入预约号。",
            styles.body,
        ),
        Spacer(1, 4 * mm),
        paragraph(context.printed_line, styles.small),
    ]
    return build_pdf(paper, story, title="窗口预约凭条", subject=appointment.service_name)
