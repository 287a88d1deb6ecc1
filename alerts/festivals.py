"""The Spring Festival (春节), whose date moves each year, as covariates for count models.

Disputes gather before the festival — wages are settled and migrant workers
go home, family matters come to a head — and registrations fall during the
holiday, when committees close. Fourier terms cannot carry that: the date
moves by up to four weeks from year to year. Two exposures per period carry
it instead:

- ``pre``: the share of the period's days in the four weeks before 除夕
  (腊月, the run-up: day −29 … −2 counted from 正月初一);
- ``holiday``: the share in the holiday itself (除夕 … 初六, day −1 … +6).

Dates are 正月初一 for 2010–2035 from the published calendar (a table rather
than a lunar-calendar library: a few lines, no dependency, and every date
checkable by eye).
"""

from __future__ import annotations

import datetime as dt

SPRING_FESTIVAL: dict[int, dt.date] = {
    year: dt.date.fromisoformat(day)
    for year, day in {
        2010: "2010-02-14", 2011: "2011-02-03", 2012: "2012-01-23", 2013: "2013-02-10",
        2014: "2014-01-31", 2015: "2015-02-19", 2016: "2016-02-08", 2017: "2017-01-28",
        2018: "2018-02-16", 2019: "2019-02-05", 2020: "2020-01-25", 2021: "2021-02-12",
        2022: "2022-02-01", 2023: "2023-01-22", 2024: "2024-02-10", 2025: "2025-01-29",
        2026: "2026-02-17", 2027: "2027-02-06", 2028: "2028-01-26", 2029: "2029-02-13",
        2030: "2030-02-03", 2031: "2031-01-23", 2032: "2032-02-11", 2033: "2033-01-31",
        2034: "2034-02-19", 2035: "2035-02-08",
    }.items()
}  # fmt: skip
"""正月初一 (Gregorian date) by year."""

PRE_WINDOW = (-29, -2)
"""Days relative to 正月初一 counted as the run-up (inclusive)."""
HOLIDAY_WINDOW = (-1, 6)
"""除夕 … 初六 (inclusive)."""


def spring_festival(year: int) -> dt.date:
    try:
        return SPRING_FESTIVAL[year]
    except KeyError:
        first, last = min(SPRING_FESTIVAL), max(SPRING_FESTIVAL)
        raise ValueError(
            f"春节日期表只覆盖{first}—{last}年，{year}年不在其中：请在 alerts/festivals.py 中补充"
        ) from None


def _overlap(first: dt.date, last: dt.date, window: tuple[dt.date, dt.date]) -> int:
    start, end = max(first, window[0]), min(last, window[1])
    return max(0, (end - start).days + 1)


def festival_exposure(first: dt.date, last: dt.date) -> tuple[float, float]:
    """(pre, holiday): shares of the days ``first`` … ``last`` in each festival window."""
    days = (last - first).days + 1
    pre = holiday = 0
    # The windows of a year's festival reach back into December of the year before.
    for year in {first.year, last.year, last.year + 1}:
        if year not in SPRING_FESTIVAL and not (first.year <= year <= last.year):
            continue  # next year's festival only matters when it is in the table
        festival = spring_festival(year)
        pre += _overlap(first, last, tuple(festival + dt.timedelta(days=d) for d in PRE_WINDOW))
        holiday += _overlap(
            first, last, tuple(festival + dt.timedelta(days=d) for d in HOLIDAY_WINDOW)
        )
    return pre / days, holiday / days
