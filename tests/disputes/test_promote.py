"""Back into the library: a settled dispute becomes a masked case draft; a coordinator approves
(the case file is written and indexed) or rejects it with a note. On both databases."""

from __future__ import annotations

import json

import pytest
import yaml

from disputes.queries import DisputeDesk
from indexer.run import index_libraries
from kb_service.access import Principal, Role
from kb_service.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from kb_service.settings import load_settings
from tests.disputes.conftest import COMMITTEE, dispute, valid_id
from tests.disputes.wiring import fake_services, with_register

MEDIATOR = Principal("南湖调委会周建华", Role.mediator, committee=COMMITTEE)
COORDINATOR = Principal("长春市司法局", Role.coordinator, region="吉林省/长春市")
OUTSIDER = Principal("延边州司法局", Role.coordinator, region="吉林省/延边朝鲜族自治州")
APPLICANT_ID = valid_id()
SECRETS = ("王建国", "李秀英", "刘晓梅", APPLICANT_ID, "13904315678", "13812345678", "幸福街8号3单元201室", "0431-88886666")


@pytest.fixture
def services(migrated_database_url, tmp_path):
    services = with_register(fake_services(load_settings(data_dir=tmp_path / "data"), tmp_path), migrated_database_url)
    yield services
    services.close()


def settled(services) -> dict:
    """A dispute whose texts repeat the parties' names, numbers and address, settled with an agreement."""
    desk = DisputeDesk(services, MEDIATOR)
    added = desk.add(
        dispute(
            description="申请人王建国（电话13904315678，住长春市南关区幸福街8号3单元201室）反映楼上李秀英家夜间噪音扰民，"
            "证人刘晓梅证实噪音多发生在晚十时后。依据《中华人民共和国民法典》第二百八十八条协商解决。",
            parties=[
                {"role": "申请人", "name": "王建国", "id_number": APPLICANT_ID, "phone": "13904315678",
                 "address": "长春市南关区幸福街8号3单元201室"},
                {"role": "被申请人", "name": "李秀英", "phone": "0431-88886666"},
                {"role": "第三人", "name": "长春万家物业服务有限公司"},
            ],  # fmt: skip
        )
    )
    desk.update(added["id"], {"status": "mediating"}, note="与李秀英电话沟通（13812345678），同意面谈")
    desk.update(
        added["id"],
        {"status": "success", "agreement": [{"text": "李秀英家于一周内加装减震垫，晚九时后不再使用跑步机", "deadline": "2026-03-20"},
                                            {"text": "王建国不再敲击暖气管道"}]},  # fmt: skip
        note="双方在调解室签订协议",
    )
    return added


def test_a_draft_is_a_masked_case_in_the_library_format(services):
    added = settled(services)
    draft = DisputeDesk(services, MEDIATOR).promote(added["id"])
    content = draft["content"]
    assert draft["status"] == "pending" and draft["case_id"] == f"case-dispute-{added['id']}"
    for secret in SECRETS:
        assert secret not in content, secret
    assert "王某某" in content and "李某某" in content and "[地址]" in content
    front, body = content.removeprefix("---\n").split("---\n", 1)
    meta = yaml.safe_load(front)
    assert (meta["outcome"], meta["dispute_type"]) == ("success", "neighbor")
    assert meta["legal_basis"] == ["《中华人民共和国民法典》第二百八十八条"]
    assert {p["name"] for p in meta["parties"]} == {"王某某", "李某某", "长春万家物业服务有限公司"}
    for heading in ("## 纠纷事实", "## 调解过程", "## 调解结果", "## 协议内容"):
        assert heading in body
    assert "调解中" in body and "同意面谈" in body and "履行期限：2026-03-20" in body


def test_only_settled_disputes_are_promoted_once(services):
    desk = DisputeDesk(services, MEDIATOR)
    open_one = desk.add(dispute())
    with pytest.raises(ConflictError, match="已受理"):
        desk.promote(open_one["id"])
    added = settled(services)
    desk.promote(added["id"])
    with pytest.raises(ConflictError, match="待审核"):
        desk.promote(added["id"])


def test_a_rejection_needs_a_reason_and_is_recorded(services):
    draft = DisputeDesk(services, MEDIATOR).promote(settled(services)["id"])
    coordinator = DisputeDesk(services, COORDINATOR)
    with pytest.raises(InvalidInputError, match="原因"):
        coordinator.review(draft["id"], "rejected", note="")
    with pytest.raises(PermissionDeniedError):
        DisputeDesk(services, MEDIATOR).review(draft["id"], "rejected", note="x")
    rejected = coordinator.review(draft["id"], "rejected", note="调解过程过简，请补充")
    assert (rejected["status"], rejected["reviewed_by"], rejected["review_note"]) == (
        "rejected", COORDINATOR.name, "调解过程过简，请补充"
    )
    with pytest.raises(ConflictError, match="已退回"):
        coordinator.review(draft["id"], "approved", note=None)
    again = DisputeDesk(services, MEDIATOR).promote(rejected["dispute_id"])  # after a rejection: anew
    assert again["id"] != draft["id"]
    assert [d["status"] for d in coordinator.list_drafts(None)] == ["pending", "rejected"]


def test_an_approved_draft_joins_the_library_and_stays_after_a_rebuild(services, tmp_path):
    draft = DisputeDesk(services, MEDIATOR).promote(settled(services)["id"])
    assert DisputeDesk(services, OUTSIDER).list_drafts() == []
    with pytest.raises(NotFoundError):
        DisputeDesk(services, OUTSIDER).review(draft["id"], "approved", note=None)
    approved = DisputeDesk(services, COORDINATOR).review(draft["id"], "approved", note="可作示范")
    assert approved["status"] == "approved" and approved["indexed"] is True
    path = services.settings.data_dir / "library" / "cases" / f"{draft['case_id']}.md"
    assert approved["library_file"] == str(path) and path.read_text(encoding="utf-8") == draft["content"]
    stored = services.store.get("cases", draft["case_id"])
    assert stored["outcome"] == "success" and "王某某" in stored["facts"]
    assert not any(secret in json.dumps(stored, ensure_ascii=False) for secret in SECRETS)

    empty = tmp_path / "empty-library"
    empty.mkdir()
    report = index_libraries(services, [empty], rebuild=True, progress=False)
    assert report["cases"]["indexed"] == 1 and services.store.get("cases", draft["case_id"])
