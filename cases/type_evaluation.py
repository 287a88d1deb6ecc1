"""Plain questions to the right kind of case: the colloquial question set and its accuracy.

Each question (``tests/cases/type_questions.yaml``) is what a person types or
says ("公司不给交社保怎么办") with the dispute types that fit it, best first.
A search answers it well when its top hit is a case of one of those types.

Used by ``benchmarks/type_accuracy.py`` (prints the figures) and by the tests
that keep the set honest (size per type, valid codes, no overlap with titles).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from cases.queries import CaseLibrary
from kb_service.ranking import Mode
from kb_service.vocabularies import DISPUTE_TYPES

TYPE_QUESTIONS = Path(__file__).resolve().parents[1] / "tests" / "cases" / "type_questions.yaml"


@dataclass(frozen=True)
class TypeQuestion:
    query: str
    types: tuple[str, ...]
    """Dispute-type codes that fit, best first."""

    @property
    def best(self) -> str:
        return self.types[0]


@dataclass
class TypeAccuracy:
    correct: int = 0
    asked: int = 0
    by_type: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Best-fitting type → (correct, asked)."""
    misses: list[tuple[str, str | None]] = field(default_factory=list)
    """(question, type of the top hit) for every miss."""

    @property
    def accuracy(self) -> float:
        return self.correct / self.asked if self.asked else 0.0


def load_type_questions(path: Path = TYPE_QUESTIONS) -> list[TypeQuestion]:
    """The question set; labels are accepted as well as codes (they become codes)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        TypeQuestion(str(item["query"]), tuple(DISPUTE_TYPES.code(t) for t in item["types"]))
        for item in data
    ]


def runs(text: str, length: int = 4) -> set[str]:
    """Every run of ``length`` consecutive characters in ``text``."""
    return {text[i : i + length] for i in range(len(text) - length + 1)}


def shared_runs(question: str, titles: Iterable[str], length: int = 4) -> set[str]:
    """The runs of ``length`` characters that ``question`` shares with any of ``titles``."""
    wanted = runs(question, length)
    return {run for title in titles for run in runs(title, length) & wanted}


def type_accuracy(
    library: CaseLibrary, questions: list[TypeQuestion], *, mode: Mode = "hybrid"
) -> TypeAccuracy:
    """Share of questions whose top hit (free-text search, no filters) has a fitting type."""
    result = TypeAccuracy()
    asked: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    for question in questions:
        hits = library.search(question.query, size=1, facets=False, mode=mode)["hits"]
        top = hits[0]["dispute_type"] if hits else None
        asked[question.best] += 1
        if top in question.types:
            correct[question.best] += 1
        else:
            result.misses.append((question.query, top))
    result.asked = sum(asked.values())
    result.correct = sum(correct.values())
    result.by_type = {t: (correct[t], asked[t]) for t in DISPUTE_TYPES.terms if asked[t]}
    return result
