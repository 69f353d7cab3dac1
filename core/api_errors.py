"""The API's one error format: {"code", "message", "errors": {field: [..]}},
with messages in Chinese that name the field and the rule."""

import re

from django.apps import apps
from ninja import Schema

_RULES = {
    "missing": "为必填项",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_parsing": "应为布尔值",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "datetime_parsing": "应为日期时间（ISO 8601）",
    "json_invalid": "不是有效的 JSON",
    "enum": "不在可选范围内",
    "literal_error": "不在可选范围内",
    "extra_forbidden": "不是可接受的字段",
}
HAN = re.compile(r"[\u4e00-\u9fff]")
_labels: dict[str, str] | None = None
# Names of query and body fields that are not model fields.
EXTRA_LABELS = {
    "start": "起始日期",
    "days": "工作日数",
    "limit": "每页条数",
    "offset": "起始位置",
    "username": "用户名",
    "password": "密码",
    "q": "查询词",
}


def field_label(name: str) -> str:
    """The Chinese name of a field, taken from the models' verbose names."""
    global _labels
    if name in EXTRA_LABELS:
        return EXTRA_LABELS[name]
    if _labels is None:
        _labels = {}
        for model in apps.get_models():
            for field in model._meta.get_fields():
                verbose = getattr(field, "verbose_name", None)
                if verbose and field.name not in _labels and any("\u4e00" <= c <= "\u9fff" for c in str(verbose)):
                    _labels[field.name] = str(verbose)
    return _labels.get(name, name)


def _rule(error):
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "string_too_long":
        return f"不能超过{ctx.get('max_length')}个字符"
    if kind == "string_too_short":
        return f"至少{ctx.get('min_length')}个字符"
    if kind in ("greater_than_equal", "greater_than"):
        return f"不能小于{ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"不能大于{ctx.get('le', ctx.get('lt'))}"
    if kind == "value_error":
        return str(ctx.get("error", "")) or "格式不正确"
    return _RULES.get(kind, "格式不正确")


def translate(errors):
    """pydantic-style errors (as django-ninja gives them) -> {field: [message]}."""
    out: dict[str, list[str]] = {}
    for error in errors:
        loc = [p for p in error.get("loc", []) if isinstance(p, str) and p not in ("body", "payload", "query", "path")]
        field = loc[-1] if loc else "__all__"
        out.setdefault(field, []).append(f"{field_label(field)}{_rule(error)}")
    return out


class ErrorOut(Schema):
    """A refusal, as every error handler in tongban/api.py writes it."""

    code: str
    message: str
    errors: dict[str, list[str]]


# What each refusal means (the statuses the handlers in tongban/api.py give).
REFUSALS = {
    400: "请求被拒绝（业务规则不允许）",
    401: "未登录或令牌无效",
    403: "无权进行此操作，或网页会话缺少 CSRF 令牌",
    404: "记录不存在",
    409: "记录已被他人修改或状态已变化",
    422: "提交的数据有误（按字段说明）",
    428: "修改须提供读取时的版本号",
    429: "请求过于频繁",
}


def replies(ok, *refusals: int, status: int = 200) -> dict:
    """A route's documented responses: its answer and the refusals it can
    give, each in the one error format (issue 16: every status a route can
    return is in the OpenAPI; tests/test_schemathesis.py checks it)."""
    unknown = set(refusals) - set(REFUSALS)
    if unknown:
        raise ValueError(f"未定义的错误状态：{sorted(unknown)}")
    return {status: ok, **dict.fromkeys(refusals, ErrorOut)}


def body(code, message, errors=None):
    return {"code": code, "message": message, "errors": errors or {}}


def required_version(request, version):
    """The version a client read, from the body's `version` or an If-Match
    header. An update without it could silently overwrite someone else's
    change, so it is refused (428, RFC 6585) before anything is read or changed."""
    from .errors import ServiceError

    if version is not None:
        return version
    header = request.headers.get("If-Match", "").strip()
    if header.startswith("W/"):
        header = header[2:]
    header = header.strip('"')
    if header.isdigit():
        return int(header)
    message = "修改须提供读取时的版本号（version 字段或 If-Match 头），以免覆盖他人的修改"
    raise ServiceError(message, errors={"version": ["版本号为必填项"]}, code="version_required", status=428)
