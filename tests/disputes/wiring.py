"""Helpers for the register's service tests: a sample library indexed with the stand-in encoder,
Services over a given register database, and API keys for every register role."""

from __future__ import annotations

import shutil
import tempfile
from functools import cache
from pathlib import Path

from api.auth import digest
from kb_service.embeddings import CachedEmbedder
from kb_service.service import Services
from kb_service.settings import Settings
from kb_service.store import build_store
from tests.disputes.conftest import COMMITTEE
from tests.fakes import HashingEmbedder
from tests.indexed_sample import analyzer as shared_analyzer

OTHER_COMMITTEE = "延吉市建工街道人民调解委员会"
OTHER_REGION = "吉林省/延边朝鲜族自治州/延吉市/建工街道"

# (role, committee, region) per key: the register's roles, each with its scope.
HOLDERS = {
    "mediator": ("mediator", COMMITTEE, None),
    "other_mediator": ("mediator", OTHER_COMMITTEE, None),
    "coordinator": ("coordinator", None, "吉林省/长春市"),
    "other_coordinator": ("coordinator", None, "吉林省/延边朝鲜族自治州"),
    "trainer": ("trainer", None, None),
    "admin": ("admin", None, None),
    "bare_mediator": ("mediator", None, None),
}
KEYS = {name: f"register-test-key-{name}-0123456789" for name in HOLDERS}


def auth(holder: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[holder]}"}


def write_keys(folder: Path) -> Path:
    lines = ["keys:"]
    for name, (role, committee, region) in HOLDERS.items():
        lines.append(f"  - name: 测试{name}\n    role: {role}\n    sha256: {digest(KEYS[name])}")
        if committee:
            lines.append(f"    committee: {committee}")
        if region:
            lines.append(f"    region: {region}")
    path = folder / "keys.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def fake_services(settings: Settings, cache_dir: Path) -> Services:
    """Services with the deterministic stand-in encoder (plumbing tests; never ranking quality)."""
    return Services(
        settings=settings,
        store=build_store(settings),
        analyzer=shared_analyzer(),
        embedder=CachedEmbedder(HashingEmbedder(), cache_dir / "embedding-cache.sqlite3"),
    )


@cache
def indexed_sample() -> Services:
    """The shipped sample library in an embedded store, shared by the register's tests: a copy
    of the one indexed per test session (``tests/indexed_sample.py``)."""
    from tests import indexed_sample as shared

    return shared.hashing_services(shared.copy_to(Path(tempfile.mkdtemp(prefix="kb-register-sample-"))))


def with_register(base: Services, database_url: str, data_dir: Path | None = None) -> Services:
    """The same store and encoder, over another register database (and data folder)."""
    update: dict = {"database_url": database_url}
    if data_dir is not None:
        update["data_dir"] = data_dir
    settings = base.settings.model_copy(update=update)
    return Services(settings=settings, store=base.store, analyzer=base.analyzer, embedder=base.embedder)


@cache
def _migrated_sqlite() -> Path:
    from disputes.database import upgrade

    path = Path(tempfile.mkdtemp(prefix="kb-migrated-register-")) / "register.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


def migrated(database_url: str) -> str:
    """``database_url`` with every migration applied. A new SQLite register is a copy of one
    file migrated once per session (Alembic takes ~0.1 s a database; copying, nothing; opening
    it still runs ``upgrade``, which finds nothing to do); PostgreSQL is upgraded."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        if not path.exists():
            shutil.copyfile(_migrated_sqlite(), path)
    else:
        from disputes.database import upgrade

        upgrade(database_url)
    return database_url
