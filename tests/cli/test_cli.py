"""The kb command: --json output, exit 0/1/2, Chinese messages on stderr."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import cli.main as kb


@pytest.fixture
def run(monkeypatch, sample_services):
    services = sample_services("embedded")
    monkeypatch.setattr(kb, "_services", services)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(kb.app, list(args))

    return invoke


def test_search_cases_json(run):
    result = run("search", "cases", "楼上天天吵", "--size", "3", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"total", "hits", "facets"}
    assert {"id", "title", "dispute_type", "region", "date", "score", "highlights", "why"} <= set(data["hits"][0])


def test_search_with_filters_and_human_output(run):
    result = run("search", "cases", "工资", "--type", "劳动争议纠纷", "--from", "2019-01-01")
    assert result.exit_code == 0
    assert "共" in result.stdout
    unfiltered = json.loads(run("search", "cases", "工资", "--size", "50", "--json").stdout)
    filtered = json.loads(
        run("search", "cases", "工资", "--type", "劳动争议纠纷", "--from", "2019-01-01", "--size", "50", "--json").stdout
    )
    assert filtered["hits"] and filtered["total"] < unfiltered["total"]
    assert all(h["dispute_type"] == "labor" and h["date"] >= "2019-01-01" for h in filtered["hits"])
    assert {b["value"] for b in filtered["facets"]["dispute_type"]} == {"labor"}


def test_similar_and_show(run):
    similar = run("similar", "case-neighbor-001", "--size", "3", "--json")
    assert similar.exit_code == 0
    assert "summary" in json.loads(similar.stdout)
    shown = run("cases", "show", "case-neighbor-001", "--json")
    assert json.loads(shown.stdout)["id"] == "case-neighbor-001"


def test_user_errors_exit_1_with_a_chinese_message(run):
    unknown = run("cases", "show", "case-nope")
    assert unknown.exit_code == 1
    assert "未找到" in unknown.stderr
    bad_type = run("search", "cases", "噪声", "--type", "neighbour")
    assert bad_type.exit_code == 1
    assert "neighbour" in bad_type.stderr


def test_usage_errors_exit_2(run):
    assert run("search", "cases", "噪声", "--size", "many").exit_code == 2
    assert run("no-such-command").exit_code == 2


def test_experts_match_and_assign(run, tmp_path):
    match = run("experts", "match", "工地包工头拖欠工资", "--type", "labor", "--region", "吉林省/长春市",
                "--party", "李某@吉林省宏达建筑工程有限公司", "--json")
    assert match.exit_code == 0, match.output
    data = json.loads(match.stdout)
    assert data["candidates"] and all(c["reasons"] for c in data["candidates"])
    disputes = tmp_path / "disputes.jsonl"
    disputes.write_text(
        "\n".join(
            json.dumps({"id": f"d{i}", "description": text, "dispute_type": kind, "region": "吉林省/长春市/朝阳区",
                        "parties": ["王某@长春某公司"]}, ensure_ascii=False)
            for i, (text, kind) in enumerate([("手术后患者死亡", "medical"), ("楼上漏水", "neighbor")])
        ),
        encoding="utf-8",
    )
    assigned = run("experts", "assign", str(disputes), "--per-dispute", "2", "--json")
    assert assigned.exit_code == 0, assigned.output
    result = json.loads(assigned.stdout)
    assert {a["dispute_id"] for a in result["assignments"]} == {"d0", "d1"}
    assert result["objective"] > 0


def test_experts_assign_reports_a_bad_line(run, tmp_path):
    disputes = tmp_path / "bad.jsonl"
    disputes.write_text('{"id": "d1"}\n', encoding="utf-8")
    result = run("experts", "assign", str(disputes))
    assert result.exit_code == 1
    assert "第 1 行" in result.stderr and "description" in result.stderr


def test_training_search(run):
    result = run("training", "search", "司法确认", "--size", "3", "--json")
    assert result.exit_code == 0, result.output
    hit = json.loads(result.stdout)["hits"][0]
    assert {"material_id", "title", "section", "snippet", "score"} <= set(hit)


def test_course_build_to_stdout_and_file(run, tmp_path):
    markdown = run("course", "build", "labor", "--type", "labor", "--minutes", "60", "--cases", "2")
    assert markdown.exit_code == 0, markdown.output
    assert markdown.stdout.startswith("#")
    out = tmp_path / "course.html"
    html = run("course", "build", "欠薪", "--type", "劳动争议纠纷", "--minutes", "45", "--format", "html", "-o", str(out))
    assert html.exit_code == 0 and "<h1" in out.read_text(encoding="utf-8")
    outline = json.loads(run("course", "build", "labor", "--minutes", "30", "--json").stdout)
    assert sum(item["minutes"] for item in outline["outline"]) <= 30


def test_report_similar_formats(run, tmp_path):
    md = run("report", "similar", "case-medical-001")
    assert md.exit_code == 0 and "类案检索报告" in md.stdout
    docx_without_file = run("report", "similar", "--text", "楼上漏水", "--format", "docx")
    assert docx_without_file.exit_code == 1 and "-o" in docx_without_file.stderr
    out = tmp_path / "report.docx"
    assert run("report", "similar", "--text", "楼上漏水", "--format", "docx", "-o", str(out)).exit_code == 0
    assert out.read_bytes()[:2] == b"PK"
    bad = run("report", "similar", "case-medical-001", "--format", "pdf")
    assert bad.exit_code == 1 and "md" in bad.stderr


def test_index_reports_counts_and_each_rejection(monkeypatch, tmp_path, analyzer, embedder):
    from kb_service.service import Services
    from kb_service.settings import load_settings
    from kb_service.store import build_store

    settings = load_settings(data_dir=tmp_path / "data")
    services = Services(settings=settings, store=build_store(settings), analyzer=analyzer, embedder=embedder)
    monkeypatch.setattr(kb, "_services", services)
    library = tmp_path / "library" / "cases"
    library.mkdir(parents=True)
    good = {"id": "case-x-1", "title": "邻里噪声纠纷", "dispute_type": "neighbor", "facts": "楼上吵。",
            "process": "调解员上门。", "outcome": "success"}
    bad = dict(good, id="case-x-2", dispute_type="neighbour")
    (library / "cases.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in (good, bad)) + "\n", encoding="utf-8"
    )
    runner = CliRunner()
    human = runner.invoke(kb.app, ["index", str(tmp_path / "library")])
    assert human.exit_code == 0, human.output
    assert "cases: 新增或更新 1 条，未变 0 条，拒收 1 条" in human.stdout
    assert "cases.jsonl:2" in human.stdout and "neighbour" in human.stdout
    again = json.loads(runner.invoke(kb.app, ["index", str(tmp_path / "library"), "--json"]).stdout)
    assert again["cases"]["unchanged"] == 1 and again["cases"]["indexed"] == 0
    from kb_service.registry import collection_names

    assert set(again) == set(collection_names())
    missing = runner.invoke(kb.app, ["index", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1 and "不存在" in missing.stderr
