"""The service's parts, built once from the settings and passed to the CLI and the API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from kb_service.analysis import ChineseAnalyzer
from kb_service.embeddings import CachedEmbedder, build_embedder
from kb_service.ranking import FusionConfig, HybridSearcher
from kb_service.settings import Settings
from kb_service.store import KeywordQuery, SearchStore, build_store


@dataclass
class Services:
    """Cheap to build; the store connects and the model loads on first use."""

    settings: Settings
    store: SearchStore
    analyzer: ChineseAnalyzer
    embedder: CachedEmbedder

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        return cls(
            settings=settings,
            store=build_store(settings),
            analyzer=ChineseAnalyzer(),
            embedder=build_embedder(settings),
        )

    @cached_property
    def searcher(self) -> HybridSearcher:
        return HybridSearcher(self.store, FusionConfig.from_settings(self.settings))

    def keyword_query(self, collection: str, text: str, fields: Mapping[str, float]) -> KeywordQuery:
        """The analysed, synonym-expanded query; long texts cut to key terms by the collection's idf."""
        idf = self.store.get_meta(f"idf-{collection}") or {}
        terms = self.analyzer.query_terms(text, idf=idf)
        return KeywordQuery(terms=terms.weights, fields=fields)

    def embed_query(self, text: str):
        """The query vector. Queries bypass the persistent cache: what people type (which
        may name people) is never written to disk, and the cache keeps only library text."""
        # An encoder that wants its own marker on queries (e5: "query: ") says so itself.
        prefix = self.settings.embedding_query_prefix or getattr(self.embedder.inner, "query_prefix", "")
        return self.embedder.inner.encode([prefix + self.analyzer.normalize(text)])[0]

    def close(self) -> None:
        self.store.close()
