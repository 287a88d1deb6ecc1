"""kb db upgrade, kb disputes … and kb search disputes: --json output, exit 1 with a Chinese
message on a user error, the command line acting as an administrator."""

from __future__ import annotations

import datetime as dt
import json
from itertools import islice

import pytest
from typer.testing import CliRunner

import cli.main as kb
from disputes.database import head_revision
from disputes.generator import generate, write
from tests.api.test_disputes_api import forget_disputes
from tests.disputes.conftest import dispute
from tests.disputes.wiring import indexed_sample, with_register


@pytest.fixture
def run(monkeypatch, migrated_database_url, tmp_path):
    services = with_register(indexed_sample(), migrated_database_url, data_dir=tmp_path / "data")
    forget_disputes(services)
    monkeypatch.setattr(kb, "_services", services)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(kb.app, [str(a) for a in args])

    yield invoke
    from disputes.service import close_registers

    close_registers()


def as_json(result):
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


@pytest.fixture
def added(run, tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(dispute(), ensure_ascii=False), encoding="utf-8")
    return as_json(run("disputes", "add", path, "--json"))


def test_db_upgrade(run):
    assert as_json(run("db", "upgrade", "--json"))["revision"] == head_revision()


def test_add_show_and_list(run, added):
    assert added["number"].startswith("（2026）") and added["history"][0]["actor"].startswith("命令行")
    shown = as_json(run("disputes", "show", added["id"], "--json"))
    assert shown["parties"][0]["phone"] == "13904315678"  # the operator sees the particulars
    human = run("disputes", "show", added["id"])
    assert added["number"] in human.stdout and "王建国" in human.stdout
    listed = as_json(run("disputes", "list", "--status", "已受理", "--type", "邻里纠纷", "--region", "吉林省/长春市",
                         "--from", "2026-03-01", "--to", "2026-03-31", "--json"))  # fmt: skip
    assert [d["id"] for d in listed["items"]] == [added["id"]]
    assert as_json(run("disputes", "list", "--status", "调解中", "--json"))["total"] == 0
    assert as_json(run("search", "disputes", "噪音", "--json"))["hits"][0]["id"] == str(added["id"])


def test_update_with_rules_notes_and_fields(run, added):
    refused = run("disputes", "update", added["id"], "--status", "success")
    assert refused.exit_code == 1 and "已受理" in refused.stderr
    moved = as_json(run("disputes", "update", added["id"], "--status", "调解中", "--note", "双方同意调解",
                        "--set", "amount=1.2万", "--json"))  # fmt: skip
    assert (moved["status"], moved["amount"], moved["history"][-1]["note"]) == ("mediating", 12000.0, "双方同意调解")
    noted = as_json(run("disputes", "update", added["id"], "--note", "电话回访", "--json"))
    assert noted["history"][-1]["note"] == "电话回访"
    bad = run("disputes", "update", added["id"], "--set", "amount")
    assert bad.exit_code == 1 and "字段=值" in bad.stderr


def test_import_reports_rows_and_export_reimports_as_existing(run, tmp_path):
    rows = list(islice(generate(seed=11, start=dt.date(2025, 1, 1), end=dt.date(2025, 3, 31), scale=0.1), 30))
    rows[4] = {**rows[4], "received": "去年三月"}
    source = tmp_path / "台账.csv"
    write(rows, source)
    report = run("disputes", "import", source)
    assert report.exit_code == 0 and "新登记 29" in report.stdout and "第 6 行" in report.stdout
    exported = tmp_path / "export.xlsx"
    assert as_json(run("disputes", "export", "-o", exported, "--json"))["rows"] == 29
    again = as_json(run("disputes", "import", exported, "--json"))
    assert (again["imported"], again["existing"]) == (0, 29)


def test_assist_promote_and_approve(run, added):
    help = as_json(run("disputes", "assist", added["id"], "--size", "3", "--json"))
    assert set(help) >= {"similar_cases", "experts", "laws", "agreement_suggestions", "risks"}
    assert "类似案例" in run("disputes", "assist", added["id"]).stdout
    not_yet = run("disputes", "promote", added["id"])
    assert not_yet.exit_code == 1 and "调解成功" in not_yet.stderr
    run("disputes", "update", added["id"], "--status", "mediating")
    as_json(run("disputes", "update", added["id"], "--status", "success", "--set", "agreement=1. 被申请人夜间不再使用跑步机", "--json"))
    draft = as_json(run("disputes", "promote", added["id"], "--json"))
    assert "王建国" not in draft["content"] and "王某某" in draft["content"]
    assert [d["id"] for d in as_json(run("disputes", "drafts", "--json"))] == [draft["id"]]
    approved = as_json(run("disputes", "approve", draft["id"], "--note", "可作示范", "--json"))
    assert approved["status"] == "approved" and approved["library_file"].endswith(f"{draft['case_id']}.md")
    assert as_json(run("cases", "show", draft["case_id"], "--json"))["outcome"] == "success"


def test_a_document(run, added, tmp_path):
    target = tmp_path / "agreement.docx"
    result = run("disputes", "doc", added["id"], "agreement", "--format", "docx", "-o", target)
    assert result.exit_code == 0 and target.stat().st_size > 0


def test_keys_name_a_committee_or_a_region(run):
    made = as_json(run("keys", "new", "--role", "mediator", "--name", "南湖调委会", "--committee", "南湖街道人民调解委员会", "--json"))
    assert made["entry"]["committee"] == "南湖街道人民调解委员会" and "region" not in made["entry"]
    made = as_json(run("keys", "new", "--role", "coordinator", "--name", "市司法局", "--region", "吉林省/长春市/", "--json"))
    assert made["entry"]["region"] == "吉林省/长春市"
    wrong = run("keys", "new", "--role", "trainer", "--name", "x", "--region", "吉林省")
    assert wrong.exit_code == 1 and "region" in wrong.stderr
