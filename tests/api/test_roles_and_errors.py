"""Every role allowed and denied on every route; every error status of CONTRACT §4."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from kb_service.service import Services
from kb_service.settings import load_settings
from kb_service.store import build_store
from tests.api.conftest import auth, client_for

DISPUTE = {"description": "楼上漏水", "dispute_type": "neighbor"}

ROUTES = [
    # (method, path, body, roles allowed)
    ("POST", "/v1/cases/search", {"query": "噪声"}, {"mediator", "trainer", "coordinator", "admin"}),
    ("GET", "/v1/cases/case-neighbor-001", None, {"mediator", "trainer", "coordinator", "admin"}),
    ("GET", "/v1/cases/case-neighbor-001/similar?size=2", None, {"mediator", "trainer", "coordinator", "admin"}),
    ("POST", "/v1/cases/similar", {"text": "噪声", "size": 2}, {"mediator", "trainer", "coordinator", "admin"}),
    ("POST", "/v1/cases/report", {"text": "噪声", "format": "md", "size": 2}, {"mediator", "trainer", "coordinator", "admin"}),
    ("POST", "/v1/experts/match", {"dispute": DISPUTE, "size": 2}, {"coordinator", "admin"}),
    ("POST", "/v1/experts/assign", {"disputes": [DISPUTE]}, {"coordinator", "admin"}),
    ("GET", "/v1/experts/exp-001", None, {"mediator", "trainer", "coordinator", "admin"}),
    ("POST", "/v1/training/search", {"query": "调解"}, {"mediator", "trainer", "coordinator", "admin"}),
    ("POST", "/v1/training/courses", {"topic": "neighbor", "minutes": 30, "cases": 1}, {"trainer", "admin"}),
    ("POST", "/v1/admin/reindex", {}, {"admin"}),
    ("GET", "/v1/admin/status", None, {"mediator", "trainer", "coordinator", "admin"}),
]
ROLES = ["mediator", "trainer", "coordinator", "admin"]


def call(client, method, path, body, headers=None):
    return client.request(method, path, json=body, headers=headers or {})


@pytest.mark.parametrize(("method", "path", "body", "allowed"), ROUTES, ids=[f"{r[0]} {r[1]}" for r in ROUTES])
def test_each_role_is_allowed_or_denied(embedded_client, method, path, body, allowed):
    for role in ROLES:
        response = call(embedded_client, method, path, body, auth(role))
        if role in allowed:
            assert response.status_code in (200, 201), (role, response.text)
        else:
            assert response.status_code == 403, (role, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert role in response.json()["detail"]


@pytest.mark.parametrize(("method", "path", "body", "allowed"), ROUTES, ids=[f"{r[0]} {r[1]}" for r in ROUTES])
def test_no_key_or_a_wrong_key_is_401(embedded_client, method, path, body, allowed):
    missing = call(embedded_client, method, path, body)
    assert missing.status_code == 401 and "API 密钥" in missing.json()["detail"]
    wrong = call(embedded_client, method, path, body, {"Authorization": "Bearer nope"})
    assert wrong.status_code == 401


def test_invalid_input_is_422_naming_the_field(embedded_client):
    bad = embedded_client.post("/v1/cases/search", json={"query": "x", "size": 0}, headers=auth("mediator"))
    assert bad.status_code == 422
    problem = bad.json()
    assert problem["field"] == "size" and "size" in problem["detail"]
    assert set(problem) >= {"type", "title", "status", "detail"}
    unknown_type = embedded_client.post(
        "/v1/cases/search", json={"filters": {"dispute_type": ["neighbour"]}}, headers=auth("mediator")
    )
    assert unknown_type.status_code == 422 and "neighbour" in unknown_type.json()["detail"]
    report = embedded_client.post("/v1/cases/report", json={"format": "pdf", "text": "x"}, headers=auth("mediator"))
    assert report.status_code == 422 and "format" in report.json()["detail"]


def test_unknown_ids_are_404(embedded_client):
    for path in ("/v1/cases/case-nope", "/v1/cases/case-nope/similar", "/v1/experts/exp-nope", "/v1/training/courses/course-nope"):
        response = embedded_client.get(path, headers=auth("admin"))
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/problem+json")


def test_a_store_that_is_down_is_503_with_retry_after(tmp_path, keys_file, analyzer, embedder):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    settings = load_settings(data_dir=blocker)
    down = Services(settings=settings, store=build_store(settings), analyzer=analyzer, embedder=embedder)
    client = client_for(down, keys_file)
    response = client.post("/v1/cases/search", json={"query": "噪声"}, headers=auth("mediator"))
    assert response.status_code == 503
    assert response.headers["retry-after"]
    assert response.json()["detail"]
    assert client.get("/readyz").status_code == 503


def test_an_unexpected_failure_is_a_problem_without_a_stack_trace(sample_services, monkeypatch):
    from cases import queries

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(queries.CaseLibrary, "search", explode)
    client = client_for(sample_services("embedded"))
    response = client.post("/v1/cases/search", json={"query": "噪声"})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "secret internals" not in response.text and "Traceback" not in response.text


def test_development_mode_is_admin_on_loopback_only(sample_services):
    client = client_for(sample_services("embedded"))  # no keys file
    assert client.get("/v1/admin/status").json()["you"]["role"] == "admin"
    app = client.app
    remote = TestClient(app, client=("203.0.113.9", 5000), raise_server_exceptions=False)
    response = remote.get("/v1/admin/status")
    assert response.status_code == 403 and "本机" in response.json()["detail"]


def test_a_bad_keys_file_stops_start_up(tmp_path, sample_services):
    from kb_service.errors import ConfigurationError

    bad = tmp_path / "keys.yaml"
    bad.write_text("keys:\n  - name: x\n    role: boss\n    sha256: abc\n", encoding="utf-8")
    services = sample_services("embedded")
    settings = services.settings.model_copy(update={"api_keys_file": bad})
    with pytest.raises(ConfigurationError, match="KB_API_KEYS_FILE"):
        create_app(Services(settings=settings, store=services.store, analyzer=services.analyzer, embedder=services.embedder))


def test_not_ready_until_indexed(tmp_path, analyzer, embedder):
    settings = load_settings(data_dir=tmp_path / "empty")
    empty = Services(settings=settings, store=build_store(settings), analyzer=analyzer, embedder=embedder)
    client = client_for(empty)
    ready = client.get("/readyz")
    assert ready.status_code == 503 and "kb index" in ready.json()["detail"]
    assert ready.headers["retry-after"]
    assert client.get("/healthz").status_code == 200
