"""BM25 exactly as Elasticsearch scores it, for the embedded store.

Python BM25 libraries (rank-bm25, bm25s) implement the textbook formula with
exact document lengths and count documents with an empty field. Lucene does
neither: it stores each document's field length in one byte
(``SmallFloat.intToByte4``, exact below 24 tokens, 4 significant bits above)
and computes ``docCount`` and ``avgdl`` over the documents that have the
field. Near-tied documents then rank differently on the two backends, which
the congruence tests catch — so this module mirrors Lucene's arithmetic,
including Elasticsearch's legacy ``(k1 + 1)`` factor:

    score(t, d) = boost · idf(t) · (k1 + 1) · tf / (tf + k1 · (1 − b + b · L(|d|) / avgdl))
    idf(t)      = ln(1 + (docCount − df + 0.5) / (df + 0.5))

where ``L`` is the one-byte length round trip.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

K1 = 1.2
B = 0.75


def _long_to_int4(value: int) -> int:
    bits = value.bit_length()
    if bits < 4:
        return value
    shift = bits - 4
    encoded = (value >> shift) & 0x07
    return encoded | ((shift + 1) << 3)


def _int4_to_long(value: int) -> int:
    bits = value & 0x07
    shift = (value >> 3) - 1
    return bits if shift == -1 else (bits | 0x08) << shift


_NUM_FREE_VALUES = 255 - _long_to_int4(2**31 - 1)  # 24


def lucene_length(length: int) -> int:
    """A field length after Lucene's one-byte norm encoding and decoding."""
    if length < _NUM_FREE_VALUES:
        return length
    return _NUM_FREE_VALUES + _int4_to_long(_long_to_int4(length - _NUM_FREE_VALUES))


def _length_norms(lengths: np.ndarray) -> tuple[int, float, np.ndarray]:
    """(docCount, avgdl, per-document ``k1 · (1 − b + b · L(|d|) / avgdl)``) of a field."""
    lengths = np.asarray(lengths, dtype=np.float64)
    present = lengths > 0
    doc_count = int(present.sum())
    avgdl = float(lengths[present].sum() / doc_count) if doc_count else 0.0
    distinct, inverse = np.unique(lengths.astype(np.int64), return_inverse=True)
    encoded = np.array([lucene_length(int(n)) for n in distinct], dtype=np.float64)[inverse]
    norm = K1 * (1 - B + B * encoded / avgdl) if avgdl else np.ones(len(lengths))
    return doc_count, avgdl, norm


def _term_scores(doc_count: int, tfs: np.ndarray, norms: np.ndarray) -> np.ndarray:
    """The BM25 score of one term in the documents that contain it (``tfs``, their norms)."""
    df = len(tfs)
    idf = np.log(1 + (doc_count - df + 0.5) / (df + 0.5))
    return idf * (K1 + 1) * tfs / (tfs + norms)


class FieldPostings:
    """One field's postings in compressed-column form, for a snapshot of many documents.

    Column ``t`` (a term number of a vocabulary shared by the fields) holds the
    documents containing the term, ``indices[indptr[t]:indptr[t + 1]]``, and the
    term's frequency in each (``tfs``, small integers). Scores are computed per query
    for those documents only, with the same arithmetic as ``FieldBM25``."""

    def __init__(self, lengths: np.ndarray, indptr: np.ndarray, indices: np.ndarray, tfs: np.ndarray) -> None:
        self.size = len(lengths)
        self.doc_count, self.avgdl, self._norm = _length_norms(lengths)
        self._indptr = indptr
        self._indices = indices
        self._tfs = tfs

    @property
    def nbytes(self) -> int:
        return self._norm.nbytes + self._indptr.nbytes + self._indices.nbytes + self._tfs.nbytes

    def term_scores(self, column: int | None) -> tuple[np.ndarray, np.ndarray] | None:
        """(documents, scores) of the term numbered ``column``; None where no document has it."""
        if column is None or column + 1 >= len(self._indptr):
            return None
        start, end = int(self._indptr[column]), int(self._indptr[column + 1])
        if start == end:
            return None
        docs = self._indices[start:end]
        tfs = self._tfs[start:end].astype(np.float64)
        return docs, _term_scores(self.doc_count, tfs, self._norm[docs])


class FieldBM25:
    """Postings of one pre-tokenised field over a snapshot of documents."""

    def __init__(self, documents: Sequence[Sequence[str]]) -> None:
        self.size = len(documents)
        lengths = np.array([len(tokens) for tokens in documents], dtype=np.float64)
        self.doc_count, self.avgdl, self._norm = _length_norms(lengths)
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for position, tokens in enumerate(documents):
            for term, tf in Counter(tokens).items():
                docs, tfs = postings.setdefault(term, ([], []))
                docs.append(position)
                tfs.append(tf)
        self._postings = {
            term: (np.array(docs, dtype=np.int64), np.array(tfs, dtype=np.float64))
            for term, (docs, tfs) in postings.items()
        }

    def scores(self, term: str) -> np.ndarray:
        """The term's score for every document of the snapshot (0 where absent)."""
        full = np.zeros(self.size, dtype=np.float64)
        found = self._postings.get(term)
        if found is None:
            return full
        docs, tfs = found
        full[docs] = _term_scores(self.doc_count, tfs, self._norm[docs])
        return full
