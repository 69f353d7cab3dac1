"""Smoke test of a deployed tongban through its front door (nginx), as a
browser and a monitoring host would use it. Used by scripts/deploy-check.

    smoke.py BASE_URL USERNAME PASSWORD APP_LOG [APP_LOG ...]

Exits non-zero with the failed checks listed."""

import http.cookiejar
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

BASE, USER, PASSWORD, *LOGS = sys.argv[1:]
jar = http.cookiejar.CookieJar()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
failures, seen_ids = [], set()


def call(path, data=None, headers=None):
    body = urllib.parse.urlencode(data).encode() if isinstance(data, dict) else data
    request = urllib.request.Request(BASE + path, data=body, headers=headers or {})
    try:
        response = opener.open(request, timeout=30)
    except urllib.error.HTTPError as error:
        response = error
    text = response.read().decode("utf-8", "replace")
    if response.headers.get("X-Request-ID"):
        seen_ids.add(response.headers["X-Request-ID"])
    return response.status, response.headers, text


def check(name, ok, detail=""):
    print(("通过 " if ok else "失败 ") + name + (f"：{detail}" if detail and not ok else ""))
    if not ok:
        failures.append(name)


def csrf():
    return next((c.value for c in jar if c.name == "csrftoken"), "")


status, headers, text = call("/healthz")
check("存活检查 /healthz", status == 200, status)
status, headers, text = call("/readyz")
check("就绪检查 /readyz（数据库、任务队列、缓存）", status == 200 and json.loads(text)["status"] == "ready", text)
status, headers, text = call("/")
check("门户首页", status == 200 and "四川政务服务" in text, status)
check("请求编号 X-Request-ID", bool(headers.get("X-Request-ID")))
css = re.search(r'href="(/static/css/tongban[^"]*\.css)"', text)
status, headers, _ = call(css.group(1)) if css else (0, {}, "")
check(
    "静态文件由 nginx 直接提供（不经应用服务器）并带缓存期",
    status == 200 and "max-age" in (headers.get("Cache-Control") or "") and not headers.get("X-Request-ID"),
    status,
)
status, _, text = call("/no-such-page/")
check("404 页面为中文且无调试信息", status == 404 and "页面" in text and "Traceback" not in text, status)
status, _, text = call("/metrics")
check("Prometheus 指标（本机）", status == 200 and "django_http_requests_total" in text, status)

call("/accounts/login/")
status, headers, _ = call(
    "/accounts/login/",
    {"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": csrf()},
    {"Referer": BASE + "/accounts/login/"},
)
check("登录（CSRF 校验通过）", status == 302, status)
signed = [call("/console/")[0] for _ in range(8)]
check("会话在两台应用服务器间共享", all(s == 200 for s in signed), signed)

status, _, text = call(
    "/console/audit/verify/",
    {"csrfmiddlewaretoken": csrf()},
    {"Referer": BASE + "/console/audit/", "HX-Request": "true"},
)
match = re.search(r"/console/audit/verify/([^/\"]+)/", text)
check("后台任务入队（审计链校验）", status == 200 and match is not None, status)
done = ""
for _ in range(60):
    if not match:
        break
    status, _, text = call(f"/console/audit/verify/{match.group(1)}/")
    if 'id="verify-result"' in text:
        done = text
        break
    time.sleep(0.5)
check("任务由 RQ 工作进程完成", "审计链" in done or "条" in done, re.sub(r"\s+", " ", text)[:200])

for log in LOGS:
    lines = [line for line in open(log, encoding="utf-8", errors="replace") if line.startswith("{")]
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            pass
    served = [r for r in records if r.get("request_id") in seen_ids]
    check(f"应用服务器 {log.rsplit('/', 2)[-2]} 处理了请求并写下 JSON 日志", bool(served), f"{len(records)} 行 JSON")

if failures:
    print(f"冒烟测试失败 {len(failures)} 项")
    sys.exit(1)
print("冒烟测试全部通过")
