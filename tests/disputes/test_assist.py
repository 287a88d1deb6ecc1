"""The workbench over the sample library (stand-in encoder: plumbing, not ranking quality):
similar cases of the dispute's type with their summary, experts with reasons and the parties'
conflicts, agreement clauses from settled similar cases marked as suggestions, suggested articles,
and a hint when the description reads as another kind of dispute than the one registered."""

from __future__ import annotations

import pytest

from disputes.assist import SUGGESTED, assist, dispute_text
from disputes.queries import DisputeDesk
from kb_service.access import Principal, Role
from kb_service.settings import load_settings
from tests.disputes.conftest import COMMITTEE, dispute
from tests.disputes.wiring import fake_services, indexed_sample, with_register

MEDIATOR = Principal("南湖调委会", Role.mediator, committee=COMMITTEE)
MEDICAL = dispute(
    dispute_type="医疗纠纷",
    description="申请人崔英子的丈夫在医院做胆囊手术后第二天死亡，家属认为医院术后观察不到位，存在过错，要求赔偿。",
    claims="要求医院赔偿医疗费、丧葬费等共计30万元",
    parties=[
        {"role": "申请人", "name": "崔英子", "phone": "13904315678", "address": "延吉市河南街12号"},
        {"role": "被申请人", "name": "延边康宁医院", "unit": "延边康宁医院"},
    ],
)


@pytest.fixture
def desk(migrated_database_url):
    services = with_register(indexed_sample(), migrated_database_url)
    return DisputeDesk(services, MEDIATOR)


def test_the_workbench_brings_cases_experts_and_suggested_clauses(desk):
    added = desk.add(MEDICAL)
    help = desk.assist(added["id"])
    assert set(help) >= {"similar_cases", "experts", "laws", "agreement_suggestions", "risks", "notes"}
    hits = help["similar_cases"]["hits"]
    assert hits and all(h["dispute_type"] == "medical" for h in hits)
    assert help["similar_cases"]["summary"]["cases"] == len(hits)

    candidates = help["experts"]["candidates"]
    assert candidates and all(c["reasons"] for c in candidates)
    excluded = {e["name"]: e["reason"] for e in help["experts"]["excluded"]}
    assert any("延边康宁医院" in reason for reason in excluded.values()), excluded  # the party drives conflicts

    settled = {h["id"] for h in hits if h.get("outcome") in ("success", "partial")}
    suggestions = help["agreement_suggestions"]
    assert suggestions and all(s["note"] == SUGGESTED for s in suggestions)
    store = indexed_sample().store
    for s in suggestions:
        assert s["case_id"] in settled
        agreement = store.get("cases", s["case_id"])["agreement"]
        assert s["text"].rstrip("。")[:10] in agreement


def test_the_searches_see_the_masked_dispute_only(desk):
    record = desk.record(desk.add(MEDICAL)["id"])
    text = dispute_text(record)
    assert "崔某某" in text and "崔英子" not in text
    assert "13904315678" not in text and "河南街12号" not in text


def test_an_unindexed_library_gives_notes_not_errors(database_url, tmp_path):
    services = with_register(fake_services(load_settings(data_dir=tmp_path / "data"), tmp_path), database_url)
    desk = DisputeDesk(services, MEDIATOR)
    help = assist(services, desk.record(desk.add(dispute())["id"]))
    assert help["similar_cases"]["hits"] == [] and help["experts"]["candidates"] == []
    assert "kb index" in help["notes"]["similar_cases"] and "kb index" in help["notes"]["experts"]
    assert help["agreement_suggestions"] == []


def test_the_workbench_brings_articles_once_the_laws_domain_is_indexed(desk):
    help = desk.assist(desk.add(MEDICAL)["id"])
    assert "laws" not in help["notes"], help["notes"]
    assert help["laws"], "a medical dispute gets suggested articles"


def test_a_description_of_another_kind_of_dispute_is_pointed_out(desk):
    help = desk.assist(desk.add({**MEDICAL, "dispute_type": "婚姻纠纷"})["id"])
    guess = help["dispute_type_guess"]
    assert guess["dispute_type"] == "medical", guess
    assert "医疗纠纷" in help["notes"]["dispute_type"] and "核对" in help["notes"]["dispute_type"]
    assert desk.record(help["dispute"]["id"]).dispute_type == "marriage"  # a hint, never a change


def test_no_type_hint_when_the_registered_type_fits(desk):
    help = desk.assist(desk.add(MEDICAL)["id"])
    assert help["dispute_type_guess"]["dispute_type"] == "medical"
    assert "dispute_type" not in help["notes"]
