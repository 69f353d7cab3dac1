"""The portal's front pages: home, the one search, service themes and the
large-text / high-contrast display modes."""

import pytest
from django.urls import reverse

from catalog.models import Matter


@pytest.fixture
def catalogue(db):
    from catalog.demo import load_demo_catalogue

    load_demo_catalogue()


def test_home_has_search_themes_and_footer_marks(client, db):
    html = client.get("/").content.decode()
    assert 'role="search"' in html and 'action="/search/"' in html
    for theme in ("出生", "上学", "就业", "婚育", "退休", "开办", "经营", "变更", "注销"):
        assert f"<span>{theme}</span>" in html
    for mark in ("主办单位", "承办单位", "网站标识码"):
        assert mark in html
    assert "示例" in html  # placeholder marks say they are placeholders
    assert "<svg" in html and 'aria-hidden="true"' in html  # icons inline, decorative


def test_search_finds_matters_by_name_and_situation(client, catalogue):
    matter = Matter.objects.filter(name__contains="食品生产许可").first()
    html = client.get("/search/", {"q": "食品生产许可"}).content.decode()
    assert matter.name in html and reverse("catalog:guide", args=[matter.pk]) in html
    # a situation's name reaches its matter too
    html = client.get("/search/", {"q": "采矿权新立登记"}).content.decode()
    assert "采矿权登记" in html


def test_search_offers_certificate_check_for_an_identifier(client, db):
    html = client.get("/search/", {"q": "51000020261203000001"}).content.decode()
    assert "电子证照核验" in html and "/cases/verify/?q=51000020261203000001" in html
    assert "电子证照核验" not in client.get("/search/", {"q": "营业执照"}).content.decode()


def test_search_without_results_says_so_in_chinese(client, catalogue):
    html = client.get("/search/", {"q": "火星移民签证"}).content.decode()
    assert "没有名称或情形含“火星移民签证”的办事事项" in html
    assert "没有找到直接相关的惠企政策" in html


def test_enterprise_stage_theme_lists_matters_by_situation_kind(client, catalogue):
    html = client.get("/themes/close/").content.decode()
    cancel = Matter.objects.filter(situations__kind="cancel").distinct()
    assert cancel.count() > 0
    assert f"{cancel.count()} 项" in html
    assert 'aria-current="page"' in html


def test_unknown_theme_is_a_chinese_404(client, db):
    response = client.get("/themes/nothing/")
    assert response.status_code == 404
    assert "页面" in response.content.decode() or "没有" in response.content.decode()


def test_display_mode_persists_and_toggles(client, db):
    response = client.post("/display/", {"mode": "large", "next": "/matters/"})
    assert response.status_code == 302 and response["Location"] == "/matters/"
    assert 'class="display-large"' in client.get("/").content.decode()
    client.post("/display/", {"mode": "contrast", "next": "/"})
    assert 'class="display-contrast display-large"' in client.get("/matters/").content.decode()
    client.post("/display/", {"mode": "standard", "next": "/"})
    assert 'class=""' in client.get("/").content.decode()


def test_display_mode_never_redirects_off_site(client, db):
    response = client.post("/display/", {"mode": "large", "next": "https://evil.example/"})
    assert response["Location"] == "/"
