"""The console's 事项目录 as a table (core.tables): a manager sorts, filters
by department and type, pages and exports exactly the matters listed."""

from catalog.models import Matter
from core.tests.tables_check import export_rows, page_rows, sort_state

URL = "/console/catalog/"


def test_matters_sort_filter_page_and_export(signed_in, db):
    client = signed_in("manager")
    justice = Matter.objects.filter(department__function="justice").first().department_id
    response = client.get(URL, {"department": justice, "sort": "-name", "per_page": "100"})
    assert sort_state(response, "事项名称") == "descending"
    rows = page_rows(response)
    expected = Matter.objects.filter(department_id=justice).count()
    assert len(rows) == expected and "律师执业许可" in {r[0] for r in rows}
    names = [r[0] for r in rows]
    assert names == sorted(names, reverse=True)
    assert {r[3] for r in rows} == {Matter.objects.filter(department_id=justice).first().department.short_name}
    exported = export_rows(client.get(URL, {"department": justice, "sort": "-name", "export": "xlsx"}))
    assert [r[:4] for r in exported] == [r[:4] for r in rows]
    # 20 a page over the whole catalogue; the export still holds every matter.
    response = client.get(URL, {"department": "", "per_page": "20"})
    assert len(page_rows(response)) == 20 and "per_page=20" in response.content.decode()
    assert len(export_rows(client.get(URL, {"department": "", "export": "xlsx"}))) == Matter.objects.count()
    # A type filter, and a department that does not exist is ignored with a note.
    licences = page_rows(client.get(URL, {"department": "", "type": "01", "per_page": "100"}))
    assert licences and {r[2] for r in licences} == {"行政许可"}
    response = client.get(URL, {"department": "999999"})
    assert response.status_code == 200 and "“实施部门”没有“999999”这一项" in response.content.decode()


def test_department_staff_start_from_their_own_department(signed_in, db):
    rows = page_rows(signed_in("reviewer").get(URL, {"per_page": "100"}))
    assert rows and {r[3] for r in rows} == {"自然资源厅"}


MANUALS = "/console/catalog/manuals/"


def test_manuals_sort_filter_page_and_export(signed_in, db):
    from catalog.models import Manual, Situation

    client = signed_in("manager")
    response = client.get(MANUALS, {"state": "confirmed", "sort": "-situation", "per_page": "100"})
    assert sort_state(response, "情形") == "descending"
    rows = page_rows(response)
    confirmed = Situation.objects.filter(manual__state=Manual.State.CONFIRMED)
    assert len(rows) == min(100, confirmed.count()) and {r[3] for r in rows} == {"已确认"}
    names = [r[1] for r in rows]
    assert names == sorted(names, reverse=True)
    exported = export_rows(client.get(MANUALS, {"state": "confirmed", "sort": "-situation", "export": "xlsx"}))
    assert len(exported) == confirmed.count() and [r[:4] for r in exported[:100]] == [r[:4] for r in rows]
    # 20 a page; a text search; a state that does not exist is ignored with a note.
    assert len(page_rows(client.get(MANUALS, {"per_page": "20"}))) == 20
    found = page_rows(client.get(MANUALS, {"q": "采矿权", "per_page": "100"}))
    assert found and all("采矿权" in r[0] + r[1] for r in found)
    response = client.get(MANUALS, {"state": "lost"})
    assert response.status_code == 200 and "“状态”没有“lost”这一项" in response.content.decode()
    # Department staff start from their own department's situations.
    assert {r[2] for r in page_rows(signed_in("reviewer").get(MANUALS, {"per_page": "100"}))} == {"自然资源厅"}
