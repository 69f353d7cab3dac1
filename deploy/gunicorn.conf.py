"""gunicorn settings for one tongban app server (docs/deployment.md).
Everything comes from the environment so every server runs the same file."""

import multiprocessing
import os
import threading
import time

bind = os.environ.get("TONGBAN_BIND", "127.0.0.1:8001")
# Threads serve the many short requests; processes use the cores.
workers = int(os.environ.get("TONGBAN_WORKERS", str(max(2, multiprocessing.cpu_count()))))
threads = int(os.environ.get("TONGBAN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("TONGBAN_TIMEOUT", "60"))
graceful_timeout = 30
# Longer than nginx's upstream keepalive_timeout (60 s, deploy/nginx.conf), so
# nginx, not the app server, closes an idle connection: the other way round a
# request sent on a connection just closed was reset (a 502 under load).
keepalive = int(os.environ.get("TONGBAN_KEEPALIVE", "75"))
max_requests = 2000  # recycle a worker now and then, against slow leaks
max_requests_jitter = 200
# One JSON line per request, with nginx's request id, beside the app's JSON logs.
accesslog = "-"
access_log_format = (
    '{"time":"%(t)s","request_id":"%({x-request-id}i)s","remote":"%({x-forwarded-for}i)s",'
    '"method":"%(m)s","path":"%(U)s","status":%(s)s,"bytes":%(B)s,"ms":%(M)s}'
)
errorlog = "-"
forwarded_allow_ips = os.environ.get("TONGBAN_PROXY_IPS", "127.0.0.1")


def post_worker_init(worker):
    """Warm a new worker before it takes requests: the policy search's
    in-process index (policies/search/ranker.py) and the word segmenter are
    built on a process's first search — 5–25 s, during which that worker's
    searches waited and the load test saw 30 s pages (docs/performance.md,
    "Load test, 200 users"). A worker recycled by max_requests warms while
    the others serve. TONGBAN_WARM=0 skips it."""
    if os.environ.get("TONGBAN_WARM", "1") == "0":
        return
    began, done = time.monotonic(), threading.Event()

    def alive():  # the arbiter kills a worker silent for `timeout` s; warming on a busy machine can take longer
        while not done.wait(5):
            worker.notify()

    threading.Thread(target=alive, daemon=True).start()
    try:
        from django.db import connection

        from policies import search

        search.search("政策")
        connection.close()  # the worker's threads open their own
    except Exception:  # a worker that cannot warm still serves; the first search warms it
        worker.log.exception("warm-up failed")
        return
    finally:
        done.set()
    worker.log.info("warm-up done in %.1f s", time.monotonic() - began)
