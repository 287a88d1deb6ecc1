"""The service's parts, built once from the settings and passed to the CLI and the API."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from kb_service.analysis import ChineseAnalyzer
from kb_service.embeddings import CachedEmbedder, build_embedder
from kb_service.ranking import FusionConfig, HybridSearcher
from kb_service.settings import Settings
from kb_service.store import SearchStore, build_store


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

    def embed_query(self, text: str):
        """The query vector: the same analysis-free text embedding the documents got."""
        prefix = self.settings.embedding_query_prefix
        return self.embedder.encode([prefix + self.analyzer.normalize(text)])[0]

    def close(self) -> None:
        self.store.close()
