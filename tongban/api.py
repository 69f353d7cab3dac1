"""The JSON API under /api/v1: session or bearer-token authentication, one
error format, OpenAPI schema at /api/v1/openapi.json and docs at /api/v1/docs."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django_ratelimit.exceptions import Ratelimited
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from accounts.api import router as accounts_router
from accounts.services import user_for_token
from bulletin.api import router as bulletin_router
from bundles.api import router as bundles_router
from cases.api import router as cases_router
from cases.api_stats import router as stats_router
from catalog.api import router as catalog_router
from core import api_errors
from core.api import router as core_router
from core.errors import ServiceError, from_validation_error
from hall.api import router as hall_router
from identity.auth import user_for_access_token
from matching.api import router as matching_router
from policies.api import router as policies_router
from policies.api_search import router as policy_search_router
from revenue.api import router as revenue_router


class TokenAuth(HttpBearer):
    openapi_description = "以 POST /api/v1/auth/token 取得令牌，调用时带 Authorization: Bearer <令牌>"

    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is None:  # an access token from the province's OpenID Connect provider
            user, request.token_refusal = user_for_access_token(token, request.method)
        if user is not None:
            request.user = user
        return user


class CsrfRefused(Exception):
    """A browser session's write came without the page's CSRF token."""


class SessionAuth(APIKeyCookie):
    """A signed-in browser: the session cookie, and for writes Django's CSRF
    check (another site's page could send the cookie; it cannot read the token)."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = "浏览器会话（网页内调用）；写操作须带 X-CSRFToken 头"

    def __init__(self):
        super().__init__(csrf=False)  # checked below, only for a signed-in session

    def authenticate(self, request, key):
        if not request.user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise CsrfRefused()
        return request.user


api = NinjaAPI(
    title="通办 API",
    version="1",
    description="四川省政务服务平台“通办”的数据接口。所有错误按统一格式返回：code、message（中文）、errors（按字段）。",
    # The token first: a caller that sends one is another system, not a
    # browser, and needs no CSRF token; a session keeps the CSRF check.
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)
api.add_router("/", core_router)
api.add_router("/", accounts_router)
api.add_router("/", cases_router)
api.add_router("/", catalog_router)
api.add_router("/", stats_router)
api.add_router("/", policies_router)
api.add_router("/", policy_search_router)
api.add_router("/", matching_router)
api.add_router("/", hall_router)
api.add_router("/", bulletin_router)
api.add_router("/", revenue_router)
api.add_router("/", bundles_router)


def _reply(request, status, code, message, errors=None):
    return api.create_response(request, api_errors.body(code, message, errors), status=status)


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc):
    errors = api_errors.translate(exc.errors)
    first = next(iter(errors.values()))[0] if errors else "提交的数据有误"
    return _reply(request, 422, "invalid", first, errors)


@api.exception_handler(ServiceError)
def _refused(request, exc):
    status = 422 if exc.status == 400 and exc.errors else exc.status
    return _reply(request, status, exc.code, exc.message, exc.errors)


@api.exception_handler(DjangoValidationError)
def _model_invalid(request, exc):
    return _refused(request, from_validation_error(exc))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    refusal = getattr(request, "token_refusal", None)
    return _reply(request, 401, "unauthenticated", refusal or "请先登录，或提供有效的 API 令牌")


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _reply(request, 403, "forbidden", str(exc) or "无权进行此操作")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _reply(request, 404, "not_found", "记录不存在")


@api.exception_handler(CsrfRefused)
def _csrf_refused(request, exc):
    return _reply(
        request,
        403,
        "csrf_failed",
        "请求缺少有效的 CSRF 令牌：网页内调用请带 X-CSRFToken 头，其他系统请使用 API 令牌（Authorization: Bearer）",
    )


@api.exception_handler(Ratelimited)
def _rate_limited(request, exc):
    from core.ratelimits import MESSAGE

    return _reply(request, 429, "rate_limited", MESSAGE)


# django-ninja's own refusals are in English; the caller is told in Chinese
# (found by tests/test_schemathesis.py: a body that is not JSON).
_LIBRARY_REFUSALS = {
    "Cannot parse request body": (
        "invalid_json",
        "请求正文不是有效的 JSON",
        {"body": ["请求正文应为 UTF-8 编码的 JSON"]},
    ),
}


@api.exception_handler(HttpError)
def _http_error(request, exc):
    message = str(exc)
    if not api_errors.HAN.search(message):
        code, message, errors = _LIBRARY_REFUSALS.get(message.split(" (")[0], ("error", "请求有误", None))
        return _reply(request, exc.status_code, code, message, errors)
    return _reply(request, exc.status_code, "error", message)


@api.exception_handler(Exception)
def _server_error(request, exc):
    # Logged with its traceback for the operators; the caller sees no internals.
    logging.getLogger("tongban.api").exception("API 请求出错：%s %s", request.method, request.path)
    return _reply(request, 500, "server_error", "服务器内部错误，请稍后重试；如持续出现请联系管理员")
