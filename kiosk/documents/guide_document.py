"""The full service guide (办事指南) on paper: every element, as the guide screen shows it."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from kiosk.documents.checklist import ChecklistContext, guide_heading
from kiosk.documents.layout import PAPERS, Styles, build_pdf, joined, paragraph, qr_with_caption, styles_for
from kiosk.guides.sections import guide_sections
from kiosk.records import Guide


def render_guide(guide: Guide, context: ChecklistContext, paper_name: str) -> bytes:
    """The whole guide as a PDF laid out for `paper_name` ("a4" or "receipt80")."""
    paper = PAPERS[paper_name]
    styles = styles_for(paper)
    story = guide_heading("办事指南", "本指南", guide, styles)
    if guide.plain:
        story += _section("白话版", [guide.plain], styles)
    # The same sections, in the same order and words, as the guide screen shows.
    for section in guide_sections(guide):
        story += _section(section.heading, list(section.lines), styles)

    story.append(Spacer(1, 4 * mm))
    qr_size = min(30 * mm, paper.frame_width * 0.45)
    story.append(
        qr_with_caption(context.handover_url, "手机扫码查看本指南、在线申请", paper, styles, qr_size)
    )
    revision = joined(
        (
            f"指南更新 {guide.updated}" if guide.updated else "",
            f"版本 {guide.version}" if guide.version else "",
        )
    )
    story.append(paragraph(joined((context.printed_line, revision)), styles.small))
    return build_pdf(paper, story, title=f"办事指南 {guide.name}", subject=guide.id)


def _section(heading: str, lines: list[str], styles: Styles) -> list[Any]:
    """A heading and its lines; nothing at all when the guide says nothing about it."""
    if not lines:
        return []
    return [paragraph(heading, styles.heading), *(paragraph(line, styles.body) for line in lines)]
