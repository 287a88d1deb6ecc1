"""LawLibrary over the small statute set: show, search filters, check, suggest (plumbing).

Ranking quality with the real model is ``test_search_quality.py``.
"""

from __future__ import annotations

import sqlite3

import pytest

from cases.loading import load_cases
from kb_service.errors import InvalidInputError, NotFoundError
from kb_service.library import Loaded, sample_library
from laws.queries import LawLibrary, parse_article
from laws.source import database_path, statute_database


@pytest.fixture(scope="module")
def library(law_services) -> LawLibrary:
    return LawLibrary(law_services)


def database_text(law_name: str, article_no: str) -> str:
    """The article as the database file holds it, read without our code."""
    with sqlite3.connect(f"{database_path().as_uri()}?mode=ro", uri=True) as db:
        row = db.execute(
            "SELECT article_text FROM articles a JOIN laws l USING (law_id) "
            "WHERE l.law_name = ? AND a.article_no = ? AND l.status = '现行有效'",
            (law_name, article_no),
        ).fetchone()
    return row[0].strip()


@pytest.mark.parametrize("law", ["民法典", "中华人民共和国民法典", "《民法典》"])
@pytest.mark.parametrize("article", ["1084", "第1084条", "第一千零八十四条", "一千零八十四", 1084])
def test_show_reads_any_usual_way_of_naming_the_article(library, law, article):
    shown = library.show(law, article)
    assert shown["text"] == database_text("中华人民共和国民法典", "第一千零八十四条")
    assert shown["article_label"] == "第一千零八十四条" and shown["status"] == "in_force"
    assert shown["chapter"] == "第四章 离婚"


def test_parse_article_reads_inserted_articles_and_refuses_nonsense():
    assert parse_article("120之一") == (120, 1)
    assert parse_article("第一百二十条之一") == (120, 1)
    assert parse_article("120-1") == (120, 1)
    for bad in ("abc", "第条", "0", "第一千千条"):
        with pytest.raises(InvalidInputError) as caught:
            parse_article(bad)
        assert caught.value.field == "article" and "1084" in caught.value.detail


def test_show_says_what_is_missing(library):
    with pytest.raises(NotFoundError, match="没有第一千三百条（共一千二百六十条）"):
        library.show("民法典", 1300)
    with pytest.raises(NotFoundError, match="没有名为《民法大全》的法律"):
        library.show("民法大全", 1)
    with pytest.raises(NotFoundError) as repealed:
        library.show("合同法", 107)
    assert (
        "2021-01-01" in repealed.value.detail
        and "《民法典》第五百七十七条" in repealed.value.detail
    )


def test_show_lists_the_cases_citing_the_article(library):
    civil = statute_database().resolve("民法典")
    # cases whose legal_basis names 民法典 第一千零八十四条, read from the files
    expected = {
        case.id
        for item in load_cases([sample_library()])
        if isinstance(item, Loaded)
        for case in [item.record]
        if any(
            "民法典" in b and ("第一千零八十四条" in b or "第1084条" in b) for b in case.legal_basis
        )
    }
    assert expected
    shown = library.show("民法典", 1084)
    assert expected <= set(shown["cited_by"])
    assert shown["id"] == f"law-{civil.id}-a1084"
    assert all(c["title"] for c in shown["citing_cases"])


def test_older_versions_are_shown_when_asked(library):
    versions = statute_database().versions("仲裁法")
    assert len(versions) == 2
    current = library.show("仲裁法", 1)
    assert [v["law_id"] for v in current["versions"]] == [v.id for v in versions]
    old = library.show("仲裁法", 1, version=versions[0].id)
    assert old["status"] == "historical" and old["law_id"] == versions[0].id
    assert "version=" in old["link"]
    with pytest.raises(NotFoundError):
        library.show("仲裁法", 1, version="no-such-version")


def test_search_keeps_to_current_texts_and_to_the_law_asked(library):
    found = library.search("仲裁协议", size=20, mode="keyword")
    assert found["hits"] and all(h["status"] == "in_force" for h in found["hits"])
    old = library.search("仲裁协议", size=50, include_old=True, mode="keyword")
    assert {h["status"] for h in old["hits"]} >= {"in_force", "historical"}

    labour = library.search("工资", law="劳动合同法", size=10, mode="keyword")
    assert labour["hits"] and {h["short_name"] for h in labour["hits"]} == {"劳动合同法"}
    hit = labour["hits"][0]
    assert {"law_name", "article", "article_label", "text", "status", "score", "why"} <= set(hit)
    assert hit["why"]["matched_terms"] and hit["link"].startswith("/laws/")


def test_search_refuses_what_it_cannot_do(library):
    with pytest.raises(InvalidInputError) as unknown:
        library.search("工资", law="劳动大法")
    assert unknown.value.field == "law"
    with pytest.raises(InvalidInputError):
        library.search("  ")


def test_check_a_text_judges_each_citation_on_the_date_given(library):
    text = "依据《合同法》第一百零七条和《民法典》第一千三百条，及民法典第1084条。"
    found = library.check(text, on="2022-03-01")["citations"]
    assert [c["verdict"] for c in found] == ["repealed", "no_such_article", "ok"]
    assert found[2]["text"] == database_text("中华人民共和国民法典", "第一千零八十四条")
    assert found[2]["link"] == "/laws/%E6%B0%91%E6%B3%95%E5%85%B8/1084"
    earlier = library.check("《合同法》第一百零七条", on="2019-06-01")["citations"]
    assert earlier[0]["verdict"] == "ok" and earlier[0]["note"].startswith("当时有效")
    with pytest.raises(InvalidInputError):
        library.check("《民法典》第一条", on="2019/6/1")
    with pytest.raises(InvalidInputError):
        library.check()


def test_check_a_stored_case_on_its_date(library, law_services):
    cases = {s["id"]: s for s in law_services.store.iter_sources("cases")}
    with_old_law = next(
        s for s in cases.values() if any("合同法" in b for b in s.get("legal_basis") or [])
    )
    checked = library.check(case_id=with_old_law["id"])
    assert checked["case"]["date"] == with_old_law["date"]
    old = next(c for c in checked["citations"] if c["short_name"] == "合同法")
    assert old["verdict"] == ("ok" if with_old_law["date"] < "2021-01-01" else "repealed")
    with pytest.raises(NotFoundError):
        library.check(case_id="case-nope")


def test_suggestions_say_why(library, law_services):
    found = library.suggest(
        "邻居借了我两万元说好半年还，现在一年了还不还", dispute_type="contract", size=5
    )
    assert 1 <= len(found["articles"]) <= 5 and found["similar_cases"]
    similar = {c["id"] for c in found["similar_cases"]}
    stored = law_services.store.get_many("cases", list(similar))
    for article in found["articles"]:
        assert article["text"] and article["link"] and article["reasons"]
        why = article["why"]
        assert why["cases"] or why["direct_rank"]
        for case in why["cases"]:  # a case named as citing it does cite it
            assert article["id"] in stored[case["id"]]["current_articles"]
    scores = [a["score"] for a in found["articles"]]
    assert scores == sorted(scores, reverse=True)


def test_suggestions_from_cases_alone_are_the_articles_the_similar_cases_cite(
    library, law_services
):
    found = library.suggest(case_id="case-contract-001", size=5, direct_weight=0.0)
    assert "case-contract-001" not in {c["id"] for c in found["similar_cases"]}
    cited = set()
    for source in law_services.store.get_many(
        "cases", [c["id"] for c in found["similar_cases"]]
    ).values():
        cited.update(source.get("current_articles") or [])
    assert found["articles"] and {a["id"] for a in found["articles"]} <= cited
