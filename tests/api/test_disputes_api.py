"""The register's API, every route × every role (a mediator of another committee and a
coordinator outside the region included: 404 and no data leak), on both databases."""

from __future__ import annotations

import io
import json

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from disputes.database import create_register_engine, current_revision, head_revision
from disputes.queries import DisputeDesk
from kb_service.access import Principal, Role
from tests.api.conftest import client_for
from tests.disputes.conftest import dispute
from tests.disputes.wiring import (
    HOLDERS,
    OTHER_COMMITTEE,
    OTHER_REGION,
    auth,
    indexed_sample,
    migrated,
    with_register,
    write_keys,
)

ADMIN = Principal("测试管理员", Role.admin)


@pytest.fixture(autouse=True)
def _close_shared_registers():
    yield
    from disputes.service import close_registers

    close_registers()


def forget_disputes(services) -> None:
    """The shared sample store keeps other tests' dispute copies (their ids restart per register)."""
    if services.store.has_collection("disputes"):
        services.store.delete("disputes", [s["id"] for s in services.store.iter_sources("disputes")])


class World:
    """A register with one dispute in 长春 (ours) and one in 延吉 (theirs), and an API client."""

    def __init__(self, database_url: str, tmp_path) -> None:
        self.services = with_register(indexed_sample(), migrated(database_url), data_dir=tmp_path / "data")
        forget_disputes(self.services)
        self.client = client_for(self.services, write_keys(tmp_path))
        self.desk = DisputeDesk(self.services, ADMIN)
        self.ours = self.desk.add(dispute())
        self.theirs = self.desk.add(
            dispute(committee=OTHER_COMMITTEE, region=OTHER_REGION, description="申请人朴成浩与邻居因院墙发生争执。",
                    parties=[{"role": "申请人", "name": "朴成浩", "phone": "13504330000"}])
        )  # fmt: skip
        self.serial = 0

    def fresh(self, *, settled: bool = False) -> dict:
        """A new dispute of our committee (a write route's own object)."""
        self.serial += 1
        added = self.desk.add(dispute(parties=[{"role": "申请人", "name": f"张{self.serial}号", "phone": "13904315678"}]))
        if settled:
            self.desk.update(added["id"], {"status": "mediating"})
            self.desk.update(added["id"], {"status": "success", "agreement": ["被申请人赔偿申请人损失2000元"]})
        return added

    def draft(self) -> dict:
        return self.desk.promote(self.fresh(settled=True)["id"])


@pytest.fixture
def world(migrated_database_url, tmp_path) -> World:
    return World(migrated_database_url, tmp_path)


def upload(body: str = "") -> dict:
    line = json.dumps(dispute(parties=[{"role": "申请人", "name": "导入人"}]), ensure_ascii=False)
    return {"files": {"file": ("台账.jsonl", io.BytesIO((body or line).encode("utf-8")), "application/octet-stream")}}


READERS = {"mediator", "other_mediator", "coordinator", "other_coordinator", "admin"}
SEE_OURS = {"mediator", "coordinator", "admin"}
WRITERS_OF_OURS = {"mediator", "admin"}
REVIEWERS = {"coordinator", "other_coordinator", "admin"}
DOCUMENT_OK = 200

# (name, request maker, expected status per holder); a holder not listed gets 403.
ROUTES = [
    ("POST /v1/disputes", lambda w: ("POST", "/v1/disputes", {"json": dispute(parties=[{"name": f"新登记{w.fresh()['id']}"}])}),
     {"mediator": 201, "admin": 201}),
    ("GET /v1/disputes", lambda w: ("GET", "/v1/disputes?status=registered", {}), dict.fromkeys(READERS, 200)),
    ("POST /v1/disputes/search", lambda w: ("POST", "/v1/disputes/search", {"json": {"query": "噪音"}}), dict.fromkeys(READERS, 200)),
    ("GET /v1/disputes/export", lambda w: ("GET", "/v1/disputes/export?format=csv", {}), dict.fromkeys(READERS, 200)),
    ("GET /v1/disputes/{id}", lambda w: ("GET", f"/v1/disputes/{w.ours['id']}", {}),
     {"mediator": 200, "coordinator": 200, "admin": 200, "other_mediator": 404, "other_coordinator": 404}),
    ("PATCH /v1/disputes/{id}", lambda w: ("PATCH", f"/v1/disputes/{w.ours['id']}", {"json": {"note": "电话回访"}}),
     {"mediator": 200, "admin": 200, "other_mediator": 404}),
    ("POST /v1/disputes/import", lambda w: ("POST", "/v1/disputes/import", upload()),
     {"mediator": 200, "other_mediator": 200, "admin": 200}),
    ("GET /v1/disputes/{id}/assist", lambda w: ("GET", f"/v1/disputes/{w.ours['id']}/assist?size=3", {}),
     {"mediator": 200, "coordinator": 200, "admin": 200, "other_mediator": 404, "other_coordinator": 404}),
    ("GET /v1/disputes/{id}/documents/{kind}", lambda w: ("GET", f"/v1/disputes/{w.ours['id']}/documents/agreement?format=docx", {}),
     {"mediator": DOCUMENT_OK, "coordinator": DOCUMENT_OK, "admin": DOCUMENT_OK, "other_mediator": 404, "other_coordinator": 404}),
    ("POST /v1/disputes/{id}/promote", lambda w: ("POST", f"/v1/disputes/{w.fresh(settled=True)['id']}/promote", {}),
     {"mediator": 201, "coordinator": 201, "admin": 201, "other_mediator": 404, "other_coordinator": 404}),
    ("GET /v1/disputes/drafts", lambda w: ("GET", "/v1/disputes/drafts?status=all", {}), dict.fromkeys(REVIEWERS, 200)),
    ("GET /v1/disputes/drafts/{id}", lambda w: ("GET", f"/v1/disputes/drafts/{w.draft()['id']}", {}),
     {"coordinator": 200, "admin": 200, "other_coordinator": 404}),
    ("POST /v1/disputes/drafts/{id}/approve", lambda w: ("POST", f"/v1/disputes/drafts/{w.draft()['id']}/approve", {"json": {"note": "可"}}),
     {"coordinator": 200, "admin": 200, "other_coordinator": 404}),
    ("POST /v1/disputes/drafts/{id}/reject", lambda w: ("POST", f"/v1/disputes/drafts/{w.draft()['id']}/reject", {"json": {"note": "过简"}}),
     {"coordinator": 200, "admin": 200, "other_coordinator": 404}),
]  # fmt: skip


@pytest.mark.long  # every holder on every register route, with its own register each: a sweep
@pytest.mark.parametrize(("name", "make", "expected"), ROUTES, ids=[r[0] for r in ROUTES])
def test_every_route_for_every_role(world, name, make, expected):
    for holder in HOLDERS:
        method, path, extra = make(world)
        if "files" in extra:  # a fresh upload for every caller
            extra = upload()
        response = world.client.request(method, path, headers=auth(holder), **extra)
        wanted = expected.get(holder, 403)
        assert response.status_code == wanted, (holder, response.status_code, response.text[:300])
        if wanted >= 400:
            assert response.headers["content-type"].startswith("application/problem+json")
        text = response.content.decode("utf-8", errors="replace")
        if holder in ("other_mediator", "other_coordinator", "trainer", "bare_mediator"):
            # nothing of our dispute reaches those outside its committee and region
            for secret in (world.ours["number"], "王建国", "13904315678", "李秀英"):
                assert secret not in text, (holder, secret)


def test_no_key_is_401_on_every_route(world):
    for _, make, _ in ROUTES:
        method, path, extra = make(world)
        assert world.client.request(method, path, **extra).status_code == 401, path


def test_an_outsider_gets_the_answer_of_an_unknown_id(world):
    theirs = world.client.get(f"/v1/disputes/{world.ours['id']}", headers=auth("other_mediator")).json()
    unknown = world.client.get("/v1/disputes/99999", headers=auth("other_mediator")).json()
    assert theirs["detail"].replace(str(world.ours["id"]), "N") == unknown["detail"].replace("99999", "N")


def test_particulars_for_the_committee_and_the_region_only(world):
    for holder in ("mediator", "coordinator", "admin"):
        party = world.client.get(f"/v1/disputes/{world.ours['id']}", headers=auth(holder)).json()["parties"][0]
        assert party["phone"] == "13904315678" and party["id_number"] and party["address"], holder
    listed = world.client.get("/v1/disputes", headers=auth("other_coordinator")).json()
    assert [d["id"] for d in listed["items"]] == [world.theirs["id"]]
    searched = world.client.post("/v1/disputes/search", json={"query": ""}, headers=auth("mediator")).json()
    assert {h["id"] for h in searched["hits"]} == {str(world.ours["id"])}
    assert "王建国" not in json.dumps(searched, ensure_ascii=False)  # the search copy is masked


def test_an_illegal_status_change_is_409_naming_the_current_status(world):
    response = world.client.patch(f"/v1/disputes/{world.ours['id']}", json={"status": "success"}, headers=auth("mediator"))
    assert response.status_code == 409 and "已受理" in response.json()["detail"]
    moved = world.client.patch(
        f"/v1/disputes/{world.ours['id']}", json={"status": "调解中", "note": "双方同意调解"}, headers=auth("mediator")
    )
    assert moved.status_code == 200 and moved.json()["status"] == "mediating"
    assert moved.json()["history"][-1]["actor"] == "测试mediator"


def test_invalid_input_is_422_naming_the_field(world):
    bad = world.client.post("/v1/disputes", json=dispute(dispute_type="吵架纠纷"), headers=auth("mediator"))
    assert bad.status_code == 422 and bad.json()["field"] == "dispute_type"
    wrong_kind = world.client.post(
        "/v1/disputes/import", files={"file": ("台账.txt", io.BytesIO(b"x"), "text/plain")}, headers=auth("admin")
    )
    assert wrong_kind.status_code == 422 and wrong_kind.json()["field"] == "file"


def test_an_import_reports_rows_and_lands_the_good_ones(world):
    good = json.dumps(dispute(parties=[{"name": "甲某人"}]), ensure_ascii=False)
    bad = json.dumps(dispute(received="2026-02-30", parties=[{"name": "乙某人"}]), ensure_ascii=False)
    report = world.client.post("/v1/disputes/import", headers=auth("mediator"), **upload(f"{good}\n{bad}\n")).json()
    assert report["imported"] == 1 and [r["row"] for r in report["rejected"]] == [2]
    assert report["search_copy"] == {"written": 1, "pending": 0} and report["path"] == "台账.jsonl"


def test_a_mediator_of_another_committee_imports_nothing_of_ours(world):
    report = world.client.post("/v1/disputes/import", headers=auth("other_mediator"), **upload()).json()
    assert report["imported"] == 0 and "权限" in report["rejected"][0]["reason"]


def test_the_agreement_document_carries_the_parties(world):
    import docx

    response = world.client.get(f"/v1/disputes/{world.ours['id']}/documents/agreement?format=docx", headers=auth("mediator"))
    assert response.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "王建国" in text and "人民调解协议书" in text


def test_start_up_applies_the_migrations(database_url, tmp_path):
    services = with_register(indexed_sample(), database_url, data_dir=tmp_path / "data")
    engine = create_register_engine(database_url)
    assert current_revision(engine) is None
    with TestClient(create_app(services, load_model=False)) as client:
        assert client.get("/healthz").status_code == 200
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_parallel_registrations_never_share_a_number(world):
    from concurrent.futures import ThreadPoolExecutor

    def register(n: int) -> str:
        body = dispute(parties=[{"role": "申请人", "name": f"并发{n}号"}])
        response = world.client.post("/v1/disputes", json=body, headers=auth("mediator"))
        assert response.status_code == 201, response.text
        return response.json()["number"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(register, range(16)))
    serials = sorted(int(n.split("第")[1].rstrip("号")) for n in numbers)
    assert len(set(numbers)) == 16 and serials == list(range(serials[0], serials[0] + 16))
