"""Marks on the cases worklist published by apps above cases.

The worklist (cases) lists cases; some things worth a clerk's eye on a case
are held by an app that builds on cases, e.g. a 容缺后补 promise of a
一件事 application that is overdue (bundles). cases never imports those
apps (import contracts), so each declares its marks here in its
AppConfig.ready() with `register(key, compute)`, and the worklist asks
`for_cases(case_ids, today)` once per page.

`compute(case_ids, today)` returns {case_id: "short label"} for the cases it
marks; the others are left out.
"""

import datetime as dt
from collections.abc import Callable, Iterable

_REGISTRY: dict[str, Callable[[list[int], dt.date], dict[int, str]]] = {}


def register(key: str, compute: Callable[[list[int], dt.date], dict[int, str]]) -> None:
    """Declare a mark; registering the same key again replaces it."""
    _REGISTRY[key] = compute


def unregister(key: str) -> None:
    _REGISTRY.pop(key, None)


def for_cases(case_ids: Iterable[int], today: dt.date) -> dict[int, list[str]]:
    """Every registered mark of the given cases, in registration order."""
    ids = list(case_ids)
    out: dict[int, list[str]] = {}
    if not ids:
        return out
    for compute in _REGISTRY.values():
        for case_id, label in compute(ids, today).items():
            out.setdefault(case_id, []).append(label)
    return out
