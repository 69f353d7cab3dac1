"""The 矿业权 list as a table (core.tables): searched, sorted and exported
as a county's natural resources bureau sees it."""

from core.tests.tables_check import export_rows, page_rows, sort_state

from .helpers import right


def test_rights_search_sort_and_export(revenue_setup, signed_in):
    for n, mineral in enumerate(["钒钛磁铁矿", "石灰岩", "煤"], start=1):
        right(n, name=f"表格矿{n}", mineral=mineral)
    client = signed_in("nr_renhe")
    url = "/console/revenue/rights/"
    response = client.get(url, {"q": "表格矿", "sort": "-licence"})
    assert sort_state(response, "许可证号") == "descending"
    rows = page_rows(response)
    assert [r[1] for r in rows] == ["表格矿3", "表格矿2", "表格矿1"]
    exported = export_rows(client.get(url, {"q": "表格矿", "sort": "-licence", "export": "xlsx"}))
    assert [r[:2] for r in exported] == [r[:2] for r in rows]
    assert [r[5] for r in exported] == ["煤", "石灰岩", "钒钛磁铁矿"]
    by_mineral = client.get(url, {"q": "表格矿", "sort": "mineral"})
    assert sort_state(by_mineral, "矿种") == "ascending"
    assert [r[5] for r in page_rows(by_mineral)] == [
        r[5] for r in export_rows(client.get(url, {"q": "表格矿", "sort": "mineral", "export": "xlsx"}))
    ]
