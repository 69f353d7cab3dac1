"""The matter catalogue through the JSON API, as another system reads it."""

from catalog import manuals
from catalog.tests.helpers import build_matter


def test_matters_with_situations_materials_questions_and_confirmed_manuals(client, demo_user):
    matter, (new, change, cancel), (first, _, agent) = build_matter()
    assert client.get("/api/v1/matters").status_code == 401
    client.force_login(demo_user("clerk"))
    listed = client.get("/api/v1/matters", {"q": matter.name}).json()
    assert listed["count"] == 1 and listed["items"][0]["implementation_code"] == matter.implementation_code
    assert listed["items"][0]["matter_type_label"] == "行政许可"

    detail = client.get(f"/api/v1/matters/{matter.pk}").json()
    assert [s["name"] for s in detail["situations"]] == ["新办", "变更", "注销"]
    materials = {m["name"]: m for m in detail["situations"][0]["materials"]}
    assert (
        materials["营业执照"]["from_e_certificate"]
        and materials["授权委托书"]["only_if"] == agent.options.get(text="委托代理人").pk
    )
    question = next(q for q in detail["questions"] if q["id"] == first.pk)
    assert {o["text"]: o["situations"] for o in question["options"]} == {"是": [new.pk], "否": [change.pk, cancel.pk]}
    assert detail["situations"][0]["manual"] is None  # not confirmed yet

    # A manual drafted, reviewed and confirmed shows its confirmed version.
    deptadmin, manager = demo_user("deptadmin"), demo_user("manager")
    manual = manuals.save_draft(
        deptadmin,
        new,
        {
            "steps": "核对身份\n审查材料",
            "checks": {m.pk: "核对原件" for m in new.materials.all()},
            "refusal_reasons": "不属于本部门职权",
            "correction_reasons": "缺少签字",
            "legal_basis": "",
            "note": "首稿",
        },
        base_version=0,
    )
    manuals.review(manager, manual, approve=True, base_version=manual.version)
    manuals.confirm(deptadmin, manual, base_version=manual.version)
    detail = client.get(f"/api/v1/matters/{matter.pk}").json()
    assert detail["situations"][0]["manual"]["version"] == manual.version
    assert detail["situations"][0]["manual"]["steps"] == ["核对身份", "审查材料"]
    assert client.get("/api/v1/matters/999999").status_code == 404

    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/matters/{matter_id}" in schema["paths"] and "事项目录" in str(schema["paths"]["/api/v1/matters"])
