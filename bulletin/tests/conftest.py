import datetime as dt

import pytest

from bulletin import render, services
from bulletin.models import DistributionList

WEEK = dt.date(2024, 11, 4)


@pytest.fixture
def distribution(db):
    return DistributionList.objects.create(
        name="常规分送",
        report_to="省政务管理办公室，省中心领导。",
        send_to="省级相关部门（单位）窗口，省中心各处（室）。",
        copies=100,
        is_default=True,
    )


@pytest.fixture
def draft(demo_user, distribution):
    return services.build_draft(demo_user("editor"), week_start=WEEK, dated=dt.date(2024, 11, 11))


@pytest.fixture
def inline_tasks(settings):
    """Run background tasks inline (the page then gets the finished result)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def needs_pdf():
    ready, _ = render.pdf_readiness()
    if not ready:
        pytest.skip(render.pdf_missing_message())
