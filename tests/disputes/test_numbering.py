"""Numbers: （2026）南关调字第15号, counted per committee per year, never twice, even under load."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from disputes.numbering import derive_short_name, parse_number
from kb_service.errors import ConflictError
from tests.disputes.conftest import COMMITTEE, dispute


@pytest.mark.parametrize(
    ("committee", "short"),
    [
        ("长春市南关区人民调解委员会", "南关"),
        ("长春市南关区南湖街道人民调解委员会", "南湖"),
        ("农安县兴隆镇红星村人民调解委员会", "红星"),
        ("延吉市河南街道人民调解委员会", "河南"),
        ("一汽集团人民调解委员会", "一汽集团"),
        ("吉林市医疗纠纷人民调解委员会", "医疗纠纷"),
        ("前郭尔罗斯蒙古族自治县长山镇人民调解委员会", "长山"),
    ],
)
def test_short_names_are_derived_from_the_committee_name(committee, short):
    assert derive_short_name(committee) == short


def _add(register, who: int, **overrides):
    return register.add(
        dispute(parties=[{"role": "申请人", "name": f"申请人{who}"}], **overrides), actor="调解员"
    )


def test_numbers_count_per_committee_and_restart_each_year(register):
    first = _add(register, 1)
    second = _add(register, 2)
    other = _add(
        register,
        3,
        committee="农安县兴隆镇红星村人民调解委员会",
        region="吉林省/长春市/农安县/兴隆镇/红星村",
    )
    next_year = _add(register, 4, received="2027-01-02")
    assert first.number == "（2026）南湖调字第1号"
    assert second.number == "（2026）南湖调字第2号"
    assert other.number == "（2026）红星调字第1号"
    assert next_year.number == "（2027）南湖调字第1号"


def test_a_configured_short_name_is_used(register):
    register.set_committee(COMMITTEE, short_name="南关南湖", time_limit_days=15)
    assert _add(register, 1).number == "（2026）南关南湖调字第1号"
    assert register.committee(COMMITTEE).time_limit_days == 15


def test_an_imported_number_is_kept_and_counting_continues_after_it(register):
    kept = _add(register, 1, number="（2026）南湖调字第40号")
    after = _add(register, 2)
    assert kept.number == "（2026）南湖调字第40号"
    assert parse_number(after.number) == (2026, "南湖", 41)
    with pytest.raises(ConflictError, match="已被"):
        _add(register, 3, number="（2026）南湖调字第40号")


def test_concurrent_registrations_get_distinct_consecutive_numbers(register):
    """Eight threads register 48 disputes in one committee at once: 1 … 48, each once."""
    start = threading.Barrier(8)

    def work(worker: int) -> list[str]:
        start.wait()
        return [_add(register, worker * 100 + i).number for i in range(6)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = [n for batch in pool.map(work, range(8)) for n in batch]
    serials = sorted(parse_number(n)[2] for n in numbers)
    assert serials == list(range(1, 49))
    assert register.count() == 48


def test_the_same_dispute_registered_twice_at_once_lands_once(register):
    start = threading.Barrier(6)

    def work(_: int) -> str:
        start.wait()
        try:
            return register.add(dispute(), actor="调解员").number
        except ConflictError as exc:
            assert "已登记" in exc.detail
            return "refused"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(work, range(6)))
    assert outcomes.count("refused") == 5
    assert register.count() == 1
