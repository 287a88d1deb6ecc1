"""研判预警 over HTTP: trends and alerts within each role's scope, acknowledgement by coordinators only,
the report as a Word file with its charts, the coordinators' dashboard, and risk flags on the workbench."""

from __future__ import annotations

import io
import re

import pytest

from tests.api.conftest import client_for
from tests.api.test_disputes_api import forget_disputes
from tests.disputes.wiring import auth, indexed_sample, with_register, write_keys
from tests.trends.conftest import COMMITTEE_B, REGION_B, add

AS_OF = "2026-03-10"


@pytest.fixture(autouse=True)
def _close_shared_registers():
    yield
    from disputes.service import close_registers

    close_registers()


class Desk:
    def __init__(self, tmp_path) -> None:
        from disputes.service import register_for

        self.services = with_register(
            indexed_sample(),
            f"sqlite:///{tmp_path / 'register.sqlite3'}",
            data_dir=tmp_path / "data",
        )
        forget_disputes(self.services)
        self.client = client_for(self.services, write_keys(tmp_path))
        register = register_for(self.services.settings)
        self.ours = [add(register, day) for day in ("2026-02-25", "2026-03-02", "2026-03-04")]
        self.group = add(register, "2026-03-09", "labor", committee=COMMITTEE_B, region=REGION_B, people_involved=12,
                         description="某建筑公司拖欠十二名工人工资共计八万元，工人情绪激动。")  # fmt: skip
        self.yanji = add(register, "2026-03-05", committee="延吉市建工街道人民调解委员会",
                         region="吉林省/延边朝鲜族自治州/延吉市/建工街道", people_involved=15)  # fmt: skip


@pytest.fixture
def desk(tmp_path) -> Desk:
    return Desk(tmp_path)


def regions(response) -> set[str]:
    assert response.status_code == 200, response.text
    return {r["region"] for r in response.json()["rows"] if r["count"]}


def test_trends_are_scoped_by_region_and_committee(desk):
    query = {"period": "week", "level": "county", "from": "2026-03-02", "to": AS_OF}
    assert regions(desk.client.get("/v1/trends", params=query, headers=auth("coordinator"))) == {
        "吉林省/长春市/南关区",
        "吉林省/长春市/朝阳区",
    }
    assert regions(
        desk.client.get("/v1/trends", params=query, headers=auth("other_coordinator"))
    ) == {"吉林省/延边朝鲜族自治州/延吉市"}
    assert regions(desk.client.get("/v1/trends", params=query, headers=auth("mediator"))) == {
        "吉林省/长春市/南关区"
    }
    assert desk.client.get("/v1/trends", params=query, headers=auth("trainer")).status_code == 403
    bad = desk.client.get("/v1/trends", params={"period": "day"}, headers=auth("coordinator"))
    assert bad.status_code == 422 and "week" in bad.json()["detail"]


def group_alert(client, holder: str) -> dict | None:
    response = client.get("/v1/alerts", params={"as_of": AS_OF}, headers=auth(holder))
    assert response.status_code == 200, response.text
    return next((a for a in response.json()["alerts"] if a["kind"] == "group"), None)


def test_alerts_are_acknowledged_by_coordinators_with_a_note(desk):
    alert = group_alert(desk.client, "coordinator")
    assert alert and alert["disputes"] == [desk.group] and alert["level"] == "yellow"
    assert set(alert) >= {"id", "kind", "level", "region", "dispute_type", "period", "observed", "expected", "method",
                          "reason", "disputes"}  # fmt: skip
    url = f"/v1/alerts/{alert['id']}/ack"
    assert (
        desk.client.post(url, json={"note": "已核实"}, headers=auth("mediator")).status_code == 403
    )
    assert (
        desk.client.post(
            url, json={"note": "已核实"}, headers=auth("other_coordinator")
        ).status_code
        == 404
    )
    missing = desk.client.post(url, json={}, headers=auth("coordinator"))
    assert missing.status_code == 422 and "note" in missing.text
    done = desk.client.post(url, json={"note": "已约谈企业负责人"}, headers=auth("coordinator"))
    assert done.status_code == 200 and done.json()["acks"][0]["note"] == "已约谈企业负责人"
    assert group_alert(desk.client, "coordinator")["acknowledged"]
    # 延吉's group dispute is not the 长春 coordinator's; the mediator of 南湖 sees neither
    assert group_alert(desk.client, "other_coordinator")["disputes"] == [desk.yanji]
    assert group_alert(desk.client, "mediator") is None


def test_the_report_is_a_word_file_with_charts_and_headings(desk):
    import docx

    response = desk.client.get("/v1/reports/trends", params={"format": "docx", "as_of": AS_OF, "period": "week"},
                               headers=auth("coordinator"))  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    document = docx.Document(io.BytesIO(response.content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "矛盾纠纷分析研判报告"
    for heading in (
        "一、总体情况",
        "二、上升较快的纠纷类型",
        "三、上升较快的地区（县级）",
        "四、预警信息",
        "五、类案借鉴",
    ):
        assert heading in headings
    assert len(document.inline_shapes) >= 2  # the counts chart and the rising types
    text = "\n".join(p.text for p in document.paragraphs)
    assert "群体性纠纷" in text and "延吉" not in text  # the coordinator's region only
    lessons = headings[headings.index("五、类案借鉴") + 1 :]
    assert lessons, "the rising types' model cases"
    markdown = desk.client.get(
        "/v1/reports/trends", params={"format": "md", "as_of": AS_OF}, headers=auth("coordinator")
    )
    assert "data:image/png;base64," in markdown.text
    assert (
        desk.client.get(
            "/v1/reports/trends", params={"format": "pdf"}, headers=auth("coordinator")
        ).status_code
        == 422
    )


def test_the_dashboard_is_for_coordinators(desk):
    page = desk.client.get("/dashboard", params={"as_of": AS_OF}, headers=auth("coordinator"))
    assert page.status_code == 200
    text = page.text
    assert 'src="/dashboard/chart.png?as_of=2026-03-10"' in text and 'id="region-type"' in text
    assert "cell-yellow" in text  # 朝阳区 × 劳动争议纠纷: the open group alert
    alert_id = re.search(r'action="/dashboard/alerts/(\w+)/ack"', text).group(1)
    assert desk.client.get("/dashboard", headers=auth("mediator")).status_code == 403
    chart = desk.client.get(
        "/dashboard/chart.png", params={"as_of": AS_OF}, headers=auth("coordinator")
    )
    assert chart.status_code == 200 and chart.content.startswith(b"\x89PNG")
    posted = desk.client.post(f"/dashboard/alerts/{alert_id}/ack", data={"note": "已电话核实", "as_of": AS_OF},
                              headers=auth("coordinator"), follow_redirects=False)  # fmt: skip
    assert posted.status_code == 303
    again = desk.client.get("/dashboard", params={"as_of": AS_OF}, headers=auth("coordinator")).text
    assert "已电话核实" in again


def test_the_workbench_shows_stored_alerts_with_their_acknowledgement(desk):
    alert = group_alert(desk.client, "coordinator")
    desk.client.post(
        f"/v1/alerts/{alert['id']}/ack", json={"note": "已约谈"}, headers=auth("coordinator")
    )
    risks = desk.client.get(f"/v1/disputes/{desk.group}/assist", headers=auth("admin")).json()[
        "risks"
    ]
    group = [r for r in risks if r["kind"] == "group"]
    assert len(group) == 1 and group[0]["acknowledged"] and group[0]["acks"][0]["note"] == "已约谈"
    page = desk.client.get(f"/disputes/{desk.group}", headers=auth("admin")).text
    assert "已签收：已约谈" in page
