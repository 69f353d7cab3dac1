"""Property tests: the bulk engine agrees with evaluate() on random rules and profiles,
and every "meets" comes with reasons that hold."""

import datetime as dt

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.engine import ItemRule, ProfileTable, evaluate, match_all, match_item, unknown_item, validate
from matching.engine.evaluate import _combine, normalize_profile
from matching.engine.rules import compile_rule

TODAY = dt.date(2024, 11, 4)
COUNTIES = ["510104", "510105", "510603", "510681", "510100", "510600"]  # and city-level (xxxx00) enterprises
SCOPES = ["510000", "510100", "510600", "510104", "510681"]
NUMBERS = [0, 5, 9.5, 10, 20, 100, 300, 1000, 2000, 40000]
DATES = ["2015-03-01", "2021-11-04", "2021-11-05", "2022-11-04", "2024-01-01", "2024-02-29"]
INDUSTRIES = ["C", "C39", "C391", "C3912", "C3913", "F51", "F52", "F5211", "I65", "K7010", "K7020", "J66"]
TAGS = ["high_tech", "specialised_sme", "tech_sme", "little_giant"]
NUMBER_ATTRS = ["revenue", "employees", "total_assets", "rd_spending", "rd_ratio", "exports", "registered_capital"]

maybe = lambda s: st.one_of(st.none(), s)  # noqa: E731

profiles = st.fixed_dictionaries(
    {
        "region": maybe(st.sampled_from(COUNTIES)),
        "industry": maybe(st.sampled_from(INDUSTRIES)),
        "revenue": maybe(st.sampled_from(NUMBERS)),
        "employees": maybe(st.sampled_from([0, 5, 10, 20, 100, 300, 1000])),
        "total_assets": maybe(st.sampled_from(NUMBERS)),
        "rd_spending": maybe(st.sampled_from(NUMBERS)),
        "exports": maybe(st.sampled_from(NUMBERS)),
        "registered_capital": maybe(st.sampled_from(NUMBERS)),
        "founded_on": maybe(st.sampled_from(DATES)),
        "credit_rating": maybe(st.sampled_from(["A", "B", "M", "C", "D"])),
        "qualifications": maybe(st.sets(st.sampled_from(TAGS), max_size=3)),
        "is_listed": maybe(st.booleans()),
    },
    optional={"size": st.sampled_from(["micro", "small", "medium", "large"])},
)


def leaves():
    number = st.builds(
        lambda a, op, v: {"attr": a, "op": op, "value": v},
        st.sampled_from(NUMBER_ATTRS),
        st.sampled_from(["==", "!=", ">", ">=", "<", "<="]),
        st.sampled_from(NUMBERS),
    )
    between = st.builds(
        lambda a, lo, hi: {"attr": a, "op": "between", "value": sorted([lo, hi])},
        st.sampled_from(NUMBER_ATTRS),
        st.sampled_from(NUMBERS),
        st.sampled_from(NUMBERS),
    )
    date = st.builds(
        lambda op, v: {"attr": "founded_on", "op": op, "value": v},
        st.sampled_from(["==", "!=", ">", ">=", "<", "<="]),
        st.sampled_from(DATES),
    )
    years = st.builds(
        lambda op, v: {"attr": "founded_on", "op": op, "value": v},
        st.sampled_from(["years_since>=", "years_since<="]),
        st.integers(0, 10),
    )
    category = st.one_of(
        st.builds(
            lambda a, op, v: {"attr": a, "op": op, "value": v},
            st.just("size"),
            st.sampled_from(["==", "!=", ">=", "<"]),
            st.sampled_from(["micro", "small", "medium", "large"]),
        ),
        st.builds(
            lambda op, v: {"attr": "credit_rating", "op": op, "value": sorted(v)},
            st.sampled_from(["in", "not_in"]),
            st.sets(st.sampled_from(["A", "B", "M", "C", "D"]), min_size=1),
        ),
    )
    industry = st.builds(
        lambda op, v: {"attr": "industry", "op": op, "value": v if op in ("prefix", "in", "not_in") else v[0]},
        st.sampled_from(["prefix", "in", "not_in", "==", "!="]),
        st.lists(st.sampled_from(INDUSTRIES), min_size=1, max_size=3),
    )
    region = st.builds(
        lambda op, v: {"attr": "region", "op": op, "value": v if op != "==" else v[0]},
        st.sampled_from(["prefix", "in", "=="]),
        st.lists(st.sampled_from(COUNTIES), min_size=1, max_size=2),
    ) | st.builds(
        lambda v: {"attr": "region", "op": "prefix", "value": v},
        st.lists(st.sampled_from(["51", "5101", "510600"]), min_size=1, max_size=2),
    )
    tags = st.builds(
        lambda op, v: {"attr": "qualifications", "op": op, "value": v[0] if op == "has" else v},
        st.sampled_from(["has", "has_any", "has_all"]),
        st.lists(st.sampled_from(TAGS), min_size=1, max_size=2, unique=True),
    )
    boolean = st.builds(lambda op: {"attr": "is_listed", "op": op}, st.sampled_from(["is_true", "is_false"]))
    return st.one_of(number, between, date, years, category, industry, region, tags, boolean)


nodes = st.recursive(
    leaves(),
    lambda children: st.one_of(
        st.builds(lambda c: {"all": c}, st.lists(children, min_size=1, max_size=4)),
        st.builds(lambda c: {"any": c}, st.lists(children, min_size=1, max_size=4)),
        st.builds(lambda c: {"not": c}, children),
    ),
    max_leaves=8,
)
periods = st.sampled_from([(None, None), ("2024-01-01", None), (None, "2024-11-03"), ("2024-11-04", "2024-11-04")])
rules = st.builds(lambda c, p: {"when": {"from": p[0], "until": p[1]}, "condition": c}, nodes, periods)


def covers(scope, county):
    if scope == "510000":
        return True
    if not county:
        return False
    return county.startswith(scope[:4] if scope.endswith("00") else scope)


def expected(items, records):
    out = {}
    for item in items:
        hits = {
            r["id"]
            for r in records
            if covers(item.region, r["region"]) and evaluate(item.rule, r, today=TODAY).outcome == "meets"
        }
        if hits:
            out[item.item_id] = hits
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(rules, min_size=1, max_size=6),
    st.lists(profiles, min_size=1, max_size=25),
    st.lists(st.sampled_from(SCOPES), min_size=6, max_size=6),
)
def test_bulk_equals_single(rule_list, profile_list, scopes):
    records = [dict(p, id=100 + i) for i, p in enumerate(profile_list)]
    items = [ItemRule(i + 1, scopes[i], r) for i, r in enumerate(rule_list)]
    for item in items:
        assert validate(item.rule) == []
    want = expected(items, records)
    table = ProfileTable.from_records(records)
    assert match_all(items, table, today=TODAY).as_dict() == want
    # one block per county: the single-county path (region conditions as constants)
    assert match_all(items, table, today=TODAY, block_rows=1).as_dict() == want
    for item in items:
        assert set(match_item(item, table, today=TODAY).tolist()) == want.get(item.item_id, set())
        unknown = {
            r["id"]
            for r in records
            if covers(item.region, r["region"]) and evaluate(item.rule, r, today=TODAY).outcome == "unknown"
        }
        assert set(unknown_item(item, table, today=TODAY).tolist()) == unknown


@settings(max_examples=40, deadline=None)
@given(st.lists(rules, min_size=1, max_size=4), st.lists(profiles, min_size=1, max_size=20))
def test_bulk_from_arrow_equals_single(rule_list, profile_list):
    """The Arrow loader (the path CSV and Parquet take) encodes profiles the same way."""
    records = [dict(p, id=100 + i) for i, p in enumerate(profile_list)]
    columns = {name: [r.get(name) for r in records] for name in records[0] if name != "size"}
    columns["qualifications"] = [None if q is None else sorted(q) for q in columns["qualifications"]]
    columns["id"] = [r["id"] for r in records]
    arrow = pa.table(
        {k: pa.array(v, type=pa.list_(pa.string())) if k == "qualifications" else v for k, v in columns.items()}
    )
    plain = [{k: v for k, v in r.items() if k != "size"} for r in records]
    items = [ItemRule(i + 1, "510000", r) for i, r in enumerate(rule_list)]
    assert match_all(items, ProfileTable.from_arrow(arrow), today=TODAY).as_dict() == expected(items, plain)


@settings(max_examples=200, deadline=None)
@given(rules, profiles)
def test_every_meets_has_reasons_that_hold(rule, profile):
    verdict = evaluate(rule, profile, today=TODAY)
    compiled = compile_rule(rule)
    leaves = compiled.leaves()
    if not compiled.in_force(TODAY):
        assert verdict.outcome == "fails" and verdict.reasons[0].text.startswith("政策不在有效期内")
        return
    assert [r.path for r in verdict.reasons] == [leaf.path for leaf in leaves]
    marks = {"meets": "✓", "fails": "✗", "unknown": "?"}
    for reason in verdict.reasons:
        # the text states the requirement the way round the rule means it (a "not" folded in)
        assert reason.text.endswith(marks[reason.shown])
    # The reasons alone give the verdict back (each leaf's stated answer is what was used).
    truths = {r.path: {"meets": True, "fails": False, "unknown": None}[r.outcome] for r in verdict.reasons}
    assert {True: "meets", False: "fails", None: "unknown"}[_combine(compiled.root, truths)] == verdict.outcome
    if verdict.outcome == "meets":
        values = normalize_profile(profile)
        for leaf, reason in zip(leaves, verdict.reasons):
            # a leaf that the verdict relies on is really true (or really false under a not)
            if reason.outcome == "meets":
                assert values[leaf.attr] is not None
        if "all" in rule["condition"] and all("attr" in c for c in rule["condition"]["all"]):
            assert all(r.outcome == "meets" for r in verdict.reasons)
    if verdict.nearly:
        assert verdict.outcome == "fails" and verdict.short_by


def test_bulk_equals_single_on_a_larger_table():
    """Blocks of realistic size take the sparse (positions) and dense (packed bits) paths
    that tiny tables rarely reach."""
    import random

    rnd = random.Random(20241104)
    counties = COUNTIES + ["510106", "510107", "510682"]
    records = []
    for i in range(1500):
        p = {"id": 5000 + i, "region": rnd.choice(counties + [None])}
        p["industry"] = rnd.choice(INDUSTRIES + [None])
        for name in NUMBER_ATTRS:
            if name != "rd_ratio" and rnd.random() < 0.9:
                p[name] = rnd.choice(NUMBERS + [rnd.uniform(0, 5000)])
        if rnd.random() < 0.9:
            p["founded_on"] = rnd.choice(DATES)
        p["credit_rating"] = rnd.choice(["A", "B", "M", "C", "D", None])
        p["qualifications"] = None if rnd.random() < 0.1 else {t for t in TAGS if rnd.random() < 0.05}
        p["is_listed"] = rnd.choice([True, False, None])
        records.append(p)
    cond = lambda: rnd.choice(  # noqa: E731
        [
            {"attr": "revenue", "op": ">=", "value": rnd.choice(NUMBERS)},
            {"attr": "employees", "op": "<", "value": rnd.choice([10, 20, 300])},
            {"attr": "qualifications", "op": "has", "value": rnd.choice(TAGS)},
            {"attr": "industry", "op": "prefix", "value": [rnd.choice(INDUSTRIES)]},
            {"attr": "region", "op": "prefix", "value": [rnd.choice(["5101", "510104", "5106"])]},
            {"attr": "size", "op": "in", "value": ["small", "micro"]},
            {"not": {"attr": "credit_rating", "op": "in", "value": ["C", "D"]}},
            {"attr": "founded_on", "op": "years_since>=", "value": rnd.choice([1, 3])},
            {"any": [{"attr": "rd_ratio", "op": ">=", "value": 3}, {"attr": "is_listed", "op": "is_true"}]},
        ]
    )
    items = [
        ItemRule(i + 1, rnd.choice(SCOPES), {"condition": {"all": [cond() for _ in range(rnd.randint(1, 4))]}})
        for i in range(60)
    ]
    table = ProfileTable.from_records(records)
    want = expected(items, records)
    assert match_all(items, table, today=TODAY).as_dict() == want
    assert match_all(items, table, today=TODAY, block_rows=300).as_dict() == want


@settings(max_examples=200, deadline=None)
@given(rules, profiles)
def test_short_cut_for_plain_rules_agrees_with_the_tree_walk(rule, profile):
    """evaluate() counts answers for all() of plain conditions; wrapping the condition in a
    one-member any() forces the general tree walk, which must say the same."""
    wrapped = {"when": rule["when"], "condition": {"any": [rule["condition"]]}}
    a, b = evaluate(rule, profile, today=TODAY), evaluate(wrapped, profile, today=TODAY)
    assert (a.outcome, a.nearly) == (b.outcome, b.nearly)
    assert [r.text for r in a.reasons] == [r.text for r in b.reasons]
    assert [r.text for r in a.short_by] == [r.text for r in b.short_by]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rules, min_size=1, max_size=8), profiles, st.lists(st.sampled_from(SCOPES), min_size=8, max_size=8))
def test_deciding_all_items_at_once_equals_evaluating_each(rule_list, profile, scopes):
    """The array path (entity.Plan) gives every item the outcome and "nearly" that
    evaluate() gives, and the reasons of the items a calculator shows."""
    from matching.engine import ItemIndex, evaluate_entity

    index = ItemIndex([ItemRule(i, scopes[i], r) for i, r in enumerate(rule_list)])
    slow = evaluate_entity(index, profile, today=TODAY)
    fast = evaluate_entity(index, profile, today=TODAY, reasons="shown")
    assert [i.item_id for i, _ in slow] == [i.item_id for i, _ in fast]
    for (_, a), (_, b) in zip(slow, fast):
        assert (a.outcome, a.nearly) == (b.outcome, b.nearly)
        if a.outcome != "fails" or a.nearly:
            assert a.reasons == b.reasons
    bare = evaluate_entity(index, profile, today=TODAY, reasons="none")
    assert [(v.outcome, v.nearly) for _, v in bare] == [(v.outcome, v.nearly) for _, v in slow]
