"""Verdicts on citations, judged on a case's date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cases.schema import Case
from kb_service.library import Loaded, sample_library
from laws.catalog import LawCatalog
from laws.verify import case_warnings, check_case, check_legal_basis, check_text

D = dt.date


def one(text: str, on: dt.date | None = None, catalog: LawCatalog | None = None):
    (verification,) = check_text(text, on, catalog)
    return verification


def test_a_2019_case_citing_the_contract_law_gets_a_note_not_a_warning():
    result = one("《合同法》第一百零七条", D(2019, 6, 1))
    assert result.verdict == "ok" and not result.warning
    assert result.note.startswith("当时有效")
    assert "现由《民法典》第五百七十七条规定" in result.note
    assert result.successors == ("《民法典》第五百七十七条",)


@pytest.mark.parametrize("on", [D(2021, 1, 1), D(2022, 3, 15)])
def test_the_same_citation_on_or_after_2021_is_a_repealed_warning(on):
    result = one("《中华人民共和国合同法》第一百零七条", on)
    assert result.verdict == "repealed" and result.warning
    assert "已于2021-01-01废止" in result.note
    assert "《民法典》第五百七十七条" in result.note


def test_the_last_day_before_the_civil_code_is_still_fine():
    assert one("《合同法》第一百零七条", D(2020, 12, 31)).verdict == "ok"


@pytest.mark.parametrize(
    ("citation", "successor"),
    [
        ("《婚姻法》第三十二条", "《民法典》第一千零七十九条"),
        ("《侵权责任法》第七十八条", "《民法典》第一千二百四十五条"),
        ("《物权法》第八十四条", "《民法典》第二百八十八条"),
        ("《继承法》第十条", "《民法典》第一千一百二十七条"),
        ("《合同法》第一百零九条", "《民法典》第五百七十九条"),
        ("《担保法》第十八条", "《民法典》第六百八十八条"),
    ],
)
def test_repealed_civil_laws_name_the_article_that_replaced_them(citation, successor):
    result = one(citation, D(2023, 5, 1))
    assert result.verdict == "repealed"
    assert successor in result.note and result.successors == (successor,)


def test_an_unmapped_old_article_still_names_the_replacing_law():
    result = one("《收养法》第五条", D(2023, 5, 1))
    assert result.verdict == "repealed"
    assert result.note.endswith("现由《民法典》规定（本库未收录《收养法》原文，条文本身未核对）")


def test_an_article_the_law_does_not_have():
    result = one("《民法典》第一千三百条", D(2023, 5, 1))
    assert result.verdict == "no_such_article"
    assert "没有第一千三百条（共一千二百六十条）" in result.note


def test_a_paragraph_the_article_does_not_have():
    assert one("《民法典》第一千零八十四条第三款").verdict == "ok"
    result = one("《民法典》第一千零八十四条第四款")
    assert result.verdict == "no_such_article"
    assert result.note == "第一千零八十四条只有三款，没有第四款"


def test_an_ok_citation_carries_the_article_text():
    result = one("民法典第1084条", D(2023, 5, 1))
    assert result.verdict == "ok"
    assert result.article.text.startswith("父母与子女间的关系")
    data = result.as_dict()
    assert data["citation"] == "《民法典》第一千零八十四条"
    assert data["text"] == result.article.text and data["verdict_label"] == "引用有效"


def test_a_law_we_do_not_hold_is_unknown():
    result = one("《物业管理条例》第三十五条")
    assert result.verdict == "unknown_law"
    assert "本库未收录《物业管理条例》" in result.note


def test_an_unreadable_number_is_no_such_article():
    result = one("《民法典》第一千千条")
    assert result.verdict == "no_such_article"
    assert "不是有效的条文序号" in result.note


def test_a_law_cited_before_it_took_effect_points_to_the_law_then():
    result = one("《民法典》第一千二百一十八条", D(2019, 10, 22))
    assert result.verdict == "no_such_article"
    assert "2019-10-22时《民法典》尚未施行（2021-01-01起施行）" in result.note
    assert "当时的规定见《侵权责任法》第五十四条" in result.note


def test_repeals_stated_in_the_database_are_dated():
    before = one("《噪声污染防治法》第六十五条", D(2024, 5, 12))
    assert before.verdict == "ok" and "现由《生态环境法典》规定" in before.note
    after = one("《噪声污染防治法》第六十五条", D(2026, 9, 1))
    assert after.verdict == "repealed"
    assert "已于2026-08-15废止，现由《生态环境法典》规定" in after.note


def test_a_chain_of_repeals_is_followed():
    result = one("《环境噪声污染防治法》第四十三条", D(2023, 1, 1))
    assert result.verdict == "repealed"
    assert "已于2022-06-05废止，由《噪声污染防治法》取代" in result.note
    assert result.successors == ("《生态环境法典》",)


def test_a_repeal_without_a_date_says_so():
    result = one("《农村土地承包法》第五十五条", D(2023, 1, 1))
    assert result.verdict == "repealed"
    assert "废止日期和替代法律未载明" in result.note and "请核对" in result.note


def test_versions_are_judged_by_date():
    # 仲裁法: the 2017 text has 80 articles, the revision in force from 2026-03-01 has 96
    old = one("《仲裁法》第九十条", D(2020, 1, 1))
    assert old.verdict == "amended" and "该序号见于2025-09-12文本" in old.note
    assert one("《仲裁法》第九十条", D(2026, 6, 1)).verdict == "ok"
    then = one("《仲裁法》第十条", D(2020, 1, 1))
    assert then.verdict == "ok" and "已于2026-03-01修订" in then.note


def test_a_text_the_database_marks_as_amended():
    result = one("《刑法》第一百二十条之一")
    assert result.verdict == "amended" and "已被修改" in result.note


def test_an_older_date_than_the_held_text_is_noted():
    result = one("《劳动合同法》第十条", D(2010, 1, 1))
    assert result.verdict == "ok" and "本库收录的是2012-12-28的文本" in result.note


def test_without_a_date_citations_are_judged_today():
    assert one("《合同法》第一百零七条").verdict == "repealed"


def test_local_regulations_verify_against_their_own_articles():
    catalog = LawCatalog.for_libraries([sample_library()])
    ok = one("《吉林省人民调解条例（示例）》第十三条", D(2025, 6, 1), catalog)
    assert ok.verdict == "ok" and "示例文本" in ok.note
    missing = one("《吉林省人民调解条例（示例）》第三十条", D(2025, 6, 1), catalog)
    assert missing.verdict == "no_such_article" and "共二十一条" in missing.note


def test_legal_basis_entries_include_whole_laws_and_unreadable_ones():
    results = check_legal_basis(
        ["《信访工作条例》", "相关法律规定", "《民法典》第五百七十七条"], D(2023, 1, 1)
    )
    assert [r.verdict for r in results] == ["unknown_law", "unknown_law", "ok"]
    assert "无法识别的引用“相关法律规定”" in results[1].note


def _case(**changes) -> Case:
    data = {
        "id": "case-test-1",
        "title": "借款纠纷",
        "dispute_type": "contract",
        "facts": "甲向乙借款五万元。",
        "process": "调解员释明《民法典》第一千三百条和《民法典》第六百七十五条。",
        "outcome": "success",
        "date": "2022-04-01",
        "legal_basis": ["《合同法》第一百零七条", "《民法典》第六百七十五条"],
    }
    return Case.model_validate(data | changes)


def test_a_case_is_checked_once_per_citation_on_its_date():
    results = check_case(_case())
    verdicts = {r.citation.display: r.verdict for r in results}
    assert verdicts == {
        "《合同法》第一百零七条": "repealed",
        "《民法典》第六百七十五条": "ok",
        "《民法典》第一千三百条": "no_such_article",
    }
    assert len(results) == 3


def test_index_warnings_have_the_contract_shape():
    loaded = Loaded(_case(date="2019-04-01"), Path("cases/a.md"), 1)
    warnings = case_warnings(loaded)
    assert {w["citation"]: w["verdict"] for w in warnings} == {
        "《民法典》第六百七十五条": "no_such_article",
        "《民法典》第一千三百条": "no_such_article",
    }
    assert set(warnings[0]) == {"path", "line", "id", "citation", "verdict", "note"}
    assert warnings[0]["id"] == "case-test-1" and warnings[0]["path"] == "cases/a.md"
