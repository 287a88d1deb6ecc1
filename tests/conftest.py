"""Shared fixtures: the real model, and stores of both backends.

The contract suite runs every test against the embedded store and against a
real Elasticsearch node given by ``KB_TEST_ELASTICSEARCH_URL`` (started by
``scripts/test.sh``). Without that variable the Elasticsearch cases are
skipped locally and fail under ``CI=true``: a missing node is never a silent
pass in CI. The dispute register's suite runs the same way on SQLite and on a
real PostgreSQL given by ``KB_TEST_DATABASE_URL`` (``database_url`` fixture).

Markers are applied here, from what a test uses, so they cannot be forgotten:
a test whose fixtures reach the real model is ``slow``; one parametrized on
the Elasticsearch backend is ``elasticsearch`` (and on PostgreSQL,
``postgresql``, declared where the fixture is). The fast suite,
``pytest -m "not slow and not long and not elasticsearch and not browser"``, therefore
needs neither model nor node (PostgreSQL cases skip without a server); and a test left unmarked that constructs the model anyway
fails, naming the marker it lacks.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

if sys.dont_write_bytecode and not os.environ.get("KB_TEST_NO_BYTECODE"):
    # PYTHONDONTWRITEBYTECODE (set on the shared build machines) makes pytest rewrite the asserts
    # of all 130 test modules anew on every run: ten seconds of the fast suite. Keep the compiled
    # files, outside the checkout (KB_TEST_NO_BYTECODE=1 keeps the environment's choice).
    sys.pycache_prefix = sys.pycache_prefix or str(
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kb-service" / "pycache"
    )
    sys.dont_write_bytecode = False

if os.environ.get("PYTEST_XDIST_WORKER"):
    # As many workers as cores (pytest -n 2): BLAS threads would only spin against each other.
    # Read when numpy and scipy load their OpenBLAS, which is below.
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        os.environ.setdefault(variable, "1")

from kb_service.analysis import ChineseAnalyzer
from kb_service.embeddings import CachedEmbedder, SentenceTransformerEmbedder
from kb_service.onnx_encoder import OnnxEmbedder
from kb_service.service import Services
from kb_service.settings import DEFAULT_MODEL, Settings, load_settings
from kb_service.store import SearchStore, build_store

BACKENDS = ["embedded", "elasticsearch"]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if {"model", "torch_model"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("backend") == "elasticsearch":
            item.add_marker(pytest.mark.elasticsearch)


@pytest.fixture(autouse=True)
def _fast_tests_never_load_the_model(request, monkeypatch):
    """Outside ``slow`` tests, constructing a sentence-transformers model is a failure."""
    if request.node.get_closest_marker("slow"):
        return

    def refuse(location, *args, **kwargs):
        pytest.fail(f"{request.node.nodeid} 加载了向量模型（{location}）：请标记为 slow，或避免加载模型")

    monkeypatch.setattr("kb_service.embeddings.load_sentence_transformer", refuse)
    monkeypatch.setattr("kb_service.onnx_encoder.open_session", refuse)


_running = {"slow": False}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # before the test's fixtures are set up, module- and session-scoped ones included
    _running["slow"] = item.get_closest_marker("slow") is not None


@pytest.fixture(autouse=True, scope="session")
def _fast_tests_index_a_small_statute_set():
    """Outside ``slow`` tests, ``kb index`` reads five laws of the statute database, not all 378
    (``SmallStatuteSet`` in tests/fakes.py: a minute of analysis saved wherever a fast test
    indexes the whole sample library); every other read of the database stays whole."""
    from laws import indexing
    from laws.source import statute_database
    from tests.fakes import SmallStatuteSet

    small = SmallStatuteSet(statute_database())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(indexing, "statute_database", lambda: statute_database() if _running["slow"] else small)
        yield


def elasticsearch_url() -> str:
    url = os.environ.get("KB_TEST_ELASTICSEARCH_URL")
    if not url:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI=true 但没有 KB_TEST_ELASTICSEARCH_URL：Elasticsearch 测试不能跳过")
        pytest.skip("KB_TEST_ELASTICSEARCH_URL not set (run scripts/test.sh)")
    return url


def postgresql_url() -> str:
    """The test PostgreSQL server (scripts/postgres.sh, started by scripts/test.sh)."""
    url = os.environ.get("KB_TEST_DATABASE_URL")
    if not url:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI=true 但没有 KB_TEST_DATABASE_URL：PostgreSQL 测试不能跳过")
        pytest.skip("KB_TEST_DATABASE_URL not set (run scripts/test.sh)")
    return url


def settings_for(backend: str, tmp_path, **overrides) -> Settings:
    values: dict = {"backend": backend, "data_dir": tmp_path / "data"}
    if backend == "elasticsearch":
        values |= {"elasticsearch_url": elasticsearch_url(), "index_prefix": f"test-{uuid.uuid4().hex[:10]}"}
    values |= overrides
    return load_settings(**values)


def drop_indices(settings: Settings) -> None:
    from elasticsearch import Elasticsearch

    client = Elasticsearch(settings.elasticsearch_url)
    names = list(client.indices.get(index=f"{settings.index_prefix}-*", expand_wildcards="all").keys())
    if names:
        client.indices.delete(index=",".join(names), ignore_unavailable=True)
    client.close()


@pytest.fixture(scope="session")
def analyzer() -> ChineseAnalyzer:
    """One analyzer for the session (each loads jieba's dictionary: about 1.5 s)."""
    from tests import indexed_sample

    return indexed_sample.analyzer()


def kept_between_sessions() -> Path:
    """``~/.cache/kb-service``: what the tests keep between sessions (the indexed sample
    library, the default model's ONNX export), each keyed by what it is made from."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kb-service"


@pytest.fixture(scope="session")
def model() -> OnnxEmbedder:
    """The real default encoder (m3e-small, int8 ONNX), loaded once per test session. Its export
    (about a minute) is kept in ``~/.cache/kb-service/onnx-models/``, where a data folder keeps its own."""
    settings = load_settings(data_dir=kept_between_sessions())
    assert settings.embedding_backend == "onnx"
    embedder = OnnxEmbedder.from_settings(settings)
    embedder.load()
    return embedder


@pytest.fixture(scope="session")
def torch_model() -> SentenceTransformerEmbedder:
    """The same model run by sentence-transformers on PyTorch (``KB_EMBEDDING_BACKEND=torch``)."""
    embedder = SentenceTransformerEmbedder(DEFAULT_MODEL)
    embedder.load()
    return embedder


@pytest.fixture(scope="session")
def embedder_cache_dir(tmp_path_factory):
    # KB_TEST_EMBEDDING_CACHE_DIR keeps the vectors between sessions (one session at a time):
    # the statute articles take minutes to embed on a CPU
    kept = os.environ.get("KB_TEST_EMBEDDING_CACHE_DIR")
    if not kept:
        return tmp_path_factory.mktemp("embedding-cache")
    Path(kept).mkdir(parents=True, exist_ok=True)
    return Path(kept)


@pytest.fixture(scope="session")
def embedder(model, embedder_cache_dir) -> CachedEmbedder:
    return CachedEmbedder(model, embedder_cache_dir / "cache.sqlite3")


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def settings(backend, tmp_path) -> Iterator[Settings]:
    settings = settings_for(backend, tmp_path)
    yield settings
    if backend == "elasticsearch":
        drop_indices(settings)


@pytest.fixture
def store(settings) -> Iterator[SearchStore]:
    store = build_store(settings)
    yield store
    store.close()


@pytest.fixture
def services(settings, store, analyzer, embedder) -> Services:
    return Services(settings=settings, store=store, analyzer=analyzer, embedder=embedder)


@pytest.fixture(scope="session")
def sample_services(request, tmp_path_factory, analyzer, embedder):
    """Factory: Services over the shipped sample library, indexed once per backend per session."""
    from indexer.run import index_libraries

    built: dict[str, Services] = {}

    def get(backend: str) -> Services:
        if backend not in built:
            settings = settings_for(backend, tmp_path_factory.mktemp(f"sample-{backend}"))
            services = Services(settings=settings, store=build_store(settings), analyzer=analyzer, embedder=embedder)
            report = index_libraries(services, None, progress=False)
            assert report["cases"]["indexed"] >= 100, report["cases"]["rejected"][:3]
            built[backend] = services
            if backend == "elasticsearch":
                request.addfinalizer(lambda: drop_indices(settings))
        return built[backend]

    return get


@pytest.fixture
def sample(backend, sample_services) -> Services:
    return sample_services(backend)


@pytest.fixture(scope="module")
def indexed_sample_dir(tmp_path_factory) -> Path:
    """A data folder of this test module's own holding the indexed sample library: a copy of
    the one indexed per session (``tests/indexed_sample.py``)."""
    from tests import indexed_sample

    return indexed_sample.copy_to(tmp_path_factory.mktemp("indexed-sample"))


@pytest.fixture
def migrated_database_url(database_url) -> str:
    """``database_url`` with the register's migrations applied (SQLite: a copy of a migrated file)."""
    from tests.disputes.wiring import migrated

    return migrated(database_url)


DATABASES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
]


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path) -> Iterator[str]:
    """A fresh, empty register database: a SQLite file, or a new schema on the test PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'register.sqlite3'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    base = postgresql_url()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, poolclass=NullPool)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
