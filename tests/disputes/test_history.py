"""History: every change with who, when, which field, old → new and the note; contact data stays hidden."""

from __future__ import annotations

import datetime as dt

import pytest

from kb_service.errors import InvalidInputError
from tests.disputes.conftest import dispute, valid_id


def test_registration_and_each_change_are_recorded(register):
    before = dt.datetime.now(dt.UTC)
    record = register.add(dispute(), actor="周建华")
    register.change_status(record.id, "mediating", actor="周建华", note="双方同意调解")
    register.update(
        record.id, {"amount": "1.2万", "claims": "要求赔偿损失"}, actor="孙丽", note="补充诉求"
    )
    history = register.get(record.id).history

    assert [(h.action, h.field) for h in history] == [
        ("created", None),
        ("status", "status"),
        ("updated", "claims"),
        ("updated", "amount"),
    ]
    created, status, claims, amount = history
    assert created.actor == "周建华" and created.new["number"] == record.number
    assert (status.old, status.new, status.note) == ("registered", "mediating", "双方同意调解")
    assert (claims.old, claims.new) == ("要求停止噪音干扰", "要求赔偿损失")
    assert (amount.old, amount.new, amount.actor, amount.note) == (None, 12000, "孙丽", "补充诉求")
    assert all(before <= h.at <= dt.datetime.now(dt.UTC) for h in history)
    assert history[0].at <= history[-1].at


def test_an_update_that_changes_nothing_leaves_no_trace(register):
    record = register.add(dispute(), actor="周建华")
    same = register.update(
        record.id, {"claims": "要求停止噪音干扰", "dispute_type": "neighbor"}, actor="x"
    )
    assert len(same.history) == 1
    assert same.updated_at == record.updated_at


def test_closing_records_the_closing_date_too(register):
    record = register.add(dispute(), actor="周建华")
    register.change_status(record.id, "mediating", actor="周建华")
    closed = register.change_status(
        record.id, "success", actor="周建华", closed_on=dt.date(2026, 3, 20)
    )
    assert closed.closed_on == dt.date(2026, 3, 20)
    assert ("closed_on", None, "2026-03-20") in [(h.field, h.old, h.new) for h in closed.history]


def test_party_changes_hide_particulars_from_readers_without_contact_rights(register):
    record = register.add(dispute(), actor="周建华")
    secret_id = valid_id()
    parties = [p.model_dump() for p in record.parties]
    parties[1]["id_number"] = secret_id
    updated = register.update(record.id, {"parties": parties}, actor="周建华", note="补录身份证号")
    entry = updated.history[-1]
    assert entry.field == "parties" and entry.new[1]["id_number"] == secret_id

    hidden = updated.as_dict(contact=False)
    text = str(hidden)
    for secret in (
        secret_id,
        record.parties[0].id_number,
        "13904315678",
        "0431-88886666",
        "幸福街",
    ):
        assert secret not in text
    assert hidden["parties"][0]["name"] == "王建国"
    assert str(updated.as_dict(contact=True)).count(secret_id) >= 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"number": "（2026）南关调字第99号"}, "number"),
        ({"committee": "别的调解委员会"}, "committee"),
        ({"colour": "red"}, "colour"),
        ({"received": "2026年13月1日"}, "received"),
        ({"parties": []}, "parties"),
    ],
)
def test_bad_updates_name_the_field(register, changes, field):
    record = register.add(dispute(), actor="周建华")
    with pytest.raises(InvalidInputError) as refused:
        register.update(record.id, changes, actor="周建华")
    assert refused.value.field == field
    assert len(register.get(record.id).history) == 1


def test_text_values_from_a_form_or_the_command_line(register):
    record = register.add(dispute(), actor="周建华")
    updated = register.update(
        record.id,
        {
            "parties": "申请人：王建国（电话：13904315678）；被申请人：李秀英、张强",
            "agreement": "1. 李秀英晚九点后控制噪音（履行期限：2026年4月1日）\n2. 双方互谅互让",
            "people_involved": "3人",
        },
        actor="周建华",
    )
    assert [p.name for p in updated.parties] == ["王建国", "李秀英", "张强"]
    assert updated.agreement[0].deadline == dt.date(2026, 4, 1) and updated.people_involved == 3
