"""Public case pages under /cases/: apply online, 我的办件, a case's page
(answer a correction, rate the service), and certificate verification."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policy
from catalog.models import Matter
from catalog.services import answers_from_query, resolve
from core.errors import Conflict, ServiceError
from core.forms import show_service_error
from core.masking import mask_code
from core.ratelimits import limit

from . import forms, identifiers, services, staged
from .models import Case, CaseEvent, Certificate, Channel
from .views import _case_or_404, _evaluation, event_rows, file_rows, latest

State = Case.State
CONCLUDED = {State.APPROVED, State.DENIED, State.ISSUED, State.DELIVERED, State.REFUSED}


def _person(user):
    person = getattr(user, "person", None)
    if person is None:
        raise PermissionDenied("只有完成实名登记的个人用户才能办理")
    return person


def _plan(situation, result):
    """The materials of `situation` as the guided answers left them:
    (material, needed, because). A material needed only for an answer not
    given is left out when another answer to its question was given (e.g.
    授权委托书 for 法定代表人本人办理), and optional while its question is open."""
    chosen = {option.pk for _, option in result.answered}
    answered_questions = {question.pk for question, _ in result.answered}
    plan = []
    for material in situation.materials.select_related("only_if__question"):
        if material.only_if_id is None:
            plan.append((material, True, ""))
        elif material.only_if_id in chosen:
            plan.append((material, True, f"因“{material.only_if.question.text} {material.only_if.text}”需要"))
        elif material.only_if.question_id not in answered_questions:
            plan.append((material, False, f"仅当“{material.only_if.question.text}”选择“{material.only_if.text}”时需要"))
    return plan


@login_required
@require_http_methods(["GET", "POST"])
def apply(request, matter_id):
    user = request.user
    policy.require(user, "case.apply")
    person = _person(user)
    matter = get_object_or_404(Matter.objects.select_related("department"), pk=matter_id, active=True)
    situations = list(matter.situations.all())
    context = {"matter": matter, "situations": situations}
    if not matter.online:
        context["offline"] = True
        return render(request, "cases/apply.html", context)
    params = request.POST if request.method == "POST" else request.GET
    # The guided answers (办事指南's questions) are the application's: they
    # pick the situation and the materials, and travel with every submit.
    result = resolve(matter, answers_from_query(params))
    chosen = params.get("situation")
    situation = next((s for s in situations if str(s.pk) == str(chosen)), None) or result.situation
    if situation is None and len(situations) == 1:
        situation = situations[0]
    answers = [(f"q{question.pk}", option.pk) for question, option in result.answered]
    context.update(situation=situation, answers=answers, answered=result.answered, guide_query=urlencode(answers))
    if situation is None:
        return render(request, "cases/apply.html", context)
    key = f"apply:{matter.pk}:{situation.pk}"
    if request.method == "GET":
        staged.clear(request, key)
    kept = staged.kept(request, key)
    form = forms.ApplyForm(
        request.POST or None,
        request.FILES or None,
        matter=matter,
        situation=situation,
        person=person,
        materials=_plan(situation, result),
        kept=kept,
    )
    if request.method == "POST" and form.is_valid():
        items = forms.uploads_of(form) + staged.take(request, key, form)
        try:
            applicant_person, organisation = form.applicant_objects(person)
            case = services.receive_with_files(
                user,
                files=items,
                matter=matter,
                situation=situation,
                channel=Channel.ONLINE,
                region=form.cleaned_data["region"],
                applicant_person=applicant_person,
                applicant_organisation=organisation,
                contact_phone=form.cleaned_data["contact_phone"],
                note=form.cleaned_data["note"],
                answers=[(q.text, o.text) for q, o in result.answered],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            staged.clear(request, key)
            messages.success(request, f"申请已提交，办件编号 {case.number}。窗口工作人员审核材料后将告知受理结果")
            return redirect("cases:detail", number=case.number)
    if request.method == "POST":
        # Keep what passed, and say plainly what must be chosen again.
        again = staged.keep(request, key, form)
        kept = staged.kept(request, key)
        context["kept"] = [
            (form.fields[name].label, file_name) for name, file_name in kept.items() if name in form.fields
        ]
        context["again"] = again
        form = _rebound(form, matter, situation, person, result, kept)
    context["form"] = form
    return render(request, "cases/apply.html", context)


def _rebound(form, matter, situation, person, result, kept):
    """The same form with its errors, its fields now knowing which files are kept."""
    fresh = forms.ApplyForm(
        form.data,
        form.files,
        matter=matter,
        situation=situation,
        person=person,
        materials=_plan(situation, result),
        kept=kept,
    )
    fresh._errors = form._errors
    fresh.cleaned_data = getattr(form, "cleaned_data", {})
    for name in kept:
        fresh._errors.pop(name, None)
    return fresh


@login_required
def mine(request):
    user = request.user
    if user.kind == "staff":
        return redirect("cases_console:worklist")
    policy.require(user, "case.view")
    qs = policy.visible(user, Case.objects.select_related("matter", "situation")).order_by("-received_at", "-id")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "cases/mine.html", {"page": page})


def _public_context(request, case, answer_form=None, evaluation_form=None):
    user = request.user
    evaluation = _evaluation(case)
    if answer_form is None and case.state == State.CORRECTION and policy.can(user, "case.answer_correction", case):
        answer_form = forms.AnswerCorrectionForm(
            initial={"version": case.version}, materials=case.situation.materials.all()
        )
    if (
        evaluation_form is None
        and evaluation is None
        and case.state in CONCLUDED
        and policy.can(user, "case.evaluate", case)
    ):
        evaluation_form = forms.EvaluationForm()
    materials, other_files = file_rows(case)
    return {
        "case": case,
        "events": event_rows(case),
        "evaluation": evaluation,
        "answer_form": answer_form,
        "evaluation_form": evaluation_form,
        "correction": latest(case, CaseEvent.Kind.CORRECTION_REQUESTED),
        "refused": latest(case, CaseEvent.Kind.REFUSE),
        "materials": materials,
        "other_files": other_files,
        "certificates": case.certificates.order_by("number"),
    }


@login_required
def detail(request, number):
    case = _case_or_404(number)
    policy.require(request.user, "case.view", case)
    return render(request, "cases/public_detail.html", _public_context(request, case))


@login_required
@require_POST
def answer(request, number):
    user = request.user
    case = _case_or_404(number)
    policy.require(user, "case.view", case)
    form = forms.AnswerCorrectionForm(request.POST, request.FILES, materials=case.situation.materials.all())
    status = 200
    if form.is_valid():
        items = forms.uploads_of(form)
        try:
            services.answer_correction_with_files(
                user, case, form.cleaned_data["note"], files=items, version=form.cleaned_data["version"]
            )
        except ServiceError as exc:
            show_service_error(form, exc)
            status = 409 if isinstance(exc, Conflict) else 200
            case = _case_or_404(number)
        else:
            messages.success(request, "补正材料已提交，窗口工作人员将尽快审核")
            return redirect("cases:detail", number=case.number)
    return render(request, "cases/public_detail.html", _public_context(request, case, answer_form=form), status=status)


@login_required
@require_POST
def evaluate(request, number):
    user = request.user
    case = _case_or_404(number)
    policy.require(user, "case.view", case)
    form = forms.EvaluationForm(request.POST)
    if form.is_valid():
        try:
            services.evaluate(user, case, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"])
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, "感谢您的评价")
            return redirect("cases:detail", number=case.number)
    return render(request, "cases/public_detail.html", _public_context(request, case, evaluation_form=form))


# --- certificate verification (no sign-in) ---


def _not_found(q):
    return f"未找到电子证照标识或核验码为“{q}”的证照，请核对证照上印制的标识或核验码后重新输入；如有疑问请联系发证机关"


def _certificate_for(key):
    """A certificate by its e-certificate identifier or the verification code
    printed on it; never by its sequential number, which could be counted through."""
    key = key.strip()
    if identifiers.check_e_certificate_id(key):
        return Certificate.objects.select_related("issuer").filter(e_certificate_id=key).first()
    parsed = identifiers.parse_code(key)
    if parsed is None:
        return None
    pk, tag = parsed
    cert = Certificate.objects.select_related("issuer").filter(pk=pk).first()
    if cert is None or not identifiers.code_matches(tag, cert.pk, cert.e_certificate_id):
        return None
    return cert


@limit("verify")
def verify(request):
    form = forms.VerifyForm(request.GET or None)
    if form.is_bound and form.is_valid():
        q = form.cleaned_data["q"].strip()
        cert = _certificate_for(q)
        if cert is not None:
            return redirect("cases:verify_detail", key=cert.verification_code)
        return render(request, "cases/verify.html", {"form": form, "not_found": _not_found(q)}, status=404)
    return render(request, "cases/verify.html", {"form": form})


@limit("verify")
def verify_detail(request, key):
    cert = _certificate_for(key)
    if cert is None:
        return render(
            request,
            "cases/verify.html",
            {"form": forms.VerifyForm(initial={"q": key}), "not_found": _not_found(key)},
            status=404,
        )
    today = timezone.localdate()
    if cert.revoked:
        status, label = "revoked", "已注销"
    elif cert.valid_until and cert.valid_until < today:
        status, label = "expired", "已过期"
    else:
        status, label = "valid", "有效"
    return render(
        request,
        "cases/verify_detail.html",
        {
            "cert": cert,
            "masked": mask_code(cert.holder_code),
            "holder": identifiers.mask_name(cert.holder_name),
            "status": status,
            "status_label": label,
        },
    )
