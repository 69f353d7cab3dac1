"""Catalogue services: every refusal in Chinese naming the field, nothing saved."""

import pytest
from django.core.exceptions import PermissionDenied

from catalog import services
from catalog.models import Material, Matter, Situation
from core.errors import ServiceError

from .helpers import build_matter, department, matter_data


def refused(call, *args, **kwargs):
    with pytest.raises(ServiceError) as info:
        call(*args, **kwargs)
    return info.value


def test_create_matter_saves_a_valid_matter(db):
    matter = services.create_matter(None, matter_data())
    assert Matter.objects.get(pk=matter.pk).name == "测试许可事项"
    assert matter.scope_region_code == "510000" and matter.scope_department_function == "natural_resources"


@pytest.mark.parametrize(
    "field,value,expected",
    [
        ("catalogue_code", "0100", "基本编码应为12位数字"),
        ("catalogue_code", "99000010000", "基本编码"),
        ("implementation_code", "123", "实施编码应为31位"),
        ("promised_limit", 30, "承诺时限不能超过法定时限"),
        ("levels", ["country"], "行使层级"),
        ("review_levels", ["province", "county"], "审查决定层级"),
        ("name", "", "事项名称"),
    ],
)
def test_bad_matter_is_refused_in_chinese_and_nothing_saved(db, field, value, expected):
    before = Matter.objects.count()
    error = refused(services.create_matter, None, matter_data(**{field: value}))
    messages = [m for ms in error.errors.values() for m in ms]
    assert any(expected in m for m in messages), messages
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in messages)
    assert Matter.objects.count() == before


def test_implementation_code_must_carry_the_departments_credit_code(db):
    other = department("transport")
    data = matter_data()
    data["implementation_code"] = other.uscc + data["implementation_code"][18:]
    error = refused(services.create_matter, None, data)
    assert "实施部门" in error.errors["implementation_code"][0]
    assert "统一社会信用代码" in error.errors["implementation_code"][0]


def test_department_must_be_a_provincial_department(db):
    city = department("natural_resources", "510100")
    error = refused(services.create_matter, None, matter_data(department=city))
    assert "不是省级部门" in error.errors["department"][0]
    centre = department("service_centre")
    assert (
        "不是省级部门" in refused(services.create_matter, None, matter_data(department=centre)).errors["department"][0]
    )


def test_duplicate_implementation_code_is_refused(db):
    services.create_matter(None, matter_data())
    error = refused(services.create_matter, None, matter_data(name="另一个"))
    assert "已被其他事项使用" in error.errors["implementation_code"][0]


def test_bad_item_code_is_refused(db):
    matter = services.create_matter(None, matter_data())
    error = refused(services.create_situation, None, matter, {"item_code": "X" * 33, "name": "新办", "kind": "new"})
    assert error.errors["item_code"][0].startswith("业务办理项编码")
    other = services.create_matter(None, matter_data(serial=88002))
    error = refused(
        services.create_situation,
        None,
        matter,
        {"item_code": other.implementation_code + "01", "name": "新办", "kind": "new"},
    )
    assert "前31位应为所属事项的实施编码" in error.errors["item_code"][0]
    assert not Situation.objects.filter(matter=matter).exists()


def test_material_rules(db):
    matter, (new, change, cancel), (q1, q2, q3) = build_matter()
    error = refused(services.create_material, None, new, {"name": "电子营业执照", "from_e_certificate": True})
    assert "电子证照名称" in error.errors["e_certificate_name"][0]
    assert "已有材料" in refused(services.create_material, None, new, {"name": "申请书"}).errors["name"][0]
    _, _, (foreign, _, _) = build_matter(serial=88009)
    error = refused(services.create_material, None, new, {"name": "附件", "only_if": foreign.options.first()})
    assert "本事项引导问题的选项" in error.errors["only_if"][0]
    assert new.materials.count() == 3


def test_question_options_must_be_own_situations(db):
    matter, _, _ = build_matter()
    other, (foreign, *_), _ = build_matter(serial=88003)
    error = refused(
        services.save_question,
        None,
        matter,
        text="新问题",
        options=[{"text": "甲", "situations": [foreign.pk]}, {"text": "乙", "situations": []}],
    )
    assert "不属于本事项" in error.errors["options"][0]
    error = refused(services.save_question, None, matter, text="只有一个选项", options=[{"text": "甲"}])
    assert "至少要有两个选项" in error.errors["options"][0]


def test_update_matter_keeps_codes_of_matters_with_situations(db):
    matter, _, _ = build_matter()
    data = matter_data(serial=88004)
    error = refused(
        services.update_matter,
        None,
        matter,
        {"implementation_code": data["implementation_code"], "catalogue_code": data["catalogue_code"]},
    )
    assert "不能修改实施编码" in error.errors["implementation_code"][-1]
    services.update_matter(None, matter, {"name": "改名后的事项", "promised_limit": 5})
    assert Matter.objects.get(pk=matter.pk).name == "改名后的事项"


def test_department_admin_edits_only_own_departments_matters(db, user):
    own = services.create_matter(user("deptadmin"), matter_data())
    with pytest.raises(PermissionDenied):
        services.create_matter(user("deptadmin"), matter_data("transport", serial=88005))
    with pytest.raises(PermissionDenied):
        services.create_matter(user("reviewer"), matter_data(serial=88006))
    with pytest.raises(PermissionDenied):
        services.create_situation(
            user("clerk"), own, {"item_code": own.implementation_code + "01", "name": "新办", "kind": "new"}
        )
    services.create_matter(user("manager"), matter_data("transport", serial=88007))


def test_delete_material(db):
    matter, (new, *_), _ = build_matter()
    material = new.materials.get(name="申请书")
    services.delete_material(None, material)
    assert not Material.objects.filter(pk=material.pk).exists()
