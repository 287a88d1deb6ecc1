"""Masked copies for search: no ID number, phone or address of the sample register reaches a document."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from disputes.indexing import SPEC, masked_source, prepare_dispute, week_of
from disputes.schema import DisputeIn, DisputeRecord
from kb_service.masking import is_valid_id_card

ID_LIKE = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
MOBILE_LIKE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
LANDLINE_LIKE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def as_record(number: int, data: dict) -> DisputeRecord:
    registration = DisputeIn.model_validate(data)
    return DisputeRecord(
        **registration.model_dump(exclude={"number"}),
        id=number,
        number=f"（2025）样本调字第{number}号",
        created_at=NOW,
        updated_at=NOW,
    )


@pytest.fixture(scope="module")
def prepared(sample_records, analyzer):
    records = [as_record(i, r) for i, r in enumerate(sample_records[::3], start=1)]
    return records, [prepare_dispute(r, analyzer)[0] for r in records]


def test_no_id_number_phone_or_address_reaches_a_document(prepared):
    records, documents = prepared
    assert len(documents) > 1_000
    secrets = set()
    for record in records:
        for party in record.parties:
            secrets.update(v for v in (party.id_number, party.phone, party.address) if v)
    assert len(secrets) > 1_000  # the sample does carry particulars
    for document in documents:
        dumped = json.dumps(
            [document.source, document.text, document.embed_text], ensure_ascii=False
        )
        assert not [m for m in ID_LIKE.findall(dumped) if is_valid_id_card(m)], document.id
        assert not MOBILE_LIKE.search(dumped), document.id
        assert not LANDLINE_LIKE.search(dumped), document.id
        for party in document.source["parties"]:
            assert set(party) <= {"role", "name", "kind", "unit"}
    for record, document in zip(records, documents, strict=True):  # each record's own particulars
        dumped = json.dumps(document.source, ensure_ascii=False)
        own = {v for p in record.parties for v in (p.id_number, p.phone, p.address) if v}
        assert not [s for s in own if s in dumped], document.id


def test_names_of_people_are_masked_everywhere(prepared):
    records, documents = prepared
    for record, document in zip(records, documents, strict=True):
        dumped = json.dumps(
            [document.source, document.text, document.embed_text], ensure_ascii=False
        )
        for party in record.parties:
            if party.kind == "person":
                assert party.name not in dumped, (party.name, document.source["description"])
    assert any("某某" in d.source["description"] for d in documents)
    organisations = [
        p["name"] for d in documents for p in d.source["parties"] if p["kind"] == "org"
    ]
    assert organisations and not any("某某" in name for name in organisations)


def test_a_masked_text_keeps_what_is_not_personal():
    record = as_record(
        1,
        {
            "received": "2025-03-12", "dispute_type": "labor", "region": "吉林省/长春市/农安县/兴隆镇",
            "committee": "农安县兴隆镇人民调解委员会", "description": "申请人王建国等12名工人被拖欠工资86000元，联系电话13904315678。",
            "parties": [{"role": "申请人", "name": "王建国", "phone": "13904315678"}, {"role": "被申请人", "name": "长春华兴建筑工程有限公司"}],
            "people_involved": 12, "amount": 86000, "status": "mediating",
        },
    )  # fmt: skip
    source = masked_source(record)
    assert source["description"].startswith("申请人王某某等12名工人被拖欠工资86000元")
    assert "[手机号]" in source["description"]
    assert source["parties"][1]["name"] == "长春华兴建筑工程有限公司"


def test_documents_carry_the_filterable_fields(prepared):
    _, documents = prepared
    schema = SPEC.schema(8)
    assert SPEC.name == "disputes"
    filterable = (
        schema.keyword_fields | schema.date_fields | schema.number_fields | schema.bool_fields
    )
    assert {"dispute_type", "region", "region_path", "committee", "status", "received", "amount",
            "people_involved", "org_level", "channel", "week", "month"} <= filterable  # fmt: skip
    source = documents[0].source
    assert source["region_path"][0] == "吉林省" and source["region"] in source["region_path"]
    assert source["week"] == week_of(dt.date.fromisoformat(source["received"]))
    assert dt.date.fromisoformat(source["week"]).weekday() == 0
    assert source["month"] == source["received"][:7]
    assert source["dispute_type_label"] and source["status_label"]
    assert set(documents[0].text) == set(schema.text_fields)
    assert list(SPEC.load([])) == []
