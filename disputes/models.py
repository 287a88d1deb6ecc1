"""The register's tables (SQLAlchemy 2, typed). Alembic migrations in ``migrations/`` build them.

    committees         one row per 调解委员会: its short name for numbering, time limit
    dispute_counters   the last serial used per committee per year (numbering)
    disputes           one row per dispute; agreement, follow-up, confirmation as JSON
    dispute_parties    the parties, with ID numbers, phones and addresses
    dispute_history    every change: who, when, which field, old → new, note
    case_drafts        closed disputes promoted to masked case drafts, and their review
    alerts             early-warning alerts (研判预警), one row per dedupe key (migration 0005)
    alert_disputes     the disputes behind each alert
    alert_acks         coordinators' acknowledgements: who, when, with a note
    audit_log          who read which dispute or case, when, from where (disputes/audit.py)

Vocabulary fields hold codes; labels are added when a record is read out.
Parties have their own table (migration 0002) so that "the same person in
several disputes" is one indexed lookup by ID number or name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Committee(Base):
    __tablename__ = "committees"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    short_name: Mapped[str] = mapped_column(String(20))
    """Used in numbers: （2026）南关调字第15号."""
    region: Mapped[str | None] = mapped_column(String(200))
    org_level: Mapped[str | None] = mapped_column(String(20))
    time_limit_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    """How long a dispute may stay open before it is overdue (人民调解 practice: 30 days)."""


class DisputeCounter(Base):
    __tablename__ = "dispute_counters"

    committee: Mapped[str] = mapped_column(ForeignKey("committees.name"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Dispute(Base):
    __tablename__ = "disputes"
    __table_args__ = (
        UniqueConstraint("committee", "year", "serial", name="uq_disputes_committee_year_serial"),
        UniqueConstraint("natural_key", name="uq_disputes_natural_key"),
        Index("ix_disputes_received", "received"),
        Index("ix_disputes_region", "region"),
        Index("ix_disputes_status_received", "status", "received"),
        Index("ix_disputes_type_region", "dispute_type", "region"),
        Index("ix_disputes_committee_received", "committee", "received"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    committee: Mapped[str] = mapped_column(ForeignKey("committees.name"))
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(100))
    natural_key: Mapped[str] = mapped_column(String(64))
    """Hash of committee, received date, dispute type and party names: one dispute, one row."""

    received: Mapped[dt.date] = mapped_column(Date)
    channel: Mapped[str | None] = mapped_column(String(20))
    dispute_type: Mapped[str] = mapped_column(String(30))
    region: Mapped[str] = mapped_column(String(200))
    org_level: Mapped[str | None] = mapped_column(String(20))
    mediator: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    claims: Mapped[str | None] = mapped_column(Text)
    people_involved: Mapped[int] = mapped_column(Integer, default=1)
    amount: Mapped[float | None] = mapped_column(Numeric(16, 2, asdecimal=False))
    status: Mapped[str] = mapped_column(String(20), default="registered")
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    agreement: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    follow_up: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    confirmation: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    parties: Mapped[list[DisputeParty]] = relationship(
        back_populates="dispute",
        order_by="DisputeParty.position",
        cascade="all, delete-orphan",
    )
    history: Mapped[list[HistoryEntry]] = relationship(
        back_populates="dispute", order_by="HistoryEntry.id", cascade="all, delete-orphan"
    )


class DisputeParty(Base):
    __tablename__ = "dispute_parties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dispute_id: Mapped[int] = mapped_column(
        ForeignKey("disputes.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(50), default="")
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="person")
    unit: Mapped[str | None] = mapped_column(String(200))
    id_number: Mapped[str | None] = mapped_column(String(30), index=True)
    phone: Mapped[str | None] = mapped_column(String(30))
    address: Mapped[str | None] = mapped_column(String(300))

    dispute: Mapped[Dispute] = relationship(back_populates="parties")


class HistoryEntry(Base):
    __tablename__ = "dispute_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dispute_id: Mapped[int] = mapped_column(
        ForeignKey("disputes.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))
    """``created``, ``status`` or ``updated``."""
    field: Mapped[str | None] = mapped_column(String(50))
    old: Mapped[Any] = mapped_column(JSON, nullable=True)
    new: Mapped[Any] = mapped_column(JSON, nullable=True)
    note: Mapped[str | None] = mapped_column(Text)

    dispute: Mapped[Dispute] = relationship(back_populates="history")


class CaseDraft(Base):
    """A closed dispute turned into a masked model-case draft, awaiting a coordinator's review."""

    __tablename__ = "case_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dispute_id: Mapped[int] = mapped_column(
        ForeignKey("disputes.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), index=True)
    """``pending``, ``approved`` or ``rejected``."""
    content: Mapped[str] = mapped_column(Text)
    """The case in the library's Markdown format (CONTRACT §2), already masked."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    review_note: Mapped[str | None] = mapped_column(Text)


class AlertRow(Base):
    """An early-warning alert as raised (``alerts.model.Alert``); ``key`` is unique, so a cell,
    kind and period (or a dispute, for rule alerts) is never raised twice."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("key", name="uq_alerts_key"),
        Index("ix_alerts_day", "day"),
        Index("ix_alerts_region", "region"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    """A short hash of the key (``Alert.id``): stable across runs, for URLs."""
    key: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(10))
    region: Mapped[str | None] = mapped_column(String(200))
    dispute_type: Mapped[str | None] = mapped_column(String(30))
    period: Mapped[str] = mapped_column(String(20))
    day: Mapped[dt.date] = mapped_column(Date)
    """The date the alert is about: the judged period's last day (surge) or the check's date (rules)."""
    observed: Mapped[float | None] = mapped_column(Numeric(16, 2, asdecimal=False))
    expected: Mapped[float | None] = mapped_column(Numeric(16, 2, asdecimal=False))
    method: Mapped[str] = mapped_column(String(50))
    reason: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    disputes: Mapped[list[AlertDispute]] = relationship(cascade="all, delete-orphan")
    acks: Mapped[list[AlertAck]] = relationship(order_by="AlertAck.id", cascade="all, delete-orphan")


class AlertDispute(Base):
    __tablename__ = "alert_disputes"

    alert_id: Mapped[str] = mapped_column(
        ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True
    )
    dispute_id: Mapped[int] = mapped_column(
        ForeignKey("disputes.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class AlertAck(Base):
    __tablename__ = "alert_acks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[str] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """One audited request: who read what, when, from where; never what they typed."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_actor_at", "actor", "at"),
        Index("ix_audit_log_object", "kind", "object_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    """The key holder's name (the keys file's ``name``)."""
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    """``read``, ``list``, ``search``, ``export``, ``document``, ``assist``, ``similar`` …"""
    kind: Mapped[str] = mapped_column(String(20))
    """``dispute``, ``case``, ``expert``, ``draft``."""
    object_id: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[int] = mapped_column(Integer)
    """The HTTP status answered: 200 read, 403/404 refused."""
    address: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
