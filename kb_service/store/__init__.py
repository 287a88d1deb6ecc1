"""The search store: one protocol, an embedded and an Elasticsearch backend."""

from kb_service.store.factory import build_store
from kb_service.store.filters import (
    And,
    DateHistogramFacet,
    Exists,
    Facet,
    Filter,
    Not,
    Or,
    Range,
    Term,
    Terms,
    TermsFacet,
    all_of,
)
from kb_service.store.protocol import (
    CollectionSchema,
    Document,
    Hit,
    KeywordQuery,
    SearchPage,
    SearchStore,
    WriteResult,
)

__all__ = [
    "And", "CollectionSchema", "DateHistogramFacet", "Document", "Exists", "Facet", "Filter",
    "Hit", "KeywordQuery", "Not", "Or", "Range", "SearchPage", "SearchStore", "Term", "Terms",
    "TermsFacet", "WriteResult", "all_of", "build_store",
]  # fmt: skip
