"""Profiles in bulk (CSV, Parquet) and one by one through the API: bad rows
by line and field, nothing half-loaded; size derived, sources kept."""

import datetime as dt
import io
import json
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from core.errors import ServiceError
from matching import profiles, services
from matching.models import EnterpriseProfile

from .conftest import uscc_for

HEADER = "uscc,name,region,industry,employees,revenue,total_assets,founded_on,qualifications,credit_rating\n"


def good_rows(n=3):
    return "".join(
        f"{uscc_for(i)},企业{i},510104,C3911,{20 + i},{800 + i},{1500 + i},2016-05-0{i},high_tech;tech_sme,A\n"
        for i in range(1, n + 1)
    )


def test_csv_loads_profiles_with_derived_size_and_sources(demo_user):
    report = profiles.load(demo_user("manager"), (HEADER + good_rows()).encode(), "tax.csv", source="税务")
    assert (report.created, report.updated) == (3, 0)
    p = EnterpriseProfile.objects.get(uscc=uscc_for(1))
    assert p.size == "small" and p.employees == 21 and p.revenue == Decimal("801.00")
    assert p.qualifications == ["high_tech", "tech_sme"]
    assert p.sources["revenue"] == {"source": "税务", "updated_on": services.today().isoformat()}
    # A second file updates, keeping the other attributes.
    data = f"uscc,rd_spending,updated_on\n{uscc_for(1)},80,2024-12-31\n".encode()
    report = profiles.load(demo_user("manager"), data, "rd.csv")
    assert (report.created, report.updated) == (0, 1)
    p.refresh_from_db()
    assert p.rd_spending == Decimal("80.00") and p.rd_ratio == Decimal("9.99") and p.version == 2
    assert p.sources["rd_spending"] == {"source": "税务", "updated_on": "2024-12-31"}
    assert p.employees == 21


def test_bad_rows_are_reported_by_line_and_field_and_nothing_is_loaded(demo_user):
    tomorrow = (services.today() + dt.timedelta(days=1)).isoformat()
    bad = (
        HEADER
        + good_rows(2)
        + f"{uscc_for(3)},企业3,999999,C3911,10,-5,100,2016-01-01,,A\n"
        + f"91510000ABCDEFGHIJ,企业4,510104,Z9999,ten,10,10,{tomorrow},,E\n"
        + f"{uscc_for(5)},企业5,510104,C3911,1,1,1,2016-01-01,unicorn,B\n"
        + f"{uscc_for(1)},重复,510104,C3911,1,1,1,2016-01-01,,B\n"
    )
    with pytest.raises(ServiceError) as refused:
        profiles.load(demo_user("manager"), bad.encode(), "bad.csv")
    lines = refused.value.errors["file"]
    assert refused.value.message.startswith("文件中有") and "未导入任何数据" in refused.value.message
    assert "第4行“所在地区”：所在地区不是四川省的市或区县行政区划代码（GB/T 2260）" in lines
    assert "第4行“营业收入”：营业收入不能为负数" in lines
    assert any(x.startswith("第5行“统一社会信用代码”：统一社会信用代码") for x in lines)
    assert "第5行“所属行业”：所属行业不是有效的国民经济行业代码（GB/T 4754-2017）" in lines
    assert "第5行“从业人员”：从业人员应为数字" in lines
    assert "第5行“成立日期”：成立日期不能晚于今天" in lines
    assert "第5行“纳税信用等级”：纳税信用等级应为以下之一：D、C、M、B、A" in lines
    assert any(x.startswith("第6行“资质认定”：资质认定未知的资质标签“unicorn”") for x in lines)
    assert "第7行“统一社会信用代码”：与第2行的统一社会信用代码重复" in lines
    assert not EnterpriseProfile.objects.exists()


def test_derived_and_unknown_columns_are_refused(demo_user):
    with pytest.raises(ServiceError) as refused:
        profiles.load(
            demo_user("manager"), f"uscc,name,region,size,colour\n{uscc_for(1)},a,510104,small,red\n".encode(), "x.csv"
        )
    lines = refused.value.errors["file"]
    assert "第1行“size”：企业规模由系统计算，文件中不能包含此列" in lines
    assert any(x.startswith("第1行“colour”：未知的列") for x in lines)


def test_new_enterprise_needs_name_and_region(demo_user):
    with pytest.raises(ServiceError) as refused:
        profiles.load(demo_user("manager"), f"uscc,revenue\n{uscc_for(1)},10\n".encode(), "x.csv")
    assert refused.value.errors["file"] == [
        "第2行“企业名称”：新企业须填写企业名称",
        "第2行“所在地区”：新企业须填写所在区县",
    ]


def test_parquet_loads_with_chinese_headers(demo_user):
    table = pa.table(
        {
            "统一社会信用代码": [uscc_for(1), uscc_for(2)],
            "企业名称": ["甲", "乙"],
            "所在地区": ["510104", "510105"],
            "营业收入": [1200.5, None],
            "从业人员": [30, 5],
        }
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    report = profiles.load(demo_user("manager"), buffer.getvalue(), "market.parquet")
    assert report.created == 2
    assert EnterpriseProfile.objects.get(uscc=uscc_for(2)).revenue is None
    table = pa.table({"uscc": [uscc_for(1)], "employees": [-3]})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    with pytest.raises(ServiceError) as refused:
        profiles.load(demo_user("manager"), buffer.getvalue(), "x.parquet")
    assert refused.value.errors["file"] == ["第2行“从业人员”：从业人员不能为负数"]


def test_county_staff_load_only_their_county(demo_user):
    data = (
        HEADER
        + f"{uscc_for(1, '510105')},企业1,510105,C3911,1,1,1,2016-01-01,,A\n"
        + f"{uscc_for(2)},企业2,510104,C3911,1,1,1,2016-01-01,,A\n"
    )
    with pytest.raises(ServiceError) as refused:
        profiles.load(demo_user("reviewer_jinjiang"), data.encode(), "x.csv")
    assert refused.value.errors["file"] == ["第2行“所在地区”：不在您所在部门的管辖区划内"]


def test_management_command(tmp_path, db):
    path = tmp_path / "p.csv"
    path.write_text(HEADER + good_rows(2), encoding="gb18030")
    call_command("load_profiles", str(path), "--source", "市场监管")
    assert EnterpriseProfile.objects.count() == 2
    path.write_text(HEADER + f"{uscc_for(9)},x,510104,C3911,1,1,1,2016-01-01,,Q\n")
    with pytest.raises(CommandError, match="第2行“纳税信用等级”"):
        call_command("load_profiles", str(path))


def test_upload_page_shows_errors_on_the_form(signed_in):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = signed_in("manager")
    bad = SimpleUploadedFile("p.csv", (HEADER + f"{uscc_for(1)},a,510104,C3911,x,1,1,2016-01-01,,A\n").encode())
    page = client.post(reverse("matching_console:upload"), {"file": bad}).content.decode()
    assert "第2行“从业人员”：从业人员应为数字" in page
    good = SimpleUploadedFile("p.csv", (HEADER + good_rows(2)).encode())
    response = client.post(reverse("matching_console:upload"), {"file": good, "source": "税务"})
    assert response.status_code == 302 and EnterpriseProfile.objects.count() == 2
    assert signed_in("citizen").get(reverse("matching_console:upload")).status_code == 403


# --- one by one through the API ---


def patch(client, uscc, body):
    return client.patch(f"/api/v1/enterprises/{uscc}/profile", json.dumps(body), content_type="application/json")


def test_api_patch_updates_one_attribute_with_its_source(signed_in, agent_profile):
    client = signed_in("manager")
    response = patch(
        client,
        agent_profile.uscc,
        {"values": {"revenue": 5000, "employees": 200}, "source": "税务", "version": agent_profile.version},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["attributes"]["size"] == "medium" and body["version"] == 1
    assert body["sources"]["revenue"]["source"] == "税务"
    stale = patch(client, agent_profile.uscc, {"values": {"revenue": 1}, "version": 0})
    assert stale.status_code == 409 and "已被更新" in stale.json()["message"]


def test_api_patch_refuses_bad_values_by_field(signed_in, agent_profile):
    future = (services.today() + dt.timedelta(days=3)).isoformat()
    response = patch(
        signed_in("manager"),
        agent_profile.uscc,
        {
            "values": {
                "region": "110101",
                "industry": "X1",
                "revenue": -1,
                "founded_on": future,
                "size": "large",
                "colour": "red",
            },
            "version": agent_profile.version,
        },
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["region"] == ["所在地区不是四川省的市或区县行政区划代码（GB/T 2260）"]
    assert errors["industry"] == ["所属行业不是有效的国民经济行业代码（GB/T 4754-2017）"]
    assert errors["revenue"] == ["营业收入不能为负数"]
    assert errors["founded_on"] == ["成立日期不能晚于今天"]
    assert errors["size"][0].startswith("企业规模由")
    assert errors["colour"] == ["未知的属性“colour”"]
    agent_profile.refresh_from_db()
    assert agent_profile.version == 0 and agent_profile.revenue == Decimal("1200")


def test_api_creates_a_profile_and_links_the_organisation(signed_in):
    from accounts.models import Organisation

    org = Organisation.objects.get(name="成都青羊文旅发展有限公司")
    response = patch(signed_in("manager"), org.uscc, {"name": org.name, "values": {"region": "510105"}})
    assert response.status_code == 200
    assert EnterpriseProfile.objects.get(uscc=org.uscc).organisation == org


def test_api_profile_reading_is_scoped(signed_in, agent_profile):
    assert signed_in("agent").get(f"/api/v1/enterprises/{agent_profile.uscc}/profile").status_code == 200
    assert signed_in("citizen").get(f"/api/v1/enterprises/{agent_profile.uscc}/profile").status_code == 403
    body = {"values": {"revenue": 1}, "version": agent_profile.version}
    assert patch(signed_in("agent"), agent_profile.uscc, body).status_code == 403
    assert patch(signed_in("reviewer_qingyang"), agent_profile.uscc, body).status_code == 403


def test_every_engine_attribute_is_a_profile_column():
    from matching import engine
    from matching.models import PROFILE_ATTRIBUTES

    assert set(PROFILE_ATTRIBUTES) == set(engine.ATTRIBUTES)
    fields = {f.name for f in EnterpriseProfile._meta.get_fields()}
    assert set(PROFILE_ATTRIBUTES) <= fields
