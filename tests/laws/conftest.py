"""A small statute collection for fast tests of the laws queries, pages and commands.

The sample library's cases, experts and training materials, plus a handful of
laws (all versions of each) and the library's local regulation — not all 26,000
articles, whose analysis alone takes a minute — on the embedded store, with the
stand-in encoder: plumbing, not ranking quality (that is ``test_search_quality``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from indexer.pipeline import Indexer
from kb_service.embeddings import CachedEmbedder
from kb_service.library import Loaded, Rejection, sample_library
from kb_service.registry import collection_specs
from kb_service.service import Services
from kb_service.settings import load_settings
from kb_service.store import build_store
from laws.indexing import SPEC as LAWS
from laws.local import load_local_regulations
from laws.source import statute_database
from tests.api.conftest import keys_file  # noqa: F401 - the API tests' keys, shared
from tests.fakes import HashingEmbedder, SmallStatuteSet


def load_small_set(libraries: list[Path]) -> Iterator[Loaded | Rejection]:
    yield from load_local_regulations(libraries)
    database = SmallStatuteSet(statute_database())
    for statute in database.statutes():
        yield Loaded(statute, database.path, 1)


SMALL_LAWS = replace(LAWS, load=load_small_set, fingerprint=None)


@pytest.fixture(scope="session")
def law_services(tmp_path_factory, analyzer) -> Iterator[Services]:
    """The sample library with the small statute set, indexed once per session."""
    folder = tmp_path_factory.mktemp("laws-small")
    settings = load_settings(data_dir=folder / "data")
    embedder = CachedEmbedder(HashingEmbedder(), folder / "cache.sqlite3")
    services = Services(
        settings=settings, store=build_store(settings), analyzer=analyzer, embedder=embedder
    )
    indexer = Indexer(services.store, analyzer, embedder)
    for spec in collection_specs():
        chosen = SMALL_LAWS if spec.name == LAWS.name else spec
        indexer.index(chosen, [sample_library()], progress=False)
    yield services
    services.close()
