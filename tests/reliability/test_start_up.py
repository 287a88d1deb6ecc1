"""``kb serve`` with a search store that is down starts anyway and says so (the API then
answers 503 until the store is back); wrong credentials stop it (test_secured_node.py)."""

from __future__ import annotations

from typer.testing import CliRunner

import cli.main as kb
from kb_service.embeddings import CachedEmbedder
from kb_service.service import Services
from kb_service.settings import load_settings
from kb_service.store import build_store
from tests.fakes import HashingEmbedder


def test_kb_serve_starts_while_the_store_is_down_and_warns_in_chinese(tmp_path, monkeypatch, analyzer):
    settings = load_settings(
        backend="elasticsearch",
        elasticsearch_url="http://127.0.0.1:9",  # nothing listens there
        elasticsearch_timeout=2,
        elasticsearch_max_retries=0,
        data_dir=tmp_path / "data",
    )
    services = Services(
        settings=settings,
        store=build_store(settings),
        analyzer=analyzer,
        embedder=CachedEmbedder(HashingEmbedder(), tmp_path / "cache.sqlite3"),
    )
    monkeypatch.setattr(kb, "_services", services)
    served: list[dict] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **options: served.append(options))
    monkeypatch.setattr("api.observability.configure_json_logging", lambda: None)
    result = CliRunner().invoke(kb.app, ["serve", "--port", "8765"])
    assert result.exit_code == 0, result.output
    assert served and served[0]["port"] == 8765
    warning = next(line for line in result.stderr.splitlines() if line.startswith("警告："))
    assert "无法连接 Elasticsearch" in warning and "503" in warning
