"""The one place that chooses a backend from the settings."""

from __future__ import annotations

from kb_service.settings import Settings
from kb_service.store.protocol import SearchStore


def build_store(settings: Settings) -> SearchStore:
    """Cheap: nothing connects or opens until the store is first used."""
    if settings.backend == "elasticsearch":
        from kb_service.store.elastic import ElasticsearchStore

        return ElasticsearchStore(settings)
    from kb_service.store.embedded import EmbeddedStore

    return EmbeddedStore(settings.data_dir)
