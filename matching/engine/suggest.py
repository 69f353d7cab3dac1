"""Rule suggestions drafted from a benefit item's 申报条件 text, for the department to accept or
correct: the common patterns (region, industry, size, years since founding, qualifications,
head count, R&D ratio, tax credit rating, revenue, assets, registered capital), each with the
span of text it came from. A draft only: nothing here is saved; a person reviews it in the
rule editor and saves it through services.save_rule like any rule.

Patterns are deliberately narrow: a clause that names no profile attribute in a recognised
form gives nothing (better no suggestion than a wrong one; see docs/performance.md for the
precision on a hand-checked sample).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from core.industries import DIVISIONS, SECTIONS

from .rules import compile_rule, describe_leaf

CLAUSE = re.compile(r"[^；;。\n]+")
NUMBER = r"(\d+(?:\.\d+)?)"
AT_LEAST = r"(?:不低于|不少于|达到|超过|在|≥|大于等于)?"
MORE = r"(?:（含）)?以上"
LESS = r"(?:（含）)?(?:以下|以内)"


@dataclass(frozen=True)
class Suggestion:
    node: dict[str, Any]  # a rule condition (a leaf, or {"not": leaf})
    start: int  # the span of the text it came from
    end: int
    text: str  # that span
    description: str  # the condition in words

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "description": self.description,
        }


def _amount(number: str, unit: str) -> float:
    value = float(number) * (10000 if unit == "亿" else 1)
    return int(value) if value.is_integer() else value


_QUAL_PATTERNS = [  # most specific first; the span it covers is not matched again
    (r"专精特新[“\"]?小巨人[”\"]?企业", "little_giant"),
    (r"专精特新中小企业|专精特新企业", "specialised_sme"),
    (r"高新技术企业", "high_tech"),
    (r"科技型中小企业", "tech_sme"),
    (r"创新型中小企业", "innovative_sme"),
    (r"(?:制造业)?单项冠军企业", "manufacturing_champion"),
    (r"省级企业技术中心", "tech_centre"),
    (r"瞪羚企业", "gazelle"),
]
_NOT_YET = re.compile(r"(未|尚未|没有|首次)(?:被)?(?:认定|获评|取得|评为|入选)?[^，,]{0,4}$")
_NUMERIC = [  # (pattern, attribute, direction); group 1 the number, group 2 (optional) 万/亿
    (rf"(?:从业人员|从业人数|职工人数|员工人数|在职职工)(?:总数)?{AT_LEAST}{NUMBER}人{MORE}", "employees", ">="),
    (
        rf"(?:从业人员|从业人数|职工人数|员工人数|在职职工)(?:总数)?(?:不超过|不高于|低于|在)?{NUMBER}人(?:{LESS})?",
        "employees",
        "<=?",
    ),
    (rf"参保(?:职工)?人数{AT_LEAST}{NUMBER}人(?:{MORE})?", "insured_employees", ">="),
    (rf"(?:年?营业收入|年?销售收入|主营业务收入)(?:达到|不低于|超过|在)?{NUMBER}(万|亿)元(?:{MORE})?", "revenue", ">="),
    (rf"资产总额(?:不超过|不高于|低于|在)?{NUMBER}(万|亿)元(?:{LESS})?", "total_assets", "<=?"),
    (rf"资产总额(?:达到|不低于|超过)?{NUMBER}(万|亿)元{MORE}", "total_assets", ">="),
    (rf"(?:实缴)?注册资本(?:达到|不低于|超过|在)?{NUMBER}(万|亿)元{MORE}", "registered_capital", ">="),
    (rf"有效发明专利{AT_LEAST}{NUMBER}件(?:{MORE})?", "patents", ">="),
]
_RD = re.compile(
    rf"研发(?:费用|投入|经费)(?:总额)?占(?:同期)?(?:营业|销售)?收入(?:总额)?(?:的)?(?:比例|比重)?"
    rf"(?:不低于|达到|超过|在|≥)?{NUMBER}%(?:{MORE})?"
)
_CREDIT = re.compile(r"纳税信用(?:等级|评价)?(?:为|评为|达到|在)?\s*([ABM])级(?:及以上|以上)?|([ABM])级纳税人")
_FOUNDED = [
    (
        re.compile(rf"(?:注册)?成立(?:时间)?(?:满|超过|已满)?{NUMBER}年(?:（含）)?以上|成立满{NUMBER}年"),
        "years_since>=",
    ),
    (
        re.compile(rf"(?:注册)?成立(?:时间)?(?:不满|未满|不超过|不足){NUMBER}年|成立{NUMBER}年(?:（含）)?以内"),
        "years_since<=",
    ),
]
_SIZES = [
    (re.compile(r"中小微企业|中小企业"), ["medium", "small", "micro"]),
    (
        re.compile(r"小微企业|小型、微型企业"),
        ["small", "micro"],
    ),  # 小型微利企业 is a tax category (企业所得税法实施条例 第九十二条), not a size class
]
_LOCAL = re.compile(
    r"(?:注册地|注册|登记|住所|税收户管地)[^，,]{0,8}在本(?:地|市|县|区|省)"
    r"|在本(?:地|市|县|区|省)(?:内)?(?:依法)?(?:注册|登记)"
)


def _industry_names() -> list[tuple[str, str]]:
    """(name, code prefix) of every section and division, longest name first; a few
    common shorter forms as policies write them."""
    from core.industries import SECTION_OF

    names = {name: letter for letter, name in SECTIONS.items()}
    names.update({name: f"{SECTION_OF[d]}{d:02d}" for d, name in DIVISIONS.items()})
    names.update(
        {
            "烟草制造业": "C16",
            "住宿和餐饮业": "H",
            "批发和零售业": "F",
            "制造业": "C",
            "建筑业": "E",
            "房地产业": "K",
            "金融业": "J",
            "软件和信息技术服务业": "I65",
        }
    )
    return sorted(names.items(), key=lambda kv: -len(kv[0]))


_INDUSTRIES = _industry_names()


def suggest(text: str, *, region: str = "510000") -> list[Suggestion]:
    """Conditions drafted from 申报条件 text. `region`: the item's claiming region (本地 means it)."""
    out: list[Suggestion] = []
    for clause in CLAUSE.finditer(text or ""):
        out.extend(_clause(clause.group(), clause.start(), region))
    seen: set[str] = set()
    unique: list[Suggestion] = []
    for s in out:
        key = repr(s.node)
        if key not in seen:
            seen.add(key)
            unique.append(s)
    return unique


def draft_rule(suggestions: list[Suggestion]) -> dict[str, Any] | None:
    """The suggestions as one rule (all of them), or None when there are none."""
    if not suggestions:
        return None
    nodes = [s.node for s in suggestions]
    return {"when": {"from": None, "until": None}, "condition": {"all": nodes}}


def _clause(clause: str, offset: int, region: str) -> list[Suggestion]:
    found: list[tuple[dict[str, Any], int, int]] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for pattern, tag in _QUAL_PATTERNS:
        for m in re.finditer(pattern, clause):
            if not free(m.start(), m.end()):
                continue
            taken.append((m.start(), m.end()))
            leaf = {"attr": "qualifications", "op": "has", "value": tag}
            before = clause[max(0, m.start() - 8) : m.start()]
            found.append(({"not": leaf} if _NOT_YET.search(before) else leaf, m.start(), m.end()))
    for pattern, attr, direction in _NUMERIC:
        for m in re.finditer(pattern, clause):
            if not free(m.start(), m.end()):
                continue
            unit = m.group(2) if m.re.groups >= 2 else ""
            value = _amount(m.group(1), unit or "")
            op = direction
            if direction == "<=?":
                said = m.group()
                if not re.search(r"不超过|不高于|以下|以内", said):
                    continue  # a bare figure with no direction: not a condition
                op = "<" if "低于" in said and "不" not in said else "<="
            taken.append((m.start(), m.end()))
            found.append(({"attr": attr, "op": op, "value": value}, m.start(), m.end()))
    for m in _RD.finditer(clause):
        taken.append((m.start(), m.end()))
        found.append(({"attr": "rd_ratio", "op": ">=", "value": _amount(m.group(1), "")}, m.start(), m.end()))
    for m in _CREDIT.finditer(clause):
        grade = m.group(1) or m.group(2)
        op = "==" if m.group(2) or not re.search(r"以上", m.group()) else ">="
        found.append(({"attr": "credit_rating", "op": op, "value": grade}, m.start(), m.end()))
    for founded, op in _FOUNDED:
        for m in founded.finditer(clause):
            years = next(g for g in m.groups() if g)
            found.append(({"attr": "founded_on", "op": op, "value": int(float(years))}, m.start(), m.end()))
    for size_pattern, sizes in _SIZES:
        for m in size_pattern.finditer(clause):
            if free(m.start(), m.end()) and not re.search(r"评价|入库|认定", clause[m.end() : m.end() + 4]):
                taken.append((m.start(), m.end()))
                found.append(({"attr": "size", "op": "in", "value": sizes}, m.start(), m.end()))
    for m in _LOCAL.finditer(clause):
        found.append(({"attr": "region", "op": "prefix", "value": [region]}, m.start(), m.end()))
    if re.search(r"行业", clause):
        codes: list[tuple[int, str]] = []
        first: int | None = None
        last: int | None = None
        for name, code in _INDUSTRIES:
            at = clause.find(name)
            if at >= 0 and free(at, at + len(name)):
                codes.append((at, code))
                taken.append((at, at + len(name)))
                first = at if first is None else min(first, at)
                last = at + len(name) if last is None else max(last, at + len(name))
        if codes:
            assert first is not None and last is not None  # set with the first code
            industry: dict[str, Any] = {"attr": "industry", "op": "prefix", "value": [c for _, c in sorted(codes)]}
            negative = re.search(r"不属于|除外|负面清单|不包括", clause)
            found.append(({"not": industry} if negative else industry, first, last))
    out: list[Suggestion] = []
    for node, start, end in sorted(found, key=lambda f: f[1]):
        try:
            compiled = compile_rule({"condition": node})
        except ValueError:
            continue  # e.g. a code the engine does not know: no suggestion
        words = describe_leaf(compiled.leaf_list[0])
        out.append(
            Suggestion(
                node, offset + start, offset + end, clause[start:end], ("不满足：" + words) if "not" in node else words
            )
        )
    return out
