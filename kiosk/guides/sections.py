"""A guide as readable sections: the full guide (materials first) and the plain-language version.

Shared by the guide screen and anything printed from a guide. Guide text stays in Chinese, as at the
counter; only the kiosk's own chrome is translated.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.records import Guide, Location, Material

LEVEL_NAMES = {
    "city": "市级政务服务中心",
    "county": "区市政务服务中心",
    "town": "镇街便民服务中心",
    "village": "村居便民服务站",
}
DELIVERY_NAMES = {
    "on_the_spot": "窗口当场领取",
    "post": "免费邮寄送达",
    "self_pickup": "自助终端领取",
    "electronic": "电子送达（电子证照或网上查看）",
}
AUDIENCE_NAMES = {"individual": "个人", "enterprise": "法人（企业、个体工商户等）", "both": "个人和法人"}
FORM_NAMES = {
    "original": "原件",
    "copy": "复印件",
    "original_and_copy": "原件和复印件",
    "electronic": "电子材料",
}


@dataclass(frozen=True)
class Section:
    """One heading of a guide and the lines under it."""

    heading: str
    lines: tuple[str, ...]


def guide_sections(guide: Guide) -> list[Section]:
    """Every element of the full guide in reading order, materials first; empty elements are left out."""
    candidates = [
        Section("申请材料", tuple(material_lines(guide.materials)) or ("无需提交材料",)),
        Section("受理条件", _numbered(guide.conditions)),
        Section("办理时限", tuple(time_limit_lines(guide))),
        Section("收费标准", tuple(fee_lines(guide))),
        Section("办理流程", tuple(step_lines(guide))),
        Section("办理结果", tuple(result_lines(guide))),
        Section("办理地点", tuple(line for place in guide.locations for line in location_lines(place))),
        Section("办理方式", tuple(service_mode_lines(guide))),
        Section("特殊环节", tuple(special_lines(guide))),
        Section("其他要求", tuple(other_lines(guide))),
        Section("设定依据", _numbered(guide.basis)),
        Section("事项信息", tuple(basic_lines(guide))),
        Section("咨询与投诉", tuple(phone_lines(guide))),
    ]
    return [section for section in candidates if section.lines]


def plain_sections(guide: Guide) -> list[Section]:
    """The plain-language version (白话版): what it is, what to bring, where, how long, what it costs."""
    bring = [
        f"・{m.name}" + ("" if m.required else f"（{m.condition or '有的情况才要'}）")
        for m in guide.materials
    ]
    candidates = [
        Section("白话版", (guide.plain,) if guide.plain else ()),
        Section("要带什么", tuple(bring) or ("什么都不用带",)),
        Section("去哪里办", tuple(_plain_places(guide))),
        Section("要多久、花多少钱", tuple(_plain_cost(guide))),
    ]
    return [section for section in candidates if section.lines]


def material_lines(materials: tuple[Material, ...]) -> list[str]:
    """One line per material with form and counts, then its condition, e-licence and notes."""
    lines: list[str] = []
    for index, material in enumerate(materials, start=1):
        counts = "，".join(
            part
            for part in (
                f"原件 {material.originals} 份" if material.originals else "",
                f"复印件 {material.copies} 份" if material.copies else "",
                "电子材料" if material.form == "electronic" else "",
            )
            if part
        )
        lines.append(f"{index}. {material.name}　{counts}　{material_requirement(material)}")
        if material.e_license:
            lines.append("　　可用电子证照代替（免证办）")
        if material.notes:
            lines.append(f"　　{material.notes}")
        if material.form_url:
            lines.append(f"　　空白表格：{material.form_url}")
    return lines


def material_requirement(material: Material) -> str:
    """Whether the material is always needed, or in which case."""
    if material.required:
        return "必须提交"
    return f"以下情形提交：{material.condition}" if material.condition else "视情况提交"


def time_limit_lines(guide: Guide) -> list[str]:
    """Legal and promised time limits in working days, in the guide elements' own terms."""
    lines = []
    if guide.legal_days is not None:
        days = f"{guide.legal_days} 个工作日" if guide.legal_days else "即办"
        lines.append(f"法定办结时限：{days}")
    if guide.promised_days is not None:
        days = f"{guide.promised_days} 个工作日" if guide.promised_days else "当场办结"
        lines.append(f"承诺办结时限：{days}")
    return lines


def fee_lines(guide: Guide) -> list[str]:
    """Whether it costs anything, how much and by which rule."""
    if not guide.fee.charged:
        return ["不收费"]
    lines = [f"收费：{guide.fee.standard or '按规定标准收取'}"]
    if guide.fee.basis:
        lines.append(f"收费依据：{guide.fee.basis}")
    return lines


def step_lines(guide: Guide) -> list[str]:
    """The procedure, numbered, with who does each step and how long it takes."""
    lines = []
    for index, step in enumerate(guide.steps, start=1):
        detail = "，".join(part for part in (step.actor, step.duration) if part)
        text = f"{index}. {step.title}" + (f"：{step.description}" if step.description else "")
        lines.append(text + (f"（{detail}）" if detail else ""))
    return lines


def result_lines(guide: Guide) -> list[str]:
    """What the resident receives and how it reaches them."""
    result = guide.result
    lines = []
    if result.name:
        lines.append(result.name + (f"（{result.type}）" if result.type else ""))
    if result.delivery:
        lines.append("领取方式：" + "、".join(DELIVERY_NAMES[d] for d in result.delivery))
    return lines


def location_lines(place: Location) -> list[str]:
    """A hall: its name, then address, hours, window and phone."""
    details = [
        f"地址：{place.address}" if place.address else "",
        f"时间：{place.hours}" if place.hours else "",
        "　".join(
            part
            for part in (
                f"窗口：{place.window}" if place.window else "",
                f"电话：{place.phone}" if place.phone else "",
            )
            if part
        ),
    ]
    return [f"・{place.hall}", *(f"　　{detail}" for detail in details if detail)]


def service_mode_lines(guide: Guide) -> list[str]:
    """Channels, levels, visits, cross-region handling and the informed-commitment option."""
    channels = guide.channels
    ways = [
        f"网上办：{channels.online_url}" if channels.online_url else "",
        f"掌上办：{channels.app}" if channels.app else "",
        "自助办：本机可办" if channels.self_service else "",
        "窗口办：可到办理地点窗口办理" if channels.counter else "",
    ]
    lines = [way for way in ways if way]
    if guide.levels:
        lines.append("可办理层级：" + "、".join(LEVEL_NAMES[level] for level in guide.levels))
    if guide.max_visits is not None:
        lines.append(
            "最多跑几次：不用跑（零跑腿）" if guide.max_visits == 0 else f"最多跑几次：{guide.max_visits} 次"
        )
    if guide.cross_region:
        lines.append("通办范围：" + "、".join(guide.cross_region))
    if guide.commitment:
        lines.append("告知承诺制：可以承诺代替部分证明材料")
    return lines


def special_lines(guide: Guide) -> list[str]:
    """Special procedures with their basis and their own time limit (not counted in the item's)."""
    lines = []
    for procedure in guide.special_procedures:
        days = f"，{procedure.days} 个工作日（不计入办理时限）" if procedure.days is not None else ""
        basis = f"；依据：{procedure.basis}" if procedure.basis else ""
        lines.append(f"・{procedure.name}{days}{basis}")
    return lines


def other_lines(guide: Guide) -> list[str]:
    """Intermediary services, quantity limits, annual reports and the other versions of the guide."""
    lines = [
        f"中介服务：{guide.intermediary}" if guide.intermediary else "",
        f"数量限制：{guide.quantity_limit}" if guide.quantity_limit else "",
        f"年检年报：{guide.annual_report}" if guide.annual_report else "",
        f"图例版：{len(guide.pictures)} 张图解" if guide.pictures else "",
        f"视频版：{guide.video_url}" if guide.video_url else "",
    ]
    return [line for line in lines if line]


def basic_lines(guide: Guide) -> list[str]:
    """Kind, department, agency, audience and life events of the item."""
    lines = [
        f"事项类型：{guide.kind}" if guide.kind else "",
        f"主管部门：{guide.department}",
        f"实施机构：{guide.agency}" if guide.agency else "",
        f"服务对象：{AUDIENCE_NAMES[guide.audience]}",
        f"所属一件事：{'、'.join(guide.life_events)}" if guide.life_events else "",
    ]
    return [line for line in lines if line]


def phone_lines(guide: Guide) -> list[str]:
    """Where to ask and where to complain."""
    lines = [
        f"咨询电话：{guide.phone}" if guide.phone else "",
        f"投诉电话：{guide.complaint_phone}" if guide.complaint_phone else "",
    ]
    return [line for line in lines if line]


def about_line(guide: Guide) -> str:
    """Where the guide comes from and how fresh it is."""
    parts = [f"事项编码 {guide.id}"]
    if guide.version:
        parts.append(f"版本 {guide.version}")
    if guide.updated:
        parts.append(f"更新于 {guide.updated}")
    if guide.demo:
        parts.append("演示内容，不作为办事依据")
    return "　".join(parts)


def _numbered(items: tuple[str, ...]) -> tuple[str, ...]:
    if len(items) == 1:
        return items
    return tuple(f"{index}. {item}" for index, item in enumerate(items, start=1))


def _plain_places(guide: Guide) -> list[str]:
    ways = []
    if guide.max_visits == 0:
        ways.append("不用跑腿，在手机上或本机上就能办。")
    elif guide.channels.self_service:
        ways.append("本机就能办。")
    if guide.locations:
        place = guide.locations[0]
        ways.append(f"到{place.hall}办。")
        if place.address:
            ways.append(f"地址：{place.address}")
        if place.hours:
            ways.append(f"时间：{place.hours}")
        if len(guide.locations) > 1:
            ways.append(f"另有 {len(guide.locations) - 1} 个地方也能办，见完整指南。")
    return ways


def _plain_cost(guide: Guide) -> list[str]:
    lines = []
    if guide.promised_days == 0:
        lines.append("当场就能办好。")
    elif guide.promised_days is not None:
        lines.append(f"大约 {guide.promised_days} 个工作日办好。")
    lines.append(f"要交费：{guide.fee.standard or '按规定标准'}。" if guide.fee.charged else "不收费。")
    if guide.max_visits:
        lines.append(f"最多跑 {guide.max_visits} 次。")
    return lines
