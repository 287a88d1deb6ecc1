"""A small statute collection for fast tests of the laws queries, pages and commands.

The sample library's cases, experts and training materials, plus a handful of
laws (all versions of each) and the library's local regulation — not all 26,000
articles, whose analysis alone takes a minute — on the embedded store, with the
stand-in encoder: plumbing, not ranking quality (that is ``test_search_quality``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kb_service.service import Services
from tests import indexed_sample
from tests.api.conftest import keys_file  # noqa: F401 - the API tests' keys, shared


@pytest.fixture(scope="session")
def law_services(tmp_path_factory) -> Iterator[Services]:
    """The sample library with the small statute set (a copy of the session's indexed one)."""
    services = indexed_sample.hashing_services(indexed_sample.copy_to(tmp_path_factory.mktemp("laws-small")))
    yield services
    services.close()
