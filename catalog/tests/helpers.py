"""Small builders for catalog tests (a matter of our own, apart from the demo)."""

from catalog import services
from catalog.codes import implementation_code, item_code
from core.models import Department


def department(function="natural_resources", region="510000"):
    return Department.objects.get(function=function, region_id=region)


def matter_data(function="natural_resources", serial=88001, **overrides):
    dept = department(function)
    catalogue = f"01{serial:05d}00000"
    data = {
        "catalogue_code": catalogue,
        "implementation_code": implementation_code(dept.uscc, "province", catalogue),
        "name": "测试许可事项",
        "matter_type": "01",
        "department": dept,
        "levels": ["province"],
        "legal_limit": 20,
        "promised_limit": 10,
        "has_fee": False,
        "result_name": "测试许可证",
        "online": True,
        "visits": 0,
        "review_levels": ["province"],
    }
    data.update(overrides)
    return data


def build_matter(function="natural_resources", serial=88001):
    """A matter with three situations, two questions and a conditional material."""
    matter = services.create_matter(None, matter_data(function, serial))
    code = matter.implementation_code
    new = services.create_situation(None, matter, {"item_code": item_code(code, 1), "name": "新办", "kind": "new"})
    change = services.create_situation(
        None, matter, {"item_code": item_code(code, 2), "name": "变更", "kind": "change"}
    )
    cancel = services.create_situation(
        None, matter, {"item_code": item_code(code, 3), "name": "注销", "kind": "cancel"}
    )
    q1 = services.save_question(
        None,
        matter,
        text="是否首次申请？",
        options=[{"text": "是", "situations": [new.pk]}, {"text": "否", "situations": [change.pk, cancel.pk]}],
    )
    q2 = services.save_question(
        None,
        matter,
        text="需要办理什么？",
        options=[{"text": "信息变更", "situations": [change.pk]}, {"text": "注销", "situations": [cancel.pk]}],
    )
    q3 = services.save_question(
        None,
        matter,
        text="是否委托代理人？",
        options=[{"text": "本人办理", "situations": []}, {"text": "委托代理人", "situations": []}],
    )
    agent = q3.options.get(text="委托代理人")
    for s in (new, change, cancel):
        services.create_material(None, s, {"name": "申请书"})
        services.create_material(
            None, s, {"name": "营业执照", "form": "copy", "from_e_certificate": True, "e_certificate_name": "营业执照"}
        )
        services.create_material(None, s, {"name": "授权委托书", "only_if": agent})
    return matter, (new, change, cancel), (q1, q2, q3)
