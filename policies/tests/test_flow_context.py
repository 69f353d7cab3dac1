"""Flows keep their context (issue 17): 就本政策咨询 keeps the document and
the city it was opened from, the city chosen in the zone survives signing
in, and a ticket's reply names who really answered it."""

import re
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import override_settings
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD
from policies import consultation
from policies.models import PolicyDocument, PolicyTicket
from policies.search import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(db):
    return samples.load_samples()


def href(html, text):
    """The address of the link reading `text`."""
    match = re.search(r'<a[^>]*href="([^"]*)"[^>]*>' + re.escape(text) + "</a>", html)
    assert match, f"no link “{text}”"
    return unescape(match.group(1))


def test_consulting_on_a_document_from_a_city_keeps_both(client, library, demo_user):
    doc = PolicyDocument.objects.filter(city_code="", title__contains="绿色矿山").get()
    # From Chengdu's zone the province-wide document opens with the city kept.
    zone = client.get(reverse("policies:city", args=["510100"])).content.decode()
    assert f"{reverse('policies:document', args=[doc.pk])}?city=510100" in zone
    page = client.get(reverse("policies:document", args=[doc.pk]), {"city": "510100"}).content.decode()
    assert re.search(r"› <a href=\"/policies/city/510100/\">成都市</a>", page)  # the breadcrumb too
    ask = href(page, "就本政策咨询")
    assert parse_qs(urlsplit(ask).query) == {"document": [str(doc.pk)], "city": ["510100"]}

    form = client.get(ask).content.decode()
    assert f'咨询的政策：<a href="{reverse("policies:document", args=[doc.pk])}?city=510100">{doc.title}</a>' in form
    assert f'<input type="hidden" name="document" value="{doc.pk}">' in form
    assert '<option value="510100" selected>成都市</option>' in form

    # Signing in to open a ticket comes back to the same question, city and document.
    answered = client.post(ask, {"question": "奖补资金什么时候到账？", "city": "510100", "document": doc.pk})
    login = href(answered.content.decode(), "没有解决我的问题？登录后转人工咨询")
    back = parse_qs(urlsplit(parse_qs(urlsplit(login).query)["next"][0]).query)
    assert back == {"q": ["奖补资金什么时候到账？"], "city": ["510100"], "document": [str(doc.pk)]}

    client.force_login(demo_user("citizen"))
    client.post(
        reverse("policies:ask"),
        {"question": "奖补资金什么时候到账？", "city": "510100", "document": doc.pk, "action": "ticket"},
    )
    ticket = PolicyTicket.objects.get()
    assert ticket.document == doc and ticket.city_code == "510100"
    assert ticket.department == doc.department


def test_a_document_of_another_city_keeps_its_own(client, library):
    doc = PolicyDocument.objects.exclude(city_code="").first()
    other = "510700" if doc.city_code != "510700" else "510100"
    page = client.get(reverse("policies:document", args=[doc.pk]), {"city": other}).content.decode()
    assert parse_qs(urlsplit(href(page, "就本政策咨询")).query)["city"] == [doc.city_code]


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_the_city_chosen_survives_signing_in(client, library, demo_user):
    citizen = demo_user("citizen")
    citizen.set_password(DEMO_PASSWORD)
    citizen.save()
    chosen = reverse("policies:search") + "?" + urlencode({"q": "奖励", "city": "510100"})
    page = client.get(chosen).content.decode()
    login = href(page, "登录")
    assert parse_qs(urlsplit(login).query) == {"next": [chosen]}

    form = client.get(login).content.decode()
    assert f'<input type="hidden" name="next" value="{chosen}">' in unescape(form)
    response = client.post(login, {"username": "citizen", "password": DEMO_PASSWORD, "next": chosen})
    assert response.status_code == 302 and response["Location"] == chosen
    again = client.get(response["Location"]).content.decode()
    assert '<option value="510100" selected>成都市</option>' in again
    # The sign-in page itself does not point back to itself.
    client.logout()
    assert href(client.get(login).content.decode(), "登录") == reverse("accounts:login")


def test_a_reply_names_who_answered(client, library, demo_user):
    citizen, manager = demo_user("citizen"), demo_user("manager")
    ticket = consultation.open_ticket(citizen, "绿色矿山建设奖补怎么申请？")
    assert ticket.department.function == "natural_resources"  # the claiming department's ticket
    consultation.reply(manager, ticket, "请于每年3月登录平台申报。", version=ticket.version)  # the centre answers

    client.force_login(citizen)
    page = client.get(reverse("policies:ticket", args=[ticket.pk])).content.decode()
    meta = re.search(r'<p class="meta">(.*?)</p>', page).group(1)
    assert f"答复人：{manager.department.name} {manager.name}" in meta
    assert ticket.department.name not in meta
    mine = client.get(reverse("policies:my_tickets")).content.decode()
    assert manager.department.name in mine

    client.force_login(manager)
    console = client.get(reverse("policies_console:ticket", args=[ticket.pk])).content.decode()
    assert f"答复人：{manager.department.name} {manager.name}" in console
