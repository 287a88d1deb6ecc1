"""Browser test of the coordinators' dashboard (研判预警) on a phone-sized screen: a coordinator logs in,
sees the weekly chart drawn, the region × type table coloured by the open alert, and acknowledges
the alert with a note; a mediator's key is refused."""

from __future__ import annotations

import pytest

from tests.api.conftest import client_for
from tests.api.live_server import live_server
from tests.api.test_browser import CHROMIUM_ARGS, browser  # noqa: F401 - the Chromium fixture
from tests.api.test_disputes_api import forget_disputes
from tests.disputes.wiring import KEYS, indexed_sample, with_register, write_keys
from tests.trends.conftest import COMMITTEE_B, REGION_B, add

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
AS_OF = "2026-03-10"
assert CHROMIUM_ARGS


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    from disputes.service import close_registers, register_for

    folder = tmp_path_factory.mktemp("dashboard-browser")
    services = with_register(
        indexed_sample(), f"sqlite:///{folder / 'register.sqlite3'}", data_dir=folder / "data"
    )
    forget_disputes(services)
    register = register_for(services.settings)
    for day in ("2026-02-23", "2026-03-02", "2026-03-04"):
        add(register, day)
    add(register, "2026-03-09", "labor", committee=COMMITTEE_B, region=REGION_B, people_involved=30,
        description="某建筑公司拖欠三十名工人工资。")  # fmt: skip
    app = client_for(services, write_keys(folder)).app
    with live_server(app) as url:
        yield url
    close_registers()


@pytest.fixture
def phone(browser, base_url):  # noqa: F811 - browser is the imported fixture
    context = browser.new_context(
        base_url=base_url, locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def log_in(page, key: str) -> None:
    # straight to the sample's week: a first visit "as of today" would raise the alerts dated today
    page.goto(f"/login?next=/dashboard%3Fas_of%3D{AS_OF}")
    page.get_by_label("API 密钥").fill(key)
    page.get_by_role("button", name="登录").click()


def test_a_coordinator_reads_the_dashboard_and_acknowledges_an_alert(phone):
    log_in(phone, KEYS["coordinator"])
    phone.wait_for_url("**/dashboard?as_of=*")
    chart = phone.get_by_role("img", name="近26周每周纠纷受理量折线图（虚线为上年同期）")
    chart.wait_for()
    assert phone.evaluate("(img) => img.complete && img.naturalWidth > 0", chart.element_handle())
    coloured = phone.locator(
        "#region-type td.cell-orange"
    )  # 30 people: three times the group threshold
    assert coloured.count() == 1 and coloured.inner_text() == "1"
    alert = phone.locator("article.alert", has_text="群体性纠纷").first
    alert.get_by_label("处置说明").fill("已约谈企业负责人，工资分两期支付")
    alert.get_by_role("button", name="签收").click()
    phone.wait_for_url("**/dashboard**")
    assert phone.get_by_text("已签收：测试coordinator").first.is_visible()
    assert (
        phone.locator("#region-type td.cell-orange").count() == 0
    )  # acknowledged: no longer coloured


def test_a_mediator_is_refused(phone):
    log_in(phone, KEYS["mediator"])
    phone.wait_for_load_state()
    assert "研判预警" not in phone.locator("h1").inner_text()
    assert phone.locator("#region-type").count() == 0
