"""The checks behind ``kb alerts``: surges in the counts and rule alerts in the records, as of a date.

    result = check(register, as_of=date(2026, 2, 16))   # stores what is new; returns the new ids

**Surges.** Each region × type cell at the watched levels (city, county and
township by default) gets its weekly series from the register (one ``GROUP
BY`` per level, up to five years back) and the default method of
``alerts.surveillance`` (``auto``: the seasonal cumulative test once two
years of history exist, EARS C2 before) judges the last *complete* period
up to ``as_of``: a week still running is never judged on half its days. A
cell below Farrington's minimum (5 cases in the last 4 weeks) is skipped
before any model is fitted, which is also what keeps a run over thousands
of sparse cells fast. The alert lists the disputes counted in the judged
period. A county and its only township give the same key where the
township level is missing, so the alert is raised once.

**Rules.** ``alerts.rules.rule_alerts`` over the disputes received in the
last 30 + 90 days and those still open, with each committee's own time
limit (``committees.time_limit_days``) for ``overdue``.

Everything is stored through :class:`~trends.alert_store.AlertStore`, which
drops keys already raised: running the check again, the same night or for an
earlier date, adds nothing twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.model import Alert
from alerts.periods import Period, period_end, period_start, periods_between, shift
from alerts.rules import OverdueRule, RuleConfig, rule_alerts
from alerts.series import CountSeries
from alerts.surveillance import SurveillanceConfig, detect, surge_alert
from disputes.models import Dispute
from disputes.records import EVERYTHING, Scope, region_condition
from disputes.register import Register
from trends.alert_store import AlertStore
from trends.counts import LEVELS, cell_counts

HISTORY_YEARS = 5
WATCHED_LEVELS = ("city", "county", "township")


@dataclass(frozen=True)
class MonitorConfig:
    period: Period = "week"
    levels: tuple[str, ...] = WATCHED_LEVELS
    surveillance: SurveillanceConfig = field(default_factory=SurveillanceConfig)
    rules: RuleConfig = field(default_factory=RuleConfig)


def judged_period(as_of: dt.date, period: Period) -> dt.date:
    """The start of the last period that has ended by ``as_of`` (inclusive)."""
    start = period_start(as_of, period)
    return start if period_end(start, period) <= as_of else shift(start, -1, period)


def surge_alerts(
    engine,
    as_of: dt.date,
    *,
    scope: Scope = EVERYTHING,
    region: str | None = None,
    config: MonitorConfig = MonitorConfig(),
) -> tuple[list[Alert], dict[str, dt.date], int]:
    """(alerts, day per alert key, cells judged) for the last complete period up to ``as_of``."""
    period = config.period
    judged = judged_period(as_of, period)
    first = period_start(judged - dt.timedelta(days=round(365.25 * HISTORY_YEARS)), period)
    end = period_end(judged, period)
    minimum = config.surveillance.minimum
    found: list[Alert] = []
    days: dict[str, dt.date] = {}
    judged_cells = 0
    for level in config.levels:
        counts = cell_counts(
            engine,
            period=period,
            depth=LEVELS[level],
            first=first,
            last=end,
            scope=scope,
            region=region,
        )
        if not counts:
            continue
        origin = min(c.start for c in counts)
        size = periods_between(origin, judged, period) + 1
        series: dict[tuple[str, str], np.ndarray] = {}
        for c in counts:
            values = series.setdefault((c.region or "", c.dispute_type or ""), np.zeros(size))
            values[periods_between(origin, c.start, period)] += c.count
        for (cell_region, cell_type), values in series.items():
            if values[-minimum.periods :].sum() < minimum.cases:
                continue  # Farrington's minimum: no model can alarm here
            judged_cells += 1
            detection = detect(CountSeries(values, origin, period), config=config.surveillance)
            alert = surge_alert(detection, cell_region, cell_type) if detection else None
            if alert is None:
                continue
            ids = _disputes_in(engine, cell_region, cell_type, judged, end, scope)
            found.append(replace(alert, disputes=tuple(str(i) for i in ids)))
            days[alert.key] = end
    return found, days, judged_cells


def _disputes_in(
    engine, region: str, dispute_type: str, first: dt.date, last: dt.date, scope: Scope
) -> list[int]:
    with Session(engine) as session:
        return list(
            session.scalars(
                select(Dispute.id)
                .where(
                    *scope.conditions(),
                    region_condition(region),
                    Dispute.dispute_type == dispute_type,
                    Dispute.received >= first,
                    Dispute.received <= last,
                    Dispute.status != "withdrawn",
                )
                .order_by(Dispute.id)
            )
        )


def rule_config(register: Register, base: RuleConfig) -> RuleConfig:
    """``base`` with each committee's own overdue limit from the register."""
    limits = {
        c.name: c.time_limit_days
        for c in register.committees()
        if c.time_limit_days != base.overdue.days
    }
    if not limits:
        return base
    overdue = OverdueRule(
        days=base.overdue.days, per_committee={**limits, **base.overdue.per_committee}
    )
    return RuleConfig(group=base.group, repeat=base.repeat, escalation=base.escalation, overdue=overdue,
                      lookback_days=base.lookback_days, period=base.period)  # fmt: skip


def rule_records(
    register: Register, as_of: dt.date, config: RuleConfig, *, scope: Scope, region: str | None
) -> list[dict[str, Any]]:
    """The records the rules need: received in the lookback + repeat window, and any still open."""
    since = as_of - dt.timedelta(days=config.lookback_days + config.repeat.window_days)
    base = {"region": region} if region else {}
    recent = register.iter({**base, "received_from": since, "received_to": as_of}, scope=scope)
    still_open = register.iter(
        {
            **base,
            "status": ["registered", "mediating"],
            "received_to": since - dt.timedelta(days=1),
        },
        scope=scope,
    )
    records: dict[int, dict[str, Any]] = {}
    for record in (*recent, *still_open):
        records[record.id] = record.as_dict(
            contact=True, history=False
        )  # ID numbers match repeat parties; never shown
    return list(records.values())


def check(
    register: Register,
    as_of: dt.date | None = None,
    *,
    scope: Scope = EVERYTHING,
    region: str | None = None,
    config: MonitorConfig = MonitorConfig(),
) -> dict[str, Any]:
    """Run every check as of ``as_of`` (today by default) and store the new alerts."""
    as_of = as_of or dt.date.today()
    surges, days, cells = surge_alerts(
        register.engine, as_of, scope=scope, region=region, config=config
    )
    rules = rule_config(register, config.rules)
    rule_found = rule_alerts(
        rule_records(register, as_of, rules, scope=scope, region=region), as_of, rules
    )
    new = AlertStore(register.engine).save([*surges, *rule_found], day=as_of, days=days)
    return {
        "as_of": as_of.isoformat(),
        "new": new,
        "cells_judged": cells,
        "surges": len(surges),
        "rules": len(rule_found),
    }
