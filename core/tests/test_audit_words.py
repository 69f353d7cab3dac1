"""The audit log page speaks of people and things in words (issue 10, finding 7):
no "accounts.User #8", no "login/update", no raw dicts."""

import re

import pytest
from django.test import Client

from accounts import services as account_services
from accounts.models import Organisation
from core import audit

pytestmark = pytest.mark.django_db


def _page(user):
    client = Client()
    client.force_login(user)
    return client.get("/console/audit/").content.decode()


def test_changes_read_as_words(demo_user):
    admin, clerk = demo_user("admin"), demo_user("clerk")
    org = Organisation.objects.create(
        uscc="91510100MA61234567", name="成都某某科技有限公司", region_id="510104", legal_representative="李四"
    )
    with audit.acting_as(clerk, "10.0.0.9"):
        org.legal_representative = "王五"
        org.region_id = "510105"
        org.save()
    page = _page(admin)  # signing in is itself logged (登录)
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    assert "王晓燕 修改了法人及其他组织“成都某某科技有限公司”" in body  # who did what to which, in one sentence
    assert "郑国平 登录" in body
    assert "修改" in body and "登录" in body
    assert re.search(r"<td>(update|login|create)</td>", body) is None
    assert "法定代表人</dt><dd>李四 → 王五" in body
    assert "登记地</dt><dd>锦江区 → 青羊区" in body or "登记地</dt><dd>成都市锦江区 → 成都市青羊区" in body, body
    assert "accounts." not in body and "{&#x27;" not in body and "region_id" not in body
    assert "王晓燕（clerk）" in body


def test_a_new_record_lists_its_fields(demo_user):
    admin = demo_user("admin")
    with audit.acting_as(admin):
        account_services.create_organisation(
            admin,
            {
                "uscc": "91510100MA6CHYRY25",
                "name": "四川测试有限公司",
                "region": "510104",
                "legal_representative": "赵六",
            },
        )
    body = _page(admin)
    assert "新增" in body and "名称</dt><dd>四川测试有限公司" in body and "法定代表人</dt><dd>赵六" in body
    # The filter lists object types by their names.
    assert ">法人及其他组织</option>" in body


def test_codes_are_shown_with_their_names(db):
    from core import audit_display
    from core.models import AuditEntry

    entry = AuditEntry(
        object_type="policies.BenefitItem",
        action="update",
        before={"industries": ["C39"], "city_code": "510100"},
        after={"industries": ["C39", "I65"], "city_code": "510700"},
    )
    changes = {label: (old, new) for label, old, new in audit_display.Reader().changes(entry)}
    old, new = next(v for k, v in changes.items() if "行业" in k)
    assert old.startswith("C39 计算机") and "I65 软件和信息技术服务业" in new
    assert any("成都市（510100）" in o and "绵阳市（510700）" in n for o, n in changes.values())
