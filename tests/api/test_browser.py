"""Browser tests: Playwright driving Debian's Chromium against the served pages.

search → open a case → its similar cases; match experts for a dispute; build
and download a course. Chromium comes from Debian (``/usr/bin/chromium``,
installed by ``scripts/test.sh``); Playwright never downloads a browser.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import docx
import pytest

from tests.api.conftest import client_for
from tests.api.live_server import live_server

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("KB_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def base_url(sample_services):
    app = client_for(sample_services("embedded")).app  # development mode: loopback, admin
    with live_server(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI=true 但没有找到 Chromium（{CHROMIUM}）")
        pytest.skip("Chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(base_url=base_url, accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def test_search_open_a_case_and_see_its_similar_cases(page):
    page.goto("/")
    page.get_by_label("检索词").fill("楼上天天吵，晚上睡不着")
    page.get_by_role("button", name="检索").click()
    first = page.locator("article.hit h2 a").first
    title = first.inner_text()
    assert "共" in page.locator(".total").inner_text()
    first.click()
    assert page.locator("h1").inner_text() == title
    similar = page.locator(".similar-list li")
    assert similar.count() >= 3
    assert "类案结果概况" in page.locator(".summary").inner_text()
    similar.first.locator("a").click()
    assert page.url.rsplit("/", 1)[-1].startswith("case-")


def test_match_experts_for_a_dispute(page):
    page.goto("/experts")
    page.get_by_label("纠纷描述").fill("患者做完胆囊手术第二天死亡，家属认为医院有过错")
    page.get_by_label("纠纷类型").select_option("medical")
    page.get_by_label("纠纷所在地").fill("吉林省/延边朝鲜族自治州/延吉市")
    page.get_by_label("当事人").fill("延边康宁医院@延边康宁医院")
    page.get_by_role("button", name="匹配专家").click()
    experts = page.locator("article.expert")
    assert experts.count() == 5
    assert "专长包括医疗纠纷" in experts.first.locator(".reasons").inner_text()
    assert "利害关系" in page.locator(".excluded").inner_text()


def test_build_and_download_a_course(page):
    page.goto("/training")
    page.get_by_label("课程主题").fill("欠薪纠纷调解")
    page.get_by_label("纠纷类型").select_option("labor")
    page.get_by_label("时长（分钟）").fill("60")
    page.get_by_role("button", name="生成课程").click()
    page.wait_for_url("**/training/courses/course-*")
    outline = page.locator(".outline li")
    assert outline.count() >= 2
    case_titles = page.locator(".outline li.item-case a").all_inner_texts()
    assert case_titles
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Word").click()
    data = Path(download_info.value.path()).read_bytes()
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    for title in case_titles:
        assert title in text
