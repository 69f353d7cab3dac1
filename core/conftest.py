"""Fixtures for the core app's tests."""

import pytest


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    """The working-day calendar is cached per process; a test's rolled-back
    calendar edits must not leak into the next test through that cache."""
    from core.workdays import calendar_changed

    calendar_changed()
    yield
    calendar_changed()
