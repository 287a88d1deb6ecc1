"""Trends and alerts as the CLI, the API and the pages call them: one caller, one scope.

    desk = TrendsDesk(services, principal)
    desk.trends(period="month", by="region,type", level="county")
    desk.alerts(as_of=date(2026, 2, 16))      # runs the checks (coordinators, admins), then lists
    desk.acknowledge(alert_id, "已约谈企业负责人，工资分期支付")

Who sees what: the register's scopes (``disputes/access.py``). Coordinators and
admins see counts and alerts under their region; mediators their committee's
disputes' counts and the alerts behind which stands one of their disputes.
Running the checks and acknowledging is for coordinators and admins
(``Permission.alerts``); a mediator's list shows what is stored.

A check over a province takes seconds (it fits a model per busy cell), so
the same caller scope and date is checked at most once in ``CHECK_EVERY``
seconds per process; the stored alerts are read every time.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

from alerts.periods import as_date
from disputes.queries import RegisterDesk
from kb_service.access import Permission
from kb_service.errors import InvalidInputError
from trends.alert_store import AlertStore
from trends.counts import counts_window

ALERT_DAYS = 30
"""``kb alerts`` lists the alerts of the 30 days up to the date."""
CHECK_EVERY = 300

_checked: dict[tuple, float] = {}
_lock = threading.Lock()


def parse_day(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return as_date(value)
    except ValueError as exc:
        raise InvalidInputError(f"日期格式不正确：{value}，应为 YYYY-MM-DD", field=field) from exc


class TrendsDesk(RegisterDesk):
    """Trends, alerts and the report, within one caller's scope."""

    @property
    def store(self) -> AlertStore:
        return AlertStore(self.register.engine)

    def trends(
        self,
        *,
        period: str = "week",
        by: str = "region,type",
        level: str = "county",
        date_from: Any = None,
        date_to: Any = None,
        region: str | None = None,
        dispute_types: list[str] | None = None,
    ) -> dict[str, Any]:
        from kb_service.vocabularies import DISPUTE_TYPES

        scope = self.scope
        self.register.committees()  # schema check: a register never migrated says so
        try:
            codes = [DISPUTE_TYPES.code(t) for t in dispute_types or []]
        except ValueError as exc:
            raise InvalidInputError(str(exc), field="type") from exc
        return counts_window(
            self.register.engine, period=period, by=by, level=level, first=parse_day(date_from, "from"),
            last=parse_day(date_to, "to"), scope=scope, region=region or None, dispute_types=codes,
        )  # fmt: skip

    def check(
        self, as_of: dt.date | None = None, *, region: str | None = None, force: bool = False
    ) -> dict[str, Any] | None:
        """Run the checks within the caller's region (coordinators, admins); None for mediators."""
        from trends.monitor import check

        scope = self.scope
        if not self.principal.can(Permission.alerts):
            return None
        as_of = as_of or dt.date.today()
        memo = (self.register.engine.url.render_as_string(), as_of, scope, region)
        with _lock:
            if not force and time.monotonic() - _checked.get(memo, -CHECK_EVERY) < CHECK_EVERY:
                return None
        result = check(self.register, as_of, scope=scope, region=region)
        with _lock:
            _checked[memo] = time.monotonic()
        return result

    def alerts(
        self, *, as_of: Any = None, region: str | None = None, run: bool = True, force: bool = False
    ) -> dict[str, Any]:
        """The alerts of the 30 days up to ``as_of`` within the caller's scope (after the checks)."""
        day = parse_day(as_of, "as_of") or dt.date.today()
        scope = self.scope
        self.register.committees()
        result = self.check(day, region=region or None, force=force) if run else None
        new = result["new"] if result else []
        found = self.store.list(
            scope,
            since=day - dt.timedelta(days=ALERT_DAYS),
            until=day,
            region=region or None,
            new=new,
        )
        return {"as_of": day.isoformat(), "region": region, "checked": result, "alerts": found}

    def acknowledge(self, alert_id: str, note: str) -> dict[str, Any]:
        self.principal.require(Permission.alerts)
        return self.store.acknowledge(
            alert_id, actor=self.principal.name, note=note, scope=self.scope
        )

    def dispute_alerts(self, dispute_id: int) -> list[dict[str, Any]]:
        """Stored alerts behind which stands this dispute (the workbench's risk flags)."""
        return self.store.list(self.scope, dispute_id=dispute_id)
