"""Surge detection on constructed series: what a coordinator would notice."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import replace

import numpy as np
import pytest

from alerts.ears import EarsConfig, ears
from alerts.festivals import festival_exposure, spring_festival
from alerts.model import level_rank, new_alerts
from alerts.seasonal import SeasonalConfig, seasonal
from alerts.series import CountSeries, MinimumCount, level_from_p
from alerts.surveillance import SurveillanceConfig, detect, scan, surge_alert
from kb_service.errors import InvalidInputError

MONDAY = dt.date(2021, 1, 4)
YEAR = 52


def noisy(weeks: int, mean: float = 10.0, seed: int = 7, dispersion: float = 1.3) -> np.ndarray:
    """Negative-binomial weekly counts with a mild yearly season."""
    rng = np.random.default_rng(seed)
    t = np.arange(weeks)
    mu = mean * np.exp(0.2 * np.sin(2 * np.pi * t / 52.18))
    size = mu / (dispersion - 1)
    return rng.negative_binomial(size, size / (size + mu)).astype(float)


def with_last(counts: np.ndarray, value: float) -> CountSeries:
    counts = counts.copy()
    counts[-1] = value
    return CountSeries(counts, MONDAY)


# --- the series ---------------------------------------------------------------------------------


def test_counts_from_dates_fill_empty_weeks_and_months():
    days = [dt.date(2026, 1, 5), dt.date(2026, 1, 7), dt.date(2026, 1, 21), dt.date(2026, 3, 2)]
    weekly = CountSeries.from_dates(days, "week")
    assert weekly.start == dt.date(2026, 1, 5)
    assert list(weekly.counts[:3]) == [2, 0, 1]
    assert weekly.label(0) == "2026-W02" and weekly.label_zh(2) == "2026年第4周"
    monthly = CountSeries.from_dates(days, "month", first=dt.date(2025, 12, 1), last=dt.date(2026, 3, 31))
    assert list(monthly.counts) == [0, 3, 0, 1]
    assert monthly.label(1) == "2026-01"


def test_a_series_refuses_negative_counts_in_chinese():
    with pytest.raises(InvalidInputError, match="非负"):
        CountSeries(np.array([1, -2, 3]), MONDAY)


# --- EARS ---------------------------------------------------------------------------------------


def test_ears_statistics_follow_the_cdc_definitions():
    counts = np.array([4, 6, 5, 7, 5, 6, 4, 5, 6, 5, 7, 20], dtype=float)
    series = CountSeries(counts, MONDAY)
    t = len(counts) - 1
    c1 = ears(series, config=EarsConfig(variant="C1"))
    base1 = counts[t - 7 : t]
    assert c1.score == pytest.approx((counts[t] - statistics.mean(base1)) / max(statistics.stdev(base1), 1.0))

    def c2_at(i: int) -> float:
        base = counts[i - 9 : i - 2]
        return (counts[i] - statistics.mean(base)) / max(statistics.stdev(base), 1.0)

    c2 = ears(series, config=EarsConfig(variant="C2"))
    assert c2.score == pytest.approx(c2_at(t))
    c3 = ears(series, config=EarsConfig(variant="C3"))
    assert c3.score == pytest.approx(sum(max(0.0, c2_at(i) - 1) for i in (t - 2, t - 1, t)))
    assert c1.level == c2.level == c3.level == "red"
    assert "超过阈值" in c2.reason


def test_c2_guard_keeps_a_rise_last_week_out_of_its_baseline():
    counts = np.array([5, 6, 5, 6, 5, 6, 5, 6, 5, 18, 19], dtype=float)
    series = CountSeries(counts, MONDAY)
    c1 = ears(series, config=EarsConfig(variant="C1"))
    c2 = ears(series, config=EarsConfig(variant="C2"))
    assert c2.alarm and c2.score > c1.score  # C1's baseline already holds last week's 18


def test_ears_on_a_flat_series_raises_nothing():
    series = CountSeries(np.full(30, 8.0), MONDAY)
    for variant in ("C1", "C2", "C3"):
        assert not ears(series, config=EarsConfig(variant=variant)).alarm


def test_ears_levels_rise_with_the_statistic():
    base = np.array([5, 6, 5, 6, 5, 6, 5, 6, 5, 6], dtype=float)
    levels = [ears(with_last(np.append(base, 0), v), config=EarsConfig(variant="C1")).level
              for v in (8, 9, 11, 12)]
    assert levels == [None, "yellow", "orange", "red"]


def test_ears_says_how_much_history_it_needs():
    with pytest.raises(InvalidInputError, match="至少9个周期"):
        ears(CountSeries(np.ones(5), MONDAY), config=EarsConfig(variant="C2"))


# --- the seasonal model -------------------------------------------------------------------------


def test_a_clear_surge_is_red_and_a_typical_week_raises_nothing():
    history = noisy(3 * YEAR + 1)
    surge = seasonal(with_last(history, 45))
    assert surge.level == "red"
    assert surge.expected == pytest.approx(10, rel=0.35)
    assert surge.p_value < SeasonalConfig().alphas[2]
    assert "预计" in surge.reason and "超过预警上限" in surge.reason
    typical = seasonal(with_last(history, round(surge.expected)))
    assert typical.level is None and "未超过" in typical.reason


def test_a_noisy_series_without_outbreaks_rarely_alarms():
    series = CountSeries(noisy(4 * YEAR, seed=11), MONDAY)
    judged = scan(series, 3 * YEAR, SurveillanceConfig(method="seasonal_glm"))
    assert sum(d.alarm for d in judged) <= 1


def test_levels_climb_yellow_orange_red_as_the_count_rises():
    history = noisy(3 * YEAR + 1, seed=3)
    seen = []
    for value in range(10, 60):
        detection = seasonal(with_last(history, value))
        assert detection.level == level_from_p(detection.p_value, SeasonalConfig().alphas)
        seen.append(detection.level)
    ranks = [level_rank(level) for level in seen]
    assert ranks == sorted(ranks)
    assert {"yellow", "orange", "red"} <= set(seen)


def test_sparse_series_obey_the_minimum_count():
    counts = np.zeros(3 * YEAR + 1)
    counts[::13] = 1  # about one dispute a quarter
    quiet = with_last(counts, 4)
    config = SurveillanceConfig(method="seasonal_glm")
    detection = detect(quiet, config=config)
    assert detection.p_value < 0.001  # statistically odd …
    assert detection.level is None  # … but 4 cases are not a surge
    assert "不足5件" in detection.reason
    assert detect(with_last(counts, 5), config=config).alarm
    lower = replace(config, minimum=MinimumCount(cases=3, periods=4))
    assert detect(quiet, config=lower).alarm
    for method in ("ears_c1", "ears_c2", "ears_c3"):
        assert not detect(quiet, config=replace(config, method=method)).alarm


def test_a_sparse_cell_scans_half_a_year_without_failing_or_flooding():
    rng = np.random.default_rng(8)
    counts = rng.poisson(0.6, 4 * YEAR).astype(float)
    series = CountSeries(counts, MONDAY)
    for week in range(len(series)):  # nothing ever in the Spring Festival holiday: separation
        first = series.period_start(week)
        if festival_exposure(first, first + dt.timedelta(days=6))[1] > 0:
            counts[week] = 0
    judged = scan(CountSeries(counts, MONDAY), 4 * YEAR - 26, SurveillanceConfig(method="seasonal_glm"))
    assert all(d is not None for d in judged)
    assert sum(d.alarm for d in judged) <= 1


def test_a_past_surge_does_not_mask_a_new_one():
    history = noisy(3 * YEAR + 1, seed=5)
    history[2 * YEAR - 6 : 2 * YEAR] = [40, 70, 90, 90, 70, 40]  # a big surge a year ago
    series = with_last(history, 24)
    reweighted = seasonal(series)
    plain = seasonal(series, config=SeasonalConfig(reweight_threshold=float("inf")))
    assert reweighted.details["downweighted"] >= 4
    assert reweighted.alarm
    assert not plain.alarm  # the old surge inflates what the model expects and how much it varies
    assert reweighted.upper < plain.upper


def _festival_series(years: int = 4) -> CountSeries:
    """Weekly counts doubling in the four weeks before each Spring Festival (model's windows)."""
    rng = np.random.default_rng(21)
    start = dt.date(2021, 1, 4)
    weeks = years * YEAR
    means = []
    for i in range(weeks):
        first = start + dt.timedelta(weeks=i)
        pre, holiday = festival_exposure(first, first + dt.timedelta(days=6))
        means.append(12 * (1 + 1.2 * pre) * (1 - 0.5 * holiday))
    return CountSeries(rng.poisson(means).astype(float), start)


def test_the_spring_festival_term_expects_the_run_up():
    series = _festival_series()
    festival = spring_festival(2024)  # 2024-02-10; the last year in the series
    week = series.index(festival - dt.timedelta(days=10))
    counts = series.counts.copy()
    counts[week] = 33  # a busy run-up week: 12 a week × 2.2 in the run-up, plus noise
    series = CountSeries(counts[: week + 1], series.start)
    with_term = seasonal(series)
    without = seasonal(series, config=SeasonalConfig(festival=False))
    assert with_term.level is None
    assert "春节" in with_term.reason
    run_up = 12 * 2.2  # the simulated mean of a run-up week
    assert with_term.expected == pytest.approx(run_up, rel=0.15)
    assert without.expected < 0.75 * run_up
    assert without.alarm  # Fourier terms alone cannot follow a date that moves each year


def test_festival_exposure_follows_the_moving_date():
    assert spring_festival(2026) == dt.date(2026, 2, 17)
    # The week of 除夕 2026 (Mon 16 Feb) is all holiday; four weeks before, all run-up.
    assert festival_exposure(dt.date(2026, 2, 16), dt.date(2026, 2, 22)) == (0.0, 1.0)
    assert festival_exposure(dt.date(2026, 1, 19), dt.date(2026, 1, 25)) == (1.0, 0.0)
    # 2023's festival (22 Jan) starts its run-up in December 2022.
    assert festival_exposure(dt.date(2022, 12, 26), dt.date(2023, 1, 1)) == (1.0, 0.0)
    assert festival_exposure(dt.date(2021, 7, 5), dt.date(2021, 7, 11)) == (0.0, 0.0)
    with pytest.raises(ValueError, match="春节日期表"):
        spring_festival(2099)


def test_seasonal_model_needs_two_years():
    with pytest.raises(InvalidInputError, match="至少2年"):
        seasonal(CountSeries(noisy(60), MONDAY))


# --- choosing and scanning ----------------------------------------------------------------------


def test_auto_uses_ears_first_and_the_seasonal_model_from_two_years():
    counts = noisy(3 * YEAR)
    series = CountSeries(counts, MONDAY)
    assert detect(series, at=5) is None
    assert detect(series, at=20).method == "ears_c2"
    assert detect(series, at=2 * YEAR + 5).method == "seasonal_cumulative"
    glm = SurveillanceConfig(seasonal_method="seasonal_glm")
    assert detect(series, at=2 * YEAR + 5, config=glm).method == "seasonal_glm"


def test_a_scan_never_looks_ahead():
    counts = noisy(3 * YEAR)
    early = scan(CountSeries(counts, MONDAY), 2 * YEAR + 10)[:5]
    counts[-20:] = 500
    later = scan(CountSeries(counts, MONDAY), 2 * YEAR + 10)[:5]
    assert [d.p_value for d in early] == [d.p_value for d in later]


def test_an_unknown_method_is_refused_in_chinese():
    with pytest.raises(InvalidInputError, match="未知的检测方法"):
        detect(CountSeries(noisy(30), MONDAY), config=SurveillanceConfig(method="cusum"))


# --- surge alerts -------------------------------------------------------------------------------


def test_a_surge_alert_is_raised_once_per_cell_and_period():
    series = with_last(noisy(3 * YEAR + 1), 45)
    detection = detect(series)
    region = "吉林省/长春市/南关区"
    alert = surge_alert(detection, region, "labor")
    again = surge_alert(detect(series), region, "劳动争议纠纷" and "labor")
    assert alert.key == again.key and alert.id == again.id
    assert alert.to_dict()["dispute_type_label"] == "劳动争议纠纷"
    assert alert.reason.startswith(region + "劳动争议纠纷")
    assert new_alerts([alert, again]) == [alert]
    assert new_alerts([again], known_keys=[alert.key]) == []
    other_cell = surge_alert(detection, region, "family")
    assert other_cell.key != alert.key
    quiet = detect(with_last(noisy(3 * YEAR + 1), 10))
    assert surge_alert(quiet, region, "labor") is None


def test_monthly_series_work_the_same_way():
    rng = np.random.default_rng(4)
    months = 4 * 12
    mean = 40 * np.exp(0.2 * np.cos(2 * np.pi * np.arange(months) / 12))
    counts = rng.poisson(mean).astype(float)
    counts[-1] = 2.5 * mean[-1]
    series = CountSeries(counts, dt.date(2021, 1, 1), "month")
    detection = detect(series)
    assert detection.method == "seasonal_cumulative" and detection.alarm
    assert detection.period == "2024-12" and detection.reason.startswith("2024年12月")
    assert not detect(CountSeries(counts[:-1], dt.date(2021, 1, 1), "month")).alarm
