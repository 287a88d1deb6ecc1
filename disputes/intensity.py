"""How many disputes to expect: per county × dispute type × ISO week, with seasons and a trend.

The expected count is population weight × type share (more land disputes in
rural counties, more property and consumer disputes in districts) × season ×
a yearly rise × ``scale``; the sample generator draws Poisson counts around it
and the trends benchmark plants outbreaks on top (a subclass raising
``week_matrix`` in some cells). Seasons, as we model them:
wage arrears peak in the weeks before 春节 (腊月), land and homestead disputes
in spring ploughing (mid-March to May), neighbour noise in summer, property
disputes when heating starts (mid-October to mid-December), marriage and
family disputes after 春节, online shopping around 双十一; everything dips in
the festival week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from disputes.sample_places import County, counties

DISPUTES_PER_YEAR = 12_000
"""At scale 1, across the province."""

TYPE_SHARES: dict[str, float] = {
    "neighbor": 18, "family": 12, "marriage": 10, "housing_land": 8, "forest_land": 6,
    "contract": 7, "damages": 8, "labor": 8, "traffic": 5, "property_mgmt": 5, "medical": 2,
    "land_acquisition": 2, "consumer": 3, "environment": 1.5, "petition": 1.5, "campus": 1,
    "tourism": 0.5, "ecommerce": 1, "logistics": 0.5, "other": 2,
}  # fmt: skip
RURAL_LEAN = {"forest_land": 1.8, "housing_land": 1.4, "land_acquisition": 1.3, "family": 1.1}
URBAN_LEAN = {
    "property_mgmt": 2.5,
    "consumer": 1.8,
    "ecommerce": 2.0,
    "logistics": 1.6,
    "campus": 1.3,
}

SPRING_FESTIVAL = {
    2019: dt.date(2019, 2, 5), 2020: dt.date(2020, 1, 25), 2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1), 2023: dt.date(2023, 1, 22), 2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29), 2026: dt.date(2026, 2, 17), 2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26), 2029: dt.date(2029, 2, 13), 2030: dt.date(2030, 2, 3),
}  # fmt: skip
"""春节 (first day of the lunar year); years outside the table use 4 February."""


def spring_festival(year: int) -> dt.date:
    return SPRING_FESTIVAL.get(year, dt.date(year, 2, 4))


def _days_to_festival(day: dt.date) -> int:
    """Days until the nearest 春节 (negative after it)."""
    candidates = [spring_festival(day.year) - day, spring_festival(day.year + 1) - day]
    return min((c.days for c in candidates), key=abs)


def season(dispute_type: str, day: dt.date) -> float:
    """How much more (or less) common a dispute type is on ``day`` than on an ordinary day."""
    to_festival = _days_to_festival(day)
    factor = 1.0
    if -3 <= -to_festival <= 5:
        factor *= 0.5  # the festival week: offices closed, families together
    month, day_of_year = day.month, day.timetuple().tm_yday
    if dispute_type == "labor":
        if 0 < to_festival <= 50:  # 腊月: workers want their pay before going home
            factor *= 1.0 + 3.0 * (1 - abs(to_festival - 15) / 35)
        elif month == 12:
            factor *= 1.4
    elif dispute_type in ("forest_land", "housing_land"):
        if 74 <= day_of_year <= 151:  # mid-March to May: spring ploughing, building season
            factor *= 2.2 if dispute_type == "forest_land" else 1.7
        elif month in (12, 1, 2):
            factor *= 0.6
    elif dispute_type == "neighbor":
        factor *= 1.7 if month in (6, 7, 8) else 1.0
    elif dispute_type in ("marriage", "family"):
        factor *= 1.5 if -35 <= to_festival < -5 else 1.0
    elif dispute_type == "property_mgmt":
        factor *= (
            1.8
            if (month == 10 and day.day >= 15) or month == 11 or (month == 12 and day.day <= 15)
            else 1.0
        )
    elif dispute_type in ("ecommerce", "consumer"):
        factor *= 1.7 if (month == 11 and day.day >= 5) or (month == 12 and day.day <= 5) else 1.0
    elif dispute_type == "tourism":
        factor *= 2.5 if month in (7, 8) else (0.5 if month in (11, 3, 4) else 1.0)
    elif dispute_type == "campus":
        factor *= 0.2 if month in (7, 8) else (0.5 if month == 2 else 1.15)
    elif dispute_type == "traffic":
        factor *= 1.3 if month in (12, 1, 2) else 1.0
    return factor


@dataclass(frozen=True)
class IntensityModel:
    """Expected weekly counts per county × dispute type (see the module docstring)."""

    scale: float = 1.0
    yearly_growth: float = 0.05
    base_year: int = 2023

    @cached_property
    def counties(self) -> list[County]:
        return counties()

    @cached_property
    def regions(self) -> list[str]:
        return [c.region for c in self.counties]

    @cached_property
    def types(self) -> list[str]:
        return list(TYPE_SHARES)

    @cached_property
    def _base(self) -> np.ndarray:
        """County × type expected count per ordinary week, before season and trend."""
        weights = np.array([c.weight for c in self.counties], dtype=float)
        weights /= weights.sum()
        shares = np.array([TYPE_SHARES[t] for t in self.types], dtype=float)
        shares /= shares.sum()
        lean = np.ones((len(self.counties), len(self.types)))
        for i, county in enumerate(self.counties):
            for j, kind in enumerate(self.types):
                lean[i, j] = (URBAN_LEAN if county.urban else RURAL_LEAN).get(kind, 1.0)
        base = np.outer(weights, shares) * lean
        base *= 1 / base.sum()  # the leans move disputes between cells, not the total
        return base * DISPUTES_PER_YEAR / 52.18 * self.scale

    def _season_row(self, week: dt.date) -> np.ndarray:
        days = [week + dt.timedelta(days=d) for d in range(7)]
        return np.array([sum(season(t, d) for d in days) / 7 for t in self.types])

    def _trend(self, week: dt.date) -> float:
        years = (week.toordinal() - dt.date(self.base_year, 1, 1).toordinal()) / 365.25
        return (1 + self.yearly_growth) ** years

    def week_matrix(self, week: dt.date) -> np.ndarray:
        """Expected counts for the ISO week starting ``week`` (a Monday): regions × types."""
        return self._base * self._season_row(week)[np.newaxis, :] * self._trend(week)

    def expected(self, region: str, dispute_type: str, week: dt.date) -> float:
        """Expected count of ``dispute_type`` in the county ``region`` in the week from ``week``."""
        i = self.regions.index(region)
        j = self.types.index(dispute_type)
        return float(self.week_matrix(monday(week))[i, j])

    def weeks(self, start: dt.date, end: dt.date) -> Iterator[dt.date]:
        week = monday(start)
        while week <= end:
            yield week
            week += dt.timedelta(days=7)


def intensity(scale: float = 1.0) -> IntensityModel:
    return IntensityModel(scale=scale)


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())
