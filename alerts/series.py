"""A count series (one region × dispute-type cell) and what a method says about one period."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from alerts.model import Level
from alerts.periods import (
    Period,
    check_period,
    period_end,
    period_label,
    period_label_zh,
    period_start,
    periods_between,
    shift,
)
from kb_service.errors import InvalidInputError


@dataclass(frozen=True, eq=False)
class CountSeries:
    """Counts per consecutive period, the first starting on ``start``."""

    counts: np.ndarray
    start: dt.date
    period: Period = "week"

    def __post_init__(self) -> None:
        try:
            check_period(self.period)
        except ValueError as exc:
            raise InvalidInputError(str(exc), field="period") from exc
        counts = np.asarray(self.counts, dtype=float)
        if counts.ndim != 1 or (counts.size and (counts.min() < 0 or np.isnan(counts).any())):
            raise InvalidInputError("计数序列应为一维的非负整数", field="counts")
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "start", period_start(self.start, self.period))

    @classmethod
    def from_dates(
        cls,
        dates: Iterable[dt.date],
        period: Period = "week",
        first: dt.date | None = None,
        last: dt.date | None = None,
    ) -> CountSeries:
        """Count dates (e.g. each dispute's ``received``) per period from ``first`` to ``last``.

        Periods without a date count 0; dates outside ``first`` … ``last`` are left out.
        """
        starts = Counter(period_start(day, period) for day in dates)
        if first is None or last is None:
            if not starts:
                raise InvalidInputError("没有日期可统计：请给出起止日期", field="dates")
            first = first or min(starts)
            last = last or max(starts)
        first, last = period_start(first, period), period_start(last, period)
        size = periods_between(first, last, period) + 1
        counts = [starts.get(shift(first, i, period), 0) for i in range(max(size, 0))]
        return cls(np.array(counts, dtype=float), first, period)

    def __len__(self) -> int:
        return len(self.counts)

    def period_start(self, index: int) -> dt.date:
        return shift(self.start, index, self.period)

    def period_end(self, index: int) -> dt.date:
        return period_end(self.period_start(index), self.period)

    def label(self, index: int) -> str:
        return period_label(self.period_start(index), self.period)

    def label_zh(self, index: int) -> str:
        return period_label_zh(self.period_start(index), self.period)

    def index(self, at: int | dt.date | None) -> int:
        """The position of a period given by index, by any day in it, or the last (None)."""
        if at is None:
            index = len(self) - 1
        elif isinstance(at, dt.date):
            index = periods_between(self.start, period_start(at, self.period), self.period)
        else:
            index = at if at >= 0 else len(self) + at
        if not 0 <= index < len(self):
            raise InvalidInputError(f"要判断的周期不在序列范围内：{at}", field="at")
        return index


@dataclass(frozen=True)
class MinimumCount:
    """No alarm unless at least ``cases`` in the last ``periods`` periods (this one included).

    Farrington's rule (5 in the last 4 weeks): on a sparse cell a jump from 0
    to 2 is "significant" but is not a surge anyone should drive out for.
    """

    cases: int = 5
    periods: int = 4

    def met(self, counts: np.ndarray, index: int) -> bool:
        return counts[max(0, index - self.periods + 1) : index + 1].sum() >= self.cases

    def explain(self, counts: np.ndarray, index: int, word: str) -> str:
        recent = int(counts[max(0, index - self.periods + 1) : index + 1].sum())
        return f"近{self.periods}{word}共{recent}件，不足{self.cases}件，不预警"


@dataclass(frozen=True)
class Detection:
    """One method's verdict on one period of one series."""

    period: str
    """``2026-W07`` or ``2026-02``."""
    period_start: dt.date
    observed: int
    expected: float
    upper: float
    """The count above which the method raises an alarm (its lowest level)."""
    p_value: float | None
    """Chance of a count at least this high if nothing changed (None where the method has none)."""
    score: float
    """The method's own statistic: the EARS C value, or the exceedance (observed − expected) /
    (upper − expected), above 1 when alarming."""
    level: Level | None
    method: str
    reason: str
    details: dict[str, float | int | str | bool] = field(default_factory=dict)
    """What the method decided along the way (baseline size, dispersion, trend kept …)."""

    @property
    def alarm(self) -> bool:
        return self.level is not None


def level_from_p(p_value: float, alphas: Sequence[float]) -> Level | None:
    """``alphas`` = (yellow, orange, red) p-value cut-offs, loosest first."""
    yellow, orange, red = alphas
    if p_value < red:
        return "red"
    if p_value < orange:
        return "orange"
    if p_value < yellow:
        return "yellow"
    return None


def level_from_score(score: float, thresholds: Sequence[float]) -> Level | None:
    """``thresholds`` = (yellow, orange, red) on the method's statistic, lowest first."""
    yellow, orange, red = thresholds
    if score >= red:
        return "red"
    if score >= orange:
        return "orange"
    if score >= yellow:
        return "yellow"
    return None
