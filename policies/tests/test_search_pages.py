"""The search page and suggestions as a person uses them, including odd input."""

import pytest

from policies.search import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(db):
    return samples.load_samples()


def test_search_page_shows_badges_highlights_and_links(client, library):
    page = client.get("/policies/search/", {"q": "稳岗返还"}).content.decode()
    assert "<mark>失业保险稳岗返还</mark>" in page
    assert 'class="badge kind-item"' in page and "惠企事项" in page
    assert "/policies/items/" in page and "/policies/documents/" in page


def test_expired_results_are_marked(client, library):
    page = client.get("/policies/search/", {"q": "加计扣除"}).content.decode()
    assert "已失效" in page


def test_city_filter_and_htmx_partial(client, library):
    response = client.get(
        "/policies/search/", {"q": "奖励", "city": "510100"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"
    )
    page = response.content.decode()
    assert "<html" not in page and "专精特新" in page
    assert "绵阳" not in page


def test_suggestions_endpoint(client, library):
    page = client.get("/policies/suggest/", {"q": "稳岗"}).content.decode()
    assert "稳岗返还" in page and "/policies/search/?q=" in page
    assert client.get("/policies/suggest/", {"q": "<script>"}).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""},
        {},
        {"q": "x" * 10000},
        {"q": "高新技术企业" * 1700},
        {"q": "！@#￥%……&*（）——+{}|：“《》？"},
        {"q": '"'},
        {"q": "'"},
        {"q": "AND"},
        {"q": "OR NOT AND"},
        {"q": "稳岗 NEAR(返还 3)"},
        {"q": "*"},
        {"q": "高企*"},
        {"q": "^稳岗"},
        {"q": "title:高企"},
        {"q": "😀🎉"},
        {"q": "稳岗😀返还"},
        {"q": "Hi-tech企业 ｓｍｅ 中小企业 ΑΒΓ кириллица"},
        {"q": "<script>alert(1)</script>"},
        {"q": "稳岗", "city": "abc"},
        {"q": "稳岗", "department": "99999999999999999999"},
        {"q": "稳岗", "date_from": "2024-02-30"},
        {"q": "稳岗", "page": "-1"},
        {"q": "稳岗", "page": "9999"},
        {"q": "稳岗", "industry": "%%"},
        {"q": "稳岗", "size": "huge"},
        {"q": "\x00稳岗"},
    ],
)
def test_odd_input_gives_a_sensible_page(client, library, params):
    response = client.get("/policies/search/", params)
    assert response.status_code == 200
    page = response.content.decode()
    assert "惠企政策检索" in page
    assert "<script>alert(1)</script>" not in page


def test_long_query_is_cut_with_a_notice(client, library):
    page = client.get("/policies/search/", {"q": "稳岗返还" + "啊" * 9996}).content.decode()
    assert "只按前200个字检索" in page and "<mark>失业保险稳岗返还</mark>" in page


def test_empty_query_with_a_filter_browses(client, library):
    page = client.get("/policies/search/", {"city": "510700"}).content.decode()
    assert "按筛选条件" in page and "绵阳市扶持小型微型企业发展办法" in page
