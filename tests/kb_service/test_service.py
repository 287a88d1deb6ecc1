"""What the service does with what people type."""

from __future__ import annotations

from kb_service.embeddings import CachedEmbedder
from kb_service.service import Services
from kb_service.settings import load_settings
from kb_service.store import build_store


def test_queries_are_embedded_but_never_written_to_the_cache(tmp_path, analyzer, model):
    settings = load_settings(data_dir=tmp_path)
    cache = CachedEmbedder(model, tmp_path / "cache.sqlite3")
    services = Services(settings=settings, store=build_store(settings), analyzer=analyzer, embedder=cache)
    vector = services.embed_query("申请人王建国电话13904315678，楼上天天吵")
    assert vector.shape == (512,)
    assert cache.hits == cache.misses == 0
    assert not (tmp_path / "cache.sqlite3").exists()


def test_keyword_query_expands_synonyms_for_the_fields_given(tmp_path, analyzer, model):
    settings = load_settings(data_dir=tmp_path)
    services = Services(settings=settings, store=build_store(settings), analyzer=analyzer, embedder=CachedEmbedder(model, tmp_path / "c"))
    query = services.keyword_query("cases", "老板不给工钱", {"title": 2.0})
    assert query.fields == {"title": 2.0}
    assert query.terms["工钱"] == 1.0 and "工资" in query.terms
