"""Rule JSON: checking (validate), compiling for evaluation, and a Chinese rendering (describe).

A rule::

    {"when": {"from": "2024-01-01" | null, "until": "2025-12-31" | null},
     "condition": NODE}

NODE is {"all": [NODE, ...]}, {"any": [NODE, ...]}, {"not": NODE} or a leaf
{"attr": NAME, "op": OP, "value": V}. Operators by attribute type:

- number: == != > >= < <= between([lo, hi], inclusive)
- date ("YYYY-MM-DD"): == != > >= < <= between, years_since>= / years_since<= (whole years, relative to `today`)
- category: == != > >= < <= (by the choices' order, e.g. micro < small < medium < large) in not_in
- code (region, industry): == != in not_in prefix (list of prefixes: industry "C39", region "5101" or "510100")
- tags: has (one tag) has_any has_all (lists)
- bool: is_true is_false (no value)
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

from core.industries import industry_label, normalize_industry

from .attributes import ATTRIBUTES, Attribute
from .regions import is_valid_region, is_valid_region_prefix, normalize_region_prefix, region_name

COMPARE = ("==", "!=", ">", ">=", "<", "<=")
OPS = {
    "number": COMPARE + ("between",),
    "date": COMPARE + ("between", "years_since>=", "years_since<="),
    "category": COMPARE + ("in", "not_in"),
    "code": ("==", "!=", "in", "not_in", "prefix"),
    "tags": ("has", "has_any", "has_all"),
    "bool": ("is_true", "is_false"),
}
ALL_OPS = tuple(dict.fromkeys(op for ops in OPS.values() for op in ops))
TYPE_LABELS = {"number": "数字", "date": "日期", "code": "代码", "category": "类别", "tags": "标签", "bool": "是/否"}


@dataclass(frozen=True)
class RuleError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class RuleInvalid(ValueError):
    """Raised by compile_rule for a rule that validate() refuses."""

    def __init__(self, errors: list[RuleError]):
        self.errors = errors
        super().__init__("；".join(str(e) for e in errors))


# ---------------------------------------------------------------- compiled form


@dataclass(frozen=True)
class Leaf:
    path: str  # e.g. "condition.all[2]"
    attr: str
    op: str
    value: Any  # normalised (see _normalize_value)
    raw: Any  # the value as written in the rule

    @property
    def attribute(self) -> Attribute:
        return ATTRIBUTES[self.attr]

    @cached_property
    def key(self) -> tuple[str, str, Any]:
        """What the leaf tests, without where it sits: equal keys give equal answers."""
        return (self.attr, self.op, self.value)


@dataclass(frozen=True)
class Group:
    path: str
    kind: str  # "all" | "any" | "not"
    children: tuple[Any, ...]  # of Group | Leaf


@dataclass(frozen=True)
class CompiledRule:
    start: dt.date | None
    end: dt.date | None
    root: Any  # Group | Leaf
    source: dict[str, Any]

    def in_force(self, today: dt.date) -> bool:
        return (self.start is None or self.start <= today) and (self.end is None or today <= self.end)

    @cached_property
    def plan(self) -> tuple[tuple[Leaf, int, int, str, bool], ...]:
        """(leaf, condition number, reason number, path, negated) for each leaf, in order.
        The numbers stand for leaf.key and (leaf.key, path, negated), interned so that a
        per-enterprise memo looks them up by int."""
        negated = self.negated
        return tuple(
            (leaf, _intern(leaf.key), _intern((leaf.key, leaf.path, negated[leaf.path])), leaf.path, negated[leaf.path])
            for leaf in self.leaf_list
        )

    @cached_property
    def flat(self) -> bool:
        """The condition is one leaf, or all() of leaves and not(leaf) (most rules)."""
        root = self.root

        def literal(node: Any) -> bool:
            return isinstance(node, Leaf) or (node.kind == "not" and isinstance(node.children[0], Leaf))

        return literal(root) or (root.kind == "all" and all(literal(c) for c in root.children))

    @cached_property
    def leaf_list(self) -> tuple[Leaf, ...]:
        return tuple(self.leaves())

    @cached_property
    def negated(self) -> dict[str, bool]:
        """{leaf path: whether it sits under an odd number of "not"}."""
        out: dict[str, bool] = {}

        def walk(node: Any, neg: bool) -> None:
            if isinstance(node, Leaf):
                out[node.path] = neg
            else:
                for child in node.children:
                    walk(child, neg ^ (node.kind == "not"))

        walk(self.root, False)
        return out

    def leaves(self) -> list[Leaf]:
        out: list[Leaf] = []

        def walk(node: Any) -> None:
            if isinstance(node, Leaf):
                out.append(node)
            else:
                for child in node.children:
                    walk(child)

        walk(self.root)
        return out


_INTERNED: dict[Any, int] = {}


def _intern(key: Any) -> int:
    number = _INTERNED.get(key)
    if number is None:
        number = _INTERNED[key] = len(_INTERNED)
    return number


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def anniversary(founded: dt.date, years: int) -> dt.date:
    """The day `years` whole years after `founded`. 民法典 第二百零三条: a period in years
    ends on the corresponding day, or the month's last day when there is none, so 29
    February's anniversary in a common year is 28 February."""
    try:
        return founded.replace(year=founded.year + years)
    except ValueError:
        return founded.replace(year=founded.year + years, day=28)


def years_before(today: dt.date, years: int) -> dt.date:
    """The latest founding date with `years` whole years passed on `today`: founded on or
    before it ⇔ anniversary(founded, years) ≤ today. On 28 February of a common year
    that is 29 February when the year `years` back is a leap year."""
    year = today.year - years
    if (today.month, today.day) == (2, 28) and _leap(year) and not _leap(today.year):
        return dt.date(year, 2, 29)
    try:
        return today.replace(year=year)
    except ValueError:  # today is 29 February, the year back is common
        return today.replace(year=year, day=28)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def full_years(founded: dt.date, today: dt.date) -> int:
    """Whole years since founding (the anniversary day counts, see anniversary())."""
    years = today.year - founded.year
    return years if years <= 0 or anniversary(founded, years) <= today else years - 1


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


# ---------------------------------------------------------------- validation


def validate(rule: Any) -> list[RuleError]:
    """Every error in a rule, each with the path of the part in error and a Chinese message."""
    errors: list[RuleError] = []
    if not isinstance(rule, dict):
        return [RuleError("", "规则应为一个对象（含 when 和 condition）")]
    unknown = set(rule) - {"when", "condition"}
    for key in sorted(unknown):
        errors.append(RuleError(key, f"未知的规则项“{key}”"))
    when = rule.get("when")
    if when is not None:
        if not isinstance(when, dict):
            errors.append(RuleError("when", "有效期应为对象（from、until）"))
        else:
            dates: dict[str, dt.date | None] = {}
            for key in ("from", "until"):
                v = when.get(key)
                if v is None:
                    continue
                d = parse_date(v) if isinstance(v, str) else None
                if d is None:
                    errors.append(RuleError(f"when.{key}", f"日期“{v}”无效，应为 YYYY-MM-DD"))
                dates[key] = d
            for key in sorted(set(when) - {"from", "until"}):
                errors.append(RuleError(f"when.{key}", f"未知的有效期项“{key}”"))
            start, until = dates.get("from"), dates.get("until")
            if start and until and start > until:
                errors.append(RuleError("when.until", "有效期的结束日期早于开始日期"))
    if "condition" not in rule:
        errors.append(RuleError("condition", "缺少条件"))
    else:
        _validate_node(rule["condition"], "condition", errors)
    return errors


def _validate_node(node: Any, path: str, errors: list[RuleError]) -> None:
    if not isinstance(node, dict):
        errors.append(RuleError(path, "条件应为对象"))
        return
    groups = [k for k in ("all", "any", "not") if k in node]
    if groups:
        if len(node) != 1:
            errors.append(RuleError(path, "条件组只能有一个键（all、any 或 not）"))
            return
        kind = groups[0]
        body = node[kind]
        if kind == "not":
            _validate_node(body, f"{path}.not", errors)
            return
        name = "全部满足（all）" if kind == "all" else "满足其一（any）"
        if not isinstance(body, list):
            errors.append(RuleError(f"{path}.{kind}", f"“{name}”条件组应为列表"))
        elif not body:
            errors.append(RuleError(f"{path}.{kind}", f"“{name}”条件组不能为空"))
        else:
            for i, child in enumerate(body):
                _validate_node(child, f"{path}.{kind}[{i}]", errors)
        return
    if "attr" not in node:
        errors.append(RuleError(path, "条件应为 all、any、not 之一，或含 attr、op、value 的比较"))
        return
    for key in sorted(set(node) - {"attr", "op", "value"}):
        errors.append(RuleError(f"{path}.{key}", f"未知的条件项“{key}”"))
    name = node["attr"]
    attr = ATTRIBUTES.get(name) if isinstance(name, str) else None
    if attr is None:
        errors.append(RuleError(f"{path}.attr", f"未知的属性“{name}”"))
        return
    op = node.get("op")
    if op not in ALL_OPS:
        errors.append(RuleError(f"{path}.op", f"未知的运算“{op}”"))
        return
    if op not in OPS[attr.type]:
        value = node.get("value")
        if attr.type == "date" and _is_number(value):
            errors.append(RuleError(f"{path}.op", f"日期属性“{attr.label}”不能与数字比较"))
        else:
            errors.append(RuleError(f"{path}.op", f"{TYPE_LABELS[attr.type]}属性“{attr.label}”不支持运算“{op}”"))
        return
    try:
        _normalize_value(attr, op, node.get("value"))
    except _BadValue as e:
        errors.append(RuleError(f"{path}.value{e.suffix}", e.message))


class _BadValue(Exception):
    def __init__(self, message: str, suffix: str = "") -> None:
        self.message, self.suffix = message, suffix


def _normalize_value(attr: Attribute, op: str, value: Any) -> Any:
    """The rule's value in the form evaluation uses; _BadValue if it is wrong."""
    t, label = attr.type, attr.label
    if t == "bool":
        return None
    if op in ("in", "not_in", "prefix", "has_any", "has_all", "between"):
        if not isinstance(value, list) or not value:
            if op == "between":
                raise _BadValue(f"属性“{label}”的区间应为 [下限, 上限]")
            raise _BadValue(f"属性“{label}”的取值应为非空列表")
        if op == "between":
            if len(value) != 2:
                raise _BadValue(f"属性“{label}”的区间应为 [下限, 上限]")
            lo = _one(attr, op, value[0], "[0]")
            hi = _one(attr, op, value[1], "[1]")
            if lo > hi:
                raise _BadValue(f"属性“{label}”的区间下限大于上限")
            return (lo, hi)
        items = [_one(attr, op, v, f"[{i}]") for i, v in enumerate(value)]
        return tuple(dict.fromkeys(items))
    return _one(attr, op, value, "")


def _one(attr: Attribute, op: str, v: Any, suffix: str) -> Any:
    t, label = attr.type, attr.label
    if t == "number":
        if not _is_number(v):
            if isinstance(v, str) and parse_date(v):
                raise _BadValue(f"数字属性“{label}”不能与日期比较", suffix)
            raise _BadValue(f"属性“{label}”的取值应为数字", suffix)
        return float(v)
    if t == "date":
        if op.startswith("years_since"):
            if not (isinstance(v, int) and not isinstance(v, bool) and v >= 0):
                raise _BadValue(f"属性“{label}”的成立年限应为非负整数", suffix)
            return v
        if _is_number(v):
            raise _BadValue(f"日期属性“{label}”不能与数字比较", suffix)
        d = parse_date(v) if isinstance(v, str) else None
        if d is None:
            raise _BadValue(f"日期“{v}”无效，应为 YYYY-MM-DD", suffix)
        return d.toordinal()
    if t == "category":
        if v not in attr.choices:
            choices = "、".join(attr.choices)
            raise _BadValue(f"属性“{label}”的取值“{v}”无效，应为 {choices} 之一", suffix)
        return list(attr.choices).index(v)
    if t == "tags":
        if v not in attr.choices:
            raise _BadValue(f"属性“{label}”的取值“{v}”不是已知的{label}", suffix)
        return v
    if t == "code":
        if attr.name == "industry":
            code = normalize_industry(v)
            if code is None:
                raise _BadValue(f"行业代码“{v}”不是有效的 GB/T 4754-2017 代码", suffix)
            return code
        if attr.name == "region":
            if op == "prefix":
                if not is_valid_region_prefix(v):
                    raise _BadValue(f"行政区划代码“{v}”无效", suffix)
                return normalize_region_prefix(v)
            if not is_valid_region(v):
                raise _BadValue(f"行政区划代码“{v}”无效", suffix)
            return v
        if not isinstance(v, str) or not v:
            raise _BadValue(f"属性“{label}”的取值应为代码", suffix)
        return v
    raise _BadValue(f"属性“{label}”的取值无效", suffix)


# ---------------------------------------------------------------- compiling


def negative_bounds(rule: Any) -> list[RuleError]:
    """Number bounds below 0 in a (valid) rule. No profile holds a negative number (the
    loader refuses one), so such a bound is a slip: refused when a rule is saved, while a
    rule stored before this check still compiles (it is only always or never true)."""
    out: list[RuleError] = []

    def walk(node: Any, path: str) -> None:
        if not isinstance(node, dict):
            return
        for key in ("all", "any"):
            for n, child in enumerate(node.get(key) or []):
                walk(child, f"{path}.{key}[{n}]")
        if "not" in node:
            walk(node["not"], f"{path}.not")
        name = node.get("attr")
        attr = ATTRIBUTES.get(name) if isinstance(name, str) else None
        if attr is None or attr.type != "number":
            return
        value = node.get("value")
        values: list[tuple[int | None, Any]] = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for i, v in values:
            if _is_number(v) and v < 0:
                where = f"{path}.value" if i is None else f"{path}.value[{i}]"
                out.append(RuleError(where, f"属性“{attr.label}”的取值不能为负数"))

    if isinstance(rule, dict):
        walk(rule.get("condition"), "condition")
    return out


def compile_rule(rule: Any) -> CompiledRule:
    """The rule in the form evaluate and the bulk engine use. Raises RuleInvalid."""
    if isinstance(rule, CompiledRule):
        return rule
    errors = validate(rule)
    if errors:
        raise RuleInvalid(errors)
    when = rule.get("when") or {}
    start = parse_date(when["from"]) if when.get("from") else None
    end = parse_date(when["until"]) if when.get("until") else None
    return CompiledRule(start, end, _compile_node(rule["condition"], "condition"), rule)


def _compile_node(node: Any, path: str) -> Group | Leaf:
    for kind in ("all", "any"):
        if kind in node:
            return Group(path, kind, tuple(_compile_node(c, f"{path}.{kind}[{i}]") for i, c in enumerate(node[kind])))
    if "not" in node:
        return Group(path, "not", (_compile_node(node["not"], f"{path}.not"),))
    attr = ATTRIBUTES[node["attr"]]
    return Leaf(path, attr.name, node["op"], _normalize_value(attr, node["op"], node.get("value")), node.get("value"))


# ---------------------------------------------------------------- rendering


def fmt_number(v: float, unit: str = "") -> str:
    if isinstance(v, Fraction):
        # an exact ratio: shown to at most 4 decimals, cut (never rounded) towards zero so a
        # value a hair below a threshold never reads as the threshold; "约" when cut
        cut = Fraction(math.floor(v * 10000), 10000)
        text = f"{float(cut):,.4f}".rstrip("0").rstrip(".") + unit
        return text if cut == v else "约" + text
    if float(v).is_integer():
        text = f"{int(v):,}"
    else:
        text = f"{v:,.2f}".rstrip("0").rstrip(".")
    return text + unit


def fmt_value(attr: Attribute, v: Any) -> str:
    """A normalised value (as _normalize_value gives or profiles hold) in Chinese."""
    t = attr.type
    if t == "number":
        return fmt_number(v, attr.unit)
    if t == "date":
        return dt.date.fromordinal(v).isoformat() if isinstance(v, int) else str(v)
    if t == "category":
        key = list(attr.choices)[v] if isinstance(v, int) else v
        return attr.choices.get(key, str(key))
    if t == "tags":
        return attr.choices.get(v, str(v))
    if t == "code":
        return fmt_code(attr.name, v)
    return str(v)


def fmt_code(attr_name: str, code: str) -> str:
    if attr_name == "industry":
        label = industry_label(code)
        return f"{code}（{label}）" if label else code
    if attr_name == "region":
        name = region_name(code)
        return f"{name}（{code}）" if name else code
    return code


_PHRASE = {"==": "为", "!=": "不为", ">": "高于", ">=": "不低于", "<": "低于", "<=": "不高于"}
_DATE_PHRASE = {"==": "为", "!=": "不为", ">": "晚于", ">=": "不早于", "<": "早于", "<=": "不晚于"}


_REQUIREMENTS: dict[Any, str] = {}


def requirement(leaf: Leaf) -> str:
    """What a leaf asks for, e.g. "不低于 1,000万元", "属于 C39（…）"."""
    key = leaf.key
    text = _REQUIREMENTS.get(key)
    if text is None:
        text = _REQUIREMENTS[key] = _requirement(leaf)
    return text


def _requirement(leaf: Leaf) -> str:
    attr, op, v = leaf.attribute, leaf.op, leaf.value
    if op in COMPARE:
        phrase = (_DATE_PHRASE if attr.type == "date" else _PHRASE)[op]
        if attr.type == "code":
            phrase = "为" if op == "==" else "不为"
        return f"{phrase} {fmt_value(attr, v)}"
    if op == "between":
        return f"在 {fmt_value(attr, v[0])} 至 {fmt_value(attr, v[1])} 之间"
    if op in ("in", "not_in"):
        listed = "、".join(fmt_value(attr, x) for x in v)
        if len(v) == 1:
            return ("为 " if op == "in" else "不为 ") + listed
        return f"为 {listed} 之一" if op == "in" else f"不为 {listed} 中任何一项"
    if op == "prefix":
        word = "位于" if attr.name == "region" else "属于"
        listed = "、".join(fmt_code(attr.name, x) if attr.name == "industry" else (region_name(x) or x) for x in v)
        return f"{word} {listed}" + (" 之一" if len(v) > 1 else "")
    if op == "years_since>=":
        return f"成立满 {v} 年"
    if op == "years_since<=":
        return f"成立不超过 {v} 年"
    if op == "has":
        return f"已认定为{attr.choices[v]}"
    if op == "has_any":
        return "已认定为" + "、".join(attr.choices[x] for x in v) + ("中任何一项" if len(v) > 1 else "")
    if op == "has_all":
        return "已认定为" + "、".join(attr.choices[x] for x in v)
    if op == "is_true":
        return f"是{attr.label}"
    if op == "is_false":
        return f"不是{attr.label}"
    return op


def requirement_not(leaf: Leaf) -> str:
    """What a leaf under "not" asks for, said directly: "未认定为…", "低于 1,000万元"."""
    attr, op, v = leaf.attribute, leaf.op, leaf.value
    inverse = {
        ">=": "<",
        "<": ">=",
        ">": "<=",
        "<=": ">",
        "==": "!=",
        "!=": "==",
        "in": "not_in",
        "not_in": "in",
        "is_true": "is_false",
        "is_false": "is_true",
    }
    if op in inverse:
        return requirement(Leaf(leaf.path, leaf.attr, inverse[op], v, leaf.raw))
    text = requirement(leaf)
    if op == "between":
        return "不" + text
    if op == "prefix":
        return "不" + text
    if op == "years_since>=":
        return f"成立不满 {v} 年"
    if op == "years_since<=":
        return f"成立超过 {v} 年"
    if op == "has":
        return f"未认定为{attr.choices[v]}"
    if op == "has_any":
        return "未认定为" + "、".join(attr.choices[x] for x in v) + ("中任何一项" if len(v) > 1 else "")
    if op == "has_all":
        return ("未同时认定为" if len(v) > 1 else "未认定为") + "、".join(attr.choices[x] for x in v)
    return "不满足：" + text


def describe_leaf(leaf: Leaf) -> str:
    attr = leaf.attribute
    if attr.type in ("tags", "bool") or leaf.op.startswith("years_since"):
        return requirement(leaf)
    return f"{attr.label}{requirement(leaf)}"


def describe(rule: Any) -> str:
    """A Chinese rendering of a (valid) rule for display."""
    compiled = compile_rule(rule)
    text = _describe_node(compiled.root, top=True)
    if compiled.start or compiled.end:
        start = compiled.start.isoformat() if compiled.start else "不限"
        end = compiled.end.isoformat() if compiled.end else "长期"
        text += f"（有效期：{start} 至 {end}）"
    return text


def _describe_node(node: Any, top: bool = False) -> str:
    if isinstance(node, Leaf):
        return describe_leaf(node)
    if node.kind == "not":
        return f"不满足【{_describe_node(node.children[0])}】"
    parts = [_describe_node(c) for c in node.children]
    if len(parts) == 1:
        return parts[0]
    joined = "；".join(parts)
    head = "同时满足" if node.kind == "all" else "满足其一"
    return f"{head}：{joined}" if top else f"{head}【{joined}】"
