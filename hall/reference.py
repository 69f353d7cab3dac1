"""The provincial hall: comprehensive windows that accept any department's
matters, dedicated windows of the departments stationed there, and one
window that hands out every result."""

from core.models import Department
from core.reference import PROVINCE_CODE

from .models import Hall, Window

COMPREHENSIVE_WINDOWS = 12
DEDICATED_FUNCTIONS = [
    "natural_resources",
    "transport",
    "health",
    "emergency",
    "public_security",
    "justice",
    "development_reform",
    "economy_it",
    "market_regulation",
    "human_resources",
    "tax",
    "fire",
]


def load_hall():
    centre = Department.objects.get(function="service_centre", region_id=PROVINCE_CODE)
    hall, _ = Hall.objects.get_or_create(
        name="四川省政务服务大厅",
        defaults={"region_id": PROVINCE_CODE, "department": centre, "address": "四川省成都市"},
    )
    wanted = [
        (f"A{i:02d}", f"综合窗口{i:02d}", Window.Kind.COMPREHENSIVE, None) for i in range(1, COMPREHENSIVE_WINDOWS + 1)
    ]
    departments = {d.function: d for d in Department.objects.filter(region_id=PROVINCE_CODE)}
    for i, function in enumerate(DEDICATED_FUNCTIONS, start=1):
        dept = departments[function]
        wanted.append((f"B{i:02d}", f"{dept.short_name}窗口", Window.Kind.DEDICATED, dept))
    wanted.append(("C01", "统一出件窗口", Window.Kind.HANDOVER, None))
    existing = set(hall.windows.values_list("number", flat=True))
    Window.objects.bulk_create(
        [Window(hall=hall, number=n, name=name, kind=k, department=d) for n, name, k, d in wanted if n not in existing]
    )
    return len(wanted)
