"""Enterprise size (大型/中型/小型/微型) per 工信部联企业〔2011〕300号
《中小企业划型标准规定》 and its statistical form, 国统字〔2017〕213号
《统计上大中小微型企业划分办法（2017）》 (the 附表 below; industries by GB/T 4754-2017).

Each industry group has up to two measures among employees (从业人员 X, 人),
revenue (营业收入 Y, 万元) and total assets (资产总额 Z, 万元). A class is reached
when every measure is at or above its lower bound (附表 注1: "大型、中型和小型
企业须同时满足所列指标的下限，否则下划一档"), so micro is the rest. As every
bound falls class by class, the class is the lowest one any single measure reaches.

When a measure (or the exact industry) is unknown, the enterprise's size is the set
of classes still possible: an unknown measure caps nothing, so the set is every class
at or below the cap of the known measures, united over the groups the industry code
may fall in. A set of one class is a decided size.

Outside the standard (办法 第三条 names 15 sections and 社会工作 only; 附表 注2 excludes
铁路运输业 and 自有房地产经营活动): 金融业 J, 教育 P, 卫生 Q84, 公共管理 S, 国际组织 T,
铁路运输业 G53, K704 (GB/T 4754-2017 房地产租赁经营, the 2011 edition's 自有房地产经营活动).
Such an enterprise has no class under this standard: every class stays possible.
"""

from __future__ import annotations

from typing import Any

from core.industries import SECTION_OF as _SECTION_OF
from core.industries import parse_industry

E, R, A = "employees", "revenue", "total_assets"

# 国统字〔2017〕213号 附表 — group: (measures, {class: lower bounds in the order of measures}).
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
RANKS = ("micro", "small", "medium", "large")  # the order of attributes.SIZE_CHOICES
ALL_RANKS = frozenset(range(4))
OUTSIDE = None  # a candidate "group" that stands for "outside the standard"

# 附表 注2: the groups' scope in GB/T 4754-2017 divisions (and groups where a division splits).
OTHER = "其他未列明行业"
_DIVISION: dict[int, tuple[str | None, ...]] = {}
for _d in range(1, 6):
    _DIVISION[_d] = ("农林牧渔业",)
for _d in range(6, 47):
    _DIVISION[_d] = ("工业",)  # 采矿业, 制造业, 电力、热力、燃气及水生产和供应业
for _d in range(47, 51):
    _DIVISION[_d] = ("建筑业",)
_DIVISION.update(
    {
        51: ("批发业",),
        52: ("零售业",),
        53: (OUTSIDE,),  # 铁路运输业: 交通运输业 "不包括铁路运输业"
        54: ("交通运输业",),
        55: ("交通运输业",),
        56: ("交通运输业",),
        57: ("交通运输业",),
        58: ("交通运输业",),
        59: ("交通运输业", "仓储业"),  # 591 装卸搬运 is 交通运输业, 592–599 仓储业
        60: ("邮政业",),
        61: ("住宿业",),
        62: ("餐饮业",),
        63: ("信息传输业",),
        64: ("信息传输业",),
        65: ("软件和信息技术服务业",),
        70: ("房地产开发经营", "物业管理", OTHER, OUTSIDE),
        71: ("租赁和商务服务业",),
        72: ("租赁和商务服务业",),
        84: (OUTSIDE,),  # 卫生: not in 第三条's scope
        85: (OTHER,),  # 社会工作
    }
)
for _d in (*range(73, 83), *range(86, 91)):
    _DIVISION[_d] = (
        OTHER,
    )  # 科学研究和技术服务业 M; 水利、环境和公共设施管理业 N; 居民服务、修理和其他服务业 O; 文化、体育和娱乐业 R
for _d in (*range(66, 70), 83, *range(91, 98)):
    _DIVISION[_d] = (OUTSIDE,)  # 金融业 J, 教育 P, 公共管理 S, 国际组织 T
_GROUP = {
    591: ("交通运输业",),
    592: ("仓储业",),
    593: ("仓储业",),
    594: ("仓储业",),
    595: ("仓储业",),
    596: ("仓储业",),
    599: ("仓储业",),
    701: ("房地产开发经营",),
    702: ("物业管理",),
    703: (OTHER,),
    704: (OUTSIDE,),
    709: (OTHER,),
}
_SECTION: dict[str, tuple[str | None, ...]] = {}
for _d, _groups in _DIVISION.items():
    _SECTION[_SECTION_OF[_d]] = tuple(dict.fromkeys(_SECTION.get(_SECTION_OF[_d], ()) + _groups))


def size_groups(industry: Any) -> tuple[str | None, ...] | None:
    """The 划型 groups an industry code may fall in (OUTSIDE among them when part of
    the code lies outside the standard); None when the code is missing or invalid."""
    parsed = parse_industry(industry)
    if parsed is None:
        return None
    section, division, group, _ = parsed
    if division < 0:
        return _SECTION[section]
    if group >= 0 and group in _GROUP:
        return _GROUP[group]
    return _DIVISION[division]


def size_group(industry: Any) -> str | None:
    """The one 划型 group of an industry code, or None if it has none or several."""
    groups = size_groups(industry)
    return groups[0] if groups and len(groups) == 1 else None


def measure_rank(group: str, measure: str, value: Any) -> int:
    """The highest class rank (0 micro … 3 large) one measure reaches; 3 when unknown."""
    measures, bounds = GROUPS[group]
    if value is None:
        return 3
    i = measures.index(measure)
    return sum(value >= bounds[cls][i] for cls in CLASSES)


def group_cap(group: str, employees: Any, revenue: Any, total_assets: Any) -> int:
    values = {E: employees, R: revenue, A: total_assets}
    return min(measure_rank(group, m, values[m]) for m in GROUPS[group][0])


def possible_sizes(industry: Any, employees: Any, revenue: Any, total_assets: Any) -> frozenset[int]:
    """The set of class ranks (0 micro … 3 large) still possible for these inputs."""
    groups = size_groups(industry)
    if groups is None:
        groups = GROUP_NAMES  # industry unknown: any group
    if OUTSIDE in groups:
        return ALL_RANKS
    values = {E: employees, R: revenue, A: total_assets}
    out: set[int] = set()
    for g in [g for g in groups if g is not None]:  # none is OUTSIDE (above); for the checker
        cap = group_cap(g, employees, revenue, total_assets)
        if any(values[m] is None for m in GROUPS[g][0]):
            out.update(range(cap + 1))  # an unknown measure may be tiny: anything up to the cap
        else:
            out.add(cap)
    return frozenset(out)


def classify_group(group: str, employees: Any, revenue: Any, total_assets: Any) -> str | None:
    measures, _ = GROUPS[group]
    values = {E: employees, R: revenue, A: total_assets}
    if any(values[m] is None for m in measures):
        return None
    return RANKS[group_cap(group, employees, revenue, total_assets)]


def classify_size(industry: Any, employees: Any, revenue: Any, total_assets: Any) -> str | None:
    """ "large" | "medium" | "small" | "micro" when the inputs decide one class, else None."""
    groups = size_groups(industry)
    if groups is None or OUTSIDE in groups:
        return None
    possible = possible_sizes(industry, employees, revenue, total_assets)
    return RANKS[next(iter(possible))] if len(possible) == 1 else None
