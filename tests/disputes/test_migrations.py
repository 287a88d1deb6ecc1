"""Migrations: an old schema holding data upgrades without losing any; the models match the migrations."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from disputes.database import (
    create_register_engine,
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)
from disputes.models import Base
from disputes.register import Register
from kb_service.errors import ConfigurationError, StoreUnavailableError
from tests.disputes.conftest import valid_id

ID_NUMBER = valid_id(dt.date(1960, 2, 29))
OLD_PARTIES = [
    {
        "role": "申请人",
        "name": "韩淑兰",
        "kind": "person",
        "id_number": ID_NUMBER,
        "phone": "13844556677",
    },
    {"role": "被申请人", "name": "吉林某建筑工程有限公司", "kind": "org"},
]
COMMITTEE = "农安县兴隆镇人民调解委员会"


def fill_version_0001(url: str) -> None:
    """What a register at revision 0001 held: parties as JSON on the dispute row."""
    engine = create_register_engine(url)
    now = dt.datetime(2025, 12, 1, 8, 30, tzinfo=dt.UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO committees (name, short_name, time_limit_days) VALUES (:name, '兴隆', 30)"
            ),
            {"name": COMMITTEE},
        )
        connection.execute(
            text("INSERT INTO dispute_counters (committee, year, last) VALUES (:c, 2025, 7)"),
            {"c": COMMITTEE},
        )
        connection.execute(
            text(
                "INSERT INTO disputes (committee, year, serial, number, natural_key, received, dispute_type, "
                "region, description, parties, people_involved, status, agreement, created_at, updated_at) "
                "VALUES (:c, 2025, 7, '（2025）兴隆调字第7号', 'k1', :received, 'labor', '吉林省/长春市/农安县/兴隆镇', "
                "'工程完工后工资未结清', :parties, 12, 'mediating', '[]', :now, :now)"
            ),
            {
                "c": COMMITTEE,
                "received": dt.date(2025, 11, 28),
                "parties": json.dumps(OLD_PARTIES, ensure_ascii=False),
                "now": now,
            },
        )
        connection.execute(
            text(
                "INSERT INTO dispute_history (dispute_id, at, actor, action, field, old, new, note) "
                "VALUES (1, :now, '老系统', 'status', 'status', '\"registered\"', '\"mediating\"', '迁移前的记录')"
            ),
            {"now": now},
        )
    engine.dispose()


def test_an_old_register_with_data_upgrades_intact(database_url):
    assert upgrade(database_url, "0001") == "0001"
    fill_version_0001(database_url)
    assert upgrade(database_url) == head_revision() == "0006"

    register = Register(create_register_engine(database_url))
    record = register.get(1)
    assert record.number == "（2025）兴隆调字第7号" and record.status == "mediating"
    assert [p.model_dump(exclude_none=True) for p in record.parties] == OLD_PARTIES
    assert [(h.actor, h.old, h.new, h.note) for h in record.history] == [
        ("老系统", "registered", "mediating", "迁移前的记录")
    ]
    # The new table answers "who has been here before" …
    assert [r.id for r in register.list({"party": ID_NUMBER}).items] == [1]
    # … and numbering carries on from the old counter.
    new = register.add(
        {"received": "2025-12-02", "dispute_type": "labor", "region": "吉林省/长春市/农安县/兴隆镇",
         "committee": COMMITTEE, "description": "又一起欠薪", "parties": [{"name": "石磊"}]},
        actor="x",
    )  # fmt: skip
    assert new.number == "（2025）兴隆调字第8号"
    register.change_status(1, "success", actor="x")
    register.close()


def test_downgrade_moves_the_parties_back(database_url):
    upgrade(database_url, "0001")
    fill_version_0001(database_url)
    upgrade(database_url)
    downgrade(database_url, "0001")
    engine = create_register_engine(database_url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT parties FROM disputes WHERE id = 1")).scalar_one()
    parties = json.loads(stored) if isinstance(stored, str) else stored
    assert parties == OLD_PARTIES
    assert current_revision(engine) == "0001"
    engine.dispose()


def test_the_models_match_the_migrated_schema(database_url):
    upgrade(database_url)
    engine = create_register_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_upgrading_twice_is_harmless(database_url):
    assert upgrade(database_url) == upgrade(database_url) == head_revision()


def test_a_register_on_an_unmigrated_database_says_what_to_run(database_url):
    register = Register(create_register_engine(database_url))
    with pytest.raises(ConfigurationError, match="kb db upgrade"):
        register.list()
    register.close()


def test_an_unreachable_server_is_unavailable_not_a_crash():
    with pytest.raises(StoreUnavailableError, match="KB_DATABASE_URL"):
        upgrade("postgresql+psycopg://kb:secret@127.0.0.1:1/kb")
    with pytest.raises(ConfigurationError, match="不支持"):
        create_register_engine("mysql://x@localhost/kb")
