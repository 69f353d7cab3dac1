"""The case worklist as a table (core.tables): a clerk sorts it, filters it,
chooses the page size and exports to Excel exactly what the page lists."""

from django.urls import reverse

from accounts.models import Person
from cases import services
from cases.models import Channel
from core.models import Region
from core.tests.tables_check import export_rows, page_rows, sort_state

NAMES = ["赵一", "钱二", "孙三", "李四", "周五"]


def _receive(demo_user, matter, window, n):
    citizen = Person.objects.get(user__username="citizen")
    cases = []
    for i in range(n):
        case = services.receive(
            demo_user("clerk"),
            matter=matter,
            situation=matter.situations.first(),
            channel=Channel.WINDOW,
            region=Region.objects.get(code="510000"),
            window=window,
            applicant_person=citizen,
        )
        case.applicant_name = NAMES[i % len(NAMES)] + f"{i:02d}"
        case.save(update_fields=["applicant_name"])
        cases.append(case)
    return cases


def test_worklist_sorts_filters_pages_and_exports(signed_in, demo_user, licence, hall_window):
    cases = _receive(demo_user, licence, hall_window, 23)
    clerk = signed_in("clerk")
    url = reverse("cases_console:worklist")
    # Sorted by applicant, both ways; the header tells screen readers which.
    response = clerk.get(url, {"view": "all", "sort": "applicant"})
    assert sort_state(response, "申请人") == "ascending"
    names = [r[2] for r in page_rows(response)]
    assert names == sorted(names) and len(names) == 23
    response = clerk.get(url, {"view": "all", "sort": "-applicant"})
    assert sort_state(response, "申请人") == "descending"
    assert [r[2] for r in page_rows(response)] == sorted(names, reverse=True)
    # 20 a page: the pager keeps the tab, the sort and the size.
    response = clerk.get(url, {"view": "all", "sort": "applicant", "per_page": "20"})
    assert len(page_rows(response)) == 20
    body = response.content.decode()
    assert "第 1 / 2 页" in body and "view=all&amp;sort=applicant&amp;per_page=20&amp;page=2" in body
    second = clerk.get(url, {"view": "all", "sort": "applicant", "per_page": "20", "page": "2"})
    assert [r[2] for r in page_rows(second)] == names[20:]
    # Filtered by a name: only 李四's cases, on the page and in the export.
    response = clerk.get(url, {"view": "all", "q": "李四", "sort": "number"})
    rows = page_rows(response)
    assert rows and all(r[2].startswith("李四") for r in rows)
    exported = export_rows(clerk.get(url, {"view": "all", "q": "李四", "sort": "number", "export": "xlsx"}))
    assert [r[0] for r in exported] == [r[0] for r in rows]
    assert [r[2] for r in exported] == [r[2] for r in rows]
    assert {r[4] for r in exported} == {"已收件"}
    # The export carries every filtered case, not just the page shown.
    exported = export_rows(clerk.get(url, {"view": "all", "per_page": "20", "export": "xlsx"}))
    assert sorted(r[0] for r in exported) == sorted(c.number for c in cases)


def test_worklist_ignores_a_bad_state_or_sort_with_a_note(signed_in, demo_user, licence, hall_window):
    _receive(demo_user, licence, hall_window, 2)
    response = signed_in("clerk").get(
        reverse("cases_console:worklist"), {"state": "lost", "sort": "secret", "per_page": "0"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "“状态”没有“lost”这一项" in body and "不能按“secret”排序" in body and "已按每页 20 条显示" in body
    assert len(page_rows(response)) == 2
