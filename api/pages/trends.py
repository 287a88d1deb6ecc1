"""The coordinators' dashboard (研判预警): weekly counts chart, a region × type table coloured by
alert level, the alerts with their acknowledgements and a form to acknowledge."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from alerts.model import level_rank
from alerts.periods import shift
from api.deps import get_services
from api.pages.common import error_page, render, visitor
from kb_service.access import Permission, Principal
from kb_service.errors import KBError
from trends.counts import LEVELS
from trends.desk import TrendsDesk, parse_day
from trends.monitor import judged_period

router = APIRouter(include_in_schema=False)

Watcher = Annotated[Principal, Depends(visitor(Permission.alerts))]
CHART_WEEKS = 26
TABLE_WEEKS = 4
"""The region × type table counts the last four weeks, this one so far included."""


def _desk(request: Request, principal: Principal) -> TrendsDesk:
    return TrendsDesk(get_services(request), principal)


def _level_below(desk: TrendsDesk) -> str:
    """One level under the caller's region (a city coordinator sees counties), township at most."""
    region = desk.scope.region
    depth = min(len(region.split("/")) + 1, 4) if region else 2
    return next(name for name, d in LEVELS.items() if d == depth)


def _cell_levels(alerts: list[dict]) -> dict[tuple[str, str], str]:
    """(alert region, type) → the highest level among unacknowledged alerts."""
    found: dict[tuple[str, str], str] = {}
    for a in alerts:
        if a["acknowledged"] or not a.get("region") or not a.get("dispute_type"):
            continue
        key = (a["region"], a["dispute_type"])
        if level_rank(a["level"]) > level_rank(found.get(key)):
            found[key] = a["level"]
    return found


def region_table(rows: list[dict], alerts: list[dict]) -> dict:
    """Rows: regions; columns: types with any dispute in the weeks shown; each cell the count over
    those weeks and the highest level of the unacknowledged alerts under that region and of that type."""
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        counts[(r["region"], r["dispute_type"])] = (
            counts.get((r["region"], r["dispute_type"]), 0) + r["count"]
        )
    types = sorted({t for (_, t), n in counts.items() if n})
    regions = sorted({region for (region, _), n in counts.items() if n})
    levels = _cell_levels(alerts)
    cells = {}
    for region in regions:
        for code in types:
            level = None
            for (where, kind), found in levels.items():
                if (
                    kind == code
                    and (where == region or where.startswith(region + "/"))
                    and level_rank(found) > level_rank(level)
                ):
                    level = found
            cells[(region, code)] = {"count": counts.get((region, code), 0), "level": level}
    return {"types": types, "regions": regions, "cells": cells}


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request, principal: Watcher, as_of: str = "", message: str = ""
) -> Response:
    desk = _desk(request, principal)
    try:
        day = parse_day(as_of, "as_of") or dt.date.today()
        level = _level_below(desk)
        table = desk.trends(period="week", by="region,type", level=level, date_from=day - dt.timedelta(weeks=TABLE_WEEKS - 1),
                            date_to=day)  # fmt: skip
        alerts = desk.alerts(as_of=day)
    except (KBError, ValueError) as exc:
        return error_page(request, exc, principal)
    label = f"{table['periods'][0]}–{table['periods'][-1]}，截至 {day.isoformat()}"
    return render(
        request, "dashboard.html", principal=principal, day=day, label=label, level=level,
        table=region_table(table["rows"], alerts["alerts"]), alerts=alerts["alerts"],
        checked=alerts["checked"], message=message or None,
    )  # fmt: skip


@router.get("/dashboard/chart.png")
def dashboard_chart(request: Request, principal: Watcher, as_of: str = "") -> Response:
    from trends.charts import counts_chart

    desk = _desk(request, principal)
    try:
        day = parse_day(as_of, "as_of") or dt.date.today()
        judged = judged_period(day, "week")
        data = desk.trends(
            period="week",
            by="type",
            date_from=shift(judged, -(CHART_WEEKS - 1), "week"),
            date_to=judged,
        )
    except (KBError, ValueError) as exc:
        return error_page(request, exc, principal)
    totals = {p: [0, 0] for p in data["periods"]}
    for r in data["rows"]:
        totals[r["period"]][0] += r["count"]
        totals[r["period"]][1] += r["last_year"]
    png = counts_chart(
        data["periods"],
        [totals[p][0] for p in data["periods"]],
        [totals[p][1] for p in data["periods"]],
    )
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=300"})


@router.post("/dashboard/alerts/{alert_id}/ack")
def acknowledge_page(
    request: Request,
    alert_id: str,
    principal: Watcher,
    note: Annotated[str, Form()] = "",
    as_of: Annotated[str, Form()] = "",
) -> Response:
    try:
        _desk(request, principal).acknowledge(alert_id, note)
    except (KBError, ValueError) as exc:
        return error_page(request, exc, principal)
    back = f"/dashboard?as_of={as_of}" if as_of else "/dashboard"
    return RedirectResponse(f"{back}#alert-{alert_id}", status_code=303)
