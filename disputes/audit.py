"""The audit log, kept in the register's database (table ``audit_log``, migration 0006).

Who read which dispute or case, when, from which address, and what the answer
was (a 404 for a dispute outside one's scope is worth seeing too). The API
writes an entry after each audited request (``api/audit.py`` says which);
admins read them (``GET /v1/admin/audit``, ``kb audit``). Entries hold names,
roles, ids, statuses and addresses only: never a query string or a body, which
may hold what people typed about a dispute.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from disputes.database import unavailable, writer
from disputes.models import AuditEntry
from disputes.register import Register
from kb_service.errors import InvalidInputError
from kb_service.text import MAX_PAGE_SIZE


@dataclass(frozen=True)
class Access:
    """One audited request, as the API saw it."""

    actor: str
    role: str
    action: str
    kind: str
    object_id: str | None
    status: int
    address: str | None
    request_id: str | None
    at: dt.datetime | None = None


class AuditLog:
    def __init__(self, register: Register) -> None:
        self._engine = register.engine
        self._writer = writer(register.engine)

    def record(self, access: Access) -> None:
        entry = AuditEntry(**{**asdict(access), "at": access.at or dt.datetime.now(dt.UTC)})
        entry.object_id = entry.object_id[:200] if entry.object_id else None
        try:
            with Session(self._writer) as session, session.begin():
                session.add(entry)
        except OperationalError as exc:
            raise unavailable(self._engine, exc) from exc

    def query(
        self,
        *,
        actor: str | None = None,
        kind: str | None = None,
        object_id: str | None = None,
        action: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        offset: int = 0,
        size: int = 50,
    ) -> dict[str, Any]:
        """Entries newest first, filtered; ``since``/``until`` are days (inclusive, UTC)."""
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise InvalidInputError(f"size 应在 1 到 {MAX_PAGE_SIZE} 之间", field="size")
        if offset < 0:
            raise InvalidInputError("offset 不能为负数", field="offset")
        conditions = []
        for column, value in (
            (AuditEntry.actor, actor), (AuditEntry.kind, kind),
            (AuditEntry.object_id, object_id), (AuditEntry.action, action),
        ):  # fmt: skip
            if value:
                conditions.append(column == value)
        if since:
            conditions.append(AuditEntry.at >= dt.datetime.combine(since, dt.time(), dt.UTC))
        if until:
            conditions.append(
                AuditEntry.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC)
            )
        try:
            with Session(self._engine) as session:
                total = session.scalar(
                    select(func.count()).select_from(AuditEntry).where(*conditions)
                )
                rows = session.scalars(
                    select(AuditEntry)
                    .where(*conditions)
                    .order_by(AuditEntry.id.desc())
                    .offset(offset)
                    .limit(size)
                ).all()
        except OperationalError as exc:
            raise unavailable(self._engine, exc) from exc
        return {
            "total": total,
            "offset": offset,
            "size": size,
            "items": [_as_dict(row) for row in rows],
        }


def _as_dict(row: AuditEntry) -> dict[str, Any]:
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=dt.UTC)  # SQLite hands back naive times
    return {
        "id": row.id, "at": at.isoformat(), "actor": row.actor, "role": row.role, "action": row.action,
        "kind": row.kind, "object_id": row.object_id, "status": row.status, "address": row.address,
        "request_id": row.request_id,
    }  # fmt: skip
