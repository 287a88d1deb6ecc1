"""A fast API world for the security tests: the sample library indexed with the stand-in
encoder, a fresh SQLite register, the register's keys (tests/disputes/wiring.py) and settings
the test chooses (body limits, rate limits)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from kb_service.service import Services
from tests.disputes.wiring import indexed_sample, migrated, with_register, write_keys


def fast_services(tmp_path: Path, **settings: object) -> Services:
    base = with_register(
        indexed_sample(), migrated(f"sqlite:///{tmp_path / 'register.sqlite3'}"), data_dir=tmp_path / "data"
    )
    if base.store.has_collection("disputes"):  # the shared sample store keeps other tests' copies
        base.store.delete("disputes", [s["id"] for s in base.store.iter_sources("disputes")])
    update = {"api_keys_file": write_keys(tmp_path), **settings}
    return Services(
        settings=base.settings.model_copy(update=update),
        store=base.store,
        analyzer=base.analyzer,
        embedder=base.embedder,
    )


def fast_client(tmp_path: Path, **settings: object) -> TestClient:
    return TestClient(
        create_app(fast_services(tmp_path, **settings), load_model=False),
        raise_server_exceptions=False,
    )
