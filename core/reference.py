"""Reference data from maintained sources, loaded idempotently.

Regions come from python-stdnum's copy of the GB/T 2260 code table (the same
table it checks resident IDs against); holidays from the chinese-calendar
package, and for a year it lacks up to next year the statutory holidays
(core.provisional). Departments follow the provincial bodies the bulletin names and the
matching bodies of each city and county.
"""

import datetime as dt
import re
from collections.abc import Callable
from importlib import resources

from django.db import transaction
from stdnum.cn import uscc

from .models import CalendarDay, CalendarYear, Department, Level, Region
from .provisional import PROVISIONAL_SOURCE, statutory_holidays

PROVINCE_CODE = "510000"
_ENTRY = re.compile(r'county="(?P<names>.*)"')
_SPAN = re.compile(r"\[(?P<start>\d*)-(?P<end>\d*)\](?P<name>.*)")


def current_divisions(province_prefix="51"):
    """{code: name} of the divisions in force today under one province."""
    table = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    in_province, found = False, {}
    for line in table.splitlines():
        if not line.startswith(" "):
            in_province = line.split()[0] == province_prefix
            continue
        if not in_province:
            continue
        suffix, rest = line.strip().split(" ", 1)
        entry = _ENTRY.search(rest)
        assert entry is not None  # every county line names its divisions
        latest = entry.group("names").split(",")[-1]
        span = _SPAN.match(latest)
        if span and span.group("end"):
            continue  # abolished or renamed
        found[province_prefix + suffix] = span.group("name") if span else latest
    return found


# (function, full name, short name) of the provincial bodies.
PROVINCIAL_DEPARTMENTS = [
    ("service_centre", "四川省政府政务服务和公共资源交易服务中心", "省政务服务中心"),
    ("natural_resources", "四川省自然资源厅", "自然资源厅"),
    ("transport", "四川省交通运输厅", "交通运输厅"),
    ("health", "四川省卫生健康委员会", "卫生健康委"),
    ("emergency", "四川省应急管理厅", "应急管理厅"),
    ("public_security", "四川省公安厅", "公安厅"),
    ("justice", "四川省司法厅", "司法厅"),
    ("development_reform", "四川省发展和改革委员会（四川省数据局）", "发展改革委（数据局）"),
    ("economy_it", "四川省经济和信息化厅", "经济和信息化厅"),
    ("market_regulation", "四川省市场监督管理局", "市场监管局"),
    ("human_resources", "四川省人力资源和社会保障厅", "人力资源社会保障厅"),
    ("tax", "国家税务总局四川省税务局", "税务局"),
    ("housing", "四川省住房和城乡建设厅", "住房城乡建设厅"),
    ("ecology", "四川省生态环境厅", "生态环境厅"),
    ("water", "四川省水利厅", "水利厅"),
    ("culture_tourism", "四川省文化和旅游厅", "文化和旅游厅"),
    ("commerce", "四川省商务厅", "商务厅"),
    ("education", "四川省教育厅", "教育厅"),
    ("civil_affairs", "四川省民政厅", "民政厅"),
    ("agriculture", "四川省农业农村厅", "农业农村厅"),
    ("science", "四川省科学技术厅", "科技厅"),
    ("finance", "四川省财政厅", "财政厅"),
    ("forestry", "四川省林业和草原局", "林草局"),
    ("fire", "四川省消防救援总队", "消防救援总队"),
]
# (function, name after the region's name) at city and at county level.
CITY_DEPARTMENTS = [
    ("service_centre", "政务服务管理局"),
    ("natural_resources", "自然资源局"),
    ("market_regulation", "市场监督管理局"),
    ("tax", "税务局"),
    ("human_resources", "人力资源和社会保障局"),
    ("economy_it", "经济和信息化局"),
    ("science", "科学技术局"),
    ("finance", "财政局"),
    ("development_reform", "发展和改革委员会"),
    ("housing", "住房和城乡建设局"),
    ("public_security", "公安局"),
    ("health", "卫生健康委员会"),
    ("transport", "交通运输局"),
    ("emergency", "应急管理局"),
]
COUNTY_DEPARTMENTS = [
    ("service_centre", "政务服务中心"),
    ("natural_resources", "自然资源局"),
    ("market_regulation", "市场监督管理局"),
    ("tax", "税务局"),
    ("human_resources", "人力资源和社会保障局"),
    ("finance", "财政局"),
    ("housing", "住房和城乡建设局"),
    ("public_security", "公安局"),
    ("health", "卫生健康局"),
    ("transport", "交通运输局"),
    ("emergency", "应急管理局"),
]

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def load_regions():
    divisions = current_divisions()
    province = divisions.pop(PROVINCE_CODE)
    rows = [Region(code=PROVINCE_CODE, name=province, level=Level.PROVINCE)]
    for code, name in sorted(divisions.items()):
        if code.endswith("00"):
            rows.append(Region(code=code, name=name, level=Level.CITY, parent_id=PROVINCE_CODE))
        elif name not in ("市辖区", "市区"):
            rows.append(Region(code=code, name=name, level=Level.COUNTY, parent_id=code[:4] + "00"))
    existing = set(Region.objects.values_list("code", flat=True))
    Region.objects.bulk_create([r for r in rows if r.code not in existing])
    return len(rows)


def _tax_name(region):
    prefix = region.parent.name + region.name if region.level == Level.COUNTY else region.name
    return f"国家税务总局{prefix}税务局"


def load_departments():
    existing = set(Department.objects.values_list("function", "region_id"))
    rows = [
        Department(
            function=f,
            name=n,
            short_name=s,
            level=Level.PROVINCE,
            region_id=PROVINCE_CODE,
            is_centre=(f == "service_centre"),
        )
        for f, n, s in PROVINCIAL_DEPARTMENTS
    ]
    for region in Region.objects.exclude(level=Level.PROVINCE).select_related("parent"):
        table = CITY_DEPARTMENTS if region.level == Level.CITY else COUNTY_DEPARTMENTS
        place = region.full_name
        for function, suffix in table:
            name = _tax_name(region) if function == "tax" else place + suffix
            rows.append(
                Department(
                    function=function,
                    name=name,
                    short_name=suffix,
                    level=region.level,
                    region=region,
                    is_centre=(function == "service_centre"),
                )
            )
    Department.objects.bulk_create([d for d in rows if (d.function, d.region_id) not in existing])
    missing = list(Department.objects.filter(uscc="").order_by("pk"))
    for department in missing:
        department.uscc = placeholder_uscc(department)
    Department.objects.bulk_update(missing, ["uscc"], batch_size=500)
    return len(rows)


def placeholder_uscc(department):
    """A well-formed code for a government body (registration 1, kind 1,
    its region, a serial from its id) until the real one is entered."""
    body = f"11{department.region_id}{department.pk:09d}"
    return body + uscc.calc_check_digit(body + "0")


def package_calendar_years():
    import chinese_calendar
    from chinese_calendar import constants

    years = sorted({d.year for d in constants.holidays})
    return years, f"chinese-calendar {getattr(chinese_calendar, '__version__', '')}".strip()


def calendar_basis(year, package):
    """What a person reads as the year's basis: the State Council General
    Office's annual notice, which the package transcribes."""
    return f"国务院办公厅关于{year}年部分节假日安排的通知（据 {package} 收录）"


def load_calendar():
    """Holidays and make-up working days of every year the package covers,
    and, up to next year, each year it lacks as provisional (暂定: statutory
    holidays only) so deadlines running into it can still be counted. Years
    an administrator entered by hand are left as they are; a provisional
    year is replaced once the package covers it."""
    import chinese_calendar
    from django.utils import timezone

    years, source = package_calendar_years()
    stale = set(CalendarYear.objects.filter(provisional=True, year__in=years).values_list("year", flat=True))
    CalendarDay.objects.filter(date__year__in=stale).delete()
    CalendarYear.objects.filter(year__in=stale).delete()
    known = set(CalendarYear.objects.values_list("year", flat=True))
    days = []
    for year in years:
        if year in known:
            continue
        date = dt.date(year, 1, 1)
        while date.year == year:
            is_holiday, name = chinese_calendar.get_holiday_detail(date)
            label = HOLIDAY_NAMES.get(name, name or "")
            if is_holiday and name:
                days.append(CalendarDay(date=date, kind=CalendarDay.Kind.HOLIDAY, name=label))
            elif not is_holiday and date.weekday() >= 5:
                days.append(CalendarDay(date=date, kind=CalendarDay.Kind.WORKDAY, name=label))
            date += dt.timedelta(days=1)
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=y, source=calendar_basis(y, source)) for y in years if y not in known]
    )
    next_year = timezone.localdate().year + 1
    missing = [y for y in range(max(years) + 1, next_year + 1) if y not in known]
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=y, source=PROVISIONAL_SOURCE, provisional=True) for y in missing]
    )
    for year in missing:
        days += [CalendarDay(date=d, kind=CalendarDay.Kind.HOLIDAY, name=n) for d, n in statutory_holidays(year)]
    # Years loaded before the basis named the notice (the package's name only).
    for entry in CalendarYear.objects.filter(source__startswith="chinese-calendar"):
        entry.source = calendar_basis(entry.year, source)
        entry.save(update_fields=["source"])
    CalendarDay.objects.bulk_create(days)
    return len(years) + len(missing)


# Reference data that apps above core own (the hall's windows), loaded after
# core's own: each app adds its loader in its ready(), so core imports none.
LOADERS: dict[str, Callable[[], int]] = {}


def register_loader(name, load):
    LOADERS[name] = load


@transaction.atomic
def load_all():
    counts = {
        "regions": load_regions(),
        "departments": load_departments(),
        "calendar_years": load_calendar(),
    }
    for name, load in LOADERS.items():
        counts[name] = load()
    return counts
