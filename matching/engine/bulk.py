"""Many rules over many enterprises at once.

ProfileTable holds profiles column by column (numpy arrays and "known"
masks), sorted by county code and then id, so that a region's entities are a
contiguous slice. Items carry a scope region: a province item (510000) applies
to every entity, a city item (510100) to entities whose county lies in that
city, a county item to that county only.

match_all cuts the table into blocks (whole counties of one city, at most a million
rows). Each block is evaluated against the province items and its city's items at once,
every distinct leaf condition computed once per block as a mask and shared by all items
that use it; each county inside the block is then evaluated against its own items on
slices of those masks, where conditions on the region are constants. An item starts from
its rarest condition's rows when that condition is rare, and otherwise ANDs packed bit
masks. Blocks are shared among `workers` forked processes (largest first); each writes
its block of the match set (rows, or packed bits when more than 1 in 32 rows meet)
straight to the output directory. See docs/performance.md.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from core.industries import SECTION_LETTERS, parse_industry

from .attributes import ATTRIBUTES, DERIVED
from .evaluate import Verdict, evaluate, exact, leaf_truth, normalize_profile, normalize_value, rd_ratio
from .regions import region_level, region_prefix
from .rules import CompiledRule, Group, Leaf, compile_rule, years_before
from .sizes import CLASSES, GROUP_NAMES, GROUPS, OUTSIDE, size_groups

PROVINCE = "510000"
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_SIZE_RANK = {name: i for i, name in enumerate(ATTRIBUTES["size"].choices)}


# ---------------------------------------------------------------- items


@dataclass
class ItemRule:
    """A benefit item's rule and the region that claimed it (its scope)."""

    item_id: int
    region: str
    rule: Any  # rule JSON or a CompiledRule
    _compiled: CompiledRule | None = field(default=None, repr=False, compare=False)

    @property
    def compiled(self) -> CompiledRule:
        if self._compiled is None:
            self._compiled = compile_rule(self.rule)
        return self._compiled

    @property
    def level(self) -> str:
        return region_level(self.region)

    def covers(self, county: str | None) -> bool:
        """Whether the item applies to an entity in this county (None: region unknown)."""
        if self.level == "province":
            return True
        if not county:
            return False
        return county.startswith(region_prefix(self.region))


class ItemIndex:
    """Items indexed by scope, so one enterprise is checked only against the items that apply to it."""

    def __init__(self, items: Iterable[ItemRule]):
        self.items = list(items)
        self.province: list[ItemRule] = []
        self.by_prefix: dict[str, list[ItemRule]] = {}
        for item in self.items:
            _ = item.compiled.plan, item.compiled.flat  # compile once, now
            if item.level == "province":
                self.province.append(item)
            else:
                self.by_prefix.setdefault(region_prefix(item.region), []).append(item)

        self._plans: dict[str, Any] = {}  # entity.Plan by scope key

    def applicable(self, county: str | None) -> list[ItemRule]:
        out = list(self.province)
        if county:
            out += self.by_prefix.get(county[:4], [])
            out += self.by_prefix.get(county, [])
        return out

    def plans(self, county: str | None) -> list[Any]:
        """The array plans (entity.Plan) of the items that apply, in applicable()'s order."""
        from .entity import Plan

        keys = ["", county[:4], county] if county else [""]
        out = []
        for key in dict.fromkeys(keys):
            plan = self._plans.get(key)
            if plan is None:
                plan = self._plans[key] = Plan(self.province if key == "" else self.by_prefix.get(key, []))
            out.append(plan)
        return out


def evaluate_entity(
    items: Any, profile: Mapping[str, Any], *, today: dt.date, reasons: str = "all"
) -> list[tuple[ItemRule, Verdict]]:
    """One enterprise against every item that applies to its region.
    `items` is an ItemIndex (build it once) or an iterable of ItemRule. reasons: "all"
    gives every verdict its reasons; "shown" decides all items at once as array operations
    and builds reasons only for those that meet, nearly meet or cannot tell; "none" gives
    outcomes and "nearly" only."""
    index = items if isinstance(items, ItemIndex) else ItemIndex(items)
    values = normalize_profile(profile)
    if reasons != "all":
        from .entity import decide_entity

        return decide_entity(index.plans(values["region"]), values, today, reasons=reasons)
    memo: dict[Any, Any] = {}
    return [
        (item, evaluate(item.compiled, values, today=today, normalized=True, memo=memo))
        for item in index.applicable(values["region"])
    ]


# ---------------------------------------------------------------- the table


@dataclass
class Column:
    """values: numbers float64; dates int32 ordinals; category int8 rank (-1 missing);
    bool int8 (-1/0/1); tags uint64 bit set; region int32 (0 missing);
    industry: a (n, 4) int16 array of section index, division, group, class (-1 where absent).
    known: bool mask, or None when nothing is missing."""

    values: np.ndarray
    known: np.ndarray | None = None

    def take(self, sel: Any) -> Column:
        return Column(self.values[sel], None if self.known is None else self.known[sel])


def _tag_bits(attr_name: str) -> dict[str, int]:
    return {t: 1 << i for i, t in enumerate(ATTRIBUTES[attr_name].choices)}


class ProfileTable:
    """Profiles in columns, sorted by (county, id). Build with from_records / from_arrow /
    from_parquet / from_csv / from_arrays."""

    def __init__(self, ids: np.ndarray, columns: dict[str, Column], *, _sorted: bool = False) -> None:
        self.ids = np.asarray(ids, dtype=np.int64)
        self.columns = columns
        if not _sorted:
            self._sort()
        self._bounds: list[tuple[str, int, int]] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def _sort(self) -> None:
        region = self.columns["region"].values
        order = np.lexsort((self.ids, region))
        if not np.array_equal(order, np.arange(len(order))):
            self.ids = self.ids[order]
            self.columns = {k: c.take(order) for k, c in self.columns.items()}

    def slice(self, start: int, stop: int) -> ProfileTable:
        sub = ProfileTable.__new__(ProfileTable)
        sub.ids = self.ids[start:stop]
        sub.columns = {
            k: Column(c.values[start:stop], None if c.known is None else c.known[start:stop])
            for k, c in self.columns.items()
        }
        sub._bounds = None
        return sub

    # -- partitions
    def county_bounds(self) -> list[tuple[str, int, int]]:
        """(county code or "" when unknown, start, stop) of each county's slice."""
        if self._bounds is None:
            region = self.columns["region"].values
            if len(region) == 0:
                self._bounds = []
            else:
                change = np.flatnonzero(region[1:] != region[:-1]) + 1
                starts = np.concatenate(([0], change))
                stops = np.concatenate((change, [len(region)]))
                self._bounds = [
                    (str(int(region[s])) if region[s] > 0 else "", int(s), int(e)) for s, e in zip(starts, stops)
                ]
        return self._bounds

    def partition_by_region(self, level: str = "county") -> dict[str, ProfileTable]:
        """{region code: the entities in it} (views, no copy); key "" for an unknown region."""
        if level not in ("county", "city"):
            raise ValueError("level must be 'county' or 'city'")
        spans: dict[str, list[int]] = {}
        for county, start, stop in self.county_bounds():
            key = county if level == "county" or not county else county[:4] + "00"
            if key in spans:
                spans[key][1] = stop
            else:
                spans[key] = [start, stop]
        return {k: self.slice(s, e) for k, (s, e) in spans.items()}

    # -- constructors
    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]], ids: Iterable[int] | None = None) -> ProfileTable:
        """From plain dicts (as evaluate takes them). ids: one per record; default each
        record's "id", else its position."""
        records = list(records)
        if ids is None:
            ids = [r.get("id", i) for i, r in enumerate(records)]
        ids = np.asarray(list(ids), dtype=np.int64)
        normalized = [normalize_profile(r) for r in records]
        n = len(records)
        columns = {}
        for name in ATTRIBUTES:
            vals = [p[name] for p in normalized]
            columns[name] = _column_from_normalized(name, vals, n)
        columns[SIZE_SET] = Column(np.fromiter((_set_bits(p["size"]) for p in normalized), dtype=np.uint8, count=n))
        return cls(ids, columns)

    @classmethod
    def from_arrays(cls, ids: Any, arrays: Mapping[str, Any]) -> ProfileTable:
        """From numpy arrays already in the engine's encodings, keyed by attribute name:
        numbers float64 with NaN for missing; dates int32 ordinals (0 missing); category int8
        ranks (-1); bool int8 (-1/0/1); tags uint64 bits; region int32 (0); industry an (n, 4)
        int16 array (see Column). Derived attributes are computed when absent."""
        ids = np.asarray(ids, dtype=np.int64)
        n = len(ids)
        columns = {}
        for name in ATTRIBUTES:
            if name not in arrays:
                continue
            columns[name] = _column_from_array(name, np.asarray(arrays[name]))
        _fill_missing_columns(columns, n)
        return cls(ids, columns)

    @classmethod
    def from_arrow(cls, table: Any, id_column: str = "id") -> ProfileTable:
        """From a pyarrow.Table with one column per attribute (missing columns are all
        missing); strings for region/industry/categories, dates as date32 or ISO strings,
        tags as list<string> or "a|b" strings."""
        import pyarrow as pa
        import pyarrow.compute as pc

        n = table.num_rows
        ids = (
            table.column(id_column).to_numpy().astype(np.int64)
            if id_column in table.column_names
            else np.arange(n, dtype=np.int64)
        )
        columns = {}
        for name, attr in ATTRIBUTES.items():
            if name not in table.column_names:
                continue
            col = table.column(name).combine_chunks() if table.column(name).num_chunks else table.column(name)
            t = attr.type
            if t == "number":
                f = pc.cast(col, pa.float64(), safe=False) if not pa.types.is_floating(col.type) else col
                vals = f.to_numpy(zero_copy_only=False).astype(np.float64)
                known = ~np.isnan(vals)
                columns[name] = Column(vals, None if known.all() else known)
            elif t == "date" and (pa.types.is_date(col.type) or pa.types.is_timestamp(col.type)):
                days = pc.cast(col, pa.date32()).cast(pa.int32()).to_numpy(zero_copy_only=False)
                valid = pc.is_valid(col).to_numpy(zero_copy_only=False)
                vals = np.where(valid, np.nan_to_num(days, nan=0).astype(np.int64) + _EPOCH_ORDINAL, 0)
                columns[name] = Column(vals.astype(np.int32), None if valid.all() else valid)
            elif t == "bool" and pa.types.is_boolean(col.type):
                valid = pc.is_valid(col).to_numpy(zero_copy_only=False)
                vals = pc.fill_null(col, False).to_numpy(zero_copy_only=False)
                arr = np.where(valid, vals.astype(np.int8), -1).astype(np.int8)
                columns[name] = _column_from_array(name, arr)
            else:
                # Strings and lists: normalise each distinct value once.
                if pa.types.is_list(col.type) or pa.types.is_large_list(col.type):
                    col = pc.binary_join(col, "|")
                elif not (
                    pa.types.is_string(col.type)
                    or pa.types.is_large_string(col.type)
                    or pa.types.is_dictionary(col.type)
                ):
                    col = pc.cast(col, pa.string())
                enc = col.dictionary_encode() if not pa.types.is_dictionary(col.type) else col
                uniques = enc.dictionary.to_pylist()
                index = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
                normalized = [normalize_value(name, u if t != "tags" else (u.split("|") if u else [])) for u in uniques]
                if t == "date":
                    normalized = [normalize_value(name, u) for u in uniques]
                lut_col = _column_from_normalized(name, normalized + [None], len(uniques) + 1)
                columns[name] = lut_col.take(index)  # index -1 picks the trailing None
                known = columns[name].known
                if known is not None and known.all():
                    columns[name].known = None
        _fill_missing_columns(columns, n)
        return cls(ids, columns)

    @classmethod
    def from_parquet(cls, path: Any, id_column: str = "id") -> ProfileTable:
        import pyarrow.parquet as pq

        return cls.from_arrow(pq.read_table(path), id_column)

    @classmethod
    def from_csv(cls, path: Any, id_column: str = "id") -> ProfileTable:
        """CSV with a header of attribute names; tags as "a|b"; dates YYYY-MM-DD."""
        import pyarrow as pa
        from pyarrow import csv

        types = {name: pa.string() for name, a in ATTRIBUTES.items() if a.type in ("code", "tags", "category")}
        opts = csv.ConvertOptions(column_types=types, strings_can_be_null=True)
        return cls.from_arrow(csv.read_csv(path, convert_options=opts), id_column)

    def to_records(self) -> list[dict[str, Any]]:
        """The profiles back as plain dicts (normalised values), for tests and small tables."""
        out: list[dict[str, Any]] = []
        for i in range(len(self)):
            rec: dict[str, Any] = {"id": int(self.ids[i])}
            for name, col in self.columns.items():
                if name in ATTRIBUTES:
                    rec[name] = _decode(name, col, i)
            out.append(rec)
        return out


def _decode(name: str, col: Column, i: int) -> Any:
    attr = ATTRIBUTES[name]
    if col.known is not None and not col.known[i]:
        return None
    v = col.values[i]
    t = attr.type
    if t == "number":
        return None if math.isnan(v) else float(v)
    if t == "date":
        return dt.date.fromordinal(int(v)) if v > 0 else None
    if t == "category":
        return list(attr.choices)[v] if v >= 0 else None
    if t == "bool":
        return None if v < 0 else bool(v)
    if t == "tags":
        return {tag for tag, bit in _tag_bits(name).items() if int(v) & bit}
    if name == "region":
        return f"{int(v):06d}" if v > 0 else None
    if name == "industry":
        sec, div, grp, cls = (int(x) for x in v)
        if sec < 0:
            return None
        letter = SECTION_LETTERS[sec]
        if div < 0:
            return letter
        return f"{letter}{cls:04d}" if cls >= 0 else f"{letter}{grp:03d}" if grp >= 0 else f"{letter}{div:02d}"
    return v


def _column_from_normalized(name: str, vals: list[Any], n: int) -> Column:
    """A column from normalize_value results (None = missing)."""
    t = ATTRIBUTES[name].type
    if name == "size":  # a set of possible classes is not one class: the rank is missing
        vals = [None if isinstance(v, frozenset) else v for v in vals]
    known = np.fromiter((v is not None for v in vals), dtype=bool, count=n)
    if t == "number":
        arr = np.fromiter((np.nan if v is None else float(v) for v in vals), dtype=np.float64, count=n)
    elif t == "date":
        arr = np.fromiter((0 if v is None else v for v in vals), dtype=np.int32, count=n)
    elif t == "category":
        arr = np.fromiter((-1 if v is None else v for v in vals), dtype=np.int8, count=n)
    elif t == "bool":
        arr = np.fromiter((-1 if v is None else int(v) for v in vals), dtype=np.int8, count=n)
    elif t == "tags":
        bits = _tag_bits(name)
        arr = np.fromiter((0 if v is None else sum(bits.get(x, 0) for x in v) for v in vals), dtype=np.uint64, count=n)
    elif name == "region":
        arr = np.fromiter((0 if v is None else int(v) for v in vals), dtype=np.int32, count=n)
    elif name == "industry":
        arr = np.full((n, 4), -1, dtype=np.int16)
        for i, v in enumerate(vals):
            if v is not None:
                parsed = parse_industry(v)
                assert parsed is not None  # normalised: a valid code
                sec, div, grp, cls = parsed
                arr[i] = (SECTION_LETTERS.index(sec), div, grp, cls)
    else:
        raise ValueError(name)
    return Column(arr, None if known.all() else known)


def _column_from_array(name: str, arr: np.ndarray) -> Column:
    t = ATTRIBUTES[name].type
    if t == "number":
        arr = arr.astype(np.float64, copy=False)
        known = ~np.isnan(arr)
    elif t == "date":
        arr = arr.astype(np.int32, copy=False)
        known = arr > 0
    elif t in ("category", "bool"):
        arr = arr.astype(np.int8, copy=False)
        known = arr >= 0
    elif t == "tags":
        arr = arr.astype(np.uint64, copy=False)
        known = np.ones(len(arr), dtype=bool)
    elif name == "region":
        arr = arr.astype(np.int32, copy=False)
        known = arr > 0
    elif name == "industry":
        arr = arr.astype(np.int16, copy=False)
        known = arr[:, 0] >= 0
    else:
        raise ValueError(name)
    return Column(arr, None if known.all() else known)


def _missing_column(name: str, n: int) -> Column:
    t = ATTRIBUTES[name].type
    known = np.zeros(n, dtype=bool)
    if t == "number":
        return Column(np.full(n, np.nan), known)
    if t == "date" or name == "region":
        return Column(np.zeros(n, dtype=np.int32), known)
    if t in ("category", "bool"):
        return Column(np.full(n, -1, dtype=np.int8), known)
    if t == "tags":
        return Column(np.zeros(n, dtype=np.uint64), known)
    return Column(np.full((n, 4), -1, dtype=np.int16), known)


def _fill_missing_columns(columns: dict[str, Column], n: int) -> None:
    for name in ATTRIBUTES:
        if name not in columns and name not in DERIVED:
            columns[name] = _missing_column(name, n)
    computed_size, computed_set = size_vector(
        columns["industry"], columns["employees"], columns["revenue"], columns["total_assets"]
    )
    given = columns.get("size")
    columns["size"] = _overlay(given, computed_size)
    if given is not None:  # a size given outright is that one class
        ranks = given.values.astype(np.int16)
        given_bits = (np.left_shift(1, np.clip(ranks, 0, 3))).astype(np.uint8)
        computed_set = Column(np.where(_known(given), given_bits, computed_set.values))
    columns[SIZE_SET] = computed_set
    computed_ratio = rd_ratio_vector(columns["rd_spending"], columns["revenue"])
    columns["rd_ratio"] = _overlay(columns.get("rd_ratio"), computed_ratio)


def _overlay(given: Column | None, computed: Column) -> Column:
    """Given values where known, computed ones elsewhere."""
    if given is None:
        return computed
    if given.known is None:
        return given
    values = np.where(given.known, given.values, computed.values)
    known = given.known | (computed.known if computed.known is not None else True)
    return Column(values, None if np.all(known) else known)


def _known(col: Column) -> np.ndarray:
    return np.ones(len(col.values), dtype=bool) if col.known is None else col.known


SIZE_SET = "size_set"  # the hidden column of possible size classes: bit r set when rank r is possible
_ALL_SIZES = 0b1111


def _set_bits(size: Any) -> int:
    """A normalised size (rank, frozenset of ranks or None) as bits of possible ranks."""
    if size is None:
        return _ALL_SIZES
    if isinstance(size, frozenset):
        return sum(1 << r for r in size)
    return 1 << size


def _industry_keys(ind: np.ndarray) -> np.ndarray:
    """One int per industry code (section, division, group, class), -1s included."""
    x = ind.astype(np.int64) + 1
    return ((x[:, 0] * 100 + x[:, 1]) * 1000 + x[:, 2]) * 10000 + x[:, 3]


def _code_of(row: Any) -> str | None:
    sec, div, grp, cls = (int(v) for v in row)
    if sec < 0:
        return None
    letter = SECTION_LETTERS[sec]
    if div < 0:
        return letter
    return f"{letter}{cls:04d}" if cls >= 0 else f"{letter}{grp:03d}" if grp >= 0 else f"{letter}{div:02d}"


def size_vector(industry: Column, employees: Column, revenue: Column, assets: Column) -> tuple[Column, Column]:
    """sizes.possible_sizes for every row at once: (the rank where one class is possible,
    else missing; the bits of the possible ranks)."""
    ind = industry.values
    n = len(ind)
    keys, first, inverse = np.unique(_industry_keys(ind), return_index=True, return_inverse=True)
    combos: dict[tuple[str | None, ...], int] = {}
    combo_of_key = np.empty(len(keys), dtype=np.int16)
    for k, row in enumerate(first):
        code = _code_of(ind[row])
        groups = size_groups(code) if code is not None else None
        groups = GROUP_NAMES if groups is None else groups
        combo_of_key[k] = combos.setdefault(tuple(groups), len(combos))
    combo = combo_of_key[inverse.reshape(-1)] if n else np.empty(0, dtype=np.int16)
    measures = {"employees": employees, "revenue": revenue, "total_assets": assets}
    group_bits: dict[str, np.ndarray] = {}

    def bits_of(gname: str) -> np.ndarray:
        if gname not in group_bits:
            names, bounds = GROUPS[gname]
            cap = np.full(n, 3, dtype=np.int8)
            all_known = np.ones(n, dtype=bool)
            for i, m in enumerate(names):
                col = measures[m]
                known = _known(col)
                rank = np.zeros(n, dtype=np.int8)
                for cls in CLASSES:
                    rank += col.values >= bounds[cls][i]
                np.minimum(cap, np.where(known, rank, 3).astype(np.int8), out=cap)
                all_known &= known
            one = np.left_shift(1, cap.astype(np.int16))
            group_bits[gname] = np.where(all_known, one, 2 * one - 1).astype(np.uint8)
        return group_bits[gname]

    out = np.zeros(n, dtype=np.uint8)
    for groups, c in combos.items():
        rows = combo == c
        if OUTSIDE in groups:
            out[rows] = _ALL_SIZES
            continue
        acc = np.zeros(n, dtype=np.uint8)
        for g in groups:
            assert g is not None  # OUTSIDE went above
            acc |= bits_of(g)
        out[rows] = acc[rows]
    single = (out != 0) & ((out & (out - 1)) == 0)
    rank = np.where(single, np.log2(np.maximum(out, 1)).astype(np.int8), -1).astype(np.int8)
    return Column(rank, None if single.all() else single), Column(out)


def rd_ratio_vector(rd: Column, revenue: Column) -> Column:
    ok = _known(rd) & _known(revenue) & (np.nan_to_num(revenue.values, nan=0.0) > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        vals = np.where(ok, rd.values / np.where(ok, revenue.values, 1.0) * 100, np.nan)
    return Column(vals, None if ok.all() else ok)


# ---------------------------------------------------------------- evaluating rules over a table


class _Mask:
    """One cached condition mask over an evaluator's rows, with what is derived from it
    on demand: how many rows hold, the packed bits (uint64 words, for ANDing 8 rows a
    byte) and, when sparse, the positions."""

    __slots__ = ("mask", "count", "_packed", "_rows")

    def __init__(self, mask: np.ndarray, count: int | None = None) -> None:
        self.mask = mask
        self.count = int(np.count_nonzero(mask)) if count is None else count
        self._packed: np.ndarray | None = None
        self._rows: np.ndarray | None = None

    @property
    def packed(self) -> np.ndarray:
        if self._packed is None:
            self._packed = _pack(self.mask)
        return self._packed

    @property
    def rows(self) -> np.ndarray:
        if self._rows is None:
            self._rows = np.flatnonzero(self.mask)
        return self._rows

    @property
    def nbytes(self) -> int:
        return self.mask.nbytes * 2


def _pack(mask: np.ndarray) -> np.ndarray:
    """A bool mask as big-endian packed bits in uint64 words (zero padded)."""
    packed = np.packbits(mask)
    pad = (-len(packed)) % 8
    if pad:
        packed = np.concatenate((packed, np.zeros(pad, dtype=np.uint8)))
    return packed.view(np.uint64)


class _Evaluator:
    """Evaluates compiled rules over one table (a block of counties, or one county).

    A leaf's "definitely true" and "definitely false" masks are computed once per table
    and shared by every item with the same leaf (items reuse round thresholds: revenue ≥
    1,000万元, size in small/micro, …). An item whose rarest condition is rare starts from
    that condition's rows and checks the others only there; otherwise the masks are ANDed
    as packed bits. Masks are Python bools when constant over the table (a condition on
    the region inside one county)."""

    def __init__(
        self,
        table: ProfileTable,
        today: dt.date,
        county: str | None = None,
        cache_bytes: int = 512 << 20,
        parent: _Evaluator | None = None,
        offset: int = 0,
    ):
        self.t = table
        self.n = len(table)
        self.today = today
        self.county = county  # set when every row has this county ("" = unknown)
        self.cache: dict[Any, Any] = {}
        self.cache_left = cache_bytes
        self.parent, self.offset = parent, offset

    def sub(self, start: int, stop: int, county: str | None) -> _Evaluator:
        """An evaluator for rows start:stop (one county) that reuses this one's leaf masks."""
        return _Evaluator(self.t.slice(start, stop), self.today, county, cache_bytes=1 << 62, parent=self, offset=start)

    # -- leaves
    def leaf_entry(self, leaf: Leaf, polarity: bool = True) -> _Mask | bool:
        """The cached _Mask (or constant bool) where the leaf is definitely true (polarity
        True) or definitely false."""
        key = (polarity, leaf.attr, leaf.op, leaf.value)
        hit: _Mask | bool | None = self.cache.get(key)
        if hit is not None:
            return hit
        if self.parent is not None and not (leaf.attr == "region" and self.county is not None):
            whole = self.parent.leaf_entry(leaf, polarity)
            hit = _Mask(whole.mask[self.offset : self.offset + self.n]) if isinstance(whole, _Mask) else whole
        elif polarity:
            raw = self._leaf(leaf)
            hit = _Mask(raw) if isinstance(raw, np.ndarray) else bool(raw)
        else:
            hit = self._leaf_false(leaf)
        if isinstance(hit, _Mask):
            if hit.nbytes <= self.cache_left:
                self.cache[key] = hit
                self.cache_left -= hit.nbytes
        else:
            self.cache[key] = hit
        return hit

    def _leaf_false(self, leaf: Leaf) -> _Mask | bool:
        if leaf.attr == "size":
            return _Mask((self.t.columns[SIZE_SET].values & _size_bits(leaf)) == 0)  # no possible class meets
        t = self.leaf_entry(leaf, True)
        if leaf.attr == "region" and self.county is not None:
            return bool(self.county) and not t
        known = self.t.columns[leaf.attr].known
        if isinstance(t, bool):
            if known is None:
                return not t
            return _Mask(np.zeros(self.n, dtype=bool), 0) if t else _Mask(known.copy())
        return _Mask(~t.mask if known is None else known & ~t.mask)

    def _leaf(self, leaf: Leaf) -> np.ndarray | bool:
        """Where the leaf is definitely true."""
        name, op, v = leaf.attr, leaf.op, leaf.value
        attr = ATTRIBUTES[name]
        if name == "region":
            # Rows are sorted by county: decide per county, constant when all agree.
            if self.county is not None:
                return bool(self.county) and bool(leaf_truth(leaf, self.county, self.today))
            spans = [(bool(c) and bool(leaf_truth(leaf, c, self.today)), s, e) for c, s, e in self.t.county_bounds()]
            if len({t for t, _, _ in spans}) <= 1:
                return spans[0][0] if spans else False
            mask = np.zeros(self.n, dtype=bool)
            for holds, s, e in spans:
                if holds:
                    mask[s:e] = True
            return mask
        col = self.t.columns[name]
        x = col.values
        t = attr.type
        if name == "size":
            return (self.t.columns[SIZE_SET].values & ~_size_bits(leaf)) == 0  # every possible class agrees
        if t == "number" or t == "date" or t == "category":
            if op.startswith("years_since"):
                cutoff = years_before(self.today, v).toordinal()
                cond = x <= cutoff if op == "years_since>=" else x >= cutoff
            else:
                cond = _compare(x, op, v)
                if name == "rd_ratio":
                    cond = _exact_ties(cond, x, op, v, self.t)
        elif t == "bool":
            cond = x == (1 if op == "is_true" else 0)
        elif t == "tags":
            bits = _tag_bits(name)
            if op == "has":
                cond = (x & np.uint64(bits[v])) != 0
            else:
                wanted = np.uint64(sum(bits[t_] for t_ in v))
                cond = (x & wanted) != 0 if op == "has_any" else (x & wanted) == wanted
        elif name == "region":
            if op == "prefix":
                cond = np.zeros(self.n, dtype=bool)
                for p in v:
                    lo = int(p.ljust(6, "0"))
                    hi = lo + 10 ** (6 - len(p))
                    cond |= (x >= lo) & (x < hi)
            else:
                cond = _compare(x, op, tuple(int(c) for c in v) if op in ("in", "not_in") else int(v))
        elif name == "industry":
            cond = _industry_cond(x, op, v)
        else:
            raise ValueError(name)
        known = col.known
        # Missing numbers are NaN, which compares false except with "!="; every other
        # encoding of "missing" could satisfy some test, so mask it out.
        if known is not None and not (t == "number" and op != "!="):
            cond &= known
        return cond

    # -- nodes
    def entry(self, node: Any, polarity: bool = True) -> _Mask | bool:
        """A _Mask or a constant bool: where the node is definitely true / definitely false."""
        if isinstance(node, Leaf):
            return self.leaf_entry(node, polarity)
        if node.kind == "not":
            return self.entry(node.children[0], not polarity)
        conj = (node.kind == "all") == polarity  # true of all / false of any: every child
        acc: np.ndarray | None = None
        for child in node.children:
            m = self.entry(child, polarity)
            if isinstance(m, bool):
                if m != conj:
                    return m  # a false child decides a conjunction, a true one a disjunction
                continue
            if acc is None:
                acc = m.mask.copy()
            elif conj:
                np.logical_and(acc, m.mask, out=acc)
            else:
                np.logical_or(acc, m.mask, out=acc)
        return conj if acc is None else _Mask(acc)

    def true(self, node: Any) -> np.ndarray | bool:
        m = self.entry(node, True)
        return m if isinstance(m, bool) else m.mask

    def false(self, node: Any) -> np.ndarray | bool:
        m = self.entry(node, False)
        return m if isinstance(m, bool) else m.mask

    def meets(self, compiled: CompiledRule) -> np.ndarray | bool:
        if not compiled.in_force(self.today):
            return False
        return self.true(compiled.root)

    def rows(self, compiled: CompiledRule) -> np.ndarray:
        """Positions of the rows that meet, ascending."""
        kind, data = self.result(compiled)
        if kind == "rows":
            return data
        return np.flatnonzero(np.unpackbits(data, count=self.n)).astype(np.uint32)

    def result(self, compiled: CompiledRule) -> tuple[str, np.ndarray]:
        """The rows that meet as ("rows", uint32 positions) or, when more than 1 in 32 rows
        meet, ("bits", packed uint8 mask over the rows)."""
        empty = ("rows", np.empty(0, dtype=np.uint32))
        if not compiled.in_force(self.today):
            return empty
        root = compiled.root
        children = root.children if isinstance(root, Group) and root.kind == "all" else (root,)
        masks: list[_Mask] = []
        for child in children:
            m = self.entry(child, True)
            if isinstance(m, bool):
                if not m:
                    return empty
                continue
            masks.append(m)
        nbytes = (self.n + 7) // 8
        if not masks:
            return "bits", np.packbits(np.ones(self.n, dtype=bool))
        masks.sort(key=lambda m: m.count)
        first = masks[0]
        if first.count * 8 < self.n or len(masks) == 1 and first.count * 32 <= self.n:
            idx = first.rows
            for m in masks[1:]:
                if not len(idx):
                    break
                idx = idx[m.mask[idx]]
            return "rows", idx.astype(np.uint32)
        if len(masks) == 1:
            return "bits", first.packed.view(np.uint8)[:nbytes]
        acc = masks[0].packed & masks[1].packed
        for m in masks[2:]:
            np.bitwise_and(acc, m.packed, out=acc)
        count = int(np.bitwise_count(acc).sum())
        bits = acc.view(np.uint8)[:nbytes]
        if count * 32 > self.n:
            return "bits", bits
        return "rows", np.flatnonzero(np.unpackbits(bits, count=self.n)).astype(np.uint32)

    def unknown_rows(self, compiled: CompiledRule) -> np.ndarray:
        if not compiled.in_force(self.today):
            return np.empty(0, dtype=np.uint32)
        t, f = self.true(compiled.root), self.false(compiled.root)
        t = np.broadcast_to(np.asarray(t, dtype=bool), (self.n,))
        f = np.broadcast_to(np.asarray(f, dtype=bool), (self.n,))
        return np.flatnonzero(~(t | f)).astype(np.uint32)


def _compare(x: np.ndarray, op: str, v: Any) -> np.ndarray:
    if op == ">=":
        return x >= v
    if op == "<=":
        return x <= v
    if op == ">":
        return x > v
    if op == "<":
        return x < v
    if op == "==":
        return x == v
    if op == "!=":
        return x != v
    if op == "between":
        return (x >= v[0]) & (x <= v[1])
    if op in ("in", "not_in"):
        cond = np.zeros(len(x), dtype=bool)
        for item in v:
            cond |= x == item
        return cond if op == "in" else ~cond
    raise ValueError(op)


def _size_bits(leaf: Leaf) -> np.uint8:
    """Bits of the size ranks that meet a leaf on size."""
    return np.uint8(sum(1 << r for r in range(4) if leaf_truth(leaf, r, dt.date.min)))


def _exact_ties(cond: np.ndarray, x: np.ndarray, op: str, v: Any, table: ProfileTable) -> np.ndarray:
    """Recompute, exactly, the rows whose float R&D ratio lies within rounding of the
    threshold: rd × 100 against t × revenue as decimals (see evaluate.rd_ratio)."""
    bounds = v if isinstance(v, tuple) else (v,)
    near = np.zeros(len(x), dtype=bool)
    for b in bounds:
        near |= np.abs(x - b) <= 1e-9 * max(1.0, abs(b))
    rows = np.flatnonzero(near)
    if not len(rows):
        return cond
    cond = cond.copy()
    rd, revenue = table.columns["rd_spending"], table.columns["revenue"]
    probe = Leaf("", "rd_ratio", op, v, v)
    for i in rows:
        ratio: Fraction | None = None
        if _known(rd)[i] and _known(revenue)[i] and revenue.values[i] > 0:
            ratio = rd_ratio(float(rd.values[i]), float(revenue.values[i]))
            assert ratio is not None  # revenue > 0
            if float(ratio) != x[i]:
                ratio = None  # a ratio given outright: compare it as written
        cond[i] = bool(leaf_truth(probe, exact(float(x[i])) if ratio is None else ratio, dt.date.min))
    return cond


def _industry_key(code: str) -> tuple[int, int, int | None]:
    """(level column, value, next level column or None) of a normalised industry code."""
    parsed = parse_industry(code)
    assert parsed is not None  # normalised: a valid code
    sec, div, grp, cls = parsed
    if div < 0:
        return 0, SECTION_LETTERS.index(sec), 1
    if grp < 0:
        return 1, div, 2
    if cls < 0:
        return 2, grp, 3
    return 3, cls, None


def _industry_cond(x: np.ndarray, op: str, v: Any) -> np.ndarray:
    codes = v if isinstance(v, tuple) else (v,)
    cond = np.zeros(len(x), dtype=bool)
    for code in codes:
        level, value, deeper = _industry_key(code)
        hit = x[:, level] == value
        if op != "prefix" and deeper is not None:
            hit &= x[:, deeper] < 0  # exact: the entity's code stops at this level
        cond |= hit
    return ~cond if op in ("!=", "not_in") else cond


# ---------------------------------------------------------------- match sets


class MatchSet:
    """Every entity–item pair that meets, kept per block (a run of whole counties of one city).

    Each block holds its entity ids and, for each item with matches, either the rows
    (uint32 positions into the block's ids, ascending) or, when more than 1 in 32 rows
    meet, a packed bit mask over the block. Arrays per block: ids, items (sorted),
    kinds (0 rows / 1 bits), counts, row_offsets, rows, bit_offsets, bits."""

    ARRAYS = ("ids", "items", "kinds", "counts", "row_offsets", "rows", "bit_offsets", "bits")

    def __init__(
        self, parts: dict[str, dict[str, np.ndarray] | None] | None = None, directory: Path | None = None
    ) -> None:
        self.parts = parts or {}
        self.directory = directory

    # -- reading
    def _part(self, key: str) -> dict[str, np.ndarray]:
        p = self.parts[key]
        if p is None:  # lazily from disk
            assert self.directory is not None  # parts not held come from a directory
            p = {k: np.load(self.directory / f"{key}.{k}.npy", mmap_mode="r") for k in self.ARRAYS}
            self.parts[key] = p
        return p

    def partitions(self) -> list[str]:
        return list(self.parts)

    def count(self) -> int:
        return sum(int(np.sum(self._part(k)["counts"])) for k in self.parts)

    @staticmethod
    def _rows_of(p: dict[str, np.ndarray], j: int) -> np.ndarray:
        if p["kinds"][j] == 0:
            return np.asarray(p["rows"][p["row_offsets"][j] : p["row_offsets"][j + 1]])
        packed = np.asarray(p["bits"][p["bit_offsets"][j] : p["bit_offsets"][j + 1]])
        return np.flatnonzero(np.unpackbits(packed, count=len(p["ids"])))

    def item(self, item_id: int) -> np.ndarray:
        """Sorted ids of the entities that meet one item."""
        chunks = []
        for key in self.parts:
            p = self._part(key)
            j = int(np.searchsorted(p["items"], item_id))
            if j < len(p["items"]) and p["items"][j] == item_id:
                chunks.append(np.asarray(p["ids"])[self._rows_of(p, j)])
        return np.sort(np.concatenate(chunks)) if chunks else np.empty(0, dtype=np.int64)

    def items(self) -> Iterator[tuple[int, np.ndarray]]:
        """(item id, sorted entity ids) for every item with at least one match, by item id."""
        gathered: dict[int, list[np.ndarray]] = {}
        for key in self.parts:
            p = self._part(key)
            ids = np.asarray(p["ids"])
            for j, item_id in enumerate(p["items"]):
                gathered.setdefault(int(item_id), []).append(ids[self._rows_of(p, j)])
        for item_id in sorted(gathered):
            yield item_id, np.sort(np.concatenate(gathered[item_id]))

    def pairs(self) -> Iterator[tuple[int, int]]:
        """(item id, entity id) of every match."""
        for item_id, ids in self.items():
            for e in ids:
                yield item_id, int(e)

    def for_entity(self, entity_id: int) -> np.ndarray:
        """Sorted ids of the items one entity meets."""
        found = []
        for key in self.parts:
            p = self._part(key)
            where = np.flatnonzero(np.asarray(p["ids"]) == entity_id)
            if not len(where):
                continue
            pos = int(where[0])
            items, kinds = np.asarray(p["items"]), np.asarray(p["kinds"])
            hits = np.flatnonzero(np.asarray(p["rows"]) == pos)
            if len(hits):
                found.append(items[np.searchsorted(np.asarray(p["row_offsets"]), hits, side="right") - 1])
            bit_items = np.flatnonzero(kinds == 1)
            if len(bit_items):
                byte = np.asarray(p["bits"])[np.asarray(p["bit_offsets"])[bit_items] + pos // 8]
                found.append(items[bit_items[(byte >> (7 - pos % 8)) & 1 == 1]])
        return np.sort(np.concatenate(found)).astype(np.int64) if found else np.empty(0, dtype=np.int64)

    def as_dict(self) -> dict[int, set[int]]:
        return {item_id: {int(x) for x in ids} for item_id, ids in self.items()}

    # -- storing
    def save(self, directory: str | Path) -> Path:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        for key in self.parts:
            _write_part(d, key, self._part(key))
        (d / "manifest.json").write_text(json.dumps({"partitions": list(self.parts)}), encoding="utf-8")
        return d

    @classmethod
    def load(cls, directory: str | Path) -> MatchSet:
        d = Path(directory)
        keys = json.loads((d / "manifest.json").read_text(encoding="utf-8"))["partitions"]
        return cls(dict.fromkeys(keys), d)


def _write_part(d: Path, key: str, part: dict[str, np.ndarray]) -> None:
    for k in MatchSet.ARRAYS:
        np.save(d / f"{key}.{k}.npy", np.asarray(part[k]))


# ---------------------------------------------------------------- entry points


def _blocks(table: ProfileTable, block_rows: int) -> list[tuple[str, list[tuple[str, int, int]]]]:
    """Runs of whole counties of one city, each at most block_rows rows (or one county)."""
    blocks: list[list[tuple[str, int, int]]] = []
    current: list[tuple[str, int, int]] = []
    city: str | None = None
    size = 0
    for county, start, stop in table.county_bounds():
        c_city = county[:4] if county else ""
        if current and (c_city != city or size + (stop - start) > block_rows or not county):
            blocks.append(current)
            current, size = [], 0
        current.append((county, start, stop))
        city, size = c_city, size + (stop - start)
    if current:
        blocks.append(current)
    return [((b[0][0] or "none") + (f"-{b[-1][0]}" if len(b) > 1 else ""), b) for b in blocks]


def _match_block(
    table: ProfileTable, key: str, counties: list[tuple[str, int, int]], index: ItemIndex, today: dt.date
) -> dict[str, np.ndarray]:
    b_start, b_stop = counties[0][1], counties[-1][2]
    single = counties[0][0] if len(counties) == 1 else None
    ev = _Evaluator(table.slice(b_start, b_stop), today, single)
    first = counties[0][0]
    whole = list(index.province) + (index.by_prefix.get(first[:4], []) if first else [])
    entries = []  # (item id, kind, data, count)
    for item in whole:
        kind, data = ev.result(item.compiled)
        count = len(data) if kind == "rows" else -1
        if count:
            entries.append((item.item_id, kind, data, count))
    for county, start, stop in counties:
        local = index.by_prefix.get(county, []) if county else []
        if not local:
            continue
        sub = ev if single else ev.sub(start - b_start, stop - b_start, county)
        shift = start - b_start
        for item in local:
            rows = sub.rows(item.compiled)
            if len(rows):
                entries.append((item.item_id, "rows", rows + np.uint32(shift), len(rows)))
    entries.sort(key=lambda e: e[0])
    n = b_stop - b_start
    rows_parts, bits_parts, row_off, bit_off, kinds, counts = [], [], [0], [0], [], []
    for _item_id, kind, data, count in entries:
        if kind == "bits":
            count = int(np.unpackbits(data, count=n).sum()) if count < 0 else count
            bits_parts.append(data)
            kinds.append(1)
        else:
            rows_parts.append(data)
            kinds.append(0)
        counts.append(count)
        row_off.append(row_off[-1] + (len(data) if kind == "rows" else 0))
        bit_off.append(bit_off[-1] + (len(data) if kind == "bits" else 0))
    return {
        "ids": ev.t.ids,
        "items": np.asarray([e[0] for e in entries], dtype=np.int64),
        "kinds": np.asarray(kinds, dtype=np.uint8),
        "counts": np.asarray(counts, dtype=np.int64),
        "row_offsets": np.asarray(row_off, dtype=np.int64),
        "rows": np.concatenate(rows_parts) if rows_parts else np.empty(0, dtype=np.uint32),
        "bit_offsets": np.asarray(bit_off, dtype=np.int64),
        "bits": np.concatenate(bits_parts) if bits_parts else np.empty(0, dtype=np.uint8),
    }


_WORK: dict[str, Any] = {}


def _work(task: tuple[str, list[tuple[str, int, int]]]) -> tuple[str, dict[str, np.ndarray] | None]:
    key, counties = task
    w = _WORK
    part = _match_block(w["table"], key, counties, w["index"], w["today"])
    if w["out"] is not None:
        _write_part(w["out"], key, part)
        return key, None
    return key, part


def match_all(
    items: Iterable[ItemRule],
    table: ProfileTable,
    *,
    today: dt.date,
    workers: int = 1,
    out_dir: str | Path | None = None,
    block_rows: int = 1_000_000,
) -> MatchSet:
    """The full match set: every (entity, item) pair where the item applies to the entity's
    region and its rule meets.

    The table is cut into blocks (whole counties of one city, at most block_rows rows); a
    block is evaluated against the province items and its city's items at once (leaf masks
    shared), and each county inside it against its own items on slices of those masks.
    workers > 1 shares the blocks among that many forked processes, largest first. With
    out_dir, each block is written there by the worker that computed it and the returned
    MatchSet reads from that directory (MatchSet.load(out_dir) later)."""
    index = items if isinstance(items, ItemIndex) else ItemIndex(items)
    blocks = sorted(_blocks(table, block_rows), key=lambda b: b[1][0][1] - b[1][-1][2])  # largest first
    out = Path(out_dir) if out_dir is not None else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    parts: dict[str, Any] = {}
    if workers <= 1 or len(blocks) <= 1:
        for key, counties in blocks:
            part = _match_block(table, key, counties, index, today)
            if out is not None:
                _write_part(out, key, part)
                parts[key] = None
            else:
                parts[key] = part
    else:
        import multiprocessing as mp

        _WORK.update(table=table, index=index, today=today, out=out)
        try:
            with mp.get_context("fork").Pool(workers) as pool:
                for key, done in pool.imap_unordered(_work, blocks, chunksize=1):
                    parts[key] = done
        finally:
            _WORK.clear()
    parts = {k: parts[k] for k in sorted(parts)}
    if out is not None:
        (out / "manifest.json").write_text(json.dumps({"partitions": list(parts)}), encoding="utf-8")
        return MatchSet(dict.fromkeys(parts), out)
    return MatchSet(parts)


def _scope_slices(item: ItemRule, table: ProfileTable) -> list[tuple[str | None, int, int]]:
    """(county or None, start, stop) slices of the table the item applies to: the whole
    table, a city's counties (contiguous, as rows are sorted by county) or one county."""
    if item.level == "province":
        return [(None, 0, len(table))]
    prefix = region_prefix(item.region)
    spans: list[tuple[str | None, int, int]] = [
        (c, s, e) for c, s, e in table.county_bounds() if c and c.startswith(prefix)
    ]
    if not spans:
        return []
    if len(spans) == 1:
        return spans
    return [(None, spans[0][1], spans[-1][2])]


def match_item(item: ItemRule, table: ProfileTable, *, today: dt.date) -> np.ndarray:
    """Sorted ids of the entities that meet one item (e.g. a new or changed item)."""
    chunks = []
    for county, start, stop in _scope_slices(item, table):
        part = table.slice(start, stop) if (start, stop) != (0, len(table)) else table
        rows = _Evaluator(part, today, county).rows(item.compiled)
        chunks.append(part.ids[rows])
    return np.sort(np.concatenate(chunks)) if chunks else np.empty(0, dtype=np.int64)


def unknown_item(item: ItemRule, table: ProfileTable, *, today: dt.date) -> np.ndarray:
    """Sorted ids of the entities the item applies to for which the rule cannot tell."""
    chunks = []
    for county, start, stop in _scope_slices(item, table):
        part = table.slice(start, stop) if (start, stop) != (0, len(table)) else table
        rows = _Evaluator(part, today, county).unknown_rows(item.compiled)
        chunks.append(part.ids[rows])
    return np.sort(np.concatenate(chunks)) if chunks else np.empty(0, dtype=np.int64)
