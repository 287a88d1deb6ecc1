"""How alike two whole cases are: the re-ranking behind "cases like this one".

A short query and a whole case are different questions. For a short query the
hybrid search's BM25-plus-cosine fusion (``ranking.py``) is right; comparing
a case (or a pasted description) with every case of the library, the whole
text should count, term weights should reflect how often a word recurs in
*both* texts, and long documents must not win by length. So "similar"
retrieves candidates with the hybrid search (``CANDIDATES`` per side) and
re-ranks them here, above the stores, identically on both backends:

- **lexical**: cosine of TF-IDF vectors over the analysed text of the
  compared fields (sublinear term frequency ``1 + ln tf`` times the
  collection's idf, the statistics the indexer keeps for long queries);
- **semantic**: cosine of the document vectors. A document vector is the
  re-normalised mean of its passage (chunk) vectors, so every passage of a
  long case counts ("mean" aggregation);

``score = lexical_weight × lexical + vector_weight × semantic``, plus, where
the dispute-type classifier has been learnt, ``type_weight × P(type)`` of the
candidate's type given the query: a soft preference for cases of the kind
the words describe.

Chosen by measurement on public labelled civil judgments
(``benchmarks/dev_eval.py``; README, "Similar cases"): sublinear TF-IDF beat
both BM25 over key terms and plain TF-IDF; adding the vector at half weight
helped leave-one-out ranking; max, mean-of-max and symmetric passage
aggregations scored the same as the mean within noise, so the mean (one
stored vector per case) stays.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from kb_service.store import CollectionSchema, SearchStore


@dataclass(frozen=True)
class SimilarityConfig:
    lexical_weight: float = 1.0
    vector_weight: float = 0.5
    candidates: int = 100
    """Candidates each side of the hybrid search contributes before re-ranking."""
    fields: tuple[str, ...] = ("title", "facts")
    """Search fields whose analysed text is compared (the dispute, not how it was handled)."""
    type_weight: float = 0.1
    """Weight of the dispute-type classifier's probability for a candidate's type (a soft
    signal; ``cases/classifier.py``). Measured on the colloquial question set."""


def tfidf_vector(tokens: Iterable[str], idf: Mapping[str, float], unseen_idf: float) -> dict[str, float]:
    """Sublinear TF-IDF weights, L2-normalised (sklearn's ``sublinear_tf=True``)."""
    counts = Counter(tokens)
    weights = {t: (1.0 + math.log(n)) * idf.get(t, unseen_idf) for t, n in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {t: w / norm for t, w in weights.items()}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


@dataclass
class Similarity:
    doc_id: str
    score: float
    lexical: float
    semantic: float | None
    type_probability: float | None = None


class CaseSimilarity:
    """Scores candidates against one case (or description) by the formula above."""

    def __init__(self, store: SearchStore, config: SimilarityConfig | None = None) -> None:
        self._store = store
        self.config = config or SimilarityConfig()

    def tokens_of(self, texts: Mapping[str, str]) -> list[str]:
        """The compared fields' analysed tokens, as the indexer wrote them."""
        return [token for field in self.config.fields for token in texts.get(field, "").split()]

    def score(
        self,
        schema: CollectionSchema,
        *,
        tokens: Sequence[str],
        vector: Sequence[float] | None,
        candidates: Sequence[str],
        idf: Mapping[str, float],
        type_of: Mapping[str, str] | None = None,
        type_probabilities: Mapping[str, float] | None = None,
    ) -> list[Similarity]:
        """Every candidate's similarity, best first (ties by id). With the classifier's
        ``type_probabilities`` for the query, a candidate of a likely type gains
        ``type_weight × P(its type)``."""
        if not candidates:
            return []
        unseen = max(idf.values(), default=1.0)  # a term no indexed case has is as rare as they come
        query = tfidf_vector(tokens, idf, unseen)
        texts = self._store.get_texts(schema.name, list(candidates))
        vectors = self._store.get_vectors(schema.name, list(candidates)) if vector is not None else {}
        q = _unit(vector) if vector is not None else None
        results = []
        for doc_id in candidates:
            lexical = cosine(query, tfidf_vector(self.tokens_of(texts.get(doc_id, {})), idf, unseen))
            semantic = float(_unit(vectors[doc_id]) @ q) if q is not None and doc_id in vectors else None
            score = self.config.lexical_weight * lexical + self.config.vector_weight * (semantic or 0.0)
            probability = None
            if type_probabilities is not None and type_of is not None:
                probability = type_probabilities.get(type_of.get(doc_id, ""), 0.0)
                score += self.config.type_weight * probability
            results.append(Similarity(doc_id, score, lexical, semantic, probability))
        results.sort(key=lambda r: (-round(r.score, 9), r.doc_id))
        return results


def _unit(vector: Sequence[float]) -> np.ndarray:
    array = np.asarray(vector, dtype=np.float32)
    return array / (np.linalg.norm(array) or 1.0)
