"""The 类案检索报告 (cases/report.py) on both backends, in all three formats.

It lives beside the training tests because both are built on kb_service/export.py.
"""

from __future__ import annotations

import io

import docx
import pytest

from cases.report import reasons, similar_case_report
from kb_service.errors import InvalidInputError, NotFoundError


def test_report_for_a_stored_case(sample):
    report = similar_case_report(sample, case_id="case-neighbor-001", size=5)
    assert report.dispute["case_id"] == "case-neighbor-001" and report.dispute["facts"]
    assert len(report.cases) == 5 and "case-neighbor-001" not in [c["id"] for c in report.cases]
    for case in report.cases:
        assert case["key_facts"] and case["reasons"]
    assert report.summary["cases"] == 5

    titles = [c["title"] for c in report.cases]
    markdown = report.render("md")
    assert "## 一、待检索纠纷" in markdown and "## 三、类案综述" in markdown
    assert all(t in markdown for t in titles)
    assert all(r in markdown for c in report.cases for r in c["reasons"])
    for outcome in report.summary["outcomes"]:
        assert f"| {outcome['label']} | {outcome['count']} |" in markdown
    assert report.summary["legal_basis"][0]["citation"] in markdown

    html = report.render("html")
    assert '<meta charset="utf-8">' in html and "<h1>类案检索报告</h1>" in html
    assert html.count("<h2>") >= 3 and "<h3>" in html
    assert all(t in html for t in titles) and "匹配原因" in html

    document = docx.Document(io.BytesIO(report.render("docx")))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = {c.text for table in document.tables for row in table.rows for c in row.cells}
    assert all(t in text for t in titles)
    assert report.cases[0]["reasons"][0] in text
    assert "类案综述" in text and report.summary["outcomes"][0]["label"] in cells


def test_report_for_pasted_text_summarises_amounts(sample):
    text = "包工头年底跑了，工地上二十几个工友被拖欠工资三十多万元，总包公司说跟他们没关系。"
    report = similar_case_report(sample, text=text, size=5)
    assert report.dispute == {"text": text}
    assert report.cases[0]["dispute_type"] == "labor"
    markdown = report.render("md")
    assert text in markdown and "涉案金额" in markdown and "中位数" in markdown
    assert report.as_dict()["summary"]["amount"]["count"] >= 1


def test_report_needs_a_known_case_or_a_text(sample):
    with pytest.raises(NotFoundError):
        similar_case_report(sample, case_id="case-does-not-exist")
    with pytest.raises(InvalidInputError):
        similar_case_report(sample)
    with pytest.raises(InvalidInputError, match="导出格式"):
        similar_case_report(sample, case_id="case-neighbor-001").render("pdf")


def test_reasons_read_as_words_without_sub_words():
    why = {
        "keyword_rank": 2,
        "keyword_score": 10.0,
        "vector_rank": 1,
        "vector_score": 0.91,
        "matched_terms": ["农民", "民工", "农民工", "工资", "农民工工资", "欠薪"],
    }
    assert reasons(why) == [
        "命中关键词：农民工工资、欠薪",
        "关键词检索排第 2 位",
        "语义相似度排第 1 位（相似度 0.91）",
    ]
    assert reasons({"vector_rank": 3, "vector_score": None, "matched_terms": []}) == [
        "关键词检索未命中，凭语义相近入选",
        "语义相似度排第 3 位",
    ]
