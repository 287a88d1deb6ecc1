"""Settings are read once; a bad value stops start-up naming the variable in Chinese."""

from __future__ import annotations

import pytest

from kb_service.errors import ConfigurationError
from kb_service.settings import load_settings


def test_defaults_need_no_server(monkeypatch):
    for name in ("KB_BACKEND", "KB_EMBEDDING_MODEL", "KB_EMBEDDING_BACKEND", "KB_EMBEDDING_DEVICE"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.backend == "embedded"
    assert settings.embedding_model == "m3e-small" and settings.embedding_backend == "onnx"


def test_environment_is_read(monkeypatch, tmp_path):
    monkeypatch.setenv("KB_BACKEND", "elasticsearch")
    monkeypatch.setenv("KB_ELASTICSEARCH_URL", "https://es.example.internal:9200/")
    monkeypatch.setenv("KB_DATA_DIR", str(tmp_path))
    settings = load_settings()
    assert settings.backend == "elasticsearch"
    assert settings.elasticsearch_url == "https://es.example.internal:9200"
    assert settings.data_dir == tmp_path


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("KB_BACKEND", "mysql"),
        ("KB_ELASTICSEARCH_URL", "es:9200"),
        ("KB_INDEX_PREFIX", "Bad Prefix"),
        ("KB_API_KEYS_FILE", "/no/such/keys.yaml"),
        ("KB_RRF_K", "zero"),
    ],
)
def test_a_bad_value_names_the_variable(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError, match=variable):
        load_settings()


def test_ambiguous_elasticsearch_auth_is_refused(monkeypatch):
    monkeypatch.setenv("KB_ELASTICSEARCH_API_KEY", "abc")
    monkeypatch.setenv("KB_ELASTICSEARCH_USERNAME", "elastic")
    monkeypatch.setenv("KB_ELASTICSEARCH_PASSWORD", "secret")
    with pytest.raises(ConfigurationError, match="只能设置其一"):
        load_settings()


def test_a_gpu_needs_the_torch_engine_instead_of_being_ignored(monkeypatch, tmp_path):
    monkeypatch.setenv("KB_EMBEDDING_DEVICE", "cuda")
    with pytest.raises(ConfigurationError, match="KB_EMBEDDING_BACKEND=torch"):
        load_settings(data_dir=tmp_path)
    monkeypatch.setenv("KB_EMBEDDING_BACKEND", "torch")
    assert load_settings(data_dir=tmp_path).embedding_device == "cuda"
