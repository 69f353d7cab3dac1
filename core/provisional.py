"""A provisional (暂定) year: the statutory holidays alone, for a year whose
State Council General Office notice is not yet in the calendar.

Source: 《全国年节及纪念日放假办法》as revised by 国务院令第795号
(2024-11-10, in force 2025-01-01), article 2: 元旦 1 day (1 January);
春节 4 days (农历除夕、正月初一至初三); 清明节 1 day (the 清明 solar term);
劳动节 2 days (5月1日、2日); 端午节 1 day (农历五月初五); 中秋节 1 day
(农历八月十五); 国庆节 3 days (10月1日至3日). The yearly notice adds the
调休 (moved weekends) and may join days into longer breaks; those cannot be
computed, so a provisional year has none and deadlines in it may move.
"""

import datetime as dt

PROVISIONAL_SOURCE = (
    "暂定：按《全国年节及纪念日放假办法》（国务院令第795号）推算法定节假日，未含调休；待国务院办公厅通知发布后更新"
)


def statutory_holidays(year: int) -> list[tuple[dt.date, str]]:
    """[(date, festival)] of the statutory holidays of `year`, in date order."""
    from chinese_calendar import get_solar_terms
    from lunardate import LunarDate

    def lunar(month, day):
        return LunarDate(year, month, day).to_solar_date()

    spring = lunar(1, 1)
    qingming = next(d for d, name in get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 30)) if name == "清明")
    days = [(dt.date(year, 1, 1), "元旦")]
    days += [(spring + dt.timedelta(days=n), "春节") for n in range(-1, 3)]  # 除夕 and 初一至初三
    days += [(qingming, "清明节"), (dt.date(year, 5, 1), "劳动节"), (dt.date(year, 5, 2), "劳动节")]
    days += [(lunar(5, 5), "端午节"), (lunar(8, 15), "中秋节")]
    days += [(dt.date(year, 10, n), "国庆节") for n in (1, 2, 3)]
    return sorted(days)  # 正月初一 falls between 21 January and 20 February: all inside the year


def provisional_warnings() -> list[str]:
    """What staff are told while deadlines are counted in a provisional year
    (this year or a later one) and the notice is still to be entered, or when
    next year is not registered at all (load_reference not run this year)."""
    from django.utils import timezone

    from .models import CalendarYear

    this_year = timezone.localdate().year
    years = dict(CalendarYear.objects.filter(year__gte=this_year).values_list("year", "provisional"))
    warnings = [
        f"{y}年节假日安排为暂定（未含调休），按该年计算的期限可能变动；请按国务院办公厅通知录入{y}年的节假日与调休上班日。"
        for y, provisional in sorted(years.items())
        if provisional
    ]
    if this_year + 1 not in years:
        warnings.append(
            f"{this_year + 1}年尚未登记工作日历，期限跨入该年的办件将无法受理；请运行 load_reference 暂定登记，或按通知录入。"
        )
    return warnings
