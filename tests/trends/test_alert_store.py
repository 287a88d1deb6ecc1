"""Alerts stored once per key across runs, acknowledged with a note, seen within the caller's scope;
a surge in a township found by the default method and stored with its disputes."""

from __future__ import annotations

import datetime as dt

import pytest

from disputes.records import Scope
from kb_service.errors import InvalidInputError, NotFoundError
from tests.disputes.conftest import COMMITTEE, REGION
from tests.trends.conftest import COMMITTEE_B, REGION_B, add
from trends.alert_store import AlertStore
from trends.monitor import check, judged_period

AS_OF = dt.date(2026, 3, 10)


@pytest.fixture
def flagged(small):
    """The small register plus a group dispute (12 people) in 红旗街道 and an escalation in 南湖."""
    small.group_id = add(small, "2026-03-09", "labor", committee=COMMITTEE_B, region=REGION_B, people_involved=12,
                         description="某建筑公司拖欠十二名工人工资共计八万元。")  # fmt: skip
    small.escalation_id = add(small, "2026-03-09", description="申请人扬言若不解决将到省里上访。")
    return small


def kinds(alerts):
    return sorted((a["kind"], a["disputes"][0]) for a in alerts)


def test_a_second_run_raises_nothing_new(flagged):
    first = check(flagged, AS_OF)
    stored = AlertStore(flagged.engine).list()
    assert ("group", flagged.group_id) in kinds(stored) and (
        "escalation",
        flagged.escalation_id,
    ) in kinds(stored)
    assert sorted(first["new"]) == sorted(a["id"] for a in stored)
    assert check(flagged, AS_OF)["new"] == []
    assert (
        check(flagged, AS_OF + dt.timedelta(days=1))["new"] == []
    )  # the next day: the same disputes, nothing new
    assert len(AlertStore(flagged.engine).list()) == len(stored)


def test_a_withdrawn_dispute_raises_no_alert(flagged):
    flagged.change_status(flagged.escalation_id, "withdrawn", actor="测试", note="撤回")
    check(flagged, AS_OF)
    assert ("escalation", flagged.escalation_id) not in kinds(AlertStore(flagged.engine).list())


def test_a_coordinator_acknowledges_with_a_note(flagged):
    check(flagged, AS_OF)
    store = AlertStore(flagged.engine)
    alert = next(a for a in store.list() if a["kind"] == "group")
    with pytest.raises(InvalidInputError) as refused:
        store.acknowledge(
            alert["id"], actor="王协调", note="  ", scope=Scope(region="吉林省/长春市")
        )
    assert refused.value.field == "note"
    with pytest.raises(NotFoundError):  # outside the coordinator's region: as if it did not exist
        store.acknowledge(
            alert["id"],
            actor="朴协调",
            note="已知悉",
            scope=Scope(region="吉林省/延边朝鲜族自治州"),
        )
    done = store.acknowledge(
        alert["id"],
        actor="王协调",
        note="已约谈企业负责人，工资分两期支付",
        scope=Scope(region="吉林省/长春市"),
    )
    assert done["acknowledged"] and done["acks"][0]["actor"] == "王协调"
    assert done["acks"][0]["note"] == "已约谈企业负责人，工资分两期支付" and done["acks"][0]["at"]
    assert store.list()[-1]["id"] == alert["id"]  # acknowledged alerts go below the open ones


def test_alerts_are_seen_within_the_scope(flagged):
    check(flagged, AS_OF)
    store = AlertStore(flagged.engine)
    ours = kinds(store.list(Scope(committee=COMMITTEE)))
    assert ("escalation", flagged.escalation_id) in ours and all(
        d != flagged.group_id for _, d in ours
    )
    assert ("group", flagged.group_id) in kinds(store.list(Scope(region="吉林省/长春市/朝阳区")))
    assert store.list(Scope(region="吉林省/延边朝鲜族自治州")) == []
    assert kinds(store.list(dispute_id=flagged.group_id)) == [("group", flagged.group_id)]


def test_a_township_surge_is_raised_once_with_its_disputes(small):
    # 12 weeks of two wage disputes a week in 南湖街道, then eleven in one week
    start = dt.date(2025, 12, 1)
    for week in range(12):
        for offset in (0, 3):
            add(small, (start + dt.timedelta(weeks=week, days=offset)).isoformat(), "labor")
    surge_week = start + dt.timedelta(weeks=12)
    ids = [
        add(small, (surge_week + dt.timedelta(days=n % 5)).isoformat(), "labor") for n in range(11)
    ]
    as_of = surge_week + dt.timedelta(days=6)  # the Sunday ending the surge week
    assert judged_period(as_of, "week") == surge_week
    check(small, as_of)
    surges = [a for a in AlertStore(small.engine).list() if a["kind"] == "surge"]
    cells = {a["region"] for a in surges}
    assert REGION in cells  # the township, and the county and city above it
    township = next(a for a in surges if a["region"] == REGION)
    assert township["dispute_type"] == "labor" and township["observed"] == 11
    assert township["method"].startswith("ears_") and township["period"] == "2026-W09"
    assert township["disputes"] == sorted(ids) and "劳动争议纠纷" in township["reason"]
    assert check(small, as_of)["new"] == []
    assert (
        check(small, as_of - dt.timedelta(days=1))["new"] == []
    )  # the week is not over yet: not judged
