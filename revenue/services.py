"""Everything that changes revenue records. Each function checks who may act
and what is asked, then saves in one transaction; a refused request changes
nothing. Changes are audited by the model signals under the acting person, or
under the exchange's named system actor for what the tax bureau sends."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import policy
from accounts.models import User
from core import audit, locking
from core.errors import ServiceError, from_validation_error
from core.models import Region
from core.workdays import add_working_days

from . import rules
from .models import (
    ApprovalStep,
    FeeSource,
    InboxMessage,
    Instalment,
    MiningRight,
    OutboxMessage,
    Payment,
    PaymentNotice,
    Review,
    RightChange,
)

FUNCTION = "natural_resources"
SYSTEM_USERNAME = "tax_exchange"
State = FeeSource.State


def system_actor():
    """The named system actor under which messages from the tax bureau are applied."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"name": "税务费源共享接口（系统）", "kind": User.Kind.STAFF}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _require(user, action, obj=None):
    policy.require(user, action, obj)
    if user.role != "sysadmin" and (not user.department_id or user.department.function != FUNCTION):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("无权办理自然资源非税收入：仅自然资源主管部门的工作人员可以办理")


def _level(user):
    return user.department.level if user.department_id else None


def _check_version(obj, version):
    locking.check_version(
        obj, version, f"{obj._meta.verbose_name}已被他人修改（当前版本 {obj.version}），请刷新后重试", field="version"
    )


def _money(value, field, label):
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ServiceError(f"{label}应为金额（元，最多两位小数）", errors={field: [f"{label}应为金额"]}) from None
    if amount <= 0 or Decimal(str(value)) != amount:
        raise ServiceError(f"{label}应大于0且精确到分", errors={field: [f"{label}应大于0且精确到分"]})
    return amount


# --- mining rights ---


@transaction.atomic
def register_right(
    user,
    *,
    kind,
    licence_no,
    name,
    holder_name,
    holder_uscc,
    region_code,
    area_km2,
    mineral,
    granting_level,
    contract_no,
    contract_date,
    term_start,
    term_end,
):
    region = Region.objects.filter(code=region_code).first()
    if region is None or region.level != "county":
        raise ServiceError("所在区划应为县级行政区划代码（GB/T 2260）", errors={"region_code": ["请选择县（市、区）"]})
    right = MiningRight(
        kind=kind,
        licence_no=licence_no.strip(),
        name=name.strip(),
        holder_name=holder_name.strip(),
        holder_uscc=(holder_uscc or "").strip().upper(),
        region=region,
        area_km2=area_km2,
        mineral=mineral.strip(),
        granting_level=granting_level,
        contract_no=contract_no.strip(),
        contract_date=contract_date,
        term_start=term_start,
        term_end=term_end,
        created_by=user,
    )
    _require(user, "revenue.edit", right)
    if _level(user) != granting_level and user.role != "sysadmin":
        raise ServiceError(
            "矿业权由出让登记层级的自然资源主管部门登记",
            errors={
                "granting_level": [
                    f"您所在部门为{user.department.get_level_display()}，不能登记{right.get_granting_level_display()}出让的矿业权"
                ]
            },
        )
    if term_end <= term_start:
        raise ServiceError("有效期止应晚于有效期起", errors={"term_end": ["有效期止应晚于有效期起"]})
    try:
        right.full_clean()
    except ValidationError as exc:
        raise from_validation_error(exc) from None
    right.save()
    return right


@transaction.atomic
def record_change(user, right, *, date, description, version):
    right = MiningRight.objects.select_for_update().get(pk=right.pk)
    _require(user, "revenue.edit", right)
    _check_version(right, version)
    if not description.strip():
        raise ServiceError("请填写变更内容", errors={"description": ["请填写变更内容"]})
    change = RightChange.objects.create(right=right, date=date, description=description.strip(), by=user)
    right.version += 1
    right.save(update_fields=["version"])
    return change


# --- fee sources and their approval ---


def _instalments(amount, instalments, due_date):
    if not instalments:
        if due_date is None:
            raise ServiceError("请填写缴款期限", errors={"due_date": ["请填写缴款期限"]})
        return [(due_date, amount)]
    parts = [(d, _money(a, "instalments", f"第{i}期金额")) for i, (d, a) in enumerate(instalments, start=1)]
    if sum(a for _, a in parts) != amount:
        raise ServiceError(
            f"各期金额之和（{sum(a for _, a in parts)}元）应等于应缴金额（{amount}元）",
            errors={"instalments": ["各期金额之和应等于应缴金额"]},
        )
    dates = [d for d, _ in parts]
    if dates != sorted(dates) or len(set(dates)) != len(dates):
        raise ServiceError("各期缴款期限应逐期推后", errors={"instalments": ["各期缴款期限应逐期推后"]})
    return parts


@transaction.atomic
def create_fee_source(user, right, *, kind, amount, trigger_date, basis="", period="", due_date=None, instalments=None):
    """Fill in a fee source at the granting level and submit it up its approval chain."""
    _require(user, "revenue.edit", right)
    if _level(user) != right.granting_level and user.role != "sysadmin":
        raise ServiceError(
            "费源信息由出让登记层级的自然资源主管部门填报",
            errors={"right": [f"该矿业权由{right.get_granting_level_display()}出让登记"]},
        )
    if kind not in FeeSource.Kind.values:
        raise ServiceError("请选择费源类型", errors={"kind": ["请选择费源类型"]})
    amount = _money(amount, "amount", "应缴金额")
    parts = _instalments(amount, instalments, due_date)
    fs = FeeSource.objects.create(
        right=right,
        kind=kind,
        amount=amount,
        basis=basis.strip(),
        period=period.strip(),
        trigger_date=trigger_date,
        region=right.region,
        granting_level=right.granting_level,
        created_by=user,
        chain=rules.approval_chain(right.granting_level, amount, trigger_date),
    )
    for seq, (due, part) in enumerate(parts, start=1):
        Instalment.objects.create(fee_source=fs, seq=seq, due_date=due, amount=part)
    ApprovalStep.objects.create(
        fee_source=fs, level=right.granting_level, decision=ApprovalStep.Decision.SUBMIT, by=user
    )
    return fs


def can_decide(user, fs):
    """Whether `user` may approve or return `fs` now: staff at the level it waits for."""
    level = fs.current_level
    if level is None or not policy.can(user, "revenue.approve", fs):
        return False
    if user.role == "sysadmin":
        return True
    if not user.department_id or user.department.function != FUNCTION or _level(user) != level:
        return False
    # A single-level chain is approved by someone other than the person who filled it in.
    return not (fs.chain == [fs.granting_level] and fs.created_by_id == user.pk)


def _locked(fs, version):
    fs = FeeSource.objects.select_for_update().get(pk=fs.pk)
    _check_version(fs, version)
    return fs


@transaction.atomic
def approve(user, fs, *, version, comment=""):
    fs = _locked(fs, version)
    _require(user, "revenue.approve", fs)
    if not can_decide(user, fs):
        raise ServiceError("该费源当前不在您这一级审批", errors={"version": ["不在本级审批环节"]}, status=403)
    ApprovalStep.objects.create(
        fee_source=fs, level=fs.current_level, decision=ApprovalStep.Decision.APPROVE, comment=comment.strip(), by=user
    )
    fs.step += 1
    fs.version += 1
    if fs.step >= len(fs.chain):
        fs.state = State.APPROVED
        fs.approved_at = timezone.now()
        _queue_fee_source(fs)
    fs.save()
    return fs


@transaction.atomic
def send_back(user, fs, *, version, comment):
    """退回: to the person who filled it in, with the reason."""
    fs = _locked(fs, version)
    _require(user, "revenue.approve", fs)
    if not can_decide(user, fs):
        raise ServiceError("该费源当前不在您这一级审批", errors={"version": ["不在本级审批环节"]}, status=403)
    if not comment.strip():
        raise ServiceError("退回时请填写退回理由", errors={"comment": ["请填写退回理由"]})
    ApprovalStep.objects.create(
        fee_source=fs, level=fs.current_level, decision=ApprovalStep.Decision.RETURN, comment=comment.strip(), by=user
    )
    fs.state, fs.step = State.RETURNED, 0
    fs.version += 1
    fs.save()
    return fs


@transaction.atomic
def resubmit(user, fs, *, version, amount=None, comment=""):
    fs = _locked(fs, version)
    _require(user, "revenue.edit", fs)
    if fs.state != State.RETURNED:
        raise ServiceError("只有退回的费源可以重新提交", errors={"version": ["状态不是已退回"]})
    if amount is not None:
        amount = _money(amount, "amount", "应缴金额")
        if amount != fs.amount:
            parts = list(fs.instalments.all())
            if len(parts) > 1:
                raise ServiceError("分期缴纳的费源请另行填报", errors={"amount": ["分期费源不能只改总额"]})
            parts[0].amount = amount
            parts[0].save()
            fs.amount = amount
    fs.chain = rules.approval_chain(fs.granting_level, fs.amount, fs.trigger_date)
    fs.state, fs.step = State.PENDING, 0
    fs.version += 1
    fs.save()
    ApprovalStep.objects.create(
        fee_source=fs, level=fs.granting_level, decision=ApprovalStep.Decision.SUBMIT, comment=comment.strip(), by=user
    )
    return fs


def fee_source_payload(fs):
    right = fs.right
    return {
        "fee_source_id": fs.pk,
        "revision": fs.version,
        "kind": fs.kind,
        "amount": str(fs.amount),
        "basis": fs.basis,
        "period": fs.period,
        "region": fs.region_id,
        "granting_level": fs.granting_level,
        "right": {
            "licence_no": right.licence_no,
            "name": right.name,
            "kind": right.kind,
            "mineral": right.mineral,
            "holder_name": right.holder_name,
            "holder_uscc": right.holder_uscc,
            "contract_no": right.contract_no,
            "contract_date": right.contract_date.isoformat(),
        },
        "instalments": [
            {"seq": i.seq, "due_date": i.due_date.isoformat(), "amount": str(i.amount)} for i in fs.instalments.all()
        ],
    }


def _queue_fee_source(fs):
    """The outbox row, in the caller's transaction: approved means queued."""
    OutboxMessage.objects.create(
        kind="fee_source",
        fee_source=fs,
        idempotency_key=f"fee-source-{fs.pk}-r{fs.version}",
        payload=fee_source_payload(fs),
        next_attempt_at=timezone.now(),
    )
    from . import tasks

    transaction.on_commit(lambda: tasks.enqueue_delivery())


# --- review (复核) ---

REVIEW_ROUTE = {
    FeeSource.Kind.PROCEEDS_AMOUNT: Review.Route.NATURAL_RESOURCES,
    FeeSource.Kind.PROCEEDS_RATE: Review.Route.TAX,
    FeeSource.Kind.USE_FEE: Review.Route.TAX,
}


@transaction.atomic
def request_review(user, fs, *, reason, filed_on):
    """Register a payer's 复核 request; routed by kind (川自然资规〔2025〕2号). The payer
    pays per the original notice meanwhile, so nothing owed changes here."""
    _require(user, "revenue.edit", fs)
    if fs.state in (State.PENDING, State.RETURNED, State.APPROVED):
        raise ServiceError("缴款通知书送达前不能申请复核", errors={"reason": ["费源尚未推送税务部门"]})
    if not reason.strip():
        raise ServiceError("请填写异议理由", errors={"reason": ["请填写异议理由"]})
    review = Review.objects.create(
        fee_source=fs,
        route=REVIEW_ROUTE[fs.kind],
        reason=reason.strip(),
        filed_on=filed_on,
        due_on=add_working_days(filed_on, rules.REVIEW_WORKING_DAYS),
    )
    if review.route == Review.Route.TAX:
        OutboxMessage.objects.create(
            kind="review_request",
            fee_source=fs,
            idempotency_key=f"review-{review.pk}",
            payload={
                "review_id": review.pk,
                "fee_source_id": fs.pk,
                "reason": review.reason,
                "filed_on": filed_on.isoformat(),
            },
            next_attempt_at=timezone.now(),
        )
        from . import tasks

        transaction.on_commit(lambda: tasks.enqueue_delivery())
    return review


@transaction.atomic
def answer_review(user, review, *, upheld, answer, answered_on, version):
    review = Review.objects.select_for_update().get(pk=review.pk)
    _require(user, "revenue.approve", review)
    _check_version(review, version)
    if review.route != Review.Route.NATURAL_RESOURCES:
        raise ServiceError("该复核由税务部门办理", errors={"answer": ["按收益率征收的出让收益和使用费由税务部门复核"]})
    if review.state != Review.State.OPEN:
        raise ServiceError("该复核已办结", errors={"answer": ["已办结"]})
    if not answer.strip():
        raise ServiceError("请填写复核意见", errors={"answer": ["请填写复核意见"]})
    review.state = Review.State.UPHELD if upheld else Review.State.CHANGED
    review.answer, review.answered_on = answer.strip(), answered_on
    review.version += 1
    review.save()
    return review


# --- what the tax bureau sends back: applied once, in any order ---


def _date(value):
    return dt.date.fromisoformat(value)


def _refresh_state(fs):
    """The fee source's state from what has arrived, whatever the order."""
    if fs.state in (State.PENDING, State.RETURNED):
        return
    paid = sum((p.amount for p in fs.payments.all()), Decimal(0))
    if paid >= fs.amount:
        fs.state = State.PAID
    elif paid > 0:
        fs.state = State.PARTLY_PAID
    elif PaymentNotice.objects.filter(fee_source=fs).exists():
        fs.state = State.NOTIFIED
    elif fs.sent_at:
        fs.state = State.SENT


def _apply(kind, message_id, body):
    """Apply one message; returns a note, or raises LookupError to retry it later."""
    fs = FeeSource.objects.select_for_update().filter(pk=body.get("fee_source_id")).first()
    if fs is None:
        raise LookupError(f"未知费源 {body.get('fee_source_id')}")
    if kind == "notice":
        if not PaymentNotice.objects.filter(fee_source=fs).exists():
            PaymentNotice.objects.create(
                fee_source=fs,
                notice_no=body["notice_no"],
                issued_on=_date(body["issued_on"]),
                amount=Decimal(body["amount"]),
                message_id=message_id,
            )
    elif kind == "payment":
        payment = Payment.objects.create(
            fee_source=fs,
            instalment_seq=body["seq"],
            paid_on=_date(body["paid_on"]),
            amount=Decimal(body["amount"]),
            late_fee=Decimal(body.get("late_fee", "0")),
            tax_ref=body["tax_ref"],
            message_id=message_id,
        )
        note = _check_late_fee(fs, payment)
    elif kind == "review_outcome":
        review = Review.objects.select_for_update().filter(pk=body.get("review_id"), fee_source=fs).first()
        if review is None:
            raise LookupError(f"未知复核 {body.get('review_id')}")
        if review.state == Review.State.OPEN:
            review.state = Review.State.UPHELD if body.get("upheld") else Review.State.CHANGED
            review.answer, review.answered_on = body.get("answer", ""), _date(body["answered_on"])
            review.message_id = message_id
            review.version += 1
            review.save()
    elif kind == "received":
        pass
    else:
        return f"未识别的消息类型 {kind}"
    old = fs.state
    _refresh_state(fs)
    if fs.state != old:
        fs.version += 1
        fs.save(update_fields=["state", "version"])
    return note if kind == "payment" else ""


def _check_late_fee(fs, payment):
    """The bureau charges the 滞纳金; the platform recomputes it at the dated rates it
    holds and says so when they differ (kept on the message for a person), without
    refusing the payment: the money has been paid either way."""
    instalment = fs.instalments.filter(seq=payment.instalment_seq).first()
    if instalment is None:
        return f"税务部门报告的期次 {payment.instalment_seq} 不在本费源的分期中"
    try:
        expected = rules.late_fee(payment.amount, instalment.due_date, payment.paid_on, kind=fs.kind)
    except ServiceError as exc:
        return f"未能核对滞纳金：{exc.message}"
    if expected != payment.late_fee:
        return f"滞纳金与平台按费率计算的不一致：税务部门 {payment.late_fee} 元，平台 {expected} 元"
    return ""


def receive(messages):
    """Keep each new message by its id and apply it in the same transaction, so a
    message delivered twice, or a crash between, never applies twice. Messages
    that cannot apply yet (their fee source unknown) wait in the inbox."""
    stored = 0
    with audit.acting_as(system_actor()):
        for message in messages:
            with transaction.atomic():
                if InboxMessage.objects.filter(message_id=message["id"]).exists():
                    continue
                inbox = InboxMessage.objects.create(
                    message_id=message["id"], kind=message["kind"], payload=message["body"]
                )
                stored += 1
                _apply_inbox(inbox)
    return stored


def _apply_inbox(inbox):
    try:
        with transaction.atomic():
            note = _apply(inbox.kind, inbox.message_id, inbox.payload)
    except LookupError as exc:
        inbox.note = str(exc)[:300]
        inbox.save(update_fields=["note"])
        return False
    except IntegrityError:
        note = "重复的缴费信息（税票号已登记），未重复入账"
    inbox.applied_at, inbox.note = timezone.now(), note
    inbox.save(update_fields=["applied_at", "note"])
    return True


def apply_waiting():
    """Retry messages that arrived before what they refer to."""
    done = 0
    with audit.acting_as(system_actor()):
        for inbox in InboxMessage.objects.filter(applied_at__isnull=True).order_by("id"):
            with transaction.atomic():
                inbox = InboxMessage.objects.select_for_update().get(pk=inbox.pk)
                if inbox.applied_at is None:
                    done += _apply_inbox(inbox)
    return done


@transaction.atomic
def mark_sent(message):
    """The tax bureau acknowledged an outbox message."""
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.state == OutboxMessage.State.SENT:
        return
    message.state, message.sent_at, message.last_error = OutboxMessage.State.SENT, timezone.now(), ""
    message.save(update_fields=["state", "sent_at", "last_error"])
    if message.kind == "fee_source" and message.fee_source_id:
        with audit.acting_as(system_actor()):
            fs = FeeSource.objects.select_for_update().get(pk=message.fee_source_id)
            if fs.sent_at is None:
                fs.sent_at = message.sent_at
                _refresh_state(fs)
                fs.version += 1
                fs.save()


@transaction.atomic
def replay(user, message):
    """An administrator sends a dead message again (dead-letter view)."""
    _require(user, "revenue.exchange")
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.state != OutboxMessage.State.DEAD:
        raise ServiceError("只有发送失败的消息可以重发", errors={"message": ["该消息不是发送失败状态"]})
    before = {"state": message.state, "attempts": message.attempts, "last_error": message.last_error}
    message.state, message.attempts, message.next_attempt_at = OutboxMessage.State.PENDING, 0, timezone.now()
    message.save(update_fields=["state", "attempts", "next_attempt_at"])
    audit.record("replay", message, before=before, after={"state": message.state, "attempts": 0})
    from . import tasks

    transaction.on_commit(lambda: tasks.enqueue_delivery())
    return message
