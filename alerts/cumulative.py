"""Surges judged by how much better "the rate rose κ-fold" explains the counts than "as usual".

The seasonal model (:func:`alerts.seasonal.forecast`, the fit behind
``seasonal_glm``) says what to expect of this period and the one before.
Instead of asking "how unlikely is this count?" (a p-value, ``seasonal_glm``),
this method asks the question a coordinator asks: "does this look like a
surge?" — the log likelihood ratio of the count under the expected rate
raised ``rise``-fold against the count under the expected rate, both
negative binomial with the model's dispersion (Poisson where there is none):

    LLR(y) = y·log κ + (r + y)·log((r + μ) / (r + κμ))      (r: the size; y·log κ − (κ − 1)·μ for Poisson)

and it asks it twice, from the one fit:

- **this period** alone: LLR_t;
- **the last two periods** together: LLR_{t−1} + LLR_t, counted only where
  this period itself leans towards the surge (LLR_t > 0), so that a surge
  that ended last week raises no new alarm this week.

The alarm level is the larger of the two against ``thresholds`` (yellow,
orange, red: each a tenfold stronger case). This is the negative-binomial
CUSUM/GLR of Höhle & Paul (2008; R ``surveillance::glrnb`` with a fixed
κ), bounded to the two periods a coordinator reacts within.

Why a likelihood ratio and not a p-value: a p-value cut-off spends the same
false-alarm rate on every cell. In a cell of 40 a week p < 0.008 alarms
from 57 cases (+43 %), the likelihood ratio from 76 (+90 %); a threefold
surge (120) passes either, so the stricter cut-off loses nothing there, and
it drops the alarms where the seasonal fit misses a sharp turn of the
season (tuning seed: 59 of the p-value test's 113 false alarms on regular
cells fell in cells of 5 or more a week, 23 of the likelihood ratio's 110).
At 2 a week both alarm from 7. The budget of false alarms goes where it
buys detections: the small cells (``benchmarks/surveillance.py --tune``
chose κ and the threshold).

Levels and the minimum count work as for ``seasonal_glm``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from alerts.periods import PERIOD_WORDS, PERIODS_PER_YEAR
from alerts.seasonal import Forecast, SeasonalConfig, forecast, same_period_mean, tail_and_bound
from alerts.series import CountSeries, Detection, MinimumCount, level_from_score
from kb_service.errors import InvalidInputError

METHOD = "seasonal_cumulative"


@dataclass(frozen=True)
class CumulativeConfig:
    rise: float = 3.0
    """κ: the surge looked for, as a multiple of the expected rate."""
    thresholds: tuple[float, float, float] = (3.0, 5.3, 7.6)
    """Log likelihood-ratio cut-offs for yellow, orange, red (e³ ≈ 20 times likelier; then ×10, ×100)."""
    minimum: MinimumCount = field(default_factory=MinimumCount)


@dataclass(frozen=True)
class _Evidence:
    """LLR(y) = intercept + slope·y for one period's expected count."""

    expected: float
    dispersion: float
    """Variance ÷ mean of the predictive distribution."""
    intercept: float
    slope: float

    def __call__(self, observed: float) -> float:
        return self.intercept + self.slope * observed


def _evidence(fitted: Forecast, index: int, rise: float) -> _Evidence:
    mean, variance = fitted.variance([index])
    mean = max(mean, 1e-9)  # a history without a case: any case at all leans towards a surge
    dispersion = max(variance / mean, 1.0)
    if dispersion <= 1 + 1e-9:
        return _Evidence(mean, 1.0, -(rise - 1) * mean, math.log(rise))
    size = mean / (dispersion - 1)
    shrink = math.log((size + mean) / (size + rise * mean))
    return _Evidence(mean, dispersion, size * shrink, math.log(rise) + shrink)


def _check(config: CumulativeConfig) -> None:
    yellow, orange, red = config.thresholds
    if config.rise <= 1 or not 0 < yellow <= orange <= red:
        raise InvalidInputError(
            "累计检验的上升倍数应大于1，预警阈值应为正数且黄、橙、红依次不减", field="cumulative"
        )


def cumulative(
    series: CountSeries,
    at: int | None = None,
    config: CumulativeConfig = CumulativeConfig(),
    seasonal: SeasonalConfig | None = None,
    *,
    warm: dict[str, np.ndarray] | None = None,
) -> Detection:
    """Judge one period (the last by default): this period, or the last two together.

    ``seasonal`` sets the model (its ``alphas`` and ``minimum`` are not used here).
    """
    _check(config)
    seasonal = seasonal or SeasonalConfig()
    index = series.index(at)
    counts = series.counts
    fitted = forecast(series, index, seasonal, warm=warm)
    now = _evidence(fitted, index, config.rise)
    before = _evidence(fitted, index - 1, config.rise)
    observed, earlier = int(counts[index]), int(counts[index - 1])
    alone = now(observed)
    together = alone + before(earlier) if alone > 0 else -math.inf
    by_window = together > alone
    statistic = max(alone, together)
    level = level_from_score(statistic, config.thresholds)

    yellow = config.thresholds[0]
    # The lowest count this period that alarms: alone, or leaning up with last period's evidence.
    needed = min(
        (yellow - now.intercept) / now.slope,
        max(-now.intercept / now.slope, (yellow - before(earlier) - now.intercept) / now.slope),
    )
    upper = float(math.floor(needed))
    if by_window:
        total, total_expected = observed + earlier, now.expected + before.expected
        mean, variance = fitted.variance([index - 1, index])
        p_value = tail_and_bound(total, mean, variance / mean if mean > 0 else 1.0, 0.5)[0]
    else:
        total, total_expected = observed, now.expected
        p_value = tail_and_bound(observed, now.expected, now.dispersion, 0.5)[0]

    word = PERIOD_WORDS[series.period]
    years_found, same_mean = same_period_mean(
        counts, index, PERIODS_PER_YEAR[series.period], seasonal.years
    )
    reason = (
        f"{series.label_zh(index)}受理{observed}件，季节性模型（{fitted.history_words(seasonal)}）"
        f"预计{now.expected:.1f}件"
    )
    if years_found:
        reason += f"（近{years_found}年同期平均{same_mean:.1f}件）"
    times = (
        f"为预计的{total / total_expected:.1f}倍" if total_expected > 0.05 else "历史同期几乎没有"
    )
    finding = (
        f"近2{word}累计{total}件（预计{total_expected:.1f}件），{times}"
        if by_window
        else f"本期{times}"
        if total_expected > 0.05
        else times
    )
    surge = f"“升至{config.rise:g}倍”比“正常波动”可能性高{_odds(statistic)}"
    if level is None and statistic <= 0:
        reason += f"，{finding}，更接近正常水平，而非升至{config.rise:g}倍"
    elif level is None:
        reason += f"，{finding}，{surge}，未达到预警阈值{_odds(yellow)}"
    elif not config.minimum.met(counts, index):
        level = None
        reason += f"，{finding}；但{config.minimum.explain(counts, index, word)}"
    else:
        reason += f"，{finding}，{surge}，超过预警阈值{_odds(yellow)}"
    return Detection(
        period=series.label(index),
        period_start=series.period_start(index),
        observed=observed,
        expected=now.expected,
        upper=upper,
        p_value=p_value,
        score=statistic / yellow,
        level=level,
        method=METHOD,
        reason=reason,
        details={
            "log_likelihood_ratio": statistic,
            "two_periods": by_window,
            "window_observed": observed + earlier,
            "window_expected": now.expected + before.expected,
            "history_periods": int(fitted.end - fitted.begin),
            "dispersion": fitted.dispersion,
            "trend": fitted.model.trend,
            "downweighted": fitted.downweighted,
            "festival_period": fitted.festival_now(seasonal),
        },
    )


def _odds(log_ratio: float) -> str:
    """e^LLR in words: ``1.6倍``, ``20倍``, ``3,000倍``, ``上万倍``."""
    ratio = math.exp(min(log_ratio, 50.0))
    if ratio >= 10_000:
        return "上万倍"
    return f"{ratio:,.0f}倍" if ratio >= 10 else f"{ratio:.1f}倍"
