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


class FieldBM25:
    """Postings of one pre-tokenised field over a snapshot of documents."""

    def __init__(self, documents: Sequence[Sequence[str]]) -> None:
        self.size = len(documents)
        lengths = np.array([len(tokens) for tokens in documents], dtype=np.float64)
        present = lengths > 0
        self.doc_count = int(present.sum())
        self.avgdl = float(lengths[present].sum() / self.doc_count) if self.doc_count else 0.0
        encoded = np.array([lucene_length(int(n)) for n in lengths], dtype=np.float64)
        self._norm = K1 * (1 - B + B * encoded / self.avgdl) if self.avgdl else np.ones(self.size)
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
        df = len(docs)
        idf = np.log(1 + (self.doc_count - df + 0.5) / (df + 0.5))
        full[docs] = idf * (K1 + 1) * tfs / (tfs + self._norm[docs])
        return full
