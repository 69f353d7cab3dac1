"""The demo catalogue and manuals: the counts the centre's bulletin reports."""

import time

from django.db.models import Count

from catalog import demo
from catalog.manuals import progress
from catalog.models import GuideQuestion, Manual, Material, Matter, Situation


def test_demo_catalogue_counts(db):
    assert Matter.objects.count() >= 300
    assert Situation.objects.count() > 590
    departments = Matter.objects.values("department").distinct().count()
    assert departments == 12
    assert Matter.objects.filter(department__level="province").count() == Matter.objects.count()
    with_questions = GuideQuestion.objects.values("matter").distinct().count()
    assert with_questions >= 40
    assert Material.objects.filter(only_if__isnull=False).exists()
    assert Material.objects.filter(from_e_certificate=True).exists()
    assert Matter.objects.filter(review_levels=["county", "city", "province"]).count() >= 10
    assert Matter.objects.filter(promised_limit=0).exists()
    types = set(Matter.objects.values_list("matter_type", flat=True))
    assert {"01", "07", "20"} <= types


def test_every_demo_row_passes_validation(db):
    from catalog.services import errors_of, matter_errors

    for matter in Matter.objects.select_related("department"):
        assert matter_errors(matter) == {}, matter.name
    for situation in Situation.objects.select_related("matter"):
        assert errors_of(situation) == {}, situation
    names = Material.objects.values("situation", "name").annotate(n=Count("pk")).filter(n__gt=1)
    assert not names.exists()


def test_exactly_590_confirmed_across_12_departments(db):
    assert Manual.objects.count() == Situation.objects.count()
    assert Manual.objects.filter(state=Manual.State.CONFIRMED).count() == 590
    departments = (
        Manual.objects.filter(state=Manual.State.CONFIRMED).values("situation__matter__department").distinct().count()
    )
    assert departments == 12
    assert Manual.objects.filter(state=Manual.State.RETURNED).exists()
    assert Manual.objects.filter(state=Manual.State.DRAFTED).exists()
    table, totals, sentence = progress()
    assert sentence == "已完成590个事项情形项的梳理、审核和确认工作，涉及12个省级部门"
    assert totals.confirmed == 590 and totals.situations == Situation.objects.count()
    assert len(table) == 12


def test_loaders_are_idempotent_and_fast(db):
    before = (Matter.objects.count(), Situation.objects.count(), Material.objects.count(), Manual.objects.count())
    started = time.monotonic()
    assert demo.load_demo_catalogue() == 0
    assert demo.load_demo_manuals() == 0
    assert time.monotonic() - started < 5
    after = (Matter.objects.count(), Situation.objects.count(), Material.objects.count(), Manual.objects.count())
    assert before == after


def test_full_load_from_empty_is_fast_and_deterministic(db):
    codes = list(Situation.objects.order_by("item_code").values_list("item_code", "name"))
    Manual.objects.all().delete()
    Matter.objects.all().delete()
    started = time.monotonic()
    demo.load_demo_catalogue()
    demo.load_demo_manuals()
    assert time.monotonic() - started < 10
    assert list(Situation.objects.order_by("item_code").values_list("item_code", "name")) == codes
    assert Manual.objects.filter(state=Manual.State.CONFIRMED).count() == 590
