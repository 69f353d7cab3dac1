"""Every update through the API names the version it read (`version` or
If-Match): without it a client would silently overwrite someone else's
change (issue 16). 428 in the platform's error format; nothing changes."""

import json

import pytest

from matching.models import EnterpriseProfile, ItemRule
from policies.models import BenefitItem, PolicyDocument, Status

from .conftest import leaf, rule_of

pytestmark = pytest.mark.django_db


def _send(client, method, url, body, **headers):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", **headers)


def _refused(response):
    assert response.status_code == 428, response.content
    body = response.json()
    assert body["code"] == "version_required" and "版本号" in body["message"]
    assert body["errors"] == {"version": ["版本号为必填项"]}


def test_profile_patch_needs_the_version(signed_in, agent_profile):
    client = signed_in("manager")
    url = f"/api/v1/enterprises/{agent_profile.uscc}/profile"
    _refused(_send(client, "patch", url, {"values": {"revenue": 1}}))
    assert EnterpriseProfile.objects.get(pk=agent_profile.pk).revenue == agent_profile.revenue
    ok = _send(client, "patch", url, {"values": {"revenue": 1}}, HTTP_IF_MATCH=f'"{agent_profile.version}"')
    assert ok.status_code == 200 and ok.json()["version"] == agent_profile.version + 1
    stale = _send(client, "patch", url, {"values": {"revenue": 2}}, HTTP_IF_MATCH=f'"{agent_profile.version}"')
    assert stale.status_code == 409


def test_rule_put_needs_the_version_once_the_rule_exists(signed_in, make_item):
    item = make_item(rule=rule_of(leaf("employees", ">=", 10)))
    client = signed_in("manager")
    url = f"/api/v1/items/{item.pk}/rule"
    _refused(_send(client, "put", url, {"rule": rule_of(leaf("employees", ">=", 99))}))
    assert ItemRule.objects.get(item=item).rule["condition"]["all"][0]["value"] == 10
    ok = _send(client, "put", url, {"rule": rule_of(leaf("employees", ">=", 99)), "version": 0})
    assert ok.status_code == 200, ok.content


def test_policy_document_and_item_patch_need_the_version(signed_in, demo_user, make_item):
    item = make_item(status=Status.DRAFT)
    PolicyDocument.objects.filter(pk=item.document_id).update(status=Status.DRAFT)
    client = signed_in("manager")
    _refused(_send(client, "patch", f"/api/v1/policies/documents/{item.document_id}", {"title": "改过的标题"}))
    _refused(_send(client, "patch", f"/api/v1/policies/items/{item.pk}", {"title": "改过的事项"}))
    assert PolicyDocument.objects.get(pk=item.document_id).title != "改过的标题"
    assert BenefitItem.objects.get(pk=item.pk).title != "改过的事项"
