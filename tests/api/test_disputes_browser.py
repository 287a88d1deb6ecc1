"""Browser test of the register on a phone-sized screen: a mediator logs in, registers a dispute
through the form, lands on the workbench (similar cases, suggested clauses, experts, notes),
moves it to 调解中, and downloads the agreement (once disputes.documents lands; until then the
link is there and answers that documents are not yet available)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.api.conftest import client_for
from tests.api.live_server import live_server
from tests.api.test_browser import CHROMIUM_ARGS, browser  # noqa: F401 - the Chromium fixture
from tests.api.test_disputes_api import forget_disputes
from tests.disputes.conftest import REGION
from tests.disputes.wiring import KEYS, indexed_sample, with_register, write_keys

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
assert CHROMIUM_ARGS


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("register-browser")
    services = with_register(
        indexed_sample(), f"sqlite:///{folder / 'register.sqlite3'}", data_dir=folder / "data"
    )
    forget_disputes(services)
    app = client_for(services, write_keys(folder)).app
    with live_server(app) as url:
        yield url
    from disputes.service import close_registers

    close_registers()


@pytest.fixture
def phone(browser, base_url):  # noqa: F811 - browser is the imported fixture
    context = browser.new_context(base_url=base_url, accept_downloads=True, locale="zh-CN", viewport=PHONE,
                                  is_mobile=True, has_touch=True)  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_register_assist_and_download_the_agreement_on_a_phone(phone):
    phone.goto("/disputes")
    phone.get_by_label("API 密钥").fill(KEYS["mediator"])
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url("**/disputes")
    assert fits_the_screen(phone)

    form = phone.locator('form[method="post"][action="/disputes"]')
    form.get_by_label("受理日期", exact=True).fill("2026-03-10")
    form.get_by_label("纠纷类型").select_option("labor")
    form.get_by_label("纠纷所在地").fill(REGION)
    form.get_by_label("纠纷简要情况").fill(
        "申请人韩立军等六名工人反映包工头拖欠工资三万余元，多次讨要未果。"
    )
    form.get_by_label("当事人请求").fill("要求支付拖欠的工资")
    form.get_by_label("申请人姓名或名称", exact=True).fill("韩立军")
    form.get_by_label("申请人电话", exact=True).fill("13904317777")
    form.get_by_label("被申请人姓名或名称").fill("吉林省宏达建筑工程有限公司")
    assert fits_the_screen(phone)
    form.get_by_role("button", name="登记", exact=True).click()
    phone.wait_for_url("**/disputes/*")

    assert "韩立军" in phone.locator(".parties").inner_text()
    assert fits_the_screen(phone)
    assert phone.locator(".similar-list li").count() >= 1
    assert "建议，仅供参考" in phone.locator(".suggestions").inner_text()
    assert phone.locator(".experts").inner_text()
    phone.get_by_role("button", name="开始调解").click()
    phone.wait_for_load_state()
    assert "调解中" in phone.locator("h1 .status").inner_text()
    assert phone.get_by_role("button", name="调解成功").count() == 1

    link = phone.locator('.documents a[data-kind="agreement"]')
    assert link.count() == 1
    import docx

    with phone.expect_download() as download_info:
        link.click()
    data = Path(download_info.value.path()).read_bytes()
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "韩立军" in text
