"""An API client over the sample library, with one API key per role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.auth import digest
from api.main import create_app
from kb_service.service import Services

KEYS = {role: f"test-key-{role}-0123456789" for role in ("mediator", "trainer", "coordinator", "admin")}


@pytest.fixture(scope="session")
def keys_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("keys") / "keys.yaml"
    lines = ["keys:"] + [
        f"  - name: 测试{role}\n    role: {role}\n    sha256: {digest(key)}" for role, key in KEYS.items()
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def client_for(services: Services, keys_file=None) -> TestClient:
    settings = services.settings.model_copy(update={"api_keys_file": keys_file})
    app = create_app(
        Services(settings=settings, store=services.store, analyzer=services.analyzer, embedder=services.embedder),
        load_model=False,
    )
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def client(sample, keys_file) -> TestClient:
    """Keys required; on both backends."""
    return client_for(sample, keys_file)


@pytest.fixture
def embedded_client(sample_services, keys_file) -> TestClient:
    return client_for(sample_services("embedded"), keys_file)


def auth(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[role]}"}
