"""The embedded store's writer lock: ``kb index --rebuild`` in another process while the API
registers disputes (each writes its masked search copy) into the same data folder.

No corruption — the store passes SQLite's integrity check, every collection
has what it should, every registered dispute has exactly one search copy — and
no deadlock: every request and the whole run end within their bounds.
"""

from __future__ import annotations

import json
import sqlite3
import time

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from kb_service.embeddings import CachedEmbedder
from kb_service.service import Services
from kb_service.settings import load_settings
from kb_service.store import build_store
from tests.disputes.conftest import dispute
from tests.fakes import HashingEmbedder
from tests.reliability.test_interrupted_index import SAMPLE_CASES, kb

pytestmark = pytest.mark.long  # kb runs in subprocesses for minutes: not in the fast suite

REQUEST_BOUND = 45.0
"""A write waits at most 30 s for the lock (then the copy is left for the next kb index)."""
RUN_BOUND = 300.0


def test_kb_index_and_api_writes_side_by_side_neither_corrupt_nor_deadlock(tmp_path, analyzer):
    settings = load_settings(data_dir=tmp_path / "data")
    services = Services(
        settings=settings,
        store=build_store(settings),
        analyzer=analyzer,
        embedder=CachedEmbedder(HashingEmbedder(), tmp_path / "cache.sqlite3"),
    )
    client = TestClient(create_app(services, load_model=False), raise_server_exceptions=False)
    with client:  # start-up: the register's migrations
        index = kb(settings, "index", "--rebuild", "--json", KB_TEST_ENCODE_DELAY="0.3")
        started = time.monotonic()
        for line in index.stderr:  # writing has begun
            if line.startswith("encoded"):
                break
        registered, pending, slowest = [], 0, 0.0
        while index.poll() is None or len(registered) < 5:
            assert time.monotonic() - started < RUN_BOUND, "kb index and the API did not both finish"
            body = dispute(parties=[{"role": "申请人", "name": f"并发{len(registered)}号"}])
            asked = time.monotonic()
            response = client.post("/v1/disputes", json=body)
            slowest = max(slowest, time.monotonic() - asked)
            assert response.status_code == 201, response.text
            registered.append(response.json()["id"])
            pending += response.json()["search_copy"] == "pending"
        out, err = index.communicate(timeout=60)
    assert index.returncode == 0, err[-2000:]
    print(f"\n{len(registered)} registrations beside kb index --rebuild; slowest {slowest:.2f}s; {pending} copies pending")
    assert slowest < REQUEST_BOUND
    report = json.loads(out)
    assert report["cases"]["indexed"] == SAMPLE_CASES and report["cases"]["rejected"] == []

    with sqlite3.connect(settings.data_dir / "store.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        per_collection = dict(db.execute("SELECT collection, count(*) FROM documents GROUP BY collection"))
    assert per_collection["cases"] == SAMPLE_CASES
    copies = {hit["id"] for hit in services.store.iter_sources("disputes")}
    if pending:  # a copy that could not wait for the lock is written by the next kb index
        from indexer.run import index_libraries

        index_libraries(services, None, progress=False)
        copies = {hit["id"] for hit in services.store.iter_sources("disputes")}
    assert sorted(int(i) for i in copies) == sorted(registered)
    services.close()
