"""Fixtures for the policy library's tests: a small library built through
the services (the full demo library is loaded only by its own test)."""

import datetime as dt

import pytest

ARTICLES = (
    "第一条 为支持专精特新中小企业高质量发展，结合本省实际，制定本措施。\n"
    "第二条 对新认定的国家级专精特新“小巨人”企业给予50万元一次性奖励。\n"
    "第三条 本措施自2024年1月1日起施行，有效期3年。"
)


@pytest.fixture
def document_data():
    def make(**overrides):
        data = {
            "title": "关于用地保障支持专精特新企业的若干措施",
            "number": "川自然资发〔2024〕7号",
            "issuers": "四川省自然资源厅",
            "issued_on": "2024-03-01",
            "effective_on": "2024-03-15",
            "expires_on": "2027-03-14",
            "summary": "支持专精特新企业用地。",
            "topic": "专精特新",
            "text": ARTICLES,
        }
        data.update(overrides)
        return data

    return make


@pytest.fixture
def item_data():
    def make(**overrides):
        data = {
            "title": "专精特新“小巨人”企业奖励",
            "kind": "subsidy",
            "delivery": "fast_claim",
            "target": "新认定的国家级专精特新“小巨人”企业",
            "conditions": "当年新获认定",
            "amount": "给予50万元一次性奖励",
            "amount_cap": "50",
            "apply_from": "2024-04-01",
            "apply_until": "2024-06-30",
            "apply_period": "每年4月至6月",
            "materials": "1. 申请表",
            "payout_method": "直接拨付",
            "payout_days": "15",
            "phone": "028-86012345",
            "industries": "C C39",
            "sizes": "中型、小型",
        }
        data.update(overrides)
        return data

    return make


@pytest.fixture
def library(demo_user, document_data, item_data):
    """Build documents through the services: `library.document(state)`."""
    from policies import services

    class Library:
        def document(self, state="draft", user="deptadmin", **overrides):
            author = demo_user(user)
            doc = services.create_document(author, document_data(**overrides))
            if state == "draft":
                return doc
            services.create_item(author, doc, item_data())
            doc = services.submit_document(author, doc)
            if state == "review":
                return doc
            return services.approve_document(demo_user("manager"), doc, at=dt.datetime(2024, 3, 4, 2, tzinfo=dt.UTC))

    return Library()
