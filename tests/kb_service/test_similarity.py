"""Whole-case similarity: sublinear TF-IDF cosine plus vector cosine, over any store."""

from __future__ import annotations

import math

import pytest

from cases.indexing import case_schema
from kb_service.similarity import CaseSimilarity, SimilarityConfig, cosine, tfidf_vector
from tests.indexed_sample import hashing_services


def test_tfidf_is_sublinear_and_unit_length():
    weights = tfidf_vector(["工资"] * 4 + ["拖欠"], {"工资": 1.0, "拖欠": 2.0}, unseen_idf=3.0)
    assert math.isclose(sum(w * w for w in weights.values()), 1.0)
    # 4 occurrences count 1 + ln 4 ≈ 2.39 times one, not 4 times
    assert weights["工资"] / weights["拖欠"] == pytest.approx((1 + math.log(4)) / 2.0)
    assert cosine(weights, weights) == pytest.approx(1.0)
    assert cosine(weights, tfidf_vector(["宅基地"], {}, 3.0)) == 0.0


@pytest.fixture(scope="module")
def library(indexed_sample_dir, analyzer):
    return hashing_services(indexed_sample_dir)


def test_a_case_is_most_similar_to_itself_and_scores_say_why(library):
    store = library.store
    sources = {s["id"]: s for s in store.iter_sources("cases")}
    similarity = CaseSimilarity(store)
    idf = store.get_meta("idf-cases")
    case_id = "case-labor-001"
    tokens = similarity.tokens_of(store.get_texts("cases", [case_id])[case_id])
    others = ["case-neighbor-001", "case-medical-001", case_id]
    scored = similarity.score(
        library.stored_schema("cases", case_schema),
        tokens=tokens, vector=store.get_vector("cases", case_id), candidates=others, idf=idf,
    )  # fmt: skip
    assert scored[0].doc_id == case_id
    assert scored[0].lexical == pytest.approx(1.0) and scored[0].semantic == pytest.approx(1.0, abs=1e-5)
    config = SimilarityConfig()
    for result in scored:
        assert result.score == pytest.approx(config.lexical_weight * result.lexical + config.vector_weight * result.semantic)
    assert {r.doc_id for r in scored} == set(others) and sources[case_id]


def test_similar_cases_rank_by_whole_case_similarity_with_its_parts_in_why(library):
    from cases.queries import CaseLibrary

    result = CaseLibrary(library).similar("case-labor-001", size=5)
    scores = [h["score"] for h in result["hits"]]
    assert scores == sorted(scores, reverse=True) and "case-labor-001" not in [h["id"] for h in result["hits"]]
    for hit in result["hits"]:
        why = hit["why"]
        assert {"lexical_similarity", "semantic_similarity"} <= set(why)
        assert hit["score"] == pytest.approx(
            why["lexical_similarity"] + 0.5 * why["semantic_similarity"] + 0.1 * why["type_probability"], abs=2e-4
        )
