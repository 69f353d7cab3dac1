"""Matters for the case tests, built through the catalog models, so these
tests do not depend on the demo catalogue."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Person
from cases import services
from cases.models import Channel
from catalog.codes import implementation_code, item_code
from catalog.models import Material, Matter, MatterType, Situation
from core.models import Department, Region


def _matter(function, name, serial, review_levels, promised=5, legal=20):
    department = Department.objects.get(function=function, region_id="510000")
    catalogue = f"01{serial:05d}00100"
    impl = implementation_code(department.uscc, "province", catalogue)
    matter = Matter.objects.create(
        catalogue_code=catalogue,
        implementation_code=impl,
        name=name,
        matter_type=MatterType.LICENCE,
        department=department,
        levels=["province", "city", "county"],
        legal_limit=legal,
        promised_limit=promised,
        result_name=name.replace("核发", "") or name,
        certificate_type_code=f"{serial:06d}",
        online=True,
        review_levels=review_levels,
    )
    situation = Situation.objects.create(
        matter=matter,
        item_code=item_code(impl, 1),
        name="新办",
        kind=Situation.Kind.NEW,
        criteria="材料齐全、符合法定形式",
    )
    Material.objects.create(situation=situation, name="申请书", required=True)
    return matter


@pytest.fixture
def licence(db):
    """A provincial licence decided by the province in one step, promised in 5 working days."""
    return _matter("natural_resources", "采矿权登记", 90001, ["province"])


@pytest.fixture
def county_licence(db):
    """Reviewed by the county, then the city, decided by the province."""
    return _matter("natural_resources", "探矿权新立登记", 90002, ["county", "city", "province"], promised=15)


@pytest.fixture
def hall_window(db):
    from hall.models import Window

    return Window.objects.get(number="A01")


def local(year, month, day, hour=10):
    """An aware datetime at a Beijing wall-clock time."""
    return timezone.make_aware(dt.datetime(year, month, day, hour), timezone.get_default_timezone())


def receive_at_window(clerk, matter, window, *, region="510000", person=None, organisation=None, **more):
    """A case received at `window` for the demo citizen (or `person`, or the
    organisation `organisation`), its matter's first situation: how most case
    tests begin. `more`: receive's other arguments (at, contact_phone …)."""
    if organisation is None:
        person = person or Person.objects.get(user__username="citizen")
    return services.receive(
        clerk,
        matter=matter,
        situation=matter.situations.first(),
        channel=Channel.WINDOW,
        region=Region.objects.get(code=region),
        window=window,
        applicant_person=person,
        applicant_organisation=organisation,
        **more,
    )
