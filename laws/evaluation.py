"""How well ``kb laws search`` and ``kb laws suggest`` do, over judged sets (benchmarks and tests).

- Search: ``tests/laws/judged_queries.yaml`` — plain questions with the articles
  a mediator wants (``民法典 667-680`` counts any article of the range);
  ``hit@5`` is the share of questions with a right article in the top 5, MRR the
  mean reciprocal rank of the first right one.
- Suggestions, leave-one-out over a case library: each case's title and facts
  (and its dispute type) are the description, the case itself is left out of
  the similar cases, and a top 5 counts when it holds an article the case cites
  (as the case's ``current_articles``: what governs its citations today).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from kb_service.ranking import FusionConfig
from kb_service.service import Services
from laws.queries import LawLibrary
from laws.suggestions import gather

_WANTED = re.compile(r"^(?P<law>\S+)\s+(?P<first>\d+)(?:-(?P<last>\d+))?$")


@dataclass(frozen=True)
class ArticleJudgement:
    query: str
    relevant: frozenset[tuple[str, int]]
    """(short name, article number) pairs that answer the query."""

    def is_relevant(self, hit: dict) -> bool:
        return (hit.get("short_name"), hit.get("article")) in self.relevant


def load_article_judgements(path: Path) -> list[ArticleJudgement]:
    judgements = []
    for item in yaml.safe_load(path.read_text(encoding="utf-8")):
        relevant: set[tuple[str, int]] = set()
        for wanted in item["relevant"]:
            match = _WANTED.match(wanted.strip())
            if match is None:
                raise ValueError(f"无法识别的标注“{wanted}”：应写成“民法典 1084”或“民法典 667-680”")
            last = int(match["last"] or match["first"])
            relevant.update((match["law"], n) for n in range(int(match["first"]), last + 1))
        judgements.append(ArticleJudgement(item["query"], frozenset(relevant)))
    return judgements


@dataclass(frozen=True)
class SearchScores:
    hit_at_5: float
    mrr: float
    queries: int
    misses: tuple[str, ...]


def evaluate_search(
    library: LawLibrary,
    judgements: Iterable[ArticleJudgement],
    mode: str = "hybrid",
    fusion: FusionConfig | None = None,
) -> SearchScores:
    hits = reciprocal = 0.0
    misses = []
    judged = list(judgements)
    for judgement in judged:
        ranked = library.search(judgement.query, size=10, mode=mode, fusion=fusion)["hits"]
        first = next((r for r, h in enumerate(ranked, 1) if judgement.is_relevant(h)), None)
        if first is not None and first <= 5:
            hits += 1
        else:
            misses.append(judgement.query)
        reciprocal += 1.0 / first if first else 0.0
    n = len(judged)
    return SearchScores(hits / n, reciprocal / n, n, tuple(misses))


@dataclass(frozen=True)
class SuggestionScores:
    hit_at_5: dict[tuple[float, float], float]
    """(case weight, direct weight) → share of the judged cases."""
    cases: int
    """Cases that cite at least one article we hold (the others cannot be judged)."""


def evaluate_suggestions(
    library: LawLibrary,
    services: Services,
    cases: Iterable[dict],
    weightings: Iterable[tuple[float, float]],
    *,
    with_type: bool = True,
) -> SuggestionScores:
    """Leave-one-out over stored cases (their sources, with ``current_articles``): the similar
    cases and the direct search are gathered once per case, then ranked under each weighting."""
    weightings = list(weightings)
    hits = dict.fromkeys(weightings, 0)
    judged = 0
    for case in cases:
        cited = set(case.get("current_articles") or [])
        if not cited:
            continue
        judged += 1
        dispute_type = case.get("dispute_type") if with_type else None
        evidence = gather(
            library, services, text=None, dispute_type=dispute_type, case_id=case["id"]
        )
        for weighting in weightings:
            top = {doc_id for doc_id, _ in evidence.ranked(*weighting)[:5]}
            hits[weighting] += bool(cited & top)
    shares = {w: (n / judged if judged else 0.0) for w, n in hits.items()}
    return SuggestionScores(shares, judged)
