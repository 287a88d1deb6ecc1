"""``kb index`` killed half-way (SIGKILL, no clean-up of its own), then run again.

For a plain run and a ``--rebuild`` (rerun as a rebuild or as a plain run), on
both stores: the rerun completes,
every record is there exactly once, and nothing of the killed run is left —
no half-built Elasticsearch index or stale rebuild lock, no staging rows in
the embedded store — while a killed rebuild never touched the copy that was
serving.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.run import index_libraries
from kb_service.analysis import ChineseAnalyzer
from kb_service.embeddings import CachedEmbedder
from kb_service.registry import collection_names
from kb_service.service import Services
from kb_service.store import build_store
from tests.fakes import HashingEmbedder

pytestmark = pytest.mark.long  # kb runs in subprocesses for minutes: not in the fast suite

ROOT = Path(__file__).parents[2]
SAMPLE_CASES = 152
"""Cases in the shipped sample library: three encoder batches of 64 documents."""


def kb_env(settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env |= {
        "PYTHONPATH": str(ROOT),
        "HF_HUB_OFFLINE": "1",
        "KB_BACKEND": settings.backend,
        "KB_DATA_DIR": str(settings.data_dir),
        "KB_ELASTICSEARCH_URL": settings.elasticsearch_url,
        "KB_INDEX_PREFIX": settings.index_prefix,
    }
    return env | extra


def kb(settings, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.kb_fast", *args],
        cwd=ROOT,
        env=kb_env(settings, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_after_first_batch(settings, *args: str) -> None:
    """Start ``kb index``, wait until its first batch of cases is written, SIGKILL it."""
    process = kb(settings, "index", "--json", *args, KB_TEST_ENCODE_DELAY="2")
    deadline = time.monotonic() + 120
    try:
        for line in process.stderr:  # "encoded 2": batch 1 is written, batch 2 is being encoded
            if line.strip() == "encoded 2" or time.monotonic() > deadline:
                break
        else:
            pytest.fail("kb index ended before it could be killed")
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def rerun(settings, *args: str) -> dict:
    process = kb(settings, "index", "--json", *args)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err[-2000:]
    return json.loads(out)


def fake_services(settings) -> Services:
    return Services(
        settings=settings,
        store=build_store(settings),
        analyzer=ChineseAnalyzer(),
        embedder=CachedEmbedder(HashingEmbedder(), settings.data_dir / "embedding-cache.sqlite3"),
    )


def leftovers(settings) -> list[str]:
    """What a killed run could leave behind: indices outside their alias, lock documents,
    staging rows."""
    if settings.backend == "elasticsearch":
        from elasticsearch import Elasticsearch

        client = Elasticsearch(settings.elasticsearch_url)
        try:
            indices = client.indices.get(index=f"{settings.index_prefix}-*", expand_wildcards="all")
            found = []
            for collection in collection_names():
                alias = f"{settings.index_prefix}-{collection}"
                versions = [name for name in indices if name.startswith(f"{alias}-v")]
                behind = [name for name in versions if alias in indices[name].get("aliases", {})]
                assert len(behind) == 1, (alias, versions)
                found += [name for name in versions if name not in behind]
            locks = f"{settings.index_prefix}-locks"
            if locks in indices:
                client.indices.refresh(index=locks)
                found += [hit["_id"] for hit in client.search(index=locks)["hits"]["hits"]]
            return found
        finally:
            client.close()
    with sqlite3.connect(settings.data_dir / "store.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        collections = [row[0] for row in db.execute("SELECT DISTINCT collection FROM documents")]
    return [name for name in collections if name not in collection_names()]  # staging copies


def case_ids(store) -> list[str]:
    return sorted(source["id"] for source in store.iter_sources("cases"))


def test_a_killed_plain_run_is_completed_by_the_next(backend, settings):
    kill_after_first_batch(settings)
    store = build_store(settings)
    try:
        assert 0 < store.count("cases") < SAMPLE_CASES  # killed half-way indeed
        report = rerun(settings)
        assert report["cases"]["indexed"] + report["cases"]["unchanged"] == SAMPLE_CASES
        assert report["cases"]["unchanged"] > 0  # what the killed run wrote is kept, not redone
        ids = case_ids(store)
        assert len(ids) == len(set(ids)) == store.count("cases") == SAMPLE_CASES
        assert leftovers(settings) == []
    finally:
        store.close()


@pytest.mark.parametrize("again", ["--rebuild", "plain"], ids=["rerun-rebuild", "rerun-plain"])
def test_a_killed_rebuild_leaves_the_old_copy_serving_and_is_cleared_by_the_next(backend, settings, again):
    services = fake_services(settings)
    try:
        index_libraries(services, None, progress=False)  # the copy in service
        before = case_ids(services.store)
        kill_after_first_batch(settings, "--rebuild")
        assert case_ids(services.store) == before  # the killed rebuild never touched it
        assert leftovers(settings)  # its half-built copy is there …
        report = rerun(settings, *([again] if again == "--rebuild" else []))
        assert report["cases"]["indexed" if again == "--rebuild" else "unchanged"] == SAMPLE_CASES
        ids = case_ids(services.store)
        assert ids == before and services.store.count("cases") == SAMPLE_CASES
        assert leftovers(settings) == []  # … and gone after the rerun
    finally:
        services.close()
