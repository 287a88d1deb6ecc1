"""Nodes these tests may stop, kill or secure, and a small library to index quickly.

- ``spare_node``: a single node of our own that a test may stop and start again
  (``scripts/test.sh`` starts it beside the shared node and passes its folder in
  ``KB_TEST_ES_SPARE_DIR``; without it, and with ``KB_TEST_ELASTICSEARCH_URL``
  set, the fixture starts one and stops it afterwards). The shared node is never
  stopped: other tests use it.
- ``secured_node``: ``scripts/elasticsearch.sh secure`` (``KB_TEST_ES_SECURE_DIR``).
- ``cluster_urls``: three nodes (``KB_TEST_ES_CLUSTER_URLS``, opt-in).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kb_service.library import sample_library
from tests.conftest import elasticsearch_url

ROOT = Path(__file__).parents[2]
SCRIPT = ROOT / "scripts" / "elasticsearch.sh"


@dataclass(frozen=True)
class Node:
    folder: Path

    @property
    def url(self) -> str:
        return (self.folder / "url").read_text().strip()

    @property
    def pid(self) -> int:
        return int((self.folder / "nodes" / "1" / "pid").read_text())

    def restart(self) -> None:
        subprocess.run(
            ["bash", str(SCRIPT), "restart", str(self.folder)],
            check=True, capture_output=True, timeout=300, env=os.environ | {"KB_ES_HEAP": "256m"},
        )  # fmt: skip


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _given(variable: str, what: str) -> Path:
    value = os.environ.get(variable)
    if not value:
        if _in_ci():
            pytest.fail(f"CI=true 但没有 {variable}：{what}测试不能跳过")
        pytest.skip(f"{variable} not set (run scripts/test.sh)")
    return Path(value)


@pytest.fixture(scope="session")
def spare_node() -> Iterator[Node]:
    given = os.environ.get("KB_TEST_ES_SPARE_DIR")
    if given:
        yield Node(Path(given))
        return
    elasticsearch_url()  # skip locally, fail in CI, when there is no Elasticsearch at all
    folder = Path(tempfile.mkdtemp(prefix="kb-es-spare."))
    folder.chmod(0o755)  # the node runs as another user
    try:
        subprocess.run(
            ["bash", str(SCRIPT), "start", str(folder)],
            check=True, capture_output=True, timeout=300, env=os.environ | {"KB_ES_HEAP": "256m"},
        )  # fmt: skip
        yield Node(folder)
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", str(folder)], check=False, timeout=120)


@pytest.fixture(scope="session")
def secured_node() -> Node:
    return Node(_given("KB_TEST_ES_SECURE_DIR", "安全认证节点"))


@pytest.fixture(scope="session")
def cluster_urls() -> str:
    urls = os.environ.get("KB_TEST_ES_CLUSTER_URLS")
    if not urls:
        pytest.skip("KB_TEST_ES_CLUSTER_URLS not set (KB_TEST_CLUSTER=1 scripts/test.sh)")
    return urls


@pytest.fixture
def small_library(tmp_path) -> Path:
    """Three cases, one file of experts, one training material: every collection, quickly."""
    sample = sample_library()
    folder = tmp_path / "library"
    for sub in ("cases", "experts", "training"):
        (folder / sub).mkdir(parents=True)
    for path in sorted((sample / "cases").glob("*.md"))[:3]:
        shutil.copy(path, folder / "cases")
    shutil.copy(sample / "experts" / "lawyers.yaml", folder / "experts")
    shutil.copy(sorted((sample / "training").glob("*.md"))[0], folder / "training")
    return folder
