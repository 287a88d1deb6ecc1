"""Relevance on the judged query set (78 colloquial questions), default model, both backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from cases.evaluation import evaluate, load_judgements
from cases.queries import CaseLibrary
from kb_service.ranking import FusionConfig

JUDGED = load_judgements(Path(__file__).parent / "judged_queries.yaml")


@pytest.fixture
def scores(sample):
    library = CaseLibrary(sample)
    return {mode: evaluate(library, JUDGED, mode) for mode in ("hybrid", "keyword", "vector")}


def test_the_judged_set_is_big_enough():
    assert len(JUDGED) >= 40


def test_hybrid_meets_the_targets(scores):
    assert scores["hybrid"].recall_at_3 >= 0.85
    assert scores["hybrid"].mrr >= scores["keyword"].mrr


def test_rrf_fusion_also_meets_the_recall_target(sample):
    rrf = evaluate(CaseLibrary(sample), JUDGED, "hybrid", FusionConfig(method="rrf"))
    assert rrf.recall_at_3 >= 0.85
