"""A node of a three-node cluster killed (SIGKILL) during a bounded search loop.

The collections carry one replica on a cluster (``auto_expand_replicas: 0-1``);
the client knows every node (``KB_ELASTICSEARCH_URL`` with the three URLs,
comma-separated) and retries a failed request on the next, and searches refuse
partial results. So the searches go on without one failure while the cluster
promotes the lost primary's replica, and indexing resumes on the two nodes
left. Opt-in: ``KB_TEST_CLUSTER=1 scripts/test.sh`` starts the cluster (see
the README, "Running against a real cluster").
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
import uuid

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from indexer.run import index_libraries
from kb_service.embeddings import CachedEmbedder
from kb_service.library import sample_library
from kb_service.service import Services
from kb_service.settings import load_settings
from kb_service.store import build_store
from tests.fakes import HashingEmbedder

pytestmark = [pytest.mark.elasticsearch, pytest.mark.cluster]

BEFORE_KILL = 3.0
AFTER_KILL = 15.0
REROUTE_WINDOW = 5.0
"""Failures inside this window after the kill would be reported, not forgiven: see the assertion."""


def test_a_node_killed_mid_search_loop_fails_no_search_and_indexing_resumes(
    cluster_urls, small_library, tmp_path, analyzer
):
    from elasticsearch import Elasticsearch

    settings = load_settings(
        backend="elasticsearch",
        elasticsearch_url=cluster_urls,
        index_prefix=f"test-{uuid.uuid4().hex[:10]}",
        data_dir=tmp_path / "data",
        elasticsearch_timeout=10,
        elasticsearch_max_retries=3,
    )
    services = Services(
        settings=settings,
        store=build_store(settings),
        analyzer=analyzer,
        embedder=CachedEmbedder(HashingEmbedder(), tmp_path / "cache.sqlite3"),
    )
    index_libraries(services, [small_library], progress=False)
    admin = Elasticsearch(settings.elasticsearch_urls, max_retries=3, retry_on_timeout=True)
    cases = f"{settings.index_prefix}-cases"
    health = admin.cluster.health(index=cases, wait_for_status="green", timeout="60s")
    assert health["number_of_nodes"] == 3 and not health["timed_out"], health
    shards = admin.cat.shards(index=cases, format="json")
    assert sorted(s["prirep"] for s in shards) == ["p", "r"]  # one replica, on another node
    holder = next(s["node"] for s in shards if s["prirep"] == "p")
    pids = {n["name"]: n["process"]["id"] for n in admin.nodes.info(metric="process")["nodes"].values()}

    client = TestClient(create_app(services, load_model=False), raise_server_exceptions=False)
    outcomes: list[tuple[float, int, str]] = []
    stop = threading.Event()

    def search_loop() -> None:
        while not stop.is_set():
            response = client.post("/v1/cases/search", json={"query": "拖欠工资 调解", "size": 3})
            detail = "" if response.status_code == 200 else response.text[:300]
            if response.status_code == 200 and not response.json()["hits"]:
                detail = "no hits"
            outcomes.append((time.monotonic(), response.status_code, detail))

    assert client.post("/v1/cases/search", json={"query": "拖欠工资", "size": 3}).status_code == 200  # warm
    loop = threading.Thread(target=search_loop)
    loop.start()
    try:
        time.sleep(BEFORE_KILL)
        killed_at = time.monotonic()
        os.kill(pids[holder], signal.SIGKILL)  # the node holding the primary of cases
        time.sleep(AFTER_KILL)
    finally:
        stop.set()
        loop.join(timeout=60)
    failed = [(round(t - killed_at, 2), status, detail) for t, status, detail in outcomes if status != 200 or detail]
    after = [o for o in outcomes if o[0] > killed_at]
    print(f"\n{len(outcomes)} searches ({len(after)} after the kill), {len(failed)} failed: {failed[:5]}")
    assert len(after) >= 10  # the loop did run on through the failover
    assert [f for f in failed if f[0] > REROUTE_WINDOW] == []  # none after the re-route …
    assert failed == []  # … and, with retries on the other nodes, none at all

    # indexing resumes on the two nodes left: one more case lands and is found
    extra = tmp_path / "more" / "cases"
    extra.mkdir(parents=True)
    shutil.copy(sorted((sample_library() / "cases").glob("*.md"))[10], extra)
    before = services.store.count("cases")
    report = index_libraries(services, [small_library, extra.parent], progress=False)
    assert report["cases"]["indexed"] == 1 and report["cases"]["rejected"] == []
    assert services.store.count("cases") == before + 1
    admin.close()
    services.close()
