"""Rule alerts over dispute records: thresholds, party matching, withdrawn disputes, dedupe keys.

Every person here is invented.
"""

from __future__ import annotations

import datetime as dt

import pytest

from alerts.model import new_alerts
from alerts.rules import (
    EscalationRule,
    GroupRule,
    OverdueRule,
    RuleConfig,
    escalation_words,
    rule_alerts,
)
from kb_service.errors import InvalidInputError

AS_OF = dt.date(2026, 3, 31)
REGION = "吉林省/长春市/南关区/永吉街道"
ID_WANG = "220102198003154417"
ID_OTHER = "220102199107220028"


def dispute(id: str, *, received: dt.date = AS_OF, **fields) -> dict:
    record = {
        "id": id,
        "received": received.isoformat(),
        "status": "mediating",
        "dispute_type": "neighbor",
        "region": REGION,
        "committee": "永吉街道人民调解委员会",
        "description": "邻居之间因排水沟堵塞发生争执。",
        "parties": [{"role": "申请人", "name": "赵春梅"}, {"role": "被申请人", "name": "钱立军"}],
    }
    return record | fields


def of_kind(alerts, kind):
    return [a for a in alerts if a.kind == kind]


def days_before(days: int) -> dt.date:
    return AS_OF - dt.timedelta(days=days)


# --- group --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "alerts"),
    [
        ({"people_involved": 10}, True),
        ({"people_involved": 9}, False),
        ({"amount": 100_000}, True),
        ({"amount": 99_999.99}, False),
        ({"dispute_type": "labor", "description": "包工头拖欠工资半年。", "people_involved": 5}, True),
        ({"dispute_type": "labor", "description": "包工头拖欠工资半年。", "people_involved": 4}, False),
        # five people in a labour dispute that is not about wages: the general 10 applies
        ({"dispute_type": "劳动争议纠纷", "description": "工伤认定有争议。", "people_involved": 5}, False),
    ],
)
def test_group_thresholds_are_at_least(fields, alerts):
    found = of_kind(rule_alerts([dispute("D1", **fields)], AS_OF), "group")
    assert bool(found) is alerts
    if alerts:
        assert found[0].level == "yellow" and found[0].disputes == ("D1",)
        assert "群体性纠纷" in found[0].reason


def test_group_level_rises_with_size_and_counts_parties_when_no_number_is_given():
    levels = {
        people: of_kind(rule_alerts([dispute("D1", people_involved=people)], AS_OF), "group")[0].level
        for people in (10, 30, 100)
    }
    assert levels == {10: "yellow", 30: "orange", 100: "red"}
    parties = [{"name": f"工人{i}号", "kind": "person"} for i in range(12)] + [{"name": "某建筑公司", "kind": "org"}]
    found = of_kind(rule_alerts([dispute("D2", parties=parties)], AS_OF), "group")
    assert found and found[0].observed == 12


def test_group_thresholds_are_settings():
    config = RuleConfig(group=GroupRule(people=20, amount=500_000))
    assert not rule_alerts([dispute("D1", people_involved=12, amount=200_000)], AS_OF, config)


# --- repeat -------------------------------------------------------------------------------------


OTHER_SIDES = iter(f"{family}{given}" for family in "孙李周吴郑冯陈褚卫蒋" for given in ("晓燕", "志强", "秀兰"))


def party(name: str, id_number: str | None = None) -> list[dict]:
    """``name`` against someone new each time."""
    mention = {"role": "申请人", "name": name}
    if id_number:
        mention["id_number"] = id_number
    return [mention, {"role": "被申请人", "name": next(OTHER_SIDES)}]


def test_the_same_id_number_within_90_days_is_a_repeat_and_91_days_is_not():
    inside = [
        dispute("D1", received=days_before(95), parties=party("王建国", ID_WANG), status="success"),
        dispute("D2", received=days_before(5), parties=party("王建国", ID_WANG)),
    ]
    found = of_kind(rule_alerts(inside, AS_OF, kinds=["repeat"]), "repeat")
    assert len(found) == 1 and found[0].disputes == ("D1", "D2")
    assert found[0].level == "yellow"
    outside = [replace_received(inside[0], days_before(96)), inside[1]]
    assert not rule_alerts(outside, AS_OF, kinds=["repeat"])


def replace_received(record: dict, day: dt.date) -> dict:
    return record | {"received": day.isoformat()}


def test_a_party_with_and_without_an_id_number_is_matched_by_name_and_county():
    records = [
        dispute("D1", received=days_before(40), parties=party("王建国", ID_WANG)),
        # registered at a village committee in the same county, without the ID number
        dispute("D2", received=days_before(3), parties=party("王 建国"), region="吉林省/长春市/南关区/桃源街道/东岭社区"),
    ]
    found = of_kind(rule_alerts(records, AS_OF), "repeat")
    assert len(found) == 1 and set(found[0].disputes) == {"D1", "D2"}
    assert ID_WANG not in found[0].reason and ID_WANG not in found[0].key
    assert "王建国" not in found[0].key
    elsewhere = [records[0], records[1] | {"region": "吉林省/吉林市/船营区"}]
    assert not of_kind(rule_alerts(elsewhere, AS_OF), "repeat")


def test_namesakes_with_different_id_numbers_are_different_people():
    records = [
        dispute("D1", received=days_before(40), parties=party("王建国", ID_WANG)),
        dispute("D2", received=days_before(3), parties=party("王建国", ID_OTHER)),
    ]
    assert not of_kind(rule_alerts(records, AS_OF), "repeat")
    # A mention without an ID could be either of them: matched to no one.
    ambiguous = [*records, dispute("D3", received=days_before(1), parties=party("王建国"))]
    assert not of_kind(rule_alerts(ambiguous, AS_OF), "repeat")


def test_parties_who_come_back_together_make_one_alert():
    both = [{"name": "赵春梅"}, {"name": "钱立军"}]
    records = [
        dispute("D1", received=days_before(50), parties=both),
        dispute("D2", received=days_before(4), parties=both),
    ]
    found = of_kind(rule_alerts(records, AS_OF), "repeat")
    assert len(found) == 1
    assert "赵春梅" in found[0].reason and "钱立军" in found[0].reason


def test_masked_names_are_never_matched_by_name():
    records = [
        dispute("D1", received=days_before(20), parties=party("王某")),
        dispute("D2", received=days_before(2), parties=party("王某")),
    ]
    assert not [a for a in of_kind(rule_alerts(records, AS_OF), "repeat") if "王某" in a.reason]


def test_a_third_dispute_raises_the_level_and_a_new_period_a_new_alert():
    records = [
        dispute("D1", received=days_before(60), parties=party("王建国", ID_WANG)),
        dispute("D2", received=days_before(20), parties=party("王建国", ID_WANG)),
        dispute("D3", received=days_before(2), parties=party("王建国", ID_WANG)),
    ]
    found = of_kind(rule_alerts(records, AS_OF), "repeat")
    by_period = {a.period: a for a in found}
    assert len(by_period) == 2  # D2's week and D3's week (D1 is older than the 30-day lookback)
    latest = max(by_period.values(), key=lambda a: a.period)
    assert latest.level == "orange" and latest.disputes == ("D1", "D2", "D3")


# --- escalation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("申请人扬言若拿不到赔偿就跳楼。", "red"),
        ("被申请人多次说要和对方同归于尽。", "red"),
        ("当事人称如不解决就去上访。", "orange"),
        ("经调解员劝说，当事人表示不会上访。", None),
        ("当事人已放弃上访，同意调解。", None),
        ("双方均未上访。", None),
        ("调解员劝其不要上访，依法维权。", "orange"),  # the intent was there
        ("商家打出跳楼价促销，消费者认为虚假宣传。", None),
        ("双方因进京务工期间的工钱结算发生争执。", None),
        ("患者术后感染，家属要求赔偿动手术的费用。", None),
        ("申请人威胁要拉横幅，并扬言报复。", "orange"),
    ],
)
def test_escalation_words_respect_negation_and_other_meanings(text, level):
    found = of_kind(rule_alerts([dispute("D1", description=text)], AS_OF), "escalation")
    assert (found[0].level if found else None) == level
    if found:
        assert "激化苗头" in found[0].reason


def test_the_escalation_list_is_a_setting_and_claims_are_read_too():
    rule = EscalationRule(words={"网上发帖": "yellow"})
    assert escalation_words("扬言跳楼", rule) == {}
    config = RuleConfig(escalation=rule)
    found = rule_alerts([dispute("D1", claims="否则将在网上发帖")], AS_OF, config, kinds=["escalation"])
    assert [a.level for a in found] == ["yellow"]


# --- overdue ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "level"), [(30, None), (31, "yellow"), (60, "yellow"), (61, "orange"), (91, "red")]
)
def test_overdue_is_longer_than_the_limit(days, level):
    found = of_kind(rule_alerts([dispute("D1", received=days_before(days))], AS_OF), "overdue")
    assert (found[0].level if found else None) == level
    if found:
        assert found[0].observed == days and f"已{days}天" in found[0].reason


def test_a_committee_can_have_its_own_limit_and_closed_disputes_are_never_overdue():
    config = RuleConfig(overdue=OverdueRule(per_committee={"永吉街道人民调解委员会": 15}))
    assert of_kind(rule_alerts([dispute("D1", received=days_before(16))], AS_OF, config), "overdue")
    assert not of_kind(rule_alerts([dispute("D1", received=days_before(15))], AS_OF, config), "overdue")
    for status in ("success", "partial", "failed", "referred"):
        closed = dispute("D1", received=days_before(200), status=status)
        assert not of_kind(rule_alerts([closed], AS_OF), "overdue")
    registered = dispute("D1", received=days_before(40), status="已受理")
    assert of_kind(rule_alerts([registered], AS_OF), "overdue")


def test_a_rise_in_overdue_level_is_a_new_alert():
    first = rule_alerts([dispute("D1", received=days_before(31))], AS_OF)
    later = rule_alerts([dispute("D1", received=days_before(31))], AS_OF + dt.timedelta(days=40))
    assert new_alerts(later, known_keys=[a.key for a in first])


# --- withdrawn, as-of, dedupe -------------------------------------------------------------------


def test_a_withdrawn_dispute_raises_nothing_and_counts_toward_nothing():
    withdrawn = dispute(
        "D1",
        received=days_before(45),
        status="withdrawn",
        people_involved=40,
        description="申请人扬言要跳楼。",
        parties=party("王建国", ID_WANG),
    )
    refiled = dispute("D2", received=days_before(2), parties=party("王建国", ID_WANG))
    alerts = rule_alerts([withdrawn, refiled], AS_OF)
    assert all("D1" not in a.disputes for a in alerts)
    assert not of_kind(alerts, "repeat")
    assert not rule_alerts([withdrawn | {"status": "撤回"}], AS_OF)


def test_checks_run_as_of_a_date():
    later = dispute("D1", received=AS_OF + dt.timedelta(days=1), people_involved=50)
    assert not rule_alerts([later], AS_OF)
    old_closed = dispute("D2", received=days_before(200), status="success", people_involved=50)
    assert not rule_alerts([old_closed], AS_OF)  # outside the 30-day lookback
    assert rule_alerts([old_closed], days_before(190))


def test_running_again_raises_nothing_new():
    records = [
        dispute("D1", people_involved=12, description="扬言上访", received=days_before(40)),
        dispute("D2", received=days_before(10), parties=party("赵春梅")),
    ]
    first = rule_alerts(records, AS_OF)
    assert {a.kind for a in first} == {"group", "escalation", "overdue", "repeat"}
    assert len({a.key for a in first}) == len(first)
    assert rule_alerts(records, AS_OF) == first
    assert new_alerts(rule_alerts(records, AS_OF), known_keys=[a.key for a in first]) == []
    shown = first[0].to_dict()
    assert {"id", "kind", "level", "region", "dispute_type", "period", "observed", "expected",
            "method", "reason", "disputes"} <= shown.keys()


def test_bad_records_and_kinds_are_refused_in_chinese():
    with pytest.raises(InvalidInputError, match="受理日期"):
        rule_alerts([{"id": "D1", "received": "去年"}], AS_OF)
    with pytest.raises(InvalidInputError, match="未知的预警类型"):
        rule_alerts([], AS_OF, kinds=["surge"])
