"""The figure registry: apps publish figures, hall and the bulletin read them."""

import datetime as dt

import pytest

from core import figures


def test_the_apps_publish_their_figures_in_ready():
    assert {"policy_zone", "manual_progress", "problems_handled"} <= set(figures.keys())
    handled = figures.get("problems_handled")
    assert handled is not None and handled.app == "bundles" and handled.periodic
    assert ("manual_progress", "受理工作手册进度") in figures.choices()


def test_a_figure_gets_the_period_and_a_failure_is_told_not_guessed():
    seen = []

    def count(start, end):
        seen.append((start, end))
        return {"value": 7, "text": "7"}

    def broken(start, end):
        raise ZeroDivisionError

    figures.register(
        "test_count", label="测试计数", app="tests", compute=count, periodic=True, sentence="本周测试{test_count}次。"
    )
    figures.register("test_broken", label="坏数据", app="tests", compute=broken)
    try:
        got = figures.read("test_count", dt.date(2024, 11, 4), dt.date(2024, 11, 8))
        assert (got["available"], got["value"], got["sentence"]) == (True, 7, "本周测试{test_count}次。")
        assert seen == [(dt.date(2024, 11, 4), dt.date(2024, 11, 8))]
        bad = figures.read("test_broken")
        assert bad["available"] is False and bad["message"] == "坏数据暂不可用（ZeroDivisionError）"
        assert figures.read("nobody_publishes")["message"].startswith("未知的数据来源")
        with pytest.raises(ValueError):
            figures.register("test_count", label="抢注", app="other", compute=count)
    finally:
        figures.unregister("test_count")
        figures.unregister("test_broken")


@pytest.mark.django_db
def test_hall_reads_the_registry_not_the_apps():
    import hall.services

    source = open(hall.services.__file__, encoding="utf-8").read()
    assert "policies" not in source and "catalog" not in source
    from catalog.manuals import progress

    assert figures.read("manual_progress")["text"] == progress()[2]
