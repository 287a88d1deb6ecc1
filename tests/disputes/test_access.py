"""Roles on the register: a key's committee or region becomes the caller's scope, in one place."""

from __future__ import annotations

import datetime as dt

import pytest

from api.auth import KeyRing
from disputes.access import scope_for, shows_contact, writer_scope
from disputes.records import EVERYTHING, Scope
from disputes.schema import DisputeIn, DisputeRecord
from kb_service.access import DEVELOPER, Principal, Role
from kb_service.errors import ConfigurationError, PermissionDeniedError
from tests.disputes.conftest import COMMITTEE, REGION, dispute
from tests.disputes.wiring import KEYS, OTHER_COMMITTEE, write_keys

NOW = dt.datetime(2026, 3, 5, tzinfo=dt.UTC)


def record(**overrides) -> DisputeRecord:
    data = DisputeIn.model_validate(dispute(**overrides)).model_dump(exclude={"number"})
    return DisputeRecord(
        **data, id=1, number="（2026）南湖调字第1号", created_at=NOW, updated_at=NOW
    )


def test_a_mediator_sees_and_writes_only_its_committee():
    mediator = Principal("南湖调委会", Role.mediator, committee=COMMITTEE)
    assert scope_for(mediator) == writer_scope(mediator) == Scope(committee=COMMITTEE)


def test_a_coordinator_reads_its_region_but_registers_nothing():
    coordinator = Principal("长春市司法局", Role.coordinator, region="吉林省／长春市/")
    assert scope_for(coordinator) == Scope(region="吉林省/长春市")
    with pytest.raises(PermissionDeniedError, match="coordinator"):
        writer_scope(coordinator)


def test_admins_and_development_mode_see_everything():
    assert scope_for(Principal("管理员", Role.admin)) == EVERYTHING
    assert scope_for(DEVELOPER) == EVERYTHING


@pytest.mark.parametrize(
    ("principal", "says"),
    [
        (Principal("培训师", Role.trainer), "trainer"),
        (Principal("老调解员密钥", Role.mediator), "--committee"),
        (Principal("老协调员密钥", Role.coordinator), "--region"),
    ],
)
def test_keys_without_a_scope_are_refused_saying_what_to_ask_for(principal, says):
    with pytest.raises(PermissionDeniedError, match=says):
        scope_for(principal)


def test_particulars_only_for_the_committee_the_region_and_admins():
    dispute_in_changchun = record()
    assert shows_contact(Principal("a", Role.mediator, committee=COMMITTEE), dispute_in_changchun)
    assert not shows_contact(
        Principal("b", Role.mediator, committee=OTHER_COMMITTEE), dispute_in_changchun
    )
    assert shows_contact(
        Principal("c", Role.coordinator, region="吉林省/长春市"), dispute_in_changchun
    )
    assert shows_contact(Principal("c", Role.coordinator, region=REGION), dispute_in_changchun)
    assert not shows_contact(
        Principal("d", Role.coordinator, region="吉林省/长"), dispute_in_changchun
    )
    assert shows_contact(Principal("e", Role.admin), dispute_in_changchun)
    assert not shows_contact(Principal("f", Role.trainer), dispute_in_changchun)


def test_a_committee_or_region_belongs_to_the_role_that_uses_it():
    with pytest.raises(ValueError, match="committee"):
        Principal("x", Role.coordinator, committee=COMMITTEE)
    with pytest.raises(ValueError, match="region"):
        Principal("x", Role.mediator, region="吉林省")


def test_the_keys_file_names_committees_and_regions(tmp_path):
    ring = KeyRing.load(write_keys(tmp_path))
    mediator = ring.identify(KEYS["mediator"])
    assert (mediator.role, mediator.committee, mediator.region) == (Role.mediator, COMMITTEE, None)
    coordinator = ring.identify(KEYS["coordinator"])
    assert (coordinator.role, coordinator.region) == (Role.coordinator, "吉林省/长春市")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        f"keys:\n  - name: x\n    role: trainer\n    region: 吉林省\n    sha256: {'a' * 64}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError, match="region"):
        KeyRing.load(bad)


def test_a_key_moved_to_another_committee_changes_scope_without_a_restart(tmp_path):
    import os

    from api.auth import KeyFile

    path = write_keys(tmp_path)
    keys = KeyFile(path)
    assert scope_for(keys.identify(KEYS["mediator"])) == Scope(committee=COMMITTEE)
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            f"committee: {COMMITTEE}", f"committee: {OTHER_COMMITTEE}"
        ),
        encoding="utf-8",
    )
    stamp = os.stat(path).st_mtime + 5
    os.utime(path, (stamp, stamp))
    assert scope_for(keys.identify(KEYS["mediator"])) == Scope(committee=OTHER_COMMITTEE)
