"""Relevance measures over a judged query set: recall@k and MRR, per ranking mode.

Used by ``benchmarks/relevance.py`` (prints the table) and by the relevance
test (asserts the targets).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from cases.queries import CaseLibrary
from kb_service.ranking import FusionConfig


@dataclass(frozen=True)
class Judgement:
    query: str
    relevant: tuple[str, ...]


@dataclass(frozen=True)
class Scores:
    recall_at_3: float
    recall_at_10: float
    mrr: float
    queries: int


def load_judgements(path: Path) -> list[Judgement]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Judgement(item["query"], tuple(item["relevant"])) for item in data]


def _recall(ranked: list[str], relevant: tuple[str, ...], k: int) -> float:
    """Share of the relevant cases in the top k (out of as many as fit in k)."""
    return len(set(ranked[:k]) & set(relevant)) / min(k, len(relevant))


def _reciprocal_rank(ranked: list[str], relevant: tuple[str, ...]) -> float:
    return next((1.0 / rank for rank, doc in enumerate(ranked, start=1) if doc in relevant), 0.0)


def evaluate(
    library: CaseLibrary, judgements: list[Judgement], mode: str, config: FusionConfig | None = None
) -> Scores:
    r3 = r10 = rr = 0.0
    for judgement in judgements:
        ranked = [
            h["id"]
            for h in library.search(judgement.query, size=10, facets=False, mode=mode, fusion=config)["hits"]
        ]
        r3 += _recall(ranked, judgement.relevant, 3)
        r10 += _recall(ranked, judgement.relevant, 10)
        rr += _reciprocal_rank(ranked, judgement.relevant)
    n = len(judgements)
    return Scores(r3 / n, r10 / n, rr / n, n)
