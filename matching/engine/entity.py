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
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .evaluate import FAILS, MEETS, UNKNOWN, Verdict, changeable, evaluate, leaf_truth
from .rules import Leaf

_FAR_PAST, _FAR_FUTURE = dt.date.min.toordinal(), dt.date.max.toordinal()
_KIND = {"all": 0, "any": 1, "not": 2}


class Plan:
    """The items of one scope, compiled for deciding all of them at once."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items
        conds: dict[Any, int] = {}
        self.leaves: list[Leaf] = []
        kinds: list[int] = []
        children: list[tuple[int, ...]] = []
        conds_of: list[int] = []
        heights: list[int] = []

        def add(node: Any) -> int:
            if isinstance(node, Leaf):
                c = conds.get(node.key)
                if c is None:
                    c = conds[node.key] = len(self.leaves)
                    self.leaves.append(node)
                kinds.append(-1)
                children.append(())
                conds_of.append(c)
                heights.append(0)
                return len(kinds) - 1
            kids = tuple(add(child) for child in node.children)
            kinds.append(_KIND[node.kind])
            children.append(kids)
            conds_of.append(-1)
            heights.append(1 + max(heights[k] for k in kids))
            return len(kinds) - 1

        self.roots = np.array([add(item.compiled.root) for item in items], dtype=np.int64)
        self.n_nodes = len(kinds)
        height = np.array(heights, dtype=np.int64)
        kind = np.array(kinds, dtype=np.int8)
        self.leaf_nodes = np.flatnonzero(height == 0)
        self.leaf_conds = np.array(conds_of, dtype=np.int64)[self.leaf_nodes]
        self.levels: list[tuple[NDArray[np.intp], NDArray[np.int8], NDArray[np.int64], NDArray[Any]]] = []
        for h in range(1, int(height.max(initial=0)) + 1):
            ids = np.flatnonzero(height == h)
            flat = [k for i in ids for k in children[i]]
            sizes = np.array([len(children[i]) for i in ids], dtype=np.int64)
            starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
            self.levels.append((ids, kind[ids], np.array(flat, dtype=np.int64), starts))
        self.start = np.array(
            [item.compiled.start.toordinal() if item.compiled.start else _FAR_PAST for item in items], dtype=np.int64
        )
        self.end = np.array(
            [item.compiled.end.toordinal() if item.compiled.end else _FAR_FUTURE for item in items], dtype=np.int64
        )
        # Flat rules (all() of conditions and not(condition)): their literals, for counting.
        self.flat = np.array([item.compiled.flat for item in items], dtype=bool)
        flat_items = np.flatnonzero(self.flat)
        lit_cond: list[int] = []
        lit_neg: list[bool] = []
        lit_sizes: list[int] = []
        for i in flat_items:
            compiled = items[i].compiled
            negated = compiled.negated
            for leaf in compiled.leaf_list:
                lit_cond.append(conds[leaf.key])
                lit_neg.append(negated[leaf.path])
            lit_sizes.append(len(compiled.leaf_list))
        self.flat_items = flat_items
        self.lit_cond = np.array(lit_cond, dtype=np.int64)
        self.lit_neg = np.array(lit_neg, dtype=bool)
        self.lit_starts = (
            np.concatenate(([0], np.cumsum(lit_sizes)[:-1])).astype(np.int64)
            if lit_sizes
            else np.empty(0, dtype=np.int64)
        )

    def answers(
        self, values: dict[str, Any], today: dt.date, memo: dict[Any, int]
    ) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_]]:
        """(definitely true, definitely false, changeable) per condition, shared in memo
        (as one small code: 0 false, 1 true, 2 unknown, +4 when changeable)."""
        codes: list[int] = []
        for leaf in self.leaves:
            code = memo.get(leaf.key)
            if code is None:
                value = values[leaf.attr]
                truth = leaf_truth(leaf, value, today)
                code = memo[leaf.key] = (2 if truth is None else int(truth)) | (
                    4 if changeable(leaf, value, truth) else 0
                )
            codes.append(code)
        arr = np.array(codes, dtype=np.int8)
        answer = arr & 3
        return answer == 1, answer == 0, arr >= 4

    def decide(
        self, values: dict[str, Any], today: dt.date, memo: dict[Any, int]
    ) -> tuple[NDArray[np.int8], NDArray[np.bool_]]:
        """(outcome codes per item: 1 meets, 0 fails, -1 unknown; nearly per item).

        Beside "definitely true / false" (t, f) every node carries t1 / f1: it is definitely
        true / false once exactly one of its conditions that the enterprise can change is
        turned round (evaluate() flips each such condition in turn; this is the same, for
        all items at once). A failing item whose root has t1 is one condition short."""
        ct, cf, cc = self.answers(values, today, memo)
        n = self.n_nodes
        t, f = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        t1, f1, flip = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        lc = self.leaf_conds
        t[self.leaf_nodes], f[self.leaf_nodes] = ct[lc], cf[lc]
        can = cc[lc] & (ct[lc] | cf[lc])
        flip[self.leaf_nodes] = can  # holds a condition that can be turned round
        t1[self.leaf_nodes] = can & cf[lc]  # false now, true once turned
        f1[self.leaf_nodes] = can & ct[lc]
        for ids, kinds, kids, starts in self.levels:
            kt, kf, kt1, kf1, kflip = t[kids], f[kids], t1[kids], f1[kids], flip[kids]
            sizes = np.diff(np.append(starts, len(kids)))
            parent = np.repeat(np.arange(len(ids)), sizes)
            not_t = np.add.reduceat((~kt).astype(np.int32), starts)  # children not true
            not_f = np.add.reduceat((~kf).astype(np.int32), starts)  # children not false
            n_t = sizes - not_t
            n_f = sizes - not_f
            # all: true iff every child true; one turn inside child c makes it true iff c turns
            # true and every other child is true already. false iff any child false.
            others_true = (not_t[parent] - (~kt)) == 0
            others_false = (not_f[parent] - (~kf)) == 0
            some_other_true = (n_t[parent] - kt) > 0
            some_other_false = (n_f[parent] - kf) > 0
            all_t1 = np.logical_or.reduceat(kt1 & others_true, starts)
            all_f1 = np.logical_or.reduceat(kf1 | (some_other_false & kflip), starts)
            any_t1 = np.logical_or.reduceat(kt1 | (some_other_true & kflip), starts)
            any_f1 = np.logical_or.reduceat(kf1 & others_false, starts)
            any_flip = np.logical_or.reduceat(kflip, starts)
            is_all, is_any = kinds == 0, kinds == 1
            t[ids] = np.where(is_all, not_t == 0, np.where(is_any, n_t > 0, n_f > 0))
            f[ids] = np.where(is_all, n_f > 0, np.where(is_any, not_f == 0, n_t > 0))
            # not (one child): swapped
            t1[ids] = np.where(is_all, all_t1, np.where(is_any, any_t1, any_f1))
            f1[ids] = np.where(is_all, all_f1, np.where(is_any, any_f1, any_t1))
            flip[ids] = any_flip
        day = today.toordinal()
        in_force = (self.start <= day) & (day <= self.end)
        rt, rf = t[self.roots] & in_force, f[self.roots] | ~in_force
        outcome = np.where(rt, 1, np.where(rf, 0, -1)).astype(np.int8)
        nearly = (outcome == 0) & in_force & t1[self.roots]
        return outcome, nearly


_OUTCOME = {1: MEETS, 0: FAILS, -1: UNKNOWN}


def decide_entity(
    plans: list[Plan],
    values: dict[str, Any],
    today: dt.date,
    *,
    reasons: str = "shown",
    memo: dict[Any, int] | None = None,
) -> list[tuple[Any, Verdict]]:
    """[(item, Verdict)] for every item of the plans. reasons: "shown" builds reasons only for
    the items a calculator shows (meets, nearly, unknown), "none" for no item (outcome and
    nearly only)."""
    memo = {} if memo is None else memo
    text_memo: dict[Any, Any] = {}
    bare = {(code, near): Verdict(_OUTCOME[code], nearly=near) for code in (1, 0, -1) for near in (False, True)}
    out: list[tuple[Any, Verdict]] = []
    for plan in plans:
        if not plan.items:
            continue
        outcome, nearly = plan.decide(values, today, memo)
        verdicts = [bare[pair] for pair in zip(outcome.tolist(), nearly.tolist())]  # shared, without reasons
        if reasons == "shown":
            items = plan.items
            for i in np.flatnonzero((outcome != 0) | nearly).tolist():
                verdicts[i] = evaluate(items[i].compiled, values, today=today, normalized=True, memo=text_memo)
        out.extend(zip(plan.items, verdicts))
    return out
