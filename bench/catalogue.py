"""A synthetic guide catalogue that looks like a real one, for the search benchmark and tests.

Names combine a real vocabulary (what residents deal with, what they do with it, for whom, where),
so every guide is distinct while a query hits a realistic share of them; materials and texts are
drawn from the documents and sentences of real guides. The same seed gives the same catalogue.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import cast

from kiosk.records import ENTERPRISE_LIFE_EVENTS, INDIVIDUAL_LIFE_EVENTS, Guide, Material, Step
from kiosk.records.guide import LifeEvent

#: Departments and what residents come to them for.
SUBJECTS: dict[str, tuple[str, ...]] = {
    "威海市公安局": (
        "居民身份证",
        "临时居民身份证",
        "居民户口簿",
        "户籍",
        "居住证",
        "无犯罪记录证明",
        "机动车驾驶证",
        "机动车登记",
        "往来港澳通行证",
        "普通护照",
        "出生登记",
    ),
    "威海市人力资源和社会保障局": (
        "社会保障卡",
        "基本养老保险",
        "养老保险待遇",
        "失业保险金",
        "工伤认定",
        "工伤保险待遇",
        "就业失业登记",
        "职业技能等级证书",
        "创业担保贷款",
        "人才引进",
    ),
    "威海市医疗保障局": (
        "医疗保障",
        "异地就医",
        "生育保险待遇",
        "门诊慢特病",
        "医疗费用报销",
        "居民医疗保险参保",
    ),
    "威海市住房公积金管理中心": ("住房公积金", "住房公积金贷款", "公积金缴存", "住房公积金提取"),
    "威海市自然资源和规划局": (
        "不动产权证书",
        "不动产抵押权",
        "不动产预告登记",
        "不动产登记资料",
        "宅基地使用权",
    ),
    "国家税务总局威海市税务局": (
        "个人所得税",
        "发票领用",
        "完税证明",
        "增值税",
        "契税",
        "车辆购置税",
        "纳税申报",
    ),
    "威海市民政局": (
        "结婚登记",
        "离婚登记",
        "最低生活保障",
        "特困人员救助供养",
        "高龄津贴",
        "老年人优待证",
        "殡葬补助",
        "社会组织登记",
        "养老机构备案",
    ),
    "威海市市场监督管理局": ("个体工商户", "营业执照", "食品经营许可证", "企业开办", "企业注销", "商标质押"),
    "威海市卫生健康委员会": ("出生医学证明", "生育服务登记", "医师执业证书", "护士执业证书", "母婴保健"),
    "威海市教育局": ("义务教育入学", "学籍转出", "教师资格认定", "校外培训机构", "学生资助"),
    "威海市残疾人联合会": ("残疾人证", "残疾人辅助器具", "残疾人就业补贴", "重度残疾人护理补贴"),
    "威海市水务集团": ("用水报装", "水表迁移", "用水过户"),
    "国网威海供电公司": ("用电报装", "电表增容", "用电过户"),
    "威海市燃气集团": ("燃气报装", "燃气过户", "燃气表更换"),
    "威海市热电集团": ("供热报装", "供热停供", "供热费缴纳"),
}
ACTIONS = (
    "申领",
    "换领",
    "补领",
    "挂失",
    "变更",
    "注销",
    "查询",
    "打印",
    "提取",
    "转移",
    "续期",
    "备案",
    "认定",
    "核准",
    "审批",
    "登记",
    "证明开具",
    "信息更正",
    "延续",
    "迁移",
    "撤销",
    "恢复",
)
CASES = (
    "",
    "",
    "",
    "首次申领",
    "遗失补办",
    "跨省通办",
    "全省通办",
    "本市户籍",
    "外地户籍",
    "港澳台居民",
    "外国人",
    "企业",
    "个人",
    "未成年人",
    "六十周岁以上",
    "委托代办",
    "网上办理",
    "告知承诺制",
    "现役军人",
    "退役军人",
    "灵活就业人员",
    "农村居民",
    "城镇职工",
    "在校学生",
    "异地办理",
)
REGIONS = (
    "",
    "",
    "",
    "环翠区",
    "文登区",
    "荣成市",
    "乳山市",
    "高区",
    "经区",
    "临港区",
    "南海新区",
    "羊亭镇",
    "张村镇",
    "桥头镇",
    "泊于镇",
    "石岛管理区",
)
MATERIALS = (
    "居民身份证",
    "居民户口簿",
    "结婚证",
    "离婚证",
    "出生医学证明",
    "不动产权证书",
    "营业执照",
    "申请表",
    "授权委托书",
    "近期免冠照片",
    "社会保障卡",
    "购房合同",
    "银行卡",
    "劳动合同",
    "医疗费用发票",
    "病历资料",
    "残疾评定表",
    "学籍证明",
    "居住证",
    "完税证明",
    "死亡医学证明",
    "户籍证明",
    "诊断证明",
    "租赁合同",
    "收入证明",
    "承诺书",
    "法定代表人身份证明",
)
CONDITIONS = (
    "本市户籍居民",
    "在本市连续居住满半年",
    "已参加基本养老保险",
    "已缴存住房公积金满三个月",
    "年满十六周岁",
    "持有有效居住证",
    "依法登记的企业",
    "符合国家规定条件",
)
SENTENCES = (
    "申请人可以到任一便民服务中心或自助终端办理",
    "材料齐全、符合法定形式的当场受理",
    "审核通过后通过短信告知办理结果",
    "可以选择邮寄送达或窗口领取",
    "不收取任何费用",
    "办理时请携带原件以便核验",
    "委托他人办理的需提供双方身份证明",
    "可通过爱山东 App 在线提交申请",
    "法定节假日暂停窗口受理",
    "逾期未领取的证件将统一保管",
)
LIFE_EVENTS = INDIVIDUAL_LIFE_EVENTS + ENTERPRISE_LIFE_EVENTS


def _names(rng: random.Random, count: int) -> Iterator[tuple[str, str, str]]:
    """Distinct (name, department, subject) triples."""
    pairs = [(department, subject) for department, subjects in SUBJECTS.items() for subject in subjects]
    seen: set[str] = set()
    capacity = len(pairs) * len(ACTIONS) * len(CASES) * len(REGIONS)
    if count > capacity // 4:
        raise ValueError(f"at most {capacity // 4} distinct synthetic guides, not {count}")
    while len(seen) < count:
        department, subject = rng.choice(pairs)
        case = rng.choice(CASES)
        name = f"{rng.choice(REGIONS)}{subject}{rng.choice(ACTIONS)}" + (f"（{case}）" if case else "")
        if name not in seen:
            seen.add(name)
            yield name, department, subject


def synthetic_guides(count: int, seed: int = 3) -> Iterator[Guide]:
    """`count` distinct guides with materials, steps and plain-language texts."""
    rng = random.Random(seed)
    for number, (name, department, subject) in enumerate(_names(rng, count), start=1):
        materials = tuple(
            Material(
                name=material,
                copies=rng.choice((0, 0, 1)),
                required=rng.random() > 0.2,
                e_license=rng.random() > 0.6,
            )
            for material in rng.sample(MATERIALS, rng.randint(2, 6))
        )
        steps = tuple(
            Step(title=title, description=rng.choice(SENTENCES)) for title in ("申请", "受理", "审核", "办结")
        )
        plain = f"办理{subject}相关事项，" + "，".join(rng.sample(SENTENCES, 3)) + "。"
        yield Guide(
            id=f"SYN-{number:06d}",
            name=name,
            department=department,
            kind=rng.choice(("行政确认", "行政许可", "公共服务", "行政给付")),
            conditions=tuple(rng.sample(CONDITIONS, 2)),
            steps=steps,
            materials=materials,
            promised_days=rng.choice((0, 1, 3, 5, 10, 15, 20)),
            max_visits=rng.choice((0, 1, 1, 2)),
            life_events=cast(
                "tuple[LifeEvent, ...]", tuple(rng.sample(LIFE_EVENTS, rng.choice((0, 0, 1, 2))))
            ),
            plain=plain,
        )
