"""One enterprise against one rule: a three-valued verdict with a reason per condition.

A missing attribute makes its condition unknown ("?"); all/any/not combine
Kleene-style (all: any ✗ → ✗, else any ? → ?, else ✓; any: the dual; not
swaps ✓ and ✗). Profiles are plain dicts keyed by attribute name; dates may be
datetime.date or ISO strings, tags lists or sets; derived attributes (size,
rd_ratio) are computed when absent.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

from core.industries import normalize_industry

from .attributes import ATTRIBUTES
from .rules import (
    CompiledRule,
    Leaf,
    compile_rule,
    fmt_value,
    full_years,
    parse_date,
    requirement,
    requirement_not,
    years_before,
)
from .sizes import possible_sizes

MEETS, FAILS, UNKNOWN = "meets", "fails", "unknown"
MARK = {True: "✓", False: "✗", None: "?"}
OUTCOME = {True: MEETS, False: FAILS, None: UNKNOWN}
TRUTH = {MEETS: True, FAILS: False, UNKNOWN: None}
SWAP = {MEETS: FAILS, FAILS: MEETS, UNKNOWN: UNKNOWN}
OUT_OF_PERIOD = "政策不在有效期内"


class Reason(NamedTuple):
    path: str  # the leaf's path in the rule, e.g. "condition.all[2]"; "when" for the period
    outcome: str  # the leaf's own answer: meets / fails / unknown
    text: str  # e.g. "营业收入 1,200万元，要求不低于 1,000万元 ✓"
    negated: bool = False  # under an odd number of "not": a ✗ here helps the rule
    changeable: bool = False  # the enterprise can bring this condition round (see changeable())

    @property
    def shown(self) -> str:
        """The answer as the text states it: the requirement with any "not" folded in."""
        return SWAP[self.outcome] if self.negated else self.outcome

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "outcome": self.outcome,
            "text": self.text,
            "negated": self.negated,
            "shown": self.shown,
            "changeable": self.changeable,
        }


class Verdict:
    """outcome: meets / fails / unknown; reasons: one per condition (or the period's);
    nearly: fails, but changing one condition's answer would make it meet;
    short_by: when nearly, the conditions each of which alone would make it meet;
    otherwise, for a failing verdict, every condition that counts against it."""

    __slots__ = ("outcome", "reasons", "nearly", "short_by")

    def __init__(
        self,
        outcome: str,
        reasons: list[Reason] | None = None,
        nearly: bool = False,
        short_by: list[Reason] | None = None,
    ) -> None:
        self.outcome = outcome
        self.reasons = [] if reasons is None else reasons
        self.nearly = nearly
        self.short_by = [] if short_by is None else short_by

    def __repr__(self) -> str:
        return f"Verdict({self.outcome!r}, nearly={self.nearly}, reasons={self.reasons!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Verdict) and (self.outcome, self.reasons, self.nearly, self.short_by) == (
            other.outcome,
            other.reasons,
            other.nearly,
            other.short_by,
        )

    @property
    def meets(self) -> bool:
        return self.outcome == MEETS

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "nearly": self.nearly,
            "reasons": [r.to_dict() for r in self.reasons],
            "short_by": [r.to_dict() for r in self.short_by],
        }


# ---------------------------------------------------------------- profiles


def _number(v: Any) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, (int, float, Decimal)):
        f = float(v)
        return f if math.isfinite(f) else None
    if isinstance(v, str):
        try:
            f = float(v.replace(",", ""))
        except ValueError:
            return None
        return f if math.isfinite(f) else None
    return None


def _bool(v: Any) -> bool | None:
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v)
    if isinstance(v, str):
        low = v.strip().lower()
        if low in ("true", "1", "yes", "是", "y", "t"):
            return True
        if low in ("false", "0", "no", "否", "n", "f"):
            return False
    return None


def _tags(v: Any) -> frozenset[str] | None:
    if v is None:
        return None
    if isinstance(v, str):
        v = [t for t in v.replace("；", ",").replace(";", ",").replace("|", ",").split(",") if t.strip()]
    try:
        return frozenset(str(t).strip() for t in v)
    except TypeError:
        return None


def normalize_value(name: str, v: Any) -> Any:
    """One attribute's value in the form the rule tests use (None when missing or unreadable)."""
    attr = ATTRIBUTES[name]
    t = attr.type
    if v is None:
        return None
    if t == "number":
        return _number(v)
    if t == "date":
        d = parse_date(v)
        return d.toordinal() if d else None
    if t == "category":
        return list(attr.choices).index(v) if v in attr.choices else None
    if t == "tags":
        return _tags(v)
    if t == "bool":
        return _bool(v)
    if name == "industry":
        return normalize_industry(v)
    if name == "region":
        v = str(v)
        return v if len(v) == 6 and v.isdigit() else None
    return str(v)


def exact(v: Any) -> Fraction:
    """A number as the decimal it was written as (a float by its shortest repr)."""
    if isinstance(v, Fraction):
        return v
    if isinstance(v, float):
        return Fraction(repr(v))
    return Fraction(v)


def rd_ratio(rd_spending: Any, revenue: Any) -> Fraction | None:
    """R&D spending as a percentage of revenue, exactly (a Fraction, so that "≥ 3%"
    means rd × 100 ≥ 3 × revenue); None when revenue is missing or not positive."""
    if rd_spending is None or revenue is None or revenue <= 0:
        return None
    return exact(rd_spending) * 100 / exact(revenue)


def size_value(possible: frozenset[int]) -> int | frozenset[int]:
    """A size as profiles hold it: the rank when one class is possible, else the set."""
    return next(iter(possible)) if len(possible) == 1 else possible


def normalize_profile(profile: Mapping[str, Any]) -> dict[str, Any]:
    """Every attribute's normalised value, with the derived ones computed when absent.
    A computed size is the rank of its class or, when the inputs leave several classes
    possible, the frozenset of their ranks (sizes.possible_sizes)."""
    out = {name: normalize_value(name, profile.get(name)) for name in ATTRIBUTES}
    if out["size"] is None and profile.get("size") is None:
        out["size"] = size_value(possible_sizes(out["industry"], out["employees"], out["revenue"], out["total_assets"]))
    if out["rd_ratio"] is None and profile.get("rd_ratio") is None:
        out["rd_ratio"] = rd_ratio(out["rd_spending"], out["revenue"])
    return out


# ---------------------------------------------------------------- leaves


def leaf_truth(leaf: Leaf, value: Any, today: dt.date) -> bool | None:
    """True / False / None (unknown) for one leaf and a normalised value."""
    if value is None:
        return None
    if isinstance(value, frozenset) and leaf.attribute.type == "category":
        # a set of classes still possible: decided when every one of them agrees
        answers = {leaf_truth(leaf, rank, today) for rank in value}
        return answers.pop() if len(answers) == 1 else None
    op, v = leaf.op, leaf.value
    if isinstance(value, Fraction) and leaf.attribute.type == "number":
        v = tuple(exact(x) for x in v) if isinstance(v, tuple) else exact(v)
    if op == ">=":
        return value >= v
    if op == "<=":
        return value <= v
    if op == ">":
        return value > v
    if op == "<":
        return value < v
    if op == "==":
        return value == v
    if op == "!=":
        return value != v
    if op == "between":
        return v[0] <= value <= v[1]
    if op == "in":
        return value in v
    if op == "not_in":
        return value not in v
    if op == "prefix":
        return any(value.startswith(p) for p in v)
    if op == "has":
        return v in value
    if op == "has_any":
        return any(t in value for t in v)
    if op == "has_all":
        return all(t in value for t in v)
    if op == "is_true":
        return value is True
    if op == "is_false":
        return value is False
    if op == "years_since>=":
        return value <= years_before(today, v).toordinal()
    if op == "years_since<=":
        return value >= years_before(today, v).toordinal()
    raise ValueError(op)


# Attributes an enterprise can bring round by itself, growing (more staff, revenue, R&D,
# a better credit rating, a qualification): only these make an item "nearly" met.
GROWING = {
    "employees",
    "insured_employees",
    "revenue",
    "total_assets",
    "tax_paid",
    "rd_spending",
    "rd_ratio",
    "exports",
    "patents",
    "registered_capital",
    "credit_rating",
    "size",
}
_INVERSE = {
    ">=": "<",
    "<": ">=",
    ">": "<=",
    "<=": ">",
    "==": "!=",
    "!=": "==",
    "in": "not_in",
    "not_in": "in",
    "years_since>=": "years_since<",
    "years_since<=": "years_since>",
}


def changeable(leaf: Leaf, value: Any, truth: bool | None) -> bool:
    """Whether the enterprise can turn this condition's answer round (from `truth` to its
    opposite) by itself: gain a qualification, grow a measure, or wait for a date to pass.
    Never its industry, region, legal form or listing."""
    if truth is None or value is None:
        return False
    attr, op = leaf.attr, leaf.op if not truth else _INVERSE.get(leaf.op)
    if attr == "qualifications":
        return not truth  # gaining a qualification, never giving one up
    if attr == "founded_on":
        return op in ("years_since>=", "years_since>")  # time passes
    if attr not in GROWING or op is None or isinstance(value, frozenset):
        return False
    v = leaf.value
    if op in (">=", ">"):
        return True
    if op == "between":
        return value < v[0]
    if op == "in" and leaf.attribute.type == "category":
        return any(x > value for x in v)
    if op == "!=" and leaf.attribute.type == "category":
        return True
    return False


def _actual(leaf: Leaf, value: Any, today: dt.date, memo: dict[Any, Any] | None) -> str:
    """What the enterprise has, e.g. "营业收入 1,200万元", "已认定为高新技术企业"."""
    attr = leaf.attribute
    if attr.type == "tags":
        wanted = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
        held = [attr.choices[t] for t in wanted if t in value]
        return f"已认定为{'、'.join(held)}" if held else f"未认定为{'、'.join(attr.choices[t] for t in wanted)}"
    if attr.type == "bool":
        return ("是" if value else "不是") + attr.label
    if leaf.op.startswith("years_since"):
        founded = dt.date.fromordinal(value)
        return f"{attr.label} {founded.isoformat()}（成立 {full_years(founded, today)} 年）"
    if isinstance(value, frozenset):
        return f"{attr.label}可能为{'或'.join(fmt_value(attr, r) for r in sorted(value, reverse=True))}（缺少划型所需数据）"
    shown: str | None
    if memo is None:
        shown = fmt_value(attr, value)
    else:  # the enterprise's own value, formatted once for all its rules
        shown = memo.get(("shown", attr.name))
        if shown is None:
            shown = memo[("shown", attr.name)] = fmt_value(attr, value)
    return f"{attr.label} {shown}"


def leaf_text(
    leaf: Leaf,
    value: Any,
    truth: bool | None,
    today: dt.date,
    memo: dict[Any, Any] | None = None,
    negated: bool = False,
) -> str:
    """The reason for one condition. Under an odd number of "not" the requirement is
    stated the way round the rule means it (要求未认定为…), with that answer's mark."""
    attr = leaf.attribute
    if truth is None:
        if isinstance(value, frozenset):
            return f"{_actual(leaf, value, today, memo)}，要求{requirement(leaf) if not negated else requirement_not(leaf)} ?"
        return f"缺少{attr.label}数据 ?"
    if negated:
        return f"{_actual(leaf, value, today, memo)}，要求{requirement_not(leaf)} {MARK[not truth]}"
    mark = MARK[truth]
    op, v = leaf.op, leaf.value
    if attr.type == "tags":
        names = attr.choices
        if op == "has":
            return f"{'已' if truth else '未'}认定为{names[v]} {mark}"
        if op == "has_any":
            if truth:
                held = "、".join(names[t] for t in v if t in value)
                return f"已认定为{held}（要求具备其一） {mark}" if len(v) > 1 else f"已认定为{held} {mark}"
            return f"未认定为{'、'.join(names[t] for t in v)}" + ("中任何一项" if len(v) > 1 else "") + f" {mark}"
        if truth:
            return f"已认定为{'、'.join(names[t] for t in v)} {mark}"
        lacking = "、".join(names[t] for t in v if t not in value)
        return f"未认定为{lacking}（要求同时具备{'、'.join(names[t] for t in v)}） {mark}"
    if attr.type == "bool":
        actual = ("是" if value else "不是") + attr.label
        return f"{actual} {mark}" if truth else f"{actual}，要求{requirement(leaf)} {mark}"
    return f"{_actual(leaf, value, today, memo)}，要求{requirement(leaf)} {mark}"


# ---------------------------------------------------------------- rules


def _combine(node: Any, truths: dict[str, bool | None]) -> bool | None:
    if isinstance(node, Leaf):
        return truths[node.path]
    if node.kind == "not":
        t = _combine(node.children[0], truths)
        return None if t is None else not t
    result: bool | None
    if node.kind == "all":
        result = True
        for child in node.children:
            t = _combine(child, truths)
            if t is False:
                return False
            if t is None:
                result = None
        return result
    result = False
    for child in node.children:
        t = _combine(child, truths)
        if t is True:
            return True
        if t is None:
            result = None
    return result


def _negations(node: Any, negated: bool = False, out: dict[str, bool] | None = None) -> dict[str, bool]:
    out = {} if out is None else out
    if isinstance(node, Leaf):
        out[node.path] = negated
    else:
        for child in node.children:
            _negations(child, negated ^ (node.kind == "not"), out)
    return out


def evaluate(
    rule: Any,
    profile: Mapping[str, Any],
    *,
    today: dt.date,
    normalized: bool = False,
    memo: dict[Any, Any] | None = None,
) -> Verdict:
    """The verdict of one rule (JSON or compile_rule's result) for one profile.

    normalized=True says `profile` is already normalize_profile's result; memo, a dict
    kept across calls for the same profile and day, shares each condition's answer and
    text among rules (both are for evaluating many rules for one enterprise).
    """
    compiled: CompiledRule = rule if isinstance(rule, CompiledRule) else compile_rule(rule)
    if (compiled.start is not None and today < compiled.start) or (compiled.end is not None and today > compiled.end):
        return Verdict(FAILS, [Reason("when", FAILS, f"{OUT_OF_PERIOD} ✗")])
    values = profile if normalized else normalize_profile(profile)
    memo = {} if memo is None else memo
    reasons: list[Reason] = []
    for leaf, key, reason_key, path, negated in compiled.plan:
        reason = memo.get(reason_key)
        if reason is None:
            hit = memo.get(key)
            if hit is None:
                value = values[leaf.attr]
                truth = leaf_truth(leaf, value, today)
                hit = memo[key] = (OUTCOME[truth], truth, value, changeable(leaf, value, truth))
            text_key = (key, negated)
            text = memo.get(text_key)
            if text is None:
                text = memo[text_key] = leaf_text(leaf, hit[2], hit[1], today, memo, negated)
            reason = memo[reason_key] = Reason(path, hit[0], text, negated, hit[3])
        reasons.append(reason)
    if compiled.flat:
        # all() of plain conditions (or one condition): count instead of walking the tree
        answers = [SWAP[r.outcome] if r.negated else r.outcome for r in reasons]
        outcome = FAILS if FAILS in answers else UNKNOWN if UNKNOWN in answers else MEETS
        verdict = Verdict(outcome, reasons)
        if outcome == FAILS:
            failing = [r for r, a in zip(reasons, answers) if a == FAILS]
            verdict.nearly = len(failing) == 1 and UNKNOWN not in answers and failing[0].changeable
            verdict.short_by = failing
        return verdict
    leaves = compiled.leaf_list
    truths = {r.path: TRUTH[r.outcome] for r in reasons}
    result = _combine(compiled.root, truths)
    verdict = Verdict(OUTCOME[result], reasons)
    if result is False:
        by_path = {r.path: r for r in reasons}
        fixes: list[Reason] = []
        for leaf in leaves:
            t = truths[leaf.path]
            if t is None or not by_path[leaf.path].changeable:
                continue
            flipped = dict(truths)
            flipped[leaf.path] = not t
            if _combine(compiled.root, flipped) is True:
                fixes.append(by_path[leaf.path])
        verdict.nearly = bool(fixes)
        verdict.short_by = fixes or [
            r for r in reasons if (r.outcome == FAILS and not r.negated) or (r.outcome == MEETS and r.negated)
        ]
    return verdict
