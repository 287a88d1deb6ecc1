"""Body and upload size limits (KB_MAX_BODY_BYTES, KB_MAX_UPLOAD_BYTES): 413 problem+json, nothing stored."""

from __future__ import annotations

import io
import json

import pytest

from tests.api.fast_world import fast_client
from tests.disputes.conftest import dispute
from tests.disputes.wiring import auth


@pytest.fixture
def client(tmp_path):
    with fast_client(tmp_path, max_body_bytes=8 * 1024, max_upload_bytes=64 * 1024) as client:
        yield client


def assert_too_large(response, field: str, variable: str) -> None:
    assert response.status_code == 413, response.text[:300]
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith("/too-large") and problem["field"] == field
    assert variable in problem["detail"] and "上限" in problem["detail"]


def test_a_body_over_the_limit_is_413_before_it_is_read(client):
    big = dispute(description="楼上漏水" * 5000)
    response = client.post("/v1/disputes", json=big, headers=auth("mediator"))
    assert_too_large(response, "body", "KB_MAX_BODY_BYTES")
    assert client.get("/v1/disputes", headers=auth("admin")).json()["total"] == 0


def test_a_body_without_a_declared_size_is_cut_off_as_it_arrives(client):
    payload = json.dumps({"query": "噪音" * 20_000}, ensure_ascii=False).encode()

    def chunks():
        for start in range(0, len(payload), 4096):
            yield payload[start : start + 4096]

    response = client.post(
        "/v1/cases/search",
        content=chunks(),
        headers={**auth("mediator"), "content-type": "application/json"},
    )
    assert_too_large(response, "body", "KB_MAX_BODY_BYTES")


def test_an_upload_over_its_own_limit_is_413_naming_the_file(client):
    line = json.dumps(dispute(), ensure_ascii=False) + "\n"
    big = (line * (70 * 1024 // len(line.encode()) + 1)).encode()
    files = {"file": ("台账.jsonl", io.BytesIO(big), "application/octet-stream")}
    response = client.post("/v1/disputes/import", files=files, headers=auth("admin"))
    assert_too_large(response, "file", "KB_MAX_UPLOAD_BYTES")
    assert client.get("/v1/disputes", headers=auth("admin")).json()["total"] == 0


def test_an_upload_may_be_larger_than_a_plain_body(client):
    line = json.dumps(dispute(), ensure_ascii=False) + "\n"
    files = {
        "file": (
            "台账.jsonl",
            io.BytesIO(line.encode() + b"\n" * 20 * 1024),
            "application/octet-stream",
        )
    }
    response = client.post("/v1/disputes/import", files=files, headers=auth("admin"))
    assert response.status_code == 200, response.text[:300]
    assert response.json()["imported"] == 1


def test_the_limits_are_settings_with_a_clear_message(tmp_path):
    from kb_service.errors import ConfigurationError
    from kb_service.settings import load_settings

    assert load_settings(data_dir=tmp_path, max_body_bytes=2048).max_body_bytes == 2048
    with pytest.raises(ConfigurationError, match="KB_MAX_UPLOAD_BYTES"):
        load_settings(data_dir=tmp_path, max_upload_bytes=10)
