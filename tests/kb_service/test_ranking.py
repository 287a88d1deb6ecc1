"""Fusion logic, with hand-made hits (no store, no model)."""

from __future__ import annotations

from kb_service.ranking import FusionConfig, fuse
from kb_service.store import Hit


def hits(*pairs):
    return [Hit(id=i, score=s, source={}) for i, s in pairs]


def test_rrf_rewards_agreement_between_the_two_sides():
    keyword = hits(("a", 9.0), ("b", 5.0), ("c", 1.0))
    vector = hits(("d", 0.95), ("b", 0.90), ("c", 0.80))
    order = [d for d, *_ in fuse(keyword, vector, FusionConfig(method="rrf"))]
    assert order[0] == "b"  # second on both sides beats first on one
    assert set(order) == {"a", "b", "c", "d"}


def test_why_records_both_ranks_and_scores():
    fused = fuse(hits(("a", 3.0)), hits(("b", 0.9), ("a", 0.8)), FusionConfig(method="rrf"))
    why = {d: w for d, _, w, _ in fused}
    assert (why["a"].keyword_rank, why["a"].vector_rank) == (1, 2)
    assert why["b"].keyword_rank is None and why["b"].vector_score == 0.9


def test_weights_tilt_the_fusion():
    keyword, vector = hits(("a", 9.0), ("b", 1.0)), hits(("b", 0.9), ("a", 0.5))
    assert fuse(keyword, vector, FusionConfig(method="rrf", keyword_weight=2.0))[0][0] == "a"
    assert fuse(keyword, vector, FusionConfig(method="rrf", vector_weight=2.0))[0][0] == "b"
    weighted = FusionConfig(method="weighted", keyword_weight=0.2, vector_weight=1.0)
    assert fuse(keyword, vector, weighted)[0][0] == "b"


def test_ties_break_by_id():
    fused = fuse(hits(("b", 1.0), ("a", 1.0)), [], FusionConfig(method="weighted"))
    assert [d for d, *_ in fused] == ["a", "b"]
