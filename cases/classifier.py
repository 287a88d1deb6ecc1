"""Which kind of dispute plain words describe: a classifier learnt from the indexed cases.

"公司不给交社保怎么办" names no dispute type, yet a mediator knows it is a
labour dispute. The case library knows too: every indexed case carries its
``dispute_type``. At index time (``kb index``) two multinomial logistic
regressions (scikit-learn) are fitted on the indexed cases:

- on the case vectors (the encoder's view: meaning beyond shared words);
- on sublinear TF-IDF of the analysed title, tags and facts (the words a
  type is told by: 工资, 宅基地, 物业费 …);

Their logits are summed and divided by a temperature fitted by
cross-validation to minimise log-loss (temperature scaling), so the
probabilities are calibrated: among answers given with p ≈ 0.7, about 70 %
are right. Below ``UNSURE_BELOW`` the answer is "不确定" (``dispute_type``
None) and callers treat it as no signal.

The fitted weights are kept as store metadata (``classifier-cases``): reads
never fit anything, and nothing here needs the model beyond the query vector
the search computes anyway. Used as a soft signal in case search and
similar-case ranking, expert matching without a given type, course topics,
and suggesting a type when a dispute is registered.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kb_service.store import SearchStore
from kb_service.vocabularies import DISPUTE_TYPES

META_KEY = "classifier-cases"
UNSURE_BELOW = 0.4
"""Top probability under which the classifier says 不确定 (chosen on the question set, README)."""

LEXICAL_FIELDS = ("title", "tags", "facts")
MIN_DOCUMENT_FREQUENCY = 2

MAX_TRAINING_CASES = 4000
"""Cases the classifier learns from at most. Its lexical features are a dense
cases × terms matrix and it fits twelve regressions (five folds and the final
one, lexical and semantic): at 10,000 cases that took a quarter of an hour of
``kb index`` and at 100,000 it would not fit in memory, while a stratified
sample of a few thousand tells twenty dispute types apart as well."""
"""Terms in fewer cases are noise for a classifier (names of places, one-off words)."""


@dataclass(frozen=True)
class TypeGuess:
    dispute_type: str | None
    """The most probable type, or None when unsure."""
    probability: float
    probabilities: dict[str, float]

    def as_dict(self, top: int = 3) -> dict[str, Any]:
        ranked = sorted(self.probabilities.items(), key=lambda kv: -kv[1])[:top]
        return {
            "dispute_type": self.dispute_type,
            "dispute_type_label": DISPUTE_TYPES.label(self.dispute_type) if self.dispute_type else "不确定",
            "probability": round(self.probability, 3),
            "candidates": [
                {"dispute_type": t, "dispute_type_label": DISPUTE_TYPES.label(t), "probability": round(p, 3)}
                for t, p in ranked
            ],
        }


def _tfidf(tokens: Sequence[str], vocabulary: Mapping[str, int], idf: np.ndarray) -> np.ndarray:
    """One text's unit-length sublinear TF-IDF row, dense (a query)."""
    return _tfidf_rows([tokens], vocabulary, idf).toarray()[0]


def _tfidf_rows(token_lists: Sequence[Sequence[str]], vocabulary: Mapping[str, int], idf: np.ndarray):
    """Unit-length sublinear TF-IDF rows ``(1 + ln tf) · idf`` of every text, as one sparse
    matrix (texts × terms): a case uses a few hundred of the vocabulary's terms, and a dense
    matrix of 4,000 training cases would take hundreds of megabytes for nothing (the fit
    itself is about as fast on either form)."""
    from scipy.sparse import csr_matrix

    data: list[float] = []
    columns: list[int] = []
    pointers = [0]
    for tokens in token_lists:
        row = {vocabulary[t]: (1.0 + math.log(c)) for t, c in Counter(tokens).items() if t in vocabulary}
        cols = np.fromiter(row, dtype=np.int64, count=len(row))
        values = np.fromiter(row.values(), dtype=np.float64, count=len(row)) * idf[cols]
        norm = np.linalg.norm(values)
        data.extend(values / norm if norm else values)
        columns.extend(cols)
        pointers.append(len(columns))
    return csr_matrix((data, columns, pointers), shape=(len(token_lists), len(vocabulary)))


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


class TypeClassifier:
    """The fitted classifier as stored; :meth:`guess` needs only numpy."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.types: list[str] = list(data["types"])
        self.vocabulary: dict[str, int] = {t: i for i, t in enumerate(data["terms"])}
        self.idf = np.asarray(data["idf"], dtype=np.float64)
        self.lexical_coef = np.asarray(data["lexical_coef"], dtype=np.float64)
        self.lexical_intercept = np.asarray(data["lexical_intercept"], dtype=np.float64)
        self.vector_coef = np.asarray(data["vector_coef"], dtype=np.float64)
        self.vector_intercept = np.asarray(data["vector_intercept"], dtype=np.float64)
        self.temperature = float(data["temperature"])

    def logits(self, tokens: Sequence[str], vector: Sequence[float] | None) -> np.ndarray:
        z = self.lexical_coef @ _tfidf(tokens, self.vocabulary, self.idf) + self.lexical_intercept
        if vector is not None:
            v = np.asarray(vector, dtype=np.float64)
            z = z + self.vector_coef @ (v / (np.linalg.norm(v) or 1.0)) + self.vector_intercept
        return z

    def guess(self, tokens: Sequence[str], vector: Sequence[float] | None) -> TypeGuess:
        z = self.logits(tokens, vector) / self.temperature
        p = np.exp(z - z.max())
        p /= p.sum()
        best = int(p.argmax())
        probabilities = {t: float(q) for t, q in zip(self.types, p, strict=True)}
        confident = p[best] >= UNSURE_BELOW
        return TypeGuess(self.types[best] if confident else None, float(p[best]), probabilities)


def training_sample(sources: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """At most ``limit`` cases, each dispute type in its share (at least a few of each),
    chosen by a hash of the id so that the same library gives the same sample."""
    if len(sources) <= limit:
        return sources
    import zlib

    by_type: dict[str, list[dict[str, Any]]] = {}
    for source in sorted(sources, key=lambda s: zlib.crc32(str(s["id"]).encode("utf-8"))):
        by_type.setdefault(source["dispute_type"], []).append(source)
    return [
        s for group in by_type.values() for s in group[: max(10, round(limit * len(group) / len(sources)))]
    ]


def fit(
    labels: Sequence[str], token_lists: Sequence[Sequence[str]], vectors: np.ndarray, seed: int = 0
) -> dict[str, Any]:
    """Fit both regressions and the temperature; the JSON-able weights ``TypeClassifier`` reads."""
    from threadpoolctl import threadpool_limits

    # One BLAS thread: these matrices are small, and OpenBLAS's threads spin against each other
    # and everything else on a busy machine (152 cases: 6.7 s with two threads, 0.4 s with one,
    # on the 2-core build machine under load).
    with threadpool_limits(limits=1):
        return _fit(labels, token_lists, vectors, seed)


def _fit(labels: Sequence[str], token_lists: Sequence[Sequence[str]], vectors: np.ndarray, seed: int) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    types = sorted(set(labels))
    y = np.array([types.index(label) for label in labels])
    document_frequency = Counter(t for tokens in token_lists for t in set(tokens))
    terms = sorted(t for t, n in document_frequency.items() if n >= MIN_DOCUMENT_FREQUENCY)
    vocabulary = {t: i for i, t in enumerate(terms)}
    n = len(token_lists)
    idf = np.array([math.log((n + 1) / (document_frequency[t] + 1)) + 1.0 for t in terms])
    lexical = _tfidf_rows(token_lists, vocabulary, idf)
    semantic = _unit_rows(np.asarray(vectors, dtype=np.float64))

    def regressions(rows: np.ndarray) -> tuple[Any, Any]:
        lex = LogisticRegression(C=10.0, max_iter=2000).fit(lexical[rows], y[rows])
        vec = LogisticRegression(C=10.0, max_iter=2000).fit(semantic[rows], y[rows])
        return lex, vec

    def summed_logits(models: tuple[Any, Any], rows: np.ndarray) -> np.ndarray:
        z = np.zeros((len(rows), len(types)))
        for model, features in zip(models, (lexical, semantic), strict=True):
            coef, intercept = _per_class(model, len(types))
            z += features[rows] @ coef.T + intercept
        return z

    # Temperature from out-of-fold logits (classes too small for a fold are skipped there).
    folds = min(5, int(np.bincount(y).min())) if len(types) > 1 else 0
    temperature = 1.0
    if folds >= 2:
        held_out_z, held_out_y = [], []
        for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(lexical, y):
            held_out_z.append(summed_logits(regressions(train), test))
            held_out_y.append(y[test])
        temperature = _best_temperature(np.vstack(held_out_z), np.concatenate(held_out_y))
    lex, vec = regressions(np.arange(n))
    lexical_coef, lexical_intercept = _per_class(lex, len(types))
    vector_coef, vector_intercept = _per_class(vec, len(types))
    return {
        "types": types,
        "terms": terms,
        "idf": [round(float(x), 6) for x in idf],
        "lexical_coef": np.round(lexical_coef, 6).tolist(),
        "lexical_intercept": np.round(lexical_intercept, 6).tolist(),
        "vector_coef": np.round(vector_coef, 6).tolist(),
        "vector_intercept": np.round(vector_intercept, 6).tolist(),
        "temperature": temperature,
        "cases": n,
    }


def _per_class(model: Any, classes: int) -> tuple[np.ndarray, np.ndarray]:
    """One weight row and intercept per class (a class missing from the fit gets zeros).

    A two-class regression has a single row ``w`` for the logit of its second class;
    ``±w/2`` gives the same probabilities in the per-class form.
    """
    coef = np.zeros((classes, model.coef_.shape[1]))
    intercept = np.zeros(classes)
    if len(model.classes_) == 2 and model.coef_.shape[0] == 1:
        first, second = model.classes_
        coef[first], coef[second] = -model.coef_[0] / 2, model.coef_[0] / 2
        intercept[first], intercept[second] = -model.intercept_[0] / 2, model.intercept_[0] / 2
    else:
        coef[model.classes_] = model.coef_
        intercept[model.classes_] = model.intercept_
    return coef, intercept


def _best_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    from scipy.optimize import minimize_scalar

    def log_loss(log_t: float) -> float:
        z = logits / math.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-log_p[np.arange(len(y)), y].mean())

    return round(math.exp(minimize_scalar(log_loss, bounds=(-3, 4), method="bounded").x), 4)


def learn(store: SearchStore) -> None:
    """Fit the classifier on the indexed cases and keep it as store metadata (``kb index``)."""
    from cases.indexing import COLLECTION

    if not store.has_collection(COLLECTION):
        return  # a library without cases: nothing to learn from
    sources = training_sample(
        [s for s in store.iter_sources(COLLECTION) if s.get("dispute_type")], MAX_TRAINING_CASES
    )
    ids = [s["id"] for s in sources]
    vectors = store.get_vectors(COLLECTION, ids)
    texts = store.get_texts(COLLECTION, ids)
    usable = [s for s in sources if s["id"] in vectors and s.get("dispute_type")]
    if len({s["dispute_type"] for s in usable}) < 2:
        return  # nothing to tell apart yet
    tokens = [[t for f in LEXICAL_FIELDS for t in texts.get(s["id"], {}).get(f, "").split()] for s in usable]
    matrix = np.vstack([np.asarray(vectors[s["id"]], dtype=np.float64) for s in usable])
    store.put_meta(META_KEY, fit([s["dispute_type"] for s in usable], tokens, matrix))
