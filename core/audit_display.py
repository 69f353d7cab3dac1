"""The audit log in words a person reads: the action in Chinese, the object
by its model's verbose name and its own name, and before/after as a
field-by-field difference under the fields' verbose names (issue 10, finding 7).

The entries themselves stay as recorded (their hashes cover them); only the
page reads them this way."""

import datetime as dt
from collections.abc import Callable

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone

from .industries import industry_label

ACTIONS = {
    "create": "新增",
    "update": "修改",
    "delete": "删除",
    "login": "登录",
    "logout": "退出登录",
    "import": "导入",
    "export": "导出",
    "view": "查看",
    "reveal": "查看完整个人信息",
    "rotate_data_key": "轮换数据密钥",
}
# Objects that are not one model's rows (whole-library imports).
TYPES = {"catalog.Catalogue": "事项目录", "policies.Library": "惠企政策库"}
# Keys of entries written by services rather than from a row.
KEYS = {
    "file": "文件",
    "created": "新增条数",
    "updated": "更新条数",
    "entries": "名单",
    "amount": "金额",
    "paid_on": "兑现日期",
    "count": "条数",
    "comment": "意见",
    "reason": "原因",
    "key": "密钥",
    "fields": "查看的字段",
}
EMPTY = "（空）"
# {object type: phrase(entry) -> the words after the person's name, or None
# for the plain "修改了…"}: an app says what its steps mean (cases: "受理了办件 …").
PHRASES: dict[str, Callable] = {}


def register_phrase(object_type, phrase):
    PHRASES[object_type] = phrase


def person_of(entry):
    """The person's name without the login name in brackets: 王晓燕（clerk） → 王晓燕."""
    return entry.actor_label.split("（", 1)[0] or entry.actor_label


def sentence(entry):
    """The entry as one sentence: "王晓燕 受理了办件 5100… 某事项"."""
    phrase = PHRASES.get(entry.object_type)
    words = phrase(entry) if phrase else None
    if not words:
        what = type_label(entry.object_type)
        if entry.object_repr and entry.object_repr != what:
            what = f"{what}“{entry.object_repr}”"
        # Signing in and out are about the person themselves: "郑国平 登录".
        plain = not entry.object_type or entry.action in ("login", "logout")
        words = action_label(entry.action) if plain else f"{action_label(entry.action)}了{what}"
    return f"{person_of(entry)} {words}"


def action_label(action):
    return ACTIONS.get(action, action)


def type_label(object_type):
    if object_type in TYPES:
        return TYPES[object_type]
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type or "—"


class Reader:
    """Reads the entries of one page; related rows are looked up once each."""

    def __init__(self):
        self._related = {}

    def _field(self, model, key):
        if model is None:
            return None
        for field in model._meta.concrete_fields:
            if key in (field.attname, field.name):
                return field
        try:
            return model._meta.get_field(key)
        except FieldDoesNotExist:
            return None

    def _related_name(self, field, value):
        target = field.related_model
        cache_key = (target._meta.label, value)
        if cache_key not in self._related:
            row = target._default_manager.filter(pk=value).first()
            self._related[cache_key] = str(row) if row is not None else f"（已删除，编号 {value}）"
        return self._related[cache_key]

    def _region(self, code):
        from .models import Region

        cache_key = ("core.Region", code)
        if cache_key not in self._related:
            region = Region.objects.filter(pk=code).first()
            self._related[cache_key] = f"{region.name}（{code}）" if region else code
        return self._related[cache_key]

    def coded(self, key, value):
        """Codes kept as text shown with their names: GB/T 4754 industries,
        GB/T 2260 region codes; None when `key` holds no such code."""
        if key == "industries" and isinstance(value, list) and value:
            return "；".join(f"{code} {industry_label(code) or ''}".strip() for code in value)
        if key.endswith(("city_code", "region_code")) and isinstance(value, str) and value:
            return self._region(value)
        return None

    def value(self, field, value):
        if value is None or value == "" or value == [] or value == {}:
            return EMPTY
        if field is not None:
            if field.choices:
                return str(dict(field.flatchoices).get(value, value))
            if field.is_relation and field.many_to_one:
                return self._related_name(field, value)
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and "T" in value:
            try:
                moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                return value
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return moment.strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(value, list):
            return "；".join(self.value(None, v) if not isinstance(v, list) else "，".join(map(str, v)) for v in value)
        if isinstance(value, dict):
            return "；".join(f"{KEYS.get(k, k)}：{self.value(None, v)}" for k, v in value.items())
        return str(value)

    def changes(self, entry):
        """[(field label, before, after)]: every field that differs (all set fields for a new or deleted row)."""
        try:
            model = apps.get_model(entry.object_type) if entry.object_type not in TYPES else None
        except (LookupError, ValueError):
            model = None
        before = entry.before if isinstance(entry.before, dict) else {}
        after = entry.after if isinstance(entry.after, dict) else {}
        rows = []
        for key in list(dict.fromkeys([*before, *after])):
            old, new = before.get(key), after.get(key)
            if entry.before is not None and entry.after is not None and old == new:
                continue
            if entry.before is None and new in (None, "", [], {}) or entry.after is None and old in (None, "", [], {}):
                continue
            field = self._field(model, key)
            if key == "version" or (field is not None and getattr(field, "primary_key", False)):
                continue
            label = str(field.verbose_name) if field is not None else KEYS.get(key, key)

            def shown(value, field=field, key=key):
                named = self.coded(key, value)
                return named if named is not None else self.value(field, value)

            rows.append(
                (
                    label,
                    shown(old) if entry.before is not None else "",
                    shown(new) if entry.after is not None else "",
                )
            )
        return rows

    def read(self, entry):
        return {
            "entry": entry,
            "action": action_label(entry.action),
            "type": type_label(entry.object_type),
            "sentence": sentence(entry),
            "reason": entry.reason,
            "changes": self.changes(entry),
        }
