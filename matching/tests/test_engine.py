"""The matching engine alone: plain pytest, no database."""

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from core.industries import DIVISIONS, SECTIONS, normalize_industry
from matching.engine import (
    ATTRIBUTES,
    ItemIndex,
    ItemRule,
    MatchSet,
    ProfileTable,
    classify_size,
    describe,
    evaluate,
    evaluate_entity,
    industry_label,
    is_valid_industry,
    match_all,
    match_item,
    unknown_item,
    validate,
)
from matching.engine.rules import negative_bounds

TODAY = dt.date(2024, 11, 4)
ROOT = Path(__file__).resolve().parents[2]


def leaf(attr, op, value=None):
    node = {"attr": attr, "op": op}
    if value is not None:
        node["value"] = value
    return node


def rule(condition, start=None, until=None):
    return {"when": {"from": start, "until": until}, "condition": condition}


# ---------------------------------------------------------------- no Django


def test_engine_never_imports_django():
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'django' or name.startswith('django.'):\n"
        "            raise ImportError('django is blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import matching.engine, matching.engine.bulk, matching.engine.entity, matching.engine.suggest\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)\n"
        "print('ok')\n"
    )
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    # matching/__init__.py is empty, so importing the engine must not pull in the app.
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


# ---------------------------------------------------------------- reference tables


def test_industries_sections_and_divisions():
    assert len(SECTIONS) == 20 and len(DIVISIONS) == 97
    assert is_valid_industry("C") and is_valid_industry("C39") and is_valid_industry("C3912")
    assert is_valid_industry("3912") and normalize_industry("3912") == "C3912"
    assert is_valid_industry("c391")
    assert not is_valid_industry("C98") and not is_valid_industry("Z") and not is_valid_industry("F39")
    assert not is_valid_industry("C39123") and not is_valid_industry("") and not is_valid_industry(None)
    assert industry_label("C39") == "计算机、通信和其他电子设备制造业"
    assert industry_label("I65") == "软件和信息技术服务业"
    assert industry_label("K7010") == "房地产开发经营"
    assert industry_label("X1") is None


@pytest.mark.parametrize(
    "industry, employees, revenue, assets, expected",
    [
        # 工业: large ≥1000 人 and ≥40000 万元; medium ≥300 and ≥2000; small ≥20 and ≥300
        ("C3912", 1000, 40000, None, "large"),
        ("C3912", 999, 40000, None, "medium"),
        ("C3912", 300, 2000, None, "medium"),
        ("C3912", 300, 1999.99, None, "small"),
        ("C39", 20, 300, None, "small"),
        ("C39", 19, 300, None, "micro"),
        ("C39", 20, 299, None, "micro"),
        # 零售业: small ≥10 人 and ≥100 万元
        ("F52", 10, 100, None, "small"),
        ("F52", 9, 100000, None, "micro"),
        ("F5211", 300, 20000, None, "large"),
        # 批发业: large ≥200 and ≥40000
        ("F51", 200, 40000, None, "large"),
        ("F51", 5, 1000, None, "small"),
        ("F51", 5, 999, None, "micro"),
        # 建筑业: revenue and assets
        ("E47", None, 6000, 5000, "medium"),
        ("E47", None, 6000, 4999, "small"),
        ("E48", None, 299, 1e6, "micro"),
        # 农林牧渔业: revenue only
        ("A01", None, 20000, None, "large"),
        ("A01", None, 50, None, "small"),
        ("A01", None, 49, None, "micro"),
        # 软件和信息技术服务业: small ≥10 人 and ≥50 万元
        ("I65", 10, 50, None, "small"),
        ("I65", 10, 49, None, "micro"),
        # 信息传输业 (63, 64)
        ("I64", 2000, 100000, None, "large"),
        # 房地产开发经营 / 物业管理
        ("K7010", None, 1000, 5000, "medium"),
        ("K7020", 100, 500, None, "small"),
        ("K7020", 99, 500, None, "micro"),
        # 租赁和商务服务业: employees and assets
        ("L72", 100, None, 8000, "medium"),
        ("L72", 300, None, 119999, "medium"),
        # 仓储业 / 邮政业 / 交通运输业 / 住宿 / 餐饮
        ("G5920", 100, 1000, None, "medium"),  # 通用仓储 is 仓储业
        ("G60", 300, 2000, None, "medium"),
        ("G54", 300, 2999, None, "small"),
        ("H61", 10, 100, None, "small"),
        ("H62", 100, 2000, None, "medium"),
        # 其他未列明行业: employees only
        ("M73", 300, None, None, "large"),
        ("M73", 9, None, None, "micro"),
        # missing data or outside the standard
        ("C39", None, 5000, None, None),
        ("J66", 5000, 1e6, 1e6, None),
        ("K70", 100, 1000, 5000, None),
        (None, 100, 1000, 1000, None),
    ],
)
def test_classify_size_boundaries(industry, employees, revenue, assets, expected):
    assert classify_size(industry, employees, revenue, assets) == expected


# ---------------------------------------------------------------- validate


def errors_of(r):
    return [(e.path, e.message) for e in validate(r)]


def test_validate_accepts_a_full_rule():
    r = rule(
        {
            "all": [
                leaf("revenue", ">=", 1000),
                leaf("founded_on", "years_since>=", 3),
                leaf("industry", "prefix", ["C39", "I65"]),
                leaf("region", "prefix", ["5101"]),
                leaf("size", "in", ["small", "micro"]),
                leaf("credit_rating", ">=", "B"),
                leaf("qualifications", "has_any", ["high_tech", "tech_sme"]),
                leaf("is_listed", "is_false"),
                {"not": leaf("rd_ratio", "between", [0, 3])},
                {"any": [leaf("founded_on", ">=", "2020-01-01"), leaf("region", "in", ["510104", "510105"])]},
            ]
        },
        "2024-01-01",
        "2025-12-31",
    )
    assert validate(r) == []


def test_validate_points_at_the_part_in_error():
    r = rule(
        {
            "all": [
                leaf("revenue", ">=", 1000),
                leaf("营收", ">=", 1000),
                leaf("founded_on", ">=", 3),
                {"any": []},
                leaf("industry", "prefix", ["C39", "Z99"]),
                leaf("region", "==", "999999"),
                leaf("qualifications", ">", "high_tech"),
                leaf("revenue", ">=", "很多"),
                leaf("size", "==", "huge"),
                leaf("founded_on", "==", "2024-02-30"),
                leaf("revenue", "between", [10, 1]),
            ]
        },
        start="2024-13-01",
    )
    got = errors_of(r)
    assert ("when.from", "日期“2024-13-01”无效，应为 YYYY-MM-DD") in got
    assert ("condition.all[1].attr", "未知的属性“营收”") in got
    assert ("condition.all[2].value", "日期属性“成立日期”不能与数字比较") in got
    assert ("condition.all[3].any", "“满足其一（any）”条件组不能为空") in got
    assert ("condition.all[4].value[1]", "行业代码“Z99”不是有效的 GB/T 4754-2017 代码") in got
    assert ("condition.all[5].value", "行政区划代码“999999”无效") in got
    assert ("condition.all[6].op", "标签属性“资质认定”不支持运算“>”") in got
    assert ("condition.all[7].value", "属性“营业收入”的取值应为数字") in got
    assert got[8][0] == "condition.all[8].value" and "huge" in got[8][1]
    assert ("condition.all[9].value", "日期“2024-02-30”无效，应为 YYYY-MM-DD") in got
    assert ("condition.all[10].value", "属性“营业收入”的区间下限大于上限") in got
    assert len(got) == 11
    assert errors_of(rule({"all": [leaf("revenue", "almost", 1)]})) == [("condition.all[0].op", "未知的运算“almost”")]
    assert errors_of({"condition": {"not": {"all": []}}}) == [("condition.not.all", "“全部满足（all）”条件组不能为空")]
    assert errors_of({"when": {"from": "2025-01-01", "until": "2024-01-01"}, "condition": leaf("revenue", ">", 1)}) == [
        ("when.until", "有效期的结束日期早于开始日期")
    ]
    assert errors_of({}) == [("condition", "缺少条件")]
    assert errors_of(rule(leaf("revenue", ">=", "2024-01-01"))) == [
        ("condition.value", "数字属性“营业收入”不能与日期比较")
    ]
    # no profile holds a negative number: a negative bound is a slip, said where it is (on saving)
    assert [(e.path, e.message) for e in negative_bounds(rule(leaf("employees", ">=", -5)))] == [
        ("condition.value", "属性“从业人员”的取值不能为负数")
    ]
    nested = rule({"all": [leaf("revenue", ">", 1), {"not": leaf("revenue", "between", [-1, 10])}]})
    assert [(e.path, e.message) for e in negative_bounds(nested)] == [
        ("condition.all[1].not.value[0]", "属性“营业收入”的取值不能为负数")
    ]
    assert negative_bounds(rule(leaf("founded_on", "years_since>=", 0))) == []


def test_describe_reads_as_chinese():
    r = rule(
        {
            "all": [
                leaf("revenue", ">=", 1000),
                leaf("qualifications", "has", "high_tech"),
                {"any": [leaf("industry", "prefix", ["C39"]), {"not": leaf("is_listed", "is_true")}]},
            ]
        },
        "2024-01-01",
        "2025-12-31",
    )
    assert describe(r) == (
        "同时满足：营业收入不低于 1,000万元；已认定为高新技术企业；"
        "满足其一【所属行业属于 C39（计算机、通信和其他电子设备制造业）；不满足【是上市企业】】"
        "（有效期：2024-01-01 至 2025-12-31）"
    )


# ---------------------------------------------------------------- evaluate

HIGH_TECH = rule(
    {"all": [leaf("revenue", ">=", 1000), leaf("qualifications", "has", "high_tech"), leaf("rd_spending", ">=", 50)]}
)


def test_reasons_in_chinese_for_each_answer():
    v = evaluate(HIGH_TECH, {"revenue": 1200, "qualifications": []}, today=TODAY)
    assert [r.text for r in v.reasons] == [
        "营业收入 1,200万元，要求不低于 1,000万元 ✓",
        "未认定为高新技术企业 ✗",
        "缺少研发投入数据 ?",
    ]
    assert [r.outcome for r in v.reasons] == ["meets", "fails", "unknown"]
    assert [r.path for r in v.reasons] == ["condition.all[0]", "condition.all[1]", "condition.all[2]"]
    assert v.outcome == "fails"


def test_three_valued_logic():
    known_ok = {"revenue": 1500, "qualifications": ["high_tech"], "rd_spending": 80}
    assert evaluate(HIGH_TECH, known_ok, today=TODAY).outcome == "meets"
    assert evaluate(HIGH_TECH, {**known_ok, "rd_spending": None}, today=TODAY).outcome == "unknown"
    # a ✗ decides all() even when another part is unknown
    assert evaluate(HIGH_TECH, {"revenue": 10, "qualifications": ["high_tech"]}, today=TODAY).outcome == "fails"
    either = rule({"any": [leaf("revenue", ">=", 1000), leaf("employees", ">=", 100)]})
    assert evaluate(either, {"revenue": 5000}, today=TODAY).outcome == "meets"  # ✓ decides any()
    assert evaluate(either, {"revenue": 5}, today=TODAY).outcome == "unknown"
    assert evaluate(either, {"revenue": 5, "employees": 1}, today=TODAY).outcome == "fails"
    negated = rule({"not": leaf("employees", ">=", 100)})
    assert evaluate(negated, {}, today=TODAY).outcome == "unknown"
    assert evaluate(negated, {"employees": 5}, today=TODAY).outcome == "meets"
    assert evaluate(negated, {"employees": 500}, today=TODAY).outcome == "fails"
    # "!=" and "not_in" on a missing value cannot tell either
    assert evaluate(rule(leaf("credit_rating", "!=", "D")), {}, today=TODAY).outcome == "unknown"


def test_nearly_meets_names_the_one_condition():
    v = evaluate(HIGH_TECH, {"revenue": 1200, "qualifications": [], "rd_spending": 60}, today=TODAY)
    assert v.outcome == "fails" and v.nearly
    assert [r.text for r in v.short_by] == ["未认定为高新技术企业 ✗"]
    two_short = evaluate(HIGH_TECH, {"revenue": 10, "qualifications": [], "rd_spending": 60}, today=TODAY)
    assert not two_short.nearly and len(two_short.short_by) == 2
    # an unknown elsewhere means flipping one ✗ cannot make it meet
    assert not evaluate(HIGH_TECH, {"revenue": 1200, "qualifications": []}, today=TODAY).nearly


def test_period():
    r = rule(leaf("revenue", ">=", 1), "2025-01-01", None)
    v = evaluate(r, {"revenue": 100}, today=TODAY)
    assert v.outcome == "fails" and [x.text for x in v.reasons] == ["政策不在有效期内 ✗"]
    assert evaluate(r, {"revenue": 100}, today=dt.date(2025, 1, 1)).outcome == "meets"
    assert evaluate(rule(leaf("revenue", ">=", 1), None, "2024-11-03"), {"revenue": 5}, today=TODAY).outcome == "fails"


def test_dates_years_and_derived_attributes():
    three_years = rule(leaf("founded_on", "years_since>=", 3))
    assert evaluate(three_years, {"founded_on": "2021-11-04"}, today=TODAY).outcome == "meets"
    assert evaluate(three_years, {"founded_on": dt.date(2021, 11, 5)}, today=TODAY).outcome == "fails"
    v = evaluate(three_years, {"founded_on": "2019-05-01"}, today=TODAY)
    assert v.reasons[0].text == "成立日期 2019-05-01（成立 5 年），要求成立满 3 年 ✓"
    young = rule(leaf("founded_on", "years_since<=", 2))
    assert evaluate(young, {"founded_on": "2022-11-04"}, today=TODAY).outcome == "meets"
    assert evaluate(young, {"founded_on": "2022-11-03"}, today=TODAY).outcome == "fails"
    ratio = rule(leaf("rd_ratio", ">=", 3))
    v = evaluate(ratio, {"rd_spending": 40, "revenue": 1000}, today=TODAY)
    assert v.outcome == "meets" and v.reasons[0].text == "研发投入占营业收入比例 4%，要求不低于 3% ✓"
    assert evaluate(ratio, {"rd_spending": 40}, today=TODAY).reasons[0].text == "缺少研发投入占营业收入比例数据 ?"
    small = rule(leaf("size", "in", ["small", "micro"]))
    v = evaluate(small, {"industry": "F52", "employees": 12, "revenue": 300}, today=TODAY)
    assert v.outcome == "meets" and v.reasons[0].text == "企业规模 小型，要求为 小型、微型 之一 ✓"
    # revenue unknown: 12 people cap a retailer at 小型, so it is small or micro either way
    v = evaluate(small, {"industry": "F52", "employees": 12}, today=TODAY)
    assert (
        v.outcome == "meets"
        and v.reasons[0].text == "企业规模可能为小型或微型（缺少划型所需数据），要求为 小型、微型 之一 ✓"
    )
    assert evaluate(small, {"industry": "F52", "revenue": 600}, today=TODAY).outcome == "unknown"


def test_codes_tags_and_bools_text():
    r = rule(
        {
            "all": [
                leaf("industry", "prefix", ["C39"]),
                leaf("region", "prefix", ["5101"]),
                leaf("qualifications", "has_all", ["high_tech", "specialised_sme"]),
                leaf("is_listed", "is_false"),
            ]
        }
    )
    v = evaluate(
        r, {"industry": "3912", "region": "510104", "qualifications": {"high_tech"}, "is_listed": True}, today=TODAY
    )
    assert [x.text for x in v.reasons] == [
        "所属行业 C3912（计算机、通信和其他电子设备制造业），要求属于 C39（计算机、通信和其他电子设备制造业） ✓",
        "所在地区 成都市锦江区（510104），要求位于 成都市 ✓",
        "未认定为专精特新中小企业（要求同时具备高新技术企业、专精特新中小企业） ✗",
        "是上市企业，要求不是上市企业 ✗",
    ]


# ---------------------------------------------------------------- bulk, by hand

PROFILES = [
    {
        "id": 11,
        "region": "510104",
        "industry": "C3912",
        "revenue": 1500,
        "employees": 40,
        "qualifications": ["high_tech"],
        "rd_spending": 90,
        "founded_on": "2015-03-01",
    },
    {
        "id": 12,
        "region": "510105",
        "industry": "F5211",
        "revenue": 300,
        "employees": 12,
        "qualifications": [],
        "founded_on": "2023-06-01",
    },
    {
        "id": 13,
        "region": "510603",
        "industry": "C39",
        "revenue": 5000,
        "employees": 400,
        "qualifications": ["high_tech", "specialised_sme"],
        "rd_spending": 300,
        "founded_on": "2010-01-01",
    },
    {
        "id": 14,
        "region": None,
        "industry": "I65",
        "revenue": 2000,
        "employees": 30,
        "qualifications": ["high_tech"],
        "rd_spending": 200,
    },
    {"id": 15, "region": "510104", "industry": "C3912", "revenue": 1200, "qualifications": ["high_tech"]},
]


def test_bulk_scopes_and_match_set(tmp_path):
    table = ProfileTable.from_records(PROFILES)
    items = [
        ItemRule(1, "510000", HIGH_TECH),
        ItemRule(2, "510100", HIGH_TECH),
        ItemRule(3, "510603", rule(leaf("revenue", ">=", 100))),
        ItemRule(4, "510100", rule(leaf("size", "==", "small"))),
    ]
    ms = match_all(items, table, today=TODAY)
    assert ms.as_dict() == {1: {11, 13, 14}, 2: {11}, 3: {13}, 4: {11, 12}}
    assert ms.count() == 7
    assert sorted(ms.pairs()) == [(1, 11), (1, 13), (1, 14), (2, 11), (3, 13), (4, 11), (4, 12)]
    assert list(ms.for_entity(11)) == [1, 2, 4] and list(ms.for_entity(99)) == []
    assert list(match_item(items[0], table, today=TODAY)) == [11, 13, 14]
    assert list(unknown_item(items[0], table, today=TODAY)) == [15]
    saved = MatchSet.load(ms.save(tmp_path / "ms"))
    assert saved.as_dict() == ms.as_dict() and list(saved.item(1)) == [11, 13, 14]
    direct = match_all(items, table, today=TODAY, out_dir=tmp_path / "direct", workers=2)
    assert direct.as_dict() == ms.as_dict()
    assert list(MatchSet.load(tmp_path / "direct").for_entity(13)) == [1, 3]
    parts = table.partition_by_region("city")
    assert {k: sorted(p.ids.tolist()) for k, p in parts.items()} == {"": [14], "510100": [11, 12, 15], "510600": [13]}
    assert sorted(table.partition_by_region()) == ["", "510104", "510105", "510603"]


def test_one_enterprise_against_its_items():
    items = [
        ItemRule(1, "510000", HIGH_TECH),
        ItemRule(2, "510100", HIGH_TECH),
        ItemRule(3, "510603", rule(leaf("revenue", ">=", 100))),
    ]
    index = ItemIndex(items)
    got = evaluate_entity(index, PROFILES[0], today=TODAY)
    assert [(it.item_id, v.outcome) for it, v in got] == [(1, "meets"), (2, "meets")]
    assert [it.item_id for it, _ in evaluate_entity(index, PROFILES[3], today=TODAY)] == [1]


def test_loading_from_csv_parquet_and_arrow(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    csv = tmp_path / "p.csv"
    csv.write_text(
        "id,region,industry,revenue,employees,founded_on,qualifications,credit_rating,is_listed\n"
        "7,510104,C3912,1500,40,2015-03-01,high_tech|tech_sme,A,false\n"
        "8,510105,,,,,,,\n",
        encoding="utf-8",
    )
    table = ProfileTable.from_csv(csv)
    recs = {r["id"]: r for r in table.to_records()}
    assert recs[7]["qualifications"] == {"high_tech", "tech_sme"} and recs[7]["size"] == "small"
    assert recs[7]["founded_on"] == dt.date(2015, 3, 1) and recs[7]["credit_rating"] == "A"
    assert recs[7]["is_listed"] is False
    assert recs[8]["industry"] is None and recs[8]["revenue"] is None and recs[8]["qualifications"] is None
    arrow = pa.table(
        {
            "id": [1, 2],
            "region": ["510104", "510603"],
            "revenue": [10.0, None],
            "founded_on": pa.array([dt.date(2020, 1, 1), None], pa.date32()),
            "qualifications": [["high_tech"], None],
            "is_listed": [True, None],
        }
    )
    pq.write_table(arrow, tmp_path / "p.parquet")
    for t in (ProfileTable.from_arrow(arrow), ProfileTable.from_parquet(tmp_path / "p.parquet")):
        recs = {r["id"]: r for r in t.to_records()}
        assert recs[1]["founded_on"] == dt.date(2020, 1, 1) and recs[2]["founded_on"] is None
        assert recs[1]["qualifications"] == {"high_tech"} and recs[2]["qualifications"] is None
        assert recs[1]["is_listed"] is True and recs[2]["is_listed"] is None
        assert recs[2]["revenue"] is None


def test_attributes_are_described():
    for a in ATTRIBUTES.values():
        assert a.label and a.type in ("number", "date", "code", "category", "tags", "bool")
        assert a.source or a.derived
