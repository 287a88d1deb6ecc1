"""Register fixtures: a migrated register on each database, and a factory for registrations."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

import pytest

from disputes.database import create_register_engine
from disputes.generator import generate, id_number
from disputes.register import Register

COMMITTEE = "长春市南关区南湖街道人民调解委员会"
REGION = "吉林省/长春市/南关区/南湖街道"


@pytest.fixture
def register(migrated_database_url) -> Iterator[Register]:
    register = Register(create_register_engine(migrated_database_url))
    yield register
    register.close()


_ids = random.Random(20260305)


def valid_id(born: dt.date = dt.date(1978, 6, 1)) -> str:
    return id_number(_ids, "220102", born)


def dispute(**overrides: Any) -> dict[str, Any]:
    """A registration as a mediator would type it (labels, Chinese dates)."""
    data: dict[str, Any] = {
        "received": "2026年3月5日",
        "dispute_type": "邻里纠纷",
        "region": REGION,
        "committee": COMMITTEE,
        "org_level": "township",
        "channel": "当事人申请",
        "mediator": "周建华",
        "description": "申请人王建国反映楼上住户李秀英家夜间噪音扰民，多次沟通未果。",
        "claims": "要求停止噪音干扰",
        "parties": [
            {
                "role": "申请人",
                "name": "王建国",
                "id_number": valid_id(),
                "phone": "13904315678",
                "address": "长春市南关区幸福街8号3单元201室",
            },
            {"role": "被申请人", "name": "李秀英", "phone": "0431-88886666"},
        ],
    }
    data.update(overrides)
    return data


@pytest.fixture(scope="session")
def sample_records() -> list[dict[str, Any]]:
    """Three years of the generated sample register at a small scale (about 5,000 disputes)."""
    return list(generate(seed=11, start=dt.date(2023, 1, 1), end=dt.date(2025, 12, 31), scale=0.12))


@pytest.fixture(autouse=True)
def _close_shared_registers():
    """Registers opened through disputes.service are shared per process: close them after each test."""
    yield
    from disputes.service import close_registers

    close_registers()
