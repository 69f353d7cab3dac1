"""Rule suggestions drafted from 申报条件 text: the patterns, the spans they came from,
and the draft shown to the department in the rule editor, to accept or correct."""

import json
from pathlib import Path

from django.urls import reverse

from matching.engine import validate
from matching.engine.suggest import draft_rule, suggest
from matching.models import ItemRule

TEXT = (
    "（一）在本地依法登记注册，成立满3年以上；（二）上年度研发费用占营业收入比例不低于3%；"
    "（三）取得高新技术企业证书，尚未认定为专精特新中小企业；（四）从业人员100人以上；"
    "（五）纳税信用等级为B级及以上；（六）不属于房地产业、金融业等行业；（七）与员工签订1年以上劳动合同。"
)


def test_each_common_pattern_with_its_span():
    found = suggest(TEXT, region="510104")
    by_text = {s.text: s.node for s in found}
    assert by_text == {
        "在本地依法登记": {"attr": "region", "op": "prefix", "value": ["510104"]},
        "成立满3年以上": {"attr": "founded_on", "op": "years_since>=", "value": 3},
        "研发费用占营业收入比例不低于3%": {"attr": "rd_ratio", "op": ">=", "value": 3},
        "高新技术企业": {"attr": "qualifications", "op": "has", "value": "high_tech"},
        "专精特新中小企业": {"not": {"attr": "qualifications", "op": "has", "value": "specialised_sme"}},
        "从业人员100人以上": {"attr": "employees", "op": ">=", "value": 100},
        "纳税信用等级为B级及以上": {"attr": "credit_rating", "op": ">=", "value": "B"},
        "房地产业、金融业": {"not": {"attr": "industry", "op": "prefix", "value": ["K", "J"]}},
    }
    for s in found:
        assert TEXT[s.start : s.end] == s.text  # the span it came from
    assert not validate(draft_rule(found))  # the draft is a rule the engine takes


def test_no_suggestion_where_the_text_names_nothing_a_profile_holds():
    assert suggest("具有相应的注册人员、技术负责人；与招用人员签订1年以上劳动合同；项目实施期内投入不低于500万元") == []


def test_hand_checked_sample_has_no_wrong_suggestion():
    """The sample's judgments were written down before the suggester ran on them
    (matching/tests/data/suggest_sample.json; docs/performance.md has the figures)."""
    data = json.loads((Path(__file__).parent / "data" / "suggest_sample.json").read_text(encoding="utf-8"))
    wrong, missed = [], []
    for phrase in data["phrases"]:
        got = [s.node for s in suggest(phrase["text"], region=data["region"])]
        wrong += [(phrase["text"], g) for g in got if g not in phrase["expected"]]
        missed += [(phrase["text"], e) for e in phrase["expected"] if e not in got]
    assert wrong == [] and missed == []


def test_the_department_sees_the_draft_with_its_spans_and_can_take_it(make_item, signed_in):
    item = make_item("高新技术企业研发奖励")
    item.conditions = TEXT
    item.save()
    client = signed_in("manager")
    url = reverse("matching_console:rule", args=[item.pk])
    page = client.get(url).content.decode()
    assert "根据申报条件起草的规则（草稿，须核对）" in page
    assert "<mark>研发费用占营业收入比例不低于3%</mark>" in page
    assert "研发投入占营业收入比例不低于 3%" in page
    assert not ItemRule.objects.filter(item=item).exists()  # a draft saves nothing
    page = client.get(url + "?draft=1").content.decode()
    assert "草稿已填入下方编辑框" in page and "years_since&gt;=" in page
