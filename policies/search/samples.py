"""A small, hand-written library for tests and the browser test of search and
consultation (the full demo corpus is policies.demo's)."""

import datetime as dt

from django.utils import timezone

from core.models import Department

from ..models import BenefitItem, Interpretation, PolicyArticle, PolicyDocument, Status
from . import rebuild

# (key, function, region, title, number, status, issued, summary, articles, interpretation, items)
# items: (code, title, kind, delivery, target, conditions, amount, materials, industries, sizes, article ordinal)
LIBRARY = [
    (
        "hightech",
        "science",
        "510000",
        "四川省支持高新技术企业高质量发展的若干措施",
        "川科规〔2024〕3号",
        Status.PUBLISHED,
        dt.date(2024, 3, 1),
        "加大对高新技术企业的培育和奖励力度，支持企业加大研发投入。",
        [
            ("第一条", "本措施适用于在四川省内注册的高新技术企业。"),
            ("第三条", "对首次通过认定的高新技术企业，给予一次性奖励30万元；重新认定的给予10万元奖励。"),
            ("第五条", "企业研发投入按上年度研发费用的10%给予补助，最高不超过100万元。"),
        ],
        ("一图读懂高新技术企业奖励政策", "首次认定的高企可获30万元奖励，由科技厅受理。"),
        [
            (
                "HT-001",
                "高新技术企业认定奖励",
                "subsidy",
                "fast_claim",
                "首次通过认定的高新技术企业",
                "在四川省内注册，当年首次通过高新技术企业认定",
                "首次认定一次性奖励30万元，重新认定奖励10万元",
                "高新技术企业证书；奖励申请表；营业执照",
                ["M"],
                [],
                2,
            ),
            (
                "HT-002",
                "企业研发投入补助",
                "subsidy",
                "on_application",
                "开展研发活动的科技型中小企业",
                "上年度研发费用占营业收入比例不低于3%",
                "按上年度研发费用的10%给予补助，最高100万元",
                "研发费用专项审计报告",
                ["M", "C39"],
                ["small", "micro", "medium"],
                3,
            ),
        ],
    ),
    (
        "stable",
        "human_resources",
        "510000",
        "关于做好失业保险稳岗返还工作的通知",
        "川人社发〔2024〕12号",
        Status.PUBLISHED,
        dt.date(2024, 5, 10),
        "继续实施失业保险稳岗返还政策，支持企业稳定就业岗位。",
        [
            ("一、", "参保企业上年度未裁员或裁员率不高于全国城镇调查失业率控制目标的，可申请稳岗返还。"),
            ("二、", "大型企业按企业及其职工上年度实际缴纳失业保险费的30%返还，中小微企业按60%返还。"),
        ],
        None,
        [
            (
                "SR-001",
                "失业保险稳岗返还",
                "relief",
                "auto_grant",
                "依法参加失业保险的企业",
                "上年度未裁员或裁员率不高于控制目标，且无欠费",
                "中小微企业按上年度实际缴纳失业保险费的60%返还，大型企业按30%返还",
                "免申即享，无需提交材料",
                [],
                [],
                2,
            )
        ],
    ),
    (
        "chengdu",
        "economy_it",
        "510100",
        "成都市促进专精特新中小企业高质量发展的若干政策",
        "成经信发〔2024〕8号",
        Status.PUBLISHED,
        dt.date(2024, 6, 18),
        "支持中小企业走专精特新发展道路。",
        [("第二条", "对新认定的国家级专精特新“小巨人”企业，给予一次性奖励50万元。")],
        ("成都市专精特新政策解读", "小巨人企业奖励标准及申报流程说明。"),
        [
            (
                "CD-001",
                "专精特新“小巨人”企业奖励",
                "subsidy",
                "on_application",
                "新认定的国家级专精特新“小巨人”企业",
                "注册地在成都市，当年新认定为国家级专精特新小巨人",
                "一次性奖励50万元",
                "认定文件；申请表",
                ["C"],
                ["small", "medium"],
                1,
            )
        ],
    ),
    (
        "mianyang",
        "finance",
        "510700",
        "绵阳市扶持小型微型企业发展办法",
        "绵府发〔2023〕21号",
        Status.PUBLISHED,
        dt.date(2023, 9, 5),
        "减轻小型微型企业负担，给予房租补贴。",
        [("第四条", "对入驻孵化器的小型微型企业，按实际房租的50%给予补贴，每年最高5万元。")],
        None,
        [
            (
                "MY-001",
                "小微企业房租补贴",
                "subsidy",
                "fast_claim",
                "入驻孵化器的小型微型企业",
                "注册地在绵阳市，入驻市级以上孵化器",
                "按实际房租的50%补贴，每年最高5万元",
                "租赁合同；缴费凭证",
                [],
                ["small", "micro"],
                1,
            )
        ],
    ),
    (
        "old",
        "tax",
        "510000",
        "四川省研发费用加计扣除奖补办法（2019年）",
        "川税发〔2019〕7号",
        Status.EXPIRED,
        dt.date(2019, 2, 1),
        "对享受研发费用加计扣除的企业给予奖补。",
        [("第二条", "对享受研发费用加计扣除政策的企业，按加计扣除额的5%给予奖补。")],
        None,
        [
            (
                "OLD-001",
                "研发费用加计扣除奖补",
                "subsidy",
                "on_application",
                "享受加计扣除的企业",
                "上年度享受研发费用加计扣除",
                "按加计扣除额的5%给予奖补",
                "纳税申报表",
                [],
                [],
                1,
            )
        ],
    ),
    (
        "mine",
        "natural_resources",
        "510000",
        "四川省自然资源厅关于支持绿色矿山建设的若干措施",
        "川自然资规〔2024〕5号",
        Status.PUBLISHED,
        dt.date(2024, 8, 8),
        "推进绿色矿山建设，对纳入名录的矿山给予奖补。",
        [("第六条", "对新纳入全国绿色矿山名录的矿山企业，给予一次性奖补20万元。")],
        None,
        [
            (
                "NR-001",
                "绿色矿山建设奖补",
                "subsidy",
                "on_application",
                "新纳入全国绿色矿山名录的矿山企业",
                "当年新纳入全国绿色矿山名录，无重大安全事故",
                "一次性奖补20万元",
                "名录公告；申请表；营业执照",
                ["B"],
                [],
                1,
            )
        ],
    ),
    (
        "draft",
        "science",
        "510000",
        "四川省草稿阶段的人工智能政策",
        "",
        Status.DRAFT,
        dt.date(2024, 9, 1),
        "草稿，不应被检索到。",
        [("第一条", "人工智能企业草稿条款。")],
        None,
        [],
    ),
]


def load_samples(index=True):
    """Create the sample library (idempotent by item code); returns {key: document}."""
    now = timezone.now()
    docs = {}
    for key, function, region, title, number, status, issued, summary, articles, interp, items in LIBRARY:
        dept = Department.objects.get(function=function, region_id=region)
        city = "" if region == "510000" else region[:4] + "00"
        doc, created = PolicyDocument.objects.get_or_create(
            title=title,
            defaults={
                "number": number,
                "department": dept,
                "region_id": region,
                "city_code": city,
                "issuers": dept.name,
                "level": dept.level,
                "issued_on": issued,
                "status": status,
                "summary": summary,
                "published_at": now if status != Status.DRAFT else None,
            },
        )
        docs[key] = doc
        if not created:
            continue
        rows = [
            PolicyArticle.objects.create(document=doc, ordinal=n, heading=h, text=t)
            for n, (h, t) in enumerate(articles, start=1)
        ]
        if interp:
            Interpretation.objects.create(
                document=doc,
                department=dept,
                region_id=region,
                city_code=city,
                title=interp[0],
                text=interp[1],
                status=Status.PUBLISHED,
                published_at=now,
            )
        for code, ititle, kind, delivery, target, cond, amount, materials, industries, sizes, art in items:
            BenefitItem.objects.create(
                document=doc,
                article=rows[art - 1],
                code=code,
                title=ititle,
                kind=kind,
                delivery=delivery,
                target=target,
                conditions=cond,
                amount=amount,
                materials=materials,
                industries=industries,
                sizes=sizes,
                department=dept,
                region_id=region,
                city_code=city,
                status=status,
                apply_period="常年受理",
                payout_method="财政资金直接拨付企业账户",
                payout_days=30,
                phone="028-12345678",
                published_at=now,
            )
    if index:
        rebuild()
    return docs
