"""Every response says how long it took and which request it was; /metrics is Prometheus."""

from __future__ import annotations

import json
import logging
import re

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from kb_service.telemetry import TimedStore
from tests.indexed_sample import hashing_services

_TIMING = re.compile(r"^embed;dur=[\d.]+, store;dur=[\d.]+, (?:.*, )?total;dur=[\d.]+$")


@pytest.fixture(scope="module")
def client(indexed_sample_dir, analyzer):
    services = hashing_services(indexed_sample_dir, wrap_store=TimedStore)
    return TestClient(create_app(services, load_model=False), raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/healthz", None),
        ("get", "/v1/cases/case-labor-001", None),
        ("get", "/v1/cases/case-nope", None),  # 404 too
        ("post", "/v1/cases/search", {"query": "", "size": 2}),
        ("post", "/v1/cases/search", {"size": "many"}),  # 422 too
        ("get", "/", None),
        ("get", "/no/such/page", None),
    ],
)
def test_every_response_carries_server_timing_and_a_request_id(client, method, path, body):
    response = client.request(method.upper(), path, json=body)
    assert _TIMING.match(response.headers["server-timing"]), response.headers["server-timing"]
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_store_time_is_measured_and_a_callers_request_id_is_kept(client):
    response = client.get("/v1/cases/case-labor-001", headers={"X-Request-ID": "desk-7.req-42"})
    assert response.headers["x-request-id"] == "desk-7.req-42"
    store_ms = float(re.search(r"store;dur=([\d.]+)", response.headers["server-timing"]).group(1))
    total_ms = float(re.search(r"total;dur=([\d.]+)", response.headers["server-timing"]).group(1))
    assert 0 < store_ms <= total_ms
    odd = client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert odd.headers["x-request-id"] != "<script>"


def test_metrics_are_prometheus_with_routes_as_templates_and_collection_sizes(client):
    client.get("/v1/cases/case-labor-001")
    text = client.get("/metrics").text
    assert 'kb_http_request_seconds_count{method="GET",route="/v1/cases/{case_id}",status="200"}' in text
    assert "case-labor-001" not in text
    assert re.search(r'kb_collection_documents\{collection="cases"\} \d+', text)
    assert 'kb_store_seconds_count{operation="get"}' in text


def test_access_logs_are_json_without_what_was_typed(client):
    import io

    from api.observability import configure_json_logging

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    try:
        configure_json_logging(stream=stream)
        client.get("/", params={"q": "王建国 13904315678"})
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    access = [entry for entry in lines if entry.get("name") == "kb_service.access"]
    assert access and access[-1]["route"] == "/" and access[-1]["status"] == 200 and access[-1]["request_id"]
    assert "13904315678" not in stream.getvalue() and "王建国" not in stream.getvalue()
