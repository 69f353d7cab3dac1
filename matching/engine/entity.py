"""One enterprise against all its items at once, as array operations.

The items of one scope (the province's, one city's, one county's) are compiled once into a
plan: their distinct conditions, and every rule node laid out by height so that a level of
all/any/not nodes is decided by one numpy reduction over its children. Per enterprise the
distinct conditions are answered once (Python, a few hundred), then each plan decides all of
its items in a few array operations; "one condition short" comes from counting the literals
of the flat rules (most), and from evaluate() only for the nested rules that fail. Reasons are
built (evaluate(), sharing one memo) only for the items a caller shows.
"""
from __future__ import annotations

import datetime as dt

import numpy as np

from .evaluate import FAILS, MEETS, UNKNOWN, Verdict, changeable, evaluate, leaf_truth
from .rules import Leaf

_FAR_PAST, _FAR_FUTURE = dt.date.min.toordinal(), dt.date.max.toordinal()
_KIND = {"all": 0, "any": 1, "not": 2}


class Plan:
    """The items of one scope, compiled for deciding all of them at once."""

    def __init__(self, items: list):
        self.items = items
        conds: dict = {}
        self.leaves: list[Leaf] = []
        kinds, children, conds_of, heights = [], [], [], []

        def add(node) -> int:
            if isinstance(node, Leaf):
                c = conds.get(node.key)
                if c is None:
                    c = conds[node.key] = len(self.leaves)
                    self.leaves.append(node)
                kinds.append(-1), children.append(()), conds_of.append(c), heights.append(0)
                return len(kinds) - 1
            kids = tuple(add(child) for child in node.children)
            kinds.append(_KIND[node.kind]), children.append(kids), conds_of.append(-1)
            heights.append(1 + max(heights[k] for k in kids))
            return len(kinds) - 1

        self.roots = np.array([add(item.compiled.root) for item in items], dtype=np.int64)
        self.n_nodes = len(kinds)
        heights = np.array(heights, dtype=np.int64)
        kinds = np.array(kinds, dtype=np.int8)
        self.leaf_nodes = np.flatnonzero(heights == 0)
        self.leaf_conds = np.array(conds_of, dtype=np.int64)[self.leaf_nodes]
        self.levels = []
        for h in range(1, int(heights.max(initial=0)) + 1):
            ids = np.flatnonzero(heights == h)
            flat = [k for i in ids for k in children[i]]
            sizes = np.array([len(children[i]) for i in ids], dtype=np.int64)
            starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
            self.levels.append((ids, kinds[ids], np.array(flat, dtype=np.int64), starts))
        self.start = np.array([item.compiled.start.toordinal() if item.compiled.start else _FAR_PAST
                               for item in items], dtype=np.int64)
        self.end = np.array([item.compiled.end.toordinal() if item.compiled.end else _FAR_FUTURE
                             for item in items], dtype=np.int64)
        # Flat rules (all() of conditions and not(condition)): their literals, for counting.
        self.flat = np.array([item.compiled.flat for item in items], dtype=bool)
        flat_items = np.flatnonzero(self.flat)
        lit_cond, lit_neg, sizes = [], [], []
        for i in flat_items:
            compiled = items[i].compiled
            negated = compiled.negated
            for leaf in compiled.leaf_list:
                lit_cond.append(conds[leaf.key])
                lit_neg.append(negated[leaf.path])
            sizes.append(len(compiled.leaf_list))
        self.flat_items = flat_items
        self.lit_cond = np.array(lit_cond, dtype=np.int64)
        self.lit_neg = np.array(lit_neg, dtype=bool)
        self.lit_starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64) if sizes else \
            np.empty(0, dtype=np.int64)

    def answers(self, values: dict, today: dt.date, memo: dict):
        """(definitely true, definitely false, changeable) per condition, shared in memo."""
        n = len(self.leaves)
        t, f, c = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        for i, leaf in enumerate(self.leaves):
            hit = memo.get(leaf.key)
            if hit is None:
                value = values[leaf.attr]
                truth = leaf_truth(leaf, value, today)
                hit = memo[leaf.key] = (truth, changeable(leaf, value, truth))
            if hit[0] is True:
                t[i] = True
            elif hit[0] is False:
                f[i] = True
            c[i] = hit[1]
        return t, f, c

    def decide(self, values: dict, today: dt.date, memo: dict):
        """(outcome codes per item: 1 meets, 0 fails, -1 unknown; nearly per item, for the flat
        rules; which items are nested rules that fail, whose "nearly" the caller must ask)."""
        ct, cf, cc = self.answers(values, today, memo)
        t = np.zeros(self.n_nodes, dtype=bool)
        f = np.zeros(self.n_nodes, dtype=bool)
        t[self.leaf_nodes] = ct[self.leaf_conds]
        f[self.leaf_nodes] = cf[self.leaf_conds]
        for ids, kinds, kids, starts in self.levels:
            kt, kf = t[kids], f[kids]
            and_t, or_t = np.logical_and.reduceat(kt, starts), np.logical_or.reduceat(kt, starts)
            and_f, or_f = np.logical_and.reduceat(kf, starts), np.logical_or.reduceat(kf, starts)
            # all: true when all are, false when any is; any: the dual; not (one child): swapped
            t[ids] = np.where(kinds == 0, and_t, np.where(kinds == 1, or_t, or_f))
            f[ids] = np.where(kinds == 0, or_f, np.where(kinds == 1, and_f, or_t))
        day = today.toordinal()
        in_force = (self.start <= day) & (day <= self.end)
        rt, rf = t[self.roots] & in_force, f[self.roots] | ~in_force
        outcome = np.where(rt, 1, np.where(rf, 0, -1)).astype(np.int8)
        nearly = np.zeros(len(self.items), dtype=bool)
        if len(self.flat_items):
            lt = np.where(self.lit_neg, cf[self.lit_cond], ct[self.lit_cond])
            lf = np.where(self.lit_neg, ct[self.lit_cond], cf[self.lit_cond])
            n_false = np.add.reduceat(lf.astype(np.int32), self.lit_starts)
            n_unknown = np.add.reduceat((~lt & ~lf).astype(np.int32), self.lit_starts)
            n_fixable = np.add.reduceat((lf & cc[self.lit_cond]).astype(np.int32), self.lit_starts)
            near = (n_false == 1) & (n_unknown == 0) & (n_fixable == 1)
            nearly[self.flat_items] = near & in_force[self.flat_items]
        nested_failing = np.flatnonzero(~self.flat & (outcome == 0) & in_force)
        return outcome, nearly, nested_failing


_OUTCOME = {1: MEETS, 0: FAILS, -1: UNKNOWN}


def decide_entity(plans: list[Plan], values: dict, today: dt.date, *, reasons: str = "shown",
                  memo: dict | None = None) -> list:
    """[(item, Verdict)] for every item of the plans. reasons: "shown" builds reasons only for
    the items a calculator shows (meets, nearly, unknown), "none" for no item (outcome and
    nearly only)."""
    memo = {} if memo is None else memo
    text_memo: dict = {}
    out = []
    for plan in plans:
        if not plan.items:
            continue
        outcome, nearly, nested_failing = plan.decide(values, today, memo)
        for i in nested_failing:  # "one condition short" of a nested rule: flip its conditions
            nearly[i] = evaluate(plan.items[i].compiled, values, today=today, normalized=True,
                                 memo=text_memo).nearly
        for i, item in enumerate(plan.items):
            code, near = int(outcome[i]), bool(nearly[i])
            if reasons == "shown" and (code != 0 or near):
                verdict = evaluate(item.compiled, values, today=today, normalized=True, memo=text_memo)
            else:
                verdict = Verdict(_OUTCOME[code], nearly=near)
            out.append((item, verdict))
    return out
