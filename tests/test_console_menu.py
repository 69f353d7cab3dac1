"""The console's menu, walked for every staff role (issue 17, "a new user
finds any of the console's functions from the side menu in two clicks").

For each demo role: read the menu, open every entry (a page that role may
use: 200), and check that every console page the role may use is in the menu
or linked from a page in it. "Pages the role may use" come from the URL
configuration and the authz policy together: every console address without
parameters (an object's page is reached from its list), asked as that role;
the policy answers 200 or refuses with 403. Addresses that only take a POST
(405) and downloads (not HTML) are actions, not pages."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import URLResolver, get_resolver

from accounts.demo import STAFF

pytestmark = pytest.mark.django_db

# One demo account per role (the first listed).
ROLES = {}
for username, _name, role, _function, _region in STAFF:
    ROLES.setdefault(role, username)


class Links(HTMLParser):
    """Collects the page's links, and separately those in the console menu."""

    def __init__(self):
        super().__init__()
        self.links, self.menu, self.depth = set(), [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and attrs.get("aria-label") == "工作台菜单":
            self.depth = 1
        elif tag == "nav" and self.depth:
            self.depth += 1
        href = attrs.get("href") if tag == "a" else None
        if tag == "form" and (attrs.get("method") or "get").lower() == "get":
            href = attrs.get("action")
        if href and href.startswith("/"):
            path = urlsplit(href).path
            self.links.add(path)
            if self.depth and tag == "a":
                self.menu.append(path)

    def handle_endtag(self, tag):
        if tag == "nav" and self.depth:
            self.depth -= 1


def read(response):
    parser = Links()
    parser.feed(response.content.decode())
    return parser


def console_pages():
    """Every console address without parameters, from the URL configuration."""

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    return sorted("/" + p for p in walk(get_resolver().url_patterns, "") if p.startswith("console/") and "<" not in p)


def pages_for(client):
    """The console pages this client's person may open (the policy's answer)."""
    pages = {}
    for path in console_pages():
        response = client.get(path)
        assert response.status_code in (200, 403, 405), f"{path}: {response.status_code}"
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages[path] = response
    return pages


@pytest.mark.parametrize("role", list(ROLES), ids=[str(r) for r in ROLES])
def test_every_page_a_role_may_use_is_two_clicks_from_the_menu(signed_in, role):
    client = signed_in(ROLES[role])
    pages = pages_for(client)
    home = read(client.get("/console/"))
    assert home.menu, f"{role}: no console menu"
    assert len(home.menu) == len(set(home.menu)), f"{role}: an entry twice: {home.menu}"

    # Click 1: every entry opens a page this role may use, showing the same menu.
    reachable = {"/console/"} | set(home.menu) | home.links
    for href in home.menu:
        assert href in pages, f"{role}: the menu offers {href}, which the role may not open"
        entry = read(pages[href])
        assert entry.menu == home.menu, f"{role}: {href} shows another menu"
        # Click 2: what that page links to.
        reachable |= entry.links

    missing = sorted(set(pages) - reachable)
    assert not missing, f"{role}: pages the role may use that are not within two clicks of the menu: {missing}"


def test_the_menu_offers_nothing_to_a_citizen(signed_in):
    client = signed_in("citizen")
    response = client.get("/console/")
    assert response.status_code == 403
    assert not read(response).menu
