"""Random lives of cases through the pages (hypothesis RuleBasedStateMachine).

People the transition table names (the window clerk, the county, city and
provincial reviewers, the centre's manager, the applicant) open case pages
and take any step a page offers them, while the clock runs from
2025-12-30 across New Year (2026-01-01 to 01-03 are holidays, Sunday 01-04 a
make-up working day). After every step:
- each case's state is the replay of its events through cases/transitions.py;
- what a page offers is what the table allows that person, and taking it succeeds;
- every case can still reach a final state (送达 or 不予受理) by the table;
- certificate numbers and e-certificate identifiers are unique and verify;
- due dates are what the calendar makes of the events, on working days.
"""

import datetime as dt
import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from accounts.models import Person, Role, User
from cases import deadlines, identifiers, services, transitions
from cases.models import Case, CaseEvent, Certificate
from core import workdays
from core.models import Department

START = timezone.make_aware(dt.datetime(2025, 12, 30, 9), timezone.get_default_timezone())
# Steps that turn aside or end a case early; taken less often, so lives run long.
DETOURS = {"refuse", "correct", "suspend", "accept_tolerant"}
STAFF = ("clerk", "reviewer", "reviewer_jinjiang", "reviewer_cd", "manager")
PAYLOADS = {
    "accept": {},
    "correct": {"items": "申请书：缺少申请人签字"},
    "answer_correction": {"note": "申请人到窗口补交"},
    "refuse": {"reasons": "不属于本机关职权范围", "legal_basis": "《中华人民共和国行政许可法》第三十二条"},
    "review": {"opinion": "审查通过"},
    "suspend": {"procedure": "现场核查", "reason": "需核查现场"},
    "resume": {"result": "核查完成"},
    "decide": {"approved": "1", "opinion": "符合条件"},
    "issue": {"copies": "1"},
    "hand_over": {"method": "window", "address": ""},
    "follow_up": {"result": "已回访"},
}


def _paused_to_last_recompute(events):
    ends = [i for i, e in enumerate(events) if e.kind in (CaseEvent.Kind.CORRECTION_ANSWERED, CaseEvent.Kind.RESUME)]
    if not ends:
        return 0
    upto = events[: ends[-1] + 1]
    return deadlines.paused_working_days(upto, until=upto[-1].at)


class CaseLives(RuleBasedStateMachine):
    matters = ()
    window = None

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.now = START
        self.clients = {}
        self.numbers = []

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    cases = Bundle("cases")

    def client_of(self, username):
        if username not in self.clients:
            client = Client()
            client.force_login(User.objects.get(username=username))
            self.clients[username] = client
        return self.clients[username]

    # --- the clock ---
    @rule(hours=st.sampled_from([1, 3, 20, 26, 50]))
    def time_passes(self, hours):
        self.now += dt.timedelta(hours=hours)

    # --- the window takes an application in ---
    @rule(target=cases, county=st.booleans())
    def receive(self, county):
        matter = self.matters[1 if county else 0]
        response = self.client_of("clerk").post(
            reverse("cases_console:intake"),
            {
                "matter": matter.pk,
                "situation": matter.situations.first().pk,
                "region": "510104" if county else "510000",
                "applicant_kind": "person",
                "resident_id": Person.objects.get(user__username="citizen").resident_id,
                "contact_phone": "13800000000",
                "window": self.window.pk,
            },
        )
        assert response.status_code == 302, response.content.decode()[-1500:]
        number = response["Location"].rstrip("/").rsplit("/", 1)[-1]
        self.numbers.append(number)
        return number

    # --- anyone the table names takes any step their page offers ---
    def _page_steps(self, number, who):
        """The steps `who`'s page of the case offers, checked against the table."""
        from cases.models import Evaluation
        from cases.views import available_steps

        case = Case.objects.select_related("matter", "holder", "situation").get(number=number)
        user = User.objects.select_related("department").get(username=who)
        page = self.client_of(who).get(reverse("cases_console:detail", args=[number]))
        if page.status_code == 403:
            assert transitions.offered(user, case) == [], f"{who} may act on {number} but not see it"
            return case, []
        assert page.status_code == 200
        shown = re.findall(rf"/console/cases/{number}/steps/([a-z_]+)/", page.content.decode())
        assert shown == available_steps(user, case, Evaluation.objects.filter(case=case).first())
        return case, shown

    @rule(number=cases, who=st.sampled_from(STAFF))
    def look(self, number, who):
        self._page_steps(number, who)

    @rule(number=cases, data=st.data(), steps=st.integers(1, 8))
    def act(self, number, data, steps):
        """Up to `steps` steps on one case, each by someone the table names."""
        for _ in range(steps):
            if not self._act_once(number, data):
                return

    def _act_once(self, number, data):
        from cases.views import destinations

        case = Case.objects.select_related("matter", "holder", "situation").get(number=number)
        able = [who for who in STAFF if transitions.offered(User.objects.get(username=who), case)]
        if not able:
            return False
        who = data.draw(st.sampled_from(able), label="who")
        case, shown = self._page_steps(number, who)
        assert shown, f"the table offers {who} a step on {number} but the page shows none"
        forward = [s for s in shown if s not in DETOURS] or shown
        step = data.draw(
            st.sampled_from(forward) if data.draw(st.booleans(), label="forward") else st.sampled_from(shown),
            label="step",
        )
        payload = dict(PAYLOADS.get(step, {}))
        if step == "transfer":
            payload["to"] = data.draw(st.sampled_from([v for v, _ in destinations(case)]), label="to")
        if step == "decide":
            payload["approved"] = data.draw(st.sampled_from(["1", "0"]), label="approved")
        payload["version"] = case.version
        response = self.client_of(who).post(reverse("cases_console:step", args=[number, step]), payload)
        assert response.status_code == 302, (
            f"{who} {step}: {response.status_code} " + re.sub(r"\s+", " ", response.content.decode())[-1500:]
        )
        self.now += dt.timedelta(hours=data.draw(st.sampled_from([0, 2, 24]), label="then"))
        return True

    @rule(number=cases, score=st.sampled_from([5, 4, 2]))
    def applicant_rates(self, number, score):
        case = Case.objects.get(number=number)
        client = self.client_of("citizen")
        page = client.get(reverse("cases:detail", args=[number])).content.decode()
        offered = "提交评价" in page
        assert offered == (case.state in transitions.CONCLUDED and not hasattr(case, "evaluation"))
        if offered:
            response = client.post(reverse("cases:evaluate", args=[number]), {"score": score, "comment": "等候较久"})
            assert response.status_code == 302

    # --- what must always hold ---
    @invariant()
    def state_is_the_replay_of_events(self):
        for case in Case.objects.filter(number__in=self.numbers):
            events = list(case.events.order_by("seq").values_list("seq", "kind", "at", "department_id", "data"))
            assert transitions.replay(events) == (case.state, case.holder_id, case.at_window, case.moved_at)

    @invariant()
    def every_case_can_still_finish(self):
        for state, at_window in Case.objects.filter(number__in=self.numbers).values_list("state", "at_window"):
            assert transitions.can_finish(state, at_window), (state, at_window)

    @invariant()
    def deadlines_follow_the_calendar(self):
        for case in Case.objects.filter(number__in=self.numbers).exclude(accepted_at=None).select_related("matter"):
            events = list(case.events.order_by("seq"))
            assert case.due_date == deadlines.due_date(
                case.accepted_at, case.matter.promised_limit, _paused_to_last_recompute(events)
            )
            assert workdays.is_working_day(case.due_date)

    @invariant()
    def certificates_are_unique_and_verify(self):
        rows = list(Certificate.objects.values_list("number", "e_certificate_id"))
        assert len({n for n, _ in rows}) == len({e for _, e in rows}) == len(rows)
        assert all(identifiers.check_e_certificate_id(e) for _, e in rows)


@pytest.mark.django_db
def test_random_lives_of_cases_through_the_pages(licence, county_licence, hall_window, monkeypatch):
    User.objects.create(
        username="reviewer_cd",
        name="成都审批员",
        kind="staff",
        role=Role.REVIEWER,
        department=Department.objects.get(function="natural_resources", region_id="510100"),
    )
    CaseLives.matters, CaseLives.window = (licence, county_licence), hall_window
    machines = []

    class Lives(CaseLives):
        def __init__(self):
            super().__init__()
            machines.append(self)

    # Every service reads the machine's clock, so steps land on the days it says.
    monkeypatch.setattr(services, "_now", lambda at: at or machines[-1].now)
    run_state_machine_as_test(
        Lives,
        settings=settings(
            max_examples=10,
            stateful_step_count=20,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
