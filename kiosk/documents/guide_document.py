"""The full service guide (办事指南) on paper: every element of the Guide record, in the plan's order."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from kiosk.documents.checklist import (
    ChecklistContext,
    fee_text,
    material_counts,
    material_requirement,
    time_limits,
)
from kiosk.documents.layout import PAPERS, QrCode, Styles, build_pdf, paragraph, styles_for, table
from kiosk.records import Guide

_AUDIENCE = {"individual": "自然人", "enterprise": "法人", "both": "自然人、法人"}


def render_guide(guide: Guide, context: ChecklistContext, paper_name: str) -> bytes:
    """The whole guide as a PDF laid out for `paper_name` ("a4" or "receipt80")."""
    paper = PAPERS[paper_name]
    styles = styles_for(paper)
    story: list[Any] = [
        paragraph("办事指南", styles.small),
        paragraph(guide.name, styles.title),
        paragraph(f"事项编码 {guide.id}　{guide.department}", styles.small),
    ]
    if guide.demo:
        story.append(paragraph("演示内容：本指南由演示数据生成，不作为办事依据。", styles.small))
    if guide.plain:
        story += _section("一句话说明", [guide.plain], styles)

    story += _section(
        "基本信息",
        _pairs(
            ("事项类型", guide.kind),
            ("实施主体", guide.agency or guide.department),
            ("服务对象", _AUDIENCE.get(guide.audience, guide.audience)),
            ("行使层级", "、".join(guide.levels)),
            ("中介服务", guide.intermediary),
            ("数量限制", guide.quantity_limit),
            ("年审年检", guide.annual_report),
            ("通办范围", "、".join(guide.cross_region)),
            ("告知承诺制", "适用" if guide.commitment else ""),
            ("所属一件事", "、".join(guide.life_events)),
        ),
        styles,
    )
    story += _section("设定依据", list(guide.basis), styles)
    story += _section("受理条件", list(guide.conditions), styles)

    materials = [
        f"{index}. {material.name}（{material_counts(material)}；{material_requirement(material)}）"
        + ("　可用电子证照代替" if material.e_license else "")
        + (f"　{material.notes}" if material.notes else "")
        + (f"　表格下载：{material.form_url}" if material.form_url else "")
        for index, material in enumerate(guide.materials, start=1)
    ]
    story += _section("申请材料", materials or ["无需提交材料。"], styles)

    steps = [
        f"{index}. {step.title}"
        + "".join(f"　{part}" for part in (step.description, step.actor, step.duration) if part)
        for index, step in enumerate(guide.steps, start=1)
    ]
    story += _section("办理流程", steps, styles)

    limits = [time_limits(guide), fee_text(guide)]
    if guide.max_visits is not None:
        limits.append("全程网办，无需到现场" if guide.max_visits == 0 else f"最多跑 {guide.max_visits} 次")
    limits += [
        f"特殊环节：{special.name}"
        + (f"（{special.days} 个工作日）" if special.days is not None else "")
        + (f"　依据：{special.basis}" if special.basis else "")
        for special in guide.special_procedures
    ]
    story += _section("时限与收费", limits, styles)

    result = guide.result
    story += _section(
        "办理结果",
        _pairs(
            ("结果名称", result.name),
            ("结果类型", result.type),
            ("送达方式", "、".join(result.delivery)),
        ),
        styles,
    )

    channels = guide.channels
    story += _section(
        "办理渠道",
        _pairs(
            ("网上办理", channels.online_url),
            ("掌上办理", channels.app),
            ("自助终端", "可在自助终端办理" if channels.self_service else ""),
            ("窗口办理", "可到窗口办理" if channels.counter else ""),
            ("办事视频", guide.video_url),
        ),
        styles,
    )

    halls = []
    for location in guide.locations:
        halls.append(f"{location.hall}　{location.window}".strip())
        halls.append("　".join(part for part in (location.address, location.hours, location.phone) if part))
    story += _section("办理地点", [line for line in halls if line], styles)
    story += _section(
        "咨询与投诉",
        _pairs(("咨询电话", guide.phone), ("投诉电话", guide.complaint_phone)),
        styles,
    )

    story.append(Spacer(1, 4 * mm))
    qr_size = min(30 * mm, paper.frame_width * 0.45)
    story.append(
        table(
            [[QrCode(context.handover_url, qr_size), paragraph("手机扫码查看本指南、在线申请", styles.body)]],
            [qr_size + 3 * mm, paper.frame_width - qr_size - 3 * mm],
            [("VALIGN", (0, 0), (-1, -1), "MIDDLE")],
        )
    )
    revision = "　".join(
        part
        for part in (
            f"指南更新 {guide.updated}" if guide.updated else "",
            f"版本 {guide.version}" if guide.version else "",
        )
        if part
    )
    footer = f"打印时间 {context.printed_at:%Y-%m-%d %H:%M}　终端 {context.kiosk_id}　{context.site_name}"
    story.append(paragraph("　".join(part for part in (footer, revision) if part), styles.small))
    return build_pdf(paper, story, title=f"办事指南 {guide.name}", subject=guide.id)


def _pairs(*pairs: tuple[str, str]) -> list[str]:
    return [f"{label}：{value}" for label, value in pairs if value]


def _section(heading: str, lines: list[str], styles: Styles) -> list[Any]:
    """A heading and its lines; nothing at all when the guide says nothing about it."""
    if not lines:
        return []
    return [paragraph(heading, styles.heading), *(paragraph(line, styles.body) for line in lines)]
