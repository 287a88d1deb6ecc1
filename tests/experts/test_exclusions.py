"""Every exclusion rule, and region ordering (pure functions, no store)."""

from __future__ import annotations

import datetime as dt

import pytest

from experts.matching import exclusion_reason, region_closeness
from kb_service.dispute import DisputeBrief as Dispute

DAY = dt.date(2026, 11, 28)
EXPERT = {
    "id": "exp-x", "name": "金哲洙", "unit": "延吉市第二人民医院", "available": True,
    "capacity": 4, "load": 1, "conflicts": ["延边康宁医院", "王丽娟"], "unavailable": [],
}  # fmt: skip


def dispute(*parties) -> Dispute:
    return Dispute(description="术后死亡", parties=list(parties))


def test_an_eligible_expert_has_no_reason():
    assert exclusion_reason(EXPERT, dispute("崔某某"), DAY) is None


@pytest.mark.parametrize(
    ("change", "parties", "expected"),
    [
        ({"available": False}, [], "暂不可用"),
        ({"unavailable": [{"from": "2026-11-01", "to": "2027-01-31"}]}, [], "2026-11-01 至 2027-01-31"),
        ({"load": 4}, [], "已满（4/4）"),
        ({}, ["王丽娟"], "利害关系"),
        ({}, [{"name": "崔某某", "unit": "延边康宁医院"}], "利害关系"),
        ({}, ["延边康宁医院@延边康宁医院"], "利害关系"),
        ({}, [{"name": "延吉市第二人民医院", "kind": "org"}], "同属延吉市第二人民医院"),
        ({}, ["张某@延吉市第二人民医院"], "同属延吉市第二人民医院"),
    ],
)
def test_each_exclusion_says_why(change, parties, expected):
    reason = exclusion_reason(EXPERT | change, dispute(*parties), DAY)
    assert reason is not None and expected in reason


def test_an_unavailable_period_that_is_over_does_not_exclude():
    past = EXPERT | {"unavailable": [{"from": "2025-03-01", "to": "2025-04-30"}]}
    assert exclusion_reason(past, dispute(), DAY) is None


def test_region_same_county_beats_same_city_beats_same_province():
    here = "吉林省/延边朝鲜族自治州/延吉市"
    county, _ = region_closeness("吉林省/延边朝鲜族自治州/延吉市", here)
    city, city_reason = region_closeness("吉林省/延边朝鲜族自治州/珲春市", here)
    province, _ = region_closeness("吉林省/长春市/朝阳区", here)
    provincial, provincial_reason = region_closeness("吉林省", here)
    elsewhere, _ = region_closeness("辽宁省/沈阳市/和平区", here)
    assert county > city > province == provincial > elsewhere == 0
    assert city_reason == "同属延边朝鲜族自治州"
    assert provincial_reason == "省级专家"
    assert region_closeness(here, here)[1] == "同为延吉市"
