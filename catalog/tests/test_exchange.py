"""Import and export: same tables in Excel and JSON, errors by sheet/row/field, all or nothing."""

import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from catalog import exchange
from catalog.models import GuideOption, GuideQuestion, Material, Matter, Situation

from .helpers import build_matter


def snapshot():
    return (
        Matter.objects.count(),
        Situation.objects.count(),
        Material.objects.count(),
        GuideQuestion.objects.count(),
        GuideOption.objects.count(),
        list(Material.objects.order_by("pk").values_list("pk", "name", "only_if_id"))[:50],
    )


def workbook(content):
    return load_workbook(io.BytesIO(content))


def save(book):
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def own(function="natural_resources"):
    return Matter.objects.filter(department__function=function)


def test_round_trip_excel_gives_the_same_catalogue(db):
    """Export has five sheets with Chinese headers; importing it back changes nothing."""
    first = exchange.export_catalogue("xlsx")
    assert load_workbook(io.BytesIO(first), read_only=True).sheetnames == [
        "事项",
        "情形",
        "材料",
        "引导问题",
        "引导选项",
    ]
    before = snapshot()
    counts = exchange.import_catalogue(None, first, "catalogue.xlsx")
    assert counts["matters_created"] == 0 and counts["matters_updated"] == Matter.objects.count()
    assert snapshot() == before
    second = exchange.export_catalogue("xlsx")
    tables_first, _ = exchange.read_excel(first)
    tables_second, _ = exchange.read_excel(second)
    assert tables_first["情形:headers"] == ["业务办理项编码", "实施编码", "情形名称", "情形类型", "受理条件"]
    assert len(tables_first["事项"]) == Matter.objects.count()
    assert len(tables_first["材料"]) == Material.objects.count()
    for name in exchange.SHEETS:
        assert [r.values for r in tables_first[name]] == [r.values for r in tables_second[name]]


def test_round_trip_into_an_empty_catalogue(db):
    matter, _, _ = build_matter()
    content = exchange.export_catalogue("json", Matter.objects.filter(pk=matter.pk))
    tables = exchange.export_tables(Matter.objects.filter(pk=matter.pk))
    Matter.objects.filter(pk=matter.pk).delete()
    counts = exchange.import_catalogue(None, content, "one.json")
    assert counts["matters_created"] == 1 and counts["situations_created"] == 3
    again = exchange.export_tables(Matter.objects.filter(implementation_code=matter.implementation_code))
    assert again == tables
    assert (
        Material.objects.filter(
            situation__matter__implementation_code=matter.implementation_code, only_if__isnull=False
        ).count()
        == 3
    )


def test_bad_rows_are_reported_by_sheet_row_and_field_and_nothing_changes(db):
    book = workbook(exchange.export_catalogue("xlsx", own()))
    book["情形"]["A12"] = "51000000000000000X101000000000001"  # bad item code on row 12
    book["事项"]["G5"] = "很快"  # legal limit not a number
    book["材料"]["D3"] = "也许"  # required: not 是/否
    book["引导选项"]["E2"] = "不存在的情形编码"
    before = snapshot()
    first = own().order_by("catalogue_code").first()
    assert book["事项"]["A2"].value == first.implementation_code
    book["事项"]["C2"] = "被改掉的名称"
    with pytest.raises(exchange.ImportFailed) as info:
        exchange.import_catalogue(None, save(book), "bad.xlsx")
    rows = info.value.rows
    assert any(r.startswith("情形 第12行 业务办理项编码：") for r in rows), rows
    assert any(r.startswith("事项 第5行 法定时限（工作日）：") for r in rows), rows
    assert any(r.startswith("材料 第3行 是否必需：") for r in rows), rows
    assert any(r.startswith("引导选项 第2行 适用情形：") for r in rows), rows
    assert "未作任何修改" in info.value.message
    assert snapshot() == before
    assert Matter.objects.get(pk=first.pk).name == first.name


def test_json_errors_are_reported_by_table_and_entry(db):
    tables = exchange.export_tables(own("justice"))
    tables["事项"][2]["实施编码"] = "123"
    tables["情形"].append(dict(tables["情形"][0]))  # a duplicate item code
    content = exchange.to_json(tables).encode()
    with pytest.raises(exchange.ImportFailed) as info:
        exchange.import_catalogue(None, content, "bad.json")
    assert any(r.startswith("事项 第3条 实施编码：") for r in info.value.rows), info.value.rows
    assert any("重复出现" in r and r.startswith("情形 第") for r in info.value.rows)


def test_import_updates_and_adds(db):
    tables = exchange.export_tables(own("tax"))
    tables["事项"][0]["事项名称"] = "新名称的事项"
    code = tables["事项"][0]["实施编码"]
    first = [r for r in tables["情形"] if r["实施编码"] == code][0]["业务办理项编码"]
    tables["材料"].append(
        {
            "业务办理项编码": first,
            "序号": 99,
            "材料名称": "新增的材料",
            "是否必需": "否",
            "材料形式": "复印件",
            "份数": 2,
        }
    )
    exchange.import_catalogue(None, exchange.to_json(tables).encode(), "edit.json")
    assert Matter.objects.get(implementation_code=code).name == "新名称的事项"
    added = Material.objects.get(situation__item_code=first, name="新增的材料")
    assert added.copies == 2 and not added.required and added.form == "copy"


def test_missing_sheet_or_garbage_is_refused(db):
    book = workbook(exchange.export_catalogue("xlsx", Matter.objects.none()))
    del book["材料"]
    with pytest.raises(exchange.ImportFailed) as info:
        exchange.import_catalogue(None, save(book), "x.xlsx")
    assert "缺少工作表“材料”" in info.value.rows
    with pytest.raises(exchange.ImportFailed):
        exchange.import_catalogue(None, b"not a workbook", "x.xlsx")


def test_department_admin_may_import_only_own_departments_matters(db, user):
    tables = exchange.export_tables()
    with pytest.raises(exchange.ImportFailed) as info:
        exchange.import_catalogue(user("deptadmin"), exchange.to_json(tables).encode(), "all.json")
    assert any("无权导入" in r for r in info.value.rows)
    own = Matter.objects.filter(department__function="natural_resources")
    counts = exchange.import_catalogue(user("deptadmin"), exchange.export_catalogue("json", own), "own.json")
    assert counts["matters_updated"] == own.count()


def test_management_commands_round_trip(db, tmp_path, capsys):
    path = tmp_path / "catalogue.json"
    call_command("export_catalog", str(path))
    before = snapshot()
    call_command("import_catalog", str(path))
    assert snapshot() == before
    assert "导入完成" in capsys.readouterr().out
