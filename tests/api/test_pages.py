"""The web pages render for every case and form, and the login cookie carries the key."""

from __future__ import annotations

import pytest

from tests.api.conftest import KEYS, client_for


@pytest.fixture
def dev(sample_services):
    return client_for(sample_services("embedded"))


def test_every_case_page_renders(dev, sample_services):
    ids = [s["id"] for s in sample_services("embedded").store.iter_sources("cases")]
    assert len(ids) >= 150
    for case_id in ids:
        response = dev.get(f"/cases/{case_id}")
        assert response.status_code == 200, case_id
        assert "类似案例" in response.text


def test_search_page_with_filters_facets_and_paging(dev):
    response = dev.get("/", params={"q": "邻居", "page": 2})
    assert response.status_code == 200
    assert "第 2 /" in response.text and "上一页" in response.text
    filtered = dev.get("/", params={"q": "工资", "type": ["labor"]})
    assert "劳动争议纠纷" in filtered.text and "邻里纠纷" not in filtered.text.split("results")[1]


def test_a_bad_filter_renders_a_chinese_error_page(dev):
    response = dev.get("/", params={"q": "x", "date_from": "2025-01-01", "date_to": "2020-01-01"})
    assert response.status_code == 422 and "date_from" in response.text
    assert dev.get("/cases/case-nope").status_code == 404


def test_report_downloads_from_the_case_page(dev):
    response = dev.get("/cases/case-labor-001/report.docx")
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_pages_require_a_key_when_keys_are_configured(sample_services, keys_file):
    client = client_for(sample_services("embedded"), keys_file)
    anonymous = client.get("/", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    wrong = client.post("/login", data={"key": "nope", "next": "/"})
    assert wrong.status_code == 401 and "无效" in wrong.text
    client.post("/login", data={"key": KEYS["mediator"], "next": "/"}, follow_redirects=False)
    assert client.get("/").status_code == 200
    experts = client.get("/experts")
    assert experts.status_code == 403 and "无权" in experts.text
