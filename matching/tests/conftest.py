"""Benefit items, rules and profiles for the matching tests, built through
the models so these tests do not depend on the policy library's demo."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from accounts.demo import make_uscc
from accounts.models import Organisation
from core.models import Department
from matching.models import EnterpriseProfile, ItemRule
from policies.models import BenefitItem, PolicyDocument, Status

_serial = itertools.count(1)
AGENT_ORG = "成都锦程数字科技有限公司"


@pytest.fixture(autouse=True)
def inline_tasks(settings):
    """Pushes run inline, inside the request or service that causes them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def uscc_for(serial, region="510104"):
    return make_uscc(region, "1", 7700000 + serial)


@pytest.fixture
def make_item(db):
    def make(
        title="高新技术企业认定奖励",
        *,
        delivery=BenefitItem.Delivery.ON_APPLICATION,
        region="510000",
        function="economy_it",
        amount_cap=None,
        status=Status.PUBLISHED,
        rule=None,
        **rule_kwargs,
    ):
        department = Department.objects.filter(function=function, region_id=region).first() or Department.objects.get(
            function=function, region_id="510000"
        )
        document = PolicyDocument.objects.create(
            department=department,
            region_id=region,
            title=f"关于{title}的通知",
            issuers=department.name,
            level="province" if region == "510000" else "county",
            issued_on=dt.date(2024, 3, 1),
            status=Status.PUBLISHED,
        )
        item = BenefitItem.objects.create(
            department=department,
            region_id=region,
            document=document,
            code=f"T-{next(_serial):05d}",
            title=title,
            kind=BenefitItem.Kind.SUBSIDY,
            delivery=delivery,
            target="企业",
            conditions="见规则",
            amount="最高50万元",
            amount_cap=amount_cap,
            status=status,
        )
        if rule is not None:
            ItemRule.objects.create(item=item, rule=rule, **rule_kwargs)
        return item

    return make


def rule_of(*leaves, when=None):
    return {"when": when or {"from": None, "until": None}, "condition": {"all": list(leaves)}}


def leaf(attr, op, value=None):
    node = {"attr": attr, "op": op}
    if value is not None:
        node["value"] = value
    return node


@pytest.fixture
def agent_profile(db):
    """The demo agent's organisation with a software company's profile."""
    org = Organisation.objects.get(name=AGENT_ORG)
    return EnterpriseProfile.objects.create(
        uscc=org.uscc,
        name=org.name,
        organisation=org,
        region_id="510104",
        industry="I6511",
        founded_on=dt.date(2015, 6, 1),
        employees=80,
        revenue=Decimal("1200"),
        total_assets=Decimal("3000"),
        rd_spending=Decimal("96"),
        credit_rating="A",
        qualifications=["tech_sme"],
        insured_employees=75,
    )


@pytest.fixture
def make_profile(db):
    def make(serial, region="510104", **values):
        values.setdefault("industry", "C3911")
        return EnterpriseProfile.objects.create(
            uscc=uscc_for(serial, region), name=f"测试企业{serial}", region_id=region, **values
        )

    return make
