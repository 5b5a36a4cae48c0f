"""The printed `kiosk doctor` report: every check with its status, for the technician's folder."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from reportlab.lib import colors

from kiosk.doctor.check import Check, Status, overall
from kiosk.documents.layout import PAPERS, build_pdf, paragraph, styles_for, table

_SHADE = {Status.OK: "#E6F4EA", Status.WARN: "#FFF4CE", Status.FAIL: "#FDE2E1"}


def render_doctor_report(
    checks: Sequence[Check], kiosk_id: str, site_name: str, checked_at: datetime, paper_name: str
) -> bytes:
    """The report as a PDF: kiosk, site, time, overall status, then one row per check."""
    paper = PAPERS[paper_name]
    styles = styles_for(paper)
    verdict = overall(checks)
    rows: list[list[Any]] = [
        [paragraph(text, styles.small) for text in ("检查 Check", "状态 Status", "说明 Detail")],
    ]
    shading: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
    ]
    for index, check in enumerate(checks, start=1):
        mark = f"{check.status.upper()}{' *' if check.critical else ''}"
        rows.append(
            [
                paragraph(check.name, styles.body),
                paragraph(mark, styles.body),
                paragraph(check.detail, styles.small),
            ]
        )
        shading.append(("BACKGROUND", (0, index), (-1, index), colors.HexColor(_SHADE[check.status])))
    name_width = paper.frame_width * 0.24
    status_width = paper.frame_width * 0.16
    story: list[Any] = [
        paragraph("终端自检报告 Kiosk doctor report", styles.title),
        paragraph(f"终端 Kiosk: {kiosk_id}　{site_name}", styles.body),
        paragraph(f"时间 Checked at: {checked_at:%Y-%m-%d %H:%M:%S %Z}".strip(), styles.body),
        paragraph(f"总体 Overall: {verdict.upper()}", styles.heading),
        table(rows, [name_width, status_width, paper.frame_width - name_width - status_width], shading, 1),
        paragraph(
            "* 关键检查：失败时终端不能为群众服务。Critical: the kiosk cannot serve residents when it fails.",
            styles.small,
        ),
    ]
    return build_pdf(paper, story, title="终端自检报告", subject=kiosk_id)
