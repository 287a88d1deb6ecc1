"""The sample register: seeded, valid, seasonal, with group disputes, repeat parties and open cases."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from itertools import islice

import pytest

from disputes.generator import (
    IntensityModel,
    disputes_for,
    generate,
    intensity,
    monday,
    spring_festival,
    write,
)
from disputes.importing import parse_row, read_table
from disputes.schema import DisputeIn
from kb_service.masking import is_valid_id_card

START, END = dt.date(2023, 1, 1), dt.date(2025, 12, 31)


def test_the_same_seed_gives_the_same_register_and_another_seed_another():
    first = list(generate(3, dt.date(2024, 1, 1), dt.date(2024, 3, 31), scale=0.1))
    assert first == list(generate(3, dt.date(2024, 1, 1), dt.date(2024, 3, 31), scale=0.1))
    assert first != list(generate(4, dt.date(2024, 1, 1), dt.date(2024, 3, 31), scale=0.1))
    assert all(
        dt.date(2024, 1, 1) <= dt.date.fromisoformat(r["received"]) <= dt.date(2024, 3, 31)
        for r in first
    )


def test_every_record_is_a_valid_registration(sample_records):
    assert 3_500 <= len(sample_records) <= 6_500
    received = [r["received"] for r in sample_records]
    assert received == sorted(received)
    for record in sample_records:
        DisputeIn.model_validate(record)
        for party in record["parties"]:
            if "id_number" in party:
                assert is_valid_id_card(party["id_number"])
            if "phone" in party:
                assert re.fullmatch(r"1[3-9]\d{9}", party["phone"])
    assert {r["region"].split("/")[1] for r in sample_records} == {
        "长春市", "吉林市", "四平市", "辽源市", "通化市", "白山市", "松原市", "白城市", "延边朝鲜族自治州",
    }  # fmt: skip
    assert {r["org_level"] for r in sample_records} >= {
        "village",
        "township",
        "stationed",
        "professional",
    }


def _per_day(records, kind, inside) -> tuple[float, float]:
    """Disputes of ``kind`` per day on days where ``inside(day)`` holds, and on the other days."""
    counts = defaultdict(int)
    for record in records:
        if record["dispute_type"] == kind:
            counts[dt.date.fromisoformat(record["received"])] += 1
    days = [START + dt.timedelta(days=i) for i in range((END - START).days + 1)]
    hits = [d for d in days if inside(d)]
    misses = [d for d in days if not inside(d)]
    return sum(counts[d] for d in hits) / len(hits), sum(counts[d] for d in misses) / len(misses)


def test_wage_arrears_peak_in_the_month_before_spring_festival(sample_records):
    def lachyue(day: dt.date) -> bool:
        return any(0 < (spring_festival(y) - day).days <= 30 for y in (day.year, day.year + 1))

    before, rest = _per_day(sample_records, "labor", lachyue)
    assert before > 2.0 * rest


def test_land_disputes_rise_in_spring_and_neighbour_noise_in_summer(sample_records):
    spring, other = _per_day(
        sample_records, "forest_land", lambda d: (3, 15) <= (d.month, d.day) <= (5, 31)
    )
    assert spring > 1.8 * other
    summer, other = _per_day(sample_records, "neighbor", lambda d: d.month in (6, 7, 8))
    assert summer > 1.3 * other


def test_there_are_group_disputes(sample_records):
    big = [r for r in sample_records if r["people_involved"] >= 10]
    wage_groups = [
        r for r in sample_records if r["dispute_type"] == "labor" and r["people_involved"] >= 5
    ]
    large = [r for r in sample_records if r.get("amount", 0) >= 100_000]
    assert len(big) >= 10 and len(wage_groups) >= 5 and len(large) >= 10
    assert len(big) < 0.05 * len(sample_records)  # a few, not the norm


def test_the_same_person_comes_back_within_90_days_sometimes_without_id(sample_records):
    seen: dict[str, list[tuple[dt.date, dict]]] = defaultdict(list)
    for record in sample_records:
        for party in record["parties"]:
            seen[party["name"]].append((dt.date.fromisoformat(record["received"]), party))
    by_id = defaultdict(list)
    for visits in seen.values():
        for day, party in visits:
            if "id_number" in party:
                by_id[party["id_number"]].append(day)
    repeats = [
        days for days in by_id.values() if len(days) >= 2 and (max(days) - min(days)).days <= 90
    ]
    assert len(repeats) >= 10
    known_ids = {
        p["id_number"]: p["name"] for visits in seen.values() for _, p in visits if "id_number" in p
    }
    # The same phone as someone registered with an ID number, this time without it.
    by_phone = {
        p["phone"]: p
        for visits in seen.values()
        for _, p in visits
        if "phone" in p and "id_number" in p
    }
    without_id = [
        p for visits in seen.values() for _, p in visits
        if "id_number" not in p and p.get("phone") in by_phone and known_ids.get(by_phone[p["phone"]]["id_number"]) == p["name"]
    ]  # fmt: skip
    assert len(without_id) >= 3


def test_open_overdue_and_withdrawn_disputes_exist(sample_records):
    statuses = defaultdict(int)
    for record in sample_records:
        statuses[record["status"]] += 1
    assert statuses["withdrawn"] > 0 and statuses["success"] > 0.7 * len(sample_records)
    overdue = [
        r for r in sample_records
        if r["status"] in ("registered", "mediating") and (END - dt.date.fromisoformat(r["received"])).days > 30
    ]  # fmt: skip
    assert 10 <= len(overdue) < 0.05 * len(sample_records)
    closed = [r for r in sample_records if "closed_on" in r]
    assert all(r["closed_on"] >= r["received"] for r in closed)
    assert any(r.get("agreement") and r.get("follow_up") for r in sample_records)
    assert any(r.get("confirmation") for r in sample_records)


def test_the_intensity_model_is_what_the_counts_follow(sample_records):
    model = intensity(scale=0.12)
    expected = sum(model.week_matrix(week).sum() for week in model.weeks(START, END))
    # Weeks cut by START and END count partly; Poisson noise on ~5,000 is about 1.5 %.
    assert abs(len(sample_records) - expected) < 0.06 * expected
    region = "吉林省/长春市/农安县"
    before_festival = monday(spring_festival(2025) - dt.timedelta(days=14))
    summer = dt.date(2025, 7, 7)
    assert model.expected(region, "labor", before_festival) > 2 * model.expected(
        region, "labor", summer
    )
    assert model.expected(region, "neighbor", summer) > model.expected(
        region, "neighbor", dt.date(2025, 4, 7)
    )
    doubled = intensity(scale=0.24).expected(region, "labor", summer)
    assert doubled == pytest.approx(2 * model.expected(region, "labor", summer))


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".xlsx"])
def test_written_samples_read_back_as_good_rows(sample_records, tmp_path, suffix):
    path = tmp_path / f"sample{suffix}"
    assert write(islice(sample_records, 200), path) == 200
    rows = list(read_table(path).rows)
    assert len(rows) == 200
    parsed = [parse_row(*row) for row in rows]
    assert all(isinstance(p, DisputeIn) for p in parsed), [
        p for p in parsed if not isinstance(p, DisputeIn)
    ][:2]


class _Outbreak(IntensityModel):
    """Ten times the usual wage-arrears disputes in one county in March 2024."""

    def week_matrix(self, week):
        matrix = super().week_matrix(week)
        if dt.date(2024, 3, 4) <= week <= dt.date(2024, 3, 25):
            matrix[self.regions.index("吉林省/长春市/农安县"), self.types.index("labor")] *= 10
        return matrix


def test_outbreaks_can_be_planted_through_the_model():
    start, end = dt.date(2024, 2, 5), dt.date(2024, 4, 28)

    def labor_in_march(records):
        return sum(
            1 for r in records
            if r["dispute_type"] == "labor" and r["region"].startswith("吉林省/长春市/农安县")
            and "2024-03-04" <= r["received"] <= "2024-03-31"
        )  # fmt: skip

    usual = labor_in_march(generate(5, start, end, model=IntensityModel(scale=0.5)))
    planted = labor_in_march(generate(5, start, end, model=_Outbreak(scale=0.5)))
    assert planted > 4 * max(usual, 1)

    days = [dt.date(2024, 3, 11)] * 6
    cluster = list(disputes_for(99, "吉林省/延边朝鲜族自治州/延吉市", "labor", days))
    assert len(cluster) == 6 and {r["received"] for r in cluster} == {"2024-03-11"}
    assert all(r["region"].startswith("吉林省/延边朝鲜族自治州") for r in cluster)
    assert all(DisputeIn.model_validate(r) for r in cluster)
