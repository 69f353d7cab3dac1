"""系统演示: a scripted walk-through of a bundle, as shown at a national meeting.

It runs every real step (the same services, permissions and transition
rules) with a demonstration enterprise, inside one transaction that is
rolled back at the end, with uploaded files written to a temporary folder
that is removed: afterwards every table's rows and every statistic are as
they were. What is returned is the script: each step, who took it, and the
combined status the applicant saw.
"""

import secrets
import shutil
import tempfile

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts import policy
from accounts.demo import make_resident_id, make_uscc
from accounts.models import Agent, Organisation, Person, User
from cases import services as cases
from cases.models import Case
from core import audit

from . import services
from .models import Bundle

DEMO_FACTS = {
    "credit-repair": {
        "penalty_number": "川市监罚〔2026〕200号",
        "penalty_authority": "四川省市场监督管理局",
        "penalty_date": "2026-05-06",
        "performed_date": "2026-06-30",
        "contact": "演示经办人",
        "phone": "13900000000",
    },
}
PDF = b"%PDF-1.4\n% demonstration\n"


class _Rollback(Exception):
    pass


def _upload(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(f"{name}.pdf", PDF, content_type="application/pdf")


def _demo_applicant():
    user = User.objects.create(username=f"demo_{secrets.token_hex(4)}", name="演示经办人", kind=User.Kind.PUBLIC)
    person = Person.objects.create(
        user=user,
        name="演示经办人",
        resident_id=make_resident_id("510104", "19900101", f"{secrets.randbelow(900) + 100}"),
    )
    organisation = Organisation.objects.create(
        uscc=make_uscc("510104", "1", 7700000 + secrets.randbelow(99999)),
        name="四川演示科技有限公司",
        region_id="510104",
        legal_representative="演示",
    )
    Agent.objects.create(organisation=organisation, person=person)
    return User.objects.select_related("person").get(pk=user.pk), organisation


def _reviewer(case):
    from accounts.models import Role

    found = User.objects.filter(role=Role.REVIEWER, department=case.holder, is_active=True).first()
    if found is None:  # a department without a reviewer yet: a stand-in, rolled back with the rest
        found = User.objects.create(
            username=f"demo_reviewer_{case.holder_id}",
            name="演示审批人员",
            kind=User.Kind.STAFF,
            role=Role.REVIEWER,
            department=case.holder,
        )
    return found


def run(actor, code="credit-repair"):
    """Run the walk-through and roll it back. Returns [{"step", "who", "status"}]."""
    policy.require(actor, "bundle.demo")
    bundle = Bundle.objects.get(code=code, state=Bundle.State.CONFIRMED)
    script = []
    folder = tempfile.mkdtemp(prefix="tongban-demo-")
    try:
        with override_settings(MEDIA_ROOT=folder):
            try:
                with transaction.atomic(), audit.acting_as(actor):
                    _walk(bundle, script)
                    raise _Rollback
            except _Rollback:
                pass
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return script


def _walk(bundle, script):
    clerk = User.objects.filter(role="clerk", department__is_centre=True, department__region_id="510000").first()
    applicant, organisation = _demo_applicant()

    def say(step, who):
        view = services.status(application) if application is not None else None
        script.append(
            {
                "step": step,
                "who": who,
                "status": view["state_label"] if view else "",
                "at": timezone.localtime().strftime("%H:%M:%S"),
            }
        )

    application = None
    answers = {q["key"]: q["options"][0] for q in services.questionnaire(bundle)}
    needed = services.materials_needed(bundle, answers)
    facts = DEMO_FACTS.get(bundle.code) or {f["key"]: _sample(f) for f in bundle.fields}
    application = services.submit(
        applicant,
        bundle,
        answers=answers,
        facts=facts,
        applicant_organisation=organisation,
        uploads_by_material={m["name"]: _upload(m["name"]) for m in needed if not m["e_certificate"]},
    )
    say(
        f"企业在线填写一张表单、上传一套材料，提交“{bundle.name}”（申请号{application.number}），"
        f"系统分送{application.children.exclude(case=None).count()}个部门",
        organisation.name,
    )
    corrected = False
    while True:
        started = [c.case for c in application.children.select_related("case").exclude(case=None)]
        pending = [c for c in started if c.state not in services.DONE_WELL | services.DONE_BADLY]
        if not pending:
            break
        for case in pending:
            case = Case.objects.get(pk=case.pk)
            if case.state == Case.State.RECEIVED:
                cases.accept(clerk, case)
                cases.transfer(clerk, Case.objects.get(pk=case.pk), to_department=case.holder)
                say(f"综合窗口受理“{case.matter.name}”并流转至{case.holder.short_name}", clerk.name)
                case = Case.objects.get(pk=case.pk)
            reviewer = _reviewer(case)
            if not corrected:
                cases.request_correction(reviewer, case, [{"material": "信用承诺书", "problem": "未加盖企业公章"}])
                say(f"{case.holder.short_name}要求补正：信用承诺书未加盖企业公章", reviewer.name)
                services.answer_corrections(applicant, application, note="已加盖公章", uploads_by_material={})
                say("企业在“一件事”申请上一次提交补正", organisation.name)
                corrected = True
                case = Case.objects.get(pk=case.pk)
            cases.decide(reviewer, case, approved=True, opinion="符合信用修复条件，准予修复")
            say(f"{case.holder.short_name}审批通过“{case.matter.name}”", reviewer.name)
            case = Case.objects.get(pk=case.pk)
            cases.issue(clerk, case)
    view = services.status(application)
    say(f"全部{len(view['children'])}个事项办结，结果一并送达（{len(view['results'])}份）", "统一出件窗口")


def _sample(field):
    kind = field.get("kind", "text")
    if kind == "date":
        return timezone.localdate().isoformat()
    if kind == "number":
        return "10"
    if kind == "choice":
        return field["choices"][0]
    if field.get("pattern"):
        return "13900000000"
    return "演示"
