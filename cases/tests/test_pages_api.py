"""The case endpoints of the JSON API: scoped list, detail with events, steps."""

import json

from accounts.models import Person
from cases import services
from cases.models import Case, Channel
from core.models import Region


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_list_detail_and_steps(client, demo_user, licence, hall_window):
    case = services.receive(
        demo_user("clerk"),
        matter=licence,
        situation=licence.situations.first(),
        channel=Channel.WINDOW,
        region=Region.objects.get(code="510000"),
        window=hall_window,
        applicant_person=Person.objects.get(user__username="citizen"),
    )
    assert client.get("/api/v1/cases").status_code == 401
    client.force_login(demo_user("clerk"))
    listed = client.get("/api/v1/cases").json()
    assert listed["count"] == 1 and listed["items"][0]["number"] == case.number
    detail = client.get(f"/api/v1/cases/{case.number}").json()
    assert detail["state"] == "received" and detail["events"][0]["kind"] == "receive"
    assert detail["steps"] == ["accept", "correct", "refuse"]  # the transition table's, for the clerk
    assert detail["events"][0]["actor"].startswith("王晓燕")

    response = _post(client, f"/api/v1/cases/{case.number}/accept", {"version": detail["version"]})
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    stale = _post(client, f"/api/v1/cases/{case.number}/accept", {"version": detail["version"]})
    assert stale.status_code == 409 and "已被处理" in stale.json()["message"]
    version = response.json()["version"]
    moved = _post(
        client, f"/api/v1/cases/{case.number}/transfer", {"version": version, "to_department": licence.department.pk}
    )
    assert moved.status_code == 200 and moved.json()["state"] == "reviewing"

    # The clerk may not decide; the reviewer may.
    body = {"version": moved.json()["version"], "approved": True, "opinion": "准予"}
    assert _post(client, f"/api/v1/cases/{case.number}/decide", body).status_code == 403
    client.force_login(demo_user("reviewer"))
    assert client.get(f"/api/v1/cases/{case.number}").json()["steps"] == ["correct", "transfer", "decide", "suspend"]
    decided = _post(client, f"/api/v1/cases/{case.number}/decide", body)
    assert decided.status_code == 200 and decided.json()["state"] == "approved"
    assert decided.json()["steps"] == []  # the reviewer still reads it; the window acts next

    client.force_login(demo_user("citizen"))
    assert [c["number"] for c in client.get("/api/v1/cases").json()["items"]] == [case.number]
    client.force_login(demo_user("agent"))
    assert client.get("/api/v1/cases").json()["count"] == 0
    assert client.get(f"/api/v1/cases/{case.number}").status_code == 403
    assert client.get("/api/v1/cases/00000000000000000000").status_code == 404
    assert Case.objects.get().state == Case.State.APPROVED


def test_refusal_reports_field_errors(client, demo_user, licence, hall_window):
    case = services.receive(
        demo_user("clerk"),
        matter=licence,
        situation=licence.situations.first(),
        channel=Channel.WINDOW,
        region=Region.objects.get(code="510000"),
        window=hall_window,
        applicant_person=Person.objects.get(user__username="citizen"),
    )
    client.force_login(demo_user("clerk"))
    response = _post(
        client, f"/api/v1/cases/{case.number}/refuse", {"version": case.version, "reasons": "", "legal_basis": ""}
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"reasons", "legal_basis"}
