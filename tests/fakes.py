"""A deterministic stand-in encoder for fast tests of plumbing (never for the contract suite
or for ranking quality): vectors from hashed character bigrams, L2-normalised."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np


class HashingEmbedder:
    model_id = "hashing-bigrams@test"
    dimension = 64

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for a, b in zip(text, text[1:], strict=False):
                bucket = int.from_bytes(hashlib.blake2b((a + b).encode(), digest_size=4).digest(), "big")
                vectors[row, bucket % self.dimension] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return vectors / norms


FAST_STATUTES = ("民法典", "人民调解法", "劳动合同法", "消费者权益保护法", "仲裁法")
"""The laws fast tests index (仲裁法 has two versions in the database)."""


class SmallStatuteSet:
    """The real statute database, of which :meth:`statutes` (what ``kb index`` reads) gives only
    the laws named: analysing all 26,000 articles takes about a minute of CPU, which plumbing
    tests that index "everything" should not pay. Every other read (laws, versions, articles)
    is the whole database."""

    def __init__(self, database, names: tuple[str, ...] = FAST_STATUTES) -> None:
        self._database = database
        self._names = names

    def statutes(self):
        from laws.schema import Statute

        for name in self._names:
            for law in self._database.versions(name):
                yield Statute(law, self._database.articles(law.id))

    def __getattr__(self, name: str):
        return getattr(self._database, name)

