"""Enterprise size (大型/中型/小型/微型) per 工信部联企业〔2011〕300号
《中小企业划型标准规定》.

Each industry group has up to two measures among employees (从业人员, 人),
revenue (营业收入, 万元) and total assets (资产总额, 万元). A class is reached
when every measure is at or above its lower bound ("同时满足"); otherwise
the enterprise falls to the next class down, so micro is the rest.
Returns None when a measure the group needs is missing, or when the industry
is outside the standard (金融业 J, 公共管理 S, 国际组织 T) or too coarse to
place (a bare section "F" or division "70").
"""
from __future__ import annotations

from .industries import parse_industry

E, R, A = "employees", "revenue", "total_assets"

# group: (measures, {class: lower bounds in the order of measures}) — large, medium, small.
GROUPS: dict[str, tuple[tuple[str, ...], dict[str, tuple[float, ...]]]] = {
    "农林牧渔业": ((R,), {"large": (20000,), "medium": (500,), "small": (50,)}),
    "工业": ((E, R), {"large": (1000, 40000), "medium": (300, 2000), "small": (20, 300)}),
    "建筑业": ((R, A), {"large": (80000, 80000), "medium": (6000, 5000), "small": (300, 300)}),
    "批发业": ((E, R), {"large": (200, 40000), "medium": (20, 5000), "small": (5, 1000)}),
    "零售业": ((E, R), {"large": (300, 20000), "medium": (50, 500), "small": (10, 100)}),
    "交通运输业": ((E, R), {"large": (1000, 30000), "medium": (300, 3000), "small": (20, 200)}),
    "仓储业": ((E, R), {"large": (200, 30000), "medium": (100, 1000), "small": (20, 100)}),
    "邮政业": ((E, R), {"large": (1000, 30000), "medium": (300, 2000), "small": (20, 100)}),
    "住宿业": ((E, R), {"large": (300, 10000), "medium": (100, 2000), "small": (10, 100)}),
    "餐饮业": ((E, R), {"large": (300, 10000), "medium": (100, 2000), "small": (10, 100)}),
    "信息传输业": ((E, R), {"large": (2000, 100000), "medium": (100, 1000), "small": (10, 100)}),
    "软件和信息技术服务业": ((E, R), {"large": (300, 10000), "medium": (100, 1000), "small": (10, 50)}),
    "房地产开发经营": ((R, A), {"large": (200000, 10000), "medium": (1000, 5000), "small": (100, 2000)}),
    "物业管理": ((E, R), {"large": (1000, 5000), "medium": (300, 1000), "small": (100, 500)}),
    "租赁和商务服务业": ((E, A), {"large": (300, 120000), "medium": (100, 8000), "small": (10, 100)}),
    "其他未列明行业": ((E,), {"large": (300,), "medium": (100,), "small": (10,)}),
}
CLASSES = ("large", "medium", "small")
GROUP_NAMES = tuple(GROUPS)


def _group_of_division(division: int) -> str | None:
    if 1 <= division <= 5:
        return "农林牧渔业"
    if 6 <= division <= 46:
        return "工业"
    if 47 <= division <= 50:
        return "建筑业"
    fixed = {51: "批发业", 52: "零售业", 59: "仓储业", 60: "邮政业", 61: "住宿业", 62: "餐饮业",
             63: "信息传输业", 64: "信息传输业", 65: "软件和信息技术服务业",
             71: "租赁和商务服务业", 72: "租赁和商务服务业"}
    if division in fixed:
        return fixed[division]
    if 53 <= division <= 58:
        return "交通运输业"
    if 66 <= division <= 69 or division >= 91 or division == 70:
        return None  # finance, public bodies: other standards; 70 needs the class
    return "其他未列明行业"  # M, N, O, P, Q, R


def size_group(industry) -> str | None:
    """The 划型 group of an industry code, or None if it cannot be placed."""
    parsed = parse_industry(industry)
    if parsed is None:
        return None
    section, division, group, klass = parsed
    if division < 0:
        # A bare section only places when the whole section is one group.
        return {"A": "农林牧渔业", "B": "工业", "C": "工业", "D": "工业", "E": "建筑业",
                "L": "租赁和商务服务业", "M": "其他未列明行业", "N": "其他未列明行业",
                "O": "其他未列明行业", "P": "其他未列明行业", "Q": "其他未列明行业",
                "R": "其他未列明行业"}.get(section)
    if division == 70:
        if group == 701:
            return "房地产开发经营"
        if group == 702:
            return "物业管理"
        return None
    return _group_of_division(division)


def classify_group(group: str, employees, revenue, total_assets) -> str | None:
    measures, bounds = GROUPS[group]
    values = {E: employees, R: revenue, A: total_assets}
    got = [values[m] for m in measures]
    if any(v is None for v in got):
        return None
    for cls in CLASSES:
        if all(v >= b for v, b in zip(got, bounds[cls])):
            return cls
    return "micro"


def classify_size(industry, employees, revenue, total_assets) -> str | None:
    """"large" | "medium" | "small" | "micro" | None (see the module docstring)."""
    group = size_group(industry)
    if group is None:
        return None
    return classify_group(group, employees, revenue, total_assets)
