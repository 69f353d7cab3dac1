"""The figure registry: the platform's own figures, published by the apps that own them.

Each app declares the figures it publishes in its AppConfig.ready() with
`register(...)`; hall's key work (重点工作推进) and the bulletin read them with
`read(key, start, end)`, so they never import the apps that hold the data
(lower apps never import higher ones). A figure is a function of the period
(Beijing calendar days, inclusive) returning a dict with

  value   the number (or dict of numbers) the bulletin's `{key}` stands for
  text    the wording the key-work page shows and the bulletin substitutes
  values  the numbers behind it (optional)

A figure that fails to compute is shown as unavailable with the reason,
never as a guessed number.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    app: str
    compute: Callable[[dt.date, dt.date], dict[str, Any]]  # (start, end) -> value, text, values
    # Whether the figure counts things inside the period (“本周处理问题N个”) or is
    # a running total as of now (“累计发布政策文件N个”).
    periodic: bool = False
    sentence: str = ""  # the bulletin's sentence around `{key}`, e.g. "本周处理问题{key}个。"


_REGISTRY: dict[str, Figure] = {}


def register(
    key: str,
    *,
    label: str,
    app: str,
    compute: Callable[[dt.date, dt.date], dict[str, Any]],
    periodic: bool = False,
    sentence: str = "",
) -> Figure:
    """Declare a figure; registering the same key again from the same app replaces it."""
    existing = _REGISTRY.get(key)
    if existing is not None and existing.app != app:
        raise ValueError(f"数据项 {key} 已由 {existing.app} 登记，不能再由 {app} 登记")
    _REGISTRY[key] = Figure(
        key=key, label=label, app=app, compute=compute, periodic=periodic, sentence=sentence or "{" + key + "}。"
    )
    return _REGISTRY[key]


def unregister(key: str) -> None:
    _REGISTRY.pop(key, None)


def get(key: str) -> Figure | None:
    return _REGISTRY.get(key)


def keys() -> list[str]:
    return list(_REGISTRY)


def choices() -> list[tuple[str, str]]:
    """(key, label) of every published figure, for forms."""
    return [(f.key, f.label) for f in _REGISTRY.values()]


def read(key: str, start: dt.date | None = None, end: dt.date | None = None) -> dict[str, Any]:
    """The figure computed now for the period [start, end] (default: this week so far).
    Returns key, label, available, value, values, text, message, computed_at, period."""
    now = timezone.now()
    if end is None:
        end = timezone.localdate(now)
    if start is None:
        start = end - dt.timedelta(days=end.weekday())
    figure = _REGISTRY.get(key)
    base: dict[str, Any] = {"key": key, "computed_at": now.isoformat(), "period": [start.isoformat(), end.isoformat()]}
    if figure is None:
        return {
            **base,
            "label": key,
            "available": False,
            "value": None,
            "values": {},
            "text": "",
            "message": f"未知的数据来源 {key}（没有模块发布该数据）",
        }
    base.update(label=figure.label, periodic=figure.periodic, sentence=figure.sentence)
    try:
        got = figure.compute(start, end)
    except Exception as exc:  # say the figure is missing rather than guess one
        return {
            **base,
            "available": False,
            "value": None,
            "values": {},
            "text": "",
            "message": f"{figure.label}暂不可用（{type(exc).__name__}）",
        }
    return {
        **base,
        "available": True,
        "value": got.get("value"),
        "values": got.get("values", {}),
        "text": got.get("text", str(got.get("value"))),
        "message": "",
    }
