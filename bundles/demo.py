"""Demo bundles (一件事) with their real structure, the reviewers of the
departments they join, and the problem list of the demo week.

Matters the demo catalogue lacks are added through catalog.services, as a
department would. Idempotent: only what is missing is added. The problems
handled in the week of 2024-11-04..08 are those the bulletin's 第45期 counts
(处理问题53个), through the figure registry like any week's."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import Role, User
from catalog import services as catalog
from catalog.codes import implementation_code, item_code
from catalog.models import Material, Matter
from core.models import Department

from . import services
from .models import Bundle, Mode, Problem

PROVINCE = "510000"
# Reviewers of the departments the demo bundles join: (username, name, function).
REVIEWERS = [
    ("reviewer_market", "钱雪梅", "market_regulation"),
    ("reviewer_credit", "冯立新", "development_reform"),
    ("reviewer_tax", "卫建军", "tax"),
    ("reviewer_hrss", "蒋文华", "human_resources"),
    ("reviewer_housing", "沈国庆", "housing"),
    ("reviewer_fire", "韩振宇", "fire"),
    ("reviewer_health", "杨静", "health"),
    ("reviewer_police", "朱伟", "public_security"),
]
# Matters the bundles need and the demo catalogue lacks:
# (function, main item number, type, name, legal/promised limit, result, [(kind, situation)], [materials])
EXTRA_MATTERS = [
    (
        "market_regulation",
        1,
        "20",
        "市场监管领域行政处罚信息信用修复",
        (10, 5),
        "信用修复决定书",
        [("new", "行政处罚信息信用修复")],
        ["信用修复申请书", "行政处罚决定书", "履行行政处罚决定的证明", "信用承诺书"],
    ),
    (
        "market_regulation",
        2,
        "01",
        "企业设立登记",
        (3, 1),
        "营业执照",
        [("new", "有限责任公司设立登记"), ("new", "个人独资企业设立登记")],
        ["公司章程", "住所使用证明", "法定代表人身份证明"],
    ),
    (
        "market_regulation",
        3,
        "01",
        "食品经营许可",
        (20, 10),
        "食品经营许可证",
        [("new", "餐饮服务经营者新办")],
        ["食品经营场所平面布局图", "食品安全管理制度", "住所使用证明"],
    ),
    (
        "market_regulation",
        4,
        "01",
        "企业注销登记",
        (3, 1),
        "准予注销登记通知书",
        [("cancel", "破产程序终结后注销登记")],
        ["人民法院终结破产程序裁定书", "清税证明", "管理人身份证明"],
    ),
    (
        "market_regulation",
        5,
        "01",
        "企业迁移登记",
        (3, 1),
        "营业执照",
        [("change", "跨省迁移登记")],
        ["迁移申请书", "住所使用证明", "股东会决议"],
    ),
    (
        "housing",
        1,
        "01",
        "户外招牌设置审批",
        (10, 5),
        "户外招牌设置许可决定书",
        [("new", "新设户外招牌")],
        ["招牌设计效果图", "住所使用证明"],
    ),
    (
        "housing",
        2,
        "20",
        "住房公积金单位缴存登记注销",
        (5, 2),
        "单位缴存登记注销确认书",
        [("cancel", "破产终结注销")],
        ["人民法院终结破产程序裁定书", "管理人身份证明"],
    ),
    (
        "fire",
        1,
        "01",
        "公众聚集场所投入使用、营业前消防安全检查",
        (10, 5),
        "消防安全检查合格证",
        [("new", "餐饮场所首次营业前检查")],
        ["消防安全制度", "场所平面布局图", "住所使用证明"],
    ),
    (
        "health",
        1,
        "20",
        "出生医学证明签发",
        (5, 1),
        "出生医学证明",
        [("new", "医疗机构内出生")],
        ["父母居民身份证", "结婚证"],
    ),
    (
        "public_security",
        1,
        "07",
        "出生户口登记",
        (5, 1),
        "居民户口簿（出生登记页）",
        [("new", "新生儿随父母落户")],
        ["出生医学证明", "父母居民身份证", "居民户口簿", "结婚证"],
    ),
    (
        "human_resources",
        1,
        "20",
        "城乡居民基本医疗保险参保登记",
        (5, 1),
        "参保登记结果",
        [("new", "新生儿参保登记")],
        ["出生医学证明", "居民户口簿"],
    ),
]
KIND_CODES = {"new": "N", "change": "C", "cancel": "X"}


def _department(function):
    return Department.objects.get(function=function, region_id=PROVINCE)


def _matter(function, name):
    return Matter.objects.get(department__function=function, department__region_id=PROVINCE, name=name)


def _situation(matter, name):
    return matter.situations.get(name=name)


def _add_matters():
    numbers = {
        "market_regulation": 90,
        "housing": 91,
        "fire": 92,
        "health": 93,
        "public_security": 94,
        "human_resources": 95,
    }
    for function, n, kind, name, (legal, promised), result, situations, materials in EXTRA_MATTERS:
        department = _department(function)
        if Matter.objects.filter(department=department, name=name).exists():
            continue
        catalogue = f"{kind}{numbers[function]:03d}{n:02d}00001"
        code = implementation_code(department.uscc, "province", catalogue)
        matter = catalog.create_matter(
            None,
            {
                "catalogue_code": catalogue,
                "implementation_code": code,
                "name": name,
                "matter_type": kind,
                "department": department,
                "levels": ["province"],
                "review_levels": ["province"],
                "legal_limit": legal,
                "promised_limit": promised,
                "result_name": result,
                "online": True,
                "visits": 0,
                "certificate_type_code": f"5199{numbers[function]:02d}{n}"
                if "证" in result or "执照" in result
                else "",
                "legal_basis": "《国务院关于进一步优化政务服务提升行政效能推动“高效办成一件事”的指导意见》（国发〔2024〕3号）",
            },
        )
        for serial, (skind, sname) in enumerate(situations, start=1):
            situation = catalog.create_situation(
                None,
                matter,
                {
                    "item_code": item_code(code, serial),
                    "name": sname,
                    "kind": skind,
                    "criteria": f"申请人符合{name}的法定条件，材料齐全、符合法定形式",
                },
            )
            for position, material in enumerate(materials, start=1):
                catalog.create_material(
                    None,
                    situation,
                    {"name": material, "position": position, "form": Material.Form.ORIGINAL, "required": True},
                )


def _reviewers():
    for username, name, function in REVIEWERS:
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username, name=name, kind=User.Kind.STAFF, role=Role.REVIEWER, department=_department(function)
        )
        user.set_password(DEMO_PASSWORD)
        user.save()


def _item(function, matter, situation, after=(), field_map=None, only_if=None):
    m = _matter(function, matter)
    return {
        "matter": m,
        "situation": _situation(m, situation),
        "after": list(after),
        "field_map": field_map or {},
        "only_if": only_if or {},
    }


PHONE = {
    "key": "phone",
    "label": "联系电话",
    "kind": "text",
    "required": True,
    "pattern": r"1\d{10}",
    "pattern_label": "11位手机号码",
}
CONTACT = {"key": "contact", "label": "联系人", "kind": "text", "required": True, "max_length": 20}


def bundle_specs():
    """(code, name, mode, deferral, for enterprise, lead function, summary, fields, questions, items)."""
    return [
        (
            "credit-repair",
            "信用修复一件事",
            Mode.LINKED,
            True,
            True,
            "development_reform",
            (
                "企业受到行政处罚后已履行处罚决定、完成整改的，一次申请，同步修复“信用中国（四川）”、国家企业信用信息公示系统"
                "和纳税信用记录（国发〔2024〕3号 附件：第一批重点事项清单“信用修复一件事”）。"
            ),
            [
                {
                    "key": "penalty_number",
                    "label": "行政处罚决定书文号",
                    "kind": "text",
                    "required": True,
                    "max_length": 40,
                },
                {
                    "key": "penalty_authority",
                    "label": "作出处罚的机关",
                    "kind": "text",
                    "required": True,
                    "max_length": 60,
                },
                {"key": "penalty_date", "label": "处罚决定日期", "kind": "date", "required": True},
                {"key": "performed_date", "label": "履行完毕日期", "kind": "date", "required": True},
                CONTACT,
                PHONE,
            ],
            [],
            [
                _item(
                    "market_regulation",
                    "市场监管领域行政处罚信息信用修复",
                    "行政处罚信息信用修复",
                    field_map={
                        "行政处罚决定书文号": "penalty_number",
                        "处罚决定日期": "penalty_date",
                        "履行完毕日期": "performed_date",
                        "联系人": "contact",
                        "联系电话": "phone",
                    },
                ),
                _item(
                    "development_reform",
                    "信用修复",
                    "行政处罚信息信用修复",
                    field_map={
                        "行政处罚决定书文号": "penalty_number",
                        "作出处罚的机关": "penalty_authority",
                        "履行完毕日期": "performed_date",
                        "联系电话": "phone",
                    },
                ),
                _item(
                    "tax",
                    "纳税信用补评复评",
                    "复评",
                    field_map={"行政处罚决定书文号": "penalty_number", "联系人": "contact", "联系电话": "phone"},
                ),
            ],
        ),
        (
            "bankruptcy",
            "企业破产一件事",
            Mode.LINKED,
            False,
            True,
            "market_regulation",
            (
                "人民法院指定的管理人在破产程序中一次申请，按顺序办理不动产处置登记、清税、社保和公积金注销，最后办理企业注销登记；"
                "银行账户的撤销由管理人持注销结果告知开户银行。"
            ),
            [
                {
                    "key": "court_ruling",
                    "label": "终结破产程序裁定书文号",
                    "kind": "text",
                    "required": True,
                    "max_length": 40,
                },
                {"key": "administrator", "label": "管理人名称", "kind": "text", "required": True, "max_length": 60},
                CONTACT,
                PHONE,
            ],
            [],
            [
                _item(
                    "natural_resources",
                    "不动产统一登记（省级权限）",
                    "转移登记",
                    field_map={"管理人名称": "administrator", "联系电话": "phone"},
                ),
                _item(
                    "tax",
                    "税务登记",
                    "注销登记",
                    after=[1],
                    field_map={"终结破产程序裁定书文号": "court_ruling", "管理人名称": "administrator"},
                ),
                _item(
                    "human_resources",
                    "单位社会保险参保登记",
                    "注销登记",
                    after=[2],
                    field_map={"管理人名称": "administrator", "联系人": "contact", "联系电话": "phone"},
                ),
                _item(
                    "housing",
                    "住房公积金单位缴存登记注销",
                    "破产终结注销",
                    after=[2],
                    field_map={"终结破产程序裁定书文号": "court_ruling", "管理人名称": "administrator"},
                ),
                _item(
                    "market_regulation",
                    "企业注销登记",
                    "破产程序终结后注销登记",
                    after=[2, 3, 4],
                    field_map={
                        "终结破产程序裁定书文号": "court_ruling",
                        "管理人名称": "administrator",
                        "联系电话": "phone",
                    },
                ),
            ],
        ),
        (
            "restaurant",
            "开办餐饮店一件事",
            Mode.LINKED,
            True,
            True,
            "market_regulation",
            "开办餐饮店一次申请：营业执照、食品经营许可、营业前消防安全检查、户外招牌设置和发票领用。",
            [
                {"key": "shop_name", "label": "店铺名称", "kind": "text", "required": True, "max_length": 60},
                {"key": "address", "label": "经营场所地址", "kind": "text", "required": True, "max_length": 120},
                {"key": "area", "label": "经营面积（平方米）", "kind": "number", "required": True},
                {"key": "seats", "label": "就餐座位数", "kind": "number", "required": True},
                CONTACT,
                PHONE,
            ],
            [{"key": "signboard", "text": "是否设置户外招牌？", "options": ["设置户外招牌", "不设置"]}],
            [
                _item(
                    "market_regulation",
                    "企业设立登记",
                    "有限责任公司设立登记",
                    field_map={"企业名称": "shop_name", "住所": "address", "联系电话": "phone"},
                ),
                _item(
                    "market_regulation",
                    "食品经营许可",
                    "餐饮服务经营者新办",
                    after=[1],
                    field_map={"经营场所": "address", "经营面积": "area", "联系人": "contact"},
                ),
                _item(
                    "fire",
                    "公众聚集场所投入使用、营业前消防安全检查",
                    "餐饮场所首次营业前检查",
                    after=[1],
                    field_map={"场所名称": "shop_name", "场所地址": "address", "建筑面积": "area", "座位数": "seats"},
                ),
                _item(
                    "housing",
                    "户外招牌设置审批",
                    "新设户外招牌",
                    after=[1],
                    field_map={"设置地点": "address", "联系电话": "phone"},
                    only_if={"question": "signboard", "option": "设置户外招牌"},
                ),
                _item("tax", "发票领用", "首次领用", after=[1], field_map={"联系人": "contact", "联系电话": "phone"}),
            ],
        ),
        (
            "newborn",
            "新生儿出生一件事",
            Mode.LINKED,
            False,
            False,
            "health",
            "新生儿出生后一次申请：出生医学证明、户口登记、城乡居民医保参保和社会保障卡申领。",
            [
                {"key": "baby_name", "label": "新生儿姓名", "kind": "text", "required": True, "max_length": 20},
                {"key": "birth_date", "label": "出生日期", "kind": "date", "required": True},
                {"key": "sex", "label": "性别", "kind": "choice", "choices": ["男", "女"], "required": True},
                {"key": "hospital", "label": "出生医院", "kind": "text", "required": True, "max_length": 60},
                PHONE,
            ],
            [],
            [
                _item(
                    "health",
                    "出生医学证明签发",
                    "医疗机构内出生",
                    field_map={
                        "新生儿姓名": "baby_name",
                        "出生日期": "birth_date",
                        "性别": "sex",
                        "出生地点": "hospital",
                    },
                ),
                _item(
                    "public_security",
                    "出生户口登记",
                    "新生儿随父母落户",
                    after=[1],
                    field_map={"姓名": "baby_name", "出生日期": "birth_date", "性别": "sex"},
                ),
                _item(
                    "human_resources",
                    "城乡居民基本医疗保险参保登记",
                    "新生儿参保登记",
                    after=[2],
                    field_map={"参保人姓名": "baby_name", "出生日期": "birth_date", "联系电话": "phone"},
                ),
                _item(
                    "human_resources",
                    "社会保障卡申领",
                    "首次申领",
                    after=[2],
                    field_map={"姓名": "baby_name", "性别": "sex", "联系电话": "phone"},
                ),
            ],
        ),
        (
            "relocation",
            "企业迁移登记一件事",
            Mode.CROSS_REGION,
            False,
            True,
            "market_regulation",
            "企业跨省迁移住所一次申请：迁移登记、税务信息迁移和社会保险登记变更，迁入地与迁出地部门协同办理（跨域办）。",
            [
                {"key": "new_address", "label": "迁入地住所", "kind": "text", "required": True, "max_length": 120},
                {"key": "move_date", "label": "拟迁移日期", "kind": "date", "required": True},
                CONTACT,
                PHONE,
            ],
            [],
            [
                _item(
                    "market_regulation",
                    "企业迁移登记",
                    "跨省迁移登记",
                    field_map={"迁入地住所": "new_address", "联系电话": "phone"},
                ),
                _item("tax", "税务登记", "变更登记", after=[1], field_map={"新生产经营地址": "new_address"}),
                _item(
                    "human_resources",
                    "单位社会保险参保登记",
                    "变更登记",
                    after=[1],
                    field_map={"单位地址": "new_address", "联系人": "contact", "联系电话": "phone"},
                ),
            ],
        ),
        (
            "newborn-proactive",
            "新生儿落户参保免申办一件事",
            Mode.NO_APPLICATION,
            False,
            False,
            "public_security",
            (
                "出生医学证明在本平台签发后，窗口依据平台已有证照为新生儿主动办理户口登记和城乡居民医保参保，"
                "家长无需申请（免申办，国发〔2024〕3号 “免申即享”）。"
            ),
            [
                {"key": "baby_name", "label": "新生儿姓名", "kind": "text", "required": True, "max_length": 20},
                {"key": "birth_date", "label": "出生日期", "kind": "date", "required": True},
                {"key": "sex", "label": "性别", "kind": "choice", "choices": ["男", "女"], "required": True},
            ],
            [],
            [
                _item(
                    "public_security",
                    "出生户口登记",
                    "新生儿随父母落户",
                    field_map={"姓名": "baby_name", "出生日期": "birth_date", "性别": "sex"},
                ),
                _item(
                    "human_resources",
                    "城乡居民基本医疗保险参保登记",
                    "新生儿参保登记",
                    after=[1],
                    field_map={"参保人姓名": "baby_name", "出生日期": "birth_date"},
                ),
            ],
        ),
    ]


# (bundle code, owner function, kind, title, measures)
PROBLEMS = [
    (
        "bankruptcy",
        "tax",
        "system",
        "清税证明未能自动推送至市场监管注销登记系统",
        "税务部门开放清税结果接口，注销登记时在线核验",
    ),
    (
        "bankruptcy",
        "natural_resources",
        "rule",
        "破产财产不动产转移登记要求原权利人到场",
        "明确管理人凭法院裁定书代为申请，无需原权利人到场",
    ),
    (
        "bankruptcy",
        "housing",
        "form",
        "公积金注销表单缺少“管理人”字段",
        "在一表申请中增加管理人名称和证件字段并映射到公积金系统",
    ),
    ("bankruptcy", "human_resources", "system", "社保欠费核查结果返回超时", "社保系统增加批量核查，超时自动重试"),
    (
        "credit-repair",
        "development_reform",
        "rule",
        "信用修复须逐一向各部门申请，材料重复提交",
        "建立“一表申请、一套材料”，修复结果部门间共享互认",
    ),
    (
        "credit-repair",
        "tax",
        "system",
        "纳税信用复评结果未回传信用平台",
        "税务部门按日推送复评结果至省信用信息共享平台",
    ),
    ("restaurant", "fire", "rule", "营业前消防检查与食品经营许可现场核查时间冲突", "两部门联合现场核查，一次上门"),
    (
        "newborn",
        "public_security",
        "system",
        "出生医学证明电子证照未与户籍系统对接",
        "卫生健康部门电子证照入库，公安落户时在线调取",
    ),
]
HANDLED_IN_DEMO_WEEK = 53
DEMO_WEEK = [dt.date(2024, 11, 4) + dt.timedelta(days=n) for n in range(5)]


def _load_problems():
    if Problem.objects.exists():
        return
    manager = User.objects.filter(username="manager").first()
    if manager is None:
        return
    bundles = {b.code: b for b in Bundle.objects.all()}
    tz = timezone.get_default_timezone()
    for n in range(HANDLED_IN_DEMO_WEEK):
        code, function, kind, title, measures = PROBLEMS[n % len(PROBLEMS)]
        day = DEMO_WEEK[n % 5]
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(9 + n % 8)), tz)
        problem = services.report_problem(
            manager,
            bundles[code],
            title=f"{title}（{n // len(PROBLEMS) + 1}）",
            kind=kind,
            owner=_department(function),
            measures=measures,
            deadline=day + dt.timedelta(days=7),
            at=at - dt.timedelta(days=3),
        )
        services.handle_problem(manager, problem, version=problem.version, at=at)
    today = timezone.localdate()
    for code, function, kind, title, measures in PROBLEMS[:4]:
        services.report_problem(
            manager,
            bundles[code],
            title=f"{title}（待处理）",
            kind=kind,
            owner=_department(function),
            measures=measures,
            deadline=today + dt.timedelta(days=10),
        )


@transaction.atomic
def load_demo():
    """Adds the demo bundles (confirmed), the departments' reviewers and the problem list."""
    manager = User.objects.filter(username="manager").first()
    admin = User.objects.filter(username="admin").first()
    if manager is None or admin is None:
        return False
    _add_matters()
    _reviewers()
    for code, name, mode, deferral, enterprise, lead, summary, fields, questions, items in bundle_specs():
        if Bundle.objects.filter(code=code).exists():
            continue
        bundle = services.save_bundle(
            manager,
            code=code,
            name=name,
            mode=mode,
            lead=_department(lead),
            items=items,
            fields=fields,
            questions=questions,
            deferral=deferral,
            summary=summary,
            for_enterprise=enterprise,
            note="首次梳理",
        )
        services.review_bundle(
            manager, bundle, approve=True, comment="事项、表单和材料清单审核通过", version=bundle.version
        )
        services.confirm_bundle(admin, bundle, version=bundle.version)
    _load_problems()
    return True
