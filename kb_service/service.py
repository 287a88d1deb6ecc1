"""The service's parts, built once from the settings and passed to the CLI and the API."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from kb_service.analysis import ChineseAnalyzer
from kb_service.embeddings import CachedEmbedder, build_embedder
from kb_service.errors import CollectionNotIndexedError, ConfigurationError
from kb_service.ranking import FusionConfig, HybridSearcher
from kb_service.settings import Settings
from kb_service.store import CollectionSchema, KeywordQuery, SearchStore, build_store
from kb_service.telemetry import TimedStore, timed_embedding


def collection_meta_key(collection: str) -> str:
    """Where the indexer records how a collection was built (vector dimension, model)."""
    return f"collection-{collection}"


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
            store=TimedStore(build_store(settings)),
            analyzer=ChineseAnalyzer(),
            embedder=build_embedder(settings),
        )

    @cached_property
    def searcher(self) -> HybridSearcher:
        return HybridSearcher(self.store, FusionConfig.from_settings(self.settings))

    def collection_info(self, collection: str) -> dict[str, Any]:
        """How the collection was indexed: ``{"vector_dimension", "model"}``.

        Collections indexed before this record existed fall back to the configured
        model's dimension (which loads the model); a missing collection is
        :class:`CollectionNotIndexedError`.
        """
        info = self.store.get_meta(collection_meta_key(collection))
        if info is not None:
            return info
        if not self.store.has_collection(collection):
            raise CollectionNotIndexedError(collection)
        return {"vector_dimension": self.embedder.dimension, "model": self.embedder.model_id}

    def stored_schema(self, collection: str, make: Callable[[int], CollectionSchema]) -> CollectionSchema:
        """The schema a collection was indexed with. Reading, browsing and showing records
        need no model: the vector dimension comes from the store, not the encoder."""
        return make(int(self.collection_info(collection)["vector_dimension"]))

    def keyword_query(self, collection: str, text: str, fields: Mapping[str, float]) -> KeywordQuery:
        """The analysed, synonym-expanded query; long texts cut to key terms by the collection's idf."""
        idf = self.store.get_meta(f"idf-{collection}") or {}
        terms = self.analyzer.query_terms(text, idf=idf)
        return KeywordQuery(terms=terms.weights, fields=fields)

    def embed_query(self, text: str, collection: str | None = None) -> np.ndarray:
        """The query vector. Queries bypass the persistent cache: what people type (which
        may name people) is never written to disk, and the cache keeps only library text.

        With ``collection``, a collection built by another model is refused with what to
        do, instead of comparing vectors from two different spaces.
        """
        if collection is not None:
            built_with = self.collection_info(collection).get("model")
            if built_with and built_with != self.embedder.model_id:
                raise ConfigurationError(
                    f"{collection} 集合由向量模型 {built_with} 建立，而当前 KB_EMBEDDING_MODEL 为 "
                    f"{self.embedder.model_id}：请运行 kb index --rebuild，或改回原模型"
                )
        # An encoder that wants its own marker on queries (e5: "query: ") says so itself.
        prefix = self.settings.embedding_query_prefix or getattr(self.embedder.inner, "query_prefix", "")
        with timed_embedding("query"):
            return self.embedder.inner.encode([prefix + self.analyzer.normalize(text)])[0]

    def close(self) -> None:
        self.store.close()
