"""Statuses move only along the contract's arrows; anything else is refused naming the current status."""

from __future__ import annotations

import itertools

import pytest

from disputes.schema import STATUSES, TRANSITIONS
from kb_service.errors import ConflictError
from tests.disputes.conftest import dispute

LEGAL = {
    ("registered", "mediating"),
    ("registered", "withdrawn"),
    ("mediating", "success"),
    ("mediating", "partial"),
    ("mediating", "failed"),
    ("mediating", "referred"),
    ("mediating", "withdrawn"),
}
# The shortest legal way to reach each status from a new registration.
PATH_TO = {
    "registered": [],
    "mediating": ["mediating"],
    "withdrawn": ["withdrawn"],
    **{s: ["mediating", s] for s in ("success", "partial", "failed", "referred")},
}


def test_the_transition_table_is_the_contracts():
    table = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert table == LEGAL


def test_every_pair_of_statuses_on_the_register(register):
    """All 42 changes between different statuses: the 7 legal ones land, the 35 others are 409."""
    pairs = [(a, b) for a, b in itertools.permutations(STATUSES.terms, 2)]
    assert len(pairs) == 42
    for number, (current, wanted) in enumerate(pairs):
        record = register.add(
            dispute(
                description=f"第{number}件",
                received=f"2026-03-{1 + number % 28:02d}",
                parties=[{"role": "申请人", "name": f"当事人{number}"}],
            ),
            actor="调解员",
        )
        for step in PATH_TO[current]:
            register.change_status(record.id, step, actor="调解员")
        if (current, wanted) in LEGAL:
            changed = register.change_status(record.id, wanted, actor="调解员", note="按程序办理")
            assert changed.status == wanted, (current, wanted)
        else:
            with pytest.raises(ConflictError) as refused:
                register.change_status(record.id, wanted, actor="调解员")
            message = refused.value.detail
            assert f"当前状态为“{STATUSES.label(current)}”" in message, message
            assert STATUSES.label(wanted) in message
            assert register.get(record.id).status == current  # nothing changed


def test_status_accepts_labels_and_closing_sets_the_date(register):
    record = register.add(dispute(), actor="调解员")
    register.change_status(record.id, "调解中", actor="调解员")
    closed = register.change_status(record.id, "调解成功", actor="调解员", note="达成协议")
    assert closed.status == "success"
    assert closed.closed_on is not None
    assert closed.as_dict()["status_label"] == "调解成功"


def test_the_same_status_again_changes_nothing(register):
    record = register.add(dispute(), actor="调解员")
    register.change_status(record.id, "mediating", actor="调解员")
    again = register.change_status(record.id, "mediating", actor="调解员")
    assert [h.action for h in again.history] == ["created", "status"]


def test_a_closed_dispute_says_it_is_closed(register):
    record = register.add(dispute(), actor="调解员")
    register.change_status(record.id, "withdrawn", actor="调解员", note="申请人撤回")
    with pytest.raises(ConflictError, match="已结案"):
        register.change_status(record.id, "mediating", actor="调解员")
