"""Counts of registered disputes per region × dispute type × week or month, from the register.

    rows = cell_counts(engine, period="week", depth=3, first=…, last=…, scope=Scope(region="吉林省/长春市"))
    table = trend_table(rows, period="week", first=…, last=…, by="region,type")

One ``GROUP BY`` in the database does the work: the region cut to a level
(1 province, 2 city, 3 county, 4 township: the first N parts of the region
path) and the period start are SQL expressions compiled per database
(SQLite: ``instr``/``substr`` and ``date(…, 'weekday 0', '-6 days')``;
PostgreSQL: ``string_to_array`` and ``date_trunc``), so only one row per
cell and period comes back, never the disputes. A region with fewer levels
than asked (a dispute registered at the county) stays at its own level.

Withdrawn disputes (撤回) are not counted: the usual withdrawal is a
registration filed again, which would count one dispute twice (the same
decision as ``alerts/rules.py``).

Changes: ``previous`` is the period before, ``last_year`` the same ISO week
(or month) a year earlier; ``change``/``yoy`` are differences and
``change_pct``/``yoy_pct`` percentages (None where the base is 0).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Date, Engine, String, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.visitors import InternalTraversal

from alerts.periods import (
    Period,
    as_date,
    check_period,
    period_label,
    period_start,
    periods_between,
    shift,
)
from disputes.models import Dispute
from disputes.records import EVERYTHING, Scope, region_condition
from kb_service.errors import InvalidInputError
from kb_service.vocabularies import DISPUTE_TYPES

LEVELS: dict[str, int] = {"province": 1, "city": 2, "county": 3, "township": 4}
LEVEL_LABELS: dict[str, str] = {
    "province": "省",
    "city": "市（州）",
    "county": "县（市、区）",
    "township": "乡镇（街道）",
}
BY_CHOICES = ("region", "type", "region,type")
By = Literal["region", "type", "region,type"]


# -- SQL expressions ------------------------------------------------------------------------------


class RegionAtDepth(ColumnElement[str]):
    """The first ``depth`` parts of a region path (``吉林省/长春市`` at depth 2)."""

    inherit_cache = True
    type = String()
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("depth", InternalTraversal.dp_plain_obj),
    ]

    def __init__(self, column: ColumnElement[str], depth: int) -> None:
        self.column = column
        self.depth = depth


@compiles(RegionAtDepth)
def _region_postgresql(element: RegionAtDepth, compiler, **kw) -> str:
    column = compiler.process(element.column, **kw)
    return f"array_to_string((string_to_array({column}, '/'))[1:{int(element.depth)}], '/')"


@compiles(RegionAtDepth, "sqlite")
def _region_sqlite(element: RegionAtDepth, compiler, **kw) -> str:
    # Position of the k-th "/" in region || '/': p1 = instr(s, '/'); p(k) = p(k-1) + instr(substr(s, p(k-1) + 1), '/').
    # Where the path is shorter, instr gives 0 and the position stays at the last "/", i.e. the whole path.
    s = f"({compiler.process(element.column, **kw)} || '/')"
    position = f"instr({s}, '/')"
    for _ in range(int(element.depth) - 1):
        position = f"({position} + instr(substr({s}, {position} + 1), '/'))"
    return f"substr({s}, 1, {position} - 1)"


class PeriodStart(ColumnElement[dt.date]):
    """The first day of the ISO week (Monday) or month holding a date column."""

    inherit_cache = True
    type = Date()
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("period", InternalTraversal.dp_string),
    ]

    def __init__(self, column: ColumnElement[dt.date], period: Period) -> None:
        self.column = column
        self.period = period


@compiles(PeriodStart)
def _period_postgresql(element: PeriodStart, compiler, **kw) -> str:
    column = compiler.process(element.column, **kw)
    return f"CAST(date_trunc('{element.period}', {column}) AS DATE)"


@compiles(PeriodStart, "sqlite")
def _period_sqlite(element: PeriodStart, compiler, **kw) -> str:
    column = compiler.process(element.column, **kw)
    if element.period == "week":
        return (
            f"date({column}, 'weekday 0', '-6 days')"  # the Sunday ending the week, back to Monday
        )
    return f"strftime('%Y-%m-01', {column})"


# -- counting -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellCount:
    region: str | None
    dispute_type: str | None
    start: dt.date
    count: int


def check_level(level: str) -> int:
    if level not in LEVELS:
        raise InvalidInputError(
            f"未知的地区层级“{level}”，可选：province（省）、city（市）、county（县）、township（乡镇）",
            field="level",
        )
    return LEVELS[level]


def check_by(by: str) -> By:
    by = by.replace(" ", "")
    if by == "type,region":
        by = "region,type"
    if by not in BY_CHOICES:
        raise InvalidInputError("--by 应为 region、type 或 region,type", field="by")
    return by  # type: ignore[return-value]


def cell_counts(
    engine: Engine,
    *,
    period: Period,
    depth: int | None,
    first: dt.date,
    last: dt.date,
    scope: Scope = EVERYTHING,
    region: str | None = None,
    dispute_types: Sequence[str] = (),
    by_type: bool = True,
) -> list[CellCount]:
    """Counts per (region at ``depth`` | None, type | None, period start) for disputes received
    from ``first`` to ``last``; ``depth=None`` does not split by region, ``by_type=False`` not by type."""
    bucket = PeriodStart(Dispute.received, period)
    columns: list[ColumnElement[Any]] = []
    if depth is not None:
        columns.append(RegionAtDepth(Dispute.region, depth))
    if by_type:
        columns.append(Dispute.dispute_type)
    columns.append(bucket)
    conditions = [
        *scope.conditions(),
        Dispute.received >= first,
        Dispute.received <= last,
        Dispute.status != "withdrawn",
    ]
    if region:
        conditions.append(region_condition(region))
    if dispute_types:
        conditions.append(Dispute.dispute_type.in_(list(dispute_types)))
    statement = select(*columns, func.count()).where(*conditions).group_by(*columns)
    with Session(engine) as session:
        rows = session.execute(statement).all()
    found = []
    for row in rows:
        values = list(row)
        cell_region = values.pop(0) if depth is not None else None
        cell_type = values.pop(0) if by_type else None
        found.append(CellCount(cell_region, cell_type, as_date(values[0]), int(values[1])))
    return found


def last_year(start: dt.date, period: Period) -> dt.date:
    """The same ISO week (week 53 → 52) or month a year before."""
    if period == "month":
        return shift(start, -12, period)
    year, week, _ = start.isocalendar()
    try:
        return dt.date.fromisocalendar(year - 1, week, 1)
    except ValueError:
        return dt.date.fromisocalendar(year - 1, 52, 1)


def default_window(
    period: Period, last: dt.date | None, first: dt.date | None, size: int = 12
) -> tuple[dt.date, dt.date]:
    """``first``…``last`` as period starts; by default the 12 periods up to today."""
    end = period_start(last or dt.date.today(), period)
    begin = period_start(first, period) if first else shift(end, -(size - 1), period)
    if begin > end:
        raise InvalidInputError("起始日期（--from）晚于截止日期（--to）", field="from")
    if periods_between(begin, end, period) > 600:
        raise InvalidInputError(
            "统计区间过长：周统计最多 600 周，请缩短 --from 到 --to 的区间", field="from"
        )
    return begin, end


def _pct(now: int, base: int | None) -> float | None:
    return None if not base else round((now - base) * 100 / base, 1)


def trend_rows(
    counts: Iterable[CellCount], *, period: Period, first: dt.date, last: dt.date
) -> list[dict[str, Any]]:
    """One row per cell and period from ``first`` to ``last`` (period starts), zeros filled in for
    cells seen in the window, with the previous period's and last year's counts and the changes."""
    check_period(period)
    table: dict[tuple[str | None, str | None], dict[dt.date, int]] = defaultdict(dict)
    shown: set[tuple[str | None, str | None]] = set()
    for c in counts:
        table[(c.region, c.dispute_type)][c.start] = (
            table[(c.region, c.dispute_type)].get(c.start, 0) + c.count
        )
        if first <= c.start <= last:
            shown.add((c.region, c.dispute_type))
    starts = [shift(first, i, period) for i in range(periods_between(first, last, period) + 1)]
    rows = []
    for cell in sorted(shown, key=lambda k: (k[0] or "", k[1] or "")):
        series = table[cell]
        for start in starts:
            count = series.get(start, 0)
            previous = series.get(shift(start, -1, period), 0)
            year_before = series.get(last_year(start, period), 0)
            row: dict[str, Any] = {"region": cell[0], "dispute_type": cell[1]}
            if cell[1] in DISPUTE_TYPES.terms:
                row["dispute_type_label"] = DISPUTE_TYPES.label(cell[1])
            row |= {
                "period": period_label(start, period),
                "start": start.isoformat(),
                "count": count,
                "previous": previous,
                "change": count - previous,
                "change_pct": _pct(count, previous),
                "last_year": year_before,
                "yoy": count - year_before,
                "yoy_pct": _pct(count, year_before),
            }
            rows.append(row)
    return rows


def history_start(first: dt.date, period: Period) -> dt.date:
    """How far back to count for ``first``'s changes: last year's same period, and the one before."""
    return shift(last_year(first, period), -1, period)


def counts_window(
    engine: Engine,
    *,
    period: str = "week",
    by: str = "region,type",
    level: str = "county",
    first: dt.date | None = None,
    last: dt.date | None = None,
    scope: Scope = EVERYTHING,
    region: str | None = None,
    dispute_types: Sequence[str] = (),
) -> dict[str, Any]:
    """``kb trends``: the counts and their changes for the window (CONTRACT §7)."""
    try:
        period = check_period(period)
    except ValueError as exc:
        raise InvalidInputError(str(exc), field="period") from exc
    by = check_by(by)
    depth = check_level(level) if "region" in by else None
    begin, end = default_window(period, last, first)
    counts = cell_counts(
        engine,
        period=period,
        depth=depth,
        first=history_start(begin, period),
        last=shift(end, 1, period) - dt.timedelta(days=1),
        scope=scope,
        region=region,
        dispute_types=dispute_types,
        by_type="type" in by,
    )
    rows = trend_rows(counts, period=period, first=begin, last=end)
    return {
        "period": period,
        "by": by,
        "level": level if depth else None,
        "from": begin.isoformat(),
        "to": (shift(end, 1, period) - dt.timedelta(days=1)).isoformat(),
        "region": region,
        "periods": [
            period_label(shift(begin, i, period), period)
            for i in range(periods_between(begin, end, period) + 1)
        ],
        "rows": rows,
    }
