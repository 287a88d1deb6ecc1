"""Every citation in the sample library verifies, or gets the warning it deserves."""

from __future__ import annotations

import pytest

from cases.loading import load_cases
from kb_service.library import Loaded, sample_library
from laws.catalog import LawCatalog
from laws.names import short_name
from laws.verify import check_case

# Regulations the statute database does not hold (行政法规, 部门规章): unknown_law is right for them.
NOT_IN_DATABASE = {
    "信访工作条例", "物业管理条例", "医疗纠纷预防和处理条例", "工伤保险条例", "保障农民工工资支付条例",
    "国有土地上房屋征收与补偿条例", "学生伤害事故处理办法", "快递暂行条例",
}  # fmt: skip


@pytest.fixture(scope="module")
def verified():
    catalog = LawCatalog.for_libraries([sample_library()])
    cases = [item.record for item in load_cases([sample_library()]) if isinstance(item, Loaded)]
    assert len(cases) > 100
    return [(case, v) for case in cases for v in check_case(case, catalog)], catalog


def test_no_sample_citation_names_a_missing_or_renumbered_article(verified):
    results, _ = verified
    assert len(results) > 400
    wrong = [
        (c.id, v.citation.display, v.note)
        for c, v in results
        if v.verdict in ("no_such_article", "amended")
    ]
    assert wrong == []


def test_unknown_laws_are_only_regulations_outside_the_database(verified):
    results, _ = verified
    unknown = {short_name(v.citation.law_name) for _, v in results if v.verdict == "unknown_law"}
    assert unknown <= NOT_IN_DATABASE


def test_repealed_warnings_are_for_laws_the_database_marks_repealed(verified):
    results, catalog = verified
    for case, v in results:
        if v.verdict != "repealed":
            continue
        repeal = catalog.repeal(v.citation.law_name)
        assert repeal is not None, v.citation.display
        # a dated repeal warns only for cases on or after it; an undated one always asks to check
        assert repeal.date is None or case.date >= repeal.date, (case.id, v.citation.display)
        assert repeal.date is not None or "请核对" in v.note


def test_old_civil_laws_in_2019_2020_cases_are_noted_with_their_successor(verified):
    results, _ = verified
    old = [(c, v) for c, v in results if v.citation.origin == "repealed"]
    assert len(old) >= 5
    for case, v in old:
        assert case.date.year < 2021
        assert v.verdict == "ok" and v.note.startswith("当时有效")
        assert v.successors and v.successors[0].startswith("《民法典》第")
