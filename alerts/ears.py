"""EARS C1, C2, C3: the CDC's short-baseline aberration statistics (Hutwagner et al. 2003).

For the period t judged, with mean and standard deviation of a 7-period baseline:

- C1: baseline t−7 … t−1;  C1 = (y_t − mean) / sd, alarm at C1 ≥ 3;
- C2: baseline t−9 … t−3 (a 2-period guard against an outbreak leaking into
  its own baseline);  alarm at C2 ≥ 3;
- C3: Σ over t−2 … t of max(0, C2 − 1), alarm at C3 ≥ 2: it lets a sustained
  moderate rise add up.

The CDC thresholds give the yellow level; orange and red sit at 1.5× and 2×
the threshold (C1/C2: 3 / 4.5 / 6, C3: 2 / 3 / 4). C1 and C2 also carry a
one-sided normal p-value, as the CDC's threshold of 3 was chosen from; C3 has
none. The standard deviation is floored (``min_sigma``, 1 case) so a
baseline of seven equal counts — often all zero — does not make any count
an infinite surprise. EARS needs only 7–9 periods of history; the seasonal
model takes over once there are two years.

No maintained Python package implements these (the R package
``surveillance`` is the reference; its Python wrapper ``epysurv`` goes
through R and is no longer maintained), so this is the CDC's definition in a
few lines of numpy, checked against it in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from alerts.periods import PERIOD_WORDS
from alerts.series import CountSeries, Detection, MinimumCount, level_from_score
from kb_service.errors import InvalidInputError

Variant = Literal["C1", "C2", "C3"]
BASELINE = 7
LAGS: dict[str, int] = {"C1": 0, "C2": 2, "C3": 2}
THRESHOLDS: dict[str, tuple[float, float, float]] = {
    "C1": (3.0, 4.5, 6.0),
    "C2": (3.0, 4.5, 6.0),
    "C3": (2.0, 3.0, 4.0),
}


@dataclass(frozen=True)
class EarsConfig:
    variant: Variant = "C2"
    min_sigma: float = 1.0
    minimum: MinimumCount = MinimumCount()


def history_needed(variant: Variant) -> int:
    """Periods before the judged one that the variant needs (C3 looks back two more)."""
    return BASELINE + LAGS[variant] + (2 if variant == "C3" else 0)


def _c_statistic(
    counts: np.ndarray, index: int, lag: int, min_sigma: float
) -> tuple[float, float, float]:
    """(statistic, mean, sd) of the period ``index`` against its lagged 7-period baseline."""
    baseline = counts[index - lag - BASELINE : index - lag]
    mean = float(baseline.mean())
    sd = max(float(baseline.std(ddof=1)), min_sigma)
    return (counts[index] - mean) / sd, mean, sd


def ears(series: CountSeries, at: int | None = None, config: EarsConfig = EarsConfig()) -> Detection:
    """Judge one period (the last by default) with C1, C2 or C3."""
    variant = config.variant
    if variant not in LAGS:
        raise InvalidInputError(f"未知的 EARS 方法“{variant}”，可选：C1、C2、C3", field="method")
    index = series.index(at)
    needed = history_needed(variant)
    if index < needed:
        raise InvalidInputError(
            f"EARS {variant} 需要此前至少{needed}个周期的数据，目前只有{index}个", field="series"
        )
    counts = series.counts
    lag = LAGS[variant]
    statistic, mean, sd = _c_statistic(counts, index, lag, config.min_sigma)
    threshold = THRESHOLDS[variant][0]
    p_value: float | None = float(stats.norm.sf(statistic))
    upper = mean + threshold * sd
    if variant == "C3":
        earlier = sum(
            max(0.0, _c_statistic(counts, index - back, lag, config.min_sigma)[0] - 1)
            for back in (1, 2)
        )
        statistic = earlier + max(0.0, statistic - 1)
        # The count at which this period's C2 term would lift C3 to its threshold.
        upper = mean + sd * (1 + max(0.0, threshold - earlier))
        p_value = None
    word = PERIOD_WORDS[series.period]
    observed = int(counts[index])
    level = level_from_score(statistic, THRESHOLDS[variant])
    label = series.label_zh(index)
    lagged = f"（间隔{lag}{word}）" if lag else ""
    base = f"{label}受理{observed}件，此前{BASELINE}{word}{lagged}平均{mean:.1f}件（标准差{sd:.1f}）"
    if level is None:
        reason = f"{base}，{variant}统计量{statistic:.1f}，未超过阈值{threshold:g}"
    elif not config.minimum.met(counts, index):
        level = None
        reason = f"{base}，{variant}统计量{statistic:.1f}；但{config.minimum.explain(counts, index, word)}"
    else:
        reason = f"{base}，{variant}统计量{statistic:.1f}，超过阈值{threshold:g}"
    return Detection(
        period=series.label(index),
        period_start=series.period_start(index),
        observed=observed,
        expected=mean,
        upper=float(upper),
        p_value=p_value,
        score=float(statistic),
        level=level,
        method=f"ears_{variant.lower()}",
        reason=reason,
        details={"baseline_mean": mean, "baseline_sd": sd, "lag": lag},
    )
