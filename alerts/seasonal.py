"""A seasonal count model in the Farrington family, for series with two or more years of history.

The count of the period judged is compared with what a quasi-Poisson GLM
fitted to the cell's own history predicts for it (statsmodels does the
fitting; scipy gives the distribution):

    log E[y_t] = β0 + Σ_k (a_k sin 2πk·s_t + b_k cos 2πk·s_t)     yearly season (s_t: fraction of the year)
                 + γ1·pre_t + γ2·holiday_t                          Spring Festival run-up and holiday
                 + δ·t                                              trend, kept only if it earns its place

- **Season**: Fourier terms on the period's place in the year, so weekly and
  monthly series share one model and a 53-week year needs no special case.
- **Spring Festival**: its date moves by weeks from year to year, so it gets
  its own exposures (:mod:`alerts.festivals`), as ESSENCE-style holiday
  adjustments do for Easter.
- **Trend** (Farrington 1996): fitted only with at least ``trend_min_years``
  of history, kept when significant at ``trend_alpha`` and when it does not
  predict more than the history ever saw.
- **Past surges down-weighted** (Farrington 1996; Noufaily et al. 2013): after
  a first fit, periods whose standardised Anscombe residual exceeds
  ``reweight_threshold`` get weight s⁻² and the model is fitted again (up to
  three rounds, until the set settles), so a surge two years ago does not
  raise today's expectation and mask a new one.
- **Dispersion** φ = max(1, Pearson χ² / (n − p)) over the periods kept at
  full weight (Farrington weights them all; a surge left in φ widens the
  bound enough to hide the next one, as the tests show). The predictive distribution of the count is negative binomial
  with mean μ̂ and variance φμ̂ + μ̂²·Var(η̂) — Noufaily's NB plug-in, widened
  by the uncertainty of the fitted mean so short histories are not
  over-confident. The p-value is P(Y ≥ observed); the upper bound is the
  count at the yellow cut-off.

Levels come from the p-value: yellow < ``alphas[0]``, orange < ``alphas[1]``,
red < ``alphas[2]`` (defaults chosen on the benchmark, see
``benchmarks/surveillance.py``), and never below Farrington's minimum count.

No maintained Python port of R's ``surveillance`` exists (``epysurv`` wraps R
through rpy2, is not on PyPI and is no longer maintained), so the method is assembled here from
statsmodels' GLM and scipy's distributions.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy import stats

from alerts.festivals import festival_exposure
from alerts.periods import PERIOD_WORDS, PERIODS_PER_YEAR, Period, period_end, shift
from alerts.series import CountSeries, Detection, MinimumCount, level_from_p
from kb_service.errors import InvalidInputError

METHOD = "seasonal_glm"


@dataclass(frozen=True)
class SeasonalConfig:
    years: float = 5.0
    """History used at most, in years."""
    min_years: float = 2.0
    """Less history than this: the model refuses (``detect`` falls back to EARS)."""
    harmonics: int = 3
    """Fourier pairs for the yearly season."""
    festival: bool = True
    """Spring Festival run-up and holiday terms."""
    trend_min_years: float = 3.0
    trend_alpha: float = 0.05
    guard: int = 0
    """Periods just before the judged one left out of the fit (an outbreak in progress)."""
    reweight_threshold: float = 2.58
    """Standardised Anscombe residual above which a past period is down-weighted."""
    alphas: tuple[float, float, float] = (0.005, 0.0005, 0.00005)
    """p-value cut-offs for yellow, orange, red."""
    minimum: MinimumCount = field(default_factory=MinimumCount)


def history_needed(period: Period, config: SeasonalConfig) -> int:
    return math.ceil(config.min_years * PERIODS_PER_YEAR[period])


@lru_cache(maxsize=256)
def _covariates(start, period: Period, size: int, harmonics: int) -> np.ndarray:
    """Per period: Fourier terms, festival exposures (pre, holiday) and time in years."""
    rows = []
    for i in range(size):
        first = shift(start, i, period)
        last = period_end(first, period)
        middle = first.toordinal() + (last.toordinal() - first.toordinal()) / 2
        year_start = first.replace(month=1, day=1).toordinal()
        season = (middle - year_start) / 365.25
        fourier = []
        for k in range(1, harmonics + 1):
            fourier += [math.sin(2 * math.pi * k * season), math.cos(2 * math.pi * k * season)]
        rows.append([*fourier, *festival_exposure(first, last), i / PERIODS_PER_YEAR[period]])
    return np.array(rows, dtype=float)


@dataclass
class _Fit:
    params: np.ndarray
    cov: np.ndarray
    dispersion: float
    downweighted: int


def _hat_diagonal(X: np.ndarray, weights: np.ndarray) -> np.ndarray:
    q, _ = np.linalg.qr(X * np.sqrt(weights)[:, None])
    return np.einsum("ij,ij->i", q, q)


def _dispersion(y: np.ndarray, mu: np.ndarray, kept: np.ndarray, p: int) -> float:
    """Quasi-Poisson φ from the periods not down-weighted (Pearson χ² / degrees of freedom)."""
    return max(1.0, float(np.sum(((y - mu) ** 2 / mu)[kept])) / max(int(kept.sum()) - p, 1))


class _FitFailed(Exception):
    """IRLS broke down (a sparse cell whose counts a term separates perfectly)."""


def _glm(y: np.ndarray, X: np.ndarray, weights: np.ndarray | None, start: np.ndarray | None):
    """statsmodels' Poisson GLM; a warm start that leads IRLS astray is retried cold."""
    import statsmodels.api as sm  # here, not at the top: importing it takes a second or two,
    # which every web process and `kb` command would pay for the dashboard's sake

    for begin in (start, None) if start is not None else (None,):
        try:
            result = sm.GLM(y, X, family=sm.families.Poisson(), var_weights=weights).fit(
                start_params=begin, maxiter=25
            )
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            continue
        if np.isfinite(result.params).all() and np.isfinite(result.mu).all():
            return result
    raise _FitFailed


def _fit(
    y: np.ndarray, X: np.ndarray, threshold: float, start: np.ndarray | None = None, rounds: int = 3
) -> _Fit:
    """Quasi-Poisson fit with Farrington's down-weighting of large positive residuals.

    Each round computes standardised Anscombe residuals s under the current
    fit, gives the periods with s > ``threshold`` weight s⁻² (the rest 1,
    rescaled to sum to n) and refits, until the set of down-weighted periods
    settles. φ is estimated from the periods kept at full weight: a past
    surge would otherwise inflate it and hide the next one behind a wide
    bound. ``start``: parameters to start IRLS from (the last period's fit).
    """
    n, p = X.shape
    if start is not None and (start.shape != (p,) or not np.all(np.abs(start) < 30)):
        start = None
    flagged = np.zeros(n, dtype=bool)
    weights = np.ones(n)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # convergence chatter on sparse cells
        result = _glm(y, X, None, start)
        for _ in range(rounds):
            mu = result.mu
            dispersion = _dispersion(y, mu, ~flagged, p)
            anscombe = 1.5 * (np.cbrt(y) ** 2 - np.cbrt(mu) ** 2) / mu ** (1 / 6)
            hat = np.clip(_hat_diagonal(X, weights * mu), 0, 0.99)
            standardised = anscombe / np.sqrt(dispersion * (1 - hat))
            now = standardised > threshold
            if not now.any() or np.array_equal(now, flagged):
                break
            flagged = now
            weights = np.where(flagged, standardised ** -2.0, 1.0)
            weights *= n / weights.sum()
            result = _glm(y, X, weights, result.params)
    dispersion = _dispersion(y, result.mu, ~flagged, p)
    return _Fit(result.params, result.normalized_cov_params * dispersion, dispersion, int(flagged.sum()))


def tail_and_bound(observed: int, mean: float, dispersion: float, alpha: float) -> tuple[float, float]:
    """P(Y ≥ observed) and the (1 − alpha) quantile of Y.

    Y is negative binomial with the given mean and variance ``dispersion × mean``
    (Poisson at dispersion 1).
    """
    if dispersion <= 1 + 1e-9 or mean <= 0:
        mean = max(mean, 0.0)
        tail = stats.poisson.sf(observed - 1, mean)
        bound = stats.poisson.ppf(1 - alpha, mean)
    else:
        size = mean / (dispersion - 1)
        tail = stats.nbinom.sf(observed - 1, size, size / (size + mean))
        bound = stats.nbinom.ppf(1 - alpha, size, size / (size + mean))
    return (float(tail) if observed > 0 else 1.0), float(bound)


@dataclass
class _Model:
    """The fit chosen for one period, and what the reason says about it."""

    fit: _Fit | None
    """None when the history holds no case at all."""
    X: np.ndarray
    trend: bool
    festival_columns: np.ndarray
    """Which of (pre, holiday) the model holds."""


def _model(
    counts: np.ndarray, covariates: np.ndarray, begin: int, end: int, index: int,
    history_years: float, config: SeasonalConfig, warm: dict[str, np.ndarray],
) -> _Model:  # fmt: skip
    """Fit the history ``begin:end``: with a trend where Farrington would keep one, else without."""
    harmonics = 2 * config.harmonics
    festival = covariates[:, harmonics : harmonics + 2]
    # A festival term the history never saw (all-zero exposure) cannot be estimated.
    seen = festival[begin:end].max(axis=0) > 0 if config.festival else np.zeros(2, dtype=bool)
    base = np.hstack([np.ones((len(covariates), 1)), covariates[:, :harmonics], festival[:, seen]])
    y = counts[begin:end]
    if y.sum() == 0:
        return _Model(None, base, False, seen)
    if history_years >= config.trend_min_years:
        with_trend = np.hstack([base, covariates[:, -1:]])
        try:
            fit = _fit(y, with_trend[begin:end], config.reweight_threshold, warm.get("trend"))
        except _FitFailed:
            return _simpler(y, base, begin, end, seen, config)
        warm["trend"] = fit.params
        slope, slope_sd = fit.params[-1], math.sqrt(max(fit.cov[-1, -1], 0))
        significant = slope_sd > 0 and 2 * stats.norm.sf(abs(slope / slope_sd)) < config.trend_alpha
        if significant and math.exp(float(with_trend[index] @ fit.params)) <= y.max():
            return _Model(fit, with_trend, True, seen)
    try:
        fit = _fit(y, base[begin:end], config.reweight_threshold, warm.get("base"))
    except _FitFailed:
        return _simpler(y, base, begin, end, seen, config)
    warm["base"] = fit.params
    return _Model(fit, base, False, seen)


def _simpler(
    y: np.ndarray, base: np.ndarray, begin: int, end: int, seen: np.ndarray, config: SeasonalConfig
) -> _Model:
    """Where the full model breaks down: the season alone, then the mean alone (always fits)."""
    season = base[:, : 1 + 2 * config.harmonics]
    try:
        fit = _fit(y, season[begin:end], config.reweight_threshold)
        return _Model(fit, season, False, np.zeros_like(seen))
    except _FitFailed:
        mean = base[:, :1]
        return _Model(_fit(y, mean[begin:end], config.reweight_threshold), mean, False, np.zeros_like(seen))


@dataclass
class Forecast:
    """What the model fitted on the history before one period expects of it and the periods before.

    ``expected(i)`` and ``spread(i)`` work for any period the covariates
    cover, so a test over the last few periods (:mod:`alerts.cumulative`)
    reuses the one fit.
    """

    index: int
    model: _Model
    history_years: float
    begin: int
    end: int
    covariates: np.ndarray

    @property
    def dispersion(self) -> float:
        return 1.0 if self.model.fit is None else self.model.fit.dispersion

    @property
    def downweighted(self) -> int:
        return 0 if self.model.fit is None else self.model.fit.downweighted

    def expected(self, index: int) -> float:
        if self.model.fit is None:
            return 0.0
        return math.exp(min(float(self.model.X[index] @ self.model.fit.params), 50.0))

    def variance(self, indices: list[int]) -> tuple[float, float]:
        """(mean, variance) of the total count over ``indices``.

        Variance: φ × mean (the count's own noise) plus g'·Cov·g with
        g = Σ μ_i·x_i (the delta method on the fitted mean's uncertainty).
        """
        if self.model.fit is None:
            return 0.0, 0.0
        means = [self.expected(i) for i in indices]
        gradient = sum(mu * self.model.X[i] for mu, i in zip(means, indices, strict=True))
        mean = float(sum(means))
        return mean, self.dispersion * mean + float(gradient @ self.model.fit.cov @ gradient)

    def festival_now(self, config: SeasonalConfig) -> bool:
        exposure = self.covariates[self.index, 2 * config.harmonics : 2 * config.harmonics + 2]
        return bool((exposure[self.model.festival_columns] > 0).any())

    def history_words(self, config: SeasonalConfig) -> str:
        """``近5年历史，已计入春节因素，含趋势``: what the reason says about the model."""
        parts = [f"近{self.history_years:.0f}年历史"]
        if self.festival_now(config):
            parts.append("已计入春节因素")
        if self.model.trend:
            parts.append("含趋势")
        return "，".join(parts)


def forecast(
    series: CountSeries,
    index: int,
    config: SeasonalConfig = SeasonalConfig(),
    *,
    warm: dict[str, np.ndarray] | None = None,
) -> Forecast:
    """Fit the cell's history before period ``index`` (refuses with less than ``min_years``)."""
    per_year = PERIODS_PER_YEAR[series.period]
    needed = history_needed(series.period, config)
    if index < needed:
        raise InvalidInputError(
            f"季节性模型需要此前至少{config.min_years:g}年（{needed}个周期）的数据，目前只有{index}个",
            field="series",
        )
    end = index - config.guard
    begin = max(0, end - round(config.years * per_year))
    covariates = _covariates(series.start, series.period, len(series), config.harmonics)
    history_years = (end - begin) / per_year
    warm = {} if warm is None else warm
    model = _model(series.counts, covariates, begin, end, index, history_years, config, warm)
    return Forecast(index, model, history_years, begin, end, covariates)


def same_period_mean(counts: np.ndarray, index: int, per_year: float, years: float) -> tuple[int, float]:
    """(years found, mean count) of the same period in the years before."""
    same = [
        counts[index - round(k * per_year)]
        for k in range(1, math.ceil(years) + 1)
        if index - round(k * per_year) >= 0
    ]
    return len(same), float(np.mean(same)) if same else 0.0


def seasonal(
    series: CountSeries,
    at: int | None = None,
    config: SeasonalConfig = SeasonalConfig(),
    *,
    warm: dict[str, np.ndarray] | None = None,
) -> Detection:
    """Judge one period (the last by default) against the cell's seasonal history.

    ``warm``: a dict kept across calls on consecutive periods of one series
    (``scan`` passes one) so each fit starts from the last one's parameters.
    """
    index = series.index(at)
    counts = series.counts
    fitted = forecast(series, index, config, warm=warm)
    expected, variance = fitted.variance([index])
    dispersion = variance / expected if expected > 0 else 1.0
    observed = int(counts[index])
    p_value, upper = tail_and_bound(observed, expected, dispersion, config.alphas[0])
    score = (observed - expected) / (upper - expected) if upper > expected else float(observed > upper)
    level = level_from_p(p_value, config.alphas)

    years_found, same_mean = same_period_mean(counts, index, PERIODS_PER_YEAR[series.period], config.years)
    reason = f"{series.label_zh(index)}受理{observed}件，季节性模型（{fitted.history_words(config)}）预计{expected:.1f}件"
    if years_found:
        reason += f"（近{years_found}年同期平均{same_mean:.1f}件）"
    excess = f"高出{(observed - expected) / expected:.0%}" if expected > 0 else "历史同期几乎没有"
    if level is None:
        reason += f"，未超过预警上限{upper:.0f}件（p={p_value:.2g}）"
    elif not config.minimum.met(counts, index):
        level = None
        reason += f"，{excess}；但{config.minimum.explain(counts, index, PERIOD_WORDS[series.period])}"
    else:
        reason += f"，{excess}，超过预警上限{upper:.0f}件（p={p_value:.2g}）"
    return Detection(
        period=series.label(index),
        period_start=series.period_start(index),
        observed=observed,
        expected=expected,
        upper=upper,
        p_value=p_value,
        score=float(score),
        level=level,
        method=METHOD,
        reason=reason,
        details={
            "history_periods": int(fitted.end - fitted.begin),
            "dispersion": fitted.dispersion,
            "trend": fitted.model.trend,
            "downweighted": fitted.downweighted,
            "festival_period": fitted.festival_now(config),
        },
    )
