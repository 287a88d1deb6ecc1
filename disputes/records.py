"""Between rows and records: scopes, the natural key, and reading a row back as a record."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Boolean, ColumnElement, and_, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import Grouping
from sqlalchemy.sql.visitors import InternalTraversal

from disputes.models import Dispute, DisputeParty, HistoryEntry
from disputes.schema import (
    AgreementTerm,
    Confirmation,
    DisputeFilter,
    DisputeIn,
    DisputeRecord,
    FollowUp,
    HistoryItem,
    RegisteredParty,
)
from kb_service.errors import InvalidInputError
from kb_service.validation import describe_error


@dataclass(frozen=True)
class Scope:
    """What a caller may see: one committee, a region prefix, both, or (neither) everything.

    A mediator's key names a committee; a coordinator's a region prefix.
    Disputes outside the scope do not exist for that caller (NotFoundError,
    the same message as for an unknown id).
    """

    committee: str | None = None
    region: str | None = None

    def allows(self, committee: str, region: str) -> bool:
        if self.committee is not None and committee != self.committee:
            return False
        return self.region is None or in_region(region, self.region)

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.committee is not None:
            found.append(Dispute.committee == self.committee)
        if self.region is not None:
            found.append(region_condition(self.region))
        return found


EVERYTHING = Scope()


def normal_region(prefix: str) -> str:
    return "/".join(
        p.strip() for p in prefix.replace("／", "/").strip("/ ").split("/") if p.strip()
    )


def in_region(region: str, prefix: str) -> bool:
    prefix = normal_region(prefix)
    return region == prefix or region.startswith(prefix + "/")


class _UnderRegion(ColumnElement[bool]):
    """``region`` is ``prefix`` or lies under it; compiled per database so an index can serve it."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a condition, not a boolean column: no "= 1" on SQLite
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("prefix", InternalTraversal.dp_string),
    ]

    def __init__(self, column: ColumnElement[str], prefix: str) -> None:
        self.column = column
        self.prefix = prefix

    def self_group(self, against: Any = None) -> ColumnElement[bool]:
        return Grouping(self)  # it compiles to an OR: keep it in parentheses next to AND


@compiles(_UnderRegion)
def _under_region_like(element: _UnderRegion, compiler, **kw) -> str:
    column, prefix = element.column, element.prefix
    return compiler.process(
        or_(column == prefix, column.startswith(prefix + "/", autoescape=True)), **kw
    )


@compiles(_UnderRegion, "sqlite")
def _under_region_range(element: _UnderRegion, compiler, **kw) -> str:
    # SQLite's LIKE ignores case, so it cannot use the (binary) index on region; a range can:
    # everything under "a/b" sorts between "a/b/" and "a/b0" ("0" follows "/" in every encoding).
    # PostgreSQL keeps LIKE: under a linguistic collation a byte range would be wrong.
    column, prefix = element.column, element.prefix
    return compiler.process(
        or_(column == prefix, and_(column > prefix + "/", column < prefix + "0")), **kw
    )


def region_condition(prefix: str) -> ColumnElement[bool]:
    """The region itself or anything under it (``吉林省/长春市`` is not under ``吉林省/长``)."""
    return _UnderRegion(Dispute.region, normal_region(prefix))


def _normal_name(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split())


def natural_key(data: DisputeIn) -> str:
    """What makes a registration the same dispute: committee, received date, type and parties.

    Names, not ID numbers: the same register row typed twice may carry the ID
    number once and not the other time. The description is left out so a
    corrected wording does not turn a re-import into a second dispute.
    """
    return key_of(data.committee, data.received, data.dispute_type, [p.name for p in data.parties])


def key_of(committee: str, received: dt.date, dispute_type: str, names: list[str]) -> str:
    material = "\x1f".join(
        [
            _normal_name(committee),
            received.isoformat(),
            dispute_type,
            *sorted(map(_normal_name, names)),
        ]
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:40]


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; every stored moment is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def party_row(position: int, party: RegisteredParty) -> dict[str, Any]:
    """A party's column values (for an insert, or for ``DisputeParty(**…)``)."""
    return {"position": position, **party.model_dump()}


def _party(row: DisputeParty) -> RegisteredParty:
    return RegisteredParty.model_construct(
        role=row.role,
        name=row.name,
        kind=row.kind,
        unit=row.unit,
        id_number=row.id_number,
        phone=row.phone,
        address=row.address,
    )


def _history(row: HistoryEntry) -> HistoryItem:
    return HistoryItem.model_construct(
        at=_aware(row.at),
        actor=row.actor,
        action=row.action,
        field=row.field,
        old=row.old,
        new=row.new,
        note=row.note,
    )


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def record_of(row: Dispute, *, with_history: bool) -> DisputeRecord:
    """The row as a record, trusted as stored (no re-validation of every read)."""
    follow_up = row.follow_up
    confirmation = row.confirmation
    return DisputeRecord.model_construct(
        id=row.id,
        number=row.number,
        received=row.received,
        dispute_type=row.dispute_type,
        region=row.region,
        committee=row.committee,
        description=row.description,
        parties=[_party(p) for p in row.parties],
        channel=row.channel,
        org_level=row.org_level,
        mediator=row.mediator,
        claims=row.claims,
        people_involved=row.people_involved,
        amount=row.amount,
        status=row.status,
        closed_on=row.closed_on,
        agreement=[
            AgreementTerm.model_construct(text=t["text"], deadline=_date(t.get("deadline")))
            for t in row.agreement or []
        ],
        follow_up=None
        if follow_up is None
        else FollowUp.model_construct(
            date=_date(follow_up.get("date")),
            honoured=follow_up.get("honoured"),
            note=follow_up.get("note"),
        ),
        confirmation=None
        if confirmation is None
        else Confirmation.model_construct(
            court=confirmation["court"],
            applied_on=_date(confirmation.get("applied_on")),
            result=confirmation.get("result"),
        ),
        created_at=_aware(row.created_at),
        updated_at=_aware(row.updated_at),
        history=[_history(h) for h in row.history] if with_history else None,
    )


EDITABLE = (
    "received", "dispute_type", "region", "description", "parties", "channel", "org_level",
    "mediator", "claims", "people_involved", "amount", "status", "closed_on", "agreement",
    "follow_up", "confirmation",
)  # fmt: skip
"""Fields an update may change; ``id``, ``number`` and ``committee`` stay as registered."""


def stored_value(data: DisputeIn, field: str) -> Any:
    """A field as its column stores it (JSON-ready for the JSON columns and for history)."""
    value = getattr(data, field)
    if field in ("agreement", "parties"):
        return [item.model_dump(mode="json") for item in value]
    if field in ("follow_up", "confirmation"):
        return None if value is None else value.model_dump(mode="json")
    return value


def history_value(value: Any) -> Any:
    """JSON-ready form of a value for the history's old/new columns."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def invalid(exc: ValidationError) -> InvalidInputError:
    """A validation failure as the Chinese message that names each field; ``field`` is the first."""
    problems = [describe_error(e) for e in exc.errors()]
    reason = "；".join(f"字段 {field}：{message}" for field, message in problems)
    return InvalidInputError(reason, field=problems[0][0] if problems else None)


def as_filter(filters: DisputeFilter | Mapping[str, Any] | None) -> DisputeFilter:
    """A filter from a mapping (codes or labels); InvalidInputError naming a bad field."""
    if filters is None:
        return DisputeFilter()
    if isinstance(filters, DisputeFilter):
        return filters
    try:
        return DisputeFilter.model_validate(dict(filters))
    except ValidationError as exc:
        raise invalid(exc) from exc


def filter_conditions(filters: DisputeFilter, scope: Scope) -> list[ColumnElement[bool]]:
    """The WHERE conditions for ``filters`` within ``scope`` (also for other packages' queries)."""
    conditions = scope.conditions()
    if filters.status:
        conditions.append(Dispute.status.in_(filters.status))
    if filters.dispute_type:
        conditions.append(Dispute.dispute_type.in_(filters.dispute_type))
    if filters.org_level:
        conditions.append(Dispute.org_level.in_(filters.org_level))
    if filters.channel:
        conditions.append(Dispute.channel.in_(filters.channel))
    if filters.region:
        conditions.append(region_condition(filters.region))
    if filters.committee:
        conditions.append(Dispute.committee == filters.committee)
    if filters.received_from:
        conditions.append(Dispute.received >= filters.received_from)
    if filters.received_to:
        conditions.append(Dispute.received <= filters.received_to)
    if filters.party:
        who = filters.party.strip()
        conditions.append(
            Dispute.id.in_(
                select(DisputeParty.dispute_id).where(
                    or_(DisputeParty.name == who, DisputeParty.id_number == who.upper())
                )
            )
        )
    return conditions
