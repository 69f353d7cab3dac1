"""A synthetic Sichuan for the matching benchmark: entities and benefit items, deterministic.

Distributions are rough but shaped like the province: about 69% individual businesses,
entities concentrated in Chengdu, industries skewed to retail, wholesale, catering and
services, most enterprises micro, qualifications rare. Items: most claimed at city or
county level, rules of 2–6 conditions with the round thresholds policies use.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from core.industries import SECTION_LETTERS, SECTION_OF
from matching.engine.attributes import ATTRIBUTES
from matching.engine.bulk import ItemRule, ProfileTable
from matching.engine.regions import counties

TODAY = dt.date(2024, 11, 4)

# Resident population (万人, 2020 census, rounded) of the 21 cities; Chengdu's share of
# market entities is well above its share of people, hence the extra factor.
CITY_POPULATION = {
    "5101": 2094 * 1.6,
    "5103": 249,
    "5104": 121,
    "5105": 425,
    "5106": 346,
    "5107": 487,
    "5108": 231,
    "5109": 281,
    "5110": 314,
    "5111": 316,
    "5113": 561,
    "5114": 296,
    "5115": 459,
    "5116": 326,
    "5117": 538,
    "5118": 143,
    "5119": 271,
    "5120": 231,
    "5132": 82,
    "5133": 111,
    "5134": 486,
}
CENTRAL_CHENGDU = {"510104", "510105", "510106", "510107", "510108", "510112", "510116"}

# Share of entities by division (the rest spread evenly over all divisions).
DIVISION_SHARE = {
    52: 0.30,
    51: 0.11,
    62: 0.10,
    80: 0.04,
    81: 0.025,
    82: 0.02,
    72: 0.07,
    1: 0.03,
    3: 0.025,
    5: 0.01,
    61: 0.02,
    54: 0.03,
    65: 0.02,
    64: 0.01,
    70: 0.015,
    74: 0.015,
    75: 0.015,
    47: 0.01,
    48: 0.01,
    50: 0.02,
    13: 0.006,
    14: 0.004,
    15: 0.005,
    18: 0.003,
    21: 0.003,
    26: 0.003,
    27: 0.002,
    30: 0.006,
    33: 0.005,
    34: 0.004,
    35: 0.004,
    36: 0.002,
    38: 0.003,
    39: 0.004,
    86: 0.003,
    88: 0.004,
    89: 0.003,
    90: 0.006,
    83: 0.008,
    84: 0.008,
    71: 0.004,
    73: 0.003,
    44: 0.001,
    59: 0.004,
    60: 0.001,
    58: 0.003,
}
QUAL_RATE_AMONG_ENTERPRISES = {  # rough shares among enterprises (not individual businesses)
    "high_tech": 0.006,
    "specialised_sme": 0.003,
    "tech_sme": 0.008,
    "little_giant": 0.0002,
    "innovative_sme": 0.004,
    "manufacturing_champion": 0.00002,
    "tech_centre": 0.0004,
    "gazelle": 0.0003,
}


def county_weights():
    codes = sorted(counties())
    w = []
    rng = np.random.default_rng(7)
    for c in codes:
        city = c[:4]
        district = int(c[4:]) < 30  # 01–29 are districts (区)
        base = 3.0 if c in CENTRAL_CHENGDU else 2.0 if district else 1.0
        w.append(base * rng.lognormal(0, 0.35))
    w = np.array(w)
    for city, pop in CITY_POPULATION.items():
        sel = np.array([c.startswith(city) for c in codes])
        w[sel] = w[sel] / w[sel].sum() * pop
    return codes, w / w.sum()


def generate_entities(n: int, seed: int = 2024) -> ProfileTable:
    rng = np.random.default_rng(seed)
    codes, weights = county_weights()
    region = np.array([int(c) for c in codes], dtype=np.int32)[rng.choice(len(codes), n, p=weights)]
    individual = rng.random(n) < 0.69
    ent = ~individual

    divisions = np.arange(1, 98)
    share = np.full(97, (1 - sum(DIVISION_SHARE.values())) / 97)
    for d, s in DIVISION_SHARE.items():
        share[d - 1] += s
    div = divisions[rng.choice(97, n, p=share / share.sum())].astype(np.int16)
    grp = div * 10 + rng.integers(1, 10, n).astype(np.int16)
    grp = np.where(div == 70, np.where(rng.random(n) < 0.6, 701, 702), grp).astype(np.int16)
    cls = (grp * 10 + rng.integers(0, 10, n)).astype(np.int16)
    sec_of_div = np.array([-1] + [SECTION_LETTERS.index(SECTION_OF[d]) for d in range(1, 98)], dtype=np.int16)
    industry = np.stack([sec_of_div[div], div, grp, cls], axis=1)
    industry[rng.random(n) < 0.01] = -1  # a few without an industry code

    employees = np.where(individual, rng.geometric(0.55, n), np.round(rng.lognormal(np.log(7), 1.2, n)))
    employees = employees.astype(np.float64)
    employees[rng.random(n) < 0.05] = np.nan
    revenue = np.where(individual, rng.lognormal(np.log(18), 1.0, n), rng.lognormal(np.log(160), 1.8, n))
    revenue = np.round(revenue, 2)
    revenue[rng.random(n) < 0.10] = np.nan
    assets = np.round(np.nan_to_num(revenue, nan=50.0) * rng.lognormal(0, 0.8, n), 2)
    assets[rng.random(n) < 0.15] = np.nan
    capital = np.where(ent, np.round(rng.lognormal(np.log(100), 1.3, n), 1), np.nan)
    founded = TODAY.toordinal() - np.minimum(rng.exponential(6.5 * 365, n), 40 * 365).astype(np.int64)
    founded = founded.astype(np.int32)
    has_rd = ent & (rng.random(n) < 0.2)
    rd = np.where(has_rd, np.round(np.nan_to_num(revenue, nan=0) * rng.uniform(0, 0.12, n), 2), 0.0)
    rd[rng.random(n) < 0.2] = np.nan
    rating_ent = rng.choice(5, n, p=[0.03, 0.07, 0.20, 0.55, 0.15]).astype(np.int8)  # D C M B A ranks 0..4
    credit = np.where(ent, rating_ent, np.where(rng.random(n) < 0.3, rating_ent, -1)).astype(np.int8)
    quals = np.zeros(n, dtype=np.uint64)
    for bit, (tag, rate) in enumerate(QUAL_RATE_AMONG_ENTERPRISES.items()):
        assert list(ATTRIBUTES["qualifications"].choices)[bit] == tag
        quals |= np.where(ent & (rng.random(n) < rate * 3 * (has_rd + 0.2)), np.uint64(1 << bit), np.uint64(0))
    insured = np.where(ent, np.floor(np.nan_to_num(employees, nan=0) * rng.uniform(0.4, 1.0, n)), np.nan)
    exports = np.where(ent & (rng.random(n) < 0.02), np.round(rng.lognormal(np.log(300), 1.5, n), 1), 0.0)
    patents = np.where(has_rd, rng.poisson(2.0, n), 0).astype(np.float64)
    tax_paid = np.round(np.nan_to_num(revenue, nan=0) * rng.uniform(0.005, 0.06, n), 2)
    listed = np.where(ent & (rng.random(n) < 0.00003), 1, 0).astype(np.int8)
    ids = rng.permutation(n).astype(np.int64) + 1_000_000_000
    return ProfileTable.from_arrays(
        ids,
        {
            "region": region,
            "industry": industry,
            "founded_on": founded,
            "registered_capital": capital,
            "employees": employees,
            "insured_employees": insured,
            "revenue": revenue,
            "total_assets": assets,
            "tax_paid": tax_paid,
            "rd_spending": rd,
            "exports": exports,
            "patents": patents,
            "credit_rating": credit,
            "qualifications": quals,
            "is_listed": listed,
            "is_individual": individual.astype(np.int8),
        },
    )


# ---------------------------------------------------------------- items


def _leaf(attr, op, value=None):
    node = {"attr": attr, "op": op}
    if value is not None:
        node["value"] = value
    return node


def _pick(rng, seq):
    return seq[int(rng.integers(len(seq)))]


def _condition_pool(rng, scope: str):
    """Candidate conditions, grouped by the kind of policy they belong to."""
    p = lambda seq: _pick(rng, seq)  # noqa: E731
    tech = [
        lambda: _leaf("qualifications", "has", p(["high_tech", "tech_sme", "specialised_sme", "innovative_sme"])),
        lambda: _leaf(
            "qualifications",
            "has_any",
            p(
                [
                    ["high_tech", "tech_sme"],
                    ["specialised_sme", "little_giant"],
                    ["high_tech", "specialised_sme", "innovative_sme"],
                ]
            ),
        ),
        lambda: _leaf("rd_ratio", ">=", p([3, 4, 5, 6])),
        lambda: _leaf("rd_spending", ">=", p([50, 100, 200, 500, 1000])),
        lambda: _leaf("patents", ">=", p([1, 2, 5])),
    ]
    firm = [
        lambda: _leaf("revenue", ">=", p([100, 200, 500, 1000, 2000, 5000, 10000, 20000])),
        lambda: _leaf("revenue", "between", p([[100, 2000], [500, 5000], [1000, 40000]])),
        lambda: _leaf("employees", ">=", p([5, 10, 20, 50, 100, 300])),
        lambda: _leaf("insured_employees", ">=", p([5, 10, 30, 50, 100])),
        lambda: _leaf(
            "size", "in", p([["small", "micro"], ["medium", "small", "micro"], ["medium", "large"], ["micro"]])
        ),
        lambda: _leaf("credit_rating", "in", p([["A"], ["A", "B"], ["A", "B", "M"]])),
        lambda: {"not": _leaf("credit_rating", "in", ["C", "D"])},
        lambda: _leaf("founded_on", "years_since>=", p([1, 2, 3, 5])),
        lambda: _leaf("founded_on", "years_since<=", p([1, 2, 3, 5])),
        lambda: _leaf("registered_capital", ">=", p([50, 100, 500, 1000])),
        lambda: _leaf("tax_paid", ">=", p([10, 50, 100, 500])),
        lambda: _leaf("total_assets", "<=", p([1000, 5000, 20000])),
        lambda: _leaf("is_listed", "is_false"),
    ]
    sector = [
        lambda: _leaf(
            "industry",
            "prefix",
            p(
                [
                    ["C"],
                    ["C39", "C38", "C40"],
                    ["C26", "C27"],
                    ["I65", "I64"],
                    ["M"],
                    ["F52"],
                    ["F51", "F52"],
                    ["H62"],
                    ["H61", "H62"],
                    ["A"],
                    ["E"],
                    ["G54", "G58", "G59"],
                    ["L72"],
                    ["R"],
                    ["C13", "C14", "C15"],
                ]
            ),
        ),
        lambda: _leaf("industry", "not_in", p([["K7010"], ["J66", "J67"]])),
        lambda: _leaf("is_individual", p(["is_true", "is_false"])),
        lambda: _leaf("exports", ">=", p([50, 100, 500, 1000])),
    ]
    return tech, firm, sector


def _region_condition(rng, scope: str, codes):
    """A province item sometimes narrows to cities or counties itself."""
    if scope.endswith("0000"):
        cities = sorted({c[:4] for c in codes})
        return _leaf("region", "prefix", list(rng.choice(cities, int(rng.integers(1, 4)), replace=False)))
    prefix = scope[:4]
    inside = [c for c in codes if c.startswith(prefix)]
    return _leaf(
        "region", "in", [str(x) for x in rng.choice(inside, min(len(inside), int(rng.integers(1, 4))), replace=False)]
    )


def generate_items(n_items: int, seed: int = 4754, province_share=0.04, city_share=0.32):
    rng = np.random.default_rng(seed)
    codes = sorted(counties())
    cities = sorted({c[:4] for c in codes})
    items = []
    for item_id in range(1, n_items + 1):
        u = rng.random()
        if u < province_share:
            scope = "510000"
        elif u < province_share + city_share:
            city = "5101" if rng.random() < 0.25 else _pick(rng, cities)
            scope = city + "00"
        else:
            scope = _pick(rng, codes)
        tech, firm, sector = _condition_pool(rng, scope)
        kind = rng.random()
        k = int(rng.integers(2, 7))
        chosen = []
        if kind < 0.3:  # technology and innovation
            chosen += [_pick(rng, tech)(), _pick(rng, tech)()]
        elif kind < 0.55:  # a sector's support
            chosen += [_pick(rng, sector)()]
        while len(chosen) < k:
            r = rng.random()
            if r < 0.08 and scope.endswith("00"):
                chosen.append(_region_condition(rng, scope, codes))
            elif r < 0.12:
                chosen.append({"any": [_pick(rng, firm)(), _pick(rng, tech)()]})
            elif r < 0.25:
                chosen.append(_pick(rng, sector)())
            else:
                chosen.append(_pick(rng, firm)())
        # de-duplicate identical conditions
        unique = list({repr(c): c for c in chosen}.values())
        when = {"from": None, "until": None}
        w = rng.random()
        if w < 0.03:
            when = {"from": "2025-01-01", "until": None}
        elif w < 0.06:
            when = {"from": "2023-01-01", "until": "2024-06-30"}
        elif w < 0.5:
            when = {"from": "2024-01-01", "until": "2026-12-31"}
        items.append(ItemRule(item_id, scope, {"when": when, "condition": {"all": unique}}))
    return items


def to_records(table: ProfileTable, positions) -> list[dict]:
    """Plain dicts (as evaluate takes them) for some rows of the table."""
    sub = ProfileTable.__new__(ProfileTable)
    sub.ids = table.ids[positions]
    sub.columns = {k: c.take(positions) for k, c in table.columns.items()}
    sub._bounds = None
    out = []
    for r in sub.to_records():
        for k in ("size", "rd_ratio"):
            r.pop(k, None)  # derived: let evaluate compute them, as a first version would
        out.append(r)
    return out
