"""The console's 法人信息 list as a table (core.tables): sorted, searched,
paged and exported as a manager sees it."""

import pytest

from accounts import services
from accounts.demo import make_uscc
from accounts.models import Organisation
from core.tests.tables_check import export_rows, page_rows, sort_state

pytestmark = pytest.mark.django_db
URL = "/console/organisations/"


def test_organisations_sort_search_page_and_export(signed_in, demo_user):
    manager = demo_user("manager")
    for i in range(22):
        services.create_organisation(
            manager,
            {
                "uscc": make_uscc("510104", "1", 7700000 + i),
                "name": f"表格测试公司{i:02d}",
                "region": "510104",
                "legal_representative": "王五",
                "address": "成都市锦江区",
            },
        )
    client = signed_in("manager")
    response = client.get(URL, {"sort": "name"})
    assert sort_state(response, "名称") == "ascending"
    names = [r[0] for r in page_rows(response)]
    assert names == sorted(names) and len(names) == 20  # 20 a page by default here
    response = client.get(URL, {"q": "表格测试", "sort": "-name", "per_page": "50"})
    rows = page_rows(response)
    assert [r[0] for r in rows] == [f"表格测试公司{i:02d}" for i in reversed(range(22))]
    exported = export_rows(client.get(URL, {"q": "表格测试", "sort": "-name", "export": "xlsx"}))
    assert [r[:4] for r in exported] == [r[:4] for r in rows]
    assert len(exported) == 22 < Organisation.objects.count()
    # A credit code finds its one organisation.
    code = make_uscc("510104", "1", 7700003)
    assert [r[1] for r in page_rows(client.get(URL, {"q": code.lower()}))] == [code]


def test_staff_may_not_export_what_they_may_not_see(signed_in):
    assert signed_in("citizen").get(URL, {"export": "xlsx"}).status_code == 403
