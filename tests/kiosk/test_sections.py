"""The guide as readable sections: every element, materials first, empty ones left out."""

from __future__ import annotations

from kiosk.guides import guide_from_dict
from kiosk.guides.sections import about_line, guide_sections, plain_sections

FULL = {
    "id": "371000-T-0001",
    "name": "测试事项",
    "department": "威海市测试局",
    "kind": "行政许可",
    "agency": "威海市测试中心",
    "basis": ["《测试法》第一条", "《测试条例》"],
    "conditions": ["本市居民"],
    "audience": "both",
    "steps": [{"title": "申请", "description": "提交材料", "actor": "申请人", "duration": "当场"}],
    "materials": [
        {"name": "居民身份证", "e_license": True},
        {"name": "合同", "form": "original_and_copy", "copies": 2, "notes": "加盖公章"},
        {
            "name": "委托书",
            "required": False,
            "condition": "委托代办时",
            "form_url": "https://zwfw.weihai.example/f.pdf",
        },
    ],
    "intermediary": "房屋评估",
    "legal_days": 20,
    "promised_days": 5,
    "fee": {"charged": True, "standard": "80 元/件", "basis": "鲁价费〔演示〕1 号"},
    "result": {"name": "测试证", "type": "证照", "delivery": ["post", "electronic"]},
    "quantity_limit": "每年一次",
    "annual_report": "每年 6 月前",
    "special_procedures": [{"name": "公示", "basis": "《测试条例》第九条", "days": 15}],
    "locations": [
        {
            "hall": "威海市政务服务中心",
            "address": "青岛中路 106 号（演示地址）",
            "hours": "周一至周五",
            "window": "A1",
            "phone": "0631-1",
        },
        {"hall": "文登区政务服务中心"},
    ],
    "phone": "12345-1",
    "complaint_phone": "12345",
    "levels": ["city", "village"],
    "channels": {"online_url": "https://zwfw.weihai.example/g", "app": "爱山东", "self_service": True},
    "max_visits": 0,
    "cross_region": ["跨省通办"],
    "commitment": True,
    "life_events": ["住房", "经营"],
    "plain": "一句白话。",
    "pictures": ["a.png", "b.png"],
    "video_url": "https://zwfw.weihai.example/v.mp4",
    "updated": "2026-10-15",
    "version": "3",
    "demo": True,
}


def text_of(sections: list) -> str:  # type: ignore[type-arg]
    return "\n".join(line for section in sections for line in section.lines)


def test_every_element_appears_in_order_with_materials_first() -> None:
    sections = guide_sections(guide_from_dict(FULL))
    assert [s.heading for s in sections] == [
        "申请材料",
        "受理条件",
        "办理时限",
        "收费标准",
        "办理流程",
        "办理结果",
        "办理地点",
        "办理方式",
        "特殊环节",
        "其他要求",
        "设定依据",
        "事项信息",
        "咨询与投诉",
    ]
    text = text_of(sections)
    for expected in (
        "1. 居民身份证　原件 1 份　必须提交",
        "可用电子证照代替（免证办）",
        "2. 合同　原件 1 份，复印件 2 份　必须提交",
        "加盖公章",
        "3. 委托书　原件 1 份　以下情形提交：委托代办时",
        "空白表格：https://zwfw.weihai.example/f.pdf",
        "本市居民",
        "承诺办结时限：5 个工作日",
        "法定办结时限：20 个工作日",
        "收费：80 元/件",
        "收费依据：鲁价费〔演示〕1 号",
        "1. 申请：提交材料（申请人，当场）",
        "测试证（证照）",
        "领取方式：免费邮寄送达、电子送达（电子证照或网上查看）",
        "・威海市政务服务中心",
        "地址：青岛中路 106 号（演示地址）",
        "时间：周一至周五",
        "窗口：A1　电话：0631-1",
        "・文登区政务服务中心",
        "网上办：https://zwfw.weihai.example/g",
        "掌上办：爱山东",
        "自助办：本机可办",
        "可办理层级：市级政务服务中心、村居便民服务站",
        "最多跑几次：不用跑（零跑腿）",
        "通办范围：跨省通办",
        "告知承诺制",
        "・公示，15 个工作日（不计入办理时限）；依据：《测试条例》第九条",
        "中介服务：房屋评估",
        "数量限制：每年一次",
        "年检年报：每年 6 月前",
        "图例版：2 张图解",
        "视频版：https://zwfw.weihai.example/v.mp4",
        "1. 《测试法》第一条",
        "2. 《测试条例》",
        "事项类型：行政许可",
        "实施机构：威海市测试中心",
        "服务对象：个人和法人",
        "所属一件事：住房、经营",
        "咨询电话：12345-1",
        "投诉电话：12345",
    ):
        assert expected in text, expected
    assert "一句白话" not in text  # the plain version is its own view
    assert (
        about_line(guide_from_dict(FULL))
        == "事项编码 371000-T-0001　版本 3　更新于 2026-10-15　演示内容，不作为办事依据"
    )


def test_a_minimal_guide_shows_only_what_it_has() -> None:
    guide = guide_from_dict({"id": "1", "name": "最小事项", "department": "威海市测试局"})
    sections = guide_sections(guide)
    assert [(s.heading, s.lines) for s in sections] == [
        ("申请材料", ("无需提交材料",)),
        ("收费标准", ("不收费",)),
        ("办理方式", ("窗口办：可到办理地点窗口办理",)),
        ("事项信息", ("主管部门：威海市测试局", "服务对象：个人")),
    ]


def test_the_plain_version_says_what_to_bring_where_and_how_long() -> None:
    sections = plain_sections(guide_from_dict(FULL))
    assert [s.heading for s in sections] == ["白话版", "要带什么", "去哪里办", "要多久、花多少钱"]
    text = text_of(sections)
    for expected in (
        "一句白话。",
        "・居民身份证",
        "・委托书（委托代办时）",
        "不用跑腿",
        "到威海市政务服务中心办。",
        "地址：青岛中路 106 号（演示地址）",
        "时间：周一至周五",
        "另有 1 个地方也能办",
        "大约 5 个工作日办好。",
        "要交费：80 元/件。",
    ):
        assert expected in text, expected
