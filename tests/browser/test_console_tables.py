"""The case worklist as a clerk uses it in a browser: a click on a column
heading sorts (and says so to screen readers), the filter bar narrows the
list, and 导出 Excel downloads the same filtered cases."""

import io
import re

from openpyxl import load_workbook
from playwright.sync_api import expect


def test_clerk_sorts_filters_and_downloads_the_worklist(page, login):
    from cases.tests.conftest import _matter
    from cases.tests.test_worklist_table import _receive
    from hall.models import Window

    def demo_user(username):
        from accounts.models import User

        return User.objects.get(username=username)

    matter = _matter("natural_resources", "采矿权登记", 90001, ["province"])
    cases = _receive(demo_user, matter, Window.objects.get(number="A01"), 7)  # 钱二01 and 钱二06 among them
    login("clerk")
    page.goto("/console/cases/?view=all")
    table = page.locator("#table-worklist table")
    expect(table.locator("tbody tr")).to_have_count(7)
    expect(page.get_by_role("navigation", name="面包屑")).to_contain_text("工作台")

    # Sort by applicant: ascending, then a second click descending.
    heading = table.get_by_role("columnheader", name="申请人")
    heading.get_by_role("link").click()
    expect(heading).to_have_attribute("aria-sort", "ascending")
    names = table.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert names == sorted(names)
    table.get_by_role("columnheader", name="申请人").get_by_role("link").click()
    expect(table.get_by_role("columnheader", name="申请人")).to_have_attribute("aria-sort", "descending")
    assert table.locator("tbody tr td:nth-child(3)").all_inner_texts() == sorted(names, reverse=True)

    # Filter by a name through the filter bar; the sort stays.
    page.get_by_label("办件编号、申请人或事项").fill("钱二")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"q=%E9%92%B1%E4%BA%8C"))
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.get_by_role("columnheader", name="申请人")).to_have_attribute("aria-sort", "descending")
    shown = table.locator("tbody tr td:nth-child(1)").all_inner_texts()

    # The download holds exactly the filtered cases.
    with page.expect_download() as info:
        page.get_by_role("link", name="导出 Excel").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx") and download.suggested_filename.startswith("办件")
    book = load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("办件编号", "事项（情形）", "申请人")
    assert [r[0] for r in rows[1:]] == shown
    assert all(r[2].startswith("钱二") for r in rows[1:])
    assert {c.number for c in cases if c.applicant_name.startswith("钱二")} == set(shown)


def test_a_department_is_picked_from_the_long_list_by_typing(page, login):
    """The 972-department kind of list in a console form: typing narrows it."""
    from core.models import Department

    assert Department.objects.count() > 30
    login("admin")
    page.goto("/console/staff/new/")
    select = page.locator("select#id_department")
    page.locator("#id_department-filter").fill("司法")
    chosen = select.evaluate("s => s.options[s.selectedIndex].text")
    assert "司法" in chosen
    visible = select.evaluate("s => Array.from(s.options).filter(o => !o.hidden && o.value).map(o => o.text)")
    assert visible and all("司法" in text for text in visible)
    assert len(visible) < Department.objects.count()
