"""The platform's side of the exchange with the tax bureau (费源信息和缴费信息共享).

Out: outbox rows are POSTed with an idempotency key and an HMAC-SHA256
signature; a failure is retried with exponential backoff, and after
MAX_ATTEMPTS the message is dead until an administrator replays it.
In: the bureau's message feed is read after a stored cursor; each message
is kept by its id and applied once (services.receive), in any order.
Only HTTP joins the two sides.
"""

import datetime as dt
import hashlib
import hmac
import json
import os
import urllib.error
import urllib.request

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import services
from .models import ExchangeCursor, FeeSource, OutboxMessage

MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 2
BACKOFF_CAP_SECONDS = 600


def tax_url():
    return getattr(settings, "TONGBAN_TAX_URL", None) or os.environ.get("TONGBAN_TAX_URL", "http://127.0.0.1:8009")


def secret():
    value = getattr(settings, "TONGBAN_TAX_SECRET", None) or os.environ.get(
        "TONGBAN_TAX_SECRET", "tongban-taxsim-dev-secret"
    )
    return value.encode()


def timeout():
    return float(os.environ.get("TONGBAN_TAX_TIMEOUT", "5"))


def sign(body: bytes) -> str:
    return hmac.new(secret(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(body), signature or "")


class TaxUnavailable(Exception):
    pass


def _call(method, path, payload=None, headers=None):
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode() if payload is not None else b""
    request = urllib.request.Request(
        tax_url().rstrip("/") + path, data=body if payload is not None else None, method=method
    )
    request.add_header("Content-Type", "application/json")
    request.add_header("X-Signature", sign(body))
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout()) as response:
            raw = response.read()
            if not verify(raw, response.headers.get("X-Signature", "")):
                raise TaxUnavailable("应答签名不符")
            return json.loads(raw or b"{}")
    except urllib.error.HTTPError as exc:
        raise TaxUnavailable(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError, ValueError) as exc:
        raise TaxUnavailable(str(getattr(exc, "reason", exc))[:200] or type(exc).__name__) from None


PATHS = {"fee_source": "/fee-sources", "review_request": "/reviews"}


def backoff(attempts):
    return dt.timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** (attempts - 1), BACKOFF_CAP_SECONDS))


def deliver(message):
    """One attempt at one message. True when the bureau acknowledged it."""
    envelope = {"message_id": str(message.message_id), "kind": message.kind, "body": message.payload}
    try:
        _call("POST", PATHS[message.kind], envelope, {"X-Idempotency-Key": message.idempotency_key})
    except TaxUnavailable as exc:
        with transaction.atomic():
            row = OutboxMessage.objects.select_for_update().get(pk=message.pk)
            if row.state != OutboxMessage.State.PENDING:
                return False
            row.attempts += 1
            row.last_error = str(exc)[:500]
            if row.attempts >= MAX_ATTEMPTS:
                row.state = OutboxMessage.State.DEAD
            else:
                row.next_attempt_at = timezone.now() + backoff(row.attempts)
            row.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
        return False
    services.mark_sent(message)
    return True


def deliver_due(limit=100, now=None):
    now = now or timezone.now()
    due = OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING, next_attempt_at__lte=now).order_by("id")
    sent = 0
    for message in list(due[:limit]):
        sent += deliver(message)
    return sent


def pull(limit=200):
    """Read the bureau's feed after our cursor; store and apply what is new."""
    cursor, _ = ExchangeCursor.objects.get_or_create(pk=1)
    reply = _call("GET", f"/messages?after={cursor.after}&limit={limit}")
    messages = reply.get("messages", [])
    if not messages:
        return 0
    with transaction.atomic():
        cursor = ExchangeCursor.objects.select_for_update().get(pk=1)
        fresh = [m for m in messages if m["seq"] > cursor.after]
        stored = services.receive(fresh)
        cursor.after = max([cursor.after] + [m["seq"] for m in fresh])
        cursor.save(update_fields=["after"])
    return stored + pull(limit) if len(messages) >= limit else stored


def run_once():
    """One pass of the exchange: send what is due, read what came back."""
    sent = deliver_due()
    try:
        received = pull()
    except TaxUnavailable:
        received = 0
    applied = services.apply_waiting()
    return {"sent": sent, "received": received, "applied_late": applied}


def ledger():
    """What the tax bureau reports, per fee source."""
    return _call("GET", "/ledger")["fee_sources"]


def platform_ledger():
    from decimal import Decimal

    rows = {}
    for fs in FeeSource.objects.filter(historical=False, sent_at__isnull=False).prefetch_related("payments"):
        notice = getattr(fs, "notice", None)
        rows[str(fs.pk)] = {
            "amount": str(fs.amount),
            "notified": str(notice.amount) if notice else "0.00",
            "paid": str(sum((p.amount for p in fs.payments.all()), Decimal("0.00"))),
        }
    return rows
