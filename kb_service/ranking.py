"""Hybrid ranking, in one place above the stores.

A query is answered by both sides of a store — BM25 over the pre-tokenised
fields and kNN over the vectors — and the two candidate lists are fused here,
identically for both backends:

- ``weighted`` (default): keyword scores divided by the best one, vector
  scores spread min–max over the candidates, then
  ``keyword_weight * keyword + vector_weight * vector``;
- ``rrf``: reciprocal-rank fusion,
  ``keyword_weight / (k + keyword_rank) + vector_weight / (k + vector_rank)``.

``benchmarks/relevance.py`` measures both on the judged query set: weighted
1:1 ranks better there (README, "Search"). Every hit carries ``why``: its rank and score on
each side and the query terms it matched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from kb_service.settings import Settings
from kb_service.store import (
    CollectionSchema,
    Facet,
    Filter,
    Hit,
    KeywordQuery,
    Not,
    SearchStore,
    Terms,
    all_of,
)
from kb_service.store.highlight import highlight_source

Mode = Literal["hybrid", "keyword", "vector"]

MIN_CANDIDATES = 50
"""How many candidates each side contributes before fusion (at least)."""


@dataclass(frozen=True)
class FusionConfig:
    method: Literal["rrf", "weighted"] = "weighted"
    keyword_weight: float = 1.0
    vector_weight: float = 1.0
    rrf_k: int = 60

    @classmethod
    def from_settings(cls, settings: Settings) -> FusionConfig:
        return cls(
            method=settings.fusion,
            keyword_weight=settings.keyword_weight,
            vector_weight=settings.vector_weight,
            rrf_k=settings.rrf_k,
        )


@dataclass
class Why:
    keyword_rank: int | None = None
    keyword_score: float | None = None
    vector_rank: int | None = None
    vector_score: float | None = None
    matched_terms: list[str] = field(default_factory=list)
    lexical_similarity: float | None = None
    """Case-to-case re-ranking only (``similarity.py``): TF-IDF cosine of the whole texts."""
    semantic_similarity: float | None = None
    """Case-to-case re-ranking only: cosine of the document vectors."""
    type_probability: float | None = None
    """Case-to-case re-ranking only: the classifier's probability of this hit's type."""

    def as_dict(self) -> dict[str, Any]:
        data = {
            "keyword_rank": self.keyword_rank,
            "keyword_score": _rounded(self.keyword_score),
            "vector_rank": self.vector_rank,
            "vector_score": _rounded(self.vector_score),
            "matched_terms": self.matched_terms,
        }
        if self.lexical_similarity is not None:
            data["lexical_similarity"] = _rounded(self.lexical_similarity)
            data["semantic_similarity"] = _rounded(self.semantic_similarity)
            data["type_probability"] = _rounded(self.type_probability)
        return data


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass
class RankedHit:
    id: str
    score: float
    source: dict[str, Any]
    why: Why
    highlights: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class RankedPage:
    total: int
    hits: list[RankedHit]
    facets: dict[str, list[dict]] = field(default_factory=dict)


def readable_terms(terms: list[str]) -> list[str]:
    """Matched terms for people: without the sub-words search-mode segmentation adds
    (包工头, not 包工、工头、包工头)."""
    unique = list(dict.fromkeys(terms))
    return [t for t in unique if not any(t != other and t in other for other in unique)]


def _scaled_by_max(scores: dict[str, float]) -> dict[str, float]:
    """BM25 scores over the best one: every keyword match keeps a share above zero."""
    high = max(scores.values(), default=0.0)
    return {k: v / high if high > 0 else 1.0 for k, v in scores.items()}


def _scaled_min_max(scores: dict[str, float]) -> dict[str, float]:
    """Cosine scores crowd into a narrow band; spread them over [0, 1]."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    span = high - low
    return {k: (v - low) / span if span > 0 else 1.0 for k, v in scores.items()}


def fuse(
    keyword_hits: Sequence[Hit], vector_hits: Sequence[Hit], config: FusionConfig
) -> list[tuple[str, float, Why, Hit]]:
    """Fused (id, score, why, hit) in rank order: score descending, then id."""
    whys: dict[str, Why] = {}
    hits: dict[str, Hit] = {}
    for rank, hit in enumerate(keyword_hits, start=1):
        whys[hit.id] = Why(keyword_rank=rank, keyword_score=hit.score, matched_terms=list(hit.matched_terms))
        hits[hit.id] = hit
    for rank, hit in enumerate(vector_hits, start=1):
        why = whys.setdefault(hit.id, Why())
        why.vector_rank, why.vector_score = rank, hit.score
        hits.setdefault(hit.id, hit)

    fused: dict[str, float] = {}
    if config.method == "rrf":
        for doc_id, why in whys.items():
            score = 0.0
            if why.keyword_rank is not None:
                score += config.keyword_weight / (config.rrf_k + why.keyword_rank)
            if why.vector_rank is not None:
                score += config.vector_weight / (config.rrf_k + why.vector_rank)
            fused[doc_id] = score
    else:
        keyword = _scaled_by_max({h.id: h.score for h in keyword_hits})
        vector = _scaled_min_max({h.id: h.score for h in vector_hits})
        for doc_id in whys:
            fused[doc_id] = config.keyword_weight * keyword.get(doc_id, 0.0) + (
                config.vector_weight * vector.get(doc_id, 0.0)
            )
    order = sorted(fused, key=lambda d: (-round(fused[d], 9), d))
    return [(d, fused[d], whys[d], hits[d]) for d in order]


class HybridSearcher:
    """Keyword and vector candidates from a store, fused; facets over the fused set."""

    def __init__(self, store: SearchStore, config: FusionConfig) -> None:
        self._store = store
        self._config = config

    def search(
        self,
        schema: CollectionSchema,
        *,
        keyword: KeywordQuery | None,
        vector: np.ndarray | Sequence[float] | None,
        filter: Filter | None = None,
        size: int = 10,
        offset: int = 0,
        facets: Mapping[str, Facet] | None = None,
        exclude_ids: Sequence[str] = (),
        mode: Mode = "hybrid",
        config: FusionConfig | None = None,
        depth: int | None = None,
        highlight: bool = True,
    ) -> RankedPage:
        """``depth``: candidates asked of each side (default: enough for the page, at least
        ``MIN_CANDIDATES``). Only the page's hits are highlighted (``highlight=False``: none,
        for a caller that re-ranks the page first and then calls :func:`highlight_hits`)."""
        config = config or self._config
        if exclude_ids:
            filter = all_of(filter, Not(condition=Terms(field="id", values=tuple(exclude_ids))))
        depth = depth or max(MIN_CANDIDATES, offset + size)
        keyword_hits: list[Hit] = []
        vector_hits: list[Hit] = []
        by_keyword = mode in ("hybrid", "keyword") and keyword is not None and bool(keyword.terms)
        by_vector = mode in ("hybrid", "vector") and vector is not None
        together = by_keyword and by_vector  # one request; candidates come without their records
        if together:
            pages = self._store.hybrid_candidates(schema, keyword, vector, filter=filter, size=depth)
            keyword_hits, vector_hits = pages[0].hits, pages[1].hits
        elif by_keyword:
            keyword_hits = self._store.keyword_search(schema, keyword, filter=filter, size=depth).hits
        elif by_vector:
            vector_hits = self._store.vector_search(schema, vector, filter=filter, size=depth).hits
        fused = fuse(keyword_hits, vector_hits, config)
        shown = fused[offset : offset + size]
        if together:  # read the records of the page only
            records = self._store.get_many(schema.name, [d for d, *_ in shown])
            shown = [(d, s, w, replace(h, source=records[d])) for d, s, w, h in shown if d in records]
        page = RankedPage(
            total=len(fused),
            hits=[RankedHit(id=d, score=s, source=h.source, why=w) for d, s, w, h in shown],
        )
        if highlight:
            highlight_hits(schema, page.hits)
        if facets:
            if fused:
                within = Terms(field="id", values=tuple(d for d, *_ in fused))
                page.facets = self._store.aggregate(schema.name, facets, all_of(filter, within))
            else:
                page.facets = {name: [] for name in facets}
        return page


def highlight_hits(schema: CollectionSchema, hits: Sequence[RankedHit]) -> None:
    """Mark each hit's matched query terms in its stored text, as both stores would have
    (``kb_service/store/highlight.py``); done here for the hits shown, not for every candidate
    a store returned (highlighting was most of a hybrid search's time)."""
    for hit in hits:
        if hit.why.matched_terms:
            hit.highlights = highlight_source(schema, hit.source, hit.why.matched_terms)
