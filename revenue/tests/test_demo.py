"""The demo year of fee sources agrees with the dashboards."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from revenue import dashboard, demo
from revenue.models import FeeSource, Instalment, Payment

pytestmark = pytest.mark.django_db


def test_demo_year_spreads_over_counties_and_the_three_levels_add_up(revenue_setup):
    assert demo.load_demo() is True and demo.load_demo() is False  # once
    sources = FeeSource.objects.all()
    assert sources.values("region").distinct().count() > 50
    for fs in sources:  # instalments add up to the amount, to the fen
        assert Instalment.objects.filter(fee_source=fs).aggregate(s=Sum("amount"))["s"] == fs.amount
    today = dt.date(2026, 12, 3)
    province = dashboard.figures("510000", today)
    assert province["total"]["owed"] == sources.aggregate(s=Sum("amount"))["s"]
    assert province["total"]["paid"] == Payment.objects.aggregate(s=Sum("amount"))["s"]
    assert sum(province["split"].values()) == province["total"]["paid"]
    assert province["total"]["overdue"] > 0 and province["total"]["paid"] > 0
    # Each city's row is the total of its own dashboard, whose rows are its counties.
    for row in province["rows"][:4]:
        city = dashboard.figures(row["code"], today)
        for key, _ in dashboard.FIGURES:
            assert city["total"][key] == row[key] == sum((r[key] for r in city["rows"]), Decimal(0))
