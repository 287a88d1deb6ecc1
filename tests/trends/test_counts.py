"""Counts per region level × type × week/month with their changes, on a register small enough to count by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from disputes.records import Scope
from kb_service.errors import InvalidInputError
from tests.disputes.conftest import COMMITTEE
from tests.trends.conftest import WEEK_10
from trends.counts import counts_window


def cell(data: dict, period: str, **match) -> dict:
    found = [
        r
        for r in data["rows"]
        if r["period"] == period and all(r[k] == v for k, v in match.items())
    ]
    assert len(found) == 1, (period, match, data["rows"])
    return found[0]


def test_weekly_counts_with_period_on_period_and_year_on_year_change(small):
    data = counts_window(small.engine, period="week", level="township", first=WEEK_10, last=WEEK_10)
    assert data["periods"] == ["2026-W10"]
    nanhu = cell(data, "2026-W10", region="吉林省/长春市/南关区/南湖街道", dispute_type="neighbor")
    # the withdrawn dispute is not counted; W09 had one, 2025-W10 (3–9 March 2025) two
    assert (nanhu["count"], nanhu["previous"], nanhu["last_year"]) == (3, 1, 2)
    assert (nanhu["change"], nanhu["change_pct"], nanhu["yoy"], nanhu["yoy_pct"]) == (
        2,
        200.0,
        1,
        50.0,
    )
    assert nanhu["dispute_type_label"] == "邻里纠纷"
    hongqi = cell(data, "2026-W10", region="吉林省/长春市/朝阳区/红旗街道", dispute_type="labor")
    assert (hongqi["count"], hongqi["previous"], hongqi["change_pct"], hongqi["yoy_pct"]) == (
        1,
        0,
        None,
        0.0,
    )


@pytest.mark.parametrize(
    ("level", "region", "neighbor"),
    [
        ("province", "吉林省", 4),
        ("city", "吉林省/长春市", 3),
        ("county", "吉林省/长春市/南关区", 3),
    ],
)
def test_regions_are_cut_to_the_level_asked(small, level, region, neighbor):
    data = counts_window(small.engine, period="week", level=level, first=WEEK_10, last=WEEK_10)
    assert cell(data, "2026-W10", region=region, dispute_type="neighbor")["count"] == neighbor
    assert {r["region"] for r in data["rows"]} <= {region, "吉林省/延边朝鲜族自治州", "吉林省/延边朝鲜族自治州/延吉市",
                                                     "吉林省/长春市/朝阳区"}  # fmt: skip


def test_monthly_counts_by_type_and_by_region(small):
    by_type = counts_window(
        small.engine,
        period="month",
        by="type",
        first=dt.date(2026, 3, 1),
        last=dt.date(2026, 3, 31),
    )
    neighbor = cell(by_type, "2026-03", dispute_type="neighbor")
    assert (neighbor["region"], neighbor["count"], neighbor["previous"], neighbor["last_year"]) == (
        None,
        4,
        1,
        2,
    )
    by_region = counts_window(small.engine, period="month", by="region", level="city", first=dt.date(2026, 3, 1),
                              last=dt.date(2026, 3, 1))  # fmt: skip
    changchun = cell(by_region, "2026-03", region="吉林省/长春市")
    assert (changchun["dispute_type"], changchun["count"], changchun["last_year"]) == (None, 4, 3)


def test_empty_periods_are_counted_as_zero_between_busy_ones(small):
    data = counts_window(
        small.engine, period="week", by="type", first=dt.date(2026, 2, 9), last=WEEK_10
    )
    assert data["periods"] == ["2026-W07", "2026-W08", "2026-W09", "2026-W10"]
    assert [cell(data, p, dispute_type="neighbor")["count"] for p in data["periods"]] == [
        0,
        0,
        1,
        4,
    ]


def test_counts_stay_within_the_callers_scope(small):
    committee = counts_window(
        small.engine, level="county", first=WEEK_10, last=WEEK_10, scope=Scope(committee=COMMITTEE)
    )
    assert {(r["region"], r["dispute_type"], r["count"]) for r in committee["rows"]} == {
        ("吉林省/长春市/南关区", "neighbor", 3)
    }
    yanbian = counts_window(
        small.engine,
        level="city",
        first=WEEK_10,
        last=WEEK_10,
        scope=Scope(region="吉林省/延边朝鲜族自治州"),
    )
    assert [(r["region"], r["count"]) for r in yanbian["rows"]] == [("吉林省/延边朝鲜族自治州", 1)]
    # a region asked for outside the scope gives nothing, not the other region's counts
    assert counts_window(small.engine, first=WEEK_10, last=WEEK_10, scope=Scope(region="吉林省/延边朝鲜族自治州"),
                         region="吉林省/长春市")["rows"] == []  # fmt: skip


@pytest.mark.parametrize(
    ("args", "field"),
    [({"period": "day"}, "period"), ({"level": "village"}, "level"), ({"by": "committee"}, "by"),
     ({"first": dt.date(2026, 4, 1), "last": dt.date(2026, 3, 1)}, "from")],
)  # fmt: skip
def test_bad_choices_are_refused_naming_the_option(small, args, field):
    with pytest.raises(InvalidInputError) as refused:
        counts_window(small.engine, **args)
    assert refused.value.field == field
