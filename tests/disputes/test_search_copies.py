"""The masked copies in the search store, on both backends: after importing the sample register
nothing stored identifies a party; disputes are searchable and countable within a caller's scope;
a store that fails after the register committed loses nothing, and kb index re-syncs."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3

import pytest

from disputes.generator import generate, write
from disputes.indexing import COLLECTION
from disputes.queries import DisputeDesk
from indexer.run import index_libraries
from kb_service.access import Principal, Role
from kb_service.settings import load_settings
from tests.conftest import drop_indices, settings_for
from tests.disputes.conftest import dispute
from tests.disputes.wiring import fake_services
from tests.kb_service.test_personal_data_scan import long_numbers

ADMIN = Principal("管理员", Role.admin)


@pytest.fixture
def imported(backend, tmp_path):
    settings = settings_for(backend, tmp_path)
    services = fake_services(settings, tmp_path)
    records = list(generate(seed=5, start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30), scale=0.05))
    path = tmp_path / "sample.jsonl"
    write(records, path)
    desk = DisputeDesk(services, ADMIN)
    report = desk.import_file(path)
    assert report["imported"] == len(records) > 200, report["rejected"][:3]
    yield services, desk, records
    services.close()
    if backend == "elasticsearch":
        drop_indices(settings)


def test_no_stored_copy_holds_an_id_number_phone_address_or_name(imported, backend):
    services, _, records = imported
    particulars = {
        value
        for record in records
        for party in record["parties"]
        for value in (party.get("id_number"), party.get("phone"), party.get("address"))
        if value
    }
    people = {p["name"] for r in records for p in r["parties"] if p.get("kind", "person") == "person" and len(p["name"]) >= 2}
    assert len(particulars) > 300 and len(people) > 200  # the sample does carry them
    sources = list(services.store.iter_sources(COLLECTION))
    assert len(sources) == len(records)
    everything = json.dumps(sources, ensure_ascii=False)
    assert not long_numbers(everything)
    assert not [value for value in particulars if value in everything][:5]
    # Mediators' names stay (they act in office); a party's two-character name may be part of one.
    without_mediators = json.dumps([{k: v for k, v in s.items() if k != "mediator"} for s in sources], ensure_ascii=False)
    named = sorted(name for name in people if name in without_mediators)
    assert not named[:5], named[:5]
    if backend == "embedded":  # the analysed text and the vectors' source text too
        with sqlite3.connect(services.settings.data_dir / "store.sqlite3") as db:
            texts = [row[0] for row in db.execute("SELECT text FROM documents WHERE collection = ?", (COLLECTION,))]
        assert len(texts) == len(records)
        assert not long_numbers("\n".join(texts))


def test_disputes_are_searched_and_counted_within_a_scope(imported):
    services, desk, records = imported
    register = desk.register
    assert desk.count() == register.count() == len(records)
    mediating = {"status": ["调解中"]}
    assert desk.count(mediating) == register.count(mediating)
    labor = desk.search("拖欠工资 工人", {"dispute_type": ["labor"]}, size=20)
    assert labor["total"] >= 1 and all(h["dispute_type"] == "labor" for h in labor["hits"])
    assert any("工资" in json.dumps(h, ensure_ascii=False) for h in labor["hits"])
    region = "/".join(records[0]["region"].split("/")[:2])
    coordinator = DisputeDesk(services, Principal("司法局", Role.coordinator, region=region))
    in_region = coordinator.count()
    assert 0 < in_region == register.count({"region": region}) < len(records)
    found = coordinator.search("", size=100)
    assert found["total"] == in_region and all(h["region"].startswith(region + "/") for h in found["hits"])
    committee = records[0]["committee"]
    mediator = DisputeDesk(services, Principal("调委会", Role.mediator, committee=committee))
    assert mediator.count() == register.count({"committee": committee})
    assert {b["value"] for b in mediator.search("")["facets"]["status"]} <= {
        "registered", "mediating", "success", "partial", "failed", "referred", "withdrawn"
    }


@pytest.mark.long  # indexes the library three times around a failing store
def test_a_store_failure_after_the_register_committed_loses_nothing(tmp_path, caplog):
    data = tmp_path / "data"
    down = load_settings(data_dir=data, backend="elasticsearch", elasticsearch_url="http://127.0.0.1:9",
                         elasticsearch_timeout=2)  # fmt: skip
    broken = fake_services(down, tmp_path)
    with caplog.at_level(logging.WARNING, logger="kb_service.disputes"):
        added = DisputeDesk(broken, ADMIN).add(dispute())
    assert added["search_copy"] == "pending" and added["id"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert str(added["id"]) in logged and "kb index" in logged
    assert "王建国" not in logged and "13904315678" not in logged  # ids only, never the content

    working = fake_services(load_settings(data_dir=data), tmp_path)  # the same register
    assert DisputeDesk(working, ADMIN).show(added["id"])["number"] == added["number"]
    library = tmp_path / "library"
    library.mkdir()
    report = index_libraries(working, [library], progress=False)
    assert report["disputes"]["indexed"] == 1
    assert working.store.get(COLLECTION, str(added["id"]))["number"] == added["number"]
    again = index_libraries(working, [library], progress=False)
    assert (again["disputes"]["indexed"], again["disputes"]["unchanged"]) == (0, 1)
    rebuilt = index_libraries(working, [library], rebuild=True, progress=False)
    assert rebuilt["disputes"]["indexed"] == 1 and working.store.count(COLLECTION) == 1
    working.close()


def test_an_empty_register_still_gets_its_collection(tmp_path):
    services = fake_services(load_settings(data_dir=tmp_path / "data"), tmp_path)
    library = tmp_path / "library"
    library.mkdir()
    assert index_libraries(services, [library], progress=False)["disputes"]["indexed"] == 0
    assert services.store.has_collection(COLLECTION) and services.store.count(COLLECTION) == 0
    services.close()
