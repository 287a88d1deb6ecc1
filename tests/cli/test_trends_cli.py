"""kb trends, kb alerts (and ack) and kb report trends: JSON and CSV output, exit 1 with a Chinese
message on a user error."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

import cli.main as kb
from tests.api.test_disputes_api import forget_disputes
from tests.disputes.wiring import indexed_sample, with_register
from tests.trends.conftest import COMMITTEE_B, REGION_B, add


@pytest.fixture
def run(monkeypatch, tmp_path):
    from disputes.service import close_registers, register_for

    services = with_register(
        indexed_sample(), f"sqlite:///{tmp_path / 'register.sqlite3'}", data_dir=tmp_path / "data"
    )
    forget_disputes(services)
    monkeypatch.setattr(kb, "_services", services)
    register = register_for(services.settings)
    for day in ("2026-02-25", "2026-03-02", "2026-03-04"):
        add(register, day)
    add(register, "2026-03-09", "labor", committee=COMMITTEE_B, region=REGION_B, people_involved=10)
    runner = CliRunner()
    yield lambda *args: runner.invoke(kb.app, [str(a) for a in args])
    close_registers()


def as_json(result):
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def test_trends_as_json_and_csv(run):
    data = as_json(
        run("trends", "--by", "type", "--from", "2026-02-23", "--to", "2026-03-08", "--json")
    )
    assert data["periods"] == ["2026-W09", "2026-W10"]
    week_10 = next(
        r for r in data["rows"] if r["period"] == "2026-W10" and r["dispute_type"] == "neighbor"
    )
    assert (week_10["count"], week_10["previous"], week_10["change_pct"]) == (2, 1, 100.0)
    table = list(
        csv.DictReader(
            io.StringIO(run("trends", "--level", "city", "--to", "2026-03-08", "--csv").stdout)
        )
    )
    assert {r["region"] for r in table} == {"吉林省/长春市"} and table[0]["dispute_type_label"]
    refused = run("trends", "--level", "village")
    assert refused.exit_code == 1 and "province" in refused.stderr


def test_alerts_are_checked_listed_and_acknowledged(run):
    first = as_json(run("alerts", "--as-of", "2026-03-10", "--json"))
    group = next(a for a in first["alerts"] if a["kind"] == "group")
    assert (
        group["new"] and group["level"] == "yellow" and "达到10人" in group["reason"]
    )  # exactly at the threshold
    again = as_json(run("alerts", "--as-of", "2026-03-10", "--json"))
    assert again["checked"]["new"] == [] and not any(a["new"] for a in again["alerts"])
    assert run("alerts", "ack", group["id"]).exit_code == 1  # the note is required
    done = as_json(run("alerts", "ack", group["id"], "--note", "已核实", "--json"))
    assert done["acknowledged"] and done["acks"][0]["actor"].startswith("命令行")
    assert (
        as_json(
            run("alerts", "--as-of", "2026-03-10", "--region", "吉林省/延边朝鲜族自治州", "--json")
        )["alerts"]
        == []
    )


def test_report_trends_writes_a_word_file(run, tmp_path):
    import docx

    out = tmp_path / "研判报告.docx"
    result = run("report", "trends", "--period", "week", "--as-of", "2026-03-10", "-o", out)
    assert result.exit_code == 0, result.stderr
    document = docx.Document(str(out))
    assert (
        document.paragraphs[0].text == "矛盾纠纷分析研判报告" and len(document.inline_shapes) >= 1
    )
    assert run("report", "trends", "--format", "docx").exit_code == 1  # DOCX needs -o
