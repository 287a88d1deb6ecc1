"""Text people typed comes back as text: HTML and script in any field is escaped wherever a page
or an HTML download shows it, never run."""

from __future__ import annotations

import pytest

from tests.api.fast_world import fast_client
from tests.disputes.conftest import dispute
from tests.disputes.wiring import auth

SCRIPT = '<script>alert("xss")</script>'
IMAGE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with fast_client(tmp_path_factory.mktemp("escaping")) as client:
        yield client
    from disputes.service import close_registers

    close_registers()


def assert_escaped(html: str) -> None:
    assert SCRIPT not in html and IMAGE not in html
    assert "&lt;script&gt;" in html or "&lt;img" in html


def test_a_dispute_with_markup_shows_escaped_on_its_workbench_and_in_the_list(client):
    body = dispute(description=f"楼上漏水{SCRIPT}", claims=f"赔偿{IMAGE}",
                   parties=[{"role": "申请人", "name": f"王建国{IMAGE}"}])  # fmt: skip
    created = client.post("/v1/disputes", json=body, headers=auth("mediator"))
    assert created.status_code == 201, created.text
    assert (
        created.json()["description"] == f"楼上漏水{SCRIPT}"
    )  # stored as typed: the JSON API returns data, not markup
    page = client.get(f"/disputes/{created.json()['id']}", headers=auth("mediator"))
    assert page.status_code == 200
    assert_escaped(page.text)
    assert (
        "楼上漏水&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in page.text
        or "&lt;script&gt;alert(&quot;xss&quot;)" in page.text
    )
    listing = client.get("/disputes", headers=auth("mediator"))
    assert "王建国" in listing.text and IMAGE not in listing.text
    document = client.get(
        f"/v1/disputes/{created.json()['id']}/documents/application?format=html",
        headers=auth("mediator"),
    )
    if document.status_code == 200:  # the documents module is installed
        assert_escaped(document.text)


def test_an_unknown_case_id_with_markup_is_escaped_on_the_error_page(client):
    page = client.get("/cases/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", headers=auth("mediator"))
    assert page.status_code == 404
    assert IMAGE not in page.text and "&lt;img" in page.text


def test_a_course_titled_with_markup_exports_escaped_html(client):
    created = client.post(
        "/v1/training/courses",
        json={"topic": f"欠薪{SCRIPT}", "dispute_types": ["labor"], "minutes": 90, "cases": 1},
        headers=auth("trainer"),
    )
    assert created.status_code == 201, created.text
    html = client.get(
        f"/v1/training/courses/{created.json()['id']}?format=html", headers=auth("trainer")
    )
    assert html.status_code == 200
    assert_escaped(html.text)


def test_a_report_on_text_with_markup_is_escaped_html(client):
    report = client.post(
        "/v1/cases/report",
        json={"text": f"楼上漏水{SCRIPT}", "format": "html"},
        headers=auth("mediator"),
    )
    assert report.status_code == 200
    assert_escaped(report.text)
