"""The search-store protocol and the plain data it speaks.

A store holds *collections* (cases, experts, training sections). A document
carries its stored record (``source``, what users get back; filterable fields
are top-level keys of it), pre-tokenised search text per field (made by the one
Chinese analyzer), an optional vector, and a content hash used to skip
unchanged records. Hybrid ranking lives above the stores
(``kb_service/ranking.py``); a store answers keyword and vector queries
separately.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from kb_service.store.filters import Facet, Filter

RESERVED_FIELDS = frozenset({"search_text", "embedding", "content_hash"})


@dataclass(frozen=True)
class CollectionSchema:
    """What a collection indexes. Source fields not named here are stored, not indexed."""

    name: str
    text_fields: Mapping[str, float]
    """Pre-tokenised search fields and their default boosts."""
    vector_dimension: int
    keyword_fields: frozenset[str] = frozenset()
    date_fields: frozenset[str] = frozenset()
    number_fields: frozenset[str] = frozenset()
    bool_fields: frozenset[str] = frozenset()
    highlight_fields: tuple[str, ...] = ()
    """Source fields whose text is shown with the query terms marked."""
    browse_order: str | None = None
    """Field listed newest first when there is no query (then id ascending)."""


@dataclass
class Document:
    id: str
    source: dict[str, Any]
    text: dict[str, str]
    vector: Sequence[float] | None = None
    content_hash: str = ""


@dataclass
class Hit:
    id: str
    score: float
    source: dict[str, Any]
    highlights: dict[str, list[str]] = field(default_factory=dict)
    matched_terms: list[str] = field(default_factory=list)


@dataclass
class SearchPage:
    total: int
    hits: list[Hit]


@dataclass
class WriteResult:
    written: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(document id, reason) for every document the store refused."""


@dataclass(frozen=True)
class KeywordQuery:
    """Weighted terms (already analysed) searched over weighted fields."""

    terms: Mapping[str, float]
    fields: Mapping[str, float]


@runtime_checkable
class CollectionWriter(Protocol):
    def write(self, documents: Iterable[Document]) -> WriteResult: ...


@runtime_checkable
class SearchStore(Protocol):
    """What every backend provides. Built cheaply; connects on first use."""

    def ping(self) -> None:
        """Raise StoreUnavailableError when the store cannot be reached."""

    def ensure_collection(self, schema: CollectionSchema) -> None: ...

    def has_collection(self, name: str) -> bool: ...

    def write(self, schema: CollectionSchema, documents: Iterable[Document]) -> WriteResult: ...

    def rebuilding(self, schema: CollectionSchema) -> AbstractContextManager[CollectionWriter]:
        """A fresh copy of the collection; swapped in atomically when the block succeeds."""

    def delete(self, collection: str, ids: Iterable[str]) -> int: ...

    def get(self, collection: str, doc_id: str) -> dict[str, Any]:
        """The stored record; NotFoundError for an unknown id."""

    def get_many(self, collection: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]: ...

    def get_vector(self, collection: str, doc_id: str) -> list[float] | None: ...

    def get_vectors(self, collection: str, ids: Sequence[str]) -> dict[str, list[float]]:
        """Stored vectors of the given ids (unknown ids and documents without one left out)."""

    def get_texts(self, collection: str, ids: Sequence[str]) -> dict[str, dict[str, str]]:
        """The analysed search text per field, as written (for re-ranking above the store)."""

    def count(self, collection: str, filter: Filter | None = None) -> int: ...

    def content_hashes(self, collection: str) -> dict[str, str]: ...

    def iter_sources(self, collection: str) -> Iterator[dict[str, Any]]: ...

    def keyword_search(
        self,
        schema: CollectionSchema,
        query: KeywordQuery,
        *,
        filter: Filter | None = None,
        size: int = 10,
        offset: int = 0,
        highlight: bool = False,
    ) -> SearchPage: ...

    def vector_search(
        self,
        schema: CollectionSchema,
        vector: Sequence[float],
        *,
        filter: Filter | None = None,
        size: int = 10,
    ) -> SearchPage: ...

    def hybrid_candidates(
        self,
        schema: CollectionSchema,
        keyword: KeywordQuery,
        vector: Sequence[float],
        *,
        filter: Filter | None = None,
        size: int = 10,
    ) -> tuple[SearchPage, SearchPage]:
        """The candidates of one hybrid search: the hits ``keyword_search`` and ``vector_search``
        give, in the same order with the same scores and matched terms, but without their
        records (``source`` empty: the caller reads those of the hits it keeps with
        ``get_many``) and with ``total`` the number of hits returned. Asked at once where the
        store can (Elasticsearch: one ``_msearch`` round trip)."""

    def browse(
        self, schema: CollectionSchema, *, filter: Filter | None = None, size: int = 10, offset: int = 0
    ) -> SearchPage:
        """Records matching ``filter`` without a query, in ``schema.browse_order``."""

    def aggregate(
        self, collection: str, facets: Mapping[str, Facet], filter: Filter | None = None
    ) -> dict[str, list[dict]]: ...

    def put_meta(self, key: str, value: dict[str, Any]) -> None:
        """Keep a small JSON object beside the collections (e.g. term statistics)."""

    def get_meta(self, key: str) -> dict[str, Any] | None: ...

    def close(self) -> None: ...
