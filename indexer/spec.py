"""What a domain package hands the indexer: how to load its records and what to index."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
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
