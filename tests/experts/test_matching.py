"""Matching and assignment on the sample pool, on both backends."""

from __future__ import annotations

import pytest

from experts.assignment import assign
from experts.matching import ExpertMatcher, MatchWeights
from kb_service.dispute import DisputeBrief as Dispute

YANJI = "吉林省/延边朝鲜族自治州/延吉市"


@pytest.fixture
def matcher(sample) -> ExpertMatcher:
    return ExpertMatcher(sample)


def test_candidates_carry_components_and_reasons(matcher):
    dispute = Dispute(description="患者做完手术第二天死亡，家属认为医院有过错", dispute_type="医疗纠纷", region=YANJI)
    result = matcher.match(dispute, size=5)
    assert len(result["candidates"]) == 5
    top = result["candidates"][0]
    assert set(top["components"]) == {"relevance", "specialty", "region", "headroom", "rating", "track_record"}
    assert top["reasons"] and "专长包括医疗纠纷" in top["reasons"]
    scores = [c["score"] for c in result["candidates"]]
    assert scores == sorted(scores, reverse=True)


def test_excluded_experts_are_listed_and_never_candidates(matcher):
    dispute = Dispute(
        description="术后死亡医疗损害赔偿", dispute_type="medical", region=YANJI,
        parties=[{"name": "延边康宁医院", "kind": "org"}],
    )
    result = matcher.match(dispute, size=50)
    excluded = {e["id"]: e["reason"] for e in result["excluded"]}
    candidate_ids = {c["id"] for c in result["candidates"]}
    assert not candidate_ids & set(excluded)
    assert "利害关系" in excluded["exp-015"]  # declared conflict with 延边康宁医院
    assert any("暂不可用" in r for r in excluded.values())
    assert any("已满" in r for r in excluded.values())


def test_nearer_experts_rank_higher_all_else_equal(matcher):
    dispute = Dispute(description="邻居装修噪声扰民", dispute_type="neighbor", region="吉林省/长春市/南关区")
    weights = MatchWeights(relevance=0, specialty=0, region=1, headroom=0, rating=0, track_record=0)
    ranked = ExpertMatcher(matcher._services, weights).match(dispute, size=60)["candidates"]
    regions = [c["components"]["region"] for c in ranked]
    assert regions == sorted(regions, reverse=True)
    assert ranked[0]["region"] == "吉林省/长春市/南关区"


def test_assign_respects_capacity_and_reports_unassigned(matcher):
    disputes = [
        Dispute(id=f"d{i}", description="包工头拖欠农民工工资，总包单位拒绝先行清偿", dispute_type="labor",
                region="吉林省/长春市/绿园区")
        for i in range(12)
    ]
    result = assign(matcher, disputes, per_dispute=2)
    load: dict[str, int] = {}
    for a in result["assignments"]:
        assert len(a["expert_ids"]) <= 2
        for e in a["expert_ids"]:
            load[e] = load.get(e, 0) + 1
    pool = {e["id"]: e for e in matcher.pool()}
    for e, n in load.items():
        capacity = pool[e].get("capacity")
        assert capacity is None or pool[e].get("load", 0) + n <= capacity
    assert result["objective"] == pytest.approx(sum(a["score"] for a in result["assignments"]), abs=1e-3)
    filled = sum(len(a["expert_ids"]) for a in result["assignments"])
    missing = sum(u["missing"] for u in result["unassigned"])
    assert filled + missing == 2 * len(disputes)  # every slot is either filled or reported
    for u in result["unassigned"]:
        assert u["reason"] and u["missing"] >= 1


class _SmallPool(ExpertMatcher):
    """The sample pool cut to three experts with two free consultations between them."""

    def pool(self):
        chosen = [e for e in super().pool() if e.get("capacity") is not None][:3]
        return [dict(e, load=e["capacity"] - free) for e, free in zip(chosen, (1, 1, 0), strict=True)]


def test_assign_reports_every_slot_it_cannot_fill(sample):
    disputes = [
        Dispute(id=f"d{i}", description="包工头拖欠农民工工资", dispute_type="labor", region="吉林省/长春市/绿园区")
        for i in range(6)
    ]
    result = assign(_SmallPool(sample), disputes, per_dispute=2)
    filled = sum(len(a["expert_ids"]) for a in result["assignments"])
    assert filled == 2  # all the free capacity there is, each expert once
    filled_by = {a["dispute_id"]: len(a["expert_ids"]) for a in result["assignments"]}
    missing_by = {u["dispute_id"]: u["missing"] for u in result["unassigned"]}
    assert sum(missing_by.values()) == 10
    assert all(filled_by.get(d.id, 0) + missing_by.get(d.id, 0) == 2 for d in disputes)
    assert all(u["reason"] for u in result["unassigned"])


def test_without_a_type_the_likely_type_counts_for_specialties(matcher):
    dispute = Dispute(description="我爸做完胆囊手术第二天人就没了，医院说是并发症", region=YANJI)
    result = matcher.match(dispute, size=5)
    top = result["candidates"][0]
    assert "medical" in matcher._services.store.get("experts", top["id"])["specialties"]
    assert top["components"]["specialty"] > 0.5
    assert any("纠纷推断为医疗纠纷" in r for r in top["reasons"])
