"""Reference data: Sichuan's regions (GB/T 2260), departments, calendar, loaded idempotently."""

import pytest
from django.db.models import Count, F

from core.models import CalendarDay, CalendarYear, Department, Level, Region
from core.reference import load_all

pytestmark = pytest.mark.django_db


def test_21_cities_and_183_counties_under_their_city():
    province = Region.objects.get(code="510000")
    assert (province.name, province.level, province.parent_id) == ("四川省", "province", None)
    cities = Region.objects.filter(level=Level.CITY)
    assert cities.count() == 21
    assert set(cities.values_list("parent_id", flat=True)) == {"510000"}
    assert {"成都市", "攀枝花市", "绵阳市", "南充市", "阿坝藏族羌族自治州", "甘孜藏族自治州", "凉山彝族自治州"} <= set(
        cities.values_list("name", flat=True)
    )

    counties = Region.objects.filter(level=Level.COUNTY).select_related("parent")
    assert counties.count() == 183
    for county in counties:
        assert county.parent is not None, county.code
        assert county.parent.level == Level.CITY, county.code
        assert county.parent.code == county.code[:4] + "00", county.code
    assert not counties.filter(name__in=["市辖区", "市区"]).exists()
    assert Region.objects.get(code="510104").full_name == "成都市锦江区"


PROVINCIAL = [
    "自然资源厅",
    "交通运输厅",
    "卫生健康委",
    "应急管理厅",
    "公安厅",
    "司法厅",
    "发展改革委（数据局）",
    "经济和信息化厅",
    "市场监管局",
    "人力资源社会保障厅",
    "税务局",
]


def test_the_provincial_departments_named_in_the_bulletin_exist():
    provincial = Department.objects.filter(region_id="510000", level=Level.PROVINCE)
    short_names = set(provincial.values_list("short_name", flat=True))
    for name in PROVINCIAL:
        assert name in short_names, name
    assert provincial.get(function="development_reform").name == "四川省发展和改革委员会（四川省数据局）"
    assert provincial.get(function="tax").name == "国家税务总局四川省税务局"
    centre = provincial.get(is_centre=True)
    assert centre.name == "四川省政府政务服务和公共资源交易服务中心"
    assert provincial.filter(is_centre=True).count() == 1


def test_every_city_and_county_has_its_departments_and_a_centre():
    regions = Region.objects.exclude(level=Level.PROVINCE).annotate(n=Count("departments"))
    assert regions.count() == 204
    for region in regions:
        assert region.n >= 6, region.code
        dept = Department.objects.get(region=region, function="service_centre")
        assert dept.is_centre and dept.level == region.level
        assert dept.name.startswith(region.full_name)
    assert Department.objects.get(region_id="510104", function="tax").name == "国家税务总局成都市锦江区税务局"
    # every department's level matches its region's
    assert not Department.objects.exclude(level=F("region__level")).exists()


def test_load_all_twice_creates_no_duplicates():
    counts = (
        Region.objects.count(),
        Department.objects.count(),
        CalendarYear.objects.count(),
        CalendarDay.objects.count(),
    )
    load_all()
    load_all()
    assert (
        Region.objects.count(),
        Department.objects.count(),
        CalendarYear.objects.count(),
        CalendarDay.objects.count(),
    ) == counts
    assert not Department.objects.values("function", "region").annotate(n=Count("id")).filter(n__gt=1).exists()


def test_load_all_leaves_a_hand_entered_year_alone():
    day = CalendarDay.objects.get(date="2026-10-01")
    day.name = "人工修订"
    day.save()
    load_all()
    assert CalendarDay.objects.get(date="2026-10-01").name == "人工修订"


def test_calendar_holds_holidays_and_make_up_days_from_the_package():
    assert CalendarDay.objects.get(date="2024-10-01").kind == "holiday"
    assert CalendarDay.objects.get(date="2024-10-01").name == "国庆节"
    assert CalendarDay.objects.get(date="2024-09-29").kind == "workday"
    assert CalendarDay.objects.get(date="2025-01-29").name == "春节"
    # only weekend days are ever recorded as make-up working days
    assert all(d.weekday() >= 5 for d in CalendarDay.objects.filter(kind="workday").values_list("date", flat=True))
    # The basis names the official notice, not only the package (issue 10, finding 7).
    assert CalendarYear.objects.get(year=2025).source.startswith("国务院办公厅关于2025年部分节假日安排的通知")
    assert "chinese-calendar" in CalendarYear.objects.get(year=2025).source
