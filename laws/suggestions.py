"""Articles for a dispute: what its similar cases cite, fused with a direct article search.

For a description (or a stored case, itself left out):

1. the :data:`~laws.queries.SIMILAR_CASES` most similar cases (hybrid case
   search, of the given dispute type if one is given), each weighted by its
   score over the best one's;
2. the articles each of them cites *as they govern today*
   (``current_articles``, stored by ``kb index``: a 2019 case's 《合同法》
   第一百零七条 counts as 《民法典》第五百七十七条); an article's case score is
   the weighted share of the similar cases citing it;
3. a direct article search with the same words; the direct score is the
   hit's fused score over the best one's;
4. ``case_weight × case score + direct_weight × direct score``, best first.

Every suggestion says why: the similar cases that cite it (with their
similarity) and its rank in the direct search, also in words (``reasons``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from kb_service.errors import InvalidInputError
from kb_service.service import Services
from kb_service.text import check_paging
from kb_service.vocabularies import DISPUTE_TYPES
from laws.articles import article_path
from laws.indexing import COLLECTION

if TYPE_CHECKING:
    from laws.queries import LawLibrary

_ARTICLE_FIELDS = ("law_id", "law_name", "short_name", "article", "article_sub", "article_label",
                   "chapter", "text", "status", "status_label")  # fmt: skip


def _similar_cases(
    services: Services, text: str | None, case_id: str | None, dispute_type: str | None, size: int
) -> tuple[str, list[dict[str, Any]]]:
    """The description searched for, and the similar cases with their weight and cited articles."""
    from cases.indexing import COLLECTION as CASES
    from cases.queries import CaseFilters, CaseLibrary

    filters = CaseFilters(dispute_type=[dispute_type] if dispute_type else [])
    result = CaseLibrary(services).similar(case_id, text=text, filters=filters, size=size)
    if case_id is not None:
        source = services.store.get(CASES, case_id)
        description = f"{source.get('title', '')}。{source.get('facts', '')}"
    else:
        description = (text or "").strip()
    hits = result["hits"]
    stored = services.store.get_many(CASES, [h["id"] for h in hits])
    best = max((h["score"] for h in hits), default=0.0)
    cases = []
    for hit in hits:
        why = hit.get("why") or {}
        cases.append(
            {
                "id": hit["id"],
                "title": hit.get("title"),
                "weight": hit["score"] / best if best > 0 else 0.0,
                "similarity": why.get("vector_score"),
                "articles": stored.get(hit["id"], {}).get("current_articles") or [],
            }
        )
    return description, cases


def _reasons(citing: list[dict[str, Any]], total: int, direct_rank: int | None) -> list[str]:
    lines = []
    if citing:
        named = "、".join(
            f"{c['id']}（相似度 {c['similarity']:.2f}）"
            if c.get("similarity") is not None
            else c["id"]
            for c in citing[:3]
        )
        more = "等" if len(citing) > 3 else ""
        lines.append(f"{total} 件类似案例中有 {len(citing)} 件援引：{named}{more}")
    if direct_rank is not None:
        lines.append(f"与纠纷描述直接相关（法条检索第 {direct_rank} 位）")
    return lines


@dataclass
class Evidence:
    """What suggestions are ranked from: the similar cases (weighted, with the articles they cite)
    and the direct article search. Gathered once; ranked under any weighting."""

    cases: list[dict[str, Any]]
    direct: list[dict[str, Any]]
    """Direct search hits, best first."""

    @cached_property
    def case_score(self) -> dict[str, float]:
        """Article id → similarity-weighted share of the similar cases citing it."""
        scores: dict[str, float] = defaultdict(float)
        total = sum(c["weight"] for c in self.cases) or 1.0
        for case in self.cases:
            for doc_id in dict.fromkeys(case["articles"]):
                scores[doc_id] += case["weight"] / total
        return dict(scores)

    @cached_property
    def direct_score(self) -> dict[str, float]:
        """Article id → its direct search score over the best one's."""
        best = max((h["score"] for h in self.direct), default=0.0)
        return {h["id"]: h["score"] / best if best > 0 else 0.0 for h in self.direct}

    def ranked(self, case_weight: float, direct_weight: float) -> list[tuple[str, float]]:
        ids = set(self.case_score) | set(self.direct_score)
        scores = {
            d: case_weight * self.case_score.get(d, 0.0)
            + direct_weight * self.direct_score.get(d, 0.0)
            for d in ids
        }
        return sorted(scores.items(), key=lambda kv: (-round(kv[1], 9), kv[0]))


def gather(
    library: LawLibrary,
    services: Services,
    *,
    text: str | None,
    dispute_type: str | None,
    case_id: str | None,
) -> Evidence:
    from laws.queries import DIRECT_CANDIDATES, SIMILAR_CASES

    if (case_id is None) == (not text or not text.strip()):
        raise InvalidInputError("请给出纠纷描述或案例编号（二者选一）", field="text")
    if dispute_type:
        try:
            dispute_type = DISPUTE_TYPES.code(dispute_type)
        except ValueError as exc:
            raise InvalidInputError(str(exc), field="dispute_type") from None
    description, cases = _similar_cases(services, text, case_id, dispute_type, SIMILAR_CASES)
    direct = library.search(description, size=DIRECT_CANDIDATES)["hits"]
    return Evidence(cases, direct)


def rank(
    evidence: Evidence, services: Services, *, size: int, case_weight: float, direct_weight: float
) -> dict[str, Any]:
    """The best ``size`` articles with their text and why."""
    check_paging(size, 0)
    chosen = evidence.ranked(case_weight, direct_weight)[:size]
    direct = {h["id"]: (n, h) for n, h in enumerate(evidence.direct, start=1)}
    stored = services.store.get_many(COLLECTION, [d for d, _ in chosen if d not in direct])
    citing: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for case in evidence.cases:
        for doc_id in dict.fromkeys(case["articles"]):
            citing[doc_id].append(case)
    articles = []
    for doc_id, score in chosen:
        source = direct[doc_id][1] if doc_id in direct else stored.get(doc_id)
        if source is None:  # cited by a case, but the laws collection lacks it (not re-indexed)
            continue
        position = direct[doc_id][0] if doc_id in direct else None
        data = {
            "id": doc_id,
            **{k: source[k] for k in _ARTICLE_FIELDS if source.get(k) is not None},
        }
        data["link"] = article_path(
            data["short_name"], data.get("article"), data.get("article_sub")
        )
        data["score"] = round(score, 6)
        data["why"] = {
            "cases": [
                {"id": c["id"], "title": c["title"], "similarity": c["similarity"]}
                for c in citing.get(doc_id, [])
            ],
            "case_score": round(evidence.case_score.get(doc_id, 0.0), 6),
            "direct_rank": position,
            "direct_score": direct[doc_id][1]["score"] if position else None,
        }
        data["reasons"] = _reasons(citing.get(doc_id, []), len(evidence.cases), position)
        articles.append(data)
    return {
        "articles": articles,
        "similar_cases": [
            {"id": c["id"], "title": c["title"], "similarity": c["similarity"]}
            for c in evidence.cases
        ],
    }


def suggest(
    library: LawLibrary,
    services: Services,
    *,
    text: str | None,
    dispute_type: str | None,
    case_id: str | None,
    size: int,
    case_weight: float,
    direct_weight: float,
) -> dict[str, Any]:
    check_paging(size, 0)
    evidence = gather(library, services, text=text, dispute_type=dispute_type, case_id=case_id)
    return rank(evidence, services, size=size, case_weight=case_weight, direct_weight=direct_weight)
