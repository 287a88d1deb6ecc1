"""Choosing the default surge test on one seed (``python benchmarks/surveillance.py --tune --seed 1``).

The seasonal fit is the costly part (one per cell and judged week); the
tests on top of it are cheap. So one scan records, per judged week, what the
fit expects of this week and the week before and how sure it is
(:func:`record`), and every test variant is then read off those numbers:

- ``p``: this week's tail probability alone (``seasonal_glm``), or joined
  with the two-week total's (``seasonal_cumulative`` with ``likelihood=False``),
  the budget split by ``share``; the cut-off ``alpha``;
- ``lr``: the negative-binomial likelihood ratio of "the rate rose κ-fold"
  against "as expected", for this week and for the two weeks together
  (``seasonal_cumulative``, the default), cut-off ``h`` on its logarithm.

The chosen row has the highest share of ≥3× outbreaks found within two
weeks on regular cells among those whose false alarms stay within
``margin`` × the target in every band (regular, sparse, rare).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy import stats
from surveillance_sources import BANDS, START, Cell, Outbreak

from alerts.seasonal import SeasonalConfig, forecast
from alerts.series import CountSeries, MinimumCount

FIELDS = ("y", "y_before", "mu", "mu_before", "phi", "c_now", "c_before", "c_both", "met")


@dataclass
class Record:
    """Per cell × judged week (arrays of equal shape): the counts, the fit's view and the minimum count."""

    arrays: dict[str, np.ndarray]
    seconds: float

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]


def record(cells: list[Cell], judged_from: int, seasonal: SeasonalConfig, minimum: MinimumCount) -> Record:
    """One seasonal fit per cell and judged week, as ``scan`` makes them, kept as numbers."""
    rows = {name: np.zeros((len(cells), len(cells[0].counts) - judged_from)) for name in FIELDS}
    started = time.perf_counter()
    for c, cell in enumerate(cells):
        series = CountSeries(cell.counts, START, "week")
        warm: dict = {}
        for w, t in enumerate(range(judged_from, len(cell.counts))):
            fitted = forecast(series, t, seasonal, warm=warm)
            rows["y"][c, w], rows["y_before"][c, w] = cell.counts[t], cell.counts[t - 1]
            rows["mu"][c, w], rows["mu_before"][c, w] = fitted.expected(t), fitted.expected(t - 1)
            rows["phi"][c, w] = fitted.dispersion
            rows["met"][c, w] = minimum.met(cell.counts, t)
            if fitted.model.fit is not None:
                cov, now, before = fitted.model.fit.cov, fitted.model.X[t], fitted.model.X[t - 1]
                rows["c_now"][c, w] = now @ cov @ now
                rows["c_before"][c, w] = before @ cov @ before
                rows["c_both"][c, w] = now @ cov @ before
    return Record(rows, time.perf_counter() - started)


# --- the tests, vectorised ----------------------------------------------------------------------


def _nb_sf(observed: np.ndarray, mean: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    """P(Y ≥ observed), Y negative binomial with the mean and variance ratio × mean (Poisson at ≤ 1)."""
    mean = np.maximum(mean, 1e-12)
    poisson = stats.poisson.sf(observed - 1, mean)
    size = mean / np.maximum(ratio - 1, 1e-12)
    negbin = stats.nbinom.sf(observed - 1, size, size / (size + mean))
    return np.where(observed <= 0, 1.0, np.where(ratio <= 1 + 1e-9, poisson, negbin))


def _nb_log_ratio(observed: np.ndarray, mean: np.ndarray, ratio: np.ndarray, rise: float) -> np.ndarray:
    """log P(y | mean × rise) / P(y | mean), negative binomial with the same size (Poisson at ≤ 1)."""
    mean = np.maximum(mean, 1e-12)
    poisson = observed * np.log(rise) - (rise - 1) * mean
    size = mean / np.maximum(ratio - 1, 1e-12)
    negbin = observed * np.log(rise) + (size + observed) * np.log((size + mean) / (size + rise * mean))
    return np.where(ratio <= 1 + 1e-9, poisson, negbin)


def week_and_window(r: Record) -> dict[str, np.ndarray]:
    """Means and variance ratios of this week and of the two-week total."""
    mu, before = r["mu"], r["mu_before"]
    var_now = r["phi"] * mu + mu**2 * r["c_now"]
    var_before = r["phi"] * before + before**2 * r["c_before"]
    var_both = var_now + var_before + 2 * mu * before * r["c_both"]
    total_mu = mu + before
    safe = lambda m: np.where(m > 0, m, 1.0)  # noqa: E731
    return {
        "mu": mu, "ratio": np.where(mu > 0, var_now / safe(mu), 1.0),
        "mu_before": before, "ratio_before": np.where(before > 0, var_before / safe(before), 1.0),
        "total_mu": total_mu, "total_ratio": np.where(total_mu > 0, var_both / safe(total_mu), 1.0),
    }  # fmt: skip


def p_test(r: Record, share: float) -> np.ndarray:
    """Combined p-value (weighted Bonferroni); the window counts only when this week is above expectation."""
    m = week_and_window(r)
    p_week = _nb_sf(r["y"], m["mu"], m["ratio"])
    if share <= 0:
        return p_week
    p_window = _nb_sf(r["y"] + r["y_before"], m["total_mu"], m["total_ratio"])
    p_window = np.where(r["y"] > m["mu"], p_window, 1.0)
    return np.minimum(p_week / (1 - share), p_window / share)


def lr_test(r: Record, rise: float, window: bool = True) -> np.ndarray:
    """log likelihood ratio: the larger of this week's and (this week supporting the rise) both weeks'."""
    m = week_and_window(r)
    now = _nb_log_ratio(r["y"], m["mu"], m["ratio"], rise)
    if not window:
        return now
    before = _nb_log_ratio(r["y_before"], m["mu_before"], m["ratio_before"], rise)
    return np.where(now > 0, np.maximum(now, now + before), now)


# --- the grid -----------------------------------------------------------------------------------


def variants(r: Record) -> dict[str, tuple[np.ndarray, list[float], str]]:
    """name → (statistic, cut-offs, direction): alarm where statistic < cut-off ('<') or > it ('>')."""
    alphas = [0.02, 0.015, 0.01, 0.008, 0.006, 0.005, 0.004, 0.003, 0.002, 0.001]
    found = {f"p share {share}": (p_test(r, share), alphas, "<") for share in (0.0, 0.3, 0.5, 0.7)}
    heights = [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0]
    for rise in (2.0, 2.5, 3.0, 4.0):
        found[f"lr week κ={rise:g}"] = (lr_test(r, rise, window=False), heights, ">")
        found[f"lr 2w κ={rise:g}"] = (lr_test(r, rise), heights, ">")
    return found


def table(r: Record, figures, outbreaks: list[Outbreak], world: list[Cell], judged_from: int) -> dict:
    rows = {}
    met = r["met"].astype(bool)
    for name, (statistic, cutoffs, direction) in variants(r).items():
        for cutoff in cutoffs:
            fire = (statistic < cutoff) if direction == "<" else (statistic > cutoff)
            alarms = list(fire & met)
            by_band = {band: figures(alarms, outbreaks, world, judged_from, band) for band in BANDS}
            rows[f"{name} @ {cutoff:g}"] = {
                "sensitivity_3x_2w": by_band["regular"]["sensitivity_3x_2w"],
                "sensitivity": by_band["regular"]["sensitivity"],
                "sparse_sensitivity_3x_2w": by_band["sparse"]["sensitivity_3x_2w"],
                "false_alarms_per_100": {band: by_band[band]["false_alarms_per_100"] for band in BANDS},
            }
    return rows


def tune(seed: int, cells: int, default, scenario, figures, harmonics: tuple[int, ...],
         cache: Path | None = None, source: str = "register", scale: float = 10.0) -> dict:
    world, outbreaks, judged_from = scenario(seed, cells, source, scale)
    report = {"seed": seed, "source": source, "cells": cells, "rows": {}}
    for pairs in harmonics:
        path = cache and cache.with_name(f"{cache.stem}-s{seed}-c{cells}-{source}-h{pairs}.npz")
        if path and path.exists():
            r = Record(dict(np.load(path)), 0.0)
        else:
            r = record(world, judged_from, replace(default.seasonal, harmonics=pairs), default.minimum)
            print(f"  harmonics {pairs}: {r.seconds:.0f} s", file=sys.stderr)
            if path:
                np.savez_compressed(path, **r.arrays)
        for name, row in table(r, figures, outbreaks, world, judged_from).items():
            report["rows"][f"h{pairs} {name}"] = row
    return report


def print_tuning(report: dict, margin: float = 0.9) -> None:
    print(f"tuning on seed {report['seed']} ({report['source']}, {report['cells']} cells)")
    print(f"{'variant':<32}{'≥3× ≤2w':>9}{'sens.':>7}{'sparse ≥3×':>11}"
          + "".join(f"{'FA ' + band:>12}" for band in BANDS))
    best: dict[str, str] = {}
    for name, row in report["rows"].items():
        fas = row["false_alarms_per_100"]
        family = name.rsplit(" @ ", 1)[0]
        if all(fa is None or fa <= margin for fa in fas.values()):
            kept = best.get(family)
            if kept is None or row["sensitivity_3x_2w"] > report["rows"][kept]["sensitivity_3x_2w"]:
                best[family] = name
        print(f"{name:<32}{row['sensitivity_3x_2w']:>9.1%}{row['sensitivity']:>7.1%}"
              f"{row['sparse_sensitivity_3x_2w'] or 0:>11.1%}"
              + "".join(f"{fa if fa is not None else float('nan'):>12.2f}" for fa in fas.values()))
    print(f"\nbest of each family with false alarms ≤ {margin:g} / 100 in every band:")
    for name in sorted(best.values(), key=lambda n: -report["rows"][n]["sensitivity_3x_2w"]):
        row = report["rows"][name]
        print(f"  {name:<32}{row['sensitivity_3x_2w']:>8.1%}{row['sensitivity']:>8.1%}"
              f"  sparse {row['sparse_sensitivity_3x_2w'] or 0:.1%}  FA {row['false_alarms_per_100']}")
