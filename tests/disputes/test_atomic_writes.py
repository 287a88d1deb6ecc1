"""A registration that fails half-way leaves nothing behind.

The failure is injected inside the transaction, after the dispute's row is
inserted: a constraint the database refuses (a party without a name) or an
exception of any kind (the history insert failing). Afterwards the register
holds exactly what it held before — no dispute without its parties or
history, no committee or serial counter moved — and the next registration of
the same dispute succeeds with the serial the failed one would have had.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import disputes.register as register_module
from disputes.models import Committee, Dispute, DisputeCounter, DisputeParty, HistoryEntry
from kb_service.errors import ConflictError
from tests.disputes.conftest import dispute

TABLES = (Dispute, DisputeParty, HistoryEntry, Committee, DisputeCounter)
OTHER_PARTIES = [{"role": "申请人", "name": "赵德明"}, {"role": "被申请人", "name": "孙丽华"}]


def rows(register) -> dict[str, list]:
    with register.engine.connect() as connection:
        return {
            table.__tablename__: sorted(map(tuple, connection.execute(select(table.__table__)).all()), key=repr)
            for table in TABLES
        }


def fail_on_party_insert(monkeypatch) -> type[Exception]:
    """A NOT NULL violation on the parties' insert, after the dispute's row went in."""
    real = register_module.party_row
    monkeypatch.setattr(register_module, "party_row", lambda position, party: {**real(position, party), "name": None})
    return ConflictError  # the register explains an IntegrityError it cannot pin down


def fail_on_history_insert(monkeypatch) -> type[Exception]:
    """Any exception after the dispute's and the parties' rows went in."""
    real = register_module.insert

    def insert(table):
        if table is HistoryEntry.__table__:
            raise OSError("磁盘已满（测试注入）")
        return real(table)

    monkeypatch.setattr(register_module, "insert", insert)
    return OSError


@pytest.mark.parametrize("inject", [fail_on_party_insert, fail_on_history_insert])
def test_a_registration_failing_inside_its_transaction_writes_nothing(register, monkeypatch, inject):
    register.add(dispute(), actor="周建华")
    before = rows(register)
    with monkeypatch.context() as patch:
        expected = inject(patch)
        with pytest.raises(expected):
            register.add(dispute(parties=OTHER_PARTIES), actor="周建华")
    assert rows(register) == before
    again = register.add(dispute(parties=OTHER_PARTIES), actor="周建华")
    assert again.number.endswith("第2号")  # the failed write used no serial
    assert len(again.parties) == 2 and again.history


def test_an_import_batch_failing_inside_its_transaction_writes_nothing(register, monkeypatch):
    from disputes.register import validate

    register.add(dispute(), actor="周建华")
    before = rows(register)
    batch = [validate(dispute(parties=[{"role": "申请人", "name": f"钱{n}"}])) for n in "一二三"]
    with monkeypatch.context() as patch:
        fail_on_history_insert(patch)
        with pytest.raises(OSError):
            register.add_many(batch, actor="导入")
    assert rows(register) == before
    added = register.add_many(batch, actor="导入")
    assert [a.created for a in added] == [True, True, True]
    with register.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Dispute)) == 4
