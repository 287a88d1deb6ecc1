"""The registry is the one list of domains: everything that lists collections reads it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli.main as kb
from api.main import create_app
from kb_service.embeddings import CachedEmbedder
from kb_service.library import sample_library
from kb_service.registry import DOMAINS, collection_names, collection_specs, resolve
from kb_service.service import Services
from kb_service.settings import load_settings
from kb_service.store import build_store
from tests.fakes import HashingEmbedder


def test_every_reference_in_the_registry_resolves():
    for domain in DOMAINS:
        for reference in (domain.collection, domain.router, domain.pages):
            if reference:
                assert resolve(reference) is not None, reference
        if domain.cli:
            assert callable(resolve(domain.cli).register), domain.cli
    assert [spec.name for spec in collection_specs()] == list(collection_names())
    assert len(set(collection_names())) == len(collection_names())


def small_library(tmp_path: Path) -> Path:
    """A few files of each kind from the sample library: enough for every collection."""
    sample = sample_library()
    small = tmp_path / "small-library"
    chosen = [
        *sorted((sample / "cases").glob("*.md"))[::12],
        sample / "experts" / "lawyers.yaml",
        *sorted((sample / "training").glob("*.md"))[:3],
        *sorted((sample / "laws").glob("*")),
    ]
    for path in chosen:
        (small / path.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, small / path.parent.name / path.name)
    return small


@pytest.fixture
def fake_services(tmp_path, analyzer):
    settings = load_settings(data_dir=tmp_path / "data")
    embedder = CachedEmbedder(HashingEmbedder(), tmp_path / "cache.sqlite3")
    services = Services(settings=settings, store=build_store(settings), analyzer=analyzer, embedder=embedder)
    yield services
    services.close()


def test_every_registered_collection_is_indexed_reported_and_checked_for_readiness(fake_services, monkeypatch, tmp_path):
    from fastapi.testclient import TestClient

    monkeypatch.setattr(kb, "_services", fake_services)
    client = TestClient(create_app(fake_services, load_model=False), raise_server_exceptions=False)

    not_ready = client.get("/readyz")
    assert not_ready.status_code == 503
    for name in collection_names():
        assert name in not_ready.json()["detail"]

    result = CliRunner().invoke(kb.app, ["index", "--json", str(small_library(tmp_path))])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert list(report) == list(collection_names())
    from_libraries = [spec.name for spec in collection_specs() if spec.source is None]
    for name in from_libraries:  # the others (the dispute register) may still be empty
        assert report[name]["indexed"] > 0, name

    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["collections"] == list(collection_names())
    status = client.get("/v1/admin/status").json()
    assert set(status["collections"]) == set(collection_names())
    assert all(status["collections"][name] > 0 for name in from_libraries)
    assert all(status["collections"][name] == 0 for name in set(collection_names()) - set(from_libraries))
