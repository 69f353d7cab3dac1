"""Liveness (/healthz) and readiness (/readyz) for load balancers and the
deployment check. Readiness says whether this app server can do its work:
the database answers and is fully migrated, and the task broker and the
shared cache answer when the deployment uses them."""

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database():
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return "ok" if not pending else f"{len(pending)} 个数据库迁移未执行"


def _broker():
    backend = settings.TASKS["default"]["BACKEND"]
    if "rq" not in backend.lower():
        return "ok"  # the database backend: checked with the database
    import django_rq

    django_rq.get_connection("default").ping()
    return "ok"


def _cache():
    cache.set("readyz", "1", 5)
    return "ok" if cache.get("readyz") == "1" else "缓存读写不一致"


@require_GET
@never_cache
def readyz(request):
    checks = {}
    for name, check in (("database", _database), ("broker", _broker), ("cache", _cache)):
        try:
            checks[name] = check()
        except Exception as exc:  # a dependency down: say which, don't crash
            checks[name] = f"不可用：{type(exc).__name__}"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503)


def metrics(request):
    """Prometheus metrics (django-prometheus), for the monitoring host only."""
    from django.http import HttpResponseForbidden
    from django_prometheus.exports import ExportToDjangoView

    from .audit import client_ip

    if client_ip(request) not in settings.TONGBAN_METRICS_ALLOWED:
        return HttpResponseForbidden("指标接口仅对监控主机开放", content_type="text/plain; charset=utf-8")
    return ExportToDjangoView(request)
