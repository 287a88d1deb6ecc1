"""Every endpoint answers its contract shape, on both backends."""

from __future__ import annotations

import io

import docx

from tests.api.conftest import auth


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_case_search(client):
    body = {"query": "楼上天天吵", "filters": {"dispute_type": ["邻里纠纷"]}, "size": 3, "offset": 0}
    data = client.post("/v1/cases/search", json=body, headers=auth("mediator")).json()
    assert set(data) == {"total", "hits", "facets"}
    assert data["hits"] and all(h["dispute_type"] == "neighbor" for h in data["hits"])
    assert {"id", "title", "dispute_type", "region", "date", "score", "highlights", "why"} <= set(data["hits"][0])


def test_case_read_and_similar(client):
    case = client.get("/v1/cases/case-medical-001", headers=auth("mediator")).json()
    assert case["id"] == "case-medical-001" and case["outcome_label"]
    similar = client.get("/v1/cases/case-medical-001/similar?size=3", headers=auth("mediator")).json()
    assert len(similar["hits"]) == 3 and "summary" in similar
    by_text = client.post("/v1/cases/similar", json={"text": "快递丢了快递公司不赔", "size": 3}, headers=auth("mediator"))
    assert by_text.json()["hits"][0]["dispute_type"] == "logistics"


def test_case_report_downloads(client):
    response = client.post("/v1/cases/report", json={"case_id": "case-labor-001", "format": "docx"}, headers=auth("mediator"))
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "类案检索报告" in text
    md = client.post("/v1/cases/report", json={"text": "楼上漏水", "format": "md"}, headers=auth("mediator"))
    assert md.status_code == 200 and md.text.startswith("#")


def test_expert_match_assign_and_read(client):
    dispute = {"description": "手术后患者死亡", "dispute_type": "medical", "region": "吉林省/延边朝鲜族自治州/延吉市",
               "parties": [{"name": "延边康宁医院", "kind": "org"}]}
    match = client.post("/v1/experts/match", json={"dispute": dispute, "size": 3}, headers=auth("coordinator")).json()
    assert len(match["candidates"]) == 3 and match["excluded"]
    assigned = client.post("/v1/experts/assign", json={"disputes": [{"id": "d1", **dispute}], "per_dispute": 2},
                           headers=auth("coordinator")).json()
    assert assigned["assignments"][0]["dispute_id"] == "d1"
    expert = client.get("/v1/experts/exp-001", headers=auth("coordinator")).json()
    assert expert["phone"]


def test_expert_contact_data_only_for_coordinator_and_admin(client):
    assert "phone" not in client.get("/v1/experts/exp-001", headers=auth("mediator")).json()
    assert "phone" not in client.get("/v1/experts/exp-001", headers=auth("trainer")).json()
    assert client.get("/v1/experts/exp-001", headers=auth("admin")).json()["phone"]


def test_training_search_and_courses(client):
    hits = client.post("/v1/training/search", json={"query": "司法确认", "size": 3}, headers=auth("mediator")).json()
    assert hits["hits"] and {"material_id", "title", "section", "snippet", "score"} <= set(hits["hits"][0])
    created = client.post("/v1/training/courses", json={"topic": "labor", "dispute_types": ["labor"], "minutes": 60, "cases": 2},
                          headers=auth("trainer"))
    assert created.status_code == 201
    course = created.json()
    assert course["id"] and course["outline"]
    assert sum(item["minutes"] for item in course["outline"]) <= 60
    md = client.get(f"/v1/training/courses/{course['id']}?format=md", headers=auth("mediator"))
    assert md.status_code == 200 and course["title"] in md.text
    html = client.get(f"/v1/training/courses/{course['id']}?format=html", headers=auth("mediator"))
    assert "<h1" in html.text


def test_admin_status_and_reindex(client):
    status = client.get("/v1/admin/status", headers=auth("mediator")).json()
    assert status["collections"]["cases"] >= 150 and status["you"]["role"] == "mediator"
    reindex = client.post("/v1/admin/reindex", json={}, headers=auth("admin"))
    assert reindex.status_code == 200
    assert reindex.json()["cases"]["unchanged"] >= 150


def test_openapi_has_examples(client):
    spec = client.get("/openapi.json").json()
    assert "/v1/cases/search" in spec["paths"]
    schema = spec["components"]["schemas"]["CaseSearchRequest"]
    assert schema.get("examples")
