"""``kb index`` checks every case's citations on its date: warnings (the case still lands), and the
articles it cites stored with it (issue 11, "Done when")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli.main as kb
from cases.indexing import SPEC as CASES
from indexer.pipeline import Indexer
from kb_service.embeddings import CachedEmbedder
from kb_service.service import Services
from kb_service.settings import load_settings
from kb_service.store import build_store
from laws.indexing import article_doc_id
from laws.source import statute_database
from tests.fakes import HashingEmbedder

CASE = """---
id: {id}
title: 借款纠纷调解案
dispute_type: contract
date: {date}
outcome: success
legal_basis: [{basis}]
---
## 纠纷事实
申请人借给被申请人两万元，到期未还。{facts}

## 调解过程
调解员组织双方协商。
"""


def write_case(library: Path, case_id: str, date: str, basis: str, facts: str = "") -> None:
    path = library / "cases" / f"{case_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CASE.format(id=case_id, date=date, basis=basis, facts=facts), encoding="utf-8")


@pytest.fixture
def indexed(tmp_path, analyzer):
    library = tmp_path / "library"
    write_case(library, "case-2022-no-article", "2022-05-01", "《民法典》第一千三百条")
    write_case(library, "case-2022-contract-law", "2022-05-01", "《合同法》第一百零七条")
    write_case(library, "case-2019-contract-law", "2019-05-01", "《合同法》第一百零七条")
    write_case(library, "case-2023-ok", "2023-05-01", "《中华人民共和国民法典》第六百七十五条",
               facts="依照民法典第1084条，双方另行约定孩子的抚养。另参照《物业管理条例》第三十五条。")  # fmt: skip
    settings = load_settings(data_dir=tmp_path / "data")
    store = build_store(settings)
    indexer = Indexer(
        store, analyzer, CachedEmbedder(HashingEmbedder(), tmp_path / "cache.sqlite3")
    )
    report = indexer.index(CASES, [library], progress=False)
    yield report, store, library
    store.close()


def _warnings(report, case_id: str) -> list[dict]:
    return [w for w in report.as_dict()["warnings"] if w["id"] == case_id]


def test_every_case_lands_and_each_warning_names_its_place(indexed):
    report, store, library = indexed
    assert report.indexed == 4 and not report.rejected
    for warning in report.as_dict()["warnings"]:
        assert set(warning) == {"path", "line", "id", "citation", "verdict", "note"}
        assert Path(warning["path"]) == library / "cases" / f"{warning['id']}.md"


def test_an_article_that_does_not_exist_is_a_warning_naming_the_problem(indexed):
    report, _, _ = indexed
    (warning,) = _warnings(report, "case-2022-no-article")
    assert warning["citation"] == "《民法典》第一千三百条"
    assert warning["verdict"] == "no_such_article"
    assert "没有第一千三百条" in warning["note"] and "一千二百六十" in warning["note"]


def test_a_repealed_law_cited_after_its_repeal_is_a_warning_naming_the_successor(indexed):
    report, _, _ = indexed
    (warning,) = _warnings(report, "case-2022-contract-law")
    assert warning["verdict"] == "repealed"
    assert "2021-01-01" in warning["note"] and "《民法典》第五百七十七条" in warning["note"]


def test_the_same_citation_in_2019_is_no_warning_and_counts_as_its_successor_today(indexed):
    report, store, _ = indexed
    assert _warnings(report, "case-2019-contract-law") == []
    stored = store.get("cases", "case-2019-contract-law")
    civil = statute_database().resolve("民法典")
    assert stored["cited_articles"] == []  # we hold no text of the 合同法
    assert stored["current_articles"] == [article_doc_id(civil.id, 577)]


def test_running_text_citations_are_checked_and_stored(indexed):
    report, store, _ = indexed
    civil = statute_database().resolve("民法典")
    stored = store.get("cases", "case-2023-ok")
    assert stored["cited_articles"] == [article_doc_id(civil.id, n) for n in (675, 1084)]
    (warning,) = _warnings(report, "case-2023-ok")
    assert (
        warning["citation"] == "《物业管理条例》第三十五条" and warning["verdict"] == "unknown_law"
    )
    # a regulation is not a wrong citation: the note says the database holds laws only
    assert "行政法规" in warning["note"] and "不代表引用有误" in warning["note"]


def test_a_rerun_reports_the_same_warnings(indexed, analyzer, tmp_path):
    report, store, library = indexed
    indexer = Indexer(
        store, analyzer, CachedEmbedder(HashingEmbedder(), tmp_path / "cache.sqlite3")
    )
    again = indexer.index(CASES, [library], progress=False)
    assert again.unchanged == 4
    assert again.as_dict()["warnings"] == report.as_dict()["warnings"]


def test_a_law_marked_repealed_without_a_successor_still_counts_as_today_s_text(tmp_path, analyzer):
    # the database marks its 农村土地承包法 已废止 without saying by what: the citation is a
    # warning asking to check, and its newest text is still what a suggestion should offer
    library = tmp_path / "library"
    write_case(library, "case-land", "2023-05-01", "《农村土地承包法》第二十七条")
    settings = load_settings(data_dir=tmp_path / "data")
    store = build_store(settings)
    indexer = Indexer(
        store, analyzer, CachedEmbedder(HashingEmbedder(), tmp_path / "cache.sqlite3")
    )
    report = indexer.index(CASES, [library], progress=False)
    (warning,) = report.as_dict()["warnings"]
    assert warning["verdict"] == "repealed" and "请核对" in warning["note"]
    land = statute_database().resolve("农村土地承包法")
    assert store.get("cases", "case-land")["current_articles"] == [article_doc_id(land.id, 27)]
    store.close()


def test_kb_index_lists_the_warnings_under_the_cases(tmp_path, analyzer, monkeypatch):
    library = tmp_path / "library"
    write_case(library, "case-2022-no-article", "2022-05-01", "《民法典》第一千三百条")
    settings = load_settings(data_dir=tmp_path / "data")
    embedder = CachedEmbedder(HashingEmbedder(), tmp_path / "cache.sqlite3")
    services = Services(
        settings=settings, store=build_store(settings), analyzer=analyzer, embedder=embedder
    )
    monkeypatch.setattr(kb, "_services", services)
    human = CliRunner().invoke(kb.app, ["index", str(library)])
    assert human.exit_code == 0, human.output
    path = library / "cases" / "case-2022-no-article.md"
    assert f"! {path}:1  case-2022-no-article  《民法典》第一千三百条" in human.stdout
    report = json.loads(CliRunner().invoke(kb.app, ["index", str(library), "--json"]).stdout)
    assert report["cases"]["warnings"][0]["verdict"] == "no_such_article"
    assert report["laws"]["unchanged"] > 0 and report["laws"]["indexed"] == 0  # fingerprint
    services.close()
