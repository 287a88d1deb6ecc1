"""Matching consulting experts to a dispute: exclusions first, then a weighted score.

Exclusions (each with a Chinese reason): marked unavailable; an
``unavailable`` period covering the dispute's date; at capacity; a declared
conflict naming a party or a party's unit; the same unit as a party.

Ranking components, each in [0, 1], combined with configurable weights
(``KB_MATCH_WEIGHTS``, JSON):

- ``relevance``: hybrid search of the description over the experts'
  expertise and specialties (fused score relative to the best);
- ``specialty``: the dispute type is one of the expert's specialties; with
  no type given, the probability that the dispute is of one of them, from
  the dispute-type classifier learnt from the case library;
- ``region``: same county 1, same city 0.6, same province (or a provincial
  expert) 0.3;
- ``headroom``: share of capacity still free;
- ``rating``: rating / 5;
- ``track_record``: how many of the expert's past consultations are among the
  cases the case library finds similar to this dispute (3 or more → 1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cases.classifier import TypeGuess
from experts.indexing import COLLECTION, TEXT_FIELDS, expert_schema
from experts.schema import Period
from kb_service.dispute import DisputeBrief
from kb_service.errors import CollectionNotIndexedError, ConfigurationError
from kb_service.ranking import readable_terms
from kb_service.service import Services
from kb_service.store import KeywordQuery
from kb_service.text import check_paging
from kb_service.vocabularies import DISPUTE_TYPES, PROFESSIONS

SIMILAR_CASES = 20
"""How many similar cases count as "similar" for an expert's track record."""


class MatchWeights(BaseModel):
    model_config = ConfigDict(extra="forbid")

    relevance: float = Field(default=0.35, ge=0)
    specialty: float = Field(default=0.20, ge=0)
    region: float = Field(default=0.15, ge=0)
    headroom: float = Field(default=0.10, ge=0)
    rating: float = Field(default=0.10, ge=0)
    track_record: float = Field(default=0.10, ge=0)


def weights_from_settings(values: dict[str, float]) -> MatchWeights:
    try:
        return MatchWeights.model_validate(values)
    except ValueError as exc:
        known = "、".join(MatchWeights.model_fields)
        raise ConfigurationError(f"配置项 KB_MATCH_WEIGHTS 无效：可用的权重名为 {known}，且不能为负数") from exc


@dataclass
class Candidate:
    expert: dict[str, Any]
    score: float
    components: dict[str, float]
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        e = self.expert
        return {
            "id": e["id"],
            "name": e["name"],
            "profession": e["profession"],
            "profession_label": PROFESSIONS.label(e["profession"]),
            "region": e.get("region"),
            "unit": e.get("unit"),
            "score": round(self.score, 4),
            "components": {k: round(v, 4) for k, v in self.components.items()},
            "reasons": self.reasons,
        }


@dataclass
class Evaluation:
    candidates: list[Candidate]
    excluded: list[dict[str, str]]


def _related(a: str | None, b: str | None) -> bool:
    """Same name, or one organisation name containing the other (长春某医院 / 长春某医院骨科)."""
    if not a or not b:
        return False
    a, b = a.strip(), b.strip()
    return a == b or (min(len(a), len(b)) >= 4 and (a in b or b in a))


def exclusion_reason(expert: dict[str, Any], dispute: DisputeBrief, day: dt.date) -> str | None:
    if expert.get("available") is False:
        return "已标记为暂不可用"
    for period in map(Period.model_validate, expert.get("unavailable") or []):
        if period.covers(day):
            return f"{period.start} 至 {period.end} 期间不可用"
    capacity = expert.get("capacity")
    if capacity is not None and expert.get("load", 0) >= capacity:
        return f"咨询任务已满（{expert.get('load', 0)}/{capacity}）"
    for party in dispute.parties:
        for conflict in expert.get("conflicts") or []:
            if _related(conflict, party.name) or _related(conflict, party.unit):
                return f"声明与当事人“{party.name}”存在利害关系（{conflict}）"
    unit = expert.get("unit")
    for party in dispute.parties:
        party_units = [party.unit] + ([party.name] if party.kind == "org" or not party.unit else [])
        if any(_related(unit, u) for u in party_units):
            return f"与当事人“{party.name}”同属{unit}"
    return None


def region_closeness(expert_region: str | None, dispute_region: str | None) -> tuple[float, str | None]:
    if not expert_region or not dispute_region:
        return 0.0, None
    mine = [p for p in expert_region.strip("/").split("/") if p]
    theirs = [p for p in dispute_region.strip("/").split("/") if p]
    if len(mine) >= 3 and mine[:3] == theirs[:3]:
        return 1.0, f"同为{mine[2]}"
    if len(mine) >= 2 and mine[:2] == theirs[:2]:
        return 0.6, f"同属{mine[1]}"
    if mine[:1] == theirs[:1]:
        return 0.3, "省级专家" if len(mine) == 1 else f"同在{mine[0]}"
    return 0.0, None


def _specialty(expert: dict[str, Any], given: str | None, guess: TypeGuess | None) -> tuple[float, str | None]:
    """1 when the given type is a specialty; without a type, the classifier's probability that
    the dispute is of one of the expert's specialties (a soft signal, never a certainty)."""
    specialties = expert.get("specialties", [])
    if given:
        return (1.0, f"专长包括{DISPUTE_TYPES.label(given)}") if given in specialties else (0.0, None)
    if guess is None:
        return 0.0, None
    share = min(1.0, sum(guess.probabilities.get(s, 0.0) for s in specialties))
    likely = guess.dispute_type
    if likely and likely in specialties:
        return share, f"纠纷推断为{DISPUTE_TYPES.label(likely)}（{guess.probability:.0%}），专长相符"
    return share, None


class ExpertMatcher:
    def __init__(self, services: Services, weights: MatchWeights | None = None) -> None:
        self._services = services
        self._weights = weights or weights_from_settings(services.settings.match_weights)

    def pool(self) -> list[dict[str, Any]]:
        return list(self._services.store.iter_sources(COLLECTION))

    def _relevance(
        self, dispute: DisputeBrief, vector, size: int
    ) -> tuple[dict[str, float], dict[str, list[str]]]:
        text = dispute.description
        if dispute.dispute_type:
            text = f"{DISPUTE_TYPES.label(dispute.dispute_type)}。{text}"
            vector = self._services.embed_query(text, COLLECTION)
        terms = self._services.analyzer.query_terms(text)
        page = self._services.searcher.search(
            self._services.stored_schema(COLLECTION, expert_schema),
            keyword=KeywordQuery(terms=terms.weights, fields=TEXT_FIELDS),
            vector=vector,
            size=size,
        )
        best = max((h.score for h in page.hits), default=0.0)
        scores = {h.id: (h.score / best if best else 0.0) for h in page.hits}
        matched = {h.id: readable_terms([t for t in h.why.matched_terms if t in terms.typed]) for h in page.hits}
        return scores, matched

    def _similar_cases(self, dispute: DisputeBrief) -> set[str]:
        from cases.queries import CaseFilters, CaseLibrary

        filters = CaseFilters(dispute_type=[dispute.dispute_type] if dispute.dispute_type else [])
        try:
            found = CaseLibrary(self._services).similar(text=dispute.description, filters=filters, size=SIMILAR_CASES)
        except CollectionNotIndexedError:  # no case library yet: no track record to count
            return set()
        return {h["id"] for h in found["hits"]}

    def evaluate(self, dispute: DisputeBrief, pool: Sequence[dict[str, Any]] | None = None) -> Evaluation:
        pool = list(pool) if pool is not None else self.pool()
        day = dispute.date or dt.date.today()
        vector = None if dispute.dispute_type else self._services.embed_query(dispute.description, COLLECTION)
        guess = None if dispute.dispute_type else self._guess(dispute, vector)
        relevance, matched = self._relevance(dispute, vector, size=max(len(pool), 1))
        similar = self._similar_cases(dispute)
        w = self._weights
        candidates, excluded = [], []
        for expert in pool:
            reason = exclusion_reason(expert, dispute, day)
            if reason:
                excluded.append({"id": expert["id"], "name": expert["name"], "reason": reason})
                continue
            reasons: list[str] = []
            specialty, specialty_reason = _specialty(expert, dispute.dispute_type, guess)
            if specialty_reason:
                reasons.append(specialty_reason)
            region, region_reason = region_closeness(expert.get("region"), dispute.region)
            if region_reason:
                reasons.append(region_reason)
            capacity = expert.get("capacity")
            if capacity:
                free = capacity - expert.get("load", 0)
                headroom = free / capacity
                reasons.append(f"尚可承接{free}件咨询")
            else:
                headroom = 0.5  # capacity not declared: neither free nor full
            rating = (expert.get("rating") if expert.get("rating") is not None else 3.0) / 5
            track = sorted(set(expert.get("history") or []) & similar)
            if track:
                kind = DISPUTE_TYPES.label(dispute.dispute_type) if dispute.dispute_type else "纠纷"
                reasons.append(f"曾参与{len(track)}件类似{kind}咨询")
            if matched.get(expert["id"]):
                reasons.append("专业领域与纠纷相关（" + "、".join(matched[expert["id"]][:4]) + "）")
            if region and "朝鲜语" in (expert.get("languages") or []) and "延边" in (dispute.region or ""):
                reasons.append("可使用朝鲜语沟通")
            components = {
                "relevance": relevance.get(expert["id"], 0.0),
                "specialty": specialty,
                "region": region,
                "headroom": headroom,
                "rating": rating,
                "track_record": min(len(track), 3) / 3,
            }
            score = sum(getattr(w, name) * value for name, value in components.items())
            candidates.append(Candidate(expert, score, components, reasons))
        candidates.sort(key=lambda c: (-round(c.score, 9), c.expert["id"]))
        return Evaluation(candidates, excluded)

    def _guess(self, dispute: DisputeBrief, vector) -> TypeGuess | None:
        """The dispute's likely type when none is given (cases/classifier.py), or None."""
        from cases.classifier import META_KEY, TypeClassifier

        data = self._services.meta(META_KEY)
        if not data:
            return None
        return TypeClassifier(data).guess(self._services.analyzer.tokens(dispute.description), vector)

    def match(self, dispute: DisputeBrief, size: int = 5) -> dict[str, Any]:
        check_paging(size)
        evaluation = self.evaluate(dispute)
        return {
            "candidates": [c.as_dict() for c in evaluation.candidates[:size]],
            "excluded": evaluation.excluded,
        }
