"""Building blocks of the revenue tests."""

import datetime as dt
import json
import time
import urllib.request
from decimal import Decimal

from accounts.demo import make_uscc
from accounts.models import User
from revenue import exchange, services

RIGHT = {
    "kind": "mining",
    "name": "仁和区钒钛磁铁矿",
    "holder_name": "攀枝花金江钒钛矿业有限公司",
    "holder_uscc": make_uscc("510411", "1", 5551234),
    "region_code": "510411",
    "area_km2": Decimal("3.2150"),
    "mineral": "钒钛磁铁矿",
    "granting_level": "county",
    "contract_no": "攀仁矿出〔2026〕7号",
    "contract_date": dt.date(2026, 11, 20),
    "term_start": dt.date(2026, 11, 20),
    "term_end": dt.date(2041, 11, 19),
}


def user(username):
    return User.objects.select_related("department").get(username=username)


def right(n=1, **changes):
    return services.register_right(user("nr_renhe"), **(RIGHT | {"licence_no": f"C5104112026{n:06d}"} | changes))


def approved_fee_source(n=1, amount="12000000.00", instalments=None):
    """A county fee source approved by the city and the province."""
    fs = services.create_fee_source(
        user("nr_renhe"),
        right(n),
        kind="proceeds_amount",
        amount=amount,
        trigger_date=dt.date(2026, 11, 24),
        due_date=dt.date(2026, 12, 31),
        instalments=instalments,
    )
    fs = services.approve(user("nr_panzhihua"), fs, version=fs.version, comment="同意")
    if fs.state == "pending":
        fs = services.approve(user("reviewer"), fs, version=fs.version, comment="同意，推送税务")
    return fs


def control(sim, path, payload):
    body = json.dumps(payload).encode()
    request = urllib.request.Request(sim.url + path, data=body, method="POST")
    request.add_header("X-Signature", exchange.sign(body))
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def drain(passes=60, until=None):
    """Run exchange passes (as the worker does), ignoring backoff, until `until()` holds."""
    from django.utils import timezone

    from revenue.models import OutboxMessage

    for _ in range(passes):
        OutboxMessage.objects.filter(state="pending").update(next_attempt_at=timezone.now())
        exchange.run_once()
        if until is None or until():
            return True
        time.sleep(0.1)
    return False


def colleague():
    """A second natural-resources officer of 仁和区, for single-level approvals."""
    officer = user("nr_renhe")
    other, _ = User.objects.get_or_create(
        username="nr_renhe2",
        defaults={"name": "何静", "kind": User.Kind.STAFF, "role": officer.role, "department": officer.department},
    )
    return other
