"""Listing: filters by status, type, region prefix, committee, dates and party; paging newest first."""

from __future__ import annotations

import datetime as dt

import pytest

from disputes.schema import DisputeFilter
from kb_service.errors import InvalidInputError
from tests.disputes.conftest import dispute

ROWS = [
    # (received, type, region suffix, committee, status)
    ("2026-01-10", "labor", "南关区/南湖街道", "南湖", "registered"),
    ("2026-02-03", "neighbor", "南关区/南湖街道", "南湖", "mediating"),
    ("2026-02-20", "neighbor", "朝阳区/红旗街道", "红旗", "success"),
    ("2026-03-01", "family", "朝阳区/红旗街道", "红旗", "withdrawn"),
    ("2026-03-15", "labor", "农安县/兴隆镇", "兴隆", "mediating"),
]


@pytest.fixture
def filled(register):
    ids = []
    for number, (received, kind, place, committee, status) in enumerate(ROWS):
        record = register.add(
            dispute(
                received=received,
                dispute_type=kind,
                region=f"吉林省/长春市/{place}",
                committee=f"{committee}人民调解委员会",
                parties=[
                    {"role": "申请人", "name": f"申请人{number}"},
                    {"role": "被申请人", "name": "共同的人"},
                ],
            ),
            actor="调解员",
        )
        if status != "registered":
            steps = {
                "mediating": ["mediating"],
                "success": ["mediating", "success"],
                "withdrawn": ["withdrawn"],
            }
            for step in steps[status]:
                register.change_status(record.id, step, actor="调解员")
        ids.append(record.id)
    return ids


def received(page) -> list[str]:
    return [r.received.isoformat() for r in page.items]


FILTER_TABLE = [
    ({}, ["2026-03-15", "2026-03-01", "2026-02-20", "2026-02-03", "2026-01-10"]),
    ({"status": ["调解中"]}, ["2026-03-15", "2026-02-03"]),
    ({"status": ["registered", "mediating"]}, ["2026-03-15", "2026-02-03", "2026-01-10"]),
    ({"dispute_type": "劳动争议纠纷"}, ["2026-03-15", "2026-01-10"]),
    ({"dispute_type": ["neighbor", "family"]}, ["2026-03-01", "2026-02-20", "2026-02-03"]),
    ({"region": "吉林省/长春市/朝阳区"}, ["2026-03-01", "2026-02-20"]),
    (
        {"region": "吉林省/长春市/"},
        ["2026-03-15", "2026-03-01", "2026-02-20", "2026-02-03", "2026-01-10"],
    ),
    ({"committee": "兴隆人民调解委员会"}, ["2026-03-15"]),
    (
        {"received_from": "2026年2月1日", "received_to": "2026/3/1"},
        ["2026-03-01", "2026-02-20", "2026-02-03"],
    ),
    ({"from": "2026-03-01"}, ["2026-03-15", "2026-03-01"]),
    ({"date_to": "2026-01-31"}, ["2026-01-10"]),
    ({"party": "申请人2"}, ["2026-02-20"]),
    ({"party": "共同的人", "status": "success"}, ["2026-02-20"]),
    ({"region": "吉林省/长春市/朝阳区", "dispute_type": "labor"}, []),
]
"""(filters, the received dates listed): one register filled once, every row checked on it."""


def test_filters(register, filled):
    for filters, expected in FILTER_TABLE:
        page = register.list(filters)
        assert received(page) == expected, filters
        assert page.total == len(expected) == register.count(filters), filters


def test_paging_keeps_the_order_and_the_total(register, filled):
    first = register.list(size=2)
    second = register.list(size=2, offset=2)
    third = register.list(size=2, offset=4)
    assert first.total == second.total == third.total == 5
    assert received(first) + received(second) + received(third) == received(register.list())
    assert register.list(offset=10).items == []


def test_listing_leaves_history_out_and_iter_reads_everything(register, filled):
    assert all(r.history is None for r in register.list().items)
    assert "history" not in register.list().items[0].as_dict()
    assert sorted(r.id for r in register.iter(batch=2)) == sorted(filled)
    assert [r.dispute_type for r in register.iter(DisputeFilter(dispute_type=["labor"]))] == [
        "labor",
        "labor",
    ]


@pytest.mark.parametrize(
    ("filters", "size", "field"),
    [
        ({"status": ["closed"]}, 20, "status"),
        ({}, 0, "size"),
        ({}, 10_000, "size"),
        ({"colour": "red"}, 20, "colour"),
    ],
)
def test_bad_filters_name_the_field(register, filters, size, field):
    with pytest.raises(InvalidInputError) as refused:
        register.list(filters, size=size)
    assert refused.value.field.startswith(field)


def test_dates_are_dates(register, filled):
    assert isinstance(register.list().items[0].received, dt.date)
