"""The shipped sample library indexed once per test session, copied to each test that needs it.

Every collection, on the embedded store, with the stand-in encoder (``tests/fakes.py``) and the
small statute set: plumbing, never ranking quality. Indexing takes seconds; copying the data
folder takes milliseconds, so modules (and runs, and pytest-xdist workers) share one indexing
run and still write to their own copy.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import time
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


PACKAGES = ("kb_service", "indexer", "cases", "experts", "training", "laws", "disputes", "alerts", "trends")
"""The code whose output the indexed folder is (its key covers every file of these)."""


def _key() -> str:
    """What the indexed folder depends on: the code, the sample library, the test stand-ins,
    the statute database and the installed packages (the virtual environment)."""
    from laws.source import database_path

    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(sys.prefix.encode())
    files = [Path(__file__), root / "tests" / "fakes.py", root / "pyproject.toml"]
    for package in PACKAGES:
        files += sorted((root / package).rglob("*.*"))
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    database = database_path()
    digest.update(f"{database}:{database.stat().st_size}:{database.stat().st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


@cache
def template() -> Path:
    """The indexed data folder, built once and kept under ``~/.cache/kb-service/test-sample/``
    by a key of everything it depends on (:func:`_key`): a later run, or another pytest-xdist
    worker, copies it instead of indexing again; a change to any of it builds a new one.
    Always the small statute set, whichever test asks first. Never written after it is built:
    tests get :func:`copy_to`."""
    from filelock import FileLock

    from tests.conftest import kept_between_sessions

    root = kept_between_sessions() / "test-sample"
    root.mkdir(parents=True, exist_ok=True)
    key = _key()
    kept = root / key
    with FileLock(str(root / "build.lock")):
        if not (kept / "complete").exists():
            for old in root.iterdir():  # other keys (code since changed) a day unused
                if old.is_dir() and time.time() - old.stat().st_mtime > 86_400:
                    shutil.rmtree(old, ignore_errors=True)
            building = Path(tempfile.mkdtemp(prefix=f"{key}-", dir=root))
            _index_into(building / "data")
            (building / "complete").touch()
            building.rename(kept)
    os.utime(kept)  # in use
    return kept / "data"


def _index_into(data: Path) -> None:
    from indexer.run import index_libraries
    from laws import indexing
    from laws.source import statute_database

    services = hashing_services(data)
    small = SmallStatuteSet(statute_database())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(indexing, "statute_database", lambda: small)
        report = index_libraries(services, None, progress=False)
    services.close()
    assert report["cases"]["indexed"] >= 100, report["cases"]["rejected"][:3]


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
