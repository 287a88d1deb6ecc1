"""The laws routes, pages and ``kb laws`` commands, and the article text everywhere a citation
appears (case page, similar-case summary, 类案检索报告, courses). Small statute set, stand-in encoder."""

from __future__ import annotations

import html
import json
import re

import pytest
from typer.testing import CliRunner

import cli.main as kb
from cases.indexing import SPEC as CASES
from cases.queries import CaseLibrary
from cases.report import similar_case_report
from indexer.pipeline import Indexer
from laws.source import statute_database
from tests.api.conftest import KEYS, auth, client_for
from tests.laws.test_checking import write_case
from tests.laws.test_queries import database_text
from training.courses import build_course, export_course

ARTICLE_1084 = "/laws/%E6%B0%91%E6%B3%95%E5%85%B8/1084"


@pytest.fixture(scope="module")
def client(law_services, keys_file):
    return client_for(law_services, keys_file)


@pytest.fixture(scope="module")
def page(law_services):
    """Development mode: the pages without logging in."""
    return client_for(law_services)


@pytest.fixture
def run(monkeypatch, law_services):
    monkeypatch.setattr(kb, "_services", law_services)
    runner = CliRunner()
    return lambda *args: runner.invoke(kb.app, list(args))


def civil_text(number: int) -> str:
    civil = statute_database().resolve("民法典")
    return statute_database().article(civil.id, number).text


# -- API ------------------------------------------------------------------------------
@pytest.mark.parametrize("role", sorted(KEYS))
def test_every_role_reads_the_laws(client, role):
    shown = client.get("/v1/laws/民法典/1084", headers=auth(role))
    assert shown.status_code == 200
    assert shown.json()["text"] == database_text("中华人民共和国民法典", "第一千零八十四条")
    searched = client.post(
        "/v1/laws/search", json={"query": "工资", "law": "劳动合同法"}, headers=auth(role)
    )
    assert searched.status_code == 200 and searched.json()["hits"]
    checked = client.post("/v1/laws/check", json={"text": "《民法典》第1084条"}, headers=auth(role))
    assert checked.json()["citations"][0]["verdict"] == "ok"
    suggested = client.post(
        "/v1/laws/suggest",
        json={"text": "借钱不还", "dispute_type": "合同纠纷"},
        headers=auth(role),
    )
    assert suggested.status_code == 200 and suggested.json()["articles"]


def test_api_errors_are_problems_in_chinese(client):
    assert client.get("/v1/laws/民法典/1084").status_code == 401
    missing = client.get("/v1/laws/民法典/1300", headers=auth("mediator"))
    assert missing.status_code == 404 and "没有第一千三百条" in missing.json()["detail"]
    assert missing.headers["content-type"].startswith("application/problem+json")
    bad = client.get("/v1/laws/民法典/abc", headers=auth("mediator"))
    assert bad.status_code == 422 and "条文序号" in bad.json()["detail"]
    neither = client.post("/v1/laws/check", json={}, headers=auth("mediator"))
    assert neither.status_code == 422
    bad_type = client.post("/v1/laws/suggest", json={"text": "借钱不还", "dispute_type": "loans"}, headers=auth("mediator"))
    assert bad_type.status_code == 422 and "loans" in bad_type.json()["detail"]
    unknown_law = client.post(
        "/v1/laws/search", json={"query": "工资", "law": "劳动大法"}, headers=auth("mediator")
    )
    assert unknown_law.status_code == 422 and "劳动大法" in unknown_law.json()["detail"]


def test_check_a_case_through_the_api_on_its_date(client):
    checked = client.post(
        "/v1/laws/check", json={"case_id": "case-contract-001"}, headers=auth("mediator")
    )
    assert checked.status_code == 200 and checked.json()["case"]["id"] == "case-contract-001"


# -- pages ----------------------------------------------------------------------------
def test_the_laws_page_searches_suggests_and_checks(page):
    searched = page.get("/laws", params={"q": "工资", "law": "劳动合同法"})
    assert (
        searched.status_code == 200
        and "《劳动合同法》" in searched.text
        and "法条" in searched.text
    )
    suggested = page.get("/laws", params={"suggest": "同事借钱不还", "type": "contract"})
    assert suggested.status_code == 200
    assert "件类似案例中有" in suggested.text or "直接相关" in suggested.text
    checked = page.post(
        "/laws/check",
        data={"text": "依据《合同法》第一百零七条、民法典第1084条", "date": "2022-03-01"},
    )
    assert checked.status_code == 200
    assert "已废止" in checked.text and "《民法典》第五百七十七条" in checked.text
    assert ARTICLE_1084 in checked.text


def test_the_article_page_shows_text_status_and_citing_cases(page, law_services):
    response = page.get(ARTICLE_1084)
    assert response.status_code == 200
    assert html.escape(civil_text(1084)) in response.text
    assert "现行有效" in response.text and "/cases/" in response.text
    assert page.get("/laws/民法典/1300").status_code == 404


def test_every_citation_on_a_case_page_links_to_its_article_with_its_text(page, law_services):
    cases = {s["id"]: s for s in law_services.store.iter_sources("cases")}
    case = next(
        s
        for s in cases.values()
        if any("第一千零八十四条" in b for b in s.get("legal_basis") or [])
    )
    response = page.get(f"/cases/{case['id']}")
    assert response.status_code == 200
    assert f'href="{ARTICLE_1084}"' in response.text
    assert html.escape(civil_text(1084)) in response.text  # in <details>, one click away


def test_citations_in_case_texts_link_and_show_the_text_on_hover(page, law_services, tmp_path):
    library = tmp_path / "library"
    write_case(library, "case-zz-text-citation", "2023-05-01", "《民法典》第六百七十五条",
               facts="调解员向双方释明民法典第六百七十九条：自然人之间的借款合同自提供借款时成立。"
                     "另有人引用《民法典》第一千三百条，并不存在。")  # fmt: skip
    Indexer(law_services.store, law_services.analyzer, law_services.embedder).index(
        CASES, [library], progress=False
    )
    response = page.get("/cases/case-zz-text-citation")
    links = re.findall(r'<a class="cite" href="([^"]+)" title="([^"]*)">([^<]*)</a>', response.text)
    assert [text for *_, text in links] == ["民法典第六百七十九条"]
    href, title, _ = links[0]
    assert href == "/laws/%E6%B0%91%E6%B3%95%E5%85%B8/679" and title == html.escape(
        civil_text(679), quote=True
    )
    # the one that does not exist is marked, with the note on hover, and listed under 引用提示
    assert '<abbr class="cite" title="《民法典》没有第一千三百条' in response.text
    assert "引用提示" in response.text


def test_a_case_page_shows_its_warnings(page, law_services):
    warned = next(
        s for s in law_services.store.iter_sources("cases")
        if any("条例" in b for b in s.get("legal_basis") or [])
    )  # fmt: skip
    response = page.get(f"/cases/{warned['id']}")
    assert "引用提示" in response.text and "行政法规" in response.text


def test_the_laws_link_is_in_the_navigation(page):
    assert 'href="/laws"' in page.get("/").text


# -- summary, report, courses ------------------------------------------------------------
def test_the_similar_case_summary_gives_the_most_cited_articles_with_their_text(law_services):
    summary = CaseLibrary(law_services).similar("case-contract-001", size=10)["summary"]
    with_text = [entry for entry in summary["legal_basis"] if entry.get("text")]
    assert with_text
    for entry in with_text:
        assert {"citation", "count", "law_name", "article", "text", "link"} <= set(entry)
        if entry["law_name"] == "中华人民共和国民法典" and len(entry["articles"]) == 1:
            assert entry["text"] == civil_text(entry["article"])


def test_the_report_ends_with_the_related_articles_in_full(law_services):
    report = similar_case_report(law_services, case_id="case-contract-001", size=5)
    markdown = report.render("md")
    last = markdown.split("\n## ")[-1]
    assert last.startswith("四、相关法条")
    held = [item for item in report.laws if item.get("text")]
    assert held
    for item in held:
        assert item["citation"] in last
        assert " ".join(item["text"].split("\n")[0].split()) in " ".join(last.split())


def test_a_course_gives_the_text_of_each_cited_article(law_services):
    course = build_course(law_services, "labor", dispute_types=["labor"], minutes=90, cases=2)
    laws = [law for part in course.cases for law in part.laws]
    assert laws and any(law["text"] for law in laws)
    markdown = export_course(course, "md")
    assert "相关法条" in markdown
    page_text = client_for(law_services).get(f"/training/courses/{course.id}").text
    held = next(law for law in laws if law["text"])
    assert html.escape(held["text"]) in page_text and held["link"] in page_text


# -- kb laws ----------------------------------------------------------------------------
def test_kb_laws_show_prints_the_exact_text(run):
    result = run("laws", "show", "民法典", "1084")
    assert result.exit_code == 0, result.output
    assert database_text("中华人民共和国民法典", "第一千零八十四条") in result.stdout
    data = json.loads(
        run("laws", "show", "中华人民共和国民法典", "第一千零八十四条", "--json").stdout
    )
    assert data["article"] == 1084 and "cited_by" in data


def test_kb_laws_search_check_and_suggest(run):
    searched = json.loads(
        run("laws", "search", "工资", "--law", "劳动合同法", "--size", "3", "--json").stdout
    )
    assert len(searched["hits"]) == 3
    assert {"law_name", "article", "article_label", "text", "status", "score", "why"} <= set(
        searched["hits"][0]
    )
    human = run("laws", "search", "工资", "--law", "劳动合同法")
    assert human.exit_code == 0 and "《劳动合同法》" in human.stdout

    checked = run("laws", "check", "《合同法》第一百零七条", "--date", "2022-03-01")
    assert (
        checked.exit_code == 0 and "已废止" in checked.stdout and "第五百七十七条" in checked.stdout
    )
    case = json.loads(run("laws", "check", "--case", "case-contract-001", "--json").stdout)
    assert case["case"]["id"] == "case-contract-001"

    suggested = json.loads(
        run("laws", "suggest", "借钱不还", "--type", "contract", "--json").stdout
    )
    assert suggested["articles"] and all(a["why"] for a in suggested["articles"])


def test_kb_laws_user_errors_exit_1_in_chinese(run):
    missing = run("laws", "show", "民法典", "1300")
    assert missing.exit_code == 1 and "没有第一千三百条" in missing.stderr
    assert run("laws", "check").exit_code == 1
    assert run("laws", "show", "民法典").exit_code == 2
