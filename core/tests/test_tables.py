"""core.tables on the console's own lists (the audit log, the staff list):
sorting, filtering, page size and the Excel export as a manager meets them,
bad parameters noted rather than failing; breadcrumbs; the Django admin for
system administrators only."""

import pytest
from django.urls import reverse

from accounts.demo import make_resident_id
from accounts.models import Person, User
from core import audit
from core.tests.tables_check import export_rows, header, page_rows, sort_state

pytestmark = pytest.mark.django_db


def _people(admin, n):
    with audit.acting_as(admin, "10.0.0.9"):
        for i in range(n):
            Person.objects.create(name=f"表格测{i:02d}", resident_id=make_resident_id("510104", "19800101", f"{i:03d}"))


def test_audit_log_sorts_filters_pages_and_exports_what_it_shows(signed_in, demo_user):
    _people(demo_user("admin"), 25)
    client = signed_in("admin")
    url = reverse("console:audit")
    # Newest first by default, and the header says so.
    response = client.get(url)
    assert sort_state(response, "序号") == "descending"
    seqs = [int(r[0]) for r in page_rows(response)]
    assert seqs == sorted(seqs, reverse=True)
    # A click on 序号 turns it round.
    response = client.get(url, {"sort": "seq"})
    assert sort_state(response, "序号") == "ascending"
    seqs = [int(r[0]) for r in page_rows(response)]
    assert seqs == sorted(seqs)
    # Filtered to people, 20 a page: 20 rows and a pager that keeps the filter.
    filtered = {"type": "accounts.Person", "per_page": "20", "sort": "seq"}
    response = client.get(url, filtered)
    rows = page_rows(response)
    assert len(rows) == 20 and all("自然人" in r[5] for r in rows)
    body = response.content.decode()
    assert (
        "第 1 / 2 页" in body and "type=accounts.Person" in body and "table-notes" not in body and "per_page=20" in body
    )
    # The export: the whole filtered list (both pages), in the page's order and words.
    exported = export_rows(client.get(url, {**filtered, "export": "xlsx"}))
    assert len(exported) == 25, exported[-3:]
    assert [r[0] for r in exported[:20]] == [r[0] for r in rows]
    assert [r[4] for r in exported[:20]] == [r[4] for r in rows]  # 操作, in words
    assert all("表格测" in r[5] for r in exported)


def test_bad_parameters_are_ignored_or_clamped_and_the_page_says_so(signed_in, demo_user):
    _people(demo_user("admin"), 3)
    client = signed_in("admin")
    response = client.get(
        reverse("console:audit"), {"sort": "password", "per_page": "10000", "type": "nothing", "page": "x"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "不能按“password”排序，已按默认顺序排列" in body
    assert "每页条数只能为 20、50、100，已按每页 100 条显示" in body
    assert "“对象类型”没有“nothing”这一项，已忽略该条件" in body
    assert len(page_rows(response)) >= 3  # the ignored type filters nothing out
    response = client.get(reverse("console:audit"), {"per_page": "many"})
    assert response.status_code == 200 and "每页条数应为数字" in response.content.decode()


def test_staff_list_sorts_filters_and_exports(signed_in):
    client = signed_in("admin")
    url = reverse("console:staff")
    response = client.get(url, {"sort": "-username"})
    names = [r[0] for r in page_rows(response)]
    assert names == sorted(names, reverse=True) and len(names) > 3
    assert sort_state(response, "用户名") == "descending"
    clerks = client.get(url, {"role": "clerk"})
    rows = page_rows(clerks)
    assert rows and all(r[2] == "窗口人员" for r in rows)
    exported = export_rows(client.get(url, {"role": "clerk", "export": "xlsx"}))
    assert [r[:3] for r in exported] == [r[:3] for r in rows]
    assert header(client.get(url, {"export": "xlsx"}))[:3] == ["用户名", "姓名", "角色"]


@pytest.mark.parametrize(
    "name", ["console:audit", "console:staff", "console:organisations", "console:calendar", "cases_console:worklist"]
)
def test_console_pages_carry_breadcrumbs(signed_in, name):
    body = signed_in("admin").get(reverse(name)).content.decode()
    crumbs = body[body.index('aria-label="面包屑"') :]
    crumbs = crumbs[: crumbs.index("</nav>")]
    assert f'href="{reverse("console:home")}">工作台</a>' in crumbs
    assert 'aria-current="page"' in crumbs


def test_a_deeper_page_names_its_section_and_itself(signed_in):
    body = signed_in("admin").get(reverse("console:calendar_year", args=[2025])).content.decode()
    crumbs = body[body.index('aria-label="面包屑"') :]
    crumbs = crumbs[: crumbs.index("</nav>")]
    assert f'<a href="{reverse("console:calendar")}">工作日历</a>' in crumbs
    assert "2025" in crumbs.split('aria-current="page">')[1]


def test_django_admin_is_for_system_administrators_only_and_in_chinese(signed_in, client):
    manager = signed_in("manager")
    response = manager.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("console:home")
    assert "仅供系统管理员使用" in response.content.decode()
    # Even a manager marked as staff in Django's sense is not admitted.
    User.objects.filter(username="manager").update(is_staff=True)
    response = manager.get("/admin/accounts/user/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("console:home")
    client.logout()
    admin = signed_in("admin")
    body = admin.get("/admin/").content.decode()
    assert "基础数据（仅限系统管理员）" in body and "最近动作" in body and "修改" in body
    assert "Recent actions" not in body
