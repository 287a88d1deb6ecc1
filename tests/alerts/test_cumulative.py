"""The default surge test (``seasonal_cumulative``): this week, or the last two together."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from alerts.cumulative import CumulativeConfig, cumulative
from alerts.model import level_rank
from alerts.series import CountSeries, MinimumCount
from alerts.surveillance import SurveillanceConfig, detect, scan
from kb_service.errors import InvalidInputError

MONDAY = dt.date(2021, 1, 4)
YEAR = 52
GLM = SurveillanceConfig(method="seasonal_glm")
DEFAULT = SurveillanceConfig()


def noisy(weeks: int, mean: float, seed: int = 7, dispersion: float = 1.3) -> np.ndarray:
    """Negative-binomial weekly counts with a mild yearly season."""
    rng = np.random.default_rng(seed)
    mu = mean * np.exp(0.2 * np.sin(2 * np.pi * np.arange(weeks) / 52.18))
    size = mu / (dispersion - 1)
    return rng.negative_binomial(size, size / (size + mu)).astype(float)


def ending(history: np.ndarray, *last: float) -> CountSeries:
    """The history with its last periods replaced by ``last``."""
    counts = history.copy()
    counts[len(counts) - len(last) :] = last
    return CountSeries(counts, MONDAY)


def test_the_default_is_the_cumulative_test():
    assert detect(CountSeries(noisy(3 * YEAR, 10), MONDAY)).method == "seasonal_cumulative"


def test_a_clear_surge_is_red_and_a_usual_week_raises_nothing():
    history = noisy(3 * YEAR + 1, 10)
    surge = detect(ending(history, 45))
    assert surge.level == "red"
    assert surge.expected == pytest.approx(10, rel=0.35)
    assert surge.score > 1 and surge.observed > surge.upper
    assert "超过预警阈值" in surge.reason and "升至3倍" in surge.reason
    usual = detect(ending(history, round(surge.expected)))
    assert usual.level is None and usual.observed <= usual.upper
    assert "更接近正常水平" in usual.reason


def test_a_quiet_series_rarely_alarms():
    for seed in (11, 12):
        series = CountSeries(noisy(4 * YEAR, 6, seed=seed), MONDAY)
        judged = scan(series, 3 * YEAR, DEFAULT)
        assert sum(d.alarm for d in judged) <= 1


def _smallest_flagged_pair(history: np.ndarray) -> int:
    for value in range(1, 80):
        if detect(ending(history, value, value)).alarm:
            return value
    raise AssertionError("no two-week surge was flagged at all")


def test_two_moderate_weeks_are_caught_together_where_each_week_alone_is_not():
    history = noisy(3 * YEAR + 2, 4, seed=3)
    usual = round(detect(ending(history, history[-2], history[-1])).expected)
    value = _smallest_flagged_pair(history)
    pair = detect(ending(history, value, value))
    assert pair.details["two_periods"] and "近2周累计" in pair.reason
    # The same week after a usual one is not a surge, for this method or for a one-week test.
    assert not detect(ending(history, usual, value)).alarm
    assert not detect(ending(history, value, value), config=GLM).alarm
    assert not detect(ending(history, usual, value), config=GLM).alarm


def test_a_surge_that_ended_last_week_raises_nothing_this_week():
    history = noisy(3 * YEAR + 2, 8)
    ended = detect(ending(history, 40, 8))
    assert detect(ending(history, 8, 40)).alarm
    assert not ended.alarm and not ended.details["two_periods"]


def test_levels_climb_yellow_orange_red_as_the_count_rises():
    history = noisy(3 * YEAR + 1, 10, seed=5)
    seen = [detect(ending(history, value)).level for value in range(8, 70)]
    ranks = [level_rank(level) for level in seen]
    assert ranks == sorted(ranks)
    assert {"yellow", "orange", "red"} <= set(seen)


def test_sparse_cells_obey_the_minimum_count():
    counts = np.zeros(3 * YEAR + 2)
    counts[::13] = 1  # about one dispute a quarter
    quiet = detect(ending(counts, 1, 3))
    assert quiet.details["log_likelihood_ratio"] > CumulativeConfig().thresholds[0]  # odd …
    assert quiet.level is None and "不足5件" in quiet.reason  # … but 4 cases are not a surge
    assert detect(ending(counts, 2, 3)).alarm
    assert detect(ending(counts, 1, 3), config=SurveillanceConfig(minimum=MinimumCount(4, 4))).alarm


def test_the_seasonal_method_is_a_setting_and_unknown_ones_are_refused_in_chinese():
    series = ending(noisy(3 * YEAR + 1, 10), 45)
    assert detect(series, config=replace_method("seasonal_glm")).method == "seasonal_glm"
    with pytest.raises(InvalidInputError, match="未知的季节性方法"):
        detect(series, config=replace_method("farrington"))
    with pytest.raises(InvalidInputError, match="上升倍数"):
        cumulative(series, config=CumulativeConfig(rise=1.0))


def replace_method(name: str) -> SurveillanceConfig:
    return SurveillanceConfig(seasonal_method=name)  # type: ignore[arg-type]
