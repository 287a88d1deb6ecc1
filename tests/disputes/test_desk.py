"""The register as callers use it (DisputeDesk): each role's scope, history, notes, imports;
every change lands in the register and its masked copy in the search store. On both databases."""

from __future__ import annotations

import json

import pytest

from disputes.generator import write
from disputes.indexing import COLLECTION
from disputes.queries import DisputeDesk
from kb_service.access import Principal, Role
from kb_service.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from kb_service.settings import load_settings
from tests.disputes.conftest import COMMITTEE, dispute
from tests.disputes.wiring import OTHER_COMMITTEE, OTHER_REGION, fake_services, with_register

MEDIATOR = Principal("南湖调委会周建华", Role.mediator, committee=COMMITTEE)
OTHER_MEDIATOR = Principal("建工调委会", Role.mediator, committee=OTHER_COMMITTEE)
COORDINATOR = Principal("长春市司法局", Role.coordinator, region="吉林省/长春市")
OTHER_COORDINATOR = Principal("延边州司法局", Role.coordinator, region="吉林省/延边朝鲜族自治州")
ADMIN = Principal("管理员", Role.admin)


@pytest.fixture
def services(migrated_database_url, tmp_path):
    base = fake_services(load_settings(data_dir=tmp_path / "data"), tmp_path)
    services = with_register(base, migrated_database_url)
    yield services
    services.close()


def desk(services, principal) -> DisputeDesk:
    return DisputeDesk(services, principal)


def without_committee(**overrides):
    data = dispute(**overrides)
    data.pop("committee")
    return data


def test_a_mediator_registers_for_its_own_committee_and_the_copy_is_searchable(services):
    added = desk(services, MEDIATOR).add(without_committee())
    assert added["committee"] == COMMITTEE and added["number"].endswith("号")
    assert added["search_copy"] == "written"
    assert [h["actor"] for h in added["history"]] == [MEDIATOR.name]
    stored = services.store.get(COLLECTION, str(added["id"]))
    assert stored["number"] == added["number"] and "王建国" not in json.dumps(stored, ensure_ascii=False)
    with pytest.raises(PermissionDeniedError, match=COMMITTEE):
        desk(services, MEDIATOR).add(dispute(committee=OTHER_COMMITTEE, region=OTHER_REGION))


def test_another_committee_and_another_region_see_nothing(services):
    ours = desk(services, MEDIATOR).add(without_committee())
    for outsider in (OTHER_MEDIATOR, OTHER_COORDINATOR):
        with pytest.raises(NotFoundError) as refused:
            desk(services, outsider).show(ours["id"])
        with pytest.raises(NotFoundError) as unknown:
            desk(services, outsider).show(ours["id"] + 1000)
        assert refused.value.detail.replace(str(ours["id"]), "N") == unknown.value.detail.replace(
            str(ours["id"] + 1000), "N"
        )  # the same answer as for an id that does not exist
        assert desk(services, outsider).list()["total"] == 0
        assert desk(services, outsider).search("噪音")["total"] == 0
    with pytest.raises(NotFoundError):
        desk(services, OTHER_MEDIATOR).update(ours["id"], {"status": "mediating"})


def test_a_coordinator_in_the_region_reads_with_particulars_but_changes_nothing(services):
    ours = desk(services, MEDIATOR).add(without_committee())
    seen = desk(services, COORDINATOR).show(ours["id"])
    assert seen["parties"][0]["phone"] == "13904315678" and seen["parties"][0]["id_number"]
    assert desk(services, COORDINATOR).list()["items"][0]["parties"][0]["phone"] == "13904315678"
    assert desk(services, COORDINATOR).count() == 1
    with pytest.raises(PermissionDeniedError):
        desk(services, COORDINATOR).update(ours["id"], {"status": "mediating"})
    with pytest.raises(PermissionDeniedError):
        desk(services, Principal("培训师", Role.trainer)).list()


def test_status_changes_follow_the_rules_and_update_the_copy(services):
    mediator = desk(services, MEDIATOR)
    ours = mediator.add(without_committee())
    with pytest.raises(ConflictError, match="已受理"):
        mediator.update(ours["id"], {"status": "success"})
    moved = mediator.update(ours["id"], {"status": "调解中"}, note="双方同意调解")
    assert moved["status"] == "mediating" and moved["search_copy"] == "written"
    assert moved["history"][-1]["note"] == "双方同意调解"
    assert services.store.get(COLLECTION, str(ours["id"]))["status"] == "mediating"
    assert desk(services, ADMIN).count({"status": ["mediating"]}) == 1


def test_a_note_alone_is_recorded_without_changing_a_field(services):
    mediator = desk(services, MEDIATOR)
    ours = mediator.add(without_committee())
    noted = mediator.update(ours["id"], {}, note="电话联系被申请人，约定周五面谈")
    last = noted["history"][-1]
    assert (last["field"], last["note"], last["actor"]) == (None, "电话联系被申请人，约定周五面谈", MEDIATOR.name)
    assert noted["status"] == "registered"
    with pytest.raises(InvalidInputError):
        mediator.update(ours["id"], {})


def test_an_import_lands_good_rows_reports_bad_ones_and_writes_their_copies(services, sample_records, tmp_path):
    rows = list(sample_records[:40])
    rows[3] = {**rows[3], "received": "2025-02-30"}
    rows[7] = {**rows[7], "dispute_type": "吵架纠纷"}
    path = tmp_path / "台账.jsonl"
    write(rows, path)
    report = desk(services, ADMIN).import_file(path)
    assert [r["row"] for r in report["rejected"]] == [4, 8]
    assert report["imported"] == 38 and report["search_copy"] == {"written": 38, "pending": 0}
    assert services.store.count(COLLECTION) == 38
    again = desk(services, ADMIN).import_file(path)
    assert (again["imported"], again["existing"]) == (0, 38)
    assert services.store.count(COLLECTION) == 38


def test_a_mediator_imports_only_its_committee(services, sample_records, tmp_path):
    theirs = [r for r in sample_records if r["committee"] != COMMITTEE][:3]
    path = tmp_path / "others.jsonl"
    write(theirs, path)
    report = desk(services, MEDIATOR).import_file(path)
    assert report["imported"] == 0 and len(report["rejected"]) == 3
    assert all("权限" in r["reason"] for r in report["rejected"])
