"""GB/T 2260 region codes, read from python-stdnum's copy of the table
(the same source core/reference.py uses) without Django."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

from core.regions import region_level, region_prefix  # plain code arithmetic, no Django

__all__ = ["region_level", "region_prefix"]

_ENTRY = re.compile(r'county="(?P<names>.*)"')
_SPAN = re.compile(r"\[(?P<start>\d*)-(?P<end>\d*)\](?P<name>.*)")


@cache
def current_divisions() -> dict[str, str]:
    """{code: name} of every division in force today (all provinces)."""
    table = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    found: dict[str, str] = {}
    province: str | None = None
    for line in table.splitlines():
        if not line.startswith(" "):
            province = line.split()[0]
            continue
        suffix, rest = line.strip().split(" ", 1)
        entry = _ENTRY.search(rest)
        assert (
            entry is not None and province is not None
        )  # every county line names its divisions, under a province line
        latest = entry.group("names").split(",")[-1]
        span = _SPAN.match(latest)
        if span and span.group("end"):
            continue  # abolished or renamed
        found[province + suffix] = span.group("name") if span else latest
    return found


def counties(province_prefix: str = "51") -> dict[str, str]:
    """{code: name} of the county-level divisions of one province."""
    return {
        c: n
        for c, n in current_divisions().items()
        if c.startswith(province_prefix) and not c.endswith("00") and n not in ("市辖区", "市区")
    }


def is_valid_region(code: Any) -> bool:
    """A 6-digit GB/T 2260 code of a division in force (province, city or county)."""
    return isinstance(code, str) and len(code) == 6 and code.isdigit() and code in current_divisions()


def is_valid_region_prefix(prefix: Any) -> bool:
    """A prefix of 2, 4 or 6 digits that is a division (e.g. "51", "5101", "510104"),
    or a full 6-digit code of a province or city."""
    if not isinstance(prefix, str) or not prefix.isdigit():
        return False
    if len(prefix) == 6:
        return is_valid_region(prefix)
    if len(prefix) in (2, 4):
        return is_valid_region(prefix.ljust(6, "0"))
    return False


def normalize_region_prefix(prefix: str) -> str:
    """ "510100" → "5101", "510000" → "51"; others unchanged."""
    return region_prefix(prefix) if len(prefix) == 6 else prefix


def region_name(code: str) -> str | None:
    divisions = current_divisions()
    if code in divisions:
        name = divisions[code]
        if region_level(code) == "county":
            city = divisions.get(code[:4] + "00")
            if city and city not in ("市辖区",):
                return city + name
        return name
    if len(code) in (2, 4):
        return divisions.get(code.ljust(6, "0"))
    return None
