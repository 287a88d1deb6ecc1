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
