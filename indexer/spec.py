"""What a domain package hands the indexer: how to load its records and what to index."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb_service.analysis import ChineseAnalyzer
from kb_service.library import Loaded, Rejection
from kb_service.store import CollectionSchema, SearchStore

if TYPE_CHECKING:
    from kb_service.service import Services


@dataclass(frozen=True)
class Prepared:
    """One search document made from a record: masked source, analysed text, text to embed."""

    id: str
    source: dict[str, Any]
    text: dict[str, str]
    embed_text: str | None
    """What the encoder sees; ``None`` keeps the document keyword-only (no vector)."""


@dataclass(frozen=True)
class Checked:
    """What a collection's check found in one record (e.g. citations that do not verify)."""

    warnings: tuple[dict[str, Any], ...] = ()
    """Listed beside ``rejected`` in ``kb index`` output, the pipeline adding ``path``, ``line`` and
    ``id``; the record still lands."""
    fields: Mapping[str, Any] = field(default_factory=dict)
    """Stored in the source of each of the record's documents (what readers need of the check)."""


Checker = Callable[[Any], Checked]


@dataclass(frozen=True)
class CollectionSpec:
    name: str
    """The collection, and the key in ``kb index`` output (cases, experts, training)."""
    schema: Callable[[int], CollectionSchema]
    """The collection's schema for a given vector dimension."""
    load: Callable[[list[Path]], Iterator[Loaded | Rejection]]
    prepare: Callable[[Any, ChineseAnalyzer], list[Prepared]]
    """A record's documents. A record giving several (training sections) names them ``{id}#{n}``."""
    source: Callable[[Services], Iterable[Loaded | Rejection]] | None = None
    """Where records come from when they live elsewhere than library folders (the dispute
    register): used by ``kb index`` instead of ``load``, so every run, ``--rebuild`` too,
    re-syncs the whole source and never leaves the collection without its records."""
    idf_field: str | None = None
    """Search field whose document frequencies are kept for picking key terms of long queries."""
    learn: Callable[[SearchStore], None] | None = None
    """What is learnt from the whole collection once it is written (the cases' dispute-type
    classifier); run by the indexer when the collection changed or has never been learnt."""
    fingerprint: Callable[[list[Path]], str] | None = None
    """What the collection is built from, in one cheap string (file sizes, dates, hashes, versions).
    When it equals the one the last complete run recorded, and the run is not a rebuild, the
    collection is reported all unchanged without loading or analysing a record. For large inputs
    that rarely change (the statute database); without it every record is analysed and compared
    by content hash."""
    check: Callable[[list[Path]], Checker] | None = None
    """Makes the checker for one run over these libraries (built once: it may load reference data,
    such as the statute catalog). Called on every good record, changed or not, so a rerun reports
    the same warnings."""
