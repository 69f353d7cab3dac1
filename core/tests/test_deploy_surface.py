"""What the deployment relies on from each app server: readiness, request
ids in responses and JSON logs, metrics only for the monitoring host."""

import json
import logging

import pytest

from core.logs import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


def test_readyz_reports_each_dependency(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body == {"status": "ready", "checks": {"database": "ok", "broker": "ok", "cache": "ok"}}


def test_readyz_says_which_dependency_is_down(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}  # nothing listens there
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("不可用")
    assert response.json()["checks"]["database"] == "ok"


def test_request_id_is_kept_from_the_proxy_or_made(client):
    given = client.get("/healthz", HTTP_X_REQUEST_ID="nginx-0123456789abcdef")
    assert given["X-Request-ID"] == "nginx-0123456789abcdef"
    made = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")
    assert made["X-Request-ID"] != "<script>" and len(made["X-Request-ID"]) == 32


def test_log_lines_are_json_with_the_request_id(client, caplog):
    from core.logs import REQUEST_ID

    token = REQUEST_ID.set("abc123def456")
    try:
        record = logging.LogRecord("tongban", logging.WARNING, __file__, 1, "办件 %s 已受理", ("5100",), None)
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    finally:
        REQUEST_ID.reset(token)
    assert line["request_id"] == "abc123def456" and line["message"] == "办件 5100 已受理"
    assert line["level"] == "WARNING" and line["time"].endswith("+00:00")


def test_metrics_only_for_the_monitoring_host(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200 and b"django_http_requests_total" in response.content
    # behind the proxy, the forwarded client counts, not the proxy's own address
    settings.TONGBAN_TRUST_PROXY = True
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 403
