"""One week for the dashboard's 本周 and the bulletin: a make-up working
Saturday (调休上班) belongs to its week. 2024-10-12 was one (国庆节调休,
国办发明电〔2023〕7号), in the week of Monday 2024-10-07 (still a holiday)."""

import datetime as dt

from django.urls import reverse

from accounts.models import Person
from bulletin import services
from cases import services as case_services
from cases import stats
from cases.models import Channel
from cases.tests.conftest import _matter, local
from core.models import Region
from hall.models import Window


def test_a_make_up_saturday_is_in_the_bulletin_week_and_the_dashboards(demo_user, distribution, signed_in):
    matter = _matter("natural_resources", "采矿权登记", 90001, ["province"])
    clerk = demo_user("clerk")
    case = case_services.receive(
        clerk,
        matter=matter,
        situation=matter.situations.first(),
        channel=Channel.WINDOW,
        region=Region.objects.get(code="510000"),
        window=Window.objects.get(number="A01"),
        applicant_person=Person.objects.get(user__username="citizen"),
        at=local(2024, 10, 12, 9),
    )
    case_services.accept(clerk, case, at=local(2024, 10, 12, 10))

    week = stats.Period.week_of(dt.date(2024, 10, 12))
    assert (
        week == stats.Period.week_of(dt.date(2024, 10, 7)) == stats.Period(dt.date(2024, 10, 7), dt.date(2024, 10, 12))
    )
    assert stats.Period.week_of(dt.date(2024, 11, 9)) == stats.Period(dt.date(2024, 11, 4), dt.date(2024, 11, 8))

    bulletin = services.build_draft(demo_user("editor"), week_start=dt.date(2024, 10, 9))
    assert (bulletin.week_start, bulletin.week_end) == (dt.date(2024, 10, 7), dt.date(2024, 10, 12))
    text = services.render_text(bulletin.blocks.get(source="windows"))
    assert text.startswith("本周，共计咨询0人次、受理1件、颁发0件、流转0件次。今年以来，累计咨询0人次、受理1件")
    assert "网上政策咨询同一人同一问题每日计一次" in text

    page = signed_in("manager").get(reverse("cases_console:stats"), {"period": "week", "on": "2024-10-12"})
    body = page.content.decode()
    assert "2024-10-07 至 2024-10-12" in body
    assert 'id="figure-acceptances"><span class="figure-label">受理（件）</span><span class="figure-value">1<' in body
