"""Alerts as stored in the register's database, and coordinators' acknowledgements.

    store = AlertStore(register.engine)
    new = store.save(alerts, day=as_of)           # only keys never raised before; the rest is ignored
    store.list(scope, since=…, until=…)           # within a caller's scope, most urgent first
    store.acknowledge(alert_id, actor="…", note="已约谈企业负责人", scope=scope)

Scope: a coordinator (region prefix) sees the alerts whose region lies under the
prefix; a mediator (committee) the alerts behind which stands at least one
dispute of the committee; an admin all. An alert outside the scope does not
exist for the caller (404, like an unknown id).

The unique key (``uq_alerts_key``) makes "never raised twice" hold even for
two runs at once: the insert skips keys already there (``ON CONFLICT DO NOTHING``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Engine, exists, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from alerts.model import KIND_LABELS, LEVEL_LABELS, Alert, level_rank
from disputes.database import writer
from disputes.models import AlertAck, AlertDispute, AlertRow, Dispute
from disputes.records import EVERYTHING, Scope, normal_region
from kb_service.errors import InvalidInputError, NotFoundError
from kb_service.vocabularies import DISPUTE_TYPES

MAX_NOTE = 2000
CHUNK = 500
"""Rows per INSERT statement."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def scope_conditions(scope: Scope) -> list[ColumnElement[bool]]:
    """Which alerts a scope sees (see the module docstring)."""
    found: list[ColumnElement[bool]] = []
    if scope.region is not None:
        prefix = normal_region(scope.region)
        found.append(
            (AlertRow.region == prefix) | AlertRow.region.startswith(prefix + "/", autoescape=True)
        )
    if scope.committee is not None:
        found.append(
            exists(
                select(AlertDispute.dispute_id)
                .join(Dispute, Dispute.id == AlertDispute.dispute_id)
                .where(AlertDispute.alert_id == AlertRow.id, Dispute.committee == scope.committee)
            )
        )
    return found


def alert_dict(row: AlertRow, *, new: bool = False) -> dict[str, Any]:
    """CONTRACT §7's shape, with labels and the acknowledgements."""
    data: dict[str, Any] = {
        "id": row.id,
        "kind": row.kind,
        "kind_label": KIND_LABELS.get(row.kind, row.kind),
        "level": row.level,
        "level_label": LEVEL_LABELS.get(row.level, row.level),
        "region": row.region,
        "dispute_type": row.dispute_type,
        "period": row.period,
        "observed": row.observed,
        "expected": row.expected,
        "method": row.method,
        "reason": row.reason,
        "disputes": sorted(d.dispute_id for d in row.disputes),
        "day": row.day.isoformat(),
        "raised_at": row.raised_at.isoformat(),
        "acknowledged": bool(row.acks),
        "acks": [{"actor": a.actor, "note": a.note, "at": a.at.isoformat()} for a in row.acks],
        "new": new,
    }
    if row.dispute_type in DISPUTE_TYPES.terms:
        data["dispute_type_label"] = DISPUTE_TYPES.label(row.dispute_type)
    return data


class AlertStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def known_keys(self, keys: Iterable[str]) -> set[str]:
        keys = list(set(keys))
        found: set[str] = set()
        with Session(self._engine) as session:
            for start in range(0, len(keys), 500):
                found |= set(
                    session.scalars(
                        select(AlertRow.key).where(AlertRow.key.in_(keys[start : start + 500]))
                    )
                )
        return found

    def save(
        self,
        alerts: Sequence[Alert],
        *,
        day: dt.date | None = None,
        days: dict[str, dt.date] | None = None,
    ) -> list[str]:
        """Store the alerts whose key is new; returns their ids. ``days`` gives a day per key
        (surge alerts: their period's last day), ``day`` the rest (the check's date)."""
        from alerts.model import new_alerts

        fresh = new_alerts(alerts, self.known_keys(a.key for a in alerts))
        if not fresh:
            return []
        now = _now()
        with Session(writer(self._engine)) as session, session.begin():
            insert = (
                postgresql_insert
                if session.get_bind().dialect.name == "postgresql"
                else sqlite_insert
            )
            rows = [
                {
                    "id": a.id,
                    "key": a.key,
                    "kind": a.kind,
                    "level": a.level,
                    "region": a.region,
                    "dispute_type": a.dispute_type,
                    "period": a.period,
                    "day": (days or {}).get(a.key, day or now.date()),
                    "observed": a.observed,
                    "expected": a.expected,
                    "method": a.method,
                    "reason": a.reason,
                    "raised_at": now,
                }  # fmt: skip
                for a in fresh
            ]
            inserted: set[str] = set()
            for start in range(
                0, len(rows), CHUNK
            ):  # SQLite allows 32,766 parameters per statement
                statement = insert(AlertRow).values(rows[start : start + CHUNK])
                inserted |= set(
                    session.scalars(
                        statement.on_conflict_do_nothing(index_elements=[AlertRow.key]).returning(
                            AlertRow.id
                        )
                    )
                )
            links = [
                {"alert_id": a.id, "dispute_id": int(d)}
                for a in fresh
                if a.id in inserted
                for d in dict.fromkeys(a.disputes)
                if str(d).isdigit()
            ]
            for start in range(0, len(links), CHUNK * 5):
                session.execute(
                    insert(AlertDispute)
                    .values(links[start : start + CHUNK * 5])
                    .on_conflict_do_nothing()
                )
        return [a.id for a in fresh if a.id in inserted]

    def list(
        self,
        scope: Scope = EVERYTHING,
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
        region: str | None = None,
        dispute_id: int | None = None,
        new: Iterable[str] = (),
        limit: int = 500,
    ) -> list[dict[str, Any]]:
        """Alerts within ``scope`` (and ``region``), by day, most urgent first, then newest."""
        conditions = scope_conditions(scope)
        if region:
            conditions += scope_conditions(Scope(region=region))
        if since is not None:
            conditions.append(AlertRow.day >= since)
        if until is not None:
            conditions.append(AlertRow.day <= until)
        if dispute_id is not None:
            conditions.append(
                exists(
                    select(AlertDispute.alert_id).where(
                        AlertDispute.alert_id == AlertRow.id, AlertDispute.dispute_id == dispute_id
                    )
                )
            )
        with Session(self._engine) as session:
            rows = session.scalars(
                select(AlertRow)
                .where(*conditions)
                .order_by(AlertRow.day.desc(), AlertRow.raised_at.desc())
                .limit(limit)
                .options(selectinload(AlertRow.disputes), selectinload(AlertRow.acks))
            ).all()
            fresh = set(new)
            found = [alert_dict(row, new=row.id in fresh) for row in rows]
        return sorted(
            found, key=lambda a: (a["acknowledged"], -level_rank(a["level"]), -_ord(a["day"]))
        )

    def get(self, alert_id: str, scope: Scope = EVERYTHING) -> dict[str, Any]:
        with Session(self._engine) as session:
            row = self._row(session, alert_id, scope)
            return alert_dict(row)

    def _row(self, session: Session, alert_id: str, scope: Scope) -> AlertRow:
        row = session.scalar(
            select(AlertRow)
            .where(AlertRow.id == alert_id, *scope_conditions(scope))
            .options(selectinload(AlertRow.disputes), selectinload(AlertRow.acks))
        )
        if row is None:
            raise NotFoundError(
                f"未找到 id 为 {alert_id} 的预警：请检查 id，或确认该预警在您的辖区内"
            )
        return row

    def acknowledge(
        self, alert_id: str, *, actor: str, note: str, scope: Scope = EVERYTHING
    ) -> dict[str, Any]:
        """Record that ``actor`` has seen the alert and what was done (the note is required)."""
        note = (note or "").strip()
        if not note:
            raise InvalidInputError("请填写处置说明（note）：已采取的措施或核实情况", field="note")
        if len(note) > MAX_NOTE:
            raise InvalidInputError(f"处置说明不能超过 {MAX_NOTE} 字", field="note")
        with Session(writer(self._engine), expire_on_commit=False) as session, session.begin():
            row = self._row(session, alert_id, scope)
            session.add(AlertAck(alert_id=row.id, actor=actor, note=note, at=_now()))
        return self.get(alert_id, scope)


def _ord(day: str) -> int:
    return dt.date.fromisoformat(day).toordinal()
