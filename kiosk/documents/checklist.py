"""The materials checklist (一次性告知单): everything to bring and where to go, on one printout."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    joined,
    paragraph,
    qr_with_caption,
    styles_for,
    table,
)
from kiosk.guides.sections import FORM_NAMES, material_requirement, time_limit_lines
from kiosk.records import Guide, Material


@dataclass(frozen=True)
class ChecklistContext(PrintContext):
    """Where and when a guide's checklist or whole guide is printed, and where a phone continues."""

    handover_url: str = field(kw_only=True)


def guide_heading(kind: str, this_paper: str, guide: Guide, styles: Styles, applicant: str = "") -> list[Any]:
    """The top of a paper about one guide: what the paper is, the guide, whose it is, and whether it is
    the demo's (`this_paper` names the paper in that warning, e.g. "本指南")."""
    story = [
        paragraph(kind, styles.small),
        paragraph(guide.name, styles.title),
        paragraph(f"事项编码 {guide.id}　{guide.department}", styles.small),
    ]
    if applicant:
        story.append(paragraph(f"申请人：{applicant}", styles.body))
    if guide.demo:
        story.append(paragraph(f"演示内容：{this_paper}由演示数据生成，不作为办事依据。", styles.small))
    return story


def material_counts(material: Material) -> str:
    """How many originals and copies, in words residents read at the counter."""
    parts = []
    if material.originals:
        parts.append(f"原件 {material.originals} 份")
    if material.copies:
        parts.append(f"复印件 {material.copies} 份")
    return "，".join(parts) or FORM_NAMES.get(material.form, "")


def time_limits(guide: Guide) -> str:
    """The legal and promised time limits, in working days, on one line."""
    return "；".join(time_limit_lines(guide)) or "以窗口告知为准"


def fee_text(guide: Guide) -> str:
    """What it costs and on what basis."""
    if not guide.fee.charged:
        return "不收费"
    basis = f"（依据：{guide.fee.basis}）" if guide.fee.basis else ""
    return f"收费：{guide.fee.standard or '按规定标准收取'}{basis}"


def render_checklist(
    guide: Guide, context: ChecklistContext, paper_name: str, resident_name: str = ""
) -> bytes:
    """The checklist for `guide` as a PDF laid out for `paper_name` ("a4" or "receipt80").

    `resident_name` is printed only when the resident asked for their name on it; it never
    reaches the PDF's metadata (title and subject name the guide).
    """
    paper = PAPERS[paper_name]
    styles = styles_for(paper)
    story = guide_heading("一次性告知单", "本告知单", guide, styles, applicant=resident_name)

    story.append(paragraph("申请材料", styles.heading))
    story += _materials(guide, paper, styles)

    story.append(paragraph("办理时限与收费", styles.heading))
    story.append(paragraph(time_limits(guide), styles.body))
    story.append(paragraph(fee_text(guide), styles.body))
    if guide.max_visits is not None:
        visits = "全程网办，无需到现场" if guide.max_visits == 0 else f"最多跑 {guide.max_visits} 次"
        story.append(paragraph(visits, styles.body))

    if guide.locations:
        story.append(paragraph("办理地点", styles.heading))
        for location in guide.locations:
            story.append(paragraph(f"{location.hall}　{location.window}".strip(), styles.body))
            details = joined((location.address, location.hours, location.phone))
            if details:
                story.append(paragraph(details, styles.small))
    phones = joined(
        (
            f"咨询电话 {guide.phone}" if guide.phone else "",
            f"投诉电话 {guide.complaint_phone}" if guide.complaint_phone else "",
        )
    )
    if phones:
        story.append(paragraph(phones, styles.body))

    story.append(Spacer(1, 4 * mm))
    qr_size = min(34 * mm, paper.frame_width * 0.5)
    caption = "手机扫码查看办事指南、在线申请（网上办、掌上办）"
    story.append(qr_with_caption(context.handover_url, caption, paper, styles, qr_size))
    story.append(Spacer(1, 3 * mm))
    story.append(paragraph(context.printed_line, styles.small))
    story.append(paragraph("内容如有变化，以办理窗口告知为准。", styles.small))
    return build_pdf(paper, story, title=f"一次性告知单 {guide.name}", subject=guide.id)


def _materials(guide: Guide, paper: Paper, styles: Any) -> list[Any]:
    """A table on A4; on a receipt, one material after another."""
    if not guide.materials:
        return [paragraph("无需提交材料。", styles.body)]
    if paper.name == "a4":
        return [_materials_table(guide, styles, paper.frame_width)]
    story: list[Any] = []
    for index, material in enumerate(guide.materials, start=1):
        story.append(paragraph(f"{index}. {material.name}", styles.body))
        story.append(
            paragraph(f"　{material_counts(material)}；{material_requirement(material)}", styles.small)
        )
        if material.e_license:
            story.append(paragraph("　可用电子证照代替", styles.small))
        if material.notes:
            story.append(paragraph(f"　{material.notes}", styles.small))
    return story


def _materials_table(guide: Guide, styles: Any, width: float) -> Table:
    header = [paragraph(text, styles.small) for text in ("序号", "材料名称", "份数", "要求", "说明")]
    rows = [header]
    for index, material in enumerate(guide.materials, start=1):
        notes = joined(("可用电子证照代替" if material.e_license else "", material.notes), "；")
        rows.append(
            [
                paragraph(str(index), styles.body),
                paragraph(material.name, styles.body),
                paragraph(material_counts(material), styles.body),
                paragraph(material_requirement(material), styles.body),
                paragraph(notes, styles.small),
            ]
        )
    fractions = (0.07, 0.30, 0.17, 0.20, 0.26)
    return table(
        rows,
        [width * part for part in fractions],
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF6")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ],
        repeat_rows=1,
    )
