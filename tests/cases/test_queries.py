"""Case search, similar cases and the outcome summary over the sample library, on both backends."""

from __future__ import annotations

import json
import re

import pytest

from cases.queries import CaseFilters, CaseLibrary
from kb_service.errors import InvalidInputError, NotFoundError
from kb_service.masking import is_valid_id_card


@pytest.fixture
def library(sample) -> CaseLibrary:
    return CaseLibrary(sample)


def test_search_answers_with_hits_highlights_why_and_facets(library):
    result = library.search("农民工工资被拖欠")
    assert result["total"] > 0
    top = result["hits"][0]
    assert top["dispute_type"] == "labor" and top["dispute_type_label"] == "劳动争议纠纷"
    assert top["why"]["matched_terms"]
    assert any("<em>" in f for fragments in top["highlights"].values() for f in fragments)
    assert {"dispute_type", "org_level", "outcome", "region", "year"} <= set(result["facets"])
    assert result["facets"]["dispute_type"][0]["label"]


def test_filters_by_type_label_region_and_dates(library):
    filters = CaseFilters(dispute_type=["医疗纠纷"], region="吉林省/延边朝鲜族自治州")
    result = library.search("手术", filters, size=50)
    assert result["hits"]
    for hit in result["hits"]:
        assert hit["dispute_type"] == "medical"
        assert hit["region"].startswith("吉林省/延边朝鲜族自治州")
    dated = library.search("", CaseFilters(date_from="2024-01-01", date_to="2024-12-31"), size=100)
    assert dated["total"] > 0
    assert all(h["date"].startswith("2024") for h in dated["hits"])


def test_browsing_without_a_query_lists_newest_first(library):
    result = library.search("", size=5)
    dates = [h["date"] for h in result["hits"] if h.get("date")]
    assert dates == sorted(dates, reverse=True)
    assert sum(b["count"] for b in result["facets"]["dispute_type"]) == result["total"]


def test_paging_does_not_repeat_hits(library):
    first = library.search("邻居", size=5)
    second = library.search("邻居", size=5, offset=5)
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}


def test_bad_filter_values_name_what_to_fix():
    with pytest.raises(ValueError, match="neighbour"):
        CaseFilters(dispute_type=["neighbour"])
    with pytest.raises(ValueError, match="date_from"):
        CaseFilters(date_from="2024-05-01", date_to="2024-01-01")


def test_bad_paging_is_invalid_input(library):
    with pytest.raises(InvalidInputError):
        library.search("邻居", size=0)


def test_similar_to_a_case_excludes_it_and_summarises(library):
    result = library.similar("case-neighbor-001", size=5)
    ids = [h["id"] for h in result["hits"]]
    assert "case-neighbor-001" not in ids and len(ids) == 5
    assert result["hits"][0]["dispute_type"] == "neighbor"
    summary = result["summary"]
    assert summary["cases"] == 5
    assert sum(o["count"] for o in summary["outcomes"]) == 5
    assert summary["org_levels"] and summary["legal_basis"]


def test_similar_to_pasted_text_reports_amounts(library):
    text = (
        "我在长春一个工地干了大半年，包工头年底说没钱发工资，后来电话也打不通了。"
        "我们二十几个工友一共被欠了三十多万，总包公司说跟他们没关系。"
    )
    result = library.similar(text=text, size=5)
    assert result["hits"][0]["dispute_type"] == "labor"
    amount = result["summary"]["amount"]
    assert amount["min"] <= amount["median"] <= amount["max"]


def test_similar_needs_exactly_one_of_id_or_text(library):
    with pytest.raises(InvalidInputError):
        library.similar()
    with pytest.raises(InvalidInputError):
        library.similar("case-neighbor-001", text="噪声")
    with pytest.raises(NotFoundError):
        library.similar("case-does-not-exist")


MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
EIGHTEEN = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


def test_shown_cases_never_show_ids_phones_or_party_names(sample):
    from cases.loading import load_cases
    from kb_service.library import Loaded, sample_library

    library = CaseLibrary(sample)
    checked = 0
    for item in load_cases([sample_library()]):
        if not isinstance(item, Loaded):
            continue
        case = item.record
        shown = json.dumps(library.show(case.id), ensure_ascii=False)
        assert not MOBILE.search(shown), case.id
        assert not any(is_valid_id_card(m) for m in EIGHTEEN.findall(shown)), case.id
        for party in case.parties:
            if party.kind == "person":
                assert party.name not in shown, (case.id, party.name)
        checked += 1
    assert checked >= 100
