"""What a registered dispute becomes in the search store: a masked copy for search and statistics.

The register (the database) stays the system of record; the ``disputes``
collection holds what search, similar-case lookups and trend counts need,
and nothing that identifies a person:

- ``id_number``, ``phone`` and ``address`` are dropped from every party, and
  the follow-up note and confirmation details are left out (free text about
  the parties that the workbench reads from the register);
- the names of parties who are people become 王某某 (kb_service.masking), in
  the party list and wherever they appear in the description, claims and
  agreement; ID, phone and bank-card numbers written in those texts are masked.

Filterable fields: ``dispute_type``, ``region``, ``region_path``,
``committee``, ``status``, ``org_level``, ``channel`` (keywords), ``received``
and ``closed_on`` (dates), ``amount`` and ``people_involved`` (numbers),
``honoured`` and ``confirmed`` (booleans), and two period buckets for trend
counts: ``week`` (the Monday of the ISO week, ``2026-03-02``) and ``month``
(``2026-03``).

Records come from the register (``Register.iter``), not from library
folders: the spec's ``load`` yields nothing for a library.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from disputes.schema import STATUSES, DisputeRecord
from indexer.spec import CollectionSpec, Prepared
from kb_service.analysis import ChineseAnalyzer
from kb_service.library import Loaded, Rejection
from kb_service.masking import Masker
from kb_service.store import CollectionSchema
from kb_service.vocabularies import CHANNELS, DISPUTE_TYPES, ORG_LEVELS, region_path

COLLECTION = "disputes"

TEXT_FIELDS = {"description": 2.0, "claims": 1.0, "agreement": 1.0, "dispute_type": 1.0}


def dispute_schema(dimension: int) -> CollectionSchema:
    return CollectionSchema(
        name=COLLECTION,
        text_fields=TEXT_FIELDS,
        vector_dimension=dimension,
        keyword_fields=frozenset(
            {
                "dispute_type",
                "region",
                "region_path",
                "committee",
                "status",
                "org_level",
                "channel",
                "week",
                "month",
            }
        ),  # fmt: skip
        date_fields=frozenset({"received", "closed_on"}),
        number_fields=frozenset({"amount", "people_involved"}),
        bool_fields=frozenset({"honoured", "confirmed"}),
        highlight_fields=("description", "claims"),
        browse_order="received",
    )


def week_of(day: dt.date) -> str:
    """The Monday of the ISO week: the bucket weekly trend counts group by."""
    return (day - dt.timedelta(days=day.weekday())).isoformat()


def masked_source(record: DisputeRecord) -> dict[str, Any]:
    """The stored copy: labels for codes, masked texts, no contact particulars."""
    persons = [p.name for p in record.parties if p.kind == "person"]
    texts = [record.description, record.claims or "", *(t.text for t in record.agreement)]
    masker = Masker.for_record(texts, persons)
    source: dict[str, Any] = {
        "id": str(record.id),
        "number": record.number,
        "received": record.received.isoformat(),
        "week": week_of(record.received),
        "month": record.received.strftime("%Y-%m"),
        "dispute_type": record.dispute_type,
        "dispute_type_label": DISPUTE_TYPES.label(record.dispute_type),
        "region": record.region,
        "region_path": region_path(record.region),
        "committee": record.committee,
        "org_level": record.org_level,
        "org_level_label": ORG_LEVELS.label(record.org_level) if record.org_level else None,
        "channel": record.channel,
        "channel_label": CHANNELS.label(record.channel) if record.channel else None,
        "mediator": record.mediator,
        "status": record.status,
        "status_label": STATUSES.label(record.status),
        "closed_on": record.closed_on.isoformat() if record.closed_on else None,
        "people_involved": record.people_involved,
        "amount": record.amount,
        "description": masker.mask(record.description),
        "claims": masker.mask(record.claims),
        "parties": [
            {
                "role": p.role,
                "name": masker.mask_name(p.name) if p.kind == "person" else p.name,
                "kind": p.kind,
                **({"unit": p.unit} if p.unit else {}),
            }
            for p in record.parties
        ],
        "agreement": [
            {
                "text": masker.mask(t.text),
                **({"deadline": t.deadline.isoformat()} if t.deadline else {}),
            }
            for t in record.agreement
        ],
        "honoured": record.follow_up.honoured if record.follow_up else None,
        "confirmed": record.confirmation is not None,
    }
    return {key: value for key, value in source.items() if value is not None}


def prepare_dispute(record: DisputeRecord, analyzer: ChineseAnalyzer) -> list[Prepared]:
    source = masked_source(record)
    agreement = [t["text"] for t in source["agreement"]]
    text = {
        "description": analyzer.index_text(source["description"]),
        "claims": analyzer.index_text(source.get("claims", "")),
        "agreement": analyzer.index_text(agreement),
        "dispute_type": analyzer.index_text(source["dispute_type_label"]),
    }
    embed = source["description"] + (f"。诉求：{source['claims']}" if source.get("claims") else "")
    return [Prepared(id=source["id"], source=source, text=text, embed_text=embed)]


def load_disputes(libraries: list[Path]) -> Iterator[Loaded | Rejection]:
    """Disputes live in the register, not in library folders: nothing to load from a library."""
    return iter(())


def from_register(register: Any, **options: Any) -> Iterator[Loaded]:
    """Every dispute of a register as the indexer's Loaded items (``options`` go to ``iter``)."""
    where = Path(register.engine.url.render_as_string(hide_password=True))
    for record in register.iter(**options):
        yield Loaded(record, where, record.id)


SPEC = CollectionSpec(
    name=COLLECTION, schema=dispute_schema, load=load_disputes, prepare=prepare_dispute
)
