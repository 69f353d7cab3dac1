"""对账: each day, the platform's figures for every fee source sent to the tax
bureau against the bureau's own ledger; differences are listed for a person."""

from django.db import transaction

from . import exchange
from .models import Reconciliation

FIELDS = {"amount": "应缴金额", "notified": "通知金额", "paid": "已缴金额"}


def compare(ours, theirs):
    differences = []
    for key in sorted(set(ours) | set(theirs), key=int):
        mine, other = ours.get(key), theirs.get(key)
        if mine is None:
            differences.append(
                {"fee_source": int(key), "field": "missing", "label": "平台无此费源", "platform": "", "tax": "有"}
            )
            continue
        if other is None:
            differences.append(
                {"fee_source": int(key), "field": "missing", "label": "税务部门无此费源", "platform": "有", "tax": ""}
            )
            continue
        for field, label in FIELDS.items():
            if mine[field] != other.get(field):
                differences.append(
                    {
                        "fee_source": int(key),
                        "field": field,
                        "label": label,
                        "platform": mine[field],
                        "tax": other.get(field, ""),
                    }
                )
    return differences


@transaction.atomic
def run():
    ours = exchange.platform_ledger()
    try:
        theirs = exchange.ledger()
    except exchange.TaxUnavailable as exc:
        return Reconciliation.objects.create(checked=0, error=f"无法取得税务部门数据：{exc}"[:300])
    return Reconciliation.objects.create(checked=len(set(ours) | set(theirs)), differences=compare(ours, theirs))
