"""Elasticsearch stopped under a running API, then started again.

While the node is down, search answers 503 problem+json with ``Retry-After``
and a Chinese detail, ``/readyz`` 503, ``/healthz`` 200; once it is back, the
same app object — no restart — answers again.
"""

from __future__ import annotations

import os
import signal
import time
import uuid

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from indexer.run import index_libraries
from kb_service.embeddings import CachedEmbedder
from kb_service.service import Services
from kb_service.settings import load_settings
from kb_service.store import build_store
from tests.fakes import HashingEmbedder

pytestmark = pytest.mark.elasticsearch

QUERY = {"query": "拖欠工资", "size": 3}


def stop(pid: int) -> None:
    os.kill(pid, signal.SIGTERM)
    for _ in range(120):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.5)
    os.kill(pid, signal.SIGKILL)


def test_search_is_503_while_the_node_is_down_and_the_same_process_serves_when_it_is_back(
    spare_node, small_library, tmp_path, analyzer
):
    settings = load_settings(
        backend="elasticsearch",
        elasticsearch_url=spare_node.url,
        index_prefix=f"test-{uuid.uuid4().hex[:10]}",
        data_dir=tmp_path / "data",
        elasticsearch_timeout=5,
    )
    services = Services(
        settings=settings,
        store=build_store(settings),
        analyzer=analyzer,
        embedder=CachedEmbedder(HashingEmbedder(), tmp_path / "cache.sqlite3"),
    )
    index_libraries(services, [small_library], progress=False)
    with TestClient(create_app(services, load_model=False), raise_server_exceptions=False) as client:
        assert client.post("/v1/cases/search", json=QUERY).status_code == 200
        assert client.get("/readyz").status_code == 200

        stop(spare_node.pid)
        down = client.post("/v1/cases/search", json=QUERY)
        assert down.status_code == 503
        assert down.headers["content-type"].startswith("application/problem+json")
        assert int(down.headers["retry-after"]) > 0
        assert "Elasticsearch" in down.json()["detail"] and "无法连接" in down.json()["detail"]
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz").status_code == 200

        spare_node.restart()
        deadline = time.monotonic() + 60  # the client retries a node it saw die after a back-off
        while (back := client.post("/v1/cases/search", json=QUERY)).status_code != 200:
            assert time.monotonic() < deadline, back.json()
            time.sleep(1)
        assert back.json()["hits"]
        assert client.get("/readyz").status_code == 200
    services.close()
