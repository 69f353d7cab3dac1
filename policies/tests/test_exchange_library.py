"""Import and export of documents, articles and items: round trip, errors by
sheet, row and field, nothing half-imported."""

import json

import pytest

from policies import exchange
from policies.models import BenefitItem, PolicyDocument, Status

pytestmark = pytest.mark.django_db


def _tables(**changes):
    tables = {
        "政策文件": [
            {
                "文号": "川自然资发〔2024〕21号",
                "标题": "关于工业用地弹性年期出让的通知",
                "发文机关": "四川省自然资源厅",
                "维护部门": "四川省自然资源厅",
                "适用区划": "510000",
                "发布日期": "2024-05-06",
                "施行日期": "2024-06-01",
                "失效日期": "2029-05-31",
                "政策主题": "用地保障",
                "摘要": "弹性年期出让。",
            }
        ],
        "政策条款": [
            {"文号": "川自然资发〔2024〕21号", "序号": 1, "条目": "第一条", "正文": "为降低企业用地成本，制定本通知。"},
            {
                "文号": "川自然资发〔2024〕21号",
                "序号": 2,
                "条目": "第二条",
                "正文": "工业用地可按不超过20年的弹性年期出让。",
            },
        ],
        "惠企事项": [
            {
                "文号": "川自然资发〔2024〕21号",
                "出处条款序号": 2,
                "事项名称": "工业用地弹性年期出让",
                "类别": "权益",
                "兑现方式": "依申请",
                "惠及对象": "投资建设工业项目的企业",
                "申报条件": "符合国土空间规划",
                "支持标准": "按不超过20年弹性年期出让",
                "申报开始": "2024-06-01",
                "申报截止": "2024-12-31",
                "咨询电话": "028-86012345",
                "适用行业": "C",
                "适用企业规模": "大型、中型",
            }
        ],
    }
    for sheet, rows in changes.items():
        tables[sheet] = rows
    return json.dumps(tables, ensure_ascii=False).encode("utf-8")


def test_json_import_adds_drafts_with_articles_and_items(demo_user):
    counts = exchange.import_library(demo_user("deptadmin"), _tables(), "policies.json")
    assert counts == {"documents": 1, "articles": 2, "items": 1}
    doc = PolicyDocument.objects.get(number="川自然资发〔2024〕21号")
    assert doc.status == Status.DRAFT and doc.articles.count() == 2
    item = doc.items.get()
    assert item.kind == "entitlement" and item.delivery == "on_application" and item.sizes == ["large", "medium"]
    assert item.article.ordinal == 2 and item.code.startswith("HQ510000")


def test_errors_are_reported_by_sheet_row_and_field_and_nothing_is_imported(demo_user):
    bad_items = [
        {
            "文号": "川自然资发〔2024〕21号",
            "事项名称": "奖励",
            "类别": "减免",
            "兑现方式": "免申即享",
            "惠及对象": "企业",
            "申报条件": "无",
            "支持标准": "10万元",
            "申报开始": "2024-06-01",
            "申报截止": "2024-05-01",
            "适用行业": "Z99",
        },
        {
            "文号": "川办发〔2024〕99号",
            "事项名称": "奖励",
            "类别": "奖补",
            "兑现方式": "免申即享",
            "惠及对象": "企业",
            "申报条件": "无",
            "支持标准": "10万元",
        },
    ]
    with pytest.raises(exchange.ImportFailed) as exc:
        exchange.import_library(demo_user("deptadmin"), _tables(惠企事项=bad_items), "policies.json")
    rows = exc.value.rows
    assert "惠企事项 第1条 申报截止：不能早于申报开始（2024-06-01）" in rows
    assert any(r.startswith("惠企事项 第1条 适用行业：") and "Z99" in r for r in rows)
    assert any(r.startswith("惠企事项 第2条 文号：") for r in rows)
    assert not PolicyDocument.objects.filter(number="川自然资发〔2024〕21号").exists()


def test_other_departments_records_are_refused(demo_user):
    tables = _tables()
    data = json.loads(tables)
    data["政策文件"][0]["维护部门"] = "四川省科学技术厅"
    with pytest.raises(exchange.ImportFailed) as exc:
        exchange.import_library(demo_user("deptadmin"), json.dumps(data, ensure_ascii=False).encode(), "x.json")
    assert any(r.startswith("政策文件 第1条 维护部门：无权") for r in exc.value.rows)


def test_excel_round_trip(demo_user):
    actor = demo_user("deptadmin")
    exchange.import_library(actor, _tables(), "policies.json")
    docs = PolicyDocument.objects.filter(number="川自然资发〔2024〕21号")
    content = exchange.export_library(docs, "xlsx")
    before = exchange.export_tables(docs)
    BenefitItem.objects.filter(document__in=docs).delete()
    docs.delete()
    counts = exchange.import_library(actor, content, "policies.xlsx")
    assert counts["documents"] == 1 and counts["items"] == 1
    after = exchange.export_tables(PolicyDocument.objects.filter(number="川自然资发〔2024〕21号"))
    assert after == before


def test_published_documents_cannot_be_overwritten(demo_user, library):
    doc = library.document("published", number="川自然资发〔2024〕21号", issued_on="2024-05-06")
    with pytest.raises(exchange.ImportFailed) as exc:
        exchange.import_library(demo_user("deptadmin"), _tables(), "policies.json")
    assert any("已发布" in r for r in exc.value.rows)
    assert PolicyDocument.objects.get(pk=doc.pk).title == doc.title


def test_unreadable_file():
    with pytest.raises(exchange.ImportFailed) as exc:
        exchange.import_library(None, b"not a workbook", "x.xlsx")
    assert "无法读取" in exc.value.rows[0]
