"""The register: add, read, list, update and move disputes through their statuses.

    register = Register.from_settings(settings)     # cheap; connects on first use
    record = register.add({...}, actor="李调解员")
    register.change_status(record.id, "mediating", actor="李调解员", note="双方同意调解")
    page = register.list(DisputeFilter(region="吉林省/长春市"), scope=Scope(committee="…"))

Every method takes a :class:`~disputes.records.Scope`; a dispute outside it
is reported as not found, exactly like an unknown id, so a caller learns
nothing about other committees' disputes. Every change is written to the
dispute's history in the same transaction as the change itself.

Errors: bad input → InvalidInputError (naming the field); unknown or
out-of-scope id → NotFoundError; an illegal status change or a second
registration of the same dispute → ConflictError; registering for another
committee or region → PermissionDeniedError; a database that is down or not
migrated → StoreUnavailableError / ConfigurationError.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, selectinload

from disputes import numbering
from disputes.database import (
    create_register_engine,
    current_revision,
    head_revision,
    unavailable,
    writer,
)
from disputes.models import Committee, Dispute, DisputeParty, HistoryEntry
from disputes.records import (
    EDITABLE,
    EVERYTHING,
    Scope,
    as_filter,
    filter_conditions,
    history_value,
    in_region,
    invalid,
    natural_key,
    party_row,
    record_of,
    stored_value,
)
from disputes.schema import (
    CLOSED_STATUSES,
    STATUSES,
    TRANSITIONS,
    DisputeFilter,
    DisputeIn,
    DisputePage,
    DisputeRecord,
)
from kb_service.errors import (
    ConfigurationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from kb_service.settings import Settings

MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class CommitteeInfo:
    name: str
    short_name: str
    region: str | None
    org_level: str | None
    time_limit_days: int


@dataclass(frozen=True)
class Added:
    """What registering one item of a batch came to: a new dispute, one already there, or why not."""

    id: int | None
    created: bool
    reason: str | None = None


def validate(data: Mapping[str, Any] | DisputeIn) -> DisputeIn:
    if isinstance(data, DisputeIn):
        return data
    try:
        return DisputeIn.model_validate(dict(data))
    except ValidationError as exc:
        raise invalid(exc) from exc


def _not_found(dispute_id: int) -> NotFoundError:
    return NotFoundError(
        f"未找到 id 为 {dispute_id} 的纠纷：请检查 id，或确认该纠纷属于您的调解委员会或辖区"
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Register:
    """The dispute register over one database (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writer = writer(engine)
        self._checked = False

    @classmethod
    def from_settings(cls, settings: Settings) -> Register:
        return cls(create_register_engine(settings.register_url))

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        self._engine.dispose()

    # -- sessions ---------------------------------------------------------------

    def _check_schema(self) -> None:
        if self._checked:
            return
        at = current_revision(self._engine)
        if at != head_revision():
            raise ConfigurationError(
                f"纠纷登记数据库的结构版本为 {at or '空'}，需要 {head_revision()}：请先运行 kb db upgrade"
            )
        self._checked = True

    @contextmanager
    def _session(self, *, write: bool) -> Iterator[Session]:
        try:
            self._check_schema()
            bind = self._writer if write else self._engine
            with Session(bind, expire_on_commit=False) as session, session.begin():
                yield session
        except OperationalError as exc:
            raise unavailable(self._engine, exc) from exc

    # -- committees -------------------------------------------------------------

    def committee(self, name: str) -> CommitteeInfo:
        with self._session(write=False) as session:
            row = session.get(Committee, name)
            if row is None:
                raise NotFoundError(f"未找到调解委员会“{name}”")
            return _committee_info(row)

    def committees(self) -> list[CommitteeInfo]:
        with self._session(write=False) as session:
            rows = session.scalars(select(Committee).order_by(Committee.name))
            return [_committee_info(row) for row in rows]

    def set_committee(
        self,
        name: str,
        *,
        short_name: str | None = None,
        region: str | None = None,
        org_level: str | None = None,
        time_limit_days: int | None = None,
    ) -> CommitteeInfo:
        """Create or change a committee: the short name in its numbers, its overdue limit."""
        if short_name is not None and not (1 <= len(short_name.strip()) <= 20):
            raise InvalidInputError("简称应为 1 到 20 个字", field="short_name")
        if time_limit_days is not None and time_limit_days < 1:
            raise InvalidInputError("办理时限应为正整数（天）", field="time_limit_days")
        with self._session(write=True) as session:
            row = session.get(Committee, name)
            if row is None:
                row = Committee(name=name, short_name=numbering.derive_short_name(name))
                session.add(row)
            if short_name is not None:
                row.short_name = short_name.strip()
            if region is not None:
                row.region = region
            if org_level is not None:
                row.org_level = org_level
            if time_limit_days is not None:
                row.time_limit_days = time_limit_days
            session.flush()
            return _committee_info(row)

    def _ensure_committees(
        self, session: Session, items: Sequence[DisputeIn]
    ) -> dict[str, Committee]:
        """Create the committees first seen here (one statement), and return all of the batch's."""
        insert = (
            postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        )
        firsts: dict[str, DisputeIn] = {}
        for item in items:
            firsts.setdefault(item.committee, item)
        rows = [
            {
                "name": name,
                "short_name": numbering.derive_short_name(name),
                "region": item.region,
                "org_level": item.org_level,
                "time_limit_days": 30,
            }
            for name, item in sorted(
                firsts.items()
            )  # one order everywhere: no lock-order deadlocks
        ]
        session.execute(
            insert(Committee).values(rows).on_conflict_do_nothing(index_elements=[Committee.name])
        )
        found = session.scalars(select(Committee).where(Committee.name.in_(firsts)))
        return {row.name: row for row in found}

    # -- registering ------------------------------------------------------------

    def add(
        self,
        data: Mapping[str, Any] | DisputeIn,
        *,
        actor: str,
        scope: Scope = EVERYTHING,
        note: str | None = None,
    ) -> DisputeRecord:
        """Register one dispute; ConflictError if the same dispute is already registered."""
        item = validate(data)
        _check_may_register(item, scope)
        key = natural_key(item)
        try:
            with self._session(write=True) as session:
                existing = session.scalar(select(Dispute).where(Dispute.natural_key == key))
                if existing is not None:
                    raise _duplicate(existing)
                dispute_id = self._insert(session, [item], actor=actor, notes=[note or "登记"])[0]
        except IntegrityError as exc:
            raise self._explain_integrity(item, key) from exc
        return self.get(dispute_id)

    def add_many(
        self, items: Sequence[DisputeIn], *, actor: str, notes: Sequence[str | None] | None = None
    ) -> list[Added]:
        """Register a batch in one transaction (the importer's chunks); existing ones are skipped.

        If the batch fails as a whole (another writer registered one of these
        disputes, or an imported number is taken), each item is retried on its
        own so that only the offending ones are refused.
        """
        notes = list(notes) if notes is not None else [None] * len(items)
        keys = [natural_key(item) for item in items]
        try:
            with self._session(write=True) as session:
                found = dict(
                    session.execute(
                        select(Dispute.natural_key, Dispute.id).where(
                            Dispute.natural_key.in_(set(keys))
                        )
                    ).all()
                )
                fresh: list[int] = []
                seen: dict[str, int] = {}
                for index, key in enumerate(keys):
                    if key not in found and key not in seen:
                        seen[key] = index
                        fresh.append(index)
                ids = self._insert(
                    session,
                    [items[i] for i in fresh],
                    actor=actor,
                    notes=[notes[i] or "导入" for i in fresh],
                )
                for index, dispute_id in zip(fresh, ids, strict=True):
                    found[keys[index]] = dispute_id
                return [
                    Added(found[key], created=seen.get(key) == index)
                    for index, key in enumerate(keys)
                ]
        except IntegrityError:
            return [
                self._add_alone(item, actor=actor, note=note)
                for item, note in zip(items, notes, strict=True)
            ]

    def _add_alone(self, item: DisputeIn, *, actor: str, note: str | None) -> Added:
        try:
            record = self.add(item, actor=actor, note=note or "导入")
        except ConflictError as exc:
            existing = self.find(natural_key(item))
            if existing is not None:
                return Added(existing, created=False)
            return Added(None, created=False, reason=exc.detail)
        return Added(record.id, created=True)

    def _insert(
        self, session: Session, items: Sequence[DisputeIn], *, actor: str, notes: Sequence[str]
    ) -> list[int]:
        """Insert new disputes with their numbers, parties and a "created" history entry; their ids."""
        if not items:
            return []
        committees = self._ensure_committees(session, items)
        now = _now()
        slots: list[tuple[int, int, str] | None] = [None] * len(items)
        for index, item in enumerate(items):
            if item.number is not None:
                year, _, serial = numbering.parse_number(item.number)
                numbering.claim(session, item.committee, year, serial)
                slots[index] = (year, serial, item.number)
        wanted: dict[tuple[str, int], list[int]] = {}
        for index, item in enumerate(items):
            if slots[index] is None:
                wanted.setdefault((item.committee, item.received.year), []).append(index)
        firsts = numbering.reserve_many(
            session, {slot: len(indexes) for slot, indexes in wanted.items()}
        )
        for (committee, year), indexes in wanted.items():
            short = committees[committee].short_name
            for offset, index in enumerate(indexes):
                serial = firsts[committee, year] + offset
                slots[index] = (year, serial, numbering.format_number(year, short, serial))
        disputes = []
        for item, slot in zip(items, slots, strict=True):
            assert slot is not None
            year, serial, number = slot
            values = {field: stored_value(item, field) for field in EDITABLE if field != "parties"}
            values["org_level"] = values["org_level"] or committees[item.committee].org_level
            disputes.append(
                {
                    "committee": item.committee,
                    "year": year,
                    "serial": serial,
                    "number": number,
                    "natural_key": natural_key(item),
                    "created_at": now,
                    "updated_at": now,
                    **values,
                }
            )
        # Core statements on the tables: the ORM's unit of work (and its bulk mode, which splits
        # rows by which columns are NULL) costs milliseconds a row at import sizes.
        table = Dispute.__table__
        ids = list(
            session.scalars(
                insert(table).returning(table.c.id, sort_by_parameter_order=True), disputes
            )
        )
        parties = [
            {"dispute_id": dispute_id, **party_row(position, party)}
            for dispute_id, item in zip(ids, items, strict=True)
            for position, party in enumerate(item.parties)
        ]
        session.execute(insert(DisputeParty.__table__), parties)
        history = [
            {
                "dispute_id": dispute_id,
                "at": now,
                "actor": actor,
                "action": "created",
                "field": None,
                "old": None,
                "new": {"number": row["number"], "status": row["status"]},
                "note": note,
            }
            for dispute_id, row, note in zip(ids, disputes, notes, strict=True)
        ]
        session.execute(insert(HistoryEntry.__table__), history)
        return ids

    def _explain_integrity(self, item: DisputeIn, key: str) -> ConflictError:
        with self._session(write=False) as session:
            existing = session.scalar(select(Dispute).where(Dispute.natural_key == key))
            if existing is not None:
                return _duplicate(existing)
        if item.number is not None:
            return ConflictError(f"编号“{item.number}”已被本调解委员会的另一件纠纷使用：请核对编号")
        return ConflictError("登记时与另一项操作冲突：请重试")

    def find(self, key: str) -> int | None:
        """The id of the dispute with this natural key (see records.natural_key)."""
        with self._session(write=False) as session:
            return session.scalar(select(Dispute.id).where(Dispute.natural_key == key))

    # -- reading ----------------------------------------------------------------

    def get(self, dispute_id: int, *, scope: Scope = EVERYTHING) -> DisputeRecord:
        with self._session(write=False) as session:
            row = self._load(session, dispute_id, scope, lock=False)
            return record_of(row, with_history=True)

    def _load(self, session: Session, dispute_id: int, scope: Scope, *, lock: bool) -> Dispute:
        statement = (
            select(Dispute)
            .where(Dispute.id == dispute_id, *scope.conditions())
            .options(selectinload(Dispute.parties), selectinload(Dispute.history))
        )
        if lock:
            statement = statement.with_for_update(of=Dispute)
        row = session.scalar(statement)
        if row is None:
            raise _not_found(dispute_id)
        return row

    def list(
        self,
        filters: DisputeFilter | Mapping[str, Any] | None = None,
        *,
        scope: Scope = EVERYTHING,
        offset: int = 0,
        size: int = 20,
    ) -> DisputePage:
        """One page, newest received first (then newest id); ``total`` counts every match."""
        if offset < 0:
            raise InvalidInputError("offset 不能为负数", field="offset")
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise InvalidInputError(f"size 应在 1 到 {MAX_PAGE_SIZE} 之间", field="size")
        conditions = filter_conditions(as_filter(filters), scope)
        with self._session(write=False) as session:
            total = (
                session.scalar(select(func.count()).select_from(Dispute).where(*conditions)) or 0
            )
            rows = session.scalars(
                select(Dispute)
                .where(*conditions)
                .order_by(Dispute.received.desc(), Dispute.id.desc())
                .offset(offset)
                .limit(size)
                .options(selectinload(Dispute.parties))
            ).all()
            items = [record_of(row, with_history=False) for row in rows]
        return DisputePage(total=total, offset=offset, size=size, items=items)

    def count(
        self, filters: DisputeFilter | Mapping[str, Any] | None = None, *, scope: Scope = EVERYTHING
    ) -> int:
        conditions = filter_conditions(as_filter(filters), scope)
        with self._session(write=False) as session:
            return session.scalar(select(func.count()).select_from(Dispute).where(*conditions)) or 0

    def iter(
        self,
        filters: DisputeFilter | Mapping[str, Any] | None = None,
        *,
        scope: Scope = EVERYTHING,
        batch: int = 500,
    ) -> Iterator[DisputeRecord]:
        """Every matching dispute, oldest id first, read in batches (export, indexing)."""
        conditions = filter_conditions(as_filter(filters), scope)
        after = 0
        while True:
            with self._session(write=False) as session:
                rows = session.scalars(
                    select(Dispute)
                    .where(Dispute.id > after, *conditions)
                    .order_by(Dispute.id)
                    .limit(batch)
                    .options(selectinload(Dispute.parties))
                ).all()
                records = [record_of(row, with_history=False) for row in rows]
            yield from records
            if len(records) < batch:
                return
            after = records[-1].id

    # -- changing ---------------------------------------------------------------

    def update(
        self,
        dispute_id: int,
        changes: Mapping[str, Any],
        *,
        actor: str,
        note: str | None = None,
        scope: Scope = EVERYTHING,
    ) -> DisputeRecord:
        """Change fields (and perhaps the status); each changed field becomes a history entry."""
        changes = dict(changes)
        for field in changes:
            if field in ("id", "number", "committee", "created_at", "updated_at", "history"):
                raise InvalidInputError(
                    f"字段 {field} 登记后不能修改（登记到错误的调解委员会时，请撤回后重新登记）",
                    field=field,
                )
            if field not in EDITABLE:
                raise InvalidInputError(f"未知字段 {field}（请检查拼写）", field=field)
        try:
            with self._session(write=True) as session:
                row = self._load(session, dispute_id, scope, lock=True)
                self._apply(session, row, changes, actor=actor, note=note)
        except IntegrityError as exc:
            raise ConflictError(
                "保存时与另一项修改冲突（同一纠纷已被登记或修改）：请刷新后重试"
            ) from exc
        return self.get(dispute_id, scope=scope)

    def _apply(
        self,
        session: Session,
        row: Dispute,
        changes: dict[str, Any],
        *,
        actor: str,
        note: str | None,
    ) -> None:
        """Validate the changed record, write each changed field and its history entry."""
        current = record_of(row, with_history=False)
        merged = current.model_dump(mode="json", include=set(DisputeIn.model_fields))
        merged.update(changes)
        if "status" in changes:
            new_status = _status_code(changes["status"])
            _check_transition(current.status, new_status)
            merged["status"] = new_status
            if new_status in CLOSED_STATUSES and current.status not in CLOSED_STATUSES:
                merged["closed_on"] = changes.get("closed_on") or dt.date.today().isoformat()
        updated = validate(merged)
        now = _now()
        entries = []
        for field in EDITABLE:
            old, new = stored_value(current, field), stored_value(updated, field)
            if old == new:
                continue
            if field == "parties":
                row.parties = [
                    DisputeParty(**party_row(i, p)) for i, p in enumerate(updated.parties)
                ]
            else:
                setattr(row, field, new)
            entries.append(
                HistoryEntry(
                    at=now,
                    actor=actor,
                    action="status" if field == "status" else "updated",
                    field=field,
                    old=history_value(old),
                    new=history_value(new),
                    note=note,
                )
            )
        if entries:
            key = natural_key(updated)
            if key != row.natural_key:
                clash = session.scalar(select(Dispute).where(Dispute.natural_key == key))
                if clash is not None:
                    raise _duplicate(clash)
                row.natural_key = key
            row.history.extend(entries)
            row.updated_at = now

    def change_status(
        self,
        dispute_id: int,
        status: str,
        *,
        actor: str,
        note: str | None = None,
        scope: Scope = EVERYTHING,
        closed_on: dt.date | None = None,
    ) -> DisputeRecord:
        """Move a dispute to ``status`` (code or label); ConflictError naming the current status."""
        changes: dict[str, Any] = {"status": status}
        if closed_on is not None:
            changes["closed_on"] = closed_on.isoformat()
        return self.update(dispute_id, changes, actor=actor, note=note, scope=scope)


def _committee_info(row: Committee) -> CommitteeInfo:
    return CommitteeInfo(row.name, row.short_name, row.region, row.org_level, row.time_limit_days)


def _duplicate(existing: Dispute) -> ConflictError:
    return ConflictError(
        f"该纠纷已登记（编号 {existing.number}，id {existing.id}）：同一调解委员会、同一受理日期、"
        "同一纠纷类型和同样的当事人视为同一纠纷"
    )


def _status_code(value: Any) -> str:
    try:
        return STATUSES.code(value)
    except ValueError as exc:
        raise InvalidInputError(str(exc), field="status") from exc


def _check_transition(current: str, new: str) -> None:
    if new == current or new in TRANSITIONS[current]:
        return
    allowed = "、".join(f"{STATUSES.label(s)}（{s}）" for s in sorted(TRANSITIONS[current]))
    then = f"只能改为：{allowed}" if allowed else "该纠纷已结案，状态不能再改变"
    raise ConflictError(
        f"纠纷当前状态为“{STATUSES.label(current)}”，不能改为“{STATUSES.label(new)}”：{then}"
    )


def _check_may_register(item: DisputeIn, scope: Scope) -> None:
    if scope.committee is not None and item.committee != scope.committee:
        raise PermissionDeniedError(f"只能登记本调解委员会（{scope.committee}）的纠纷")
    if scope.region is not None and not in_region(item.region, scope.region):
        raise PermissionDeniedError(f"只能登记辖区（{scope.region}）内的纠纷")
