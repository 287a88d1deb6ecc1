"""Scopes: a mediator sees their committee, a coordinator their region; nothing leaks past them."""

from __future__ import annotations

import pytest

from disputes.records import Scope
from kb_service.errors import NotFoundError, PermissionDeniedError
from tests.disputes.conftest import COMMITTEE, REGION, dispute

OTHER_COMMITTEE = "延吉市河南街道人民调解委员会"
OTHER_REGION = "吉林省/延边朝鲜族自治州/延吉市/河南街道"


@pytest.fixture
def two_committees(register):
    ours = register.add(dispute(), actor="周建华")
    theirs = register.add(
        dispute(
            committee=OTHER_COMMITTEE,
            region=OTHER_REGION,
            description="申请人朴成浩与邻居因院墙发生争执。",
            parties=[{"role": "申请人", "name": "朴成浩", "phone": "13504330000"}],
        ),
        actor="金美善",
    )
    return ours, theirs


MEDIATOR = Scope(committee=COMMITTEE)
CHANGCHUN = Scope(region="吉林省/长春市")


def test_a_mediator_lists_only_their_committee(register, two_committees):
    ours, _ = two_committees
    page = register.list(scope=MEDIATOR)
    assert [r.id for r in page.items] == [ours.id] and page.total == 1
    assert register.count(scope=MEDIATOR) == 1


def test_a_coordinator_lists_their_region_and_below(register, two_committees):
    ours, theirs = two_committees
    assert [r.id for r in register.list(scope=CHANGCHUN).items] == [ours.id]
    assert {r.id for r in register.list(scope=Scope(region="吉林省")).items} == {ours.id, theirs.id}
    # A prefix is whole path parts: 吉林省/长 is not 吉林省/长春市.
    assert register.list(scope=Scope(region="吉林省/长")).total == 0


def test_outside_the_scope_is_indistinguishable_from_unknown(register, two_committees):
    _, theirs = two_committees
    with pytest.raises(NotFoundError) as outside:
        register.get(theirs.id, scope=MEDIATOR)
    with pytest.raises(NotFoundError) as unknown:
        register.get(999_999, scope=MEDIATOR)
    assert outside.value.detail == unknown.value.detail.replace("999999", str(theirs.id))
    assert "朴成浩" not in outside.value.detail and OTHER_COMMITTEE not in outside.value.detail


def test_outside_the_scope_cannot_be_changed(register, two_committees):
    _, theirs = two_committees
    with pytest.raises(NotFoundError):
        register.update(theirs.id, {"claims": "改掉"}, actor="周建华", scope=MEDIATOR)
    with pytest.raises(NotFoundError):
        register.change_status(theirs.id, "withdrawn", actor="周建华", scope=CHANGCHUN)
    assert register.get(theirs.id).status == "registered"
    assert len(register.get(theirs.id).history) == 1


def test_registering_for_another_committee_or_region_is_refused(register):
    with pytest.raises(PermissionDeniedError, match=COMMITTEE):
        register.add(
            dispute(committee=OTHER_COMMITTEE, region=OTHER_REGION), actor="周建华", scope=MEDIATOR
        )
    with pytest.raises(PermissionDeniedError, match="吉林省/长春市"):
        register.add(
            dispute(committee=OTHER_COMMITTEE, region=OTHER_REGION), actor="x", scope=CHANGCHUN
        )
    assert register.add(dispute(), actor="周建华", scope=MEDIATOR).region == REGION
