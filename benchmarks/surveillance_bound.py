"""How many one-week outbreaks any test could find at the false-alarm target: an upper bound.

A one-week outbreak is one count. Whatever a method does with the history,
its alarm in that week is a test of "rate λ_t" against "rate s·λ_t", and no
test does better than one that knows λ_t exactly and the counts are Poisson
(as the register's generator draws them). For that test Neyman–Pearson gives
the most detections at a given false-alarm rate: alarm above a count
threshold (randomised at the threshold), since the likelihood ratio of any
mixture of rises s ≥ 1 grows with the count. Spending the false-alarm budget
freely across cells and weeks (the benchmark's target is an average) only
helps; the bound spends it optimally (a Lagrange multiplier on the concave
detection-versus-false-alarm curves).

So the share of one-week ≥3× outbreaks found, averaged over the judged cells
of a band, is at most :func:`one_week_bound` at ``target`` false alarms per
cell-week. Outbreaks of two weeks or more are counted as always found, which
only raises the bound on all ≥3× outbreaks.
"""

from __future__ import annotations

import numpy as np
from scipy import stats
from surveillance_sources import Cell

SIZES = np.linspace(3, 5, 21)
"""≥3× outbreaks: sizes uniform on 3–5, as the benchmark plants them."""


def _curves(means: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per mean: false-alarm rate and detection (≥3×) of 'alarm above k', k from just below the
    mean to where false alarms fall under 10⁻⁹ (beyond that nothing changes)."""
    base = np.maximum(np.floor(means) - 1, -1)
    steps = int((stats.poisson.isf(1e-9, means) - base).max()) + 2
    thresholds = base[:, None] + np.arange(steps)[None, :]
    false = stats.poisson.sf(thresholds, means[:, None])
    found = np.mean([stats.poisson.sf(thresholds, size * means[:, None]) for size in SIZES], axis=0)
    return false, found


def one_week_bound(cells: list[Cell], judged_from: int, target: float) -> float:
    """Most one-week ≥3× outbreaks any test finds with false alarms ≤ ``target`` per cell-week."""
    means = np.concatenate([cell.expected[judged_from:] for cell in cells])
    means = np.maximum(means, 1e-9)
    false, found = _curves(means)

    def spend(price: float) -> tuple[float, float]:
        best = np.argmax(found - price * false, axis=1)
        rows = np.arange(len(means))
        return float(false[rows, best].mean()), float(found[rows, best].mean())

    low, high = 0.0, 1e6  # price of a false alarm: low spends too much, high too little
    for _ in range(100):
        middle = (low + high) / 2
        if spend(middle)[0] > target:
            low = middle
        else:
            high = middle
    (over_false, over_found), (under_false, under_found) = spend(low), spend(high)
    if over_false <= under_false:
        return under_found
    # Randomise between the two allocations to spend exactly the target.
    weight = (target - under_false) / (over_false - under_false)
    return under_found + weight * (over_found - under_found)


def naive_one_week(cells: list[Cell], judged_from: int, ratio: float = 1.5) -> float:
    """Expected share of one-week ≥3× outbreaks the naive rule finds (count > ratio × last year's)."""
    now = np.concatenate([cell.expected[judged_from:] for cell in cells])
    last_year = np.concatenate([cell.expected[judged_from - 52 : len(cell.expected) - 52] for cell in cells])
    before = np.arange(int(stats.poisson.isf(1e-9, last_year.max())) + 1)
    weights = stats.poisson.pmf(before[None, :], last_year[:, None])
    found = np.mean(
        [stats.poisson.sf(np.floor(ratio * before)[None, :], size * now[:, None]) for size in SIZES], axis=0
    )
    return float((weights * found).sum(axis=1).mean())
