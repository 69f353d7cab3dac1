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


def test_worklist_lists_what_waits_at_my_level_and_my_returned_ones_sorted_by_deadline(revenue_setup, signed_in):
    """The approval worklist is a console table: the most urgent 10-working-day clock first,
    the clock's warning on the row, filters, and an export of the same rows."""
    import datetime as dt

    from revenue import services

    from .helpers import user

    officer = user("nr_renhe")
    made = []
    for n, signed in enumerate([dt.date(2026, 11, 30), dt.date(2026, 11, 18), dt.date(2026, 12, 2)], start=1):
        made.append(
            services.create_fee_source(
                officer,
                right(n, name=f"待审矿{n}"),
                kind="proceeds_amount",
                amount="2000000.00",  # the city approves
                trigger_date=signed,
                due_date=dt.date(2027, 1, 31),
            )
        )
    returned = services.send_back(user("nr_panzhihua"), made[2], version=made[2].version, comment="请补计征依据")
    city = signed_in("nr_panzhihua")
    url = "/console/revenue/worklist/"
    page = city.get(url)
    rows = page_rows(page)
    # 11-18 + 10 working days is 12-02, already past; 11-30 + 10 working days is 12-14.
    assert [r[0] for r in rows] == [f"费源{made[1].pk} 待审矿2", f"费源{made[0].pk} 待审矿1"]
    assert "2026-12-02 已超期" in rows[0][-1] and rows[1][-1].startswith("2026-12-14")
    assert sort_state(page, "推送时限") == "ascending"
    exported = export_rows(city.get(url, {"export": "xlsx"}))
    assert [r[0] for r in exported] == [r[0] for r in rows]
    assert [r[0] for r in page_rows(city.get(url, {"q": "待审矿1"}))] == [f"费源{made[0].pk} 待审矿1"]
    county = signed_in("nr_renhe")
    mine = page_rows(county.get(url))
    assert [(r[0], r[1]) for r in mine] == [(f"费源{returned.pk} 待审矿3", "退回待修改")]


class _Part:
    """The part of a page from one table on (the dashboard has its figures table above)."""

    def __init__(self, response, table_id):
        body = response.content.decode()
        self.content = body[body.index(f'id="{table_id}"') :].encode()


def test_county_fee_sources_and_the_dead_letters_are_console_tables(revenue_setup, signed_in):
    import datetime as dt

    from revenue import services
    from revenue.models import OutboxMessage

    from .helpers import approved_fee_source, user

    first = approved_fee_source(1, amount="12000000.00")
    second = services.create_fee_source(
        user("nr_renhe"),
        first.right,
        kind="proceeds_amount",
        amount="3000000.00",
        trigger_date=dt.date(2026, 11, 26),
        due_date=dt.date(2026, 12, 31),
    )
    client = signed_in("nr_renhe")

    def listed(**params):
        return page_rows(
            _Part(client.get("/console/revenue/", {"region": "510411"} | params), "table-revenue-fee-sources")
        )

    rows = listed(sort="-amount")
    assert [r[0].split()[0] for r in rows] == [f"费源{first.pk}", f"费源{second.pk}"]
    assert [r[5] for r in rows] == ["已审批待推送", "审批中"]
    only = listed(state="pending")
    assert [r[0].split()[0] for r in only] == [f"费源{second.pk}"]
    exported = export_rows(client.get("/console/revenue/", {"region": "510411", "sort": "amount", "export": "xlsx"}))
    assert [r[0].split()[0] for r in exported] == [f"费源{second.pk}", f"费源{first.pk}"]

    OutboxMessage.objects.filter(fee_source=first).update(state="dead", attempts=8, last_error="HTTP 503")
    admin = signed_in("admin")
    dead = page_rows(admin.get("/console/revenue/outbox/"))  # the dead letters by default
    assert [(r[1], r[2], r[3], r[5]) for r in dead] == [("费源信息", f"费源{first.pk}", "发送失败", "HTTP 503")]
    assert page_rows(admin.get("/console/revenue/outbox/", {"state": "sent"})) == []
    assert [r[1] for r in export_rows(admin.get("/console/revenue/outbox/", {"export": "xlsx"}))] == ["费源信息"]
