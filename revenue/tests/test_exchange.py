"""Approval to the tax bureau and back, through the simulator as a separate process."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest

from core.models import AuditEntry
from revenue import exchange, reconciliation, services
from revenue.models import FeeSource, InboxMessage, OutboxMessage, Payment, PaymentNotice

from .helpers import approved_fee_source, control, drain, user

pytestmark = pytest.mark.django_db


def test_approved_fee_source_reaches_the_tax_bureau_and_the_notice_and_payment_come_back(revenue_setup, taxsim):
    sim = taxsim()
    fs = approved_fee_source()
    outbox = OutboxMessage.objects.get(fee_source=fs)  # written with the approval
    assert outbox.state == "pending" and outbox.idempotency_key == f"fee-source-{fs.pk}-r{fs.version}"
    assert drain(until=lambda: PaymentNotice.objects.filter(fee_source=fs).exists())
    fs.refresh_from_db()
    assert fs.state == FeeSource.State.NOTIFIED and fs.sent_at is not None
    control(sim, "/control/pay", {"fee_source_id": fs.pk, "seq": 1, "amount": "12000000.00", "paid_on": "2026-12-02"})
    assert drain(until=lambda: Payment.objects.filter(fee_source=fs).exists())
    fs.refresh_from_db()
    assert fs.state == FeeSource.State.PAID
    # Applied under the named system actor, audited.
    assert AuditEntry.objects.filter(object_type="revenue.Payment", actor__username="tax_exchange").count() == 1
    rec = reconciliation.run()
    assert rec.error == "" and rec.checked == 1 and rec.differences == []


def test_duplicates_out_of_order_failures_and_timeouts_apply_once(revenue_setup, taxsim, monkeypatch):
    monkeypatch.setenv("TONGBAN_TAX_TIMEOUT", "0.5")
    sim = taxsim(
        "--fail-rate",
        "0.3",
        "--timeout-rate",
        "0.3",
        "--timeout-seconds",
        "1",
        "--duplicate-rate",
        "0.6",
        "--shuffle",
        "--pay",
        "mixed",
        "--pay-after",
        "0",
        "--seed",
        "7",
    )
    sources = [approved_fee_source(n, amount="2500000.00") for n in range(1, 6)]
    assert drain(
        passes=120,
        until=lambda: (
            OutboxMessage.objects.filter(state="pending").count() == 0
            and InboxMessage.objects.filter(kind="notice").count() == 5
        ),
    )
    control(sim, "/control/config", {"fail_rate": 0, "timeout_rate": 0})
    drain(passes=5)
    rec = reconciliation.run()
    assert rec.differences == [], rec.differences
    tax = exchange.ledger()
    for fs in sources:
        fs.refresh_from_db()
        paid = sum((p.amount for p in fs.payments.all()), Decimal("0.00"))
        assert str(paid) == tax[str(fs.pk)]["paid"]
    # Every message the bureau published is in the inbox exactly once.
    ids = list(InboxMessage.objects.values_list("message_id", flat=True))
    assert len(ids) == len(set(ids))
    assert Payment.objects.values("tax_ref").distinct().count() == Payment.objects.count()


def test_a_payment_that_arrives_before_the_fee_source_is_known_waits_and_applies_once(revenue_setup):
    services.receive(
        [
            {
                "id": "pay-X1",
                "kind": "payment",
                "body": {
                    "fee_source_id": 999999,
                    "seq": 1,
                    "amount": "10.00",
                    "paid_on": "2026-12-01",
                    "tax_ref": "X1",
                },
            }
        ]
    )
    inbox = InboxMessage.objects.get(message_id="pay-X1")
    assert inbox.applied_at is None and "未知费源" in inbox.note
    services.receive([{"id": "pay-X1", "kind": "payment", "body": {}}])  # the same message again
    assert InboxMessage.objects.count() == 1 and Payment.objects.count() == 0


def test_late_payment_carries_the_late_fee_and_partial_payment_leaves_it_partly_paid(revenue_setup, taxsim):
    sim = taxsim()
    fs = approved_fee_source(instalments=[(dt.date(2026, 12, 10), "4800000.00"), (dt.date(2027, 12, 10), "7200000.00")])
    assert drain(until=lambda: PaymentNotice.objects.filter(fee_source=fs).exists())
    control(sim, "/control/pay", {"fee_source_id": fs.pk, "seq": 1, "amount": "4800000.00", "paid_on": "2026-12-20"})
    assert drain(until=lambda: Payment.objects.filter(fee_source=fs).exists())
    payment = Payment.objects.get(fee_source=fs)
    assert payment.late_fee == Decimal("4800000.00") * Decimal("0.0005") * 10  # 10 days late at 0.05%
    fs.refresh_from_db()
    assert fs.state == FeeSource.State.PARTLY_PAID


def test_undeliverable_message_goes_dead_and_an_administrator_replays_it(
    revenue_setup, taxsim, settings, client, monkeypatch
):
    from .conftest import free_port

    monkeypatch.setenv("TONGBAN_TAX_TIMEOUT", "0.5")
    settings.TONGBAN_TAX_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    fs = approved_fee_source()
    for _ in range(exchange.MAX_ATTEMPTS):
        drain(passes=1)
    message = OutboxMessage.objects.get(fee_source=fs)
    assert message.state == "dead" and message.attempts == exchange.MAX_ATTEMPTS
    client.force_login(user("admin"))
    page = client.get("/console/revenue/outbox/")
    assert "发送失败" in page.content.decode() and f"fee-source-{fs.pk}" in page.content.decode()
    taxsim()
    response = client.post(f"/console/revenue/outbox/{message.pk}/replay/")
    assert response.status_code == 302
    assert drain(until=lambda: OutboxMessage.objects.get(pk=message.pk).state == "sent")
    assert AuditEntry.objects.filter(action="replay", object_id=str(message.pk)).exists()


def test_messages_are_signed_and_a_wrong_signature_is_refused(revenue_setup, taxsim, settings):
    taxsim()
    settings.TONGBAN_TAX_SECRET = "wrong"
    with pytest.raises(exchange.TaxUnavailable, match="401"):
        exchange.ledger()
    assert len(exchange.sign(b"x")) == len(hashlib.sha256().hexdigest())


def test_a_use_fee_review_goes_to_the_tax_bureau_and_its_answer_comes_back(revenue_setup, taxsim):
    from revenue.models import Review

    from .helpers import colleague, right

    taxsim()
    fs = services.create_fee_source(
        user("nr_renhe"),
        right(),
        kind="use_fee",
        amount="3215.00",
        trigger_date=dt.date(2026, 11, 24),
        due_date=dt.date(2026, 12, 31),
    )
    fs = services.approve(colleague(), fs, version=fs.version)
    assert drain(until=lambda: PaymentNotice.objects.filter(fee_source=fs).exists())
    review = services.request_review(
        user("nr_renhe"), FeeSource.objects.get(pk=fs.pk), reason="面积应为3.0平方公里", filed_on=dt.date(2026, 12, 3)
    )
    assert review.route == "tax" and review.due_on == dt.date(2026, 12, 17)
    assert drain(until=lambda: Review.objects.get(pk=review.pk).state != "open")
    review.refresh_from_db()
    assert review.state == "upheld" and "维持原金额" in review.answer


def test_a_late_fee_the_platform_computes_otherwise_is_applied_once_and_noted(revenue_setup):
    fs = approved_fee_source()
    payment = {
        "fee_source_id": fs.pk,
        "seq": 1,
        "amount": "1000000.00",
        "paid_on": "2027-01-10",  # 10 days after the due date 2026-12-31: 0.05% a day is 5000.00
        "tax_ref": "LF1",
    }
    services.receive([{"id": "pay-LF1", "kind": "payment", "body": payment | {"late_fee": "20000.00"}}])
    services.receive(
        [{"id": "pay-LF2", "kind": "payment", "body": payment | {"tax_ref": "LF2", "late_fee": "5000.00"}}]
    )
    assert Payment.objects.filter(fee_source=fs).count() == 2  # paid is paid: applied, not refused
    assert InboxMessage.objects.get(message_id="pay-LF1").note == (
        "滞纳金与平台按费率计算的不一致：税务部门 20000.00 元，平台 5000.00 元"
    )
    assert InboxMessage.objects.get(message_id="pay-LF2").note == ""
