"""GB/T 2260 code arithmetic: which region lies inside which."""


def region_level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def region_prefix(code: str) -> str:
    """The part of the code that every region inside it shares."""
    level = region_level(code)
    return code[:2] if level == "province" else code[:4] if level == "city" else code


def region_covers(outer: str, inner: str) -> bool:
    return bool(outer and inner) and inner.startswith(region_prefix(outer))
