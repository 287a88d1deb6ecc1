"""Register pages: the list with its registration form, the workbench with only the legal status
actions, document links and the assistant's parts, case-draft review; each role sees its own."""

from __future__ import annotations

import re

import pytest

from tests.api.test_disputes_api import World
from tests.disputes.conftest import COMMITTEE, REGION
from tests.disputes.wiring import auth


@pytest.fixture(autouse=True)
def _close_shared_registers():
    yield
    from disputes.service import close_registers

    close_registers()


@pytest.fixture
def world(tmp_path) -> World:
    return World(f"sqlite:///{tmp_path / 'register.sqlite3'}", tmp_path)


FORM = {
    "received": "2026-03-10", "dispute_type": "neighbor", "region": REGION, "channel": "applied",
    "mediator": "周建华", "description": "申请人孙丽华反映邻居赵大海在楼道堆放杂物，影响通行。", "claims": "清理楼道",
    "amount": "", "people_involved": "", "applicant": "孙丽华", "applicant_id": "", "applicant_phone": "13904310001",
    "applicant_address": "南湖街道幸福小区3栋", "respondent": "赵大海", "respondent_id": "", "respondent_phone": "",
    "respondent_address": "", "more_parties": "第三人：长春万家物业服务有限公司",
}  # fmt: skip


def test_the_list_shows_the_committees_disputes_and_a_form(world):
    page = world.client.get("/disputes", headers=auth("mediator"))
    assert page.status_code == 200
    assert world.ours["number"] in page.text and world.theirs["number"] not in page.text
    assert f'value="{COMMITTEE}" readonly' in page.text and 'name="description"' in page.text
    coordinator = world.client.get("/disputes", headers=auth("coordinator")).text
    assert world.ours["number"] in coordinator and 'method="post" action="/disputes"' not in coordinator  # reads, registers nothing
    assert world.client.get("/disputes", headers=auth("trainer")).status_code == 403
    assert world.client.get("/disputes", follow_redirects=False).status_code == 303  # to the login form


def test_registering_through_the_form_opens_the_workbench(world):
    posted = world.client.post("/disputes", data=FORM, headers=auth("mediator"), follow_redirects=False)
    assert posted.status_code == 303
    workbench = world.client.get(posted.headers["location"], headers=auth("mediator"))
    text = workbench.text
    assert "孙丽华" in text and "13904310001" in text and "长春万家物业服务有限公司" in text
    buttons = re.findall(r'name="status" value="(\w+)"', text)
    assert buttons == ["mediating", "withdrawn"]  # only the legal next statuses
    assert "/documents/agreement?format=docx" in text
    for part in ("类似案例", "协议条款建议", "推荐专家", "相关法条", "风险提示"):
        assert part in text, part


def test_a_bad_form_comes_back_with_its_values_and_what_to_fix(world):
    data = {**FORM, "received": "2026-02-30"}
    page = world.client.post("/disputes", data=data, headers=auth("mediator"))
    assert page.status_code == 422 and "2026-02-30" in page.text and "孙丽华" in page.text


def test_status_actions_and_their_refusal(world):
    dispute_id = world.ours["id"]
    refused = world.client.post(f"/disputes/{dispute_id}/status", data={"status": "success"}, headers=auth("mediator"))
    assert refused.status_code == 409 and "已受理" in refused.text
    moved = world.client.post(
        f"/disputes/{dispute_id}/status", data={"status": "mediating", "note": "双方同意"}, headers=auth("mediator"),
        follow_redirects=False,
    )  # fmt: skip
    assert moved.status_code == 303
    page = world.client.get(f"/disputes/{dispute_id}", headers=auth("mediator")).text
    assert re.findall(r'name="status" value="(\w+)"', page) == ["success", "partial", "failed", "referred", "withdrawn"]
    assert "双方同意" in page


def test_outsiders_get_a_not_found_page_with_nothing_of_the_dispute(world):
    for holder in ("other_mediator", "other_coordinator"):
        page = world.client.get(f"/disputes/{world.ours['id']}", headers=auth(holder))
        assert page.status_code == 404 and "王建国" not in page.text and world.ours["number"] not in page.text


def test_promote_and_review_through_the_pages(world):
    settled = world.fresh(settled=True)
    draft_page = world.client.post(f"/disputes/{settled['id']}/promote", headers=auth("mediator"))
    assert draft_page.status_code == 200 and "待审核" in draft_page.text and "张某某" in draft_page.text
    draft_id = int(re.search(r'id="draft-(\d+)"', draft_page.text).group(1))
    review = world.client.get("/disputes/drafts", headers=auth("coordinator"))
    assert f"/disputes/drafts/{draft_id}/approve" in review.text
    assert world.client.get("/disputes/drafts", headers=auth("mediator")).status_code == 403
    approved = world.client.post(
        f"/disputes/drafts/{draft_id}/approve", data={"note": "可作示范"}, headers=auth("coordinator"), follow_redirects=False
    )
    assert approved.status_code == 303
    assert "已通过" in world.client.get("/disputes/drafts?status=all", headers=auth("coordinator")).text
