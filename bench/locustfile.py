"""Load test through nginx (issue 16): the window, the policy zone, the
calculator and the dashboard, as the people who use them would.

    bench/load.sh                      # brings the production layout up, runs this, tears it down
    .venv/bin/locust -f bench/locustfile.py --host http://127.0.0.1:8280   # against a running one

Every simulated person signs in once (their own session) and then works with
a pause between pages. Requests are named by endpoint group, so locust's
percentiles are per group: `window:` (the clerk's worklist, a case page and a
step on it), `zone:` (policy search and a document), `calculator:` (the
enterprise's matching page and a what-if) and `dashboard:` (the centre's
statistics for the bulletin's week). A 409 from a step is another clerk
having moved the case first: the answer the platform gives, not an error.
"""

import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = os.environ.get("TONGBAN_DEMO_PASSWORD", "Tongban@2024")  # accounts.demo.DEMO_PASSWORD
CASE = re.compile(r"/console/cases/(\d{8,32})/")
VERSION = re.compile(r'name="version" value="(\d+)"')
DOCUMENT = re.compile(r"/policies/documents/(\d+)/")
SEARCHES = ["小微企业", "研发费用加计扣除", "高新技术企业", "稳岗补贴", "创业担保贷款", "专精特新", "首台套", "人才"]
WEEK = "start=2024-11-04&end=2024-11-08"  # the bulletin's demo week


class Person(HttpUser):
    abstract = True
    wait_time = between(2, 6)  # reading the page before the next one
    username = ""

    def csrf(self):
        return self.client.cookies.get("csrftoken", "")

    def post(self, path, data, name):
        data = {**data, "csrfmiddlewaretoken": self.csrf()}
        return self.client.post(
            path, data, headers={"Referer": self.host + path}, name=name, allow_redirects=False, catch_response=True
        )

    def on_start(self):
        if not self.username:
            return
        self.client.get("/accounts/login/", name="login")
        with self.post("/accounts/login/", {"username": self.username, "password": PASSWORD}, "login") as r:
            if r.status_code != 302:
                r.failure(f"sign-in as {self.username}: {r.status_code}")


class Clerk(Person):
    """A clerk at a comprehensive window: the worklist, a case, a step."""

    weight = 3
    username = "clerk"
    numbers: list[str] = []

    @task(3)
    def worklist(self):
        r = self.client.get("/console/cases/", name="window: worklist")
        found = CASE.findall(r.text)
        if found:
            self.numbers = found

    @task(3)
    def case_page(self):
        if self.numbers:
            self.client.get(f"/console/cases/{random.choice(self.numbers)}/", name="window: case page")

    @task(1)
    def step(self):
        """一次性告知补正 on a received case, or record the corrected materials
        on a case waiting for them: the two steps send a case back and forth."""
        if not self.numbers:
            return
        number = random.choice(self.numbers)
        page = self.client.get(f"/console/cases/{number}/", name="window: case page").text
        version = VERSION.search(page)
        if version is None:
            return
        if f"/console/cases/{number}/steps/correct/" in page:
            path, data = f"/console/cases/{number}/steps/correct/", {"items": "申请书：缺少法定代表人签字"}
        elif f"/console/cases/{number}/steps/answer_correction/" in page:
            path, data = f"/console/cases/{number}/steps/answer_correction/", {"note": "申请人已到窗口补交"}
        else:
            return
        with self.post(path, {**data, "version": version.group(1)}, "window: step") as r:
            if r.status_code in (302, 409):
                r.success()  # done, or another clerk moved the case first
            else:
                r.failure(f"{r.status_code}")


class Visitor(Person):
    """Anyone in the policy zone: a search, then a document from the results."""

    weight = 4

    @task(2)
    def search(self):
        r = self.client.get("/policies/search/", params={"q": random.choice(SEARCHES)}, name="zone: search")
        self.documents = DOCUMENT.findall(r.text) or getattr(self, "documents", [])

    @task(2)
    def document(self):
        documents = getattr(self, "documents", None)
        if not documents:
            documents = self.documents = DOCUMENT.findall(self.client.get("/policies/", name="zone: home").text)
        if documents:
            self.client.get(f"/policies/documents/{random.choice(documents)}/", name="zone: document")


class Enterprise(Person):
    """An enterprise's agent with the policy calculator (matching)."""

    weight = 2
    username = "agent"

    @task(3)
    def calculator(self):
        self.client.get("/matching/", name="calculator: page")

    @task(1)
    def what_if(self):
        revenue = str(random.choice([800, 1500, 3000, 12000]))
        with self.post("/matching/", {"revenue": revenue}, "calculator: what-if") as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")


class Manager(Person):
    """The centre's manager on the dashboard."""

    weight = 1
    username = "manager"

    @task
    def dashboard(self):
        self.client.get(f"/console/cases/stats/?{WEEK}", name="dashboard: week")
