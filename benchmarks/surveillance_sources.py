"""Weekly count series for the surveillance benchmark, and the outbreaks planted in them.

Two sources, one shape (:class:`Cell`: the counts and the true weekly mean):

- :func:`register_cells` (the default): the sample register's own intensity
  model (:mod:`disputes.intensity`, behind ``disputes/generator.py``), the
  expected count per county × dispute type × ISO week with its seasons
  (腊月 wage arrears, spring land disputes, summer noise, the heating
  season, 双十一, the festival dip) and its 5 % yearly rise; counts are
  Poisson draws around it, as ``generate`` draws them.
- :func:`simulated_cells`: the benchmark's first simulator (log-uniform base
  rates, smooth seasons, festival effects of its own, negative-binomial
  noise), kept as ``--source simulator``: overdispersed counts the register's
  generator does not produce.

**Which cells.** A county justice bureau (司法局) watches its county by
dispute type, a city bureau its city by type: those are the series a
coordinator reads on the dashboard, so those are judged — county × type
(60 × 20) and city × type (9 × 20). The province × type totals are not (a
local surge is a few percent of them; nobody waits for the province line to
move), nor townships: the intensity model stops at the county, and a
township × type series holds a case a month. A city cell is drawn from the
sum of its counties' means but on its own, so that an outbreak planted in
a county cell never leaks unlabelled into a judged city cell.

**Bands**, by the cell's mean weekly count in the year before the judged one
(what its coordinator knows): ``regular`` ≥ 2 a week, ``sparse`` 0.3–2,
``rare`` below 0.3 (under 15 cases a year).

**Outbreaks.** Each cell gets one outbreak in the judged year (random start)
and 0–2 in its history (to test that past surges do not mask new ones): a
size of 2×–5× the true mean (uniform), lasting 1–4 weeks; each outbreak
week adds Poisson((size − 1) × mean) cases.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from alerts.festivals import spring_festival
from disputes.intensity import intensity

START = dt.date(2020, 1, 6)
WEEKS = 313
JUDGED = 52
"""The last JUDGED weeks are judged; the rest is history."""
SCALE = 10.0
"""Register size: about 139,000 disputes a year across the province (scale 1 ≈ 13,900).
China's people's mediation settles some 9 million disputes a year; 吉林省 holds 1.7 %
of the population, so about 150,000."""


@dataclass
class Cell:
    name: str
    level: str
    """``county`` or ``city`` (or ``simulated``): whose coordinator watches it."""
    counts: np.ndarray
    expected: np.ndarray
    """The source's true weekly mean, before outbreaks."""

    @property
    def usual(self) -> float:
        """Mean weekly count in the year before the judged one."""
        return float(self.expected[-2 * JUDGED : -JUDGED].mean())

    @property
    def band(self) -> str:
        return "regular" if self.usual >= 2 else "sparse" if self.usual >= 0.3 else "rare"


@dataclass(frozen=True)
class Outbreak:
    cell: int
    start: int
    weeks: int
    size: float


BANDS = ("regular", "sparse", "rare")


# --- the register's generator -------------------------------------------------------------------


@dataclass
class RegisterMeans:
    """True weekly means from the register's intensity model: weeks × regions × types."""

    county: np.ndarray
    city: np.ndarray
    names: dict[str, list[str]]
    """Region paths per level."""
    types: list[str]


def register_means(scale: float = SCALE, start: dt.date = START, weeks: int = WEEKS) -> RegisterMeans:
    model = intensity(scale)
    county = np.stack([model.week_matrix(start + dt.timedelta(weeks=w)) for w in range(weeks)])
    city_of = [c.region.rsplit("/", 1)[0] for c in model.counties]
    cities = sorted(set(city_of))
    members = np.array([[mine == city for mine in city_of] for city in cities], dtype=float)
    return RegisterMeans(
        county=county,
        city=np.einsum("kc,wct->wkt", members, county),
        names={"county": model.regions, "city": cities},
        types=model.types,
    )


def register_cells(seed: int, cells: int, scale: float = SCALE) -> list[Cell]:
    """``cells`` judged cells: a third city × type (at most all 180), the rest county × type."""
    rng = np.random.default_rng(seed)
    means = register_means(scale)
    size = {level: len(means.names[level]) * len(means.types) for level in ("city", "county")}
    n_city = min(cells // 3, size["city"])
    picked = []
    for level, n in (("city", n_city), ("county", min(cells - n_city, size["county"]))):
        weekly = getattr(means, level)
        for flat in sorted(rng.choice(size[level], size=n, replace=False)):
            region, kind = divmod(int(flat), len(means.types))
            mean = weekly[:, region, kind]
            counts = rng.poisson(mean).astype(float)
            picked.append(Cell(f"{means.names[level][region]}|{means.types[kind]}", level, counts, mean))
    return picked


# --- the first simulator ------------------------------------------------------------------------


def _festival_multiplier(day: dt.date, profile: str) -> float:
    """The simulator's own Spring Festival effect on one day (not the model's windows)."""
    factor = 1.0
    for year in (day.year, day.year + 1):
        offset = (day - spring_festival(year)).days
        if -35 <= offset <= -2:  # the run-up, rising towards the eve
            ramp = (offset + 36) / 34
            factor *= {"labor": 1 + 0.7 * ramp, "family": 1 + 0.2 * ramp}.get(profile, 1.0)
        elif -1 <= offset <= 7:  # the holiday: committees mostly closed
            factor *= 0.5
        elif 8 <= offset <= 21 and profile == "family":
            factor *= 1.25
    if profile == "labor" and day.month == 12:
        factor *= 1.25
    return factor


def simulated_cells(seed: int, cells: int, start: dt.date = START, weeks: int = WEEKS) -> list[Cell]:
    """The first simulator: per cell a log-uniform base rate (75 % 2–40 a week, 25 % 0.3–2),
    a yearly season (amplitude 0.05–0.3, random peak; land cells in spring), a festival
    profile (labor +70 % in the run-up and +25 % in December, family +20 % before and
    +25 % after, everything halved in the holiday), a trend of ±10 % a year and
    negative-binomial noise with φ 1.1–1.8."""
    rng = np.random.default_rng(seed)
    profiles = ["labor", "family", "land", "other"]
    days = [start + dt.timedelta(days=d) for d in range(weeks * 7)]
    festival = {
        profile: np.array([_festival_multiplier(day, profile) for day in days]).reshape(weeks, 7).mean(1)
        for profile in profiles
    }
    season_of_week = np.array(
        [((start + dt.timedelta(weeks=w, days=3)).timetuple().tm_yday - 1) / 365.25 for w in range(weeks)]
    )
    years = np.arange(weeks) / (365.25 / 7)
    result = []
    for number in range(cells):
        sparse = rng.random() < 0.25
        low, high = (0.3, 2) if sparse else (2, 40)
        base = math.exp(rng.uniform(math.log(low), math.log(high)))
        profile = profiles[number % len(profiles)]
        peak = rng.uniform(0.25, 0.45) if profile == "land" else rng.random()
        amplitude = rng.uniform(0.05, 0.3)
        trend = rng.uniform(-0.1, 0.1)
        mean = (
            base
            * np.exp(amplitude * np.cos(2 * np.pi * (season_of_week - peak)))
            * np.exp(trend * (years - years[-1]))
            * festival[profile]
        )
        dispersion = rng.uniform(1.1, 1.8)
        size = mean / (dispersion - 1)
        counts = rng.negative_binomial(size, size / (size + mean)).astype(float)
        result.append(Cell(f"cell{number:03d}|{profile}", "simulated", counts, mean))
    return result


# --- outbreaks ----------------------------------------------------------------------------------


def inject_outbreaks(rng: np.random.Generator, cells: list[Cell], judged_from: int) -> list[Outbreak]:
    """Add outbreaks to the cells' counts; return those in the judged weeks."""
    judged = []
    for number, cell in enumerate(cells):
        plans = [(judged_from, len(cell.counts))] + [(20, judged_from - 8)] * int(rng.integers(0, 3))
        for first, end in plans:
            weeks = int(rng.integers(1, 5))
            start = int(rng.integers(first, end - weeks + 1))
            size = float(rng.uniform(2, 5))
            for week in range(start, start + weeks):
                cell.counts[week] += rng.poisson((size - 1) * cell.expected[week])
            if first == judged_from:
                judged.append(Outbreak(number, start, weeks, size))
    return judged
