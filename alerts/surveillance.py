"""Surge detection on one region × dispute-type count series: the methods behind ``surge`` alerts.

Methods (each returns a :class:`~alerts.series.Detection`):

- ``seasonal_glm`` (:mod:`alerts.seasonal`): quasi-Poisson GLM with yearly
  season, Spring Festival terms, optional trend and Farrington's
  down-weighting of past surges; needs two years of history;
- ``seasonal_cumulative`` (:mod:`alerts.cumulative`): the same model, but
  judged by how much likelier a threefold rise makes this period's count,
  or the last two periods' (a negative-binomial likelihood ratio, after R
  ``surveillance::glrnb``);
- ``ears_c1`` / ``ears_c2`` / ``ears_c3`` (:mod:`alerts.ears`): the CDC's
  short-baseline statistics, from 7–11 periods of history;
- ``auto`` (the default): ``seasonal_method`` (the cumulative test) where
  two years of history exist, EARS C2 before that. Chosen on
  ``benchmarks/surveillance.py``.

Every method obeys the minimum count (Farrington's 5 cases in the last 4
periods by default), so a sparse cell never floods the list with alarms.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from alerts.cumulative import CumulativeConfig, cumulative
from alerts.ears import EarsConfig, ears
from alerts.ears import history_needed as ears_history
from alerts.model import Alert
from alerts.seasonal import SeasonalConfig, seasonal
from alerts.seasonal import history_needed as seasonal_history
from alerts.series import CountSeries, Detection, MinimumCount
from kb_service.errors import InvalidInputError
from kb_service.vocabularies import DISPUTE_TYPES

Method = Literal["auto", "seasonal_glm", "seasonal_cumulative", "ears_c1", "ears_c2", "ears_c3"]
METHODS: tuple[str, ...] = ("auto", "seasonal_glm", "seasonal_cumulative", "ears_c1", "ears_c2", "ears_c3")
SEASONAL_METHODS: tuple[str, ...] = ("seasonal_glm", "seasonal_cumulative")
METHOD_LABELS: dict[str, str] = {
    "seasonal_glm": "季节性计数模型（Farrington 类准泊松回归）",
    "seasonal_cumulative": "季节性计数模型＋近两期累计似然比检验",
    "ears_c1": "EARS C1",
    "ears_c2": "EARS C2",
    "ears_c3": "EARS C3",
}


@dataclass(frozen=True)
class SurveillanceConfig:
    method: Method = "auto"
    minimum: MinimumCount = field(default_factory=MinimumCount)
    """Applies to every method (it replaces the one inside ``seasonal`` and ``ears``)."""
    seasonal: SeasonalConfig = field(default_factory=SeasonalConfig)
    """The seasonal model (and ``seasonal_glm``'s cut-offs)."""
    cumulative: CumulativeConfig = field(default_factory=CumulativeConfig)
    """``seasonal_cumulative``'s window, budget split and cut-offs."""
    seasonal_method: Literal["seasonal_glm", "seasonal_cumulative"] = "seasonal_cumulative"
    """What ``auto`` uses once two years of history exist."""
    ears: EarsConfig = field(default_factory=lambda: EarsConfig(variant="C2"))
    """The EARS variant ``auto`` falls back to, and its settings."""


def choose_method(series: CountSeries, index: int, config: SurveillanceConfig) -> str | None:
    """The method ``auto`` uses for this period, or None when there is too little history."""
    if config.method != "auto":
        return config.method
    if index >= seasonal_history(series.period, config.seasonal):
        return config.seasonal_method
    if index >= ears_history(config.ears.variant):
        return f"ears_{config.ears.variant.lower()}"
    return None


def _check_method(config: SurveillanceConfig) -> None:
    if config.method not in METHODS:
        choices = "、".join(METHODS)
        raise InvalidInputError(f"未知的检测方法“{config.method}”，可选：{choices}", field="method")
    if config.seasonal_method not in SEASONAL_METHODS:
        choices = "、".join(SEASONAL_METHODS)
        raise InvalidInputError(
            f"未知的季节性方法“{config.seasonal_method}”，可选：{choices}", field="seasonal_method"
        )


def detect(
    series: CountSeries, at: int | None = None, config: SurveillanceConfig = SurveillanceConfig()
) -> Detection | None:
    """Judge one period (the last by default).

    With ``method="auto"`` a period with too little history for any method
    gives None; a named method with too little history raises
    :class:`InvalidInputError`.
    """
    _check_method(config)
    return _detect(series, series.index(at), config)


def _detect(
    series: CountSeries, index: int, config: SurveillanceConfig, warm: dict | None = None
) -> Detection | None:
    method = choose_method(series, index, config)
    if method is None:
        return None
    if method == "seasonal_glm":
        return seasonal(series, index, replace(config.seasonal, minimum=config.minimum), warm=warm)
    if method == "seasonal_cumulative":
        return cumulative(
            series, index, replace(config.cumulative, minimum=config.minimum), config.seasonal, warm=warm
        )
    variant = method.removeprefix("ears_").upper()
    return ears(series, index, replace(config.ears, variant=variant, minimum=config.minimum))


def scan(
    series: CountSeries, first: int = 0, config: SurveillanceConfig = SurveillanceConfig()
) -> list[Detection | None]:
    """Judge every period from ``first`` on, as a prospective system would have week by week.

    Each period sees only the counts up to itself (the methods never look ahead).
    """
    _check_method(config)
    results: list[Detection | None] = []
    warm: dict = {}
    for index in range(first, len(series)):
        try:
            results.append(_detect(series, index, config, warm))
        except InvalidInputError:
            results.append(None)  # a named method with too little history at this point
    return results


def surge_alert(detection: Detection, region: str, dispute_type: str) -> Alert | None:
    """The ``surge`` alert for an alarming detection of one cell, None otherwise.

    The key is the cell and the period: the same cell and period is raised once.
    The caller adds the ids of the disputes counted in the period.
    """
    if detection.level is None:
        return None
    label = DISPUTE_TYPES.label(dispute_type) if dispute_type in DISPUTE_TYPES.terms else dispute_type
    method = METHOD_LABELS.get(detection.method, detection.method)
    return Alert(
        kind="surge",
        level=detection.level,
        key=f"surge:{region}:{dispute_type}:{detection.period}",
        region=region,
        dispute_type=dispute_type,
        period=detection.period,
        reason=f"{region}{label}：{detection.reason}。方法：{method}",
        observed=float(detection.observed),
        expected=round(detection.expected, 2),
        method=detection.method,
    )
