"""The seasonal model's test of this period, joined by a test of the last few periods added up.

A surge that runs two weeks at twice the usual count may pass unnoticed week
by week (each week alone could be chance) yet be plain in the two weeks
together. This method asks both questions of the one seasonal fit
(:func:`alerts.seasonal.forecast`, the model behind ``seasonal_glm``):

- **this period**: P(Y_t ≥ y_t), as ``seasonal_glm`` does;
- **the last ``window`` periods together**: P(Y_{t−w+1} + … + Y_t ≥ their sum),
  with the sum's mean and variance from the same fit (negative binomial,
  variance φ·mean plus the fitted mean's own uncertainty).

The false-alarm budget is split between them (weighted Bonferroni): the
period's p-value is min(p_period / (1 − share), p_window / share), so
``alphas`` keep their meaning as the chance of any alarm in a quiet period.
The window test counts only when this period itself is above what the model
expects: a surge that ended last week should not raise a new alarm this week
(the coordinator already has last week's, and a calm week is not a surge).
This is a fixed-window cousin of the negative-binomial GLR of Höhle & Paul
(2008, R ``surveillance::glrnb``), bounded to the window a coordinator
reacts within.

Levels and the minimum count work as for ``seasonal_glm``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from alerts.periods import PERIOD_WORDS, PERIODS_PER_YEAR
from alerts.seasonal import Forecast, SeasonalConfig, forecast, same_period_mean, tail_and_bound
from alerts.series import CountSeries, Detection, MinimumCount, level_from_p
from kb_service.errors import InvalidInputError

METHOD = "seasonal_cumulative"


@dataclass(frozen=True)
class CumulativeConfig:
    window: int = 2
    """Periods added up for the second test, this one included."""
    share: float = 0.5
    """Part of the false-alarm budget given to the window test (the rest to this period's)."""
    alphas: tuple[float, float, float] = (0.005, 0.0005, 0.00005)
    """Combined p-value cut-offs for yellow, orange, red."""
    minimum: MinimumCount = field(default_factory=MinimumCount)


def _check(config: CumulativeConfig) -> None:
    if config.window < 2 or not 0 < config.share < 1:
        raise InvalidInputError(
            "累计检验的窗口应至少为2期，分配比例应在0与1之间", field="cumulative"
        )


def _predictive(fitted: Forecast, indices: list[int]) -> tuple[float, float]:
    """(mean, variance ÷ mean) of the total over ``indices``: the dispersion ``tail_and_bound`` takes."""
    mean, variance = fitted.variance(indices)
    return mean, (variance / mean if mean > 0 else 1.0)


def cumulative(
    series: CountSeries,
    at: int | None = None,
    config: CumulativeConfig = CumulativeConfig(),
    seasonal: SeasonalConfig | None = None,
    *,
    warm: dict[str, np.ndarray] | None = None,
) -> Detection:
    """Judge one period (the last by default): this period, or the last ``window`` together.

    ``seasonal`` sets the model (its ``alphas`` and ``minimum`` are not used here).
    """
    _check(config)
    seasonal = seasonal or SeasonalConfig()
    index = series.index(at)
    counts = series.counts
    fitted = forecast(series, index, seasonal, warm=warm)
    alpha = config.alphas[0]

    expected, dispersion = _predictive(fitted, [index])
    observed = int(counts[index])
    p_period, bound_period = tail_and_bound(
        observed, expected, dispersion, alpha * (1 - config.share)
    )

    window = list(range(max(0, index - config.window + 1), index + 1))
    total_expected, total_dispersion = _predictive(fitted, window)
    total = int(counts[window].sum())
    p_window, bound_window = tail_and_bound(
        total, total_expected, total_dispersion, alpha * config.share
    )
    rising = observed > expected

    weighted_period = p_period / (1 - config.share)
    weighted_window = p_window / config.share if rising else math.inf
    p_value = min(1.0, weighted_period, weighted_window)
    by_window = weighted_window < weighted_period
    # The lowest count this period that alarms: alone, or (above expectation) with the weeks before.
    before = total - observed
    upper = min(bound_period, max(bound_window - before, float(math.floor(expected))))
    score = (
        (observed - expected) / (upper - expected) if upper > expected else float(observed > upper)
    )
    level = level_from_p(p_value, config.alphas)

    word = PERIOD_WORDS[series.period]
    years_found, same_mean = same_period_mean(
        counts, index, PERIODS_PER_YEAR[series.period], seasonal.years
    )
    reason = (
        f"{series.label_zh(index)}受理{observed}件，季节性模型（{fitted.history_words(seasonal)}）"
        f"预计{expected:.1f}件"
    )
    if years_found:
        reason += f"（近{years_found}年同期平均{same_mean:.1f}件）"
    if by_window:
        excess = (
            f"高出{(total - total_expected) / total_expected:.0%}"
            if total_expected > 0
            else "历史同期几乎没有"
        )
        finding = f"近{len(window)}{word}累计{total}件，预计{total_expected:.1f}件，{excess}"
    else:
        excess = (
            f"高出{(observed - expected) / expected:.0%}" if expected > 0 else "历史同期几乎没有"
        )
        finding = excess
    if level is None:
        reason += (
            f"，近{len(window)}{word}累计{total}件（预计{total_expected:.1f}件），"
            f"未超过预警上限（p={p_value:.2g}）"
        )
    elif not config.minimum.met(counts, index):
        level = None
        reason += f"，{finding}；但{config.minimum.explain(counts, index, word)}"
    else:
        reason += f"，{finding}，超过预警上限（p={p_value:.2g}）"
    return Detection(
        period=series.label(index),
        period_start=series.period_start(index),
        observed=observed,
        expected=expected,
        upper=float(upper),
        p_value=p_value,
        score=float(score),
        level=level,
        method=METHOD,
        reason=reason,
        details={
            "p_period": p_period,
            "p_window": p_window,
            "rising": rising,
            "window_observed": total,
            "window_expected": total_expected,
            "history_periods": int(fitted.end - fitted.begin),
            "dispersion": fitted.dispersion,
            "trend": fitted.model.trend,
            "downweighted": fitted.downweighted,
            "festival_period": fitted.festival_now(seasonal),
        },
    )
