"""A node with security on: TLS on HTTP with a generated CA, the ``elastic`` user's password.

``scripts/elasticsearch.sh secure`` starts it (the same integ-test zip: it holds
x-pack security). The client connects with ``KB_ELASTICSEARCH_CA_CERTS`` and a
credential; a wrong password, a wrong CA or a wrong API key stops ``kb serve``
at start-up with a Chinese message naming the setting — never a stack trace —
and the API started anyway says the same on ``/readyz``.

API keys: the integ-test zip cannot create one (they live in the ``.security``
index, whose settings need the ``pattern_capture`` filter of the
analysis-common module that this zip lacks), so the test of a working key runs
only against a node that could make one (``api_key`` in the node's folder).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from kb_service.embeddings import CachedEmbedder
from kb_service.errors import ConfigurationError, StoreUnavailableError
from kb_service.service import Services
from kb_service.settings import load_settings
from kb_service.store import build_store
from tests.fakes import HashingEmbedder

pytestmark = pytest.mark.elasticsearch
ROOT = Path(__file__).parents[2]


def secured(node, tmp_path, **overrides):
    values = {
        "backend": "elasticsearch",
        "elasticsearch_url": node.url,
        "elasticsearch_ca_certs": node.folder / "ca.crt",
        "elasticsearch_username": "elastic",
        "elasticsearch_password": (node.folder / "password").read_text().strip(),
        "elasticsearch_max_retries": 0,
        "index_prefix": f"test-{uuid.uuid4().hex[:10]}",
        "data_dir": tmp_path / "data",
    }
    return load_settings(**(values | overrides))


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory) -> Path:
    """A CA that did not sign the node's certificate."""
    folder = tmp_path_factory.mktemp("other-ca")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=other-ca",
         "-keyout", str(folder / "ca.key"), "-out", str(folder / "ca.crt")],
        check=True, capture_output=True,
    )  # fmt: skip
    return folder / "ca.crt"


def test_the_ca_and_the_password_connect(secured_node, tmp_path):
    store = build_store(secured(secured_node, tmp_path))
    try:
        store.ping()
        store.put_meta("probe", {"written": "over TLS"})
        assert store.get_meta("probe") == {"written": "over TLS"}
    finally:
        client = store._client  # the same credentials clean up
        names = list(client.indices.get(index=store.alias("*"), expand_wildcards="all"))
        if names:
            client.indices.delete(index=",".join(names))
        store.close()


def test_an_api_key_connects(secured_node, tmp_path):
    key_file = secured_node.folder / "api_key"
    if not key_file.is_file():
        pytest.skip(f"this node could not create an API key: {(secured_node.folder / 'api_key.error').read_text()[:200]}")
    settings = secured(
        secured_node, tmp_path, elasticsearch_username=None, elasticsearch_password=None,
        elasticsearch_api_key=key_file.read_text().strip(),
    )  # fmt: skip
    store = build_store(settings)
    try:
        store.ping()
    finally:
        store.close()


@pytest.mark.parametrize(
    ("wrong", "names"),
    [
        ("password", ("拒绝认证", "KB_ELASTICSEARCH_PASSWORD")),
        ("ca", ("TLS", "KB_ELASTICSEARCH_CA_CERTS")),
    ],
)
def test_kb_serve_stops_at_start_up_with_a_chinese_error(secured_node, tmp_path, other_ca, wrong, names):
    settings = secured(secured_node, tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")} | {
        "PYTHONPATH": str(ROOT),
        "HF_HUB_OFFLINE": "1",
        "KB_BACKEND": "elasticsearch",
        "KB_ELASTICSEARCH_URL": settings.elasticsearch_url,
        "KB_ELASTICSEARCH_CA_CERTS": str(other_ca if wrong == "ca" else settings.elasticsearch_ca_certs),
        "KB_ELASTICSEARCH_USERNAME": "elastic",
        "KB_ELASTICSEARCH_PASSWORD": "wrong-password" if wrong == "password" else settings.elasticsearch_password.get_secret_value(),
        "KB_DATA_DIR": str(settings.data_dir),
    }
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "serve", "--port", "9"],  # never reached: start-up stops first
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    message = [line for line in done.stderr.splitlines() if line.startswith("错误：")]
    assert message and all(name in message[0] for name in names), done.stderr[-2000:]


@pytest.mark.parametrize(
    ("overrides", "error", "names"),
    [
        ({"elasticsearch_password": "wrong-password"}, ConfigurationError, ("拒绝认证", "KB_ELASTICSEARCH_PASSWORD")),
        (
            {"elasticsearch_username": None, "elasticsearch_password": None, "elasticsearch_api_key": "bm90OmFrZXk="},
            ConfigurationError,
            ("拒绝认证", "KB_ELASTICSEARCH_API_KEY"),
        ),
        ({"elasticsearch_username": None, "elasticsearch_password": None}, ConfigurationError, ("拒绝认证",)),
        ("other_ca", ConfigurationError, ("TLS", "KB_ELASTICSEARCH_CA_CERTS")),
        ("http", StoreUnavailableError, ("无法连接", "https://")),
        ("http-with-ca", ConfigurationError, ("KB_ELASTICSEARCH_CA_CERTS", "https://")),
    ],
    ids=["wrong-password", "wrong-api-key", "no-credentials", "wrong-ca", "http-for-https", "ca-for-http"],
)
def test_each_mistake_is_named_in_chinese(secured_node, tmp_path, other_ca, overrides, error, names):
    if overrides == "other_ca":
        overrides = {"elasticsearch_ca_certs": other_ca}
    elif isinstance(overrides, str):
        overrides = {"elasticsearch_url": secured_node.url.replace("https://", "http://")} | (
            {} if overrides == "http-with-ca" else {"elasticsearch_ca_certs": None}
        )
    store = build_store(secured(secured_node, tmp_path, **overrides))
    with pytest.raises(error) as raised:
        store.ping()
    assert all(name in raised.value.detail for name in names), raised.value.detail
    store.close()


def test_the_api_started_with_a_wrong_password_logs_it_and_readyz_names_it(secured_node, tmp_path, caplog):
    settings = secured(secured_node, tmp_path, elasticsearch_password="wrong-password")
    services = Services(
        settings=settings,
        store=build_store(settings),
        analyzer=None,  # not reached: nothing is searched
        embedder=CachedEmbedder(HashingEmbedder(), tmp_path / "cache.sqlite3"),
    )
    with caplog.at_level(logging.ERROR), TestClient(create_app(services, load_model=False)) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 503
    assert "KB_ELASTICSEARCH_PASSWORD" in ready.json()["detail"]
    logged = [r for r in caplog.records if "KB_ELASTICSEARCH_PASSWORD" in r.getMessage()]
    assert logged and all(r.exc_info is None for r in logged)  # a line, not a stack trace
    services.close()
