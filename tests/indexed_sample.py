"""The shipped sample library indexed once per test session, copied to each test that needs it.

Every collection, on the embedded store, with the stand-in encoder (``tests/fakes.py``) and the
small statute set: plumbing, never ranking quality. Indexing takes seconds; copying the data
folder takes milliseconds, so modules share one indexing run and still write to their own copy.
"""

from __future__ import annotations

import shutil
import tempfile
from functools import cache
from pathlib import Path

import pytest

from kb_service.analysis import ChineseAnalyzer
from kb_service.embeddings import CachedEmbedder
from kb_service.service import Services
from kb_service.settings import load_settings
from kb_service.store import build_store
from tests.fakes import HashingEmbedder, SmallStatuteSet


@cache
def analyzer() -> ChineseAnalyzer:
    return ChineseAnalyzer()


@cache
def template() -> Path:
    """The data folder indexed once (whichever test asks first, slow or not: always the small
    statute set). Never written after this: tests get :func:`copy_to`."""
    from indexer.run import index_libraries
    from laws import indexing
    from laws.source import statute_database

    data = Path(tempfile.mkdtemp(prefix="kb-indexed-sample-")) / "data"
    services = hashing_services(data)
    small = SmallStatuteSet(statute_database())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(indexing, "statute_database", lambda: small)
        report = index_libraries(services, None, progress=False)
    services.close()
    assert report["cases"]["indexed"] >= 100, report["cases"]["rejected"][:3]
    return data


def copy_to(folder: Path) -> Path:
    """A copy of the indexed data folder as ``folder/data``."""
    data = Path(folder) / "data"
    shutil.copytree(template(), data)
    return data


def hashing_services(data_dir: Path, wrap_store=None, **settings) -> Services:
    """Services over ``data_dir`` with the stand-in encoder (its cache in the folder);
    ``wrap_store`` wraps the built store (e.g. ``TimedStore``)."""
    loaded = load_settings(data_dir=data_dir, **settings)
    store = build_store(loaded)
    return Services(
        settings=loaded,
        store=wrap_store(store) if wrap_store else store,
        analyzer=analyzer(),
        embedder=CachedEmbedder(HashingEmbedder(), Path(data_dir) / "cache.sqlite3"),
    )
