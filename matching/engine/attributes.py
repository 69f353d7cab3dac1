"""The enterprise attributes a benefit condition may name.

Each attribute has a type that decides which operators apply (see rules.py),
a Chinese label for reasons and forms, a unit, and the department its data
come from. Derived attributes (size, rd_ratio) are computed by the engine
from the base ones and are never entered by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TYPES = ("number", "date", "code", "category", "tags", "bool")


@dataclass(frozen=True)
class Attribute:
    name: str
    label: str
    type: str
    unit: str = ""
    source: str = ""
    # category: the choices in ascending order (so >, >= etc. compare ranks);
    # tags: the known tags. {value: Chinese label}
    choices: dict[str, str] = field(default_factory=dict)
    derived: bool = False
    integer: bool = False  # number attributes that only take whole values


SIZE_CHOICES = {"micro": "微型", "small": "小型", "medium": "中型", "large": "大型"}
CREDIT_CHOICES = {"D": "D级", "C": "C级", "M": "M级", "B": "B级", "A": "A级"}
QUALIFICATIONS = {
    "high_tech": "高新技术企业",
    "specialised_sme": "专精特新中小企业",
    "tech_sme": "科技型中小企业",
    "little_giant": "专精特新“小巨人”企业",
    "innovative_sme": "创新型中小企业",
    "manufacturing_champion": "制造业单项冠军企业",
    "tech_centre": "省级企业技术中心",
    "gazelle": "瞪羚企业",
}

_ATTRS = [
    Attribute("region", "所在地区", "code", "", "市场监管"),
    Attribute("industry", "所属行业", "code", "", "市场监管"),
    Attribute("size", "企业规模", "category", "", "经信", SIZE_CHOICES, derived=True),
    Attribute("founded_on", "成立日期", "date", "", "市场监管"),
    Attribute("registered_capital", "注册资本", "number", "万元", "市场监管"),
    Attribute("employees", "从业人员", "number", "人", "人社", integer=True),
    Attribute("insured_employees", "参保职工人数", "number", "人", "人社", integer=True),
    Attribute("revenue", "营业收入", "number", "万元", "税务"),
    Attribute("total_assets", "资产总额", "number", "万元", "税务"),
    Attribute("tax_paid", "纳税总额", "number", "万元", "税务"),
    Attribute("rd_spending", "研发投入", "number", "万元", "税务"),
    Attribute("rd_ratio", "研发投入占营业收入比例", "number", "%", "税务", derived=True),
    Attribute("exports", "出口额", "number", "万元", "商务"),
    Attribute("patents", "有效发明专利数", "number", "件", "市场监管", integer=True),
    Attribute("credit_rating", "纳税信用等级", "category", "", "税务", CREDIT_CHOICES),
    Attribute("qualifications", "资质认定", "tags", "", "经信", QUALIFICATIONS),
    Attribute("is_listed", "上市企业", "bool", "", "金融"),
    Attribute("is_individual", "个体工商户", "bool", "", "市场监管"),
]

ATTRIBUTES: dict[str, Attribute] = {a.name: a for a in _ATTRS}
DERIVED = tuple(a.name for a in _ATTRS if a.derived)
# Base attributes each derived attribute is computed from.
DERIVED_FROM = {
    "size": ("industry", "employees", "revenue", "total_assets"),
    "rd_ratio": ("rd_spending", "revenue"),
}
