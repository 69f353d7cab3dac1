"""Screenshots of the main pages at 1366 px and 390 px, into docs/screens/.

Run against a platform serving the demo (`make run` in another terminal):

    .venv/bin/python scripts/screens.py [http://127.0.0.1:8000]

or simply `make screens`. Each page is shown as the person who uses it
(demo accounts, password Tongban@2024), in Debian's Chromium."""

import os
import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000").rstrip("/")
OUT = Path(__file__).resolve().parent.parent / "docs" / "screens"
CHROMIUM = os.environ.get("TONGBAN_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SIZES = {"1366": {"width": 1366, "height": 900}, "390": {"width": 390, "height": 844}}
PASSWORD = "Tongban@2024"

# (file name, who, address or a function of the page that opens it)
PAGES = [
    ("home", None, "/"),
    ("theme-birth", None, "/themes/birth/"),
    ("zone", None, "/policies/"),
    ("search", None, "/search/?q=稳岗补贴"),
    ("calculator", "agent", "/matching/"),
    ("worklist", "clerk", "/console/cases/"),
    ("case", "clerk", "first-case"),
    ("dashboard", "manager", "/console/cases/stats/"),
]


def sign_in(page, username):
    page.goto(f"{BASE}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state("networkidle")


def open_page(page, target):
    if target == "first-case":
        page.goto(f"{BASE}/console/cases/?show=all")
        link = page.locator("table a[href*='/console/cases/']").first
        page.goto(BASE + link.get_attribute("href"))
    else:
        page.goto(BASE + target)
    page.wait_for_load_state("networkidle")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for size, viewport in SIZES.items():
            for name, who, target in PAGES:
                context = browser.new_context(viewport=viewport, locale="zh-CN")
                page = context.new_page()
                if who:
                    sign_in(page, who)
                open_page(page, target)
                path = OUT / f"{name}-{size}.png"
                page.screenshot(path=str(path))
                title = re.sub(r"\s+", " ", page.title())
                print(f"{path.relative_to(OUT.parent.parent)}  {title}")
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
