"""Loading and removing the demo year for tests (used by the root conftest's
session-scoped `demo_year` fixture): committed outside the per-test
transactions, and removed again by plain SQL afterwards."""

from django.db import connection

from accounts.models import Agent, Organisation, Person
from cases import demo, summary
from cases.models import Case, CaseEvent, Certificate, Counter, Evaluation
from catalog.models import Matter

ADDED = [Evaluation, Certificate, CaseEvent, Case, Agent, Organisation, Person]


def _max_ids():
    return {model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0 for model in ADDED}


def _fallback_matters():
    """A handful of matters when the demo catalogue cannot be loaded."""
    from catalog.codes import implementation_code, item_code
    from catalog.models import MatterType, Situation
    from core.models import Department

    rows = [
        ("natural_resources", "采矿权登记", 1, ["province"], 20, "采矿许可证", "5101001"),
        ("natural_resources", "探矿权新立登记", 2, ["county", "city", "province"], 20, "勘查许可证", "5101002"),
        ("emergency", "特种作业操作证核发", 11, ["province"], 5, "特种作业操作证", "5104011"),
        ("health", "医师执业注册", 3, ["province"], 5, "医师执业证书", "5103003"),
        ("tax", "对纳税人延期申报的核准", 3, ["province"], 0, "准予延期申报通知书", ""),
    ]
    for function, name, number, levels, promised, result, type_code in rows:
        department = Department.objects.get(function=function, region_id="510000")
        catalogue = f"01{department.pk % 100:02d}{number:03d}00000"
        impl = implementation_code(department.uscc, "province", catalogue)
        matter = Matter.objects.create(
            catalogue_code=catalogue,
            implementation_code=impl,
            name=name,
            matter_type=MatterType.LICENCE,
            department=department,
            levels=["province", "city", "county"],
            legal_limit=max(20, promised),
            promised_limit=promised,
            result_name=result,
            certificate_type_code=type_code,
            online=True,
            review_levels=levels,
        )
        Situation.objects.create(
            matter=matter,
            item_code=item_code(impl, 1),
            name="新办",
            kind=Situation.Kind.NEW,
            criteria="材料齐全、符合法定形式",
        )


def _delete_rows(model, above):
    """Plain SQL: the ORM would fetch and signal each of ~800,000 rows."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id > %s", [above])


def load():
    """Load the demo catalogue and year; returns what `remove` needs."""
    before = _max_ids()
    counters = dict(Counter.objects.values_list("key", "value"))
    matters_before = Matter.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    try:
        from catalog.demo import load_demo_catalogue

        load_demo_catalogue()
    except Exception:  # the catalogue is another engineer's, and may be in flux
        _fallback_matters()
    counts = demo.load_demo_year()
    assert counts is not None, "the demo year was already in the test database"
    return counts, (before, counters, matters_before)


def remove(state):
    before, counters, matters_before = state
    for model in ADDED:
        _delete_rows(model, before[model])
    Counter.objects.exclude(key__in=list(counters)).delete()
    for key, value in counters.items():
        Counter.objects.filter(key=key).update(value=value)
    Matter.objects.filter(pk__gt=matters_before).delete()
    summary.rebuild()  # the summary of what is left
