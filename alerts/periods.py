"""Counting periods: ISO weeks (starting Monday) and calendar months.

A period is named by the date it starts on; labels are ``2026-W07`` /
``2026-02`` for machines and ``2026年第7周`` / ``2026年2月`` for people.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

Period = Literal["week", "month"]
PERIODS_PER_YEAR: dict[str, float] = {"week": 365.25 / 7, "month": 12.0}
PERIOD_WORDS: dict[str, str] = {"week": "周", "month": "月"}


def check_period(period: str) -> Period:
    if period not in PERIODS_PER_YEAR:
        raise ValueError(f"未知的统计周期“{period}”，可选：week（周）、month（月）")
    return period  # type: ignore[return-value]


def as_date(value: object) -> dt.date:
    """A date from a date, a datetime or an ISO string (``2026-02-17``)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value.strip()[:10])
    raise ValueError(f"无法识别的日期：{value!r}，应为 YYYY-MM-DD")


def period_start(day: dt.date, period: Period) -> dt.date:
    """The first day of the period that holds ``day``."""
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1)


def shift(start: dt.date, periods: int, period: Period) -> dt.date:
    """The start of the period ``periods`` after the one starting on ``start``."""
    if period == "week":
        return start + dt.timedelta(weeks=periods)
    months = start.year * 12 + start.month - 1 + periods
    return dt.date(months // 12, months % 12 + 1, 1)


def period_end(start: dt.date, period: Period) -> dt.date:
    """The last day of the period starting on ``start``."""
    return shift(start, 1, period) - dt.timedelta(days=1)


def periods_between(first: dt.date, later: dt.date, period: Period) -> int:
    """How many periods ``later``'s period lies after ``first``'s (both period starts)."""
    if period == "week":
        return (later - first).days // 7
    return (later.year - first.year) * 12 + later.month - first.month


def period_label(start: dt.date, period: Period) -> str:
    """``2026-W07`` or ``2026-02``."""
    if period == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{start.year}-{start.month:02d}"


def period_label_zh(start: dt.date, period: Period) -> str:
    """``2026年第7周`` or ``2026年2月``."""
    if period == "week":
        year, week, _ = start.isocalendar()
        return f"{year}年第{week}周"
    return f"{start.year}年{start.month}月"
