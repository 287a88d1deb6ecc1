"""Statute search and suggestions with the real model over the whole sample library, on both
backends (issue 11, "Done when"). Figures: ``python benchmarks/laws.py``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import cli.main as kb
from indexer.run import index_libraries
from laws.evaluation import evaluate_search, evaluate_suggestions, load_article_judgements
from laws.queries import CASE_WEIGHT, DIRECT_WEIGHT, LawLibrary

JUDGED = Path(__file__).with_name("judged_queries.yaml")
LOAN_ARTICLES = set(range(667, 681))  # 民法典 第十二章 借款合同


def test_a_colleague_who_does_not_pay_back_finds_the_loan_articles(sample):
    hits = LawLibrary(sample).search("同事借钱不还", size=5)["hits"]
    assert any(h["short_name"] == "民法典" and h["article"] in LOAN_ARTICLES for h in hits), [
        (h["short_name"], h["article"]) for h in hits
    ]


def test_kb_laws_search_prints_them(sample_services, monkeypatch):
    monkeypatch.setattr(kb, "_services", sample_services("embedded"))
    result = CliRunner().invoke(kb.app, ["laws", "search", "同事借钱不还", "--size", "5", "--json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)["hits"]
    assert any(h["short_name"] == "民法典" and h["article"] in LOAN_ARTICLES for h in hits)


def test_judged_questions_find_a_right_article_in_the_top_5(sample):
    scores = evaluate_search(LawLibrary(sample), load_article_judgements(JUDGED))
    assert scores.queries >= 35
    assert scores.hit_at_5 >= 0.8, scores.misses


def test_both_backends_rank_the_same_articles(sample_services):
    embedded = LawLibrary(sample_services("embedded"))
    elastic = LawLibrary(sample_services("elasticsearch"))
    for query in ("同事借钱不还", "离婚后不让看孩子", "老板拖欠工资", "调解协议司法确认"):
        ours = [h["id"] for h in embedded.search(query, size=10)["hits"]]
        theirs = [h["id"] for h in elastic.search(query, size=10)["hits"]]
        assert ours == theirs, query


def test_suggestions_hold_an_article_the_case_cites(sample):
    cases = list(sample.store.iter_sources("cases"))
    weighting = (CASE_WEIGHT, DIRECT_WEIGHT)
    scores = evaluate_suggestions(LawLibrary(sample), sample, cases, [weighting])
    assert scores.cases >= 100
    assert scores.hit_at_5[weighting] >= 0.7


def test_an_unchanged_statute_database_is_not_read_again(sample):
    report = index_libraries(sample, None, progress=False)
    laws = report["laws"]
    assert laws["indexed"] == 0 and laws["unchanged"] == 379  # 378 laws and the sample regulation
    assert (
        report["cases"]["warnings"]
        == index_libraries(sample, None, progress=False)["cases"]["warnings"]
    )
