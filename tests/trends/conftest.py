"""A small hand-built register: counts a person can check on paper."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from disputes.database import create_register_engine
from disputes.register import Register
from tests.disputes.conftest import COMMITTEE, REGION, dispute
from tests.disputes.wiring import OTHER_COMMITTEE, OTHER_REGION

REGION_B = "吉林省/长春市/朝阳区/红旗街道"
COMMITTEE_B = "长春市朝阳区红旗街道人民调解委员会"

_serial = iter(range(1, 10_000))


def add(register: Register, received: str, dispute_type: str = "neighbor", *, committee: str = COMMITTEE,
        region: str = REGION, **overrides) -> int:  # fmt: skip
    """Register one dispute (distinct party names, so no two are the same dispute)."""
    n = next(_serial)
    data = dispute(received=received, dispute_type=dispute_type, committee=committee, region=region,
                   parties=[{"role": "申请人", "name": f"申请人{n}号"}], **overrides)  # fmt: skip
    return register.add(data, actor="测试").id


@pytest.fixture
def small(migrated_database_url) -> Iterator[Register]:
    """2026-W10 (Mon 2 March 2026): 3 neighbor disputes in 南湖街道 (+1 withdrawn), 1 labor in 红旗街道,
    1 neighbor in 延吉; 2026-W09: 1 neighbor in 南湖; 2025-W10 (3 March 2025): 2 neighbor in 南湖, 1 labor in 红旗."""
    register = Register(create_register_engine(migrated_database_url))
    for day in ("2025-03-03", "2025-03-05", "2026-02-25", "2026-03-02", "2026-03-04", "2026-03-08"):
        add(register, day)
    add(register, "2025-03-04", "labor", committee=COMMITTEE_B, region=REGION_B)
    add(register, "2026-03-03", "labor", committee=COMMITTEE_B, region=REGION_B)
    add(register, "2026-03-05", committee=OTHER_COMMITTEE, region=OTHER_REGION)
    withdrawn = add(register, "2026-03-06")
    register.change_status(withdrawn, "withdrawn", actor="测试", note="当事人撤回")
    yield register
    register.close()


WEEK_10 = dt.date(2026, 3, 2)
