"""Write the demo catalogue config/demo/guides.jsonl: over a hundred Weihai guides, marked as demo.

Run: .venv/bin/python scripts/demo_guides.py
The output is committed; this script only saves typing the same halls and steps a hundred times.
Every address is invented and says so; every online link is under https://zwfw.weihai.example/.
"""

# ruff: noqa: E501, PLR0917  (a data table: one record a line reads better than wrapped keywords)

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.guides import read_jsonl, write_jsonl

OUT = Path(__file__).resolve().parents[1] / "config" / "demo" / "guides.jsonl"
UPDATED = "2026-10-15"
WEEKDAYS = "周一至周五 9:00-17:00"
WEEKDAYS_SAT = "周一至周五 9:00-17:00，周六 9:00-12:00"

# -- halls --------------------------------------------------------------------------------------


def hall(name: str, address: str, hours: str, window: str, phone: str) -> dict[str, str]:
    return {"hall": name, "address": f"{address}（演示地址）", "hours": hours, "window": window, "phone": phone}


CITY = ("威海市政务服务中心", "威海市环翠区青岛中路 106 号", WEEKDAYS_SAT, "0631-5890001")
HUANCUI = ("环翠区政务服务中心", "威海市环翠区新威路 18 号", "周一至周五 8:30-17:30", "0631-5230012")
WENDENG = ("文登区政务服务中心", "威海市文登区米山路 66 号", WEEKDAYS, "0631-8451200")
RONGCHENG = ("荣成市政务服务中心", "荣成市成山大道 299 号", WEEKDAYS, "0631-7561300")
RUSHAN = ("乳山市政务服务中心", "乳山市胜利街 88 号", WEEKDAYS, "0631-6651400")
GAOQU = ("高区政务服务中心", "威海市火炬高技术产业开发区火炬路 213 号", WEEKDAYS, "0631-5688100")
JINGQU = ("经区政务服务中心", "威海市经济技术开发区海南路 16 号", WEEKDAYS, "0631-5981200")
LINGANG = ("临港区政务服务中心", "威海临港经济技术开发区草庙子镇蔄山路 9 号", WEEKDAYS, "0631-3960100")
JINGYUAN_TOWN = ("环翠区鲸园街道便民服务中心", "威海市环翠区鲸园街道古寨东路 35 号", "周一至周五 8:30-17:00", "0631-5212300")
ZHANGCUN_TOWN = ("环翠区张村镇便民服务中心", "威海市环翠区张村镇张村路 1 号", "周一至周五 8:30-17:00", "0631-5611200")
VILLAGE = ("环翠区孙家疃街道远遥社区便民服务站", "威海市环翠区孙家疃街道远遥村 12 号", "周一至周五 8:30-11:30，14:00-17:00", "0631-5311400")


def at(place: tuple[str, str, str, str], window: str) -> dict[str, str]:
    name, address, hours, phone = place
    return hall(name, address, hours, window, phone)


COUNTIES = (HUANCUI, WENDENG, RONGCHENG, RUSHAN, GAOQU, JINGQU, LINGANG)

# -- departments --------------------------------------------------------------------------------

DEPARTMENTS: dict[str, dict[str, Any]] = {
    "GA": {"department": "威海市公安局", "agency": "威海市公安局户政管理支队", "phone": "0631-5890110", "window": "户籍窗口"},
    "SW": {"department": "国家税务总局威海市税务局", "agency": "国家税务总局威海市税务局", "phone": "12366", "window": "税务综合窗口"},
    "BDC": {"department": "威海市自然资源和规划局", "agency": "威海市不动产登记中心", "phone": "0631-5286600", "window": "不动产登记窗口"},
    "GJJ": {"department": "威海市住房公积金管理中心", "agency": "威海市住房公积金管理中心", "phone": "12329", "window": "公积金窗口"},
    "SB": {"department": "威海市人力资源和社会保障局", "agency": "威海市社会保险事业中心", "phone": "12333", "window": "社保窗口"},
    "JY": {"department": "威海市人力资源和社会保障局", "agency": "威海市公共就业和人才服务中心", "phone": "12333", "window": "就业创业窗口"},
    "YB": {"department": "威海市医疗保障局", "agency": "威海市医疗保障服务中心", "phone": "0631-5338012", "window": "医保窗口"},
    "MZ": {"department": "威海市民政局", "agency": "威海市民政局", "phone": "0631-5233456", "window": "民政窗口"},
    "SCJG": {"department": "威海市市场监督管理局", "agency": "威海市市场监督管理局", "phone": "0631-12315", "window": "企业开办专区"},
    "WJ": {"department": "威海市卫生健康委员会", "agency": "威海市卫生健康委员会", "phone": "0631-5231120", "window": "卫生健康窗口"},
    "JYJ": {"department": "威海市教育局", "agency": "威海市教育局", "phone": "0631-5232010", "window": "教育窗口"},
    "CL": {"department": "威海市残疾人联合会", "agency": "威海市残疾人联合会", "phone": "0631-5206789", "window": "残联窗口"},
    "SD": {"department": "威海市水务集团", "agency": "威海市水务集团有限公司客户服务中心", "phone": "0631-96606", "window": "供水业务窗口"},
    "DL": {"department": "国网威海供电公司", "agency": "国网威海供电公司营业厅", "phone": "95598", "window": "用电业务窗口"},
    "RQ": {"department": "威海市燃气公司", "agency": "威海市燃气公司客户服务中心", "phone": "0631-96777", "window": "燃气业务窗口"},
    "RL": {"department": "威海市热电集团", "agency": "威海市热电集团客户服务中心", "phone": "0631-96119", "window": "供热业务窗口"},
}

#: Halls of each department besides the city hall.
OWN_HALLS: dict[str, list[dict[str, str]]] = {
    "BDC": [hall("威海市不动产登记中心", "威海市环翠区统一路 338 号", WEEKDAYS_SAT, "1-20 号窗口", "0631-5286600")],
    "GJJ": [hall("威海市住房公积金管理中心服务大厅", "威海市环翠区世昌大道 21 号", WEEKDAYS_SAT, "1-12 号窗口", "0631-5232329")],
    "MZ": [hall("环翠区婚姻登记处", "威海市环翠区文化西路 127 号", "周一至周五 9:00-17:00（法定节假日按公告）", "结婚登记室", "0631-5202520")],
    "SD": [hall("水务集团客户服务中心", "威海市环翠区新威路 56 号", WEEKDAYS_SAT, "营业窗口", "0631-96606")],
    "DL": [hall("国网威海供电公司环翠营业厅", "威海市环翠区青岛北路 29 号", WEEKDAYS_SAT, "营业窗口", "95598")],
    "RQ": [hall("燃气公司客户服务中心", "威海市高区沈阳路 77 号", WEEKDAYS_SAT, "营业窗口", "0631-96777")],
    "RL": [hall("热电集团客户服务中心", "威海市经区青岛南路 108 号", WEEKDAYS_SAT, "营业窗口", "0631-96119")],
}

UTILITIES = {"SD", "DL", "RQ", "RL"}


def halls_for(prefix: str, window: str, levels: list[str], number: int) -> list[dict[str, str]]:
    """The city hall, one county hall chosen by the item number, and town/village ones by level."""
    places = list(OWN_HALLS.get(prefix, []))
    if prefix not in UTILITIES:
        if "city" in levels:
            places.append(at(CITY, window))
        if "county" in levels:
            places.append(at(COUNTIES[number % len(COUNTIES)], window))
        if "town" in levels:
            places.append(at(JINGYUAN_TOWN if number % 2 else ZHANGCUN_TOWN, "综合受理窗口"))
        if "village" in levels:
            places.append(at(VILLAGE, "代办员"))
    return places


# -- materials ----------------------------------------------------------------------------------


def orig(name: str, *, e: bool = False, cond: str = "", notes: str = "") -> dict[str, Any]:
    return mat(name, "original", 1, 0, e, cond, notes)


def copy(name: str, copies: int = 1, *, cond: str = "", notes: str = "") -> dict[str, Any]:
    return mat(name, "copy", 0, copies, False, cond, notes)


def both(name: str, copies: int = 1, *, e: bool = False, cond: str = "", notes: str = "") -> dict[str, Any]:
    return mat(name, "original_and_copy", 1, copies, e, cond, notes)


def elec(name: str, *, cond: str = "", notes: str = "") -> dict[str, Any]:
    return mat(name, "electronic", 0, 0, True, cond, notes)


def form(name: str, number: str, *, cond: str = "") -> dict[str, Any]:
    item = mat(name, "original", 1, 0, False, cond, "可在窗口领取，也可在线下载填写")
    item["form_url"] = f"https://zwfw.weihai.example/forms/{number}.pdf"
    return item


def mat(name: str, kind: str, originals: int, copies: int, e: bool, cond: str, notes: str) -> dict[str, Any]:
    item: dict[str, Any] = {"name": name, "form": kind, "originals": originals, "copies": copies}
    if cond:
        item["required"] = False
        item["condition"] = cond
    if notes:
        item["notes"] = notes
    if e:
        item["e_license"] = True
    return item


ID = orig("居民身份证", e=True)
HUKOU = orig("居民户口簿", e=True)
LICENCE = both("营业执照", e=True, notes="已领取电子营业执照的，可出示电子营业执照代替")
AGENT = orig("委托书及受托人身份证件", cond="委托他人代办时")
LEGAL_ID = orig("法定代表人身份证件", e=True)

# -- steps --------------------------------------------------------------------------------------


def steps(*items: tuple[str, str, str, str]) -> list[dict[str, str]]:
    return [
        {key: value for key, value in zip(("title", "description", "actor", "duration"), item, strict=True) if value}
        for item in items
    ]


def standard_steps(window: str, promised: int | None, result: str) -> list[dict[str, str]]:
    review = "当场" if promised == 0 else f"{promised} 个工作日内" if promised else ""
    return steps(
        ("申请", "网上提交或到窗口提交材料", "申请人", ""),
        ("受理", f"{window}核对材料，齐全的当场受理；不齐的一次性告知补什么", "窗口工作人员", "当场"),
        ("审核决定", "承办科室审核并作出决定", "承办机构", review),
        ("办结", result, "承办机构", ""),
    )


# -- one guide ----------------------------------------------------------------------------------

LEVEL_SETS = {
    "c": ["city"],
    "cc": ["city", "county"],
    "cct": ["city", "county", "town"],
    "cctv": ["city", "county", "town", "village"],
    "ct": ["county", "town"],
    "ctv": ["county", "town", "village"],
    "k": ["county"],
}

GUIDES: list[dict[str, Any]] = []


def guide(
    number: str,
    name: str,
    kind: str,
    *,
    materials: list[dict[str, Any]],
    plain: str,
    conditions: list[str] | str = (),  # type: ignore[assignment]
    basis: list[str] | str = (),  # type: ignore[assignment]
    audience: str = "individual",
    events: tuple[str, ...] = (),
    legal: int | None = None,
    promised: int | None = None,
    fee: str = "",
    fee_basis: str = "",
    result: tuple[str, str, tuple[str, ...]] = ("", "其他", ("on_the_spot",)),
    levels: str = "cc",
    visits: int = 1,
    cross: tuple[str, ...] = (),
    commitment: bool = False,
    self_service: bool = False,
    app: bool = True,
    online: bool = True,
    special: list[dict[str, Any]] | None = None,
    step_list: list[dict[str, str]] | None = None,
    agency: str = "",
    quantity: str = "",
    annual: str = "",
    intermediary: str = "",
) -> None:
    prefix = number.split("-", maxsplit=1)[0]
    dept = DEPARTMENTS[prefix]
    guide_id = f"371000-{number}"
    level_list = LEVEL_SETS[levels]
    result_name, result_type, delivery = result
    delivered = {
        "on_the_spot": "窗口当场发放",
        "post": "邮寄送达",
        "self_pickup": "自助终端领取",
        "electronic": "电子送达，可在爱山东 App 查看",
    }
    record: dict[str, Any] = {
        "id": guide_id,
        "name": name,
        "kind": kind,
        "department": dept["department"],
        "agency": agency or dept["agency"],
        "basis": [basis] if isinstance(basis, str) else list(basis),
        "conditions": [conditions] if isinstance(conditions, str) else list(conditions),
        "audience": audience,
        "steps": step_list
        or standard_steps(
            dept["window"],
            promised,
            f"{result_name or '办理结果'}；{'或'.join(delivered[d] for d in delivery)}",
        ),
        "materials": materials,
        "legal_days": legal,
        "promised_days": promised,
        "fee": {"charged": True, "standard": fee, "basis": fee_basis} if fee else {"charged": False},
        "result": {"name": result_name, "type": result_type, "delivery": list(delivery)},
        "locations": halls_for(prefix, dept["window"], level_list, int(number.split("-")[1])),
        "phone": dept["phone"],
        "complaint_phone": "12345",
        "levels": level_list,
        "channels": {
            "online_url": f"https://zwfw.weihai.example/guide/{guide_id}" if online else "",
            "app": "爱山东 App 威海分厅" if app else "",
            "self_service": self_service,
            "counter": True,
        },
        "max_visits": visits,
        "cross_region": list(cross),
        "commitment": commitment,
        "life_events": list(events),
        "plain": plain,
        "special_procedures": special or [],
        "quantity_limit": quantity,
        "annual_report": annual,
        "intermediary": intermediary,
        "updated": UPDATED,
        "version": "1",
        "demo": True,
    }
    GUIDES.append({key: value for key, value in record.items() if value not in (None, "", [], {})})


def sp(name: str, basis: str, days: int) -> dict[str, Any]:
    return {"name": name, "basis": basis, "days": days}


# == 公安：户籍、居民身份证 ==========================================================================
ID_LAW = "《中华人民共和国居民身份证法》"
HUKOU_LAW = "《中华人民共和国户口登记条例》"
ID_FEE_BASIS = "鲁价费发〔2004〕1 号"

guide(
    "GA-0001", "居民身份证换领", "行政确认",
    conditions="居民身份证有效期满、证件损坏难以辨认，或登记事项变更的本市户籍居民",
    basis=[f"{ID_LAW}第十一条", "《居民身份证申领发放管理规定》"],
    materials=[
        orig("居民户口簿", e=True, notes="户口簿在家庭成员手中时可凭电子户口信息核验"),
        orig("原居民身份证", notes="证件丢失的无需提交"),
        orig("符合标准的证件照片", cond="不在窗口现场拍照时", notes="白色背景，近 6 个月内免冠正面照"),
    ],
    step_list=steps(
        ("现场申请", "到任一户籍窗口或自助终端采集照片与指纹", "申请人", "约 15 分钟"),
        ("受理审核", "民警核对户籍信息并受理", "户籍民警", "当场"),
        ("制证", "省公安厅制证中心制作证件", "公安机关", "15 个工作日"),
        ("领取", "窗口领取、邮寄送达或自助终端取证", "申请人", ""),
    ),
    legal=60, promised=15, fee="20 元（换领）", fee_basis=ID_FEE_BASIS,
    result=("中华人民共和国居民身份证", "证照", ("on_the_spot", "post", "self_pickup")),
    levels="cct", cross=("跨省通办",), self_service=True,
    plain="身份证快到期或坏了，带上户口本和旧身份证，到户籍窗口拍照、按指纹，大约 15 个工作日就能拿到新证，可以选择邮寄到家。",
)
guide(
    "GA-0002", "居民身份证挂失补领", "行政确认",
    conditions="居民身份证丢失的本市户籍居民",
    basis=f"{ID_LAW}第十一条",
    materials=[HUKOU, orig("证件照片", cond="不在窗口现场拍照时")],
    step_list=steps(
        ("挂失", "通过爱山东 App 或窗口办理挂失", "申请人", "即时"),
        ("补领申请", "窗口采集照片与指纹", "申请人", ""),
        ("制证与领取", "制证后窗口领取或邮寄", "公安机关", "15 个工作日"),
    ),
    legal=60, promised=15, fee="40 元（补领）", fee_basis=ID_FEE_BASIS,
    result=("中华人民共和国居民身份证", "证照", ("on_the_spot", "post")),
    levels="cc", cross=("跨省通办",),
    plain="身份证丢了，先在手机上挂失，再带户口本去户籍窗口补办，交 40 元工本费。",
)
guide(
    "GA-0003", "临时居民身份证申领", "行政确认",
    conditions="正在申领、换领、补领居民身份证期间，急需使用居民身份证的本市户籍居民",
    basis=[f"{ID_LAW}第八条", "《中华人民共和国临时居民身份证管理办法》"],
    materials=[HUKOU, orig("居民身份证申领受理回执", notes="正在办理正式身份证的凭证")],
    legal=3, promised=0, fee="10 元", fee_basis=ID_FEE_BASIS,
    result=("临时居民身份证", "证照", ("on_the_spot",)), levels="cc",
    plain="正式身份证还没做好、又急着坐车住店办事，可以带户口本和受理回执当场办一张临时身份证，有效期 3 个月，工本费 10 元。",
)
guide(
    "GA-0010", "出生登记（新生儿落户）", "行政确认",
    conditions="父母一方为本市户籍、出生一个月内的婴儿（超过一个月也可办理）",
    basis=[f"{HUKOU_LAW}第七条"],
    materials=[
        elec("出生医学证明", notes="医院已上传的，无需提交纸质证明"),
        orig("父母双方居民户口簿", e=True), orig("父母双方居民身份证", e=True),
        orig("结婚证", e=True, cond="父母已登记结婚时"),
    ],
    legal=5, promised=0, result=("户口簿登记页（新生儿）", "证照", ("on_the_spot",)),
    levels="cct", visits=0, self_service=True, events=("出生",), online=False,
    plain="宝宝出生后，用出生医学证明和爸妈的户口本、身份证给宝宝上户口。医院已经上传出生证的，可以在手机上办，不用跑腿。",
)
guide(
    "GA-0011", "死亡人员户口注销", "行政确认",
    conditions="本市户籍居民死亡后，由其亲属或监护人申报",
    basis=[f"{HUKOU_LAW}第八条"],
    materials=[
        elec("居民死亡医学证明（推断）书或火化证明", notes="医院、殡仪馆已共享信息的无需提交"),
        orig("死者居民户口簿"), orig("死者居民身份证", notes="无法交回的说明原因"),
        orig("申报人居民身份证", e=True),
    ],
    legal=5, promised=0, result=("户口注销证明", "其他", ("on_the_spot", "electronic")),
    levels="cct", events=("身后",),
    plain="家人去世后，由亲属带上死亡证明、户口本和身份证到派出所或便民服务中心注销户口，当场就能办好，可以同时开具注销证明。",
)
guide(
    "GA-0012", "夫妻投靠户口迁入", "行政许可",
    conditions=["夫妻一方为本市城区户籍", "结婚登记满一年或已生育子女（以本市现行落户政策为准）"],
    basis=[f"{HUKOU_LAW}第十条", "《威海市户籍管理规定》（演示）"],
    materials=[both("结婚证", e=True), orig("双方居民户口簿", e=True), orig("双方居民身份证", e=True),
               copy("本市合法稳定住所证明", cond="迁入地址不是配偶户口所在地时")],
    legal=20, promised=5, result=("准予迁入证明（电子）", "批文", ("electronic",)),
    levels="cc", cross=("跨省通办",), events=("婚育",),
    plain="结了婚想把户口迁到爱人在威海的户口上，带结婚证和双方户口本、身份证申请。外省的户口可以在威海直接办迁移，不用回老家开证明。",
)
guide(
    "GA-0013", "大中专院校录取学生户口迁出", "行政确认",
    conditions="被大中专院校录取、自愿将户口迁往学校的本市户籍学生",
    basis=[f"{HUKOU_LAW}第十一条"],
    materials=[orig("录取通知书"), HUKOU, orig("学生本人居民身份证", e=True)],
    legal=5, promised=0, result=("户口迁移证或电子迁移信息", "其他", ("on_the_spot", "electronic")),
    levels="cc", cross=("跨省通办",), events=("入学",),
    plain="考上大学想把户口迁到学校，带录取通知书和户口本到派出所办理。迁不迁由自己决定，不迁也不影响上学。",
)
guide(
    "GA-0014", "人才引进落户", "行政许可",
    conditions=["具有全日制大专及以上学历或技师以上职业资格", "在本市就业或创业"],
    basis=["《威海市人才引进落户实施办法》（演示）"],
    materials=[both("毕业证书或职业资格证书", e=True), ID, orig("劳动合同或营业执照", cond="已在本市就业或创业时"),
               orig("原籍户口簿", cond="本人户口不在学校集体户时")],
    legal=20, promised=3, result=("准予迁入证明（电子）", "批文", ("electronic",)),
    levels="cc", visits=1, cross=("跨省通办",), events=("就业",), commitment=True,
    plain="大专以上学历或有技能证书、在威海工作的人可以直接落户。带毕业证和身份证申请，3 个工作日出结果，手续不全的可以先承诺后补。",
)
guide(
    "GA-0015", "购房落户", "行政许可",
    conditions="在本市城区购买合法产权住房并已取得不动产权证书",
    basis=["《威海市户籍管理规定》（演示）"],
    materials=[both("不动产权证书", e=True), ID, HUKOU,
               orig("共同居住家庭成员关系证明", cond="配偶、子女随迁时")],
    legal=20, promised=5, result=("准予迁入证明（电子）", "批文", ("electronic",)),
    levels="cc", events=("住房",),
    plain="在威海城区买了房、拿到房产证，就能把户口落到房子上，配偶和孩子可以一起迁来。",
)
guide(
    "GA-0030", "无犯罪记录证明开具", "公共服务",
    conditions="本市户籍居民或在本市居住的人员因就业、出国等需要开具",
    basis=["《公安部关于规范和加强无犯罪记录证明开具工作的通知》"],
    materials=[ID, AGENT],
    legal=3, promised=1, result=("无犯罪记录证明", "其他", ("on_the_spot", "electronic")),
    levels="cct", visits=0, self_service=True, events=("就业",),
    plain="找工作、出国需要证明自己没有犯罪记录，可以在手机上申请电子证明，一个工作日内出，也可以到派出所打印纸质的。",
)

# == 税务 =========================================================================================
TAX_LAW = "《中华人民共和国税收征收管理法》"

guide(
    "SW-0021", "个人所得税完税证明开具", "公共服务",
    conditions="在本市缴纳过个人所得税的纳税人",
    basis=[f"{TAX_LAW}第三十四条"],
    materials=[ID, AGENT],
    legal=0, promised=0, result=("纳税记录（完税证明）", "其他", ("on_the_spot", "electronic")),
    levels="k", visits=0, self_service=True,
    plain="买房、贷款、落户常常要个税完税证明，在个人所得税 App 或本机上就能打印，不用排队。",
)
guide(
    "SW-0001", "新办纳税人套餐式服务", "公共服务", audience="enterprise",
    conditions="领取营业执照后首次办理涉税事项的企业和个体工商户",
    basis=[f"{TAX_LAW}第十五条", "《国家税务总局关于进一步优化新办纳税人涉税事项办理的通知》（演示）"],
    materials=[LICENCE, LEGAL_ID, orig("办税人员身份证件", e=True), orig("财务负责人信息")],
    legal=1, promised=0, result=("税务登记信息确认、数电发票开票额度", "其他", ("electronic",)),
    levels="k", visits=0, events=("开办",),
    plain="刚拿到营业执照，在电子税务局一次填好信息，就能同时完成税务信息确认、票种核定和开票授权，当天就能开发票。",
)
guide(
    "SW-0002", "数电发票开票额度调整", "行政许可", audience="enterprise",
    conditions="开票额度不能满足经营需要的纳税人",
    basis=["《中华人民共和国发票管理办法》第十五条"],
    materials=[LICENCE, orig("经办人身份证件", e=True), copy("近期购销合同", 1, cond="申请大幅调整额度时")],
    legal=20, promised=1, result=("调整后的开票额度", "批文", ("electronic",)),
    levels="k", visits=0, events=("经营",), special=[sp("现场勘验", "《税务登记管理办法》（演示）", 5)],
    plain="发票额度不够用，在电子税务局提交调整申请，一般一个工作日内就能调好，必要时税务人员会上门核实经营情况。",
)
guide(
    "SW-0003", "增值税及附加税费申报", "其他行政权力", audience="enterprise",
    conditions="增值税纳税人在规定期限内申报",
    basis=[f"{TAX_LAW}第二十五条", "《中华人民共和国增值税暂行条例》（演示引用）"],
    materials=[elec("增值税及附加税费申报表"), copy("财务报表", 1, cond="一般纳税人按期报送时")],
    legal=0, promised=0, result=("申报回执", "其他", ("electronic",)),
    levels="k", visits=0, events=("经营",),
    plain="企业每月或每季度要报增值税，在电子税务局填表提交、网上缴款就行，系统会自动带出大部分数据。",
)
guide(
    "SW-0004", "个人所得税综合所得年度汇算", "其他行政权力",
    conditions="上一年度取得工资薪金、劳务报酬等综合所得，需要补税或申请退税的个人",
    basis=["《中华人民共和国个人所得税法》第十一条"],
    materials=[ID, orig("专项附加扣除相关资料", cond="申报子女教育、住房贷款利息等扣除时", notes="留存备查，不必提交")],
    legal=0, promised=0, result=("汇算申报回执、退税到账", "其他", ("electronic",)),
    levels="k", visits=0, self_service=True,
    plain="每年 3 月到 6 月，在个人所得税 App 上核对去年的收入，多交了就退、少交了就补，大多数人几分钟就能办完。",
)
guide(
    "SW-0005", "税务注销（清税证明）", "行政确认", audience="enterprise",
    conditions="办理市场主体注销前已结清应纳税款、滞纳金、罚款，缴销发票",
    basis=[f"{TAX_LAW}第十六条", "《税务登记管理办法》第二十八条"],
    materials=[LICENCE, LEGAL_ID, orig("注销税务登记申请表"),
               copy("上级主管部门批复文件或董事会决议", 1, cond="非自行解散的单位")],
    legal=20, promised=1, result=("清税证明", "其他", ("on_the_spot", "electronic")),
    levels="k", events=("注销",), commitment=True,
    plain="企业不干了，先把税清完、发票交回，就能拿到清税证明，再去市场监管局注销执照。没有欠税的即时办结。",
)
guide(
    "SW-0006", "契税申报（个人购房）", "行政确认",
    conditions="在本市购买住房的个人",
    basis=["《中华人民共和国契税法》第九条"],
    materials=[ID, both("购房合同", 1, notes="网签备案合同可由系统调取"), orig("购房发票", e=True),
               orig("婚姻状况证明", cond="申请家庭首套住房优惠时")],
    legal=0, promised=0, fee="按《契税法》规定税率缴纳（家庭首套 90 平方米及以下 1%）", fee_basis="《中华人民共和国契税法》",
    result=("契税完税凭证", "其他", ("on_the_spot", "electronic")),
    levels="k", events=("住房",),
    plain="买了房要交契税，和不动产登记在同一个窗口一起办，交完税直接办房产证，首套小户型税率只有 1%。",
)
guide(
    "SW-0007", "存量房交易税费申报", "行政确认",
    conditions="买卖二手房的双方当事人",
    basis=["《中华人民共和国契税法》", "《中华人民共和国个人所得税法》"],
    materials=[orig("买卖双方居民身份证", e=True), both("不动产权证书", e=True), both("存量房买卖合同", 1)],
    legal=0, promised=0, fee="依法缴纳契税、增值税、个人所得税等", fee_basis="相关税收法律法规",
    result=("完税凭证", "其他", ("on_the_spot",)), levels="k", events=("住房",),
    plain="买卖二手房，买卖双方一起到不动产登记大厅的税务窗口算税、交税，交完就能接着办过户。",
)
guide(
    "SW-0008", "纳税人登记信息变更", "行政确认", audience="enterprise",
    conditions="纳税人登记信息（法定代表人、经营范围、财务负责人等）发生变化",
    basis=[f"{TAX_LAW}第十六条"],
    materials=[LICENCE, orig("变更登记内容的有关证明文件")],
    legal=0, promised=0, result=("变更后的税务登记信息", "其他", ("electronic",)),
    levels="k", visits=0, events=("变更",),
    plain="市场监管局办完执照变更后，信息会自动推给税务；财务负责人、联系电话等信息在电子税务局自己改就行。",
)

# == 不动产登记 ====================================================================================
BDC_RULES = "《不动产登记暂行条例》"

guide(
    "BDC-0007", "不动产登记资料查询", "公共服务", audience="both",
    conditions="不动产权利人、利害关系人依法查询",
    basis=[f"{BDC_RULES}第二十七条", "《不动产登记资料查询暂行办法》"],
    materials=[ID, AGENT, orig("利害关系证明材料", cond="利害关系人查询时")],
    legal=0, promised=0, result=("不动产登记信息查询结果", "其他", ("on_the_spot", "self_pickup")),
    levels="cct", visits=0, self_service=True, events=("住房",),
    plain="想知道房子登记在谁名下、有没有抵押，带身份证在本机或窗口就能打印查询结果，免费。",
)
guide(
    "BDC-0001", "新建商品房转移登记", "行政确认",
    conditions="购买新建商品房并已交清房款和税费",
    basis=[f"{BDC_RULES}第十四条", "《不动产登记暂行条例实施细则》第三十八条"],
    materials=[orig("不动产登记申请书"), ID, both("商品房买卖合同", 1), orig("契税完税凭证", e=True),
               orig("婚姻状况证明", e=True, cond="夫妻共有时")],
    legal=30, promised=3, fee="80 元/件（住宅），工本费每增加一本 10 元", fee_basis="鲁发改成本〔2016〕1 号（演示引用）",
    result=("不动产权证书", "证照", ("on_the_spot", "post", "electronic")),
    levels="cc", events=("住房",),
    plain="买的新房交房后，开发商和您一起申请办房产证，3 个工作日办好，可以选电子证书或邮寄到家。",
)
guide(
    "BDC-0002", "存量房买卖转移登记", "行政确认",
    conditions="买卖二手房，房屋已取得不动产权证书且无查封",
    basis=[f"{BDC_RULES}第十四条"],
    materials=[orig("不动产登记申请书"), orig("买卖双方居民身份证", e=True), orig("不动产权证书", e=True),
               both("存量房买卖合同", 1), orig("完税凭证", e=True),
               orig("抵押权人同意转让的书面材料", cond="房屋设有抵押时")],
    legal=30, promised=1, fee="80 元/件（住宅）", fee_basis="鲁发改成本〔2016〕1 号（演示引用）",
    result=("不动产权证书", "证照", ("on_the_spot", "post", "electronic")),
    levels="cc", events=("住房",), cross=("全省通办",),
    plain="二手房过户，买卖双方带身份证、房产证和合同一起到不动产登记大厅，交税、过户一个窗口办，一般当天或次日拿证。",
)
guide(
    "BDC-0003", "不动产抵押权首次登记", "行政确认", audience="both",
    conditions="以不动产设定抵押，向银行等金融机构贷款",
    basis=[f"{BDC_RULES}第十四条", "《中华人民共和国民法典》第四百零二条"],
    materials=[orig("不动产登记申请书"), orig("不动产权证书", e=True), both("主债权合同和抵押合同", 1),
               orig("抵押人、抵押权人身份证明", e=True)],
    legal=30, promised=1, fee="80 元/件（住宅）；企业 550 元/件", fee_basis="鲁发改成本〔2016〕1 号（演示引用）",
    result=("不动产登记证明（抵押权）", "证照", ("electronic",)),
    levels="cc", visits=0, events=("住房", "经营"),
    plain="用房子做抵押贷款，银行会在网上帮您申请抵押登记，一般一个工作日办好，电子证明直接发给银行。",
)
guide(
    "BDC-0004", "不动产抵押权注销登记", "行政确认", audience="both",
    conditions="主债权已清偿或抵押权人放弃抵押权",
    basis=[f"{BDC_RULES}第十四条"],
    materials=[orig("不动产登记证明（抵押权）", e=True), orig("抵押权人同意注销的证明")],
    legal=30, promised=0, result=("抵押权注销登记结果", "其他", ("electronic",)),
    levels="cc", visits=0,
    plain="房贷还清后，银行会在网上申请注销抵押，当天就能办好，不用您跑腿，也不收费。",
)
guide(
    "BDC-0005", "不动产继承转移登记", "行政确认",
    conditions="因继承、受遗赠取得不动产",
    basis=[f"{BDC_RULES}第十四条", "《中华人民共和国民法典》继承编"],
    materials=[orig("不动产登记申请书"), orig("不动产权证书", e=True), orig("被继承人死亡证明", e=True),
               orig("全部法定继承人身份证明及亲属关系证明"), orig("继承权公证书或生效法律文书", cond="继承人之间无法共同到场时")],
    legal=30, promised=5, fee="80 元/件（住宅）", fee_basis="鲁发改成本〔2016〕1 号（演示引用）",
    result=("不动产权证书", "证照", ("on_the_spot", "post")),
    levels="cc", events=("身后",),
    special=[sp("公示", "《不动产登记暂行条例实施细则》第十七条", 15)],
    plain="家人去世后，房子要过户到继承人名下。所有继承人带上死亡证明、亲属关系证明一起来办；人来不齐的要先办公证，登记前还要公示 15 个工作日。",
)
guide(
    "BDC-0006", "不动产更正登记", "行政确认", audience="both",
    conditions="不动产登记簿记载的事项有错误",
    basis=[f"{BDC_RULES}第十四条", "《不动产登记暂行条例实施细则》第七十九条"],
    materials=[orig("不动产登记申请书"), ID, orig("不动产权证书", e=True), orig("证实登记确有错误的材料")],
    legal=30, promised=5, result=("更正后的不动产权证书", "证照", ("on_the_spot", "post")), levels="cc",
    plain="房产证上的名字、面积等写错了，带上证明错误的材料申请更正，5 个工作日改好，不收费。",
)
guide(
    "BDC-0008", "企业间不动产转移登记", "行政确认", audience="enterprise",
    conditions="企业之间买卖、作价出资等转移不动产",
    basis=[f"{BDC_RULES}第十四条"],
    materials=[orig("不动产登记申请书"), both("双方营业执照", e=True), orig("不动产权证书", e=True),
               both("转让合同", 1), orig("完税凭证", e=True), orig("董事会或股东会决议", cond="公司章程有要求时")],
    legal=30, promised=3, fee="550 元/件（非住宅）", fee_basis="鲁发改成本〔2016〕1 号（演示引用）",
    result=("不动产权证书", "证照", ("on_the_spot", "electronic")),
    levels="cc", events=("经营",),
    plain="企业之间买卖厂房、办公楼，交完税后带合同和执照办理过户，3 个工作日办好。",
)
guide(
    "BDC-0009", "不动产权证书遗失补发", "行政确认", audience="both",
    conditions="不动产权证书或登记证明遗失、灭失",
    basis=[f"{BDC_RULES}第二十二条", "《不动产登记暂行条例实施细则》第二十二条"],
    materials=[orig("不动产登记申请书"), ID, orig("遗失声明")],
    legal=30, promised=1, fee="工本费 10 元/本", fee_basis="鲁发改成本〔2016〕1 号（演示引用）",
    result=("补发的不动产权证书", "证照", ("on_the_spot", "post")), levels="cc",
    special=[sp("公示", "《不动产登记暂行条例实施细则》第二十二条", 15)],
    plain="房产证丢了，申请补发后要在网上公告 15 个工作日，没人提出异议就给您补发新证。",
)

# == 住房公积金 ====================================================================================
GJJ_RULES = "《住房公积金管理条例》"

guide(
    "GJJ-0003", "住房公积金提取（购买自住住房）", "公共服务",
    conditions="购买本市或户籍地自住住房的缴存职工及配偶",
    basis=[f"{GJJ_RULES}第二十四条"],
    materials=[ID, both("购房合同"), both("购房发票或契税完税凭证"), orig("本人一类银行卡"),
               orig("结婚证", e=True, cond="配偶提取时")],
    step_list=steps(
        ("提交申请", "窗口或网上提交提取申请", "申请人", ""),
        ("审核", "中心审核购房合同与发票", "公积金中心", "1 个工作日"),
        ("到账", "提取金额转入本人银行卡", "公积金中心", "1-3 个工作日"),
    ),
    legal=3, promised=1, result=("提取款项转入本人银行卡", "其他", ("electronic",)),
    levels="c", visits=0, self_service=True, events=("住房",), cross=("跨省通办",),
    plain="买房后可以把公积金取出来用。带身份证、购房合同和发票申请，一个工作日审核，钱转到本人银行卡。",
)
guide(
    "GJJ-0001", "单位新增职工住房公积金账户设立", "公共服务", audience="enterprise",
    conditions="已办理缴存登记的单位新录用职工",
    basis=[f"{GJJ_RULES}第十五条"],
    materials=[orig("新增职工名单（汇缴变更清册）"), orig("职工居民身份证信息", e=True)],
    legal=3, promised=0, result=("职工个人公积金账户", "其他", ("electronic",)),
    levels="c", visits=0, events=("经营",),
    plain="单位招了新人，在公积金网上业务大厅给他开户，当天就能开始缴存。",
)
guide(
    "GJJ-0002", "单位住房公积金缴存登记", "公共服务", audience="enterprise",
    conditions="新设立的单位自设立之日起 30 日内办理",
    basis=[f"{GJJ_RULES}第十四条"],
    materials=[LICENCE, LEGAL_ID, orig("住房公积金单位登记表")],
    legal=3, promised=0, result=("单位公积金账户", "其他", ("electronic",)),
    levels="c", visits=0, events=("开办",),
    plain="新开的企业要为员工交公积金，开办企业时勾选公积金登记，就会和营业执照一起办好，不用单独跑。",
)
guide(
    "GJJ-0004", "住房公积金提取（租赁住房）", "公共服务",
    conditions="本人及配偶在本市无自有住房且租房自住的缴存职工",
    basis=[f"{GJJ_RULES}第二十四条"],
    materials=[ID, orig("本人银行卡"), copy("房屋租赁备案证明", cond="按实际房租提取时")],
    legal=3, promised=0, result=("提取款项转入本人银行卡", "其他", ("electronic",)),
    levels="c", visits=0, self_service=True, events=("住房",), quantity="每年可提取一次",
    plain="在威海租房住、自己名下没房，每年可以取一次公积金付房租，手机上申请，一般当天到账。",
)
guide(
    "GJJ-0005", "住房公积金提取（离退休）", "公共服务",
    conditions="已办理离休、退休手续的缴存职工",
    basis=[f"{GJJ_RULES}第二十四条"],
    materials=[ID, orig("本人银行卡"), elec("退休证明", notes="社保部门已共享的无需提交")],
    legal=3, promised=0, result=("账户余额转入本人银行卡并销户", "其他", ("electronic",)),
    levels="c", visits=0, self_service=True, events=("退休",),
    plain="退休了，公积金可以一次全部取出。社保那边的退休信息能自动核对，在手机或本机上申请就能到账。",
)
guide(
    "GJJ-0006", "住房公积金个人住房贷款申请", "公共服务",
    conditions=["连续足额缴存住房公积金 6 个月以上", "购买本市自住住房"],
    basis=[f"{GJJ_RULES}第二十六条", "《威海市住房公积金贷款管理办法》（演示）"],
    materials=[orig("借款人及配偶居民身份证", e=True), orig("结婚证或婚姻状况证明", e=True),
               both("购房合同", 1), orig("首付款证明"), orig("收入证明", cond="需要增加贷款额度时")],
    legal=15, promised=5, result=("贷款审批结果", "批文", ("electronic",)),
    levels="c", events=("住房",), intermediary="房屋评估（仅二手房，由借款人自主选择评估机构）",
    plain="用公积金贷款买房利率比商贷低。交满 6 个月就能申请，带上夫妻俩的证件和购房合同，5 个工作日出审批结果。",
)
guide(
    "GJJ-0007", "住房公积金提取（职工死亡）", "公共服务",
    conditions="缴存职工死亡或被宣告死亡，由继承人或受遗赠人提取",
    basis=[f"{GJJ_RULES}第二十四条"],
    materials=[elec("职工死亡证明"), orig("继承人居民身份证", e=True), orig("继承权公证书或法院判决书"),
               orig("继承人银行卡")],
    legal=3, promised=1, result=("款项转入继承人银行卡", "其他", ("electronic",)),
    levels="c", events=("身后",),
    plain="家人去世后，他的公积金可以由继承人取出。带上死亡证明、继承公证书和自己的身份证、银行卡到公积金中心办理。",
)
guide(
    "GJJ-0008", "住房公积金异地转移接续", "公共服务",
    conditions="在异地工作并缴存公积金后调入本市（或调出本市）的职工",
    basis=[f"{GJJ_RULES}第十九条"],
    materials=[ID],
    legal=15, promised=3, result=("转入本市个人公积金账户", "其他", ("electronic",)),
    levels="c", visits=0, cross=("跨省通办",), events=("就业",),
    plain="换城市工作，公积金跟着人走。在新城市开户后在手机上申请转移，原来的钱会自动转过来，不用回原地。",
)
guide(
    "GJJ-0009", "单位住房公积金缴存信息变更", "公共服务", audience="enterprise",
    conditions="单位名称、地址、法定代表人、经办人等信息变化",
    basis=[f"{GJJ_RULES}第十四条"],
    materials=[LICENCE, orig("单位信息变更登记表")],
    legal=3, promised=0, result=("变更后的单位登记信息", "其他", ("electronic",)),
    levels="c", visits=0, events=("变更",),
    plain="单位改名、换地址或法定代表人，执照变更后在公积金网上大厅同步改一下登记信息就行。",
)

# == 人力资源和社会保障：社保、就业 ===================================================================
SI_LAW = "《中华人民共和国社会保险法》"

guide(
    "SB-0012", "社会保障卡申领", "公共服务",
    conditions="在本市参加社会保险的人员",
    basis=[f"{SI_LAW}第五十八条", "《社会保障卡管理办法》（演示引用）"],
    materials=[ID, orig("近期免冠证件照片", cond="不在窗口或本机现场拍照时"), AGENT],
    legal=20, promised=0, result=("社会保障卡（第三代）", "证照", ("on_the_spot", "post")),
    levels="cctv", cross=("全省通办",), self_service=True, events=("就业",),
    plain="参加了社保就能办社保卡，看病、领养老金、坐公交都能用。带身份证到合作银行网点或社保窗口，即时制卡当场拿。",
)
guide(
    "SB-0013", "社会保障卡挂失与补换", "公共服务",
    conditions="社会保障卡丢失、损坏或信息变更的持卡人",
    basis=[f"{SI_LAW}第五十八条"],
    materials=[ID, orig("原社会保障卡", cond="卡片损坏换卡时")],
    legal=20, promised=0, fee="补换卡工本费 20 元（损坏换卡免费）", fee_basis="鲁人社发〔2019〕13 号（演示引用）",
    result=("新社会保障卡", "证照", ("on_the_spot", "post")),
    levels="cctv", visits=1, self_service=True, cross=("全省通办",),
    plain="社保卡丢了，先打 12333 或在手机上挂失，再带身份证到即时制卡网点补一张新卡，当场就能拿到。",
)
guide(
    "SB-0014", "新生儿社会保障卡申领", "公共服务",
    conditions="已办理出生登记的本市新生儿",
    basis=[f"{SI_LAW}第五十八条"],
    materials=[orig("新生儿户口簿", e=True), orig("监护人居民身份证", e=True)],
    legal=20, promised=5, result=("社会保障卡", "证照", ("post",)),
    levels="cc", visits=0, events=("出生",),
    plain="宝宝上完户口，可以在“出生一件事”里一起申请社保卡，不用照片，做好后邮寄到家。",
)
guide(
    "SB-0030", "基本养老保险待遇申领（退休）", "行政给付",
    conditions=["达到法定退休年龄", "累计缴费满 15 年"],
    basis=[f"{SI_LAW}第十六条"],
    materials=[ID, elec("社会保障卡"), orig("本人银行账户信息"), orig("档案材料", cond="企业职工需要核定视同缴费年限时")],
    legal=20, promised=10, result=("养老金核定结果，按月发放到社保卡", "其他", ("electronic",)),
    levels="cc", visits=0, events=("退休",),
    plain="到了退休年龄、社保交满 15 年，就能申请按月领养老金。单位或本人网上申请，核定好后养老金每月打到社保卡上。",
)
guide(
    "SB-0031", "城乡居民基本养老保险参保登记", "公共服务",
    conditions="年满 16 周岁（不含在校学生）、未参加职工养老保险的本市户籍居民",
    basis=[f"{SI_LAW}第二十条", "《国务院关于建立统一的城乡居民基本养老保险制度的意见》"],
    materials=[ID, HUKOU],
    legal=5, promised=0, result=("参保登记信息", "其他", ("on_the_spot",)),
    levels="ctv", visits=0,
    plain="没有单位、在家务农或打零工的居民，可以在村里的便民服务站或手机上参加居民养老保险，老了按月领钱。",
)
guide(
    "SB-0032", "养老保险关系转移接续", "公共服务",
    conditions="跨统筹地区流动就业的参保人员",
    basis=[f"{SI_LAW}第十九条", "《城镇企业职工基本养老保险关系转移接续暂行办法》"],
    materials=[ID],
    legal=45, promised=15, result=("转移后的养老保险关系", "其他", ("electronic",)),
    levels="cc", visits=0, cross=("跨省通办",), events=("就业",),
    plain="在外地交过社保、现在回威海工作，在手机上申请转移，之前交的年限和钱都会转过来接着算。",
)
guide(
    "SB-0033", "丧葬补助金、抚恤金申领", "行政给付",
    conditions="参保人员死亡，其遗属申领",
    basis=[f"{SI_LAW}第十七条"],
    materials=[elec("死亡证明或火化证明"), orig("申领人居民身份证", e=True), orig("申领人与死者关系证明"),
               orig("申领人银行卡")],
    legal=20, promised=5, result=("丧葬补助金、抚恤金发放到申领人账户", "其他", ("electronic",)),
    levels="cc", events=("身后",),
    plain="参保的家人去世后，家属可以领一笔丧葬补助金和抚恤金。带上死亡证明、关系证明和银行卡到社保窗口申请。",
)
guide(
    "SB-0034", "单位参保登记", "行政确认", audience="enterprise",
    conditions="新设立的用人单位自成立之日起 30 日内办理",
    basis=[f"{SI_LAW}第五十七条"],
    materials=[LICENCE, LEGAL_ID],
    legal=15, promised=0, result=("单位社会保险登记信息", "其他", ("electronic",)),
    levels="cc", visits=0, events=("开办",),
    plain="新开的企业要给员工交社保。办营业执照时勾选社保登记，会自动一起办好。",
)
guide(
    "SB-0035", "失业保险金申领", "行政给付",
    conditions=["失业前用人单位和本人已缴纳失业保险费满一年", "非因本人意愿中断就业", "已进行失业登记并有求职要求"],
    basis=[f"{SI_LAW}第四十五条", "《失业保险条例》"],
    materials=[ID, elec("社会保障卡"), orig("解除或终止劳动关系证明", notes="单位已网上报送的无需提交")],
    legal=10, promised=0, result=("失业保险金按月发放到社保卡", "其他", ("electronic",)),
    levels="cct", visits=0, cross=("全省通办",), events=("就业",), self_service=True,
    plain="不是自己辞职、交过一年以上失业保险，可以在手机或本机上申请失业金，按月打到社保卡，领失业金期间医保也有人交。",
)
guide(
    "SB-0036", "工伤认定申请", "行政确认", audience="both",
    conditions="职工在工作时间和工作场所内因工作原因受到事故伤害或患职业病",
    basis=["《工伤保险条例》第十四条、第十七条"],
    materials=[orig("工伤认定申请表"), copy("劳动合同或其他劳动关系证明", 1),
               copy("医疗诊断证明或职业病诊断证明书", 1), ID],
    legal=60, promised=20, result=("认定工伤（或不予认定）决定书", "批文", ("on_the_spot", "post")),
    levels="cc", special=[sp("现场勘验", "《工伤保险条例》第十九条", 10)],
    plain="上班时受了伤，单位应在 30 天内申请工伤认定；单位不申请的，本人或家属一年内可以自己申请。认定后治疗费用由工伤保险支付。",
)
guide(
    "SB-0037", "单位社会保险登记变更", "行政确认", audience="enterprise",
    conditions="单位名称、地址、法定代表人等登记事项变化",
    basis=[f"{SI_LAW}第五十七条"],
    materials=[LICENCE],
    legal=15, promised=0, result=("变更后的单位登记信息", "其他", ("electronic",)),
    levels="cc", visits=0, events=("变更",),
    plain="单位信息变了，执照变更的信息会自动推送给社保，没有推送到的在网上经办系统自己改。",
)
guide(
    "SB-0038", "单位社会保险注销登记", "行政确认", audience="enterprise",
    conditions="用人单位依法终止，已结清社会保险费",
    basis=[f"{SI_LAW}第五十七条"],
    materials=[LICENCE, orig("注销决议或法院裁定等终止证明")],
    legal=15, promised=0, result=("社会保险注销登记结果", "其他", ("electronic",)),
    levels="cc", visits=0, events=("注销",),
    plain="企业关门前要把社保费交清、给员工办完减员，再在企业注销平台上一并注销社保登记。",
)
guide(
    "JY-0001", "就业创业证申领", "公共服务",
    conditions="在法定劳动年龄内、有劳动能力和就业要求的本市常住人员",
    basis=["《就业服务与就业管理规定》第六十三条"],
    materials=[ID],
    legal=5, promised=0, result=("就业创业证（电子证照）", "证照", ("electronic",)),
    levels="cctv", visits=0, self_service=True, events=("就业",),
    plain="就业创业证是享受就业补贴、创业贷款的凭证，现在是电子证，在手机或本机上申请马上就有。",
)
guide(
    "JY-0002", "创业担保贷款申请", "行政给付",
    conditions=["在本市创业的城乡劳动者", "本人及配偶无其他经营性贷款（助学贷款、扶贫贷款除外）"],
    basis=["《创业担保贷款贴息资金管理办法》", "《威海市创业担保贷款实施细则》（演示）"],
    materials=[ID, LICENCE, orig("创业项目说明"), orig("配偶身份证及结婚证", cond="已婚时")],
    legal=20, promised=15, result=("贷款担保审核结果，由银行放款", "批文", ("electronic",)),
    levels="cc", events=("就业",), special=[sp("现场勘验", "《威海市创业担保贷款实施细则》（演示）", 5)],
    plain="自己创业缺钱，可以申请最高 30 万元的创业担保贷款，政府给贴息。工作人员会去经营场所看一看，15 个工作日出结果。",
)
guide(
    "JY-0003", "高校毕业生求职创业补贴申领", "行政给付",
    conditions="毕业学年内有就业创业意愿并积极求职的困难家庭高校毕业生",
    basis=["《就业补助资金管理办法》"],
    materials=[ID, orig("学生证"), orig("困难身份证明", e=True, notes="低保、残疾等信息能共享的无需提交")],
    legal=20, promised=15, fee="", result=("一次性求职创业补贴", "其他", ("electronic",)),
    levels="c", visits=0, events=("就业", "入学"),
    special=[sp("公示", "《就业补助资金管理办法》", 5)],
    plain="家庭困难的应届大学生，在学校或网上申请，审核并公示后发一次性求职补贴。",
)
guide(
    "JY-0004", "企业吸纳就业社会保险补贴申领", "行政给付", audience="enterprise",
    conditions="招用就业困难人员或高校毕业生并为其缴纳社会保险的企业",
    basis=["《就业补助资金管理办法》"],
    materials=[LICENCE, orig("招用人员名单"), copy("劳动合同", 1)],
    legal=30, promised=20, result=("社会保险补贴拨付到企业账户", "其他", ("electronic",)),
    levels="cc", visits=0, events=("经营",), special=[sp("公示", "《就业补助资金管理办法》", 5)],
    plain="企业招了就业困难人员或应届大学生并给他们交社保，可以申请社保补贴，审核公示后钱直接打到企业账户。",
)

# == 医疗保障 ======================================================================================

guide(
    "YB-0005", "异地就医备案", "公共服务",
    conditions="参加本市基本医疗保险、需要在省外或省内异地就医的人员",
    basis=["《国家医保局 财政部关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》"],
    materials=[ID, orig("异地居住证明或就医转诊材料", cond="长期异地居住或转诊时", notes="可用个人承诺代替")],
    legal=0, promised=0, result=("备案成功记录", "其他", ("electronic",)),
    levels="cc", visits=0, cross=("跨省通办",), self_service=True, commitment=True, events=("退休",),
    plain="到外地长住或看病，先在国家医保服务平台 App 上备案，备案后在当地看病能直接刷医保卡结算，不用回来报销。",
)
guide(
    "YB-0001", "城乡居民基本医疗保险参保登记", "公共服务",
    conditions="不属于职工医保覆盖范围的本市户籍居民和持居住证的常住人员",
    basis=[f"{SI_LAW}第二十五条"],
    materials=[ID, orig("居住证", e=True, cond="非本市户籍时")],
    legal=5, promised=0, fee="按年度个人缴费标准缴纳（以当年公布为准）", fee_basis="威海市年度居民医保筹资通知（演示）",
    result=("参保登记信息", "其他", ("on_the_spot",)), levels="cctv", visits=0, self_service=True,
    plain="没有单位医保的老人、孩子、灵活就业的人，可以参加居民医保，每年按时交费，看病住院能报销。",
)
guide(
    "YB-0002", "新生儿参加居民医保", "公共服务",
    conditions="本市出生并已办理户口登记的新生儿",
    basis=[f"{SI_LAW}第二十五条"],
    materials=[orig("新生儿户口簿", e=True)],
    legal=5, promised=0, result=("参保登记信息", "其他", ("electronic",)),
    levels="cctv", visits=0, events=("出生",),
    plain="宝宝出生后 90 天内参保缴费的，出生当天起的医疗费都能报销。可以在“出生一件事”里和上户口一起办。",
)
guide(
    "YB-0003", "生育医疗费用报销及生育津贴申领", "行政给付",
    conditions="参加职工医保（生育保险）的职工生育或实施计划生育手术",
    basis=[f"{SI_LAW}第五十四条"],
    materials=[ID, orig("出生医学证明", e=True), orig("住院费用发票及结算单", cond="未能在医院直接结算时"),
               orig("本人银行卡")],
    legal=20, promised=10, result=("生育医疗费用及生育津贴发放", "其他", ("electronic",)),
    levels="cc", visits=0, events=("婚育",),
    plain="生孩子的医疗费在医院已经直接结算的，生育津贴会按天数算好打到卡上；没能直接结算的，带发票来报销。",
)
guide(
    "YB-0004", "门诊慢特病待遇认定", "行政确认",
    conditions="参保人员患有高血压、糖尿病等门诊慢特病病种",
    basis=["《山东省基本医疗保险门诊慢特病管理办法》（演示引用）"],
    materials=[ID, copy("二级以上医院诊断证明及相关检查报告", 1)],
    legal=20, promised=10, result=("门诊慢特病待遇资格", "其他", ("electronic",)),
    levels="cc", visits=1, special=[sp("专家评审", "《山东省基本医疗保险门诊慢特病管理办法》（演示引用）", 10)],
    plain="得了高血压、糖尿病这类需要长期吃药的病，申请认定后门诊开药报销比例更高。带诊断证明和检查报告，由专家评审认定。",
)
guide(
    "YB-0006", "医疗费用手工（零星）报销", "行政给付",
    conditions="因急诊、异地就医未备案等原因未能直接结算的参保人员",
    basis=[f"{SI_LAW}第二十八条"],
    materials=[ID, orig("医疗费用发票"), orig("费用明细清单"), copy("出院记录或病历", 1), orig("本人银行卡")],
    legal=30, promised=15, result=("报销款转入本人银行卡", "其他", ("electronic",)),
    levels="cc", cross=("跨省通办",),
    plain="在外地看病没能刷医保卡，回来后带发票、费用清单和病历到医保窗口报销，钱打到银行卡里。",
)
guide(
    "YB-0007", "单位职工医保参保登记", "行政确认", audience="enterprise",
    conditions="新设立的用人单位",
    basis=[f"{SI_LAW}第五十七条"],
    materials=[LICENCE],
    legal=15, promised=0, result=("单位医保登记信息", "其他", ("electronic",)),
    levels="cc", visits=0, events=("开办",),
    plain="新开的企业给员工交医保，办执照时一起勾选医保登记，信息自动推送，不用再跑医保窗口。",
)
guide(
    "YB-0008", "职工医保个人账户家庭共济", "公共服务",
    conditions="参加本市职工医保的人员，为配偶、父母、子女共享个人账户",
    basis=["《国务院办公厅关于建立健全职工基本医疗保险门诊共济保障机制的指导意见》"],
    materials=[ID, orig("家庭成员关系证明", e=True, notes="户籍信息能核验的无需提交")],
    legal=0, promised=0, result=("家庭共济绑定关系", "其他", ("electronic",)),
    levels="cc", visits=0, self_service=True,
    plain="职工医保个人账户里的钱，可以给爸妈、爱人、孩子看病买药用，在手机上绑定一下就行。",
)

# == 民政：婚姻、养老服务 ===========================================================================
MARRIAGE_RULES = "《婚姻登记条例》"

guide(
    "MZ-0002", "内地居民婚姻登记（结婚）", "行政确认",
    conditions=["男女双方自愿结婚", "男年满 22 周岁、女年满 20 周岁", "双方均无配偶"],
    basis=[f"{MARRIAGE_RULES}第四条、第五条", "《中华人民共和国民法典》第一千零四十九条"],
    materials=[orig("双方居民身份证", e=True), orig("双方居民户口簿", e=True, notes="全国通办试点地区可用居住证代替"),
               orig("双方近期半身免冠合影照片 2 张", cond="不在现场拍照时")],
    legal=0, promised=0, result=("结婚证", "证照", ("on_the_spot",)),
    levels="k", visits=1, cross=("跨省通办",), events=("婚育",),
    step_list=steps(
        ("预约", "在爱山东 App 预约登记日期（也可现场取号）", "双方当事人", ""),
        ("申请", "双方亲自到婚姻登记处，填写声明书并签字", "双方当事人", "约 10 分钟"),
        ("审查", "婚姻登记员审查证件和声明", "婚姻登记员", "当场"),
        ("颁证", "颁发结婚证，可选颁证仪式", "婚姻登记处", "当场"),
    ),
    plain="两个人一起带身份证和户口本到婚姻登记处，当场就能领结婚证，免费。可以先在手机上预约日子。",
)
guide(
    "MZ-0003", "内地居民婚姻登记（离婚）", "行政确认",
    conditions=["双方自愿离婚", "对子女抚养、财产及债务处理等事项协商一致"],
    basis=[f"{MARRIAGE_RULES}第十条", "《中华人民共和国民法典》第一千零七十七条"],
    materials=[orig("双方居民身份证", e=True), orig("双方居民户口簿", e=True), orig("结婚证"),
               orig("离婚协议书 3 份")],
    legal=30, promised=0, result=("离婚证", "证照", ("on_the_spot",)),
    levels="k", visits=2,
    plain="协议离婚要两个人一起去婚姻登记处申请，之后有 30 天冷静期，期满后 30 天内再一起去领离婚证。",
)
guide(
    "MZ-0004", "补领婚姻登记证", "行政确认",
    conditions="结婚证、离婚证遗失或损毁的当事人",
    basis=[f"{MARRIAGE_RULES}第十七条"],
    materials=[ID, HUKOU, orig("近期半身免冠照片", cond="不在现场拍照时")],
    legal=0, promised=0, result=("补发的婚姻登记证", "证照", ("on_the_spot",)),
    levels="k", cross=("跨省通办",),
    plain="结婚证丢了，本人带身份证和户口本到任一婚姻登记处就能补领，当场拿到，免费。",
)
guide(
    "MZ-0010", "高龄津贴申领", "行政给付",
    conditions="年满 80 周岁的本市户籍老年人",
    basis=["《山东省老年人权益保障条例》（演示引用）", "《威海市高龄津贴发放办法》（演示）"],
    materials=[ID, orig("本人银行卡或社会保障卡")],
    legal=20, promised=5, result=("按月发放高龄津贴", "其他", ("electronic",)),
    levels="ctv", visits=0, events=("退休",),
    plain="家里老人满 80 岁，每个月能领高龄津贴。系统会主动提醒，家属在手机上或到村里便民服务站确认一下就能领。",
)
guide(
    "MZ-0011", "经济困难老年人养老服务补贴", "行政给付",
    conditions="60 周岁以上、低保或特困家庭中的失能、半失能老年人",
    basis=["《威海市经济困难老年人养老服务补贴实施办法》（演示）"],
    materials=[ID, HUKOU, orig("老年人能力评估报告", cond="申请失能护理补贴时")],
    legal=30, promised=20, result=("养老服务补贴（服务券或资金）", "其他", ("electronic",)),
    levels="ctv", events=("退休",),
    special=[sp("鉴定", "老年人能力评估标准", 10), sp("公示", "《威海市经济困难老年人养老服务补贴实施办法》（演示）", 5)],
    plain="家里困难、生活不能自理的老人，可以申请养老服务补贴，用来请人上门照料。要先做能力评估，再公示 5 天。",
)
guide(
    "MZ-0012", "最低生活保障申请", "行政给付",
    conditions="共同生活的家庭成员人均收入低于当地低保标准，且财产状况符合规定",
    basis=["《社会救助暂行办法》第九条至第十三条", "《山东省最低生活保障办法》（演示引用）"],
    materials=[ID, HUKOU, orig("家庭收入和财产申报及授权核对书"), orig("残疾证或病历", cond="家庭成员有残疾或重病时")],
    legal=30, promised=20, result=("低保金按月发放", "其他", ("electronic",)),
    levels="ctv", commitment=True,
    special=[sp("现场勘验", "《社会救助暂行办法》第十一条（入户调查）", 10),
             sp("公示", "《社会救助暂行办法》第十一条", 7)],
    plain="家里收入太低、生活困难，可以到镇街或村里申请低保。工作人员会上门了解情况，公示 7 天没有异议就按月发钱。",
)
guide(
    "MZ-0013", "养老机构备案", "行政备案", audience="enterprise",
    conditions="依法登记、拟开展养老服务的机构",
    basis=["《中华人民共和国老年人权益保障法》第四十三条", "《养老机构管理办法》第九条"],
    materials=[LICENCE, orig("养老机构备案书"), orig("养老机构备案承诺书"),
               copy("消防验收或备案材料", 1), copy("食品经营许可证", 1, cond="内设食堂时")],
    legal=0, promised=0, result=("养老机构备案回执", "其他", ("on_the_spot", "electronic")),
    levels="cc", events=("开办",),
    plain="开养老院不再审批，登记后到民政部门备案，提交备案书和承诺书，当场出回执。",
)
guide(
    "MZ-0014", "惠民殡葬政策（基本殡葬服务费用减免）", "行政给付",
    conditions="本市户籍居民去世后在本市殡仪馆火化",
    basis=["《殡葬管理条例》", "《威海市惠民殡葬政策实施办法》（演示）"],
    materials=[elec("死亡证明"), orig("逝者居民身份证"), orig("经办人居民身份证", e=True)],
    legal=0, promised=0, result=("基本殡葬服务费用直接减免", "其他", ("on_the_spot",)),
    levels="cc", events=("身后",), app=False, online=False,
    plain="家人去世在本市火化，遗体接运、火化、骨灰寄存等基本费用由政府承担，在殡仪馆结算时直接减免，不用先垫钱。",
)

# == 市场监管：个体工商户、企业开办 ====================================================================
REG_RULES = "《中华人民共和国市场主体登记管理条例》"

guide(
    "SCJG-0015", "个体工商户设立登记", "行政许可", audience="enterprise",
    conditions="有经营能力的公民从事个体工商业经营",
    basis=[f"{REG_RULES}第二十一条", "《促进个体工商户发展条例》"],
    materials=[orig("个体工商户登记（备案）申请书"), orig("经营者居民身份证", e=True),
               copy("经营场所使用证明", notes="可以用住所（经营场所）申报承诺代替")],
    legal=3, promised=0, result=("营业执照（纸质与电子）", "证照", ("on_the_spot", "electronic", "self_pickup")),
    levels="ctv", visits=0, self_service=True, events=("开办",),
    plain="想开个小店，带身份证就能办个体户营业执照，网上填表当天出照，也可以在本机上打印执照。",
)
guide(
    "SCJG-0016", "个体工商户变更登记", "行政许可", audience="enterprise",
    conditions="个体工商户名称、经营者、经营范围、经营场所等登记事项变化",
    basis=[f"{REG_RULES}第二十四条"],
    materials=[orig("变更登记申请书"), LICENCE, orig("经营者居民身份证", e=True)],
    legal=3, promised=0, result=("换发的营业执照", "证照", ("on_the_spot", "electronic")),
    levels="ct", visits=0, events=("变更",),
    plain="小店换了名字、换了地方或者要增加经营项目，在网上申请变更，当天换发新执照。",
)
guide(
    "SCJG-0017", "个体工商户注销登记", "行政许可", audience="enterprise",
    conditions="个体工商户不再从事经营活动，已结清税款",
    basis=[f"{REG_RULES}第三十一条"],
    materials=[orig("注销登记申请书"), LICENCE, orig("经营者居民身份证", e=True)],
    legal=3, promised=0, result=("准予注销登记通知书", "批文", ("electronic",)),
    levels="ct", visits=0, events=("注销",),
    plain="小店不开了，没有欠税的在网上申请注销，当天办结，执照交回或声明作废。",
)
guide(
    "SCJG-0001", "企业开办一件事（登记、刻章、发票、社保、公积金、开户）", "公共服务", audience="enterprise",
    conditions="在本市新设立企业",
    basis=[f"{REG_RULES}", "《山东省优化营商环境条例》（演示引用）"],
    materials=[orig("公司登记（备案）申请书"), orig("公司章程"), orig("股东主体资格证明", e=True),
               orig("法定代表人、董事、监事、经理任职文件"), copy("住所使用证明", notes="可用住所申报承诺代替")],
    legal=3, promised=1, result=("营业执照、印章、数电发票、社保及公积金登记", "证照", ("on_the_spot", "post", "electronic")),
    levels="cc", visits=0, events=("开办",),
    step_list=steps(
        ("网上填报", "在企业开办一网通办平台一次填报全部信息", "申请人", "约 30 分钟"),
        ("并联审批", "登记、刻章、税务、社保、公积金、医保同步办理", "市场监管局牵头", "1 个工作日"),
        ("领取", "营业执照和免费印章邮寄到家，或到企业开办专区领取", "申请人", ""),
    ),
    plain="开公司不用一个部门一个部门跑：网上填一次表，营业执照、公章、发票、社保、公积金一天全办好，免费刻章、免费邮寄。",
)
guide(
    "SCJG-0002", "有限责任公司设立登记", "行政许可", audience="enterprise",
    conditions="符合《公司法》规定的有限责任公司设立条件",
    basis=[f"{REG_RULES}第十九条", "《中华人民共和国公司法》第二十九条"],
    materials=[orig("公司登记（备案）申请书"), orig("公司章程"), orig("股东主体资格证明", e=True),
               orig("法定代表人、董事、监事、经理任职文件"), copy("住所使用证明")],
    legal=3, promised=1, result=("营业执照", "证照", ("on_the_spot", "post", "electronic")),
    levels="cc", visits=0, events=("开办",),
    plain="注册有限公司，网上提交章程、股东证明和住所信息，一个工作日拿执照。",
)
guide(
    "SCJG-0003", "公司变更登记", "行政许可", audience="enterprise",
    conditions="公司名称、住所、法定代表人、注册资本、经营范围、股东等事项变化",
    basis=[f"{REG_RULES}第二十四条", "《中华人民共和国公司法》第三十四条"],
    materials=[orig("公司变更登记申请书"), orig("股东会决议或决定"), orig("修改后的公司章程或章程修正案"),
               LICENCE],
    legal=3, promised=1, result=("换发的营业执照", "证照", ("on_the_spot", "post", "electronic")),
    levels="cc", visits=0, events=("变更",),
    plain="公司改名、搬家、换法定代表人，开完股东会后在网上申请变更，一个工作日换新执照，税务社保信息同步更新。",
)
guide(
    "SCJG-0004", "企业简易注销登记", "行政许可", audience="enterprise",
    conditions="未发生债权债务或已将债权债务清偿完结的企业",
    basis=[f"{REG_RULES}第三十三条"],
    materials=[orig("简易注销登记申请书"), orig("全体投资人承诺书"), LICENCE],
    legal=3, promised=1, result=("准予简易注销登记通知书", "批文", ("electronic",)),
    levels="cc", visits=0, events=("注销",),
    special=[sp("公示", f"{REG_RULES}第三十三条（国家企业信用信息公示系统）", 20)],
    plain="没有欠债的企业可以简易注销：在网上公示 20 天，没人提异议就能注销，不用登报、不用清算报告。",
)
guide(
    "SCJG-0005", "食品经营许可", "行政许可", audience="enterprise",
    conditions="在本市从事食品销售、餐饮服务的经营者",
    basis=["《中华人民共和国食品安全法》第三十五条", "《食品经营许可和备案管理办法》"],
    materials=[orig("食品经营许可申请书"), LICENCE, orig("与食品经营相适应的场所布局图和设备设施清单"),
               orig("食品安全管理制度"), orig("委托书及受托人身份证件", cond="委托他人代办时")],
    legal=10, promised=5, result=("食品经营许可证", "证照", ("on_the_spot", "post", "electronic")),
    levels="cc", visits=1, events=("经营",), commitment=True,
    special=[sp("现场勘验", "《食品经营许可和备案管理办法》第二十二条", 5)],
    plain="开饭店、卖食品要先办食品经营许可证。网上提交材料后，工作人员会到店里看一下，5 个工作日出证。",
)
guide(
    "SCJG-0006", "企业年度报告公示", "公共服务", audience="enterprise",
    conditions="上一年度登记在册的企业、个体工商户、农民专业合作社",
    basis=["《企业信息公示暂行条例》第八条"],
    materials=[elec("年度报告表（网上填报）")],
    result=("年报公示信息", "其他", ("electronic",)),
    levels="cc", visits=0, events=("经营",), annual="每年 1 月 1 日至 6 月 30 日报送上一年度报告",
    plain="每年上半年企业要在网上交年报，免费，十几分钟就能填完；不报会被列入经营异常名录。",
)
guide(
    "SCJG-0007", "小餐饮登记", "行政确认", audience="enterprise",
    conditions="有固定店面、从业人员少、条件简单的小餐饮经营者",
    basis=["《山东省食品小作坊小餐饮和食品摊点管理条例》"],
    materials=[orig("小餐饮登记申请表"), orig("经营者居民身份证", e=True), orig("从业人员健康证明")],
    legal=15, promised=5, result=("小餐饮登记证", "证照", ("on_the_spot",)),
    levels="ct", events=("经营",), special=[sp("现场勘验", "《山东省食品小作坊小餐饮和食品摊点管理条例》", 5)],
    plain="开个小吃店、早餐铺，不用办食品经营许可证，办小餐饮登记就行，免费，5 个工作日办好。",
)

# == 卫生健康 ======================================================================================

guide(
    "WJ-0001", "出生医学证明签发", "公共服务",
    conditions="在本市助产机构出生的新生儿",
    basis=["《中华人民共和国母婴保健法》第二十三条"],
    materials=[orig("父母双方居民身份证", e=True), orig("出生医学证明首次签发登记表")],
    legal=30, promised=0, result=("出生医学证明（纸质与电子）", "证照", ("on_the_spot", "electronic")),
    levels="k", visits=0, events=("出生",), agency="威海市各助产医疗机构",
    plain="宝宝在医院出生，出院前医院就会发出生医学证明，同时生成电子证，上户口、办社保卡都能直接用。",
)
guide(
    "WJ-0002", "生育登记服务", "公共服务",
    conditions="生育子女的夫妻",
    basis=["《中华人民共和国人口与计划生育法》", "《山东省人口与计划生育条例》"],
    materials=[orig("夫妻双方居民身份证", e=True), orig("结婚证", e=True, cond="已登记结婚时")],
    legal=0, promised=0, result=("生育登记信息", "其他", ("electronic",)),
    levels="ctv", visits=0, self_service=True, events=("婚育",),
    plain="怀孕后在爱山东 App 上做生育登记，填完就办好，孕期检查、生育保险报销都会用到。",
)
guide(
    "WJ-0003", "预防接种证办理", "公共服务",
    conditions="新生儿或来本市居住的适龄儿童",
    basis=["《中华人民共和国疫苗管理法》第四十七条"],
    materials=[orig("出生医学证明", e=True), orig("监护人居民身份证", e=True)],
    legal=0, promised=0, result=("预防接种证", "证照", ("on_the_spot",)),
    levels="ct", visits=1, events=("出生", "入学"), agency="威海市各社区卫生服务中心预防接种门诊",
    plain="宝宝出生后一个月内到居住地的接种门诊办接种证，以后打疫苗、上幼儿园上学都要查验。",
)
guide(
    "WJ-0004", "医师执业注册", "行政许可",
    conditions="取得医师资格证书、拟在医疗机构执业的医师",
    basis=["《中华人民共和国医师法》第十三条", "《医师执业注册管理办法》"],
    materials=[orig("医师执业注册申请审核表"), orig("医师资格证书", e=True), orig("6 个月内健康体检证明"),
               copy("拟执业机构的聘用证明", 1)],
    legal=20, promised=5, result=("医师执业证书（电子证照）", "证照", ("electronic",)),
    levels="cc", visits=0, events=("就业",),
    plain="考取医师资格后要注册才能行医，通过电子化注册系统申请，5 个工作日发电子执业证书。",
)
guide(
    "WJ-0005", "公共场所卫生许可", "行政许可", audience="enterprise",
    conditions="开办宾馆、美容美发、游泳场所等公共场所",
    basis=["《公共场所卫生管理条例》第八条"],
    materials=[orig("公共场所卫生许可申请表"), LICENCE, orig("卫生检测报告"), orig("卫生管理制度")],
    legal=20, promised=5, result=("公共场所卫生许可证", "证照", ("on_the_spot", "post")),
    levels="cc", events=("开办",), commitment=True,
    special=[sp("检测", "《公共场所卫生管理条例实施细则》第二十三条", 7), sp("现场勘验", "《公共场所卫生管理条例实施细则》", 3)],
    plain="开宾馆、理发店、游泳馆要办卫生许可证，需要先做卫生检测，工作人员会到现场核查，5 个工作日出证。",
)
guide(
    "WJ-0006", "婚前医学检查", "公共服务",
    conditions="准备结婚的男女双方",
    basis=["《中华人民共和国母婴保健法》第七条"],
    materials=[orig("双方居民身份证", e=True)],
    result=("婚前医学检查证明", "其他", ("on_the_spot",)),
    levels="k", events=("婚育",), agency="威海市妇幼保健院及各区市妇幼保健机构",
    plain="结婚前两个人可以做一次免费的婚前检查，带身份证到区市妇幼保健院，当天出结果，和婚姻登记可以一起预约。",
)
guide(
    "WJ-0007", "诊所备案", "行政备案", audience="enterprise",
    conditions="取得执业资格、拟举办诊所的医师或单位",
    basis=["《医疗机构管理条例》", "《诊所备案管理暂行办法》"],
    materials=[orig("诊所备案信息表"), orig("诊所主要负责人医师执业证书", e=True), copy("场所使用证明", 1),
               orig("诊所规章制度")],
    legal=0, promised=0, result=("诊所备案凭证", "其他", ("on_the_spot", "electronic")),
    levels="k", events=("开办",),
    plain="医生想开诊所，不用审批，材料齐了当场备案，拿到凭证就能开业。",
)

# == 教育 =========================================================================================

guide(
    "JYJ-0001", "小学一年级入学报名", "公共服务",
    conditions="年满 6 周岁、户籍或居住地在学区范围内的适龄儿童",
    basis=["《中华人民共和国义务教育法》第十二条", "威海市年度义务教育招生入学工作意见（演示）"],
    materials=[orig("儿童户口簿", e=True), orig("监护人居民身份证", e=True), orig("学区内房产证明或租房证明", e=True),
               orig("预防接种证", cond="入学查验时")],
    result=("入学通知", "其他", ("electronic",)),
    levels="k", visits=0, events=("入学",),
    plain="孩子满 6 岁上小学，每年夏天在网上报名，填好户口和住房信息就行，系统自动核验，录取结果在网上查。",
)
guide(
    "JYJ-0002", "随迁子女义务教育入学", "公共服务",
    conditions="父母在本市稳定就业并居住的非本市户籍适龄儿童少年",
    basis=["《中华人民共和国义务教育法》第十二条"],
    materials=[orig("儿童户口簿"), orig("监护人居住证", e=True), copy("监护人劳动合同或营业执照", 1),
               copy("住房证明", 1)],
    result=("入学安排通知", "其他", ("electronic",)),
    levels="k", visits=0, events=("入学",),
    plain="在威海打工的外地家庭，孩子可以在威海上学。父母有居住证、工作和住处证明，按时网上报名，由教育部门统筹安排学校。",
)
guide(
    "JYJ-0003", "家庭经济困难学生资助申请", "行政给付",
    conditions="在本市就读的家庭经济困难学生",
    basis=["《学生资助资金管理办法》"],
    materials=[orig("学生资助申请表"), orig("低保证、特困证、残疾证等证明", e=True, cond="有相关身份时")],
    legal=30, promised=20, result=("助学金或免学费资助", "其他", ("electronic",)),
    levels="k", visits=0, events=("入学",), agency="威海市学生资助管理中心",
    special=[sp("公示", "《学生资助资金管理办法》", 5)],
    plain="家里困难的学生，开学后向学校交申请表，学校评议公示后发助学金，能共享的困难证明不用再交。",
)
guide(
    "JYJ-0004", "教师资格认定", "行政许可",
    conditions=["具备规定学历", "教师资格考试合格", "普通话水平达到规定等级", "体检合格"],
    basis=["《中华人民共和国教师法》第十三条", "《教师资格条例》"],
    materials=[orig("身份证件", e=True), orig("学历证书", e=True), orig("普通话水平测试等级证书", e=True),
               orig("体检合格证明"), orig("近期免冠照片")],
    legal=30, promised=20, result=("教师资格证书", "证照", ("on_the_spot", "post")),
    levels="cc", events=("就业",),
    plain="想当老师，考试合格后在中国教师资格网申请认定，按要求体检，审核通过后发教师资格证。",
)
guide(
    "JYJ-0005", "校外培训机构设立审批", "行政许可", audience="enterprise",
    conditions="举办面向中小学生的非学科类校外培训机构",
    basis=["《中华人民共和国民办教育促进法》第十二条"],
    materials=[orig("举办申请书"), orig("举办者资格证明", e=True), copy("场地使用证明及消防材料", 1),
               orig("拟聘教师资格证明"), orig("机构章程和管理制度")],
    legal=90, promised=20, result=("办学许可证", "证照", ("on_the_spot",)),
    levels="k", events=("开办",),
    special=[sp("现场勘验", "《中华人民共和国民办教育促进法实施条例》", 10), sp("专家评审", "威海市校外培训机构设置标准（演示）", 10)],
    plain="办兴趣培训班要先拿办学许可证。提交场地、师资和章程，教育局组织专家评审并到现场查看，20 个工作日出结果。",
)

# == 残联 =========================================================================================

guide(
    "CL-0004", "残疾人证新办", "行政确认",
    conditions="符合残疾标准的本市户籍居民",
    basis=["《中华人民共和国残疾人保障法》第二条", "《中华人民共和国残疾人证管理办法》"],
    materials=[ID, HUKOU, orig("近期两寸免冠彩色照片 3 张"), copy("相关病历资料", cond="有既往诊疗记录时")],
    legal=30, promised=15, result=("中华人民共和国残疾人证（第三代智能化）", "证照", ("on_the_spot", "post")),
    levels="ctv", events=(), special=[sp("鉴定", "《残疾人残疾分类和分级》GB/T 26341", 10)],
    plain="家里有人残疾，可以到镇街或村里申请残疾人证，到指定医院做残疾评定后发证。有了证能享受补贴、乘车优惠等政策。",
)
guide(
    "CL-0005", "残疾人证换领", "行政确认",
    conditions="残疾人证有效期满、损坏或残疾状况变化",
    basis=["《中华人民共和国残疾人证管理办法》"],
    materials=[ID, orig("原残疾人证"), orig("近期两寸免冠彩色照片 2 张")],
    legal=30, promised=10, result=("换发的残疾人证", "证照", ("on_the_spot", "post")),
    levels="ctv", cross=("全省通办",),
    plain="残疾人证快到期了，带上旧证和身份证到镇街申请换证，10 个工作日办好，可以邮寄到家。",
)
guide(
    "CL-0006", "困难残疾人生活补贴和重度残疾人护理补贴", "行政给付",
    conditions=["困难残疾人生活补贴：低保家庭中的残疾人", "重度残疾人护理补贴：残疾等级为一、二级的残疾人"],
    basis=["《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》"],
    materials=[ID, orig("残疾人证", e=True), orig("本人银行卡或社会保障卡")],
    legal=30, promised=15, result=("补贴按月发放", "其他", ("electronic",)),
    levels="ctv", visits=0, cross=("跨省通办",),
    special=[sp("公示", "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》", 5)],
    plain="家里困难的残疾人、一二级重度残疾人，每月可以领生活补贴或护理补贴。在手机上或村里申请，公示后按月发到卡里。",
)
guide(
    "CL-0007", "残疾人辅助器具适配申请", "公共服务",
    conditions="持有残疾人证、有辅助器具需求的本市残疾人",
    basis=["《残疾人辅助器具服务管理办法》（演示引用）"],
    materials=[orig("残疾人证", e=True), orig("辅助器具适配申请表")],
    legal=30, promised=20, result=("轮椅、助听器等辅助器具", "其他", ("post",)),
    levels="ctv", visits=0, special=[sp("鉴定", "辅助器具适配评估", 5)],
    plain="需要轮椅、助听器、拐杖等，持残疾人证申请，评估后免费或按比例补贴配发，可以送货上门。",
)
guide(
    "CL-0008", "用人单位按比例安排残疾人就业审核", "行政确认", audience="enterprise",
    conditions="本市用人单位",
    basis=["《残疾人就业条例》第八条", "《残疾人就业保障金征收使用管理办法》"],
    materials=[LICENCE, orig("安排残疾人就业人员名单"), copy("残疾职工劳动合同及社保缴费记录", 1)],
    legal=20, promised=5, result=("按比例安排残疾人就业审核结果", "其他", ("electronic",)),
    levels="cc", visits=0, events=("经营",), annual="每年 5 月 31 日前申报上年度情况",
    plain="企业每年要申报安排了多少残疾人就业，达到比例的可以少交或不交残疾人就业保障金，网上申报就行。",
)

# == 水电气热 ======================================================================================
UTILITY_BASIS = "《优化营商环境条例》第二十七条"

guide(
    "SD-0001", "居民用户用水报装", "公共服务",
    conditions="本市供水管网覆盖范围内的居民住宅",
    basis=[UTILITY_BASIS, "《城市供水条例》"],
    materials=[ID, copy("不动产权证书或购房合同", notes="可用电子证照核验")],
    legal=10, promised=5, fee="水表及安装材料按实收取", fee_basis="威海市供水价格文件（演示）",
    result=("通水", "其他", ("on_the_spot",)), levels="c", visits=0, events=("住房",),
    plain="新房要通自来水，带身份证和房产证明在网上或营业厅申请，5 个工作日内上门装表通水。",
)
guide(
    "SD-0002", "用水过户", "公共服务",
    conditions="房屋买卖、继承等导致用水户名变更",
    basis=[UTILITY_BASIS],
    materials=[orig("新户主居民身份证", e=True), orig("不动产权证书", e=True)],
    legal=5, promised=0, result=("更名后的用水户", "其他", ("electronic",)), levels="c", visits=0,
    events=("住房",),
    plain="买了二手房，水费户名可以和房子过户一起改，不动产登记窗口会把信息推给水务，不用单独跑。",
)
guide(
    "SD-0003", "企业用水报装", "公共服务", audience="enterprise",
    conditions="新建、改建、扩建项目或新开办企业需要用水",
    basis=[UTILITY_BASIS],
    materials=[LICENCE, LEGAL_ID, copy("用水地址产权或租赁证明", 1), orig("用水设计图纸", cond="需要新建管网时")],
    legal=15, promised=5, fee="按工程量收取，小型项目免费接入", fee_basis="威海市水电气暖报装优化措施（演示）",
    result=("通水", "其他", ("on_the_spot",)), levels="c", visits=0, events=("开办",),
    special=[sp("现场勘验", "《城市供水条例》", 2)],
    plain="企业用水在网上申请，工作人员上门勘察，小项目免费接入，5 个工作日通水。",
)
guide(
    "DL-0001", "居民用电报装", "公共服务",
    conditions="居民住宅新装用电",
    basis=[UTILITY_BASIS, "《供电营业规则》"],
    materials=[ID, copy("房屋产权证明或购房合同", notes="可用电子证照核验")],
    legal=10, promised=3, result=("装表通电", "其他", ("on_the_spot",)), levels="c", visits=0,
    events=("住房",),
    plain="新房通电在网上国网 App 申请，带身份证和房产证明，3 个工作日内装表送电，全程免费。",
)
guide(
    "DL-0002", "低压非居民用电报装", "公共服务", audience="enterprise",
    conditions="用电容量 160 千瓦及以下的小微企业和个体户",
    basis=[UTILITY_BASIS, "《供电营业规则》"],
    materials=[LICENCE, copy("用电地址产权或租赁证明", 1)],
    legal=15, promised=5, result=("装表通电", "其他", ("on_the_spot",)), levels="c", visits=0,
    events=("开办",), special=[sp("现场勘验", "《供电营业规则》", 1)],
    plain="小店、小企业接电，网上申请后电工上门勘察，160 千瓦以下投资到表、不收费，5 个工作日通电。",
)
guide(
    "DL-0003", "用电更名过户", "公共服务", audience="both",
    conditions="房屋产权变更或经营主体变更",
    basis=["《供电营业规则》"],
    materials=[orig("新户主身份证件或营业执照", e=True), orig("不动产权证书或租赁合同", e=True)],
    legal=5, promised=1, result=("更名后的用电户", "其他", ("electronic",)), levels="c", visits=0,
    events=("住房", "变更"),
    plain="房子过户或店铺换了老板，电费户名可以在手机上改，一个工作日办好。",
)
guide(
    "RQ-0001", "居民用气开户", "公共服务",
    conditions="燃气管网已通达的居民住宅",
    basis=["《城镇燃气管理条例》第十七条"],
    materials=[ID, copy("不动产权证书或购房合同")],
    legal=10, promised=3, fee="开户费按物价部门核定标准收取", fee_basis="威海市燃气工程安装收费标准（演示）",
    result=("通气点火", "其他", ("on_the_spot",)), levels="c", visits=1, events=("住房",),
    special=[sp("检验", "《城镇燃气管理条例》第十七条（入户安全检查）", 1)],
    plain="新房通燃气，带身份证和房产证明申请开户，工作人员上门做安全检查后点火通气。",
)
guide(
    "RQ-0002", "非居民用气报装", "公共服务", audience="enterprise",
    conditions="餐饮、工业等非居民用户新装燃气",
    basis=["《城镇燃气管理条例》", UTILITY_BASIS],
    materials=[LICENCE, copy("用气场所产权或租赁证明", 1), orig("用气设备清单")],
    legal=20, promised=10, result=("通气", "其他", ("on_the_spot",)), levels="c", visits=0,
    events=("开办", "经营"), special=[sp("现场勘验", "《城镇燃气管理条例》", 2)],
    plain="饭店、工厂要用燃气，网上提交申请，上门勘察设计后施工通气，10 个工作日内办好。",
)
guide(
    "RL-0001", "居民供热开户", "公共服务",
    conditions="集中供热管网覆盖范围内的居民住宅",
    basis=["《山东省供热条例》（演示引用）"],
    materials=[ID, copy("不动产权证书或购房合同")],
    legal=10, promised=5, fee="按供热面积缴纳取暖费（以当年价格为准）", fee_basis="威海市居民供热价格文件（演示）",
    result=("纳入供热", "其他", ("on_the_spot",)), levels="c", visits=0, events=("住房",),
    plain="新房要开通暖气，供暖季前在网上或营业厅办开户，按面积交取暖费，11 月中旬统一供暖。",
)
guide(
    "RL-0002", "居民供热停热申请", "公共服务",
    conditions="长期无人居住、申请本供暖季暂停供热的居民",
    basis=["《山东省供热条例》（演示引用）"],
    materials=[ID, orig("不动产权证书", e=True)],
    legal=10, promised=5, fee="停热期间按规定缴纳基本热费", fee_basis="威海市居民供热价格文件（演示）",
    result=("停热（阀门加封）", "其他", ("on_the_spot",)), levels="c", visits=0, events=("住房",),
    quantity="每年 10 月 15 日前申请当季停热",
    special=[sp("现场勘验", "供热企业服务规范（演示）", 3)],
    plain="房子冬天没人住，10 月 15 日前申请停暖，工作人员上门关阀加封，只交基本热费。",
)


def main() -> None:
    guides = read_jsonl(json_lines(GUIDES))  # validate exactly as an import would
    OUT.write_text("".join(write_jsonl(guides)), encoding="utf-8")
    print(f"wrote {len(guides)} guides to {OUT}")


def json_lines(records: list[dict[str, Any]]) -> list[str]:
    import json

    return [json.dumps(record, ensure_ascii=False) for record in records]


if __name__ == "__main__":
    main()
