"""Showing stored records needs no model: the vector dimension comes from the store.

The library is indexed with a stand-in encoder; reads then go through services
whose encoder is the real one, and the test-wide guard (tests/conftest.py)
fails the test if anything constructs the model.
"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import cli.main as kb
from api.main import create_app
from cases.queries import CaseFilters, CaseLibrary
from kb_service.embeddings import build_embedder
from kb_service.service import Services
from kb_service.settings import load_settings
from kb_service.store import build_store


def loaded(encoder) -> bool:
    """Whether the encoder holds a model: PyTorch's (``_model``) or ONNX Runtime's (``_session``)."""
    return bool({"_model", "_session", "_tokenizer"} & set(vars(encoder)))


@pytest.fixture(scope="module")
def indexed_dir(indexed_sample_dir):
    return indexed_sample_dir  # indexed with the stand-in encoder


@pytest.fixture
def reader(indexed_dir, analyzer):
    settings = load_settings(data_dir=indexed_dir)
    services = Services(settings=settings, store=build_store(settings), analyzer=analyzer, embedder=build_embedder(settings))
    yield services
    services.close()


def test_the_reader_has_the_default_encoder_and_loaded_sees_a_model(reader):
    from kb_service.onnx_encoder import OnnxEmbedder

    assert isinstance(reader.embedder.inner, OnnxEmbedder) and not loaded(reader.embedder.inner)
    reader.embedder.inner.__dict__["_session"] = object()  # what loading leaves behind
    assert loaded(reader.embedder.inner)


def test_browse_show_and_similar_by_id_need_no_model(reader):
    library = CaseLibrary(reader)
    browsed = library.search("", CaseFilters(dispute_type=["labor"]), size=5)
    assert browsed["total"] > 0 and all(h["dispute_type"] == "labor" for h in browsed["hits"])
    shown = library.show("case-labor-001")
    assert shown["id"] == "case-labor-001" and shown["facts"]
    similar = library.similar("case-labor-001", size=3)
    assert "case-labor-001" not in [h["id"] for h in similar["hits"]] and len(similar["hits"]) == 3
    assert not loaded(reader.embedder.inner)


def test_the_api_and_pages_that_show_records_need_no_model(reader):
    client = TestClient(create_app(reader, load_model=False), raise_server_exceptions=False)
    assert client.get("/v1/cases/case-labor-001").json()["id"] == "case-labor-001"
    assert client.get("/v1/cases/case-labor-001/similar", params={"size": 2}).status_code == 200
    assert client.get("/v1/experts/exp-015").status_code == 200
    assert client.post("/v1/cases/search", json={"query": "", "size": 3}).json()["total"] >= 3
    assert client.post("/v1/training/search", json={"query": "", "size": 3}).status_code == 200
    for page in ("/", "/cases/case-labor-001", "/training"):
        assert client.get(page).status_code == 200, page
    assert not loaded(reader.embedder.inner)


def test_kb_cases_show_needs_no_model(reader, monkeypatch):
    monkeypatch.setattr(kb, "_services", reader)
    result = CliRunner().invoke(kb.app, ["cases", "show", "case-labor-001", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == "case-labor-001"


def test_a_query_against_a_collection_built_by_another_model_says_what_to_do(reader):
    from kb_service.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="kb index --rebuild"):
        CaseLibrary(reader).search("工资")


def test_a_keyword_only_search_needs_no_model(reader, monkeypatch):
    monkeypatch.setattr(kb, "_services", reader)
    result = CliRunner().invoke(kb.app, ["search", "cases", "拖欠 工资", "--mode", "keyword", "--json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)["hits"]
    assert hits and any(h["dispute_type"] == "labor" for h in hits)
    assert not loaded(reader.embedder.inner)
    wrong = CliRunner().invoke(kb.app, ["search", "cases", "拖欠 工资", "--mode", "fast"])
    assert wrong.exit_code == 1 and "--mode" in wrong.output
