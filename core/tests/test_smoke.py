from django.urls import reverse


def test_healthz_answers_without_a_session(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "sessionid" not in response.cookies


def test_reference_data_has_sichuan_21_cities_and_183_counties(db):
    from core.models import Region

    assert Region.objects.get(code="510000").name == "四川省"
    assert Region.objects.filter(level="city").count() == 21
    assert Region.objects.filter(level="county").count() == 183


def test_portal_home_is_chinese(client, db):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert "四川政务服务" in response.content.decode()
