"""The bulletin and hall endpoints of the JSON API."""

import json


def test_build_and_read_a_bulletin_over_the_api(signed_in, distribution):
    client = signed_in("editor")
    response = client.post(
        "/api/v1/bulletins", json.dumps({"week_start": "2024-11-05"}), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["week_start"] == "2024-11-04" and data["sections"][3]["title"] == "四、综窗改革攻坚行动"
    windows = data["sections"][3]["subsections"][0]["paragraphs"][0]
    assert windows["text"].startswith("本周，共计咨询0人次") and windows["figures"]["week_acceptances"]["value"] == 0
    again = client.post("/api/v1/bulletins", json.dumps({"week_start": "2024-11-08"}), content_type="application/json")
    assert again.status_code == 422, again.content
    assert "week_start" in again.json()["errors"]
    assert signed_in("clerk").get("/api/v1/bulletins").status_code == 403


def test_activity_reports_over_the_api(signed_in):
    clerk = signed_in("clerk")
    bad = clerk.post(
        "/api/v1/activity-reports",
        json.dumps({"date": "2024-11-06", "title": "", "text": "x", "kind": "publicity"}),
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["errors"]["title"] == ["标题为必填项"]
    made = clerk.post(
        "/api/v1/activity-reports",
        json.dumps({"date": "2024-11-06", "title": "宣传", "text": "x", "kind": "publicity", "window": "A01"}),
        content_type="application/json",
    )
    assert made.status_code == 201
    report = made.json()
    editor = signed_in("editor")
    accepted = editor.post(
        f"/api/v1/activity-reports/{report['id']}/accept",
        json.dumps({"version": report["version"]}),
        content_type="application/json",
    )
    assert accepted.json()["state"] == "accepted"
    stale = editor.post(
        f"/api/v1/activity-reports/{report['id']}/return",
        json.dumps({"version": report["version"], "comment": "重复"}),
        content_type="application/json",
    )
    assert stale.status_code == 409
