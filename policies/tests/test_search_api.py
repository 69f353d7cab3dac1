"""The search and consultation API."""

import pytest

from policies.search import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(db):
    return samples.load_samples()


def test_search_api(client, library):
    data = client.get("/api/v1/policies/search", {"q": "稳岗返还", "city": "bad"}).json()
    assert data["count"] >= 1 and data["ignored_filters"] == ["city"]
    assert any(r["kind"] == "item" and "<mark>" in r["title_html"] for r in data["results"])
    assert client.get("/api/v1/policies/search", {"q": "😀" * 5000}).json()["mode"] == "none"
    nothing = client.get("/api/v1/policies/search", {"q": "养狗需要办证吗"}).json()
    assert nothing["no_answer"] and nothing["count"] == 0 and nothing["results"] == []
    typo = client.get("/api/v1/policies/search", {"q": "文岗返还"}).json()
    assert (
        typo["corrected"] == "稳岗返还" and typo["results"][0]["document_title"] == "关于做好失业保险稳岗返还工作的通知"
    )
    assert "稳岗返还" in client.get("/api/v1/policies/suggest", {"q": "稳岗"}).json()["suggestions"]


def test_ask_ticket_reply_through_the_api(client, library, demo_user):
    card = client.post(
        "/api/v1/policies/ask", {"question": "稳岗返还怎么申请？"}, content_type="application/json"
    ).json()
    assert card["best"]["document"]["number"] == "川人社发〔2024〕12号"
    bad = client.post("/api/v1/policies/ask", {"question": " "}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"]["question"]
    assert (
        client.post(
            "/api/v1/policies/tickets", {"question": "稳岗返还怎么申请？"}, content_type="application/json"
        ).status_code
        == 401
    )
    client.force_login(demo_user("citizen"))
    made = client.post(
        "/api/v1/policies/tickets", {"question": "绿色矿山建设奖补怎么申请？"}, content_type="application/json"
    )
    assert made.status_code == 201
    pk = made.json()["id"]
    client.force_login(demo_user("reviewer"))
    ok = client.post(
        f"/api/v1/policies/tickets/{pk}/reply", {"reply": "每年3月申报", "version": 0}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["state"] == "answered"
    stale = client.post(
        f"/api/v1/policies/tickets/{pk}/reply", {"reply": "再答", "version": 0}, content_type="application/json"
    )
    assert stale.status_code == 409
    client.force_login(demo_user("citizen"))
    assert client.get(f"/api/v1/policies/tickets/{pk}").json()["reply"] == "每年3月申报"
