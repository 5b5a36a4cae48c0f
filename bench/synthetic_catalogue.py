"""A synthetic catalogue that looks like a real one: varied names, materials and texts per guide."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

REGIONS = ["环翠区", "文登区", "荣成市", "乳山市", "高区", "经区", "临港区", "南海新区"]
DEPARTMENTS = [
    "威海市公安局",
    "国家税务总局威海市税务局",
    "威海市自然资源和规划局",
    "威海市住房公积金管理中心",
    "威海市人力资源和社会保障局",
    "威海市医疗保障局",
    "威海市民政局",
    "威海市市场监督管理局",
    "威海市卫生健康委员会",
    "威海市教育局",
    "威海市残疾人联合会",
    "威海市交通运输局",
    "威海市农业农村局",
]
OBJECTS = [
    "居民身份证",
    "社会保障卡",
    "住房公积金",
    "不动产权证书",
    "营业执照",
    "基本医疗保险",
    "养老保险待遇",
    "失业保险金",
    "残疾人证",
    "结婚登记",
    "出生医学证明",
    "道路运输经营许可",
    "食品经营许可证",
    "药品零售许可",
    "建设工程规划许可",
    "排水许可证",
    "个体工商户登记",
    "最低生活保障",
    "高龄津贴",
    "义务教育入学",
    "医师执业注册",
    "护士执业注册",
    "特种设备使用登记",
    "户口迁移",
    "临时身份证明",
    "异地就医备案",
]
ACTIONS = ["申领", "变更", "注销", "补领", "换领", "查询", "备案", "认定", "审批", "延续", "转移接续", "提取"]
MATERIALS = [
    "居民身份证",
    "户口簿",
    "申请表",
    "营业执照",
    "委托书",
    "结婚证",
    "出生医学证明",
    "房产证明",
    "租赁合同",
    "医学诊断证明",
    "学历证明",
    "劳动合同",
    "银行卡",
    "近期免冠照片",
    "法定代表人身份证明",
    "场所使用证明",
]
PHRASES = [
    "符合条件的申请人",
    "按规定提交材料",
    "经审核符合要求的",
    "在本市参保",
    "具有本市户籍",
    "依法设立的企业",
    "年满十八周岁",
    "首次申请",
    "材料齐全、符合法定形式",
    "现场核验原件",
    "可通过爱山东 App 办理",
]


def synthetic_guides(count: int, seed: int = 7) -> Iterator[dict[str, object]]:
    """`count` guides with ids 371000-S-000000..., deterministic for a seed."""
    chooser = random.Random(seed)
    for number in range(count):
        region = chooser.choice(REGIONS)
        obj = chooser.choice(OBJECTS)
        action = chooser.choice(ACTIONS)
        materials = [
            {
                "name": chooser.choice(MATERIALS),
                "originals": chooser.randint(0, 2),
                "copies": chooser.randint(0, 3),
                "required": chooser.random() > 0.3,
                "notes": "、".join(chooser.sample(PHRASES, 2)),
            }
            for _ in range(chooser.randint(2, 7))
        ]
        yield {
            "id": f"371000-S-{number:06d}",
            "name": f"{region}{obj}{action}（{number % 997}）",
            "department": chooser.choice(DEPARTMENTS),
            "kind": chooser.choice(["行政许可", "行政确认", "公共服务", "行政给付"]),
            "conditions": ["，".join(chooser.sample(PHRASES, 3))],
            "materials": materials,
            "legal_days": (legal := chooser.randint(0, 60)),
            "promised_days": chooser.randint(0, min(legal, 20)),
            "plain": f"办理{obj}{action}，"
            + "，".join(chooser.sample(PHRASES, 4))
            + f"。编号 {chooser.getrandbits(40):x}",
            "demo": True,
        }


def write_catalogue(path: Path, count: int, changed: float = 0.0, seed: int = 7) -> int:
    """Write the catalogue; a share `changed` of guides (chosen by seed) get a new plain text."""
    chooser = random.Random(seed + 1)
    touched = 0
    with path.open("w", encoding="utf-8") as handle:
        for guide in synthetic_guides(count, seed):
            if changed and chooser.random() < changed:
                guide["plain"] = f"{guide['plain']}（已更新 {chooser.getrandbits(32):x}）"
                touched += 1
            handle.write(json.dumps(guide, ensure_ascii=False) + "\n")
    return touched
