"""Shared steps of the bundles tests: an enterprise applies, departments act."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Organisation, User
from bundles import services
from bundles.models import Bundle
from cases import services as cases

PDF = b"%PDF-1.4\n% demo\n"
CREDIT_FACTS = {
    "penalty_number": "川市监罚〔2026〕118号",
    "penalty_authority": "四川省市场监督管理局",
    "penalty_date": "2026-06-02",
    "performed_date": "2026-07-15",
    "contact": "陈刚",
    "phone": "13800001234",
}


def pdf(name="材料.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def user(username):
    return User.objects.select_related("department").get(username=username)


def enterprise():
    return Organisation.objects.get(name="成都锦程数字科技有限公司")


def apply(code="credit-repair", facts=None, answers=None, skip=(), deferrals=(), **kwargs):
    """The agent applies for a bundle with every material uploaded once."""
    bundle = Bundle.objects.get(code=code)
    answers = answers if answers is not None else {q["key"]: q["options"][0] for q in services.questionnaire(bundle)}
    needed = services.materials_needed(bundle, answers)
    files = {m["name"]: pdf() for m in needed if not m["e_certificate"] and m["name"] not in skip}
    return services.submit(
        user("agent"),
        bundle,
        answers=answers,
        facts=facts or dict(CREDIT_FACTS),
        uploads_by_material=files,
        applicant_organisation=enterprise(),
        deferrals=deferrals,
        **kwargs,
    )


def finish(case, *, approve=True, reviewer=None, issue=True):
    """The window accepts, the department decides in its console, the window issues."""
    clerk = user("clerk")
    case.refresh_from_db()
    if case.state == "received":
        cases.accept(clerk, case)
        case.refresh_from_db()
        cases.transfer(clerk, case, to_department=case.holder)
        case.refresh_from_db()
    reviewer = reviewer or reviewer_of(case)
    cases.decide(reviewer, case, approved=approve, opinion="符合条件" if approve else "不符合条件")
    case.refresh_from_db()
    if approve and issue:
        cases.issue(clerk, case)
        case.refresh_from_db()
    return case


def reviewer_of(case):
    return User.objects.filter(role="reviewer", department=case.holder).first()


def day(year, month, d):
    return dt.date(year, month, d)
